// ChartWindows: the chart time windows a user may pick (1, 5, 15 minutes, 1 h, 6 h, 24 h, 7 d), the one place
// that says so. The flag, the config file, the saved setting and the QML setter all ask here, and a refusal
// is worded the same everywhere.
#pragma once

#include <QList>
#include <QString>

namespace Pulseboard::ChartWindows {

// In seconds, shortest first.
const QList<int> &allowedSeconds();
bool isAllowedSeconds(int seconds);
bool isAllowedMs(int ms);
// "<what> must be 60, 300, 900, 3600, 21600, 86400 or 604800 (seconds)", e.g. what = "--window" or "window".
QString mustBeText(const QString &what);
// The window when nothing is said: the shortest.
constexpr int kDefaultMs = 60000;

} // namespace Pulseboard::ChartWindows
