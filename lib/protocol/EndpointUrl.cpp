#include "EndpointUrl.h"

#include <QRegularExpression>

namespace Pulseboard::EndpointUrl {

namespace {

bool isEndpointScheme(const QString &scheme)
{
    return scheme == QLatin1StringView("ws") || scheme == QLatin1StringView("wss");
}

} // namespace

QString displayText(const QString &text)
{
    const QString shown = QUrl(text, QUrl::TolerantMode).toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery);
    if (!shown.isEmpty() || text.isEmpty())
        return shown;
    // Not even a tolerant URL: cut what could be credentials by hand.
    static const QRegularExpression userInfo(QStringLiteral("^([^:/?#]*://)[^/?#@]*@"));
    QString cut = text;
    cut.replace(userInfo, QStringLiteral("\\1"));
    const qsizetype query = cut.indexOf(QLatin1Char('?'));
    return query < 0 ? cut : cut.left(query);
}

std::optional<QUrl> parse(const QString &text, QString *error)
{
    const QUrl url(text, QUrl::StrictMode);
    QString why;
    if (text.isEmpty()) {
        why = QStringLiteral("it is empty");
    } else if (url.isValid() && isEndpointScheme(url.scheme())) {
        if (!url.host().isEmpty())
            return url;
        why = QStringLiteral("it names no host");
    } else if (text.trimmed().size() != text.size() || text.contains(QLatin1Char(' '))) {
        why = QStringLiteral("it contains whitespace");
    } else if (!url.isValid() && isEndpointScheme(QUrl(text, QUrl::TolerantMode).scheme())) {
        // Strict mode names the part it refused; a port is the one people get wrong.
        why = url.errorString().contains(QLatin1StringView("port"))
                  ? QStringLiteral("its port is not a number from 0 to 65535")
                  : QString();
    }
    if (error) {
        *error = QStringLiteral("'%1' is not a ws:// or wss:// URL").arg(displayText(text));
        if (!why.isEmpty())
            error->append(QStringLiteral(": ") + why);
    }
    return std::nullopt;
}

} // namespace Pulseboard::EndpointUrl
