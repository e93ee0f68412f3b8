// DialectCapabilities: what a wire dialect's servers give, said the same way everywhere: as JSON
// (the CLI's first `state` event) and in words (the dashboard's Health panel). Nothing is claimed
// that the dialect does not declare: a feed without acks reads "confirms publishes: no", one
// without seqs "a gap cannot be detected".
#pragma once

#include "WireDialect.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace Pulseboard {

// {"heartbeat": "client"|"server"|"silence", "confirmsPublish", "confirmsSubscribe", "resumes",
//  "gapsDetectable", "history", "authFrame", "binaryFrames"} (booleans but heartbeat), and
// "gapsDetectableOn" (the routes whose messages carry a seq) when only some do.
// heartbeat "silence": no ping goes out; a link silent past the heartbeat deadline is dropped.
QJsonObject capabilitiesToJson(const WireDialect::Capabilities &caps);

// One sentence per guarantee, for a person: "Confirms publishes: yes", "Can resume: no, what is
// sent while disconnected is not replayed", ...
QStringList capabilitiesInWords(const WireDialect::Capabilities &caps);

// The short form for one line: "confirms publishes: yes; can resume: no; a gap cannot be detected".
QString capabilitiesSummary(const WireDialect::Capabilities &caps);

} // namespace Pulseboard
