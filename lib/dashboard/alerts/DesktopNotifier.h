// DesktopNotifier: an alert that asks for attention becomes a desktop notification, through the
// freedesktop notification service (org.freedesktop.Notifications on the session bus, over
// QtDBus). Calls are asynchronous: the GUI thread never waits on the bus. One notification per
// rule: a rule raising again replaces its notification, and a cleared alert replaces it with a
// quiet "cleared" one.
// Without a session bus, or without a notification service on it, it does nothing and says so
// once (unavailable()), and the dashboard runs as before.
#pragma once

#include "alerts/AlertEngine.h"

#include <QDBusConnection>
#include <QHash>
#include <QObject>

namespace Pulseboard {

class DesktopNotifier : public QObject
{
    Q_OBJECT
public:
    // `connection` is the bus to use (the session bus by default; a test names another).
    explicit DesktopNotifier(const QDBusConnection &connection = QDBusConnection::sessionBus(),
                             QObject *parent = nullptr);

    static QString serviceName() { return QStringLiteral("org.freedesktop.Notifications"); }
    static QString objectPath() { return QStringLiteral("/org/freedesktop/Notifications"); }
    static QString interfaceName() { return serviceName(); }

    // How many Notify calls the service answered, and how many failed.
    int delivered() const { return m_delivered; }
    int failed() const { return m_failed; }

public Q_SLOTS:
    void notify(const Pulseboard::AlertEvent &event);
    void withdraw(const Pulseboard::AlertEvent &event);

Q_SIGNALS:
    // Said once: no session bus, no service, or its first error.
    void unavailable(const QString &why);
    // A Notify call was answered with this id.
    void shown(const QString &rule, uint id);

private:
    void giveUp(const QString &why);

    QDBusConnection m_bus;
    QHash<QString, uint> m_ids; // rule -> the service's notification id
    bool m_saidUnavailable = false;
    int m_delivered = 0;
    int m_failed = 0;
};

} // namespace Pulseboard
