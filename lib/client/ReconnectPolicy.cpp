#include "ReconnectPolicy.h"

#include "protocol/CloseCode.h"

namespace Pulseboard {

void ReconnectPolicy::restart()
{
    m_userClosed = false;
    m_failedOnAuth = false;
    m_attempt = 0;
}

void ReconnectPolicy::opened()
{
    m_everOpenOnThisEndpoint = true;
    m_attempt = 0;
}

void ReconnectPolicy::resetEndpoints()
{
    m_endpointIndex = 0;
    m_everOpenOnThisEndpoint = false;
}

void ReconnectPolicy::clampEndpoint()
{
    if (m_endpointIndex >= m_options.endpoints.size())
        m_endpointIndex = 0;
}

ReconnectPolicy::Decision ReconnectPolicy::connectionEnded(int closeCode, const QString &reason,
                                                           QRandomGenerator &rng)
{
    Decision d;
    CloseReaction reaction = reactionToClose(closeCode);
    // An expired token is renewed from a token source (file, command, provider), at once; a
    // static token cannot be, and trying again would only repeat the refusal.
    const bool expired = closeCode == CloseCode::Unauthorized && reason == QLatin1StringView("token expired");
    if (expired) {
        if (!m_options.tokenSource && !m_options.tokenProvider) {
            m_failedOnAuth = true;
            d.failure = QStringLiteral("token expired (close %1): the token is static; give a new one, or a "
                                       "token file or command that renews it")
                            .arg(closeCode);
            return d;
        }
        reaction = CloseReaction::ReconnectBackoff;
    }
    if (reaction == CloseReaction::Fail) {
        if (closeCode == CloseCode::Unauthorized)
            m_failedOnAuth = true;
        d.failure = QStringLiteral("%1 (close %2)")
                        .arg(reason.isEmpty() ? describeCloseCode(closeCode) : reason)
                        .arg(closeCode);
        return d;
    }
    if (m_options.maxRetries > 0 && m_attempt >= m_options.maxRetries) {
        d.failure =
            QStringLiteral("gave up after %1 attempts; last error: %2").arg(m_options.maxRetries).arg(reason);
        return d;
    }
    d.retry = true;
    ++m_attempt;
    // A session that worked is tried again where it was; an endpoint that failed, or is going
    // away, hands over to the next one.
    const int endpoints = int(m_options.endpoints.size());
    if (endpoints > 1 && (reaction == CloseReaction::ReconnectNextNow || !m_everOpenOnThisEndpoint)) {
        m_endpointIndex = (m_endpointIndex + 1) % endpoints;
        d.endpointChanged = true;
    }
    m_everOpenOnThisEndpoint = false;

    d.delayMs = m_options.backoff.delayMs(m_attempt, rng);
    if ((reaction == CloseReaction::ReconnectNextNow || expired) && m_attempt == 1)
        d.delayMs = 0;
    else if (reaction == CloseReaction::ReconnectSlow)
        d.delayMs = qMax(d.delayMs, m_options.rateLimitMinDelayMs);
    return d;
}

} // namespace Pulseboard
