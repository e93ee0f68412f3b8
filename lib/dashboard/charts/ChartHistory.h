// ChartHistory: the part of a chart's view that lies before what the SeriesStore's rings hold, read
// from the local history (lib/history/HistoryStore) on a reader thread of its own. A ChartFeeder
// asks for [from, to) of one series in buckets of a width it chose (bucketWidth(): the live
// decimation's column width, on the store's tier grid); the reader reads the buckets and the stored
// outages and hands back a ready point list (first, min, max, last of each bucket in time order, the
// decimator's own four points per column) to the GUI thread, with the signal ready(). A request
// replaces one of the same slot that has not started yet; a result for an older ticket is for the
// feeder to ignore. Without a store (--no-history, a store that could not open) available() is
// false and nothing is read: the chart shows what RAM holds and says where its data starts.
//
// Threads: request() and the signals on the GUI thread; the reads on the reader thread, through
// the store's own read connection (HistoryStore reads may run on any thread). The reader stops and
// joins in the destructor, and in setStore() before a store is replaced, so the store must outlive
// this object or be unset first.
#pragma once

#include "Decimator.h"

#include <QList>
#include <QMetaType>
#include <QObject>
#include <QPointF>
#include <QString>
#include <QtQml/qqmlregistration.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace Pulseboard {

class HistoryStore;

struct ChartHistoryRequest
{
    quint64 ticket = 0;
    QString channel; // the channel's name (the store names a series "<server>|<channel>")
    QString path;    // the field
    qint64 fromMs = 0;
    qint64 toMs = 0; // from >= to: only the range the store holds is asked
    qint64 bucketMs = 0;
};

struct ChartHistoryResult
{
    quint64 ticket = 0;
    qint64 fromMs = 0, toMs = 0, bucketMs = 0; // what was asked
    bool found = false;                        // the store holds the series
    qint64 storeFromMs = 0, storeToMs = 0;     // the time range the store holds for it (found)
    QList<QPointF> points;                     // in time order, at most 4 a bucket
    qint64 samples = 0;                        // the samples the buckets summarise
    int buckets = 0;
    QList<Outage> outages; // the stored outages of the server inside [from, to)
    qint64 readUs = 0;     // the time the read took on the reader thread
};

class ChartHistory : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ChartHistory is owned by the dashboard")
    Q_PROPERTY(bool available READ available NOTIFY availableChanged)

public:
    explicit ChartHistory(QObject *parent = nullptr);
    ~ChartHistory() override;

    // The store to read and the server whose channels it records (HistoryRecorder::setServer);
    // a null store or an empty server: nothing is available.
    void setStore(HistoryStore *store, const QString &server);
    void setServer(const QString &server);
    bool available() const;

    // A slot per chart line; a request replaces the slot's request that has not started.
    quint64 newSlot();
    void request(quint64 slot, const ChartHistoryRequest &request);
    // Forgets the slot's waiting request (its line went).
    void cancel(quint64 slot);
    // Requests waiting or being read.
    int pending() const;

    // The bucket width for a view whose live columns are `columnMs` wide: on the store's tier grid
    // (a multiple of 1 min, else of 1 s, the nearest to columnMs, at least one), else columnMs
    // itself (raw samples): the density of the live decimation, read from the tiers exactly.
    static qint64 bucketWidth(qint64 columnMs);
    // The read itself, on the calling thread (the reader thread, benchmarks and tests).
    static ChartHistoryResult read(const HistoryStore &store, const QString &server,
                                   const ChartHistoryRequest &request);
    // Where a line of `points` (in time order) restarts after the stored `outages`: the index of
    // the first point past an outage's middle when no point lies inside it (as lineBreaks does for
    // the rings). Sorted, no duplicates.
    static QList<int> outageBreaks(const QList<QPointF> &points, const QList<Outage> &outages);

Q_SIGNALS:
    void availableChanged();
    // Another store or server: what was read before is of another series.
    void sourceChanged();
    // GUI thread: a request's points.
    void ready(quint64 slot, const Pulseboard::ChartHistoryResult &result);

private:
    void run();
    void stopReader();

    HistoryStore *m_store = nullptr;
    QString m_server;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::map<quint64, ChartHistoryRequest> m_waiting;
    int m_reading = 0;
    bool m_stop = false;
    std::thread m_reader;
    quint64 m_nextSlot = 1;
};

} // namespace Pulseboard

Q_DECLARE_METATYPE(Pulseboard::ChartHistoryResult)
