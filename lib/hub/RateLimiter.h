// Token bucket for one connection: `ratePerSec` frames a second on average, bursts up to
// `burst`. Time is passed in, so tests drive it without sleeping.
#pragma once

#include <QtGlobal>

namespace Pulseboard {

class RateLimiter
{
public:
    RateLimiter(double ratePerSec, double burst, qint64 nowMs);

    bool isEnabled() const { return m_rate > 0; }
    // Takes one token; false when the bucket is empty (the frame is over the limit).
    bool tryTake(qint64 nowMs);
    double available(qint64 nowMs);

private:
    void refill(qint64 nowMs);

    double m_rate;
    double m_burst;
    double m_tokens;
    qint64 m_lastMs;
};

} // namespace Pulseboard
