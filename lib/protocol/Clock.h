// Clock: the program's one answer to "what time is it", and the seam tests set time through.
// It gives two readings, because they answer different questions:
//  - wallMs(): milliseconds since the epoch (UTC). The `ts` of PROTOCOL.md, times shown to people
//    or saved, token expiry, a chart's time axis. It can jump (NTP, someone setting the clock).
//  - monotonicMs() / monotonicNs(): time from an arbitrary start that never goes back. How long
//    since, deadlines, silence: what must not fire or stall when the wall clock jumps.
// Code reads Clock::current(): the system's clock, unless a test installed a ManualClock with a
// ScopedClock, which makes time-dependent behaviour (the hub's silence detection and rate limit,
// the demo feed's samples, the dashboard's ages) a function of the time the test sets.
// Read and installed on any thread; install it before starting what reads it.
#pragma once

#include <QtGlobal>

#include <atomic>

namespace Pulseboard {

class Clock
{
public:
    virtual ~Clock();
    virtual qint64 wallMs() const = 0;
    virtual qint64 monotonicNs() const = 0;
    qint64 monotonicMs() const { return monotonicNs() / 1000000; }

    // The clock everything reads: system() unless a ScopedClock is alive.
    static const Clock &current();
    static const Clock &system();

private:
    friend class ScopedClock;
    static std::atomic<const Clock *> s_current;
};

// Time that moves only when told: advance() moves both readings (time passing), setWallMs() moves
// only the wall clock (a clock being set), as the system's clocks behave.
class ManualClock final : public Clock
{
public:
    static constexpr qint64 kDefaultWallMs = Q_INT64_C(1700000000000); // 2023-11-14T22:13:20Z

    explicit ManualClock(qint64 wallMs = kDefaultWallMs);
    qint64 wallMs() const override { return m_wallMs.load(); }
    qint64 monotonicNs() const override { return m_monotonicNs.load(); }
    void advance(qint64 ms);
    void setWallMs(qint64 ms) { m_wallMs.store(ms); }

private:
    std::atomic<qint64> m_wallMs;
    std::atomic<qint64> m_monotonicNs{Q_INT64_C(1000000000)}; // any start: monotonic time has no epoch
};

// Makes `clock` Clock::current() for its own lifetime (a test's scope), then puts back the previous one.
class ScopedClock
{
public:
    explicit ScopedClock(const Clock &clock);
    ~ScopedClock();
    ScopedClock(const ScopedClock &) = delete;
    ScopedClock &operator=(const ScopedClock &) = delete;

private:
    const Clock *m_previous;
};

} // namespace Pulseboard
