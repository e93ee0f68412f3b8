// SystemFeed parsers on known /proc text (exact figures), then the live readers on this machine.
#include "hub/feeds/SystemFeed.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace Pulseboard;

class tst_SystemFeed : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void cpuUsageFromTwoReads();
    void meminfo();
    void netDevRates();
    void loadavg();
    void garbageIsRefused();
    void readsFromProcRoot();
    void liveFiguresAreReal();
};

void tst_SystemFeed::cpuUsageFromTwoReads()
{
    const auto before = SystemFeed::parseStat("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0\n"
                                              "cpu1 50 0 25 400 25 0 0 0\nintr 1 2 3\n");
    const auto after = SystemFeed::parseStat("cpu  200 0 100 850 50 0 0 0 0 0\ncpu0 150 0 50 400 25 0 0 0\n"
                                             "cpu1 50 0 50 450 25 0 0 0\n");
    QVERIFY(before && after);
    QCOMPARE(before->cores.size(), 2);
    const QJsonObject u = SystemFeed::cpuUsage(*before, *after);
    // Deltas: user 100, system 50, idle 50 of 200 -> 75 % busy.
    QCOMPARE(u.value(QStringLiteral("total")).toDouble(), 75.0);
    QCOMPARE(u.value(QStringLiteral("user")).toDouble(), 50.0);
    QCOMPARE(u.value(QStringLiteral("system")).toDouble(), 25.0);
    QCOMPARE(u.value(QStringLiteral("iowait")).toDouble(), 0.0);
    const QJsonArray cores = u.value(QStringLiteral("cores")).toArray();
    QCOMPARE(cores.size(), 2);
    QCOMPARE(cores.at(0).toDouble(), 100.0); // 125 busy of 125
    QCOMPARE(cores.at(1).toDouble(), 33.3);  // 25 busy of 75
}

void tst_SystemFeed::meminfo()
{
    const auto m = SystemFeed::parseMeminfo("MemTotal:       16000000 kB\nMemFree:         1000000 kB\n"
                                            "MemAvailable:    4000000 kB\nBuffers:          100000 kB\n"
                                            "Cached:          2000000 kB\nSwapTotal:       2000000 kB\n"
                                            "SwapFree:        1500000 kB\n");
    QVERIFY(m);
    QCOMPARE(m->value(QStringLiteral("totalBytes")).toDouble(), 16000000.0 * 1024);
    QCOMPARE(m->value(QStringLiteral("availableBytes")).toDouble(), 4000000.0 * 1024);
    QCOMPARE(m->value(QStringLiteral("usedBytes")).toDouble(), 12000000.0 * 1024);
    QCOMPARE(m->value(QStringLiteral("usedPercent")).toDouble(), 75.0);
    QCOMPARE(m->value(QStringLiteral("swapUsedBytes")).toDouble(), 500000.0 * 1024);
}

void tst_SystemFeed::netDevRates()
{
    const QByteArray header = "Inter-|   Receive                                                |  Transmit\n"
                              " face |bytes    packets errs drop fifo frame compressed multicast|bytes    "
                              "packets errs drop fifo colls carrier compressed\n";
    const auto before = SystemFeed::parseNetDev(header + "    lo: 1000 10 0 0 0 0 0 0 1000 10 0 0 0 0 0 0\n"
                                                         "  eth0: 5000 50 0 0 0 0 0 0 3000 30 0 0 0 0 0 0\n");
    const auto after = SystemFeed::parseNetDev(header + "    lo: 9000 90 0 0 0 0 0 0 9000 90 0 0 0 0 0 0\n"
                                                        "  eth0: 7000 70 0 0 0 0 0 0 4000 40 0 0 0 0 0 0\n");
    QVERIFY(before && after);
    const QJsonObject r = SystemFeed::netRates(*before, *after, 2.0);
    QCOMPARE(r.value(QStringLiteral("rxBytesPerSec")).toDouble(), 1000.0); // lo left out
    QCOMPARE(r.value(QStringLiteral("txBytesPerSec")).toDouble(), 500.0);
    QCOMPARE(r.value(QStringLiteral("rxPacketsPerSec")).toDouble(), 10.0);
    QCOMPARE(r.value(QStringLiteral("interfaces"))
                 .toObject()
                 .value(QStringLiteral("lo"))
                 .toObject()
                 .value(QStringLiteral("rxBytesPerSec"))
                 .toDouble(),
             4000.0);
}

void tst_SystemFeed::loadavg()
{
    const auto l = SystemFeed::parseLoadavg("0.52 0.58 0.59 2/431 12345\n");
    QVERIFY(l);
    QCOMPARE(l->value(QStringLiteral("load1")).toDouble(), 0.52);
    QCOMPARE(l->value(QStringLiteral("load15")).toDouble(), 0.59);
    QCOMPARE(l->value(QStringLiteral("running")).toInt(), 2);
    QCOMPARE(l->value(QStringLiteral("tasks")).toInt(), 431);
}

void tst_SystemFeed::garbageIsRefused()
{
    QVERIFY(!SystemFeed::parseStat(""));
    QVERIFY(!SystemFeed::parseStat("cpu x y z w v\n"));
    QVERIFY(!SystemFeed::parseMeminfo("nothing here\n"));
    QVERIFY(!SystemFeed::parseNetDev("eth0: 1 2\n"));
    QVERIFY(!SystemFeed::parseLoadavg("1.0 2.0\n"));
}

void tst_SystemFeed::readsFromProcRoot()
{
    QTemporaryDir root;
    QFile f(root.filePath(QStringLiteral("loadavg")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("3.00 2.00 1.00 5/100 42\n");
    f.close();
    SystemFeed feed(SystemFeed::Kind::Load, 10);
    feed.setProcRoot(root.path());
    const auto sample = feed.read();
    QVERIFY(sample);
    QCOMPARE(sample->value(QStringLiteral("load1")).toDouble(), 3.0);
    SystemFeed missing(SystemFeed::Kind::Memory, 10);
    missing.setProcRoot(root.path());
    QVERIFY(!missing.read());
}

void tst_SystemFeed::liveFiguresAreReal()
{
    SystemFeed mem(SystemFeed::Kind::Memory, 1);
    const auto m = mem.read();
    QVERIFY(m);
    const double pageBytes = double(sysconf(_SC_PAGESIZE)) * double(sysconf(_SC_PHYS_PAGES));
    // MemTotal is physical memory less what the kernel reserves: within a few percent.
    QVERIFY(m->value(QStringLiteral("totalBytes")).toDouble() <= pageBytes * 1.01);
    QVERIFY(m->value(QStringLiteral("totalBytes")).toDouble() >= pageBytes * 0.8);

    SystemFeed cpu(SystemFeed::Kind::Cpu, 1);
    QVERIFY(!cpu.read()); // first read primes
    QTest::qWait(100);
    const auto c = cpu.read();
    QVERIFY(c);
    const double total = c->value(QStringLiteral("total")).toDouble(-1);
    QVERIFY(total >= 0 && total <= 100);
    QCOMPARE(c->value(QStringLiteral("cores")).toArray().size(), qsizetype(sysconf(_SC_NPROCESSORS_CONF)));
}

QTEST_GUILESS_MAIN(tst_SystemFeed)
#include "tst_systemfeed.moc"
