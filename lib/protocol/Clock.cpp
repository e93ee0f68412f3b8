#include "Clock.h"

#include <QDateTime>

#include <chrono>

namespace Pulseboard {

namespace {

class SystemClock final : public Clock
{
public:
    qint64 wallMs() const override { return QDateTime::currentMSecsSinceEpoch(); }
    qint64 monotonicNs() const override
    {
        // steady_clock is CLOCK_MONOTONIC on Linux, the clock QElapsedTimer reads.
        return std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
    }
};

const SystemClock kSystemClock;

} // namespace

std::atomic<const Clock *> Clock::s_current{&kSystemClock};

Clock::~Clock() = default;

const Clock &Clock::current()
{
    return *s_current.load(std::memory_order_acquire);
}

const Clock &Clock::system()
{
    return kSystemClock;
}

ManualClock::ManualClock(qint64 wallMs) : m_wallMs(wallMs) {}

void ManualClock::advance(qint64 ms)
{
    m_wallMs.fetch_add(ms);
    m_monotonicNs.fetch_add(ms * 1000000);
}

ScopedClock::ScopedClock(const Clock &clock)
    : m_previous(Clock::s_current.exchange(&clock, std::memory_order_acq_rel))
{
}

ScopedClock::~ScopedClock()
{
    Clock::s_current.store(m_previous, std::memory_order_release);
}

} // namespace Pulseboard
