// Heartbeat on its own: pings at the interval, a deadline from the ping, any frame lifts it,
// a pong yields the RTT only for our own outstanding ping.
#include "client/Heartbeat.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using namespace Pulseboard;

class tst_Heartbeat : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void pingsAtInterval();
    void silenceTimesOut();
    void lifeLiftsTheDeadline();
    void pongMatchesOutstandingPingOnly();
    void stopMeansQuiet();
};

void tst_Heartbeat::pingsAtInterval()
{
    Heartbeat hb;
    hb.setInterval(30);
    hb.setTimeout(1000);
    QSignalSpy pings(&hb, &Heartbeat::pingDue);
    QElapsedTimer clock;
    clock.start();
    hb.start();
    QTRY_VERIFY_WITH_TIMEOUT(pings.size() >= 3, 2000);
    QVERIFY(clock.elapsed() >= 85);                                        // three intervals, not sooner
    QVERIFY(pings.at(0).at(0).toString() != pings.at(1).at(0).toString()); // fresh id each time
    const qint64 ts = pings.at(0).at(1).toLongLong();
    QVERIFY(qAbs(QDateTime::currentMSecsSinceEpoch() - ts) < 5000);
}

void tst_Heartbeat::silenceTimesOut()
{
    Heartbeat hb;
    hb.setInterval(20);
    hb.setTimeout(30);
    QSignalSpy dead(&hb, &Heartbeat::timedOut);
    QElapsedTimer clock;
    clock.start();
    hb.start();
    QVERIFY(dead.wait(2000));
    const qint64 after = clock.elapsed();
    QVERIFY2(after >= 50, qPrintable(QString::number(after))); // interval + deadline
    QVERIFY(dead.at(0).at(0).toInt() >= 50);                   // silence reported in ms
    QVERIFY(!hb.isActive());
}

void tst_Heartbeat::lifeLiftsTheDeadline()
{
    Heartbeat hb;
    hb.setInterval(20);
    hb.setTimeout(40);
    QSignalSpy dead(&hb, &Heartbeat::timedOut);
    QTimer life;
    connect(&life, &QTimer::timeout, &hb, &Heartbeat::noteLife);
    life.start(10); // a busy stream: frames all the time, never a pong
    hb.start();
    QTest::qWait(300);
    QCOMPARE(dead.size(), 0);
    life.stop();
    QVERIFY(dead.wait(2000));
}

void tst_Heartbeat::pongMatchesOutstandingPingOnly()
{
    Heartbeat hb;
    hb.setInterval(20);
    hb.setTimeout(1000);
    QSignalSpy pings(&hb, &Heartbeat::pingDue);
    hb.start();
    QVERIFY(pings.wait(2000));
    const QString id = pings.last().at(0).toString();
    const qint64 ts = pings.last().at(1).toLongLong();
    QCOMPARE(hb.notePong(QStringLiteral("someone-else"), ts), -1);
    const int rtt = hb.notePong(id, ts - 25); // as if sent 25 ms before
    QVERIFY2(rtt >= 25 && rtt < 1000, qPrintable(QString::number(rtt)));
    QCOMPARE(hb.notePong(id, ts), -1); // answered already
}

void tst_Heartbeat::stopMeansQuiet()
{
    Heartbeat hb;
    hb.setInterval(10);
    hb.setTimeout(10);
    QSignalSpy pings(&hb, &Heartbeat::pingDue);
    QSignalSpy dead(&hb, &Heartbeat::timedOut);
    hb.start();
    hb.stop();
    QTest::qWait(100);
    QCOMPARE(pings.size(), 0);
    QCOMPARE(dead.size(), 0);
}

QTEST_GUILESS_MAIN(tst_Heartbeat)
#include "tst_heartbeat.moc"
