// StreamBuffer: the samples of one chart series, a bounded ring of (time, value) pairs ordered
// by time. Storage grows by doubling up to `capacity` and then wraps, so a quiet series costs
// little and a busy one never more than capacity * 16 bytes, however long the dashboard runs. Lookups by time
// are binary searches, which is what the decimator needs to cut the visible window out of the ring.
#pragma once

#include <QtGlobal>

#include <vector>

namespace Pulseboard {

class StreamBuffer
{
public:
    struct Sample
    {
        qint64 t = 0; // ms since the epoch
        double v = 0;
    };

    explicit StreamBuffer(int capacity = 16384);

    // Appends a sample. Time must not go backwards, or the binary searches break: an older
    // timestamp (clock step, reordered replay) is clamped to the newest one held.
    void append(qint64 t, double v);
    // Forgets every sample older than `t` (the retention window).
    void dropBefore(qint64 t);
    void clear();

    int size() const { return m_size; }
    int capacity() const { return m_capacity; }
    // Bytes of sample storage currently allocated (<= capacity * bytesPerSample()).
    qint64 allocatedBytes() const { return qint64(m_ring.size()) * bytesPerSample(); }
    bool isEmpty() const { return m_size == 0; }
    // 0 is the oldest sample held.
    // (No modulo: it was most of the cost of walking a window; m_head and i are below the size.)
    const Sample &at(int i) const
    {
        const size_t n = m_ring.size();
        size_t j = size_t(m_head) + size_t(i);
        if (j >= n)
            j -= n;
        return m_ring[j];
    }
    const Sample &last() const { return at(m_size - 1); }
    // Index of the first sample with time >= t (size() when there is none).
    int lowerBound(qint64 t) const;
    // How many samples were pushed out because the ring was full (history lost to capacity,
    // not to the retention window): the chart says so rather than pretending to cover it.
    quint64 overwritten() const { return m_overwritten; }
    // Bumped on every change; the chart feeder skips work when it has not moved.
    quint64 revision() const { return m_revision; }
    static constexpr int bytesPerSample() { return int(sizeof(Sample)); }

private:
    void grow();

    std::vector<Sample> m_ring;
    int m_capacity = 0;
    int m_head = 0;
    int m_size = 0;
    quint64 m_overwritten = 0;
    quint64 m_revision = 0;
};

} // namespace Pulseboard
