// ChartWindows: the one list of chart windows and the one wording of a refusal.
#include "dashboard/charts/ChartWindows.h"

#include <QTest>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

class tst_ChartWindows : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void allowed()
    {
        QCOMPARE(ChartWindows::allowedSeconds(), (QList<int>{60, 300, 900, 3600, 21600, 86400, 604800}));
        QCOMPARE(ChartWindows::kDefaultMs, 60000);
        for (int s : {60, 300, 900, 3600, 21600, 86400, 604800}) {
            QVERIFY(ChartWindows::isAllowedSeconds(s));
            QVERIFY(ChartWindows::isAllowedMs(s * 1000));
        }
        for (int s : {0, -60, 59, 61, 120, 600, 7200, 43200, 172800, 2592000})
            QVERIFY(!ChartWindows::isAllowedSeconds(s));
        QVERIFY(!ChartWindows::isAllowedMs(60001));
        QVERIFY(!ChartWindows::isAllowedMs(60));
    }
    void wording()
    {
        QCOMPARE(ChartWindows::mustBeText(u"--window"_s),
                 u"--window must be 60, 300, 900, 3600, 21600, 86400 or 604800 (seconds)"_s);
        QCOMPARE(ChartWindows::mustBeText(u"window"_s),
                 u"window must be 60, 300, 900, 3600, 21600, 86400 or 604800 (seconds)"_s);
    }
};

QTEST_GUILESS_MAIN(tst_ChartWindows)
#include "tst_chartwindows.moc"
