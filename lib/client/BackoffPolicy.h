// The reconnect delay as a pure function of the attempt number and a random source:
// exponential, capped, jittered so that many clients cut at the same moment spread their
// returns instead of hammering a recovering server together.
#pragma once

#include <QRandomGenerator>

namespace Pulseboard {

struct BackoffPolicy
{
    enum class Jitter {
        None,  // base delay exactly (tests and diagnostics only)
        Full,  // uniform in [0, base]: the widest spread, the default
        Equal, // base/2 + uniform in [0, base/2]: never shorter than half the base
    };

    int initialMs = 1000;
    int maxMs = 30000;
    double multiplier = 2.0;
    Jitter jitter = Jitter::Full;

    // Base delay before jitter: initialMs * multiplier^(attempt-1), capped at maxMs.
    // `attempt` counts from 1; values below 1 are treated as 1.
    int baseDelayMs(int attempt) const;
    // The delay to wait before `attempt`.
    int delayMs(int attempt, QRandomGenerator &rng) const;
};

} // namespace Pulseboard
