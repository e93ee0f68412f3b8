#include "RateLimiter.h"

#include <algorithm>

namespace Pulseboard {

RateLimiter::RateLimiter(double ratePerSec, double burst, qint64 nowMs)
    : m_rate(std::max(0.0, ratePerSec)), m_burst(std::max(1.0, burst)), m_tokens(m_burst), m_lastMs(nowMs)
{
}

void RateLimiter::refill(qint64 nowMs)
{
    if (nowMs > m_lastMs) {
        m_tokens = std::min(m_burst, m_tokens + double(nowMs - m_lastMs) * m_rate / 1000.0);
        m_lastMs = nowMs;
    }
}

double RateLimiter::available(qint64 nowMs)
{
    refill(nowMs);
    return m_tokens;
}

bool RateLimiter::tryTake(qint64 nowMs)
{
    if (!isEnabled())
        return true;
    refill(nowMs);
    if (m_tokens < 1.0)
        return false;
    m_tokens -= 1.0;
    return true;
}

} // namespace Pulseboard
