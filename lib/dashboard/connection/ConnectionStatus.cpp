#include "ConnectionStatus.h"

#include "dashboard/connection/ConnectionMirror.h"
#include "protocol/Clock.h"
#include "protocol/CloseCode.h"

namespace Pulseboard {

QString formatDuration(qint64 ms)
{
    if (ms < 0)
        ms = 0;
    const qint64 s = ms / 1000;
    if (s < 60)
        return QStringLiteral("%1 s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    if (s < 86400)
        return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 d %2 h").arg(s / 86400).arg((s % 86400) / 3600);
}

StatusText describe(const StatusInput &in)
{
    using S = ConnectionManager;
    StatusText t;
    const QString attempt = in.maxRetries > 0
                                ? QStringLiteral("attempt %1 of %2").arg(in.attempt).arg(in.maxRetries)
                                : QStringLiteral("attempt %1").arg(in.attempt);
    const QString lost =
        in.lostAtMs > 0 ? QStringLiteral("Connection lost %1 ago").arg(formatDuration(in.nowMs - in.lostAtMs))
                        : QStringLiteral("Could not connect to %1").arg(in.endpoint);
    const QString cause = in.errorString.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(in.errorString);
    switch (in.state) {
    case S::Open:
        t.headline = QStringLiteral("Connected");
        t.severity = QStringLiteral("ok");
        break;
    case S::Idle:
        t.headline = QStringLiteral("Not connected");
        t.banner = QStringLiteral("Not connected.");
        t.severity = QStringLiteral("idle");
        break;
    case S::Closed:
        t.headline = QStringLiteral("Disconnected");
        t.banner = QStringLiteral("Disconnected on request. Nothing on screen is live.");
        t.severity = QStringLiteral("idle");
        break;
    case S::Connecting:
    case S::Authenticating: {
        const QString step =
            in.state == S::Connecting
                ? QStringLiteral("Connecting to %1").arg(in.endpoint)
                : QStringLiteral("Connected to %1, signing in and subscribing").arg(in.endpoint);
        t.headline = in.state == S::Connecting ? QStringLiteral("Connecting") : QStringLiteral("Signing in");
        t.severity = QStringLiteral("warn");
        if (in.attempt > 0)
            t.banner = QStringLiteral("%1%2. %3 (%4)\u2026").arg(lost, cause, step, attempt);
        else
            t.banner = step + QStringLiteral("\u2026");
        break;
    }
    case S::Reconnecting: {
        t.headline = QStringLiteral("Reconnecting");
        t.severity = QStringLiteral("warn");
        const qint64 left = in.retryAtMs - in.nowMs;
        const QString when = left > 0 ? QStringLiteral("Reconnecting in %1 s").arg((left + 999) / 1000)
                                      : QStringLiteral("Reconnecting now");
        t.banner = QStringLiteral("%1%2. %3 (%4).").arg(lost, cause, when, attempt);
        break;
    }
    case S::Failed:
        t.headline = QStringLiteral("Failed");
        t.severity = QStringLiteral("error");
        if (in.failedOnToken)
            t.banner = QStringLiteral(
                "Server refused the token. Set a valid token (--token or PULSEBOARD_TOKEN) and retry.");
        else if (in.lastCloseCode == CloseCode::Policy)
            t.banner =
                QStringLiteral("Server refused this client by policy%1. Not retrying on its own.").arg(cause);
        else
            t.banner = QStringLiteral("%1. Press Retry now to start again.")
                           .arg(ConnectionStatus::gaveUpWords(in.errorString));
        break;
    }
    return t;
}

QString ConnectionStatus::gaveUpWords(const QString &error)
{
    // The reconnect policy's own words may already say it ("gave up after 2 attempts; ..."):
    // say it once.
    static const QString gaveUp = QStringLiteral("gave up");
    if (error.startsWith(gaveUp, Qt::CaseInsensitive))
        return QStringLiteral("Gave up") + error.mid(gaveUp.size());
    return error.isEmpty() ? QStringLiteral("Gave up") : QStringLiteral("Gave up: ") + error;
}

ConnectionStatus::ConnectionStatus(QObject *parent) : QObject(parent)
{
    m_timer.setInterval(250);
    connect(&m_timer, &QTimer::timeout, this, &ConnectionStatus::update);
}

void ConnectionStatus::attach(ConnectionMirror *manager)
{
    m_manager = manager;
    m_previousState = manager->state();
    connect(manager, &ConnectionMirror::stateChanged, this, [this](ConnectionManager::State state) {
        const qint64 now = Clock::current().wallMs();
        if (m_previousState == ConnectionManager::Open && state != ConnectionManager::Open)
            m_lostAtMs = now;
        if (state == ConnectionManager::Open)
            m_lostAtMs = 0;
        m_previousState = state;
        update();
    });
    connect(manager, &ConnectionMirror::retryInMsChanged, this, &ConnectionStatus::update);
    connect(manager, &ConnectionMirror::errorStringChanged, this, &ConnectionStatus::update);
    connect(manager, &ConnectionMirror::urlChanged, this, &ConnectionStatus::update);
    m_timer.start();
    update();
}

void ConnectionStatus::update()
{
    if (!m_manager)
        return;
    const ConnectionMirror &m = *m_manager;
    StatusInput in;
    in.state = m.state();
    in.nowMs = Clock::current().wallMs();
    in.lostAtMs = m_lostAtMs;
    in.stateSinceMs = m.lastChangeMs();
    in.retryAtMs = m.retryAtMs();
    in.attempt = m.attempt();
    in.maxRetries = m.maxRetries();
    in.lastCloseCode = m.lastCloseCode();
    in.errorString = m.errorString();
    in.failedOnToken = m.state() == ConnectionManager::Failed &&
                       (m.lastCloseCode() == CloseCode::Unauthorized ||
                        m.errorString().startsWith(QLatin1StringView("server refused the token")));
    in.endpoint = m.url().toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery);
    const StatusText text = describe(in);
    const QString uptime =
        m.state() == ConnectionManager::Open ? formatDuration(in.nowMs - m.openSinceMs()) : QString();
    const bool live = m.state() == ConnectionManager::Open;
    const bool canRetry = m.state() == ConnectionManager::Reconnecting ||
                          m.state() == ConnectionManager::Failed || m.state() == ConnectionManager::Closed ||
                          m.state() == ConnectionManager::Idle;
    if (text.headline == m_text.headline && text.banner == m_text.banner &&
        text.severity == m_text.severity && uptime == m_uptime && in.endpoint == m_endpoint &&
        live == m_live && canRetry == m_canRetry && in.failedOnToken == m_tokenRefused)
        return;
    const StatusText before = m_text;
    const bool uptimeMoved = uptime != m_uptime;
    const bool endpointMoved = in.endpoint != m_endpoint;
    const bool liveMoved = live != m_live;
    const bool canRetryMoved = canRetry != m_canRetry;
    const bool tokenRefusedMoved = in.failedOnToken != m_tokenRefused;
    m_text = text;
    m_uptime = uptime;
    m_endpoint = in.endpoint;
    m_live = live;
    m_canRetry = canRetry;
    m_tokenRefused = in.failedOnToken;
    // Every value is stored before the first signal, so a handler reads a consistent state.
    if (text.headline != before.headline)
        Q_EMIT headlineChanged();
    if (text.banner != before.banner)
        Q_EMIT bannerChanged();
    if (text.severity != before.severity)
        Q_EMIT severityChanged();
    if (endpointMoved)
        Q_EMIT endpointChanged();
    if (uptimeMoved)
        Q_EMIT uptimeChanged();
    if (liveMoved)
        Q_EMIT liveChanged();
    if (canRetryMoved)
        Q_EMIT canRetryChanged();
    if (tokenRefusedMoved)
        Q_EMIT tokenRefusedChanged();
    Q_EMIT changed();
}

} // namespace Pulseboard
