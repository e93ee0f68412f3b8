#include "RateMeter.h"

#include <cmath>

namespace Pulseboard {

void RateMeter::advance(qint64 second) const
{
    if (m_second < 0 || second - m_second > kWindowSeconds) {
        m_buckets.fill(0);
    } else {
        for (qint64 s = m_second + 1; s <= second; ++s)
            m_buckets[size_t(s % (kWindowSeconds + 1))] = 0;
    }
    if (second > m_second)
        m_second = second;
}

void RateMeter::add(qint64 nowMs, int count)
{
    const qint64 second = nowMs / 1000;
    if (m_firstMs < 0)
        m_firstMs = nowMs;
    advance(second);
    if (second > m_second - kWindowSeconds - 1) // late events older than the window are ignored
        m_buckets[size_t(second % (kWindowSeconds + 1))] += count;
}

double RateMeter::rate(qint64 nowMs) const
{
    if (m_firstMs < 0)
        return 0;
    advance(nowMs / 1000);
    int total = 0;
    for (int c : m_buckets)
        total += c;
    // The window is the last kWindowSeconds whole seconds plus the part of the current one;
    // a meter younger than that divides by its own age so the first second is not under-read.
    const double windowMs = kWindowSeconds * 1000.0 + double(nowMs % 1000);
    const double span = qMax(1000.0, qMin(windowMs, double(nowMs - m_firstMs)));
    return total * 1000.0 / span;
}

void RateMeter::clear()
{
    m_buckets.fill(0);
    m_second = -1;
    m_firstMs = -1;
}

bool isStale(qint64 ageMs, double ratePerSecond, qint64 minimumMs, bool connectionLive)
{
    if (!connectionLive)
        return true;
    if (ageMs < 0)
        return false;
    const double usual = ratePerSecond > 0 ? 1000.0 / ratePerSecond : 0;
    return double(ageMs) > qMax(double(minimumMs), 3 * usual);
}

} // namespace Pulseboard
