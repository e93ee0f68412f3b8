// DashboardSource: one more live source of a dashboard, beside the first (the connection the
// Console, the Health panel and the server switcher work with). Each source is a connection of its
// own: a ConnectionManager with its own dialect, token source, outbox journal, heartbeat and
// backoff, on a network thread of its own, so one source failing, refusing a token or flooding
// never stalls another. Its messages land in the dashboard's SeriesStore through a MessageIngest of
// its own whose channels carry the source's name ("plant/temp"): two sources' channels of one
// name stay apart wherever a name is shown or written. The GUI side sees it through a
// ConnectionMirror and a ConnectionStatus, as it sees the first.
#pragma once

#include "MessageIngest.h"
#include "client/ConnectionOptions.h"

#include <QObject>
#include <QStringList>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

#include <functional>
#include <memory>

class QThread;

namespace Pulseboard {

class AlertListModel;
class AlertMonitor;
struct AlertRule;
class ConnectionManager;
class ConnectionMirror;
class ConnectionStatus;
class HealthHistory;
class OutboxModel;
class SeriesStore;

struct SourceSpec
{
    QString name; // DashboardConfig::checkSourceName; unique in the dashboard
    ConnectionOptions connection;
    QStringList channels; // the source's own names (no prefix), subscribed at start
    QString tokenFile;    // where connection.tokenSource reads (written back by an export)
};

class DashboardSource : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("DashboardSource is made by the dashboard")
    Q_PROPERTY(QString name READ name CONSTANT)
    Q_PROPERTY(Pulseboard::ConnectionMirror *connection READ connection CONSTANT)
    Q_PROPERTY(Pulseboard::ConnectionStatus *status READ status CONSTANT)
    // What the Console publishes and requests on this source, and the fate of each.
    Q_PROPERTY(Pulseboard::OutboxModel *outbox READ outbox CONSTANT)
    // Its RTT, rates, outbox depth and reconnects over time, for the Health panel.
    Q_PROPERTY(Pulseboard::HealthHistory *health READ health CONSTANT)
    // Messages a second over the last second (live ones; a backfill is not traffic).
    Q_PROPERTY(double rate READ rate NOTIFY rateChanged)

public:
    // `store` and `wake` as MessageIngest takes them. With `thread` the connection runs on a
    // thread of its own (tests may keep it on the caller's). Its health is sampled every
    // `healthIntervalMs`.
    DashboardSource(const SourceSpec &spec, SeriesStore *store, std::function<void()> wake, bool thread,
                    int healthIntervalMs = 1000, QObject *parent = nullptr);
    ~DashboardSource() override;

    QString name() const { return m_spec.name; }
    // "name/": what its channels are prefixed with.
    QString prefix() const { return m_spec.name + u'/'; }
    const SourceSpec &spec() const { return m_spec; }
    ConnectionMirror *connection() const { return m_mirror.get(); }
    ConnectionStatus *status() const { return m_status; }
    OutboxModel *outbox() const { return m_outbox; }
    HealthHistory *health() const { return m_health; }
    MessageIngest *ingest() const { return m_ingest.get(); }
    double rate() const { return m_rate; }
    // Whether `channel` (a dashboard name) is one of this source's, and its name on the wire.
    bool owns(const QString &channel) const { return channel.startsWith(prefix()); }
    QString wireName(const QString &channel) const { return channel.mid(m_spec.name.size() + 1); }
    // The subscriptions as the dashboard names them ("name/channel").
    QStringList channels() const;

    // Subscribes the spec's channels and connects.
    void open();
    // Goodbye (1000) to the server, written on the connection's thread.
    void close();
    // Evaluates `rules` (their channels as this source names them, without its prefix) on the
    // connection's thread, as the first source's rules are; what they raise and clear goes to
    // `alerts` with the channel as the dashboard names it ("name/channel"). Once.
    void watchAlerts(const QList<AlertRule> &rules, AlertListModel *alerts);
    // The monitor of any source's rules (the first's too), made and started on `manager`'s
    // thread: its events reach `alerts` queued, their channels given `channelPrefix`.
    static AlertMonitor *startAlertMonitor(ConnectionManager *manager, const QList<AlertRule> &rules,
                                           AlertListModel *alerts, const QString &channelPrefix);
    // What --print-state and the control snapshot say of it.
    QVariantMap snapshot() const;
    // The same of any source's connection (the first's too): name, state, live, headline, banner,
    // url (no user, no query), protocol, capabilities, channels (as the dashboard names them),
    // channelCount, outbox, messages, rttMs.
    static QVariantMap describe(const QString &name, const ConnectionMirror &connection,
                                const ConnectionStatus &status, const QStringList &channels);

Q_SIGNALS:
    void rateChanged();

private:
    SourceSpec m_spec;
    std::unique_ptr<QThread> m_thread;
    ConnectionManager *m_manager = nullptr; // lives (and is deleted) on m_thread when there is one
    AlertMonitor *m_monitor = nullptr;      // beside it, on its thread; goes before it
    std::unique_ptr<ConnectionMirror> m_mirror;
    ConnectionStatus *m_status;
    OutboxModel *m_outbox;
    HealthHistory *m_health;
    std::unique_ptr<MessageIngest> m_ingest;
    QTimer m_rateTimer;
    quint64 m_lastMessages = 0;
    double m_rate = 0;
};

} // namespace Pulseboard
