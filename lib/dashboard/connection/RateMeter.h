// RateMeter: events per second over a sliding window of whole-second buckets, for the
// "msgs/s" figures. Pure arithmetic on the times it is given, so tests drive it with fake time.
#pragma once

#include <QtGlobal>

#include <array>

namespace Pulseboard {

class RateMeter
{
public:
    static constexpr int kWindowSeconds = 5;

    void add(qint64 nowMs, int count = 1);
    // Events per second over the last kWindowSeconds complete and current seconds.
    double rate(qint64 nowMs) const;
    void clear();

private:
    void advance(qint64 second) const;

    mutable std::array<int, kWindowSeconds + 1> m_buckets{};
    mutable qint64 m_second = -1; // the second the newest bucket belongs to
    qint64 m_firstMs = -1;
};

// Whether a channel's newest value should be shown as stale: its age is beyond three of its
// usual intervals (never less than `minimumMs`), or the connection is not live at all.
bool isStale(qint64 ageMs, double ratePerSecond, qint64 minimumMs, bool connectionLive);

} // namespace Pulseboard
