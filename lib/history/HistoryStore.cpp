#include "HistoryStore.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>

namespace Pulseboard {

struct HistoryStore::Item
{
    enum class Kind : quint8 { Sample, Event, Series, Frame, Info };
    Kind kind = Kind::Sample;
    HistorySample sample;
    HistoryEvent event; // Event; Series: source = source, detail = field, fromMs = id; Info: key, value
    std::unique_ptr<HistoryFrame> frame; // Frame (on the heap: samples stay small)
};

namespace {

// One prepared statement, finalized on scope exit.
class Stmt
{
public:
    Stmt(sqlite3 *db, const char *sql) { m_rc = sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr); }
    ~Stmt() { sqlite3_finalize(m_stmt); }
    Stmt(const Stmt &) = delete;
    Stmt &operator=(const Stmt &) = delete;
    bool ok() const { return m_rc == SQLITE_OK && m_stmt; }
    sqlite3_stmt *get() const { return m_stmt; }
    void bind(int i, qint64 v) { sqlite3_bind_int64(m_stmt, i, v); }
    void bind(int i, double v) { sqlite3_bind_double(m_stmt, i, v); }
    // JSON text; a null or empty one is bound as NULL.
    void bind(int i, const QByteArray &b)
    {
        if (b.isEmpty())
            sqlite3_bind_null(m_stmt, i);
        else
            sqlite3_bind_text(m_stmt, i, b.constData(), int(b.size()), SQLITE_TRANSIENT);
    }
    void bind(int i, const QString &s)
    {
        const QByteArray u = s.toUtf8();
        sqlite3_bind_text(m_stmt, i, u.constData(), int(u.size()), SQLITE_TRANSIENT);
    }
    int step() { return sqlite3_step(m_stmt); }
    void reset()
    {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
    // Binds `values` to parameters 1..N.
    template <typename... Values> void bindAll(const Values &...values)
    {
        int i = 0;
        (bind(++i, values), ...);
    }
    // Binds `values`, steps once and resets: SQLITE_DONE when the write went.
    template <typename... Values> int run(const Values &...values)
    {
        bindAll(values...);
        const int rc = step();
        reset();
        return rc;
    }
    qint64 i64(int c) const { return sqlite3_column_int64(m_stmt, c); }
    double dbl(int c) const { return sqlite3_column_double(m_stmt, c); }
    QByteArray bytes(int c) const
    {
        return QByteArray(reinterpret_cast<const char *>(sqlite3_column_blob(m_stmt, c)),
                          sqlite3_column_bytes(m_stmt, c));
    }
    QString text(int c) const
    {
        return QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, c)),
                                 sqlite3_column_bytes(m_stmt, c));
    }

private:
    sqlite3_stmt *m_stmt = nullptr;
    int m_rc = SQLITE_ERROR;
};

int exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
}

qint64 pragmaInt(sqlite3 *db, const char *sql)
{
    Stmt s(db, sql);
    return s.ok() && s.step() == SQLITE_ROW ? s.i64(0) : -1;
}

qint64 floorTo(qint64 t, qint64 width)
{
    qint64 q = t / width;
    if (t % width != 0 && t < 0)
        --q;
    return q * width;
}

// A bucket being accumulated (writer: tier rows of a batch; reader: output buckets).
struct Acc
{
    double min = 0, max = 0, first = 0, last = 0;
    qint64 count = 0, firstMs = 0, lastMs = 0;
    void add(qint64 t, double v) { merge(v, v, v, v, 1, t, t); }
    void merge(double mn, double mx, double f, double l, qint64 n, qint64 fMs, qint64 lMs)
    {
        if (count == 0) {
            min = mn, max = mx, first = f, last = l, count = n, firstMs = fMs, lastMs = lMs;
            return;
        }
        min = std::min(min, mn);
        max = std::max(max, mx);
        if (fMs < firstMs)
            first = f, firstMs = fMs;
        if (lMs >= lastMs)
            last = l, lastMs = lMs;
        count += n;
    }
};

const char *kTierTables[] = {"agg_1s", "agg_1m"};

} // namespace

HistoryStore::HistoryStore(HistoryOptions options) : m_options(std::move(options)) {}

HistoryStore::~HistoryStore()
{
    close();
}

bool HistoryStore::isWriting() const
{
    const Status s = m_status.load();
    return s == Status::Ok || s == Status::Damaged;
}

QString HistoryStore::statusText() const
{
    std::lock_guard lock(m_textMutex);
    switch (m_status.load()) {
    case Status::Closed:
        return QStringLiteral("History is off.");
    case Status::Ok:
        return QStringLiteral("History: %1").arg(m_options.path);
    case Status::Damaged:
        return QStringLiteral("History file was damaged (%1); it was kept aside as %2 and a new "
                              "history started.")
            .arg(m_why, m_damagedPath);
    case Status::Locked:
        return QStringLiteral("History is in use by another instance (%1); running live without "
                              "history.")
            .arg(m_options.path);
    case Status::Full:
        return QStringLiteral("History stopped: %1; running live, what was stored before is kept.")
            .arg(m_why);
    case Status::Failed:
        return QStringLiteral("History unavailable: %1; running live without history.").arg(m_why);
    }
    return {};
}

void HistoryStore::fail(Status status, const QString &why)
{
    {
        std::lock_guard lock(m_textMutex);
        m_why = why;
    }
    m_status.store(status);
}

bool HistoryStore::createSchema(sqlite3 *db, QString *error)
{
    const qint64 version = pragmaInt(db, "PRAGMA user_version");
    if (version < 0) {
        *error = QString::fromUtf8(sqlite3_errmsg(db));
        return false;
    }
    if (version > kSchemaVersion) {
        *error = QStringLiteral("schema version %1 is newer than this build's %2")
                     .arg(version)
                     .arg(kSchemaVersion);
        return false;
    }
    if (version == kSchemaVersion) {
        m_version = kSchemaVersion;
        return true;
    }
    // Each step takes a store from version i to i + 1 in one transaction, its user_version with it:
    // a store of any older version is upgraded step by step, and a step that fails leaves the
    // store at the version before it, whole.
    static const char *const kMigrations[] = {
        // 0 -> 1: samples, their tiers, the connection timeline.
        "CREATE TABLE IF NOT EXISTS series(id INTEGER PRIMARY KEY, source TEXT NOT NULL,"
        " field TEXT NOT NULL, UNIQUE(source, field));"
        "CREATE TABLE IF NOT EXISTS samples(series INTEGER NOT NULL, t INTEGER NOT NULL,"
        " seq INTEGER NOT NULL, v REAL NOT NULL);"
        "CREATE INDEX IF NOT EXISTS samples_series_t ON samples(series, t);"
        "CREATE TABLE IF NOT EXISTS agg_1s(series INTEGER NOT NULL, b INTEGER NOT NULL,"
        " mn REAL, mx REAL, f REAL, l REAL, n INTEGER, ft INTEGER, lt INTEGER,"
        " PRIMARY KEY(series, b)) WITHOUT ROWID;"
        "CREATE TABLE IF NOT EXISTS agg_1m(series INTEGER NOT NULL, b INTEGER NOT NULL,"
        " mn REAL, mx REAL, f REAL, l REAL, n INTEGER, ft INTEGER, lt INTEGER,"
        " PRIMARY KEY(series, b)) WITHOUT ROWID;"
        "CREATE TABLE IF NOT EXISTS timeline(id INTEGER PRIMARY KEY, kind INTEGER NOT NULL,"
        " t0 INTEGER NOT NULL, t1 INTEGER NOT NULL, source TEXT NOT NULL, detail TEXT NOT NULL);"
        "CREATE INDEX IF NOT EXISTS timeline_t1 ON timeline(t1);",
        // 1 -> 2: recordings. Every received message (its arrival: wall ms and monotonic µs since
        // the recording started; its envelope's ts, seq, channel; its data as JSON text), and
        // what was recorded (key/value: url, dialect, channels, started, stopped, tool, ...).
        "CREATE TABLE IF NOT EXISTS frames(id INTEGER PRIMARY KEY, t INTEGER NOT NULL,"
        " us INTEGER NOT NULL, ts INTEGER NOT NULL, seq INTEGER NOT NULL, flags INTEGER NOT NULL,"
        " source TEXT NOT NULL, channel TEXT NOT NULL, data TEXT);"
        "CREATE INDEX IF NOT EXISTS frames_t ON frames(t);"
        "CREATE TABLE IF NOT EXISTS recording(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;",
    };
    static_assert(std::size(kMigrations) == kSchemaVersion);
    for (qint64 v = version; v < kSchemaVersion; ++v) {
        const QByteArray step = QByteArray("BEGIN IMMEDIATE;") + kMigrations[v] +
                                "PRAGMA user_version=" + QByteArray::number(v + 1) + ";COMMIT;";
        if (exec(db, step.constData()) != SQLITE_OK) {
            *error = QStringLiteral("upgrading the schema to version %1: %2")
                         .arg(v + 1)
                         .arg(QString::fromUtf8(sqlite3_errmsg(db)));
            exec(db, "ROLLBACK");
            return false;
        }
    }
    m_version = kSchemaVersion;
    return true;
}

bool HistoryStore::openFile(QString *error, bool *damaged, bool *busy)
{
    *damaged = false;
    *busy = false;
    const QByteArray path = QFile::encodeName(m_options.path);
    auto openOne = [&](sqlite3 **db) {
        int rc = sqlite3_open_v2(path.constData(), db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
        if (rc == SQLITE_OK)
            sqlite3_busy_timeout(*db, m_options.busyTimeoutMs);
        return rc;
    };
    auto classify = [&](int rc, sqlite3 *db) {
        const int base = rc & 0xff;
        *error = QString::fromUtf8(db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        *damaged = base == SQLITE_CORRUPT || base == SQLITE_NOTADB;
        *busy = base == SQLITE_BUSY || base == SQLITE_LOCKED;
        return false;
    };
    int rc = openOne(&m_writeDb);
    if (rc != SQLITE_OK)
        return classify(rc, m_writeDb);
    // Before anything writes the header (journal_mode=WAL does): on a new file this makes freed
    // pages go back to the file system (PRAGMA incremental_vacuum), so the file really shrinks under
    // retention by size. On an existing file it changes nothing.
    exec(m_writeDb, "PRAGMA auto_vacuum=INCREMENTAL");
    rc = exec(m_writeDb, "PRAGMA journal_mode=WAL");
    if (rc != SQLITE_OK)
        return classify(rc, m_writeDb);
    // Damage shows in quick_check (or as SQLITE_NOTADB/CORRUPT from the statements above).
    {
        Stmt check(m_writeDb, "PRAGMA quick_check");
        if (!check.ok())
            return classify(sqlite3_errcode(m_writeDb), m_writeDb);
        const int s = check.step();
        if (s != SQLITE_ROW)
            return classify(s, m_writeDb);
        const QString verdict = check.text(0);
        if (verdict != QLatin1StringView("ok")) {
            *error = QStringLiteral("quick_check: %1").arg(verdict);
            *damaged = true;
            return false;
        }
    }
    exec(m_writeDb, "PRAGMA synchronous=NORMAL");
    exec(m_writeDb, "PRAGMA journal_size_limit=67108864");
    if (m_options.maxPageCount > 0) {
        const QByteArray sql = "PRAGMA max_page_count=" + QByteArray::number(m_options.maxPageCount);
        exec(m_writeDb, sql.constData());
    }
    if (!createSchema(m_writeDb, error)) {
        const int base = sqlite3_errcode(m_writeDb) & 0xff;
        *damaged = base == SQLITE_CORRUPT || base == SQLITE_NOTADB;
        *busy = base == SQLITE_BUSY || base == SQLITE_LOCKED;
        return false;
    }
    rc = openOne(&m_readDb);
    if (rc != SQLITE_OK)
        return classify(rc, m_readDb);
    // Series known from earlier runs.
    if (!loadSeries(m_writeDb))
        return classify(sqlite3_errcode(m_writeDb), m_writeDb);
    return true;
}

bool HistoryStore::loadSeries(sqlite3 *db)
{
    Stmt s(db, "SELECT id, source, field FROM series");
    if (!s.ok())
        return false;
    std::lock_guard lock(m_seriesMutex);
    int r;
    while ((r = s.step()) == SQLITE_ROW) {
        const qint64 id = s.i64(0);
        const QPair<QString, QString> key(s.text(1), s.text(2));
        m_seriesIds.insert(key, id);
        m_seriesById.insert(id, key);
        m_nextSeries = std::max(m_nextSeries, id + 1);
    }
    return r == SQLITE_DONE;
}

bool HistoryStore::openForReading(QString *error)
{
    if (m_status.load() != Status::Closed || m_readDb) {
        *error = QStringLiteral("the store is open already");
        return false;
    }
    if (!QFileInfo(m_options.path).isFile()) {
        *error = QStringLiteral("no history at %1").arg(m_options.path);
        return false;
    }
    const QByteArray path = QFile::encodeName(m_options.path);
    std::lock_guard lock(m_readMutex);
    int rc =
        sqlite3_open_v2(path.constData(), &m_readDb, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(m_readDb, m_options.busyTimeoutMs);
        // The schema is read here, so a file that is not a store says so now, not at the first read.
        QString why;
        Stmt version(m_readDb, "PRAGMA user_version");
        if (!version.ok() || version.step() != SQLITE_ROW) {
            rc = sqlite3_errcode(m_readDb) != SQLITE_OK ? sqlite3_errcode(m_readDb) : SQLITE_NOTADB;
        } else if (version.i64(0) < 1 || version.i64(0) > kSchemaVersion) {
            // An older version is read as it is (what it lacks reads as empty); a newer one not.
            rc = SQLITE_NOTADB;
            why = version.i64(0) == 0 ? QStringLiteral("not a Pulseboard history")
                                      : QStringLiteral("schema version %1 is newer than this build's %2")
                                            .arg(version.i64(0))
                                            .arg(kSchemaVersion);
        } else if (!loadSeries(m_readDb)) {
            rc = sqlite3_errcode(m_readDb);
        } else {
            m_version = int(version.i64(0));
        }
        if (!why.isEmpty()) {
            *error = QStringLiteral("cannot read %1: %2").arg(m_options.path, why);
            sqlite3_close_v2(m_readDb);
            m_readDb = nullptr;
            return false;
        }
    }
    if (rc != SQLITE_OK) {
        *error = QStringLiteral("cannot read %1: %2")
                     .arg(m_options.path, QString::fromUtf8(m_readDb && sqlite3_errcode(m_readDb) != SQLITE_OK
                                                                ? sqlite3_errmsg(m_readDb)
                                                                : sqlite3_errstr(rc)));
        sqlite3_close_v2(m_readDb);
        m_readDb = nullptr;
        return false;
    }
    return true;
}

bool HistoryStore::splitSourceName(const QString &source, QString *server, QString *channel)
{
    const qsizetype bar = source.indexOf(QLatin1Char('|'));
    if (bar <= 0 || bar == source.size() - 1)
        return false;
    *server = source.left(bar);
    *channel = source.mid(bar + 1);
    return true;
}

void HistoryStore::setAside()
{
    const QString stamp = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    QString aside = m_options.path + QStringLiteral(".damaged-") + stamp;
    for (int i = 1; QFileInfo::exists(aside); ++i)
        aside = m_options.path + QStringLiteral(".damaged-") + stamp + QLatin1Char('-') + QString::number(i);
    QFile::rename(m_options.path, aside);
    // The WAL and shared-memory files belong to the damaged file: they go with it.
    for (const char *suffix : {"-wal", "-shm"}) {
        const QString side = m_options.path + QLatin1StringView(suffix);
        if (QFileInfo::exists(side))
            QFile::rename(side, aside + QLatin1StringView(suffix));
    }
    m_damagedPath = aside;
}

bool HistoryStore::open()
{
    if (m_status.load() != Status::Closed)
        return isWriting();
    const QFileInfo info(m_options.path);
    if (!QDir().mkpath(info.absolutePath())) {
        fail(Status::Failed, QStringLiteral("cannot create %1").arg(info.absolutePath()));
        return false;
    }
    // One writer per file: a second dashboard on the same history runs live without it.
    m_lock = std::make_unique<QLockFile>(m_options.path + QStringLiteral(".lock"));
    m_lock->setStaleLockTime(0);
    if (!m_lock->tryLock(0)) {
        m_lock.reset();
        fail(Status::Locked, QStringLiteral("locked"));
        return false;
    }
    auto closeDbs = [this] {
        sqlite3_close_v2(m_writeDb);
        sqlite3_close_v2(m_readDb);
        m_writeDb = m_readDb = nullptr;
        std::lock_guard lock(m_seriesMutex);
        m_seriesIds.clear();
        m_seriesById.clear();
        m_nextSeries = 1;
    };
    QString error;
    bool damaged = false, busy = false;
    Status status = Status::Ok;
    QString why;
    if (!openFile(&error, &damaged, &busy)) {
        closeDbs();
        if (busy) {
            m_lock.reset();
            fail(Status::Locked, error);
            return false;
        }
        if (!damaged) {
            m_lock.reset();
            fail(Status::Failed, error);
            return false;
        }
        setAside();
        why = error;
        if (!openFile(&error, &damaged, &busy)) {
            closeDbs();
            m_lock.reset();
            fail(Status::Failed, error);
            return false;
        }
        status = Status::Damaged;
    }
    fail(status, why);
    m_stop = false;
    m_writer = std::thread([this] { writerLoop(); });
    return true;
}

void HistoryStore::close()
{
    if (m_writer.joinable()) {
        {
            std::lock_guard lock(m_queueMutex);
            m_stop = true;
        }
        m_wake.notify_all();
        m_writer.join();
    }
    {
        std::lock_guard lock(m_readMutex);
        sqlite3_close_v2(m_readDb);
        m_readDb = nullptr;
    }
    if (m_writeDb) {
        exec(m_writeDb, "PRAGMA wal_checkpoint(TRUNCATE)");
        sqlite3_close_v2(m_writeDb);
        m_writeDb = nullptr;
    }
    m_lock.reset();
    m_version = 0;
    if (isWriting())
        m_status.store(Status::Closed);
}

qint64 HistoryStore::seriesId(const QString &source, const QString &field)
{
    if (!isWriting() && m_status.load() != Status::Full)
        return 0;
    const QPair<QString, QString> key(source, field);
    qint64 id;
    {
        std::lock_guard lock(m_seriesMutex);
        const auto it = m_seriesIds.constFind(key);
        if (it != m_seriesIds.cend())
            return *it;
        id = m_nextSeries++;
        m_seriesIds.insert(key, id);
        m_seriesById.insert(id, key);
    }
    Item item;
    item.kind = Item::Kind::Series;
    item.event.fromMs = id;
    item.event.source = source;
    item.event.detail = field;
    std::lock_guard lock(m_queueMutex);
    m_queue.push_back(std::move(item));
    ++m_enqueued;
    return id;
}

QHash<qint64, QPair<QString, QString>> HistoryStore::series() const
{
    std::lock_guard lock(m_seriesMutex);
    return m_seriesById;
}

bool HistoryStore::append(qint64 series, qint64 timeMs, qint64 seq, double value)
{
    if (!isWriting() || !std::isfinite(value)) {
        ++m_refused;
        return false;
    }
    {
        std::lock_guard lock(m_queueMutex);
        if (m_queuedSamples >= m_options.queueCapacity) {
            ++m_refused;
            return false;
        }
        Item item;
        item.sample = {series, timeMs, seq, value};
        m_queue.push_back(std::move(item));
        ++m_queuedSamples;
        ++m_enqueued;
    }
    return true;
}

bool HistoryStore::appendEvent(const HistoryEvent &event)
{
    if (!isWriting())
        return false;
    Item item;
    item.kind = Item::Kind::Event;
    item.event = event;
    std::lock_guard lock(m_queueMutex);
    m_queue.push_back(std::move(item));
    ++m_enqueued;
    return true;
}

bool HistoryStore::appendFrame(HistoryFrame frame)
{
    if (!isWriting()) {
        ++m_framesRefused;
        return false;
    }
    Item item;
    item.kind = Item::Kind::Frame;
    item.frame = std::make_unique<HistoryFrame>(std::move(frame));
    std::lock_guard lock(m_queueMutex);
    if (m_queuedSamples >= m_options.queueCapacity) {
        ++m_framesRefused;
        return false;
    }
    m_queue.push_back(std::move(item));
    ++m_queuedSamples; // frames and samples share the queue's capacity
    ++m_enqueued;
    return true;
}

bool HistoryStore::setRecordingInfo(const QString &key, const QString &value)
{
    if (!isWriting())
        return false;
    Item item;
    item.kind = Item::Kind::Info;
    item.event.source = key;
    item.event.detail = value;
    std::lock_guard lock(m_queueMutex);
    m_queue.push_back(std::move(item));
    ++m_enqueued;
    return true;
}

int HistoryStore::queuedSamples() const
{
    std::lock_guard lock(m_queueMutex);
    return m_queuedSamples;
}

void HistoryStore::flush()
{
    std::unique_lock lock(m_queueMutex);
    if (!m_writer.joinable())
        return;
    const quint64 target = m_enqueued;
    m_flushWanted = true;
    m_wake.notify_all();
    m_done.wait(lock, [&] { return m_processed >= target || m_stop; });
}

void HistoryStore::applyRetention(qint64 nowMs)
{
    std::unique_lock lock(m_queueMutex);
    if (!m_writer.joinable())
        return;
    m_retentionNow = nowMs;
    const quint64 request = ++m_retentionRequests;
    m_wake.notify_all();
    m_done.wait(lock, [&] { return m_retentionDone >= request || m_stop; });
}

void HistoryStore::writerLoop()
{
    using Clock = std::chrono::steady_clock;
    auto nextRetention = Clock::now() + std::chrono::milliseconds(m_options.retentionIntervalMs);
    std::vector<Item> items;
    std::unique_lock lock(m_queueMutex);
    for (;;) {
        m_wake.wait_for(lock, std::chrono::milliseconds(m_options.batchIntervalMs), [&] {
            return m_stop || m_retentionRequests > m_retentionDone || m_flushWanted ||
                   m_queuedSamples >= std::max(1, m_options.queueCapacity / 4);
        });
        items.clear();
        items.swap(m_queue);
        m_queuedSamples = 0;
        m_flushWanted = false;
        const bool stop = m_stop;
        const qint64 retentionNow = m_retentionRequests > m_retentionDone ? m_retentionNow : -1;
        const quint64 retentionRequest = m_retentionRequests;
        lock.unlock();
        if (!items.empty())
            writeBatch(items);
        const bool due = Clock::now() >= nextRetention;
        if ((retentionNow >= 0 || due) && m_status.load() != Status::Full &&
            m_status.load() != Status::Failed) {
            retention(retentionNow >= 0 ? retentionNow : QDateTime::currentMSecsSinceEpoch());
            nextRetention = Clock::now() + std::chrono::milliseconds(m_options.retentionIntervalMs);
        }
        lock.lock();
        m_processed += items.size();
        if (retentionNow >= 0)
            m_retentionDone = retentionRequest;
        m_done.notify_all();
        if (stop && m_queue.empty())
            return;
    }
}

bool HistoryStore::writeBatch(std::vector<Item> &items)
{
    qint64 samples = 0, frames = 0;
    for (const Item &item : items) {
        samples += item.kind == Item::Kind::Sample;
        frames += item.kind == Item::Kind::Frame;
    }
    if (m_status.load() == Status::Full || m_status.load() == Status::Failed) {
        m_lost += samples;
        m_framesLost += frames;
        return false;
    }
    sqlite3 *db = m_writeDb;
    auto failed = [&](int rc) {
        exec(db, "ROLLBACK");
        m_lost += samples;
        m_framesLost += frames;
        const int base = rc & 0xff;
        const QString msg = QString::fromUtf8(sqlite3_errstr(rc));
        if (base == SQLITE_FULL)
            fail(Status::Full, QStringLiteral("the disk is full (%1)").arg(msg));
        else
            fail(Status::Failed, QStringLiteral("writing failed (%1)").arg(msg));
        return false;
    };
    // Another program holding the write lock only delays the batch (the queue fills meanwhile and
    // refuses, counted); it is retried until the lock goes or the store closes.
    int rc;
    while ((rc = exec(db, "BEGIN IMMEDIATE")) == SQLITE_BUSY) {
        std::lock_guard lock(m_queueMutex);
        if (m_stop)
            break;
    }
    if (rc != SQLITE_OK)
        return failed(rc);
    Stmt ins(db, "INSERT INTO samples(series, t, seq, v) VALUES(?,?,?,?)");
    Stmt ser(db, "INSERT OR IGNORE INTO series(id, source, field) VALUES(?,?,?)");
    Stmt ev(db, "INSERT INTO timeline(kind, t0, t1, source, detail) VALUES(?,?,?,?,?)");
    Stmt fr(db, "INSERT INTO frames(t, us, ts, seq, flags, source, channel, data) VALUES(?,?,?,?,?,?,?,?)");
    Stmt info(db, "INSERT OR REPLACE INTO recording(key, value) VALUES(?,?)");
    if (!ins.ok() || !ser.ok() || !ev.ok() || !fr.ok() || !info.ok())
        return failed(sqlite3_errcode(db));
    // Tier rows of this batch, merged into the stored ones with one upsert each.
    std::map<std::pair<qint64, qint64>, Acc> tiers[2];
    for (const Item &item : items) {
        if (item.kind == Item::Kind::Sample) {
            const HistorySample &s = item.sample;
            rc = ins.run(s.series, s.timeMs, s.seq, s.value);
            if (rc != SQLITE_DONE)
                return failed(rc);
            tiers[0][{s.series, floorTo(s.timeMs, kTier1s)}].add(s.timeMs, s.value);
            tiers[1][{s.series, floorTo(s.timeMs, kTier1m)}].add(s.timeMs, s.value);
        } else if (item.kind == Item::Kind::Series) {
            rc = ser.run(item.event.fromMs, item.event.source, item.event.detail);
            if (rc != SQLITE_DONE)
                return failed(rc);
        } else if (item.kind == Item::Kind::Frame) {
            const HistoryFrame &f = *item.frame;
            rc = fr.run(f.arrivalMs, f.offsetUs, f.serverTs, f.seq, qint64(f.flags), f.source, f.channel,
                        f.data);
            if (rc != SQLITE_DONE)
                return failed(rc);
        } else if (item.kind == Item::Kind::Info) {
            rc = info.run(item.event.source, item.event.detail);
            if (rc != SQLITE_DONE)
                return failed(rc);
        } else {
            rc = ev.run(qint64(item.event.kind), item.event.fromMs, item.event.toMs, item.event.source,
                        item.event.detail);
            if (rc != SQLITE_DONE)
                return failed(rc);
        }
    }
    for (int tier = 0; tier < 2; ++tier) {
        const QByteArray sql = QByteArray("INSERT INTO ") + kTierTables[tier] +
                               "(series, b, mn, mx, f, l, n, ft, lt) VALUES(?,?,?,?,?,?,?,?,?)"
                               " ON CONFLICT(series, b) DO UPDATE SET mn=min(mn, excluded.mn),"
                               " mx=max(mx, excluded.mx),"
                               " f=CASE WHEN excluded.ft < ft THEN excluded.f ELSE f END,"
                               " ft=min(ft, excluded.ft),"
                               " l=CASE WHEN excluded.lt >= lt THEN excluded.l ELSE l END,"
                               " lt=max(lt, excluded.lt), n=n+excluded.n";
        Stmt up(db, sql.constData());
        if (!up.ok())
            return failed(sqlite3_errcode(db));
        for (const auto &[key, a] : tiers[tier]) {
            rc = up.run(key.first, key.second, a.min, a.max, a.first, a.last, a.count, a.firstMs, a.lastMs);
            if (rc != SQLITE_DONE)
                return failed(rc);
        }
    }
    rc = exec(db, "COMMIT");
    if (rc != SQLITE_OK)
        return failed(rc);
    m_written += samples;
    m_framesWritten += frames;
    ++m_batches;
    return true;
}

void HistoryStore::retention(qint64 nowMs)
{
    sqlite3 *db = m_writeDb;
    auto run = [&](const QByteArray &sql, qint64 a) {
        Stmt s(db, sql.constData());
        if (!s.ok())
            return false;
        s.bind(1, a);
        return s.step() == SQLITE_DONE;
    };
    if (m_options.maxAgeMs > 0) {
        const qint64 cutoff = nowMs - m_options.maxAgeMs;
        exec(db, "BEGIN IMMEDIATE");
        run("DELETE FROM samples WHERE t < ?", cutoff);
        run("DELETE FROM agg_1s WHERE b < ?", floorTo(cutoff, kTier1s));
        run("DELETE FROM agg_1m WHERE b < ?", floorTo(cutoff, kTier1m));
        run("DELETE FROM timeline WHERE t1 < ?", cutoff);
        run("DELETE FROM frames WHERE t < ?", cutoff);
        exec(db, "COMMIT");
    }
    if (m_options.maxBytes > 0) {
        // Oldest first: raw samples go before the 1 s tier, the 1 s tier before the 1 min tier, so
        // a long look back stays (coarser) when the raw data of the far past had to go.
        for (int round = 0; round < 64 && usedBytes() > m_options.maxBytes; ++round) {
            const qint64 used = usedBytes();
            // Delete a share of the oldest rows proportional to the excess (at least 5 %).
            const double share =
                std::clamp(double(used - m_options.maxBytes) / double(used) + 0.05, 0.05, 1.0);
            bool deleted = false;
            // Raw samples first, by rowid: rows are appended in arrival order, so the lowest rowids
            // are the oldest and finding them costs no scan or sort of a table of millions.
            const qint64 lo = pragmaInt(db, "SELECT coalesce(min(rowid), 0) FROM samples");
            const qint64 hi = pragmaInt(db, "SELECT coalesce(max(rowid), 0) FROM samples");
            if (hi > 0) {
                const qint64 n = hi - lo + 1;
                const qint64 drop = std::max<qint64>(1, qint64(std::ceil(double(n) * share)));
                qint64 cutoff = 0;
                {
                    Stmt s(db, "SELECT t FROM samples WHERE rowid >= ? ORDER BY rowid LIMIT 1");
                    s.bind(1, lo + drop);
                    cutoff = s.ok() && s.step() == SQLITE_ROW ? s.i64(0) : std::numeric_limits<qint64>::max();
                }
                exec(db, "BEGIN IMMEDIATE");
                run("DELETE FROM samples WHERE rowid < ?", lo + drop);
                run("DELETE FROM timeline WHERE t1 < ?", std::min(cutoff, nowMs - 1));
                exec(db, "COMMIT");
                deleted = true;
            }
            // No raw samples left: the 1 s tier, then the 1 min tier, oldest buckets first.
            for (const char *table : {"agg_1s", "agg_1m"}) {
                if (deleted)
                    break;
                const QByteArray count = QByteArray("SELECT count(*) FROM ") + table;
                const qint64 n = pragmaInt(db, count.constData());
                if (n <= 0)
                    continue;
                const qint64 drop = std::max<qint64>(1, qint64(std::ceil(double(n) * share)));
                const QByteArray pick = QByteArray("SELECT b FROM ") + table + " ORDER BY b LIMIT 1 OFFSET ?";
                qint64 cutoff;
                {
                    Stmt s(db, pick.constData());
                    s.bind(1, std::min(drop, n - 1));
                    cutoff = s.ok() && s.step() == SQLITE_ROW ? s.i64(0) : 0;
                }
                exec(db, "BEGIN IMMEDIATE");
                if (drop >= n)
                    exec(db, (QByteArray("DELETE FROM ") + table).constData());
                else
                    run("DELETE FROM " + QByteArray(table) + " WHERE b <= ?", cutoff);
                run("DELETE FROM timeline WHERE t1 < ?", cutoff);
                exec(db, "COMMIT");
                deleted = true;
            }
            exec(db, "PRAGMA incremental_vacuum");
            if (!deleted)
                break;
        }
    }
    exec(db, "PRAGMA incremental_vacuum");
    exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
}

qint64 HistoryStore::usedBytes() const
{
    sqlite3 *db = m_writeDb;
    if (!db)
        return 0;
    // (Called from the writer thread, or while it is stopped: the write connection is its own.)
    const qint64 pages = pragmaInt(db, "PRAGMA page_count");
    const qint64 freePages = pragmaInt(db, "PRAGMA freelist_count");
    const qint64 size = pragmaInt(db, "PRAGMA page_size");
    return (pages - freePages) * size;
}

qint64 HistoryStore::fileBytes() const
{
    return QFileInfo(m_options.path).size() + QFileInfo(m_options.path + QStringLiteral("-wal")).size();
}

qint64 HistoryStore::tierFor(qint64 bucketMs)
{
    if (bucketMs >= kTier1m && bucketMs % kTier1m == 0)
        return kTier1m;
    if (bucketMs >= kTier1s && bucketMs % kTier1s == 0)
        return kTier1s;
    return 0;
}

QList<HistoryBucket> HistoryStore::buckets(qint64 series, qint64 fromMs, qint64 toMs, qint64 bucketMs) const
{
    QList<HistoryBucket> out;
    if (bucketMs <= 0 || toMs <= fromMs)
        return out;
    std::lock_guard lock(m_readMutex);
    if (!m_readDb)
        return out;
    const qint64 tier = tierFor(bucketMs);
    Acc acc;
    qint64 current = 0;
    auto closeBucket = [&] {
        if (acc.count > 0)
            out.append({current, acc.min, acc.max, acc.first, acc.last, acc.count, acc.firstMs, acc.lastMs});
        acc = Acc();
    };
    auto take = [&](qint64 t, double mn, double mx, double f, double l, qint64 n, qint64 ft, qint64 lt) {
        const qint64 b = floorTo(t, bucketMs);
        if (acc.count > 0 && b != current)
            closeBucket();
        current = b;
        acc.merge(mn, mx, f, l, n, ft, lt);
    };
    // Only whole output buckets hold tier rows (the widths divide): a tier row at b lies inside
    // [fromMs, toMs) exactly when its output bucket does, with from/to taken to the tier's grid.
    if (tier == 0) {
        Stmt s(m_readDb, "SELECT t, v FROM samples WHERE series=? AND t>=? AND t<? ORDER BY t");
        if (!s.ok())
            return out;
        s.bindAll(series, fromMs, toMs);
        while (s.step() == SQLITE_ROW) {
            const double v = s.dbl(1);
            const qint64 t = s.i64(0);
            take(t, v, v, v, v, 1, t, t);
        }
    } else {
        const QByteArray sql = QByteArray("SELECT b, mn, mx, f, l, n, ft, lt FROM ") +
                               (tier == kTier1m ? "agg_1m" : "agg_1s") +
                               " WHERE series=? AND b>=? AND b<? ORDER BY b";
        Stmt s(m_readDb, sql.constData());
        if (!s.ok())
            return out;
        s.bindAll(series, floorTo(fromMs, tier), toMs);
        while (s.step() == SQLITE_ROW)
            take(s.i64(0), s.dbl(1), s.dbl(2), s.dbl(3), s.dbl(4), s.i64(5), s.i64(6), s.i64(7));
    }
    closeBucket();
    return out;
}

QList<HistorySample> HistoryStore::samples(qint64 series, qint64 fromMs, qint64 toMs) const
{
    QList<HistorySample> out;
    forEachSample(series, fromMs, toMs, [&](const HistorySample &sample) {
        out.append(sample);
        return true;
    });
    return out;
}

void HistoryStore::forEachSample(qint64 series, qint64 fromMs, qint64 toMs,
                                 const std::function<bool(const HistorySample &)> &take) const
{
    std::lock_guard lock(m_readMutex);
    if (!m_readDb)
        return;
    Stmt s(m_readDb, "SELECT t, seq, v FROM samples WHERE series=? AND t>=? AND t<? ORDER BY t, rowid");
    if (!s.ok())
        return;
    s.bindAll(series, fromMs, toMs);
    while (s.step() == SQLITE_ROW) {
        if (!take({series, s.i64(0), s.i64(1), s.dbl(2)}))
            break;
    }
}

QList<HistoryEvent> HistoryStore::timeline(qint64 fromMs, qint64 toMs) const
{
    QList<HistoryEvent> out;
    std::lock_guard lock(m_readMutex);
    if (!m_readDb)
        return out;
    Stmt s(m_readDb,
           "SELECT kind, t0, t1, source, detail FROM timeline WHERE t1>=? AND t0<? ORDER BY t0, id");
    if (!s.ok())
        return out;
    s.bindAll(fromMs, toMs);
    while (s.step() == SQLITE_ROW)
        out.append({HistoryEvent::Kind(s.i64(0)), s.i64(1), s.i64(2), s.text(3), s.text(4)});
    return out;
}

bool HistoryStore::forEachFrame(const std::function<bool(const HistoryFrame &)> &take, QString *error) const
{
    std::lock_guard lock(m_readMutex);
    if (!m_readDb) {
        if (error)
            *error = QStringLiteral("not open");
        return false;
    }
    if (!hasFrames())
        return true;
    Stmt s(m_readDb, "SELECT t, us, ts, seq, flags, source, channel, data FROM frames ORDER BY id");
    auto failed = [&] {
        if (error)
            *error = QString::fromUtf8(sqlite3_errmsg(m_readDb));
        return false;
    };
    if (!s.ok())
        return failed();
    HistoryFrame f;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        f.arrivalMs = s.i64(0);
        f.offsetUs = s.i64(1);
        f.serverTs = s.i64(2);
        f.seq = s.i64(3);
        f.flags = int(s.i64(4));
        f.source = s.text(5);
        f.channel = s.text(6);
        f.data = s.bytes(7);
        if (!take(f))
            return true;
    }
    return rc == SQLITE_DONE ? true : failed();
}

qint64 HistoryStore::frameCount() const
{
    std::lock_guard lock(m_readMutex);
    if (!m_readDb || !hasFrames())
        return 0;
    return pragmaInt(m_readDb, "SELECT count(*) FROM frames");
}

QHash<QString, QString> HistoryStore::recordingInfo() const
{
    QHash<QString, QString> out;
    std::lock_guard lock(m_readMutex);
    if (!m_readDb || !hasFrames())
        return out;
    Stmt s(m_readDb, "SELECT key, value FROM recording");
    while (s.ok() && s.step() == SQLITE_ROW)
        out.insert(s.text(0), s.text(1));
    return out;
}

bool HistoryStore::range(qint64 series, qint64 *fromMs, qint64 *toMs) const
{
    std::lock_guard lock(m_readMutex);
    if (!m_readDb)
        return false;
    Stmt s(m_readDb, "SELECT min(ft), max(lt) FROM agg_1m WHERE series=?");
    if (!s.ok())
        return false;
    s.bind(1, series);
    if (s.step() != SQLITE_ROW || sqlite3_column_type(s.get(), 0) == SQLITE_NULL)
        return false;
    *fromMs = s.i64(0);
    *toMs = s.i64(1);
    return true;
}

bool HistoryStore::parseRetention(const QString &text, qint64 *maxAgeMs, qint64 *maxBytes, QString *error)
{
    bool ageSeen = false, sizeSeen = false;
    qint64 age = *maxAgeMs, bytes = *maxBytes;
    const QStringList parts = text.split(QLatin1Char(','));
    for (const QString &raw : parts) {
        const QString part = raw.trimmed();
        int i = 0;
        while (i < part.size() && (part[i].isDigit() || part[i] == QLatin1Char('.')))
            ++i;
        bool ok = false;
        const double n = part.left(i).toDouble(&ok);
        const QString unit = part.mid(i).trimmed();
        if (!ok || n < 0) {
            *error = QStringLiteral("'%1' is not an age (e.g. 7d) or a size (e.g. 2GiB)").arg(part);
            return false;
        }
        static const QList<QPair<QString, double>> ages = {{QStringLiteral("s"), 1e3},
                                                           {QStringLiteral("m"), 60e3},
                                                           {QStringLiteral("h"), 3600e3},
                                                           {QStringLiteral("d"), 86400e3},
                                                           {QStringLiteral("w"), 7 * 86400e3}};
        static const QList<QPair<QString, double>> sizes = {
            {QStringLiteral("B"), 1},
            {QStringLiteral("KB"), 1e3},
            {QStringLiteral("MB"), 1e6},
            {QStringLiteral("GB"), 1e9},
            {QStringLiteral("TB"), 1e12},
            {QStringLiteral("KiB"), 1024.0},
            {QStringLiteral("MiB"), 1024.0 * 1024},
            {QStringLiteral("GiB"), 1024.0 * 1024 * 1024},
            {QStringLiteral("TiB"), 1024.0 * 1024 * 1024 * 1024}};
        double factor = 0;
        bool isAge = false;
        if (unit.isEmpty() && n == 0) {
            *error = QStringLiteral("'0' needs a unit: 0d (no limit by age) or 0B (no limit by size)");
            return false;
        }
        for (const auto &[u, f] : ages)
            if (unit == u)
                factor = f, isAge = true;
        for (const auto &[u, f] : sizes)
            if (unit.compare(u, Qt::CaseInsensitive) == 0)
                factor = f;
        if (factor == 0) {
            *error = QStringLiteral("'%1': unknown unit '%2' (ages: s, m, h, d, w; sizes: B, KB, MB, GB, TB, "
                                    "KiB, MiB, GiB, TiB)")
                         .arg(part, unit);
            return false;
        }
        if ((isAge && ageSeen) || (!isAge && sizeSeen)) {
            *error = QStringLiteral("'%1' gives the %2 twice")
                         .arg(text, isAge ? QStringLiteral("age") : QStringLiteral("size"));
            return false;
        }
        const double value = n * factor;
        if (value > 9e18) {
            *error = QStringLiteral("'%1' is too large").arg(part);
            return false;
        }
        if (isAge) {
            ageSeen = true;
            age = qint64(value);
        } else {
            sizeSeen = true;
            bytes = qint64(value);
            if (bytes != 0 && bytes < 1024 * 1024) {
                *error = QStringLiteral("'%1': a history smaller than 1MiB keeps nothing useful").arg(part);
                return false;
            }
        }
    }
    *maxAgeMs = age;
    *maxBytes = bytes;
    return true;
}

qint64 HistoryStore::newestTime() const
{
    std::lock_guard lock(m_readMutex);
    if (!m_readDb)
        return 0;
    Stmt s(
        m_readDb,
        "SELECT max(coalesce((SELECT max(lt) FROM agg_1m), 0), coalesce((SELECT max(t1) FROM timeline), 0))");
    return s.ok() && s.step() == SQLITE_ROW ? s.i64(0) : 0;
}

QString HistoryStore::integrityCheck() const
{
    std::lock_guard lock(m_readMutex);
    if (!m_readDb)
        return QStringLiteral("not open");
    Stmt s(m_readDb, "PRAGMA integrity_check");
    QStringList lines;
    while (s.ok() && s.step() == SQLITE_ROW)
        lines << s.text(0);
    return lines.join(QLatin1Char('\n'));
}

} // namespace Pulseboard
