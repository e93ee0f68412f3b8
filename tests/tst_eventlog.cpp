// EventLog's words for a confirmed subscription: a fresh one claims nothing, a resume says what
// it brought back (nothing, how many, or not all).
#include "dashboard/connection/EventLog.h"

#include <QTest>

using namespace Pulseboard;

class tst_EventLog : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void subscribedText_data();
    void subscribedText();
};

void tst_EventLog::subscribedText_data()
{
    QTest::addColumn<qint64>("seq");
    QTest::addColumn<bool>("recovered");
    QTest::addColumn<qint64>("since");
    QTest::addColumn<QString>("text");
    QTest::newRow("fresh") << qint64(12) << true << qint64(-1) << QStringLiteral("Subscribed to a at seq 12");
    QTest::newRow("fresh, no seq") << qint64(-1) << true << qint64(-1) << QStringLiteral("Subscribed to a");
    QTest::newRow("resumed, nothing missed")
        << qint64(12) << true << qint64(12) << QStringLiteral("Subscribed to a at seq 12, resumed: nothing was missed");
    QTest::newRow("resumed, three replayed")
        << qint64(12) << true << qint64(9)
        << QStringLiteral("Subscribed to a at seq 12, resumed: 3 missed messages replayed");
    QTest::newRow("resumed, one replayed")
        << qint64(10) << true << qint64(9) << QStringLiteral("Subscribed to a at seq 10, resumed: 1 missed message replayed");
    QTest::newRow("not all recovered")
        << qint64(12) << false << qint64(2)
        << QStringLiteral("Subscribed to a at seq 12; the server could not replay all that was missed after seq 2");
    QTest::newRow("resumed, server names no seq")
        << qint64(-1) << true << qint64(4) << QStringLiteral("Subscribed to a, resumed after seq 4");
}

void tst_EventLog::subscribedText()
{
    QFETCH(qint64, seq);
    QFETCH(bool, recovered);
    QFETCH(qint64, since);
    QFETCH(QString, text);
    QCOMPARE(EventLog::subscribedText(QStringLiteral("a"), seq, recovered, since), text);
}

QTEST_GUILESS_MAIN(tst_EventLog)
#include "tst_eventlog.moc"
