// A fixed-capacity ring of (x, y) samples: the per-channel buffer the ingest benchmark
// dispatches into, allocated once, so the measured path has no per-message allocation.
#pragma once

#include <QList>
#include <QPointF>

namespace Pulseboard::Bench {

class SampleRing
{
public:
    explicit SampleRing(qsizetype capacity = 1) : m_samples(std::max<qsizetype>(1, capacity)) {}

    void push(double x, double y)
    {
        m_samples[m_next] = QPointF(x, y);
        m_next = (m_next + 1) % m_samples.size();
        if (m_size < m_samples.size())
            ++m_size;
    }

    qsizetype size() const { return m_size; }
    QPointF last() const
    {
        return m_size ? m_samples.at((m_next + m_samples.size() - 1) % m_samples.size()) : QPointF();
    }

private:
    QList<QPointF> m_samples;
    qsizetype m_next = 0;
    qsizetype m_size = 0;
};

} // namespace Pulseboard::Bench
