// Turns SIGINT and SIGTERM into a Qt signal delivered on the event loop (self-pipe), so mains
// can shut down gracefully: close frames out, stats printed, journals flushed.
#pragma once

#include <QObject>

class QSocketNotifier;

namespace Pulseboard {

class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signalNumber);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace Pulseboard
