// The local history end to end: a DashboardSession (as app/pulseboard.cpp builds one) on a
// TestServer with --history-dir in a QTemporaryDir charts a channel, loses the connection once,
// gets it back, quits; a second session on the same folder holds the earlier points in its
// SeriesStore at once (before it connects), with the outage as a line break. Also: the flags.
#include "alerts/AlertRule.h"
#include "dashboard/alerts/AlertListModel.h"
#include "dashboard/charts/ChartFeeder.h"
#include "dashboard/charts/ChartHistory.h"
#include "dashboard/charts/Decimator.h"
#include "dashboard/charts/DisplayClock.h"
#include "dashboard/charts/PlotLayer.h"
#include "dashboard/charts/SeriesStore.h"
#include "dashboard/connection/ConnectionMirror.h"
#include "dashboard/shell/Dashboard.h"
#include "dashboard/shell/DashboardCommandLine.h"
#include "dashboard/shell/DashboardSession.h"
#include "dashboard/shell/HistoryRecorder.h"
#include "protocol/Clock.h"
#include "support/TestServer.h"
#include "support/TestUtils.h"

#include <QCommandLineParser>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <limits>

using namespace Pulseboard;
using namespace Qt::StringLiterals;
using namespace Pulseboard::Test;

namespace {

DashboardLaunch launchFor(const TestServer &server, const QString &historyDir)
{
    DashboardLaunch launch;
    ServerSwitcher::Environment &env = launch.servers;
    env.base = TestUtils::fastConnectionOptions();
    env.hubAvailable = false;
    launch.connection = env.base;
    launch.connection.endpoints = {server.url()};
    launch.start.endpoints = launch.connection.endpoints;
    launch.channels = {QStringLiteral("ticks")};
    launch.healthIntervalMs = 50;
    launch.history = true;
    launch.historyDir = historyDir;
    return launch;
}

bool parse(const QStringList &args, DashboardLaunch *launch, QString *error, const QString &dataDir)
{
    QCommandLineParser parser;
    DashboardCommandLine cl;
    cl.addTo(parser);
    if (!parser.parse(QStringList{QStringLiteral("pulseboard")} + args)) {
        *error = parser.errorText();
        return false;
    }
    DashboardCommandLine::Environment env;
    env.dataDir = dataDir;
    return cl.read(parser, nullptr, env, launch, error);
}

} // namespace

class tst_HistoryRestart : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void restartShowsTheEarlierPointsWithTheBreak()
    {
        QTemporaryDir dir;
        TestServer server;
        QVERIFY(server.listen());
        const QString historyDir = dir.filePath(QStringLiteral("history"));
        const SeriesKey ticks = SeriesKey::channel(QStringLiteral("ticks"));
        QList<qint64> times;
        QList<double> values;
        QString path;
        {
            DashboardSession session(launchFor(server, historyDir), nullptr);
            QString error;
            QVERIFY2(session.start(&error), qPrintable(error));
            QVERIFY(session.history());
            QCOMPARE(session.history()->store()->status(), HistoryStore::Status::Ok);
            session.open();
            ConnectionMirror *mirror = session.connection();
            QTRY_COMPARE_WITH_TIMEOUT(mirror->state(), ConnectionManager::Open, 10000);
            QTRY_VERIFY_WITH_TIMEOUT(server.framesOfType(MessageType::Subscribe).size() >= 1, 10000);
            SeriesStore *store = session.dashboard()->store();
            auto count = [&] {
                const QMutexLocker locker(store->lock());
                const StreamBuffer *b = path.isEmpty() ? nullptr : store->buffer(ticks, path);
                return b ? b->size() : 0;
            };
            for (int i = 0; i < 20; ++i) {
                server.publish(QStringLiteral("ticks"), QJsonObject{{QStringLiteral("v"), i * 1.5}});
                QTest::qWait(5);
            }
            QTRY_VERIFY_WITH_TIMEOUT(!store->fields(ticks).isEmpty(), 10000);
            path = store->fields(ticks).first();
            QTRY_COMPARE_WITH_TIMEOUT(count(), 20, 10000);
            // The connection drops and comes back: an outage.
            QSignalSpy states(mirror, &ConnectionMirror::stateChanged);
            server.dropAll();
            // (The reconnect takes milliseconds: the states are read from the spy, not polled.)
            auto sawState = [&](ConnectionManager::State wanted, int from) {
                for (int i = from; i < states.size(); ++i)
                    if (states.at(i).at(0).value<ConnectionManager::State>() == wanted)
                        return i;
                return -1;
            };
            QTRY_VERIFY_WITH_TIMEOUT(sawState(ConnectionManager::Reconnecting, 0) >= 0, 10000);
            QTRY_VERIFY_WITH_TIMEOUT(
                sawState(ConnectionManager::Open, sawState(ConnectionManager::Reconnecting, 0)) >= 0, 10000);
            QTRY_VERIFY_WITH_TIMEOUT(server.framesOfType(MessageType::Subscribe).size() >= 2, 10000);
            QTest::qWait(20);
            for (int i = 20; i < 30; ++i) {
                server.publish(QStringLiteral("ticks"), QJsonObject{{QStringLiteral("v"), i * 1.5}});
                QTest::qWait(5);
            }
            QTRY_COMPARE_WITH_TIMEOUT(count(), 30, 10000);
            {
                const QMutexLocker locker(store->lock());
                const StreamBuffer *b = store->buffer(ticks, path);
                for (int i = 0; i < b->size(); ++i) {
                    times.append(b->at(i).t);
                    values.append(b->at(i).v);
                }
            }
            QCOMPARE(store->outages().size(), qsizetype(1));
            session.shutdown(nullptr);
        }
        // The second run, before it connects: the points, exactly, and the outage as a break.
        DashboardSession session(launchFor(server, historyDir), nullptr);
        QString error;
        QVERIFY2(session.start(&error), qPrintable(error));
        QCOMPARE(session.history()->store()->status(), HistoryStore::Status::Ok);
        SeriesStore *store = session.dashboard()->store();
        const QMutexLocker locker(store->lock());
        const StreamBuffer *b = store->buffer(ticks, path);
        QVERIFY(b);
        QCOMPARE(b->size(), 30);
        QList<QPointF> points;
        for (int i = 0; i < b->size(); ++i) {
            QCOMPARE(b->at(i).t, times[i]);
            QCOMPARE(b->at(i).v, values[i]);
            QCOMPARE(b->at(i).v, i * 1.5);
            points.append(QPointF(double(b->at(i).t), b->at(i).v));
        }
        // The outage the first run had, and the time it was not running (after the last point).
        const QList<Outage> outages = store->outages();
        QCOMPARE(outages.size(), qsizetype(2));
        QVERIFY(outages[0].down >= times[19] && outages[0].up <= times[20]);
        QVERIFY(outages[1].down >= times[29]);
        const QList<int> breaks = lineBreaks(*b, points, outages);
        QCOMPARE(breaks, QList<int>{20});

        // A chart of the session that reaches before the rings reads the store for that part (a
        // 10 s view: 7 ms columns, raw samples, at most four a column): the same 30 points, each
        // once, whichever part drew it, and the outage still a break at 20.
        ChartHistory *history = session.dashboard()->chartHistory();
        QVERIFY(history->available());
        DisplayClock clock;
        clock.tickAt(Clock::current().wallMs());
        ChartFeeder feeder;
        feeder.setClock(&clock);
        feeder.setStore(store);
        feeder.setHistory(history);
        feeder.setColumns(1440);
        feeder.setWindowMs(10000);
        feeder.setFixedEndMs(times.last() + 100);
        QVERIFY(times.last() - times.first() < 9000); // the view starts before the rings
        PlotLine line(PlotLine::Line);
        feeder.attach(&line, QStringLiteral("ticks"), path);
        QTRY_VERIFY_WITH_TIMEOUT(feeder.historyReads() >= 1 && !feeder.historyPending(), 10000);
        QCOMPARE(line.points(), points);
        QCOMPARE(line.breaks(), QList<int>{20});
    }

    // After a switch in the app, the server switched to is recorded under its own name, and the
    // first server's messages stay its own.
    void aServerSwitchedToIsRecordedUnderItsName()
    {
        QTemporaryDir dir;
        TestServer a, b;
        QVERIFY(a.listen());
        QVERIFY(b.listen());
        DashboardSession session(launchFor(a, dir.filePath(QStringLiteral("history"))), nullptr);
        QString error;
        QVERIFY2(session.start(&error), qPrintable(error));
        session.open();
        ConnectionMirror *mirror = session.connection();
        QTRY_COMPARE_WITH_TIMEOUT(mirror->state(), ConnectionManager::Open, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(a.framesOfType(MessageType::Subscribe).size() >= 1, 10000);
        for (int i = 0; i < 3; ++i)
            a.publish(QStringLiteral("ticks"), QJsonObject{{QStringLiteral("v"), 10 + i}});
        HistoryStore *history = session.history()->store();
        auto recorded = [&](const QString &server) {
            history->flush();
            QList<double> out;
            const auto all = history->series();
            for (auto it = all.cbegin(); it != all.cend(); ++it)
                if (it.value().first == HistoryStore::sourceName(server, QStringLiteral("ticks")))
                    for (const HistorySample &s :
                         history->samples(it.key(), 0, std::numeric_limits<qint64>::max()))
                        out.append(s.value);
            return out;
        };
        const QString keyA = HistoryRecorder::serverKey(false, {a.url()});
        const QString keyB = HistoryRecorder::serverKey(false, {b.url()});
        QVERIFY(keyA.startsWith(QStringLiteral("ws://127.0.0.1:")) && keyA != keyB);
        QTRY_COMPARE_WITH_TIMEOUT(recorded(keyA), (QList<double>{10, 11, 12}), 10000);

        QCOMPARE(session.switcher()->connectTo(b.url().toString(), QStringLiteral("B")), QString());
        QTRY_COMPARE_WITH_TIMEOUT(mirror->state(), ConnectionManager::Open, 10000);
        // A server added in the app starts with no channels: the user subscribes.
        mirror->subscribe(QStringLiteral("ticks"));
        QTRY_VERIFY_WITH_TIMEOUT(b.framesOfType(MessageType::Subscribe).size() >= 1, 10000);
        for (int i = 0; i < 2; ++i)
            b.publish(QStringLiteral("ticks"), QJsonObject{{QStringLiteral("v"), 20 + i}});
        QTRY_COMPARE_WITH_TIMEOUT(recorded(keyB), (QList<double>{20, 21}), 10000);
        QCOMPARE(recorded(keyA), (QList<double>{10, 11, 12}));
        session.shutdown(nullptr);
    }

    // The alerts of a run are in the store, and the next run lists them (resolved, with their
    // notes) before anything new happens.
    void alertsOutliveARestart()
    {
        QTemporaryDir dir;
        TestServer server;
        QVERIFY(server.listen());
        DashboardLaunch launch = launchFor(server, dir.filePath(QStringLiteral("history")));
        launch.alerts = {
            *AlertRule::parse(u"name=hot severity=critical channel=ticks field=/v above=5 clear=3")};
        qint64 firstRaise = 0;
        {
            DashboardSession session(launch, nullptr);
            QString error;
            QVERIFY2(session.start(&error), qPrintable(error));
            session.open();
            QTRY_COMPARE_WITH_TIMEOUT(session.connection()->state(), ConnectionManager::Open, 10000);
            QTRY_VERIFY_WITH_TIMEOUT(server.framesOfType(MessageType::Subscribe).size() >= 1, 10000);
            AlertListModel *alerts = session.dashboard()->alerts();
            server.publish(QStringLiteral("ticks"), QJsonObject{{QStringLiteral("v"), 9}});
            QTRY_COMPARE_WITH_TIMEOUT(alerts->activeCount(), 1, 10000);
            firstRaise = alerts->entries().at(0).raised.ts;
            QVERIFY(alerts->acknowledge(0, QStringLiteral("valve checked")));
            server.publish(QStringLiteral("ticks"), QJsonObject{{QStringLiteral("v"), 1}});
            QTRY_COMPARE_WITH_TIMEOUT(alerts->activeCount(), 0, 10000);
            server.publish(QStringLiteral("ticks"), QJsonObject{{QStringLiteral("v"), 7}});
            QTRY_COMPARE_WITH_TIMEOUT(alerts->activeCount(), 1, 10000);
            QCOMPARE(alerts->rowCount(), 2);
            session.shutdown(nullptr);
        }
        DashboardSession session(launch, nullptr);
        QString error;
        QVERIFY2(session.start(&error), qPrintable(error));
        AlertListModel *alerts = session.dashboard()->alerts();
        QCOMPARE(alerts->rowCount(), 2);
        QCOMPARE(alerts->activeCount(), 0);
        const QList<AlertListModel::Entry> &e = alerts->entries();
        QVERIFY(e[0].earlierRun && e[1].earlierRun);
        QCOMPARE(e[0].raised.value, 7.0);
        QCOMPARE(e[0].note, u"the dashboard stopped while it was active"_s);
        QCOMPARE(e[1].raised.ts, firstRaise);
        QCOMPARE(e[1].raised.value, 9.0);
        QCOMPARE(e[1].clearValue, 1.0);
        QVERIFY(e[1].acknowledged);
        QCOMPARE(e[1].note, u"valve checked"_s);
        // The store holds the four events, in order.
        QStringList states;
        for (const HistoryEvent &ev :
             session.history()->store()->timeline(0, std::numeric_limits<qint64>::max()))
            if (ev.kind == HistoryEvent::Kind::Alert)
                states.append(
                    QJsonDocument::fromJson(ev.detail.toUtf8()).object().value(u"state"_s).toString());
        QCOMPARE(states, (QStringList{u"raised"_s, u"acknowledged"_s, u"cleared"_s, u"raised"_s}));
        session.shutdown(nullptr);
    }

    void noHistoryKeepsNone()
    {
        QTemporaryDir dir;
        TestServer server;
        QVERIFY(server.listen());
        DashboardLaunch launch = launchFor(server, dir.filePath(QStringLiteral("h")));
        launch.history = false;
        DashboardSession session(launch, nullptr);
        QString error;
        QVERIFY(session.start(&error));
        QVERIFY(!session.history());
        QVERIFY(!session.dashboard()->chartHistory()->available());
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("h"))));
    }

    void lockedStoreRunsLive()
    {
        QTemporaryDir dir;
        TestServer server;
        QVERIFY(server.listen());
        const QString historyDir = dir.filePath(QStringLiteral("history"));
        DashboardSession first(launchFor(server, historyDir), nullptr);
        QString error;
        QVERIFY(first.start(&error));
        DashboardSession second(launchFor(server, historyDir), nullptr);
        QVERIFY(second.start(&error)); // it starts, without history
        QCOMPARE(second.history()->store()->status(), HistoryStore::Status::Locked);
        QVERIFY(first.dashboard()->chartHistory()->available());
        QVERIFY(!second.dashboard()->chartHistory()->available()); // its charts show what RAM holds
        QVERIFY(second.dashboard()->events()->rowCount() > 0);
        second.open();
        QTRY_COMPARE_WITH_TIMEOUT(second.connection()->state(), ConnectionManager::Open, 10000);
    }

    void flags()
    {
        QTemporaryDir dir;
        DashboardLaunch l;
        QString error;
        QVERIFY2(parse({}, &l, &error, dir.path()), qPrintable(error));
        QVERIFY(l.history);
        QCOMPARE(l.historyDir, dir.path() + QStringLiteral("/history"));
        QCOMPARE(l.historyMaxAgeMs, 7LL * 86400 * 1000);
        QCOMPARE(l.historyMaxBytes, 2LL * 1024 * 1024 * 1024);
        QVERIFY(parse({QStringLiteral("--history-retention"), QStringLiteral("36h,500MB")}, &l, &error,
                      dir.path()));
        QCOMPARE(l.historyMaxAgeMs, 36LL * 3600 * 1000);
        QCOMPARE(l.historyMaxBytes, 500LL * 1000 * 1000);
        QVERIFY(
            parse({QStringLiteral("--history-retention"), QStringLiteral("1GiB")}, &l, &error, dir.path()));
        QCOMPARE(l.historyMaxAgeMs, 7LL * 86400 * 1000);
        QCOMPARE(l.historyMaxBytes, 1LL << 30);
        QVERIFY(parse({QStringLiteral("--no-history")}, &l, &error, dir.path()));
        QVERIFY(!l.history);
        // Tests' runs (--no-settings) keep no history unless a folder is named.
        QVERIFY(parse({QStringLiteral("--no-settings")}, &l, &error, dir.path()));
        QVERIFY(!l.history);
        QVERIFY(parse({QStringLiteral("--no-settings"), QStringLiteral("--history-dir"),
                       dir.filePath(QStringLiteral("x"))},
                      &l, &error, dir.path()));
        QVERIFY(l.history);
        QCOMPARE(l.historyDir, dir.filePath(QStringLiteral("x")));
        for (const QString &bad : {QStringLiteral("7x"), QStringLiteral("abc"), QStringLiteral("7d,8d"),
                                   QStringLiteral("-1d"), QStringLiteral("10KB"), QStringLiteral("0")}) {
            QVERIFY2(!parse({QStringLiteral("--history-retention"), bad}, &l, &error, dir.path()),
                     qPrintable(bad));
            QVERIFY2(error.startsWith(QStringLiteral("--history-retention: ")), qPrintable(error));
        }
        QVERIFY(!parse({QStringLiteral("--no-history"), QStringLiteral("--history-dir"), dir.path()}, &l,
                       &error, dir.path()));
        QCOMPARE(error, QStringLiteral("--no-history cannot be used with --history-dir"));
    }
};

int main(int argc, char **argv)
{
    QGuiApplication app(argc, argv);
    tst_HistoryRestart test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_historyrestart.moc"
