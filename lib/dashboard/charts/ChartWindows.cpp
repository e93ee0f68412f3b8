#include "ChartWindows.h"

#include <QStringList>

namespace Pulseboard::ChartWindows {

const QList<int> &allowedSeconds()
{
    static const QList<int> seconds = {60, 300, 900, 3600, 21600, 86400, 604800};
    return seconds;
}

bool isAllowedSeconds(int seconds)
{
    return allowedSeconds().contains(seconds);
}

bool isAllowedMs(int ms)
{
    return ms % 1000 == 0 && isAllowedSeconds(ms / 1000);
}

QString mustBeText(const QString &what)
{
    QStringList words;
    for (int s : allowedSeconds())
        words.append(QString::number(s));
    const QString last = words.takeLast();
    return QStringLiteral("%1 must be %2 or %3 (seconds)").arg(what, words.join(QStringLiteral(", ")), last);
}

} // namespace Pulseboard::ChartWindows
