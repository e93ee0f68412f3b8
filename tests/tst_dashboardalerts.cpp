// The dashboard's alerts: the AlertListModel (raised, acknowledged with a note, resolved,
// silenced), the DesktopNotifier against a real session bus (a private dbus-daemon started here,
// a notification service stand-in on it that records each call), and the real `pulseboard`
// binary with --alert rules against a real hub fed by a scripted publisher: a value crossing its
// threshold and back through the hysteresis band raises one alert and resolves it, the banner
// shows it, it is acknowledged from the Alerts panel, and the desktop is notified; with no bus it
// runs the same and says notifications are off.
#include "HubProbe.h"
#include "alerts/AlertEngine.h"
#include "dashboard/alerts/AlertListModel.h"
#include "dashboard/alerts/DesktopNotifier.h"
#include "hub/HubOptions.h"
#include "hub/HubServer.h"
#include "protocol/Clock.h"
#include "support/ControlledDashboard.h"
#include "support/TestUtils.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace Pulseboard;
using namespace HubTest;
using namespace Qt::StringLiterals;
using TestUtils::ControlledDashboard;
using TestUtils::LineReader;

namespace {

AlertRule rule(const QString &text)
{
    AlertRuleError error;
    const std::optional<AlertRule> r = AlertRule::parse(text, &error);
    if (!r)
        qFatal("bad rule in test: %s", qPrintable(error.message()));
    return *r;
}

AlertEvent alertEvent(AlertEvent::Type type, const QString &ruleName, AlertSeverity severity,
                      const QString &channel, double value, double threshold, qint64 ts)
{
    AlertEvent e;
    e.type = type;
    e.rule = ruleName;
    e.severity = severity;
    e.kind = AlertRule::Kind::Above;
    e.channel = channel;
    e.field = u"/t"_s;
    e.value = value;
    e.threshold = threshold;
    e.ts = ts;
    return e;
}

QString stateAt(const AlertListModel &m, int row)
{
    return m.data(m.index(row), AlertListModel::StateRole).toString();
}

// A session bus of our own: dbus-daemon with the distribution's session configuration.
class PrivateBus
{
public:
    bool start(const QString &dir)
    {
        m_daemon.setProgram(u"dbus-daemon"_s);
        m_daemon.setArguments({u"--session"_s, u"--nofork"_s, u"--nopidfile"_s,
                               u"--address=unix:path="_s + dir + u"/bus"_s, u"--print-address=1"_s});
        m_daemon.start();
        if (!m_daemon.waitForStarted(5000))
            return false;
        QElapsedTimer t;
        t.start();
        QByteArray out;
        while (!out.contains('\n') && t.elapsed() < 10000) {
            m_daemon.waitForReadyRead(200);
            out += m_daemon.readAllStandardOutput();
        }
        m_address = QString::fromUtf8(out.left(out.indexOf('\n'))).trimmed();
        return !m_address.isEmpty();
    }
    ~PrivateBus()
    {
        m_daemon.kill();
        m_daemon.waitForFinished(5000);
    }
    QString address() const { return m_address; }

private:
    QProcess m_daemon;
    QString m_address;
};

// What a desktop's notification daemon is, as far as a caller sees: it records every call.
class NotificationStandIn : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")
public:
    struct Call
    {
        QString app;
        uint replaces = 0;
        QString summary;
        QString body;
        QVariantMap hints;
        int timeout = 0;
        uint id = 0;
    };
    QList<Call> calls;

public Q_SLOTS:
    uint Notify(const QString &app, uint replaces, const QString &icon, const QString &summary,
                const QString &body, const QStringList &actions, const QVariantMap &hints, int timeout)
    {
        Q_UNUSED(icon);
        Q_UNUSED(actions);
        Call c{app, replaces, summary, body, hints, timeout, replaces ? replaces : ++m_next};
        calls.append(c);
        return c.id;
    }
    QStringList GetCapabilities() { return {u"body"_s}; }
    void CloseNotification(uint) {}
    QString GetServerInformation(QString &vendor, QString &version, QString &spec)
    {
        vendor = u"test"_s;
        version = u"1"_s;
        spec = u"1.2"_s;
        return u"stand-in"_s;
    }

private:
    uint m_next = 40;
};

// The stand-in on a connection of its own to `address`.
bool serveNotifications(const QString &address, const QString &connectionName, NotificationStandIn *standIn)
{
    QDBusConnection bus = QDBusConnection::connectToBus(address, connectionName);
    if (!bus.isConnected())
        return false;
    return bus.registerObject(DesktopNotifier::objectPath(), standIn, QDBusConnection::ExportAllSlots) &&
           bus.registerService(DesktopNotifier::serviceName());
}

// One `pulseboard --control` run against `url`, on the session bus at `busAddress`.
struct Dashboard : ControlledDashboard
{
    void start(const QString &home, const QUrl &url, const QStringList &args, const QString &busAddress)
    {
        ControlledDashboard::start(home, QStringList{u"--no-settings"_s, u"--url"_s, url.toString()} + args,
                                   u"1280x800"_s, [&](QProcessEnvironment &env) {
                                       env.insert(u"DBUS_SESSION_BUS_ADDRESS"_s, busAddress);
                                       env.remove(u"DISPLAY"_s); // no X11 autolaunch of a bus
                                   });
    }
    QJsonObject alerts() { return send(u"snapshot"_s).value(u"alerts"_s).toObject(); }
    // The alerts of the snapshot once `ready` holds for them (or the last after 10 s).
    template <typename Ready> QJsonObject alertsWhen(Ready ready)
    {
        return snapshotWhen(
                   [&](const QJsonObject &snap) { return ready(snap.value(u"alerts"_s).toObject()); }, 10000,
                   50)
            .value(u"alerts"_s)
            .toObject();
    }
};

bool publishAll(ProtocolProbe &pub, const QString &channel, const QList<double> &values)
{
    for (double v : values) {
        bool ok = false;
        pub.waitFor(MessageType::Ack, pub.publish(channel, QJsonObject{{u"t"_s, v}}), &ok);
        if (!ok)
            return false;
    }
    return true;
}

} // namespace

class tst_DashboardAlerts : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void modelRaisesAcknowledgesAndResolves()
    {
        ManualClock clock;
        ScopedClock scoped(clock);
        AlertListModel model;
        model.setRules({rule(u"name=hot severity=critical channel=plant.temp field=/t above=90 clear=85"_s),
                        rule(u"name=warm channel=plant.temp field=/t above=70"_s),
                        rule(u"name=quiet severity=info channel=plant.flow stale=5s"_s)});
        QSignalSpy attention(&model, &AlertListModel::attention);
        QSignalSpy resolved(&model, &AlertListModel::resolved);
        const qint64 t0 = clock.wallMs();
        QCOMPARE(model.bannerText(), QString());
        QCOMPARE(model.topSeverity(), QString());

        model.add(alertEvent(AlertEvent::Type::Raised, u"warm"_s, AlertSeverity::Warning, u"plant.temp"_s, 72,
                             70, t0));
        model.add(alertEvent(AlertEvent::Type::Raised, u"hot"_s, AlertSeverity::Critical, u"plant.temp"_s, 91,
                             90, t0 + 10));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.data(model.index(0), AlertListModel::RuleRole).toString(), u"hot"_s); // newest first
        QCOMPARE(model.activeCount(), 2);
        QCOMPARE(model.unacknowledgedCount(), 2);
        QCOMPARE(model.topSeverity(), u"critical"_s);
        QCOMPARE(model.channelSeverity(u"plant.temp"_s), u"critical"_s);
        QCOMPARE(model.channelSeverity(u"plant.flow"_s), QString());
        QVERIFY2(model.bannerText().startsWith(u"CRITICAL hot: plant.temp /t 91 above 90 since "_s),
                 qPrintable(model.bannerText()));
        QVERIFY2(model.bannerText().endsWith(u"\u00b7 1 more"_s), qPrintable(model.bannerText()));
        QCOMPARE(model.data(model.index(0), AlertListModel::TextRole).toString(),
                 u"hot: plant.temp /t 91 above 90"_s);
        QCOMPARE(attention.size(), 2);

        // Acknowledged with a note: still active, no longer asking.
        clock.advance(1000);
        QVERIFY(model.acknowledge(0, u"  on it: pump 2 restarted  "_s));
        QCOMPARE(stateAt(model, 0), u"acknowledged"_s);
        QCOMPARE(model.data(model.index(0), AlertListModel::NoteRole).toString(),
                 u"on it: pump 2 restarted"_s);
        QCOMPARE(model.data(model.index(0), AlertListModel::AcknowledgedMsRole).toDouble(),
                 double(t0 + 1000));
        QCOMPARE(model.activeCount(), 2);
        QCOMPARE(model.unacknowledgedCount(), 1);
        QCOMPARE(model.topSeverity(), u"warning"_s);
        QVERIFY(model.bannerText().startsWith(u"WARNING warm: "_s));

        // Cleared: resolved with the value that cleared it; a resolved one cannot be acknowledged.
        model.add(alertEvent(AlertEvent::Type::Cleared, u"hot"_s, AlertSeverity::Critical, u"plant.temp"_s,
                             85, 85, t0 + 2000));
        QCOMPARE(stateAt(model, 0), u"resolved"_s);
        QCOMPARE(model.data(model.index(0), AlertListModel::ClearedMsRole).toDouble(), double(t0 + 2000));
        QCOMPARE(model.data(model.index(0), AlertListModel::ClearValueRole).toDouble(), 85.0);
        QCOMPARE(resolved.size(), 1);
        QCOMPARE(resolved.at(0).at(0).value<AlertEvent>().rule, u"hot"_s);
        QVERIFY(!model.acknowledge(0));
        QCOMPARE(model.activeCount(), 1);
        QCOMPARE(model.channelSeverity(u"plant.temp"_s), u"warning"_s);
        // A clearing of a rule with nothing active changes nothing.
        model.add(alertEvent(AlertEvent::Type::Cleared, u"quiet"_s, AlertSeverity::Info, u"plant.flow"_s, 0,
                             5, t0 + 2100));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(resolved.size(), 1);

        QCOMPARE(model.acknowledgeAll(u"shift change"_s), 1);
        QCOMPARE(model.unacknowledgedCount(), 0);
        QCOMPARE(model.bannerText(), QString());

        const QVariantMap summary = model.summary();
        QCOMPARE(summary.value(u"active"_s).toInt(), 1);
        QCOMPARE(summary.value(u"unacknowledged"_s).toInt(), 0);
        const QVariantList list = summary.value(u"list"_s).toList();
        QCOMPARE(list.size(), 2);
        QCOMPARE(list.at(0).toMap().value(u"state"_s).toString(), u"resolved"_s);
        QCOMPARE(list.at(1).toMap().value(u"note"_s).toString(), u"shift change"_s);
    }

    // The alerts of an earlier run, from the local history: listed below this run's, resolved,
    // asking for nothing; one active at the stop is ended there and says so.
    void earlierRunIsListedAndAsksForNothing()
    {
        ManualClock clock;
        ScopedClock scoped(clock);
        AlertListModel model;
        model.setRules({rule(u"name=hot severity=critical channel=plant.temp field=/t above=90 clear=85"_s)});
        const qint64 t0 = clock.wallMs() - 3600000;
        model.add(alertEvent(AlertEvent::Type::Raised, u"hot"_s, AlertSeverity::Critical, u"plant.temp"_s, 96,
                             90, clock.wallMs()));
        QSignalSpy attention(&model, &AlertListModel::attention);
        QSignalSpy logged(&model, &AlertListModel::logged);
        QSignalSpy added(&model, &AlertListModel::eventAdded);
        QList<AlertListModel::PastEvent> past;
        // A run before that one stopped with an alert active.
        past.append({alertEvent(AlertEvent::Type::Raised, u"hot"_s, AlertSeverity::Critical, u"plant.temp"_s,
                                92, 90, t0 - 10000),
                     -1,
                     {}});
        AlertListModel::PastEvent stop;
        stop.runStopped = true;
        stop.event.ts = t0 - 5000;
        past.append(stop);
        past.append({alertEvent(AlertEvent::Type::Raised, u"hot"_s, AlertSeverity::Critical, u"plant.temp"_s,
                                91, 90, t0),
                     -1,
                     {}});
        past.append({alertEvent(AlertEvent::Type::Raised, u"hot"_s, AlertSeverity::Critical, u"plant.temp"_s,
                                0, 0, t0),
                     t0 + 1000, u"pump 2 restarted"_s});
        past.append({alertEvent(AlertEvent::Type::Cleared, u"hot"_s, AlertSeverity::Critical, u"plant.temp"_s,
                                84, 85, t0 + 5000),
                     -1,
                     {}});
        past.append({alertEvent(AlertEvent::Type::Raised, u"hot"_s, AlertSeverity::Critical, u"plant.temp"_s,
                                93, 90, t0 + 9000),
                     -1,
                     {}});
        model.restore(past, t0 + 20000);
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(attention.size(), 0);
        QCOMPARE(logged.size(), 0);
        QCOMPARE(added.size(), 0);        // nothing of it is recorded again
        QCOMPARE(model.activeCount(), 1); // this run's
        QCOMPARE(model.unacknowledgedCount(), 1);
        QCOMPARE(stateAt(model, 0), u"active"_s);
        const QList<AlertListModel::Entry> &e = model.entries();
        QVERIFY(!e[0].earlierRun);
        // Newest first: the one active when that run stopped, then the acknowledged and cleared one.
        QVERIFY(e[1].earlierRun);
        QCOMPARE(e[1].raised.value, 93.0);
        QCOMPARE(e[1].clearedMs, t0 + 20000);
        QVERIFY(std::isnan(e[1].clearValue));
        QCOMPARE(e[1].note, u"the dashboard stopped while it was active"_s);
        QCOMPARE(stateAt(model, 1), u"resolved"_s);
        QVERIFY(e[2].earlierRun);
        QCOMPARE(e[2].raised.value, 91.0);
        QCOMPARE(e[2].clearedMs, t0 + 5000);
        QCOMPARE(e[2].clearValue, 84.0);
        QVERIFY(e[2].acknowledged);
        QCOMPARE(e[2].acknowledgedMs, t0 + 1000);
        QCOMPARE(e[2].note, u"pump 2 restarted"_s);
        QCOMPARE(model.summary().value(u"list"_s).toList().at(2).toMap().value(u"earlierRun"_s).toBool(),
                 true);
        // The oldest ended where its own run stopped, not where the last one did.
        QCOMPARE(e[3].raised.value, 92.0);
        QCOMPARE(e[3].clearedMs, t0 - 5000);
        QCOMPARE(e[3].note, u"the dashboard stopped while it was active"_s);
    }

    void aRuleThatCannotWorkIsShownOnItsCard()
    {
        AlertListModel model;
        model.setRules({rule(u"name=hot channel=plant.temp field=/data/t above=90"_s)});
        QSignalSpy logged(&model, &AlertListModel::logged);
        QSignalSpy rulesChanged(&model, &AlertListModel::rulesChanged);
        QCOMPARE(model.rules().at(0).toMap().value(u"problem"_s).toString(), QString());
        model.noteRuleProblem(u"hot"_s, u"field /data/t is not a number"_s);
        model.noteRuleProblem(u"hot"_s, u"field /data/t is not a number"_s); // said once
        QCOMPARE(model.rules().at(0).toMap().value(u"problem"_s).toString(),
                 u"field /data/t is not a number"_s);
        QCOMPARE(logged.size(), 1);
        QCOMPARE(logged.at(0).at(0).toString(), u"Alert rule hot: field /data/t is not a number"_s);
        QCOMPARE(rulesChanged.size(), 1);
    }

    void storedAlertLinesReadBack()
    {
        AlertEvent e = alertEvent(AlertEvent::Type::Cleared, u"hot"_s, AlertSeverity::Info, u"plant.temp"_s,
                                  84.5, 85, 1796083200000LL);
        e.kind = AlertRule::Kind::RateBelow;
        AlertEvent back;
        QString error;
        QVERIFY2(alertEventFromJson(alertEventJson(e), &back, &error), qPrintable(error));
        QCOMPARE(alertEventJson(back), alertEventJson(e));
        QCOMPARE(back.ts, e.ts);
        QJsonObject bad = alertEventJson(e);
        bad.insert(u"kind"_s, u"sideways"_s);
        QVERIFY(!alertEventFromJson(bad, &back, &error));
        QCOMPARE(error, u"kind 'sideways' is not known"_s);
        bad = alertEventJson(e);
        bad.insert(u"state"_s, u"acknowledged"_s);
        QVERIFY(!alertEventFromJson(bad, &back, &error));
        QCOMPARE(error, u"state 'acknowledged' is neither raised nor cleared"_s);
    }

    void oldestResolvedGoFirstAndAreCounted()
    {
        AlertListModel model;
        model.setRules({rule(u"name=a channel=c field=/t above=1"_s)});
        model.setMaxEntries(3);
        model.add(alertEvent(AlertEvent::Type::Raised, u"keep"_s, AlertSeverity::Warning, u"c"_s, 2, 1, 1));
        for (int i = 0; i < 5; ++i) {
            model.add(
                alertEvent(AlertEvent::Type::Raised, u"a"_s, AlertSeverity::Warning, u"c"_s, 2, 1, 10 + i));
            model.add(
                alertEvent(AlertEvent::Type::Cleared, u"a"_s, AlertSeverity::Warning, u"c"_s, 0, 1, 10 + i));
        }
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.discarded(), 3);
        // The active one, though the oldest, is kept.
        QCOMPARE(model.data(model.index(2), AlertListModel::RuleRole).toString(), u"keep"_s);
        QCOMPARE(stateAt(model, 2), u"active"_s);
        QCOMPARE(model.data(model.index(0), AlertListModel::RaisedMsRole).toDouble(), 14.0);
    }

    void silenceTakesTheAttentionAwayForItsTime()
    {
        ManualClock clock;
        ScopedClock scoped(clock);
        AlertListModel model;
        model.setRules({rule(u"name=hot severity=critical channel=plant.temp field=/t above=90"_s)});
        QSignalSpy attention(&model, &AlertListModel::attention);
        QVERIFY(!model.silence(u"nope"_s, 10));
        QVERIFY(model.silence(u"hot"_s, 15));
        QVERIFY(model.isSilenced(u"hot"_s));
        QCOMPARE(model.rules().at(0).toMap().value(u"silencedUntilMs"_s).toDouble(),
                 double(clock.wallMs() + 15 * 60000));
        model.add(alertEvent(AlertEvent::Type::Raised, u"hot"_s, AlertSeverity::Critical, u"plant.temp"_s, 95,
                             90, clock.wallMs()));
        // Listed, but asking for nobody: no notification, no banner, no count, no tile mark.
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(attention.size(), 0);
        QCOMPARE(model.activeCount(), 1);
        QCOMPARE(model.unacknowledgedCount(), 0);
        QCOMPARE(model.bannerText(), QString());
        QCOMPARE(model.channelSeverity(u"plant.temp"_s), QString());
        QVERIFY(model.data(model.index(0), AlertListModel::SilencedRole).toBool());
        // The silence's time passes: it asks again.
        clock.advance(15 * 60000 + 1);
        QVERIFY(!model.isSilenced(u"hot"_s));
        QCOMPARE(model.unacknowledgedCount(), 1);
        QCOMPARE(model.topSeverity(), u"critical"_s);
        // Silence ended by hand.
        QVERIFY(model.silence(u"hot"_s, 60));
        QCOMPARE(model.unacknowledgedCount(), 0);
        QVERIFY(model.silence(u"hot"_s, 0));
        QVERIFY(!model.isSilenced(u"hot"_s));
        QCOMPARE(model.unacknowledgedCount(), 1);
    }

    // The engine's events through the model: a value through the band raises one, resolves it.
    void engineEventsRaiseOnceResolveOnce()
    {
        ManualClock clock;
        ScopedClock scoped(clock);
        const QList<AlertRule> rules{
            rule(u"name=hot severity=critical channel=plant.temp field=/t above=90 clear=85"_s)};
        AlertEngine engine(rules);
        AlertListModel model;
        model.setRules(rules);
        engine.setHandler([&model](const AlertEvent &e) { model.add(e); });
        engine.start(clock.wallMs());
        engine.connectionChanged(true, clock.wallMs());
        for (double v : {50.0, 91.0, 88.0, 95.0, 86.0, 85.0, 87.0, 89.5}) {
            clock.advance(100);
            engine.sample(u"plant.temp"_s, u"/t"_s, v, clock.wallMs());
        }
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(stateAt(model, 0), u"resolved"_s);
        QCOMPARE(model.data(model.index(0), AlertListModel::ValueRole).toDouble(), 91.0);
        QCOMPARE(model.data(model.index(0), AlertListModel::ClearValueRole).toDouble(), 85.0);
    }

    void notifierReachesTheSessionBus()
    {
        QTemporaryDir dir;
        PrivateBus bus;
        QVERIFY2(bus.start(dir.path()), "dbus-daemon did not start (package dbus-daemon)");
        NotificationStandIn standIn;
        QVERIFY(serveNotifications(bus.address(), u"standin"_s, &standIn));
        DesktopNotifier notifier(QDBusConnection::connectToBus(bus.address(), u"client"_s));
        QSignalSpy shown(&notifier, &DesktopNotifier::shown);
        QSignalSpy unavailable(&notifier, &DesktopNotifier::unavailable);

        const AlertEvent hot = alertEvent(AlertEvent::Type::Raised, u"hot"_s, AlertSeverity::Critical,
                                          u"plant.temp"_s, 91, 90, 1);
        notifier.notify(hot);
        QTRY_COMPARE(shown.size(), 1);
        QCOMPARE(standIn.calls.size(), 1);
        const NotificationStandIn::Call first = standIn.calls.at(0);
        QCOMPARE(first.app, u"Pulseboard"_s);
        QCOMPARE(first.replaces, 0u);
        QCOMPARE(first.summary, u"Pulseboard critical: hot"_s);
        QCOMPARE(first.body, u"CRITICAL hot: plant.temp /t 91 above 90"_s);
        QCOMPARE(first.hints.value(u"urgency"_s).toInt(), 2);
        QCOMPARE(first.timeout, 0); // a critical one stays until dismissed
        QCOMPARE(shown.at(0).at(1).toUInt(), first.id);

        // The same rule again replaces its notification; a warning has normal urgency.
        AlertEvent again = hot;
        again.severity = AlertSeverity::Warning;
        notifier.notify(again);
        QTRY_COMPARE(shown.size(), 2);
        QCOMPARE(standIn.calls.at(1).replaces, first.id);
        QCOMPARE(standIn.calls.at(1).hints.value(u"urgency"_s).toInt(), 1);
        QCOMPARE(standIn.calls.at(1).timeout, -1);

        // Cleared: a quiet notification in its place says so.
        AlertEvent cleared = hot;
        notifier.withdraw(cleared);
        QTRY_COMPARE(standIn.calls.size(), 3);
        QCOMPARE(standIn.calls.at(2).replaces, first.id);
        QCOMPARE(standIn.calls.at(2).summary, u"Pulseboard: hot cleared"_s);
        QCOMPARE(standIn.calls.at(2).hints.value(u"urgency"_s).toInt(), 0);
        QCOMPARE(unavailable.size(), 0);
        QCOMPARE(notifier.delivered(), 2);
        QDBusConnection::disconnectFromBus(u"client"_s);
        QDBusConnection::disconnectFromBus(u"standin"_s);
    }

    void notifierWithoutBusOrServiceSaysSoOnce()
    {
        {
            DesktopNotifier notifier(
                QDBusConnection::connectToBus(u"unix:path=/nonexistent/pulseboard-bus"_s, u"nobus"_s));
            QSignalSpy unavailable(&notifier, &DesktopNotifier::unavailable);
            const AlertEvent e =
                alertEvent(AlertEvent::Type::Raised, u"hot"_s, AlertSeverity::Critical, u"c"_s, 1, 0, 1);
            notifier.notify(e);
            notifier.notify(e);
            QCOMPARE(unavailable.size(), 1);
            QVERIFY2(
                unavailable.at(0).at(0).toString().startsWith(u"desktop notifications off: no session bus"_s),
                qPrintable(unavailable.at(0).at(0).toString()));
            QDBusConnection::disconnectFromBus(u"nobus"_s);
        }
        // A bus with no notification service on it: the call's error, said once.
        QTemporaryDir dir;
        PrivateBus bus;
        QVERIFY(bus.start(dir.path()));
        DesktopNotifier notifier(QDBusConnection::connectToBus(bus.address(), u"noservice"_s));
        QSignalSpy unavailable(&notifier, &DesktopNotifier::unavailable);
        const AlertEvent e =
            alertEvent(AlertEvent::Type::Raised, u"hot"_s, AlertSeverity::Critical, u"c"_s, 1, 0, 1);
        notifier.notify(e);
        notifier.notify(e);
        QTRY_COMPARE(notifier.failed(), 2);
        QCOMPARE(unavailable.size(), 1);
        QVERIFY(unavailable.at(0).at(0).toString().startsWith(u"desktop notifications off: "_s));
        QCOMPARE(notifier.delivered(), 0);
        QDBusConnection::disconnectFromBus(u"noservice"_s);
    }

    // The real dashboard: rules from flags, a scripted feed across the threshold and back.
    void dashboardRaisesShowsAcknowledgesResolvesAndNotifies()
    {
        auto hub = startHub(quietHubOptions());
        QVERIFY(hub);
        QTemporaryDir home;
        PrivateBus bus;
        QVERIFY(bus.start(home.path()));
        NotificationStandIn standIn;
        QVERIFY(serveNotifications(bus.address(), u"standin-e2e"_s, &standIn));

        Dashboard app;
        app.start(home.path(), hub->url(),
                  {u"--alert"_s,
                   u"name=temp-hot severity=critical channel=plant.temp field=/t above=90 clear=85"_s,
                   u"--alert"_s, u"name=temp-cold severity=info channel=plant.temp field=/t below=0"_s},
                  bus.address());
        QVERIFY2(app.process.waitForStarted(5000), qPrintable(app.process.errorString()));
        // The rules' channel is subscribed for them (no chart shows it): the hub has the subscriber.
        QTRY_COMPARE_WITH_TIMEOUT(hub->router().subscriberCount(u"plant.temp"_s), 1, 10000);
        QJsonObject a = app.alerts();
        QCOMPARE(a.value(u"rules"_s).toInt(), 2);
        QCOMPARE(a.value(u"active"_s).toInt(), 0);
        QVERIFY(!app.item(u"alertBanner"_s).value(u"visible"_s).toBool());

        ProtocolProbe pub;
        QVERIFY(pub.open(hub->url()));
        QVERIFY(publishAll(pub, u"plant.temp"_s, {50, 91, 88, 95}));
        a = app.alertsWhen([](const QJsonObject &o) { return o.value(u"active"_s).toInt() == 1; });
        QCOMPARE(a.value(u"active"_s).toInt(), 1);
        QCOMPARE(a.value(u"unacknowledged"_s).toInt(), 1);
        QJsonArray list = a.value(u"list"_s).toArray();
        QCOMPARE(list.size(), 1); // 95 inside the raised state raised nothing more
        QCOMPARE(list.at(0).toObject().value(u"rule"_s).toString(), u"temp-hot"_s);
        QCOMPARE(list.at(0).toObject().value(u"value"_s).toDouble(), 91.0);
        QCOMPARE(list.at(0).toObject().value(u"state"_s).toString(), u"active"_s);
        // The banner says it, the tile is marked, the desktop is told.
        QTRY_VERIFY_WITH_TIMEOUT(app.item(u"alertBanner"_s).value(u"visible"_s).toBool(), 5000);
        const QString bannerText = app.item(u"alertBannerText"_s).value(u"text"_s).toString();
        QVERIFY2(bannerText.startsWith(u"CRITICAL temp-hot: plant.temp /t 91 above 90"_s),
                 qPrintable(bannerText));
        QTRY_COMPARE_WITH_TIMEOUT(standIn.calls.size(), 1, 5000);
        QCOMPARE(standIn.calls.at(0).summary, u"Pulseboard critical: temp-hot"_s);
        QVERIFY(app.alertsWhen([](const QJsonObject &o) {
                       return o.value(u"notifications"_s).toString() ==
                              u"desktop notifications on: 1 shown"_s;
                   })
                    .value(u"notifications"_s) == u"desktop notifications on: 1 shown"_s);

        // Acknowledged from the Alerts panel, with a note.
        QVERIFY(!app.send(u"panel alerts"_s).contains(u"error"_s));
        QTRY_VERIFY_WITH_TIMEOUT(app.item(u"acknowledge:temp-hot"_s).value(u"visible"_s).toBool(), 5000);
        QVERIFY(!app.send(u"click acknowledge:temp-hot"_s).contains(u"error"_s));
        QVERIFY(!app.send(u"text ackNote:temp-hot pump 2 restarted"_s).contains(u"error"_s));
        QVERIFY(!app.send(u"click ackConfirm:temp-hot"_s).contains(u"error"_s));
        a = app.alertsWhen([](const QJsonObject &o) { return o.value(u"unacknowledged"_s).toInt() == 0; });
        list = a.value(u"list"_s).toArray();
        QCOMPARE(list.at(0).toObject().value(u"state"_s).toString(), u"acknowledged"_s);
        QCOMPARE(list.at(0).toObject().value(u"note"_s).toString(), u"pump 2 restarted"_s);
        QTRY_VERIFY_WITH_TIMEOUT(!app.item(u"alertBanner"_s).value(u"visible"_s).toBool(), 5000);

        // Through the band and out: 86 keeps it, 85 clears it; one entry, resolved.
        QVERIFY(publishAll(pub, u"plant.temp"_s, {86, 85, 87}));
        a = app.alertsWhen([](const QJsonObject &o) { return o.value(u"active"_s).toInt() == 0; });
        list = a.value(u"list"_s).toArray();
        QCOMPARE(list.size(), 1);
        QCOMPARE(list.at(0).toObject().value(u"state"_s).toString(), u"resolved"_s);
        QVERIFY(list.at(0).toObject().value(u"clearedMs"_s).toDouble() >=
                list.at(0).toObject().value(u"raisedMs"_s).toDouble());
        QTRY_COMPARE_WITH_TIMEOUT(standIn.calls.size(), 2, 5000);
        QCOMPARE(standIn.calls.at(1).summary, u"Pulseboard: temp-hot cleared"_s);
        QCOMPARE(standIn.calls.at(1).replaces, standIn.calls.at(0).id);

        // Up again: a second entry, a new notification.
        QVERIFY(publishAll(pub, u"plant.temp"_s, {92}));
        a = app.alertsWhen([](const QJsonObject &o) { return o.value(u"active"_s).toInt() == 1; });
        QCOMPARE(a.value(u"list"_s).toArray().size(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(standIn.calls.size(), 3, 5000);
        QVERIFY(app.quit());
        QDBusConnection::disconnectFromBus(u"standin-e2e"_s);
    }

    void ruleOnAFurtherSourceWatchesThatSource()
    {
        // Two hubs with a channel of one name: the rule names lab's ("lab/plant.temp"), so only
        // what lab's hub publishes raises it, and the alert names the channel as the dashboard does.
        auto first = startHub(quietHubOptions());
        auto lab = startHub(quietHubOptions());
        QVERIFY(first && lab);
        QTemporaryDir home;
        Dashboard app;
        app.start(home.path(), first->url(),
                  {u"--source"_s, u"lab="_s + lab->url().toString(), u"--alert"_s,
                   u"name=lab-hot severity=critical channel=lab/plant.temp field=/t above=90"_s, u"--alert"_s,
                   u"name=lab-down source=lab source-down=300ms"_s, u"--alert"_s,
                   u"name=first-down source-down=300ms"_s},
                  u"unix:path=/nonexistent/pulseboard-bus"_s);
        QVERIFY(app.process.waitForStarted(5000));
        // Subscribed on lab for the rule, not on the first.
        QTRY_COMPARE_WITH_TIMEOUT(lab->router().subscriberCount(u"plant.temp"_s), 1, 10000);
        QCOMPARE(first->router().subscriberCount(u"plant.temp"_s), 0);
        ProtocolProbe onFirst;
        QVERIFY(onFirst.open(first->url()));
        QVERIFY(publishAll(onFirst, u"plant.temp"_s, {95}));
        ProtocolProbe onLab;
        QVERIFY(onLab.open(lab->url()));
        QVERIFY(publishAll(onLab, u"plant.temp"_s, {50, 96}));
        const QJsonObject a =
            app.alertsWhen([](const QJsonObject &o) { return o.value(u"active"_s).toInt() == 1; });
        QCOMPARE(a.value(u"active"_s).toInt(), 1);
        const QJsonArray list = a.value(u"list"_s).toArray();
        QCOMPARE(list.size(), 1);
        QCOMPARE(list.at(0).toObject().value(u"rule"_s).toString(), u"lab-hot"_s);
        QCOMPARE(list.at(0).toObject().value(u"channel"_s).toString(), u"lab/plant.temp"_s);
        QCOMPARE(list.at(0).toObject().value(u"value"_s).toDouble(), 96.0);
        // Back under on lab: resolved.
        QVERIFY(publishAll(onLab, u"plant.temp"_s, {80}));
        const QJsonObject after =
            app.alertsWhen([](const QJsonObject &o) { return o.value(u"active"_s).toInt() == 0; });
        QCOMPARE(after.value(u"list"_s).toArray().at(0).toObject().value(u"state"_s).toString(),
                 u"resolved"_s);

        // Lab's hub goes away: lab's source-down rule raises, naming lab; the first's does not.
        lab.reset();
        const QJsonObject down =
            app.alertsWhen([](const QJsonObject &o) { return o.value(u"active"_s).toInt() == 1; });
        QCOMPARE(down.value(u"active"_s).toInt(), 1);
        QJsonObject labDown;
        for (const QJsonValue &v : down.value(u"list"_s).toArray()) {
            QVERIFY(v.toObject().value(u"rule"_s).toString() != u"first-down"_s);
            if (v.toObject().value(u"rule"_s).toString() == u"lab-down"_s)
                labDown = v.toObject();
        }
        QCOMPARE(labDown.value(u"state"_s).toString(), u"active"_s);
        QCOMPARE(labDown.value(u"source"_s).toString(), u"lab"_s);
        QTRY_VERIFY_WITH_TIMEOUT(app.item(u"alertBannerText"_s)
                                     .value(u"text"_s)
                                     .toString()
                                     .contains(u"lab-down: lab not live for"_s),
                                 5000);
        QVERIFY(app.quit());
    }

    void dashboardWithoutABusRunsAndSaysNotificationsAreOff()
    {
        auto hub = startHub(quietHubOptions());
        QVERIFY(hub);
        QTemporaryDir home;
        Dashboard app;
        app.start(home.path(), hub->url(),
                  {u"--alert"_s, u"name=temp-hot severity=critical channel=plant.temp field=/t above=90"_s},
                  u"unix:path=/nonexistent/pulseboard-bus"_s);
        QVERIFY(app.process.waitForStarted(5000));
        // The rules' channel is subscribed for them (no chart shows it): the hub has the subscriber.
        QTRY_COMPARE_WITH_TIMEOUT(hub->router().subscriberCount(u"plant.temp"_s), 1, 10000);
        ProtocolProbe pub;
        QVERIFY(pub.open(hub->url()));
        QVERIFY(publishAll(pub, u"plant.temp"_s, {95}));
        const QJsonObject a = app.alertsWhen([](const QJsonObject &o) {
            return o.value(u"active"_s).toInt() == 1 &&
                   o.value(u"notifications"_s).toString().startsWith(u"desktop notifications off"_s);
        });
        QCOMPARE(a.value(u"active"_s).toInt(), 1);
        QVERIFY2(
            a.value(u"notifications"_s).toString().startsWith(u"desktop notifications off: no session bus"_s),
            qPrintable(a.value(u"notifications"_s).toString()));
        QVERIFY(app.item(u"alertBanner"_s).value(u"visible"_s).toBool());
        QVERIFY(app.quit());
    }
};

QTEST_GUILESS_MAIN(tst_DashboardAlerts)
#include "tst_dashboardalerts.moc"
