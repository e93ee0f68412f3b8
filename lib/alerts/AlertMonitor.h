// AlertMonitor: an AlertEngine fed from a ConnectionManager. It is one of the manager's message
// sinks (payloads as JsonViews, nothing built), follows its state (open = live) and its gaps,
// and on a timer (every tickIntervalMs, 100 by default) reports the outbox's oldest entry and
// ticks the engine. Times are Clock::current().wallMs(). pulseboard-cli uses it for --alert.
#pragma once

#include "AlertEngine.h"

#include "client/ConnectionManager.h"
#include "client/MessageSink.h"

#include <QObject>
#include <QTimer>

namespace Pulseboard {

class AlertMonitor : public QObject, private MessageSink
{
    Q_OBJECT
public:
    // `manager` must outlive the monitor. The rules must have distinct names (checkAlertRules).
    // It becomes the manager's last message sink: sinks added before it see each message first
    // (the CLI's session writes the `message` line, then the monitor's `alert` line follows).
    AlertMonitor(ConnectionManager *manager, const QList<AlertRule> &rules, QObject *parent = nullptr);
    ~AlertMonitor() override;

    void setTickIntervalMs(int ms) { m_timer.setInterval(ms); }
    // Starts counting silence and downtime from now, and the tick.
    void start();
    // No more evaluation and no more events.
    void stop();

    const AlertEngine &engine() const { return m_engine; }

Q_SIGNALS:
    void alert(const Pulseboard::AlertEvent &event);
    // A rule that cannot work as written (AlertEngine::setProblemHandler), once per rule.
    void problem(const QString &rule, const QString &words);

private:
    // MessageSink
    void deliver(const QString &channel, qint64 seq, qint64 ts, const JsonView &data) override;
    void onTick();

    ConnectionManager *m_manager;
    AlertEngine m_engine;
    QTimer m_timer;
    bool m_running = false;
};

} // namespace Pulseboard
