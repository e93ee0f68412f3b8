// Logging category of the hub library; enable with QT_LOGGING_RULES="pulseboard.hub.debug=true".
// Also the one way a peer's text (an Origin, a channel name, a close reason, a user agent) goes
// into the log: logSafe() escapes it and caps its length, so a peer cannot forge log lines,
// hide text with terminal escapes or bidi controls, or fill the disk through one field.
#pragma once

#include <QLoggingCategory>
#include <QString>
#include <QStringView>

Q_DECLARE_LOGGING_CATEGORY(lcHub)

namespace Pulseboard {

// Printable characters as they are; `\` as `\\`; \n \r \t as those escapes; any other control,
// format or unassigned character (C0, DEL, C1, U+2028, bidi overrides, a lone surrogate...) as
// \xNN or \u{NNNN}. Longer than `maxChars` input characters: cut there and marked
// `...(+N chars)`. The result is what to log with .noquote().
QString logSafe(QStringView text, int maxChars = 200);

} // namespace Pulseboard
