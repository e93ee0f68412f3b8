// SeriesStore: every charted series of the dashboard, keyed by source (a SeriesKey: a channel, or
// one of the dashboard's own figures such as the connection's health) and field path. Incoming messages are
// walked once (FieldDiscovery, bounded) and each numeric field lands in its own StreamBuffer; samples older
// than the retention window are forgotten, so memory is bounded by window, rate and field count
// (docs/PERFORMANCE.md gives the figure). Charts read it through ChartFeeder.
//
// Threads: messages are ingested where the connection runs (the network thread) while charts read
// on the GUI thread. Every public member takes the store's lock; a reader that holds a
// buffer() across calls (a chart decimating its series) holds lock() meanwhile. The outage list
// and fieldsChanged belong to the GUI thread: a new field found on another thread is announced
// there by a queued call.
#pragma once

#include "Decimator.h"
#include "FieldDiscovery.h"
#include "SeriesKey.h"
#include "StreamBuffer.h"

#include <QHash>
#include <QJsonValue>
#include <QMutex>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QVariant>
#include <QtQml/qqmlregistration.h>

#include <memory>

namespace Pulseboard {

class SeriesStore : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("SeriesStore is owned by the dashboard")
    Q_PROPERTY(double retentionMs READ retentionMs CONSTANT)
    Q_PROPERTY(int capacityPerSeries READ capacityPerSeries CONSTANT)

public:
    struct Limits
    {
        int capacityPerSeries = 131072;      // samples; 2 MiB at most per series (1 h up to 36/s)
        qint64 retentionMs = 61 * 60 * 1000; // the longest chart window (1 h) plus a margin
        int maxFieldsPerSource = 32;         // further fields are counted, not stored
        DiscoveryLimits discovery;
    };

    explicit SeriesStore(QObject *parent = nullptr);
    explicit SeriesStore(const Limits &limits, QObject *parent = nullptr);
    ~SeriesStore() override;

    const Limits &limits() const { return m_limits; }
    qint64 retentionMs() const { return m_limits.retentionMs; }
    int capacityPerSeries() const { return m_limits.capacityPerSeries; }

    // Stores every numeric field of `data` at time `t` (ms). Returns how many fields were stored.
    // The JsonView form is the hot path (a MessageSink's payload): a message whose fields were
    // seen before allocates nothing.
    int ingest(const SeriesKey &source, qint64 t, const JsonView &data);
    int ingest(const SeriesKey &source, qint64 t, const QJsonValue &data);
    // Sees every sample ingest() stores, as it stores it (under the store's lock, on the
    // ingesting thread): the local history records them without parsing the message again.
    struct SampleTap
    {
        virtual ~SampleTap() = default;
        virtual void sample(const QString &path, qint64 t, double value) = 0;
    };
    int ingest(const SeriesKey &source, qint64 t, const JsonView &data, SampleTap *tap);
    // One sample of a named series (the connection's health figures).
    void addSample(const SeriesKey &source, const QString &path, qint64 t, double value);

    // The store's lock, for a reader that keeps a buffer() while it reads (recursive: the
    // members it calls meanwhile take it again).
    QRecursiveMutex *lock() const { return &m_mutex; }
    // Valid while lock() is held (the buffer changes, or goes with clearSource, otherwise).
    const StreamBuffer *buffer(const SeriesKey &source, const QString &path) const;
    QStringList fields(const SeriesKey &source) const;
    // Every source that holds series, the dashboard's own figures included.
    QList<SeriesKey> keys() const;
    QVariant latest(const SeriesKey &source, const QString &path) const;
    qint64 latestTime(const SeriesKey &source, const QString &path) const;
    int droppedFieldCount(const SeriesKey &source) const;
    void clearSource(const SeriesKey &source);
    // Forgets the channels' series of the first source (a server switch); the dashboard's own
    // figures and the other sources' channels stay.
    void clearChannels();

    // QML names channels by their names: these read the channel `channel`'s series.
    Q_INVOKABLE QStringList fields(const QString &channel) const
    {
        return fields(SeriesKey::channel(channel));
    }
    // The channels that hold series, sorted (not the dashboard's own figures).
    Q_INVOKABLE QStringList sources() const;
    // The newest value of a series, or undefined when it has none.
    Q_INVOKABLE QVariant latest(const QString &channel, const QString &path) const
    {
        return latest(SeriesKey::channel(channel), path);
    }
    Q_INVOKABLE qint64 latestTime(const QString &channel, const QString &path) const
    {
        return latestTime(SeriesKey::channel(channel), path);
    }
    // Fields seen but not stored because the source already had maxFieldsPerSource, or the
    // message hit a discovery limit.
    Q_INVOKABLE int droppedFieldCount(const QString &channel) const
    {
        return droppedFieldCount(SeriesKey::channel(channel));
    }
    Q_INVOKABLE void clearSource(const QString &channel) { clearSource(SeriesKey::channel(channel)); }
    qint64 allocatedBytes() const;

    // The times a connection was down, so charts break their lines there instead of drawing
    // across (lineBreaks). Kept for the retention window, at most kMaxOutages of them per
    // connection. A dashboard with several sources keeps one list per source: `source` empty is
    // the first source (whose channels carry no prefix, and the dashboard's own figures), a name
    // is a source of setSources() (its channels are "name/channel"). One source's outage never
    // breaks another's lines.
    void noteConnectionLost(qint64 t, const QString &source = {});
    void noteConnectionBack(qint64 t, const QString &source = {});
    const QList<Outage> &outages(const QString &source = {}) const;
    // The outages of the connection `key`'s series came over.
    const QList<Outage> &outagesOf(const SeriesKey &key) const { return outages(sourceOf(key)); }
    // The names of the sources after the first (set before messages arrive, on the GUI thread).
    void setSources(const QStringList &names) { m_sourceNames = names; }
    // Which source a series belongs to: the name whose "name/" its channel starts with, else
    // empty (the first source, or the dashboard's own figures).
    QString sourceOf(const SeriesKey &key) const;
    // Bumped when the outage list changes; charts redraw their lines then.
    quint64 outageRevision() const { return m_outageRevision; }
    static constexpr int kMaxOutages = 256;

    // Writes the samples of `series` ([{source, path, origin}, ...]; origin as SeriesKey says) between from
    // and to (ms) as CSV: time_ms,time_iso,source,field,value. The file's folder is made when it
    // is not there. Returns an empty string, or what went wrong.
    Q_INVOKABLE QString exportCsv(const QString &fileName, const QVariantList &series, qint64 from,
                                  qint64 to) const;

Q_SIGNALS:
    // A channel's field list changed (a new field, or its series were cleared).
    void fieldsChanged(const QString &channel);

private:
    struct Source
    {
        QStringList order; // discovery order, what the field picker shows
        QHash<QString, std::shared_ptr<StreamBuffer>> series;
        QSet<QString> dropped;
        bool truncated = false;
    };
    StreamBuffer *ensure(Source &source, const QString &path, bool *added);
    void noteFieldsChanged(const SeriesKey &source);

    Limits m_limits;
    mutable QRecursiveMutex m_mutex; // guards m_sources and the buffers in it
    QHash<SeriesKey, Source> m_sources;
    QHash<QString, QList<Outage>> m_outages; // by source; "" is the first
    QStringList m_sourceNames;
    quint64 m_outageRevision = 0;
};

} // namespace Pulseboard
