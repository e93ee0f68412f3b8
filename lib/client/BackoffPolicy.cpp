#include "BackoffPolicy.h"

#include <algorithm>
#include <cmath>

namespace Pulseboard {

int BackoffPolicy::baseDelayMs(int attempt) const
{
    const int cap = std::max(0, maxMs);
    const double initial = std::max(0, initialMs);
    const double factor = std::max(1.0, multiplier);
    const double exponent = std::max(0, attempt - 1);
    // pow overflows to inf for large attempts; the cap absorbs it.
    const double raw = initial * std::pow(factor, exponent);
    if (!std::isfinite(raw) || raw >= cap)
        return cap;
    return int(raw);
}

int BackoffPolicy::delayMs(int attempt, QRandomGenerator &rng) const
{
    const int base = baseDelayMs(attempt);
    switch (jitter) {
    case Jitter::None:
        return base;
    case Jitter::Full:
        return int(rng.bounded(quint32(base) + 1));
    case Jitter::Equal: {
        const int half = base / 2;
        return half + int(rng.bounded(quint32(base - half) + 1));
    }
    }
    return base;
}

} // namespace Pulseboard
