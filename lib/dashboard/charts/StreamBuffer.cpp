#include "StreamBuffer.h"

namespace Pulseboard {

StreamBuffer::StreamBuffer(int capacity) : m_capacity(qMax(2, capacity))
{
    m_ring.resize(size_t(qMin(m_capacity, 64)));
}

void StreamBuffer::grow()
{
    std::vector<Sample> bigger(size_t(qMin(m_capacity, int(m_ring.size()) * 2)));
    for (int i = 0; i < m_size; ++i)
        bigger[size_t(i)] = at(i);
    m_ring.swap(bigger);
    m_head = 0;
}

void StreamBuffer::append(qint64 t, double v)
{
    if (m_size > 0 && t < last().t)
        t = last().t;
    if (m_size == int(m_ring.size()) && m_size < m_capacity)
        grow();
    const int cap = int(m_ring.size());
    if (m_size == cap) {
        m_ring[size_t(m_head)] = {t, v};
        m_head = (m_head + 1) % cap;
        ++m_overwritten;
    } else {
        m_ring[size_t((m_head + m_size) % cap)] = {t, v};
        ++m_size;
    }
    ++m_revision;
}

void StreamBuffer::dropBefore(qint64 t)
{
    const int n = lowerBound(t);
    if (n == 0)
        return;
    m_head = (m_head + n) % int(m_ring.size());
    m_size -= n;
    ++m_revision;
}

void StreamBuffer::clear()
{
    m_head = 0;
    m_size = 0;
    ++m_revision;
}

int StreamBuffer::lowerBound(qint64 t) const
{
    int lo = 0;
    int hi = m_size;
    while (lo < hi) {
        const int mid = lo + (hi - lo) / 2;
        if (at(mid).t < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

} // namespace Pulseboard
