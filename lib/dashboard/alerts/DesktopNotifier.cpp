#include "DesktopNotifier.h"

#include "AlertListModel.h"

#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QVariantMap>

namespace Pulseboard {

DesktopNotifier::DesktopNotifier(const QDBusConnection &connection, QObject *parent)
    : QObject(parent), m_bus(connection)
{
}

void DesktopNotifier::giveUp(const QString &why)
{
    if (m_saidUnavailable)
        return;
    m_saidUnavailable = true;
    Q_EMIT unavailable(why);
}

void DesktopNotifier::notify(const AlertEvent &event)
{
    if (!m_bus.isConnected()) {
        giveUp(QStringLiteral("desktop notifications off: no session bus (%1)")
                   .arg(m_bus.lastError().message().isEmpty() ? QStringLiteral("not connected")
                                                              : m_bus.lastError().message()));
        return;
    }
    // The freedesktop urgency hint: 0 low, 1 normal, 2 critical (critical ones stay until dismissed).
    const uchar urgency = event.severity == AlertSeverity::Critical  ? 2
                          : event.severity == AlertSeverity::Warning ? 1
                                                                     : 0;
    QDBusMessage call = QDBusMessage::createMethodCall(serviceName(), objectPath(), interfaceName(),
                                                       QStringLiteral("Notify"));
    const QString summary =
        QStringLiteral("Pulseboard %1: %2").arg(alertSeverityName(event.severity), event.rule);
    QVariantMap hints;
    hints.insert(QStringLiteral("urgency"), QVariant::fromValue(urgency));
    hints.insert(QStringLiteral("category"), QStringLiteral("device"));
    hints.insert(QStringLiteral("desktop-entry"), QStringLiteral("pulseboard"));
    call << QStringLiteral("Pulseboard") << m_ids.value(event.rule, 0u) << QString() << summary
         << AlertListModel::describe(event) << QStringList() << hints
         << int(event.severity == AlertSeverity::Critical ? 0 : -1);
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call), this);
    const QString rule = event.rule;
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, rule](QDBusPendingCallWatcher *w) {
        w->deleteLater();
        QDBusPendingReply<uint> reply = *w;
        if (reply.isError()) {
            ++m_failed;
            giveUp(QStringLiteral("desktop notifications off: %1").arg(reply.error().message()));
            return;
        }
        ++m_delivered;
        m_ids.insert(rule, reply.value());
        Q_EMIT shown(rule, reply.value());
    });
}

void DesktopNotifier::withdraw(const AlertEvent &event)
{
    // The rule's notification (if the service still shows it) is replaced by a quiet one saying
    // it cleared: taking it away would hide from someone who was not looking that it happened.
    const uint id = m_ids.take(event.rule);
    if (id == 0 || !m_bus.isConnected())
        return;
    QDBusMessage call = QDBusMessage::createMethodCall(serviceName(), objectPath(), interfaceName(),
                                                       QStringLiteral("Notify"));
    QVariantMap hints;
    hints.insert(QStringLiteral("urgency"), QVariant::fromValue(uchar(0)));
    hints.insert(QStringLiteral("desktop-entry"), QStringLiteral("pulseboard"));
    call << QStringLiteral("Pulseboard") << id << QString()
         << QStringLiteral("Pulseboard: %1 cleared").arg(event.rule) << AlertListModel::describe(event)
         << QStringList() << hints << int(-1);
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, watcher, &QObject::deleteLater);
}

} // namespace Pulseboard
