#include "EmbeddedHub.h"

#include <QTimer>

namespace Pulseboard {

EmbeddedHub::EmbeddedHub(const HubOptions &options, QObject *parent) : QObject(parent), m_options(options)
{
    // Any web page the user opens can point a WebSocket at 127.0.0.1: the browser sends that
    // page's Origin, and the hub refuses it unless it is this machine's own (1008).
    if (m_options.allowedOrigins.isEmpty())
        m_options.allowedOrigins = loopbackOrigins();
}

QStringList EmbeddedHub::loopbackOrigins()
{
    return {QStringLiteral("http://127.0.0.1:*"),  QStringLiteral("http://localhost:*"),
            QStringLiteral("http://[::1]:*"),      QStringLiteral("https://127.0.0.1:*"),
            QStringLiteral("https://localhost:*"), QStringLiteral("https://[::1]:*")};
}

EmbeddedHub::~EmbeddedHub() = default;

bool EmbeddedHub::start(QString *error)
{
    if (m_hub)
        return true;
    auto hub = std::make_unique<HubServer>(m_options);
    if (!hub->start(error))
        return false;
    m_hub = std::move(hub);
    Q_EMIT runningChanged(true);
    return true;
}

void EmbeddedHub::stop()
{
    if (!m_hub)
        return;
    HubServer *old = m_hub.release();
    connect(old, &HubServer::stopped, old, &QObject::deleteLater);
    QTimer::singleShot(old->options().shutdownTimeoutMs + 1000, old, &QObject::deleteLater);
    old->shutdown();
    Q_EMIT runningChanged(false);
}

void EmbeddedHub::shutdown()
{
    if (m_hub)
        m_hub->shutdown();
}

} // namespace Pulseboard
