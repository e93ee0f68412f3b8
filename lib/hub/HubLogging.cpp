#include "HubLogging.h"

Q_LOGGING_CATEGORY(lcHub, "pulseboard.hub", QtInfoMsg)

namespace Pulseboard {

namespace {

bool printable(char32_t ucs)
{
    switch (QChar::category(ucs)) {
    case QChar::Other_Control:
    case QChar::Other_Format: // bidi overrides and isolates, zero-width characters
    case QChar::Other_Surrogate:
    case QChar::Other_PrivateUse:
    case QChar::Other_NotAssigned:
    case QChar::Separator_Line:
    case QChar::Separator_Paragraph:
        return false;
    default:
        return true;
    }
}

} // namespace

QString logSafe(QStringView text, int maxChars)
{
    const qsizetype limit = maxChars < 0 ? text.size() : qMin<qsizetype>(text.size(), maxChars);
    QString out;
    out.reserve(limit + 16);
    qsizetype i = 0;
    while (i < limit) {
        const QChar c = text.at(i);
        char32_t ucs = c.unicode();
        qsizetype width = 1;
        if (c.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate()) {
            ucs = QChar::surrogateToUcs4(c, text.at(i + 1));
            width = 2;
        }
        if (ucs == U'\\') {
            out += QLatin1StringView("\\\\");
        } else if (ucs == U'\n') {
            out += QLatin1StringView("\\n");
        } else if (ucs == U'\r') {
            out += QLatin1StringView("\\r");
        } else if (ucs == U'\t') {
            out += QLatin1StringView("\\t");
        } else if (!printable(ucs)) {
            if (ucs < 0x100)
                out += QStringLiteral("\\x%1").arg(uint(ucs), 2, 16, QLatin1Char('0'));
            else
                out += QStringLiteral("\\u{%1}").arg(uint(ucs), 4, 16, QLatin1Char('0'));
        } else {
            out += text.mid(i, width);
        }
        i += width;
    }
    if (text.size() > i)
        out += QStringLiteral("...(+%1 chars)").arg(text.size() - i);
    return out;
}

} // namespace Pulseboard
