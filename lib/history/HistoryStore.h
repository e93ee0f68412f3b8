// HistoryStore: the dashboard's local history, one SQLite file (WAL) that survives a restart.
// Every numeric sample (series id, server time in ms, seq, value), pre-aggregated tiers of 1 s and
// 1 min buckets (min/max/first/last/count) so a week reads a bounded number of rows, and the
// connection timeline (states, outages, gaps). Writes go through a bounded queue to a writer thread
// that commits them in batches; append() never blocks and never grows the queue past its capacity:
// a sample that does not fit is refused and counted (refusedSamples()), never lost silently.
// Reads (buckets(), samples(), timeline()) use their own connection and may run on any thread.
// A damaged file is renamed aside and a fresh store made; a store held by another instance, or one
// that cannot be opened at all, leaves the store disabled (status()); a full disk stops the writer
// with what was committed before intact. None of these throws or stops the caller.
// A recording (pulseboard-cli --record) is a store too: every received message as a frame (the
// `frames` table), what was recorded from where (`recording`), and the same connection timeline.
// Schema versions: 1 samples, tiers, timeline; 2 adds frames and recording. An older store is
// upgraded by open() (one transaction per step) and read as it is by openForReading().
#pragma once

#include <QHash>
#include <QList>
#include <QLockFile>
#include <QString>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

struct sqlite3;

namespace Pulseboard {

struct HistoryOptions
{
    QString path;                               // the database file; its folder is created
    qint64 maxAgeMs = 7LL * 24 * 3600 * 1000;   // 0: no limit by age
    qint64 maxBytes = 2LL * 1024 * 1024 * 1024; // 0: no limit by size
    int queueCapacity = 500000;                 // samples waiting for the writer, at most
    int batchIntervalMs = 100;                  // the writer commits at least this often
    int retentionIntervalMs = 60000;            // how often the writer applies retention
    int busyTimeoutMs = 1000;                   // waiting for a lock held by another process
    qint64 maxPageCount = 0;                    // >0: SQLite's max_page_count (tests: a "full disk")

    // A recording's file (pulseboard-cli --record, the dashboard's Record button, a replay's
    // source): it keeps everything it is given, no retention by age or by size.
    static HistoryOptions forRecording(const QString &path)
    {
        HistoryOptions o;
        o.path = path;
        o.maxAgeMs = 0;
        o.maxBytes = 0;
        return o;
    }
};

struct HistorySample
{
    qint64 series = 0;
    qint64 timeMs = 0;
    qint64 seq = 0;
    double value = 0;
};

struct HistoryBucket
{
    qint64 startMs = 0; // aligned to a multiple of the bucket width (epoch-based)
    double min = 0, max = 0, first = 0, last = 0;
    qint64 count = 0;
    qint64 firstMs = 0, lastMs = 0; // the times of first and last
};

struct HistoryEvent
{
    // Alert: detail is the alert's JSON line (raised, cleared, or acknowledged with its note),
    // source its rule.
    enum class Kind : int { State = 0, Outage = 1, Gap = 2, Alert = 3 };
    Kind kind = Kind::State;
    qint64 fromMs = 0;
    qint64 toMs = 0; // == fromMs for a state change
    QString source;  // the server or channel it concerns
    QString detail;  // the state's name, a gap's reason
    friend bool operator==(const HistoryEvent &, const HistoryEvent &) = default;
};

// One message as a recorder received it.
struct HistoryFrame
{
    enum Flag : int { Retained = 1, Backfill = 2 };
    qint64 arrivalMs = 0; // wall time it arrived (ms since 1970)
    qint64 offsetUs = 0;  // when it arrived, on a monotonic clock, in µs since the recording started
    qint64 serverTs = 0;  // the envelope's ts
    qint64 seq = 0;       // the envelope's seq (the source's numbering)
    QString source;       // the server it came from (its URL without user, token or query)
    QString channel;
    QByteArray data; // the payload as compact JSON text (as pulseboard-cli prints it); empty: none
    int flags = 0;
    friend bool operator==(const HistoryFrame &, const HistoryFrame &) = default;
};

class HistoryStore
{
public:
    enum class Status {
        Closed,  // not opened yet, or closed
        Ok,      // writing
        Damaged, // the file was damaged: set aside (damagedPath()) and a fresh store is in use
        Locked,  // another instance holds the store: running without history
        Full,    // the disk (or max_page_count) is full: writing stopped, committed data intact
        Failed,  // could not open or write for another reason: running without history
    };
    static constexpr int kSchemaVersion = 2;
    static constexpr qint64 kTier1s = 1000;
    static constexpr qint64 kTier1m = 60000;

    // "--history-retention" text: an age, a size, or both comma-separated, e.g. "7d", "2GiB",
    // "7d,2GiB", "36h,500MB". Ages: s, m, h, d, w; sizes: B, KB, MB, GB, TB (powers of 1000),
    // KiB, MiB, GiB, TiB (of 1024). "0" for either part: no limit by that. False with the reason.
    static bool parseRetention(const QString &text, qint64 *maxAgeMs, qint64 *maxBytes, QString *error);
    // The newest time anything (a sample or an event) was stored at; 0 when nothing was.
    qint64 newestTime() const;

    explicit HistoryStore(HistoryOptions options);
    ~HistoryStore(); // flushes the queue and joins the writer
    HistoryStore(const HistoryStore &) = delete;
    HistoryStore &operator=(const HistoryStore &) = delete;

    // Opens (creating if needed) and starts the writer. False when the store runs without history
    // (Locked, Failed); true when writing (Ok, or Damaged with a fresh file).
    bool open();
    // Opens an existing store for the reads only (an export, beside a dashboard that writes it):
    // no lock, no writer, nothing created, nothing set aside; status() stays Closed. False with the
    // reason ("no history at PATH", "cannot read PATH: ...").
    bool openForReading(QString *error);
    void close();

    Status status() const { return m_status.load(); }
    bool isWriting() const;
    // One sentence for the user: what happened and what the dashboard does about it.
    QString statusText() const;
    // Why the store stopped or could not open, in a few words (statusText() without the dashboard's
    // sentence around it); empty while it writes.
    QString why() const
    {
        std::lock_guard lock(m_textMutex);
        return m_why;
    }
    QString damagedPath() const { return m_damagedPath; }
    const HistoryOptions &options() const { return m_options; }

    // The id of a series, made on first use (the series row is written with the next batch).
    // Thread-safe. 0 while the store is not open.
    qint64 seriesId(const QString &source, const QString &field);
    // All series the store knows: id -> (source, field).
    QHash<qint64, QPair<QString, QString>> series() const;
    // A channel's series are recorded under the source "server|channel" (the server as the
    // dashboard names it: "embedded", or its URL); split at the first '|' (channel names may hold
    // one, the server's key does not).
    static QString sourceName(const QString &server, const QString &channel)
    {
        return server + QLatin1Char('|') + channel;
    }
    static bool splitSourceName(const QString &source, QString *server, QString *channel);

    // Queues a sample; false (and counted in refusedSamples()) when the queue is full or the store
    // does not write. Never blocks on the disk.
    bool append(qint64 series, qint64 timeMs, qint64 seq, double value);
    bool appendEvent(const HistoryEvent &event);
    // Queues a recorded frame; like append() it counts against the queue's capacity and is
    // refused (counted in refusedFrames()) when the queue is full or the store does not write.
    bool appendFrame(HistoryFrame frame);
    // Sets one entry of the `recording` table (written with the next batch, replacing the old).
    bool setRecordingInfo(const QString &key, const QString &value);
    // Blocks until everything queued before the call is committed (or refused by a failure).
    void flush();
    // Applies retention now (on the writer thread) and waits for it; nowMs is "now".
    void applyRetention(qint64 nowMs);

    quint64 writtenSamples() const { return m_written.load(); }
    quint64 refusedSamples() const { return m_refused.load(); }
    quint64 lostSamples() const { return m_lost.load(); } // queued, then not kept (disk full)
    int queuedSamples() const;
    quint64 committedBatches() const { return m_batches.load(); }
    quint64 writtenFrames() const { return m_framesWritten.load(); }
    quint64 refusedFrames() const { return m_framesRefused.load(); }
    quint64 lostFrames() const { return m_framesLost.load(); } // queued, then not kept

    // min/max/first/last/count per bucket of bucketMs (buckets aligned to multiples of bucketMs),
    // for samples with fromMs <= t < toMs. Reads the coarsest tier whose width divides bucketMs
    // (1 min, 1 s) or the raw samples. Buckets without samples are left out.
    QList<HistoryBucket> buckets(qint64 series, qint64 fromMs, qint64 toMs, qint64 bucketMs) const;
    // The tier buckets() reads for a bucket width: 60000, 1000 or 0 (raw).
    static qint64 tierFor(qint64 bucketMs);
    QList<HistorySample> samples(qint64 series, qint64 fromMs, qint64 toMs) const;
    // The same samples handed to `take` one by one as they are read (a range of any size in
    // bounded memory); `take` returns false to stop. Holds the read connection meanwhile.
    void forEachSample(qint64 series, qint64 fromMs, qint64 toMs,
                       const std::function<bool(const HistorySample &)> &take) const;
    QList<HistoryEvent> timeline(qint64 fromMs, qint64 toMs) const;
    // The schema version of the file as opened (after open()'s upgrade: kSchemaVersion).
    int schemaVersion() const { return m_version; }
    // The recorded frames in the order they arrived, handed to `take` one by one (bounded memory);
    // `take` returns false to stop. None in a store older than version 2. False (with SQLite's
    // words) when the file could not be read to the end: a damaged recording says so.
    bool forEachFrame(const std::function<bool(const HistoryFrame &)> &take, QString *error = nullptr) const;
    qint64 frameCount() const;
    // The `recording` table: key -> value (empty for a store that is no recording).
    QHash<QString, QString> recordingInfo() const;
    // The time range the store holds for a series (raw or tiers); false when it holds nothing.
    bool range(qint64 series, qint64 *fromMs, qint64 *toMs) const;
    // The database's size in bytes (pages in use, WAL excluded) and the file's size on disk.
    qint64 usedBytes() const;
    qint64 fileBytes() const;
    // PRAGMA integrity_check on the read connection: "ok" or SQLite's report.
    QString integrityCheck() const;

private:
    struct Item;
    bool openFile(QString *error, bool *damaged, bool *busy);
    bool loadSeries(sqlite3 *db);
    bool createSchema(sqlite3 *db, QString *error);
    bool hasFrames() const { return m_version >= 2; }
    void setAside();
    void writerLoop();
    bool writeBatch(std::vector<Item> &items);
    void retention(qint64 nowMs);
    void fail(Status status, const QString &why);

    HistoryOptions m_options;
    std::unique_ptr<QLockFile> m_lock;
    sqlite3 *m_writeDb = nullptr;
    sqlite3 *m_readDb = nullptr;
    mutable std::mutex m_readMutex;
    std::atomic<Status> m_status{Status::Closed};
    QString m_damagedPath;
    mutable std::mutex m_textMutex;
    QString m_why;

    mutable std::mutex m_seriesMutex;
    QHash<QPair<QString, QString>, qint64> m_seriesIds;
    QHash<qint64, QPair<QString, QString>> m_seriesById;
    qint64 m_nextSeries = 1;

    mutable std::mutex m_queueMutex;
    std::condition_variable m_wake;
    std::condition_variable m_done;
    std::vector<Item> m_queue;
    int m_queuedSamples = 0;
    quint64 m_enqueued = 0;  // items ever queued
    quint64 m_processed = 0; // items ever taken and handled by the writer
    qint64 m_retentionNow = -1;
    quint64 m_retentionRequests = 0, m_retentionDone = 0;
    bool m_stop = false;
    bool m_flushWanted = false;
    std::thread m_writer;

    std::atomic<quint64> m_written{0}, m_refused{0}, m_lost{0}, m_batches{0};
    std::atomic<quint64> m_framesWritten{0}, m_framesRefused{0}, m_framesLost{0};
    int m_version = 0;
};

} // namespace Pulseboard
