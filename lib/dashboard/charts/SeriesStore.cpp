#include "SeriesStore.h"

#include "history/HistoryExport.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QSaveFile>
#include <QTextStream>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <functional>

namespace Pulseboard {

SeriesStore::SeriesStore(QObject *parent) : SeriesStore(Limits{}, parent) {}

SeriesStore::SeriesStore(const Limits &limits, QObject *parent) : QObject(parent), m_limits(limits) {}

SeriesStore::~SeriesStore() = default;

StreamBuffer *SeriesStore::ensure(Source &source, const QString &path, bool *added)
{
    auto it = source.series.find(path);
    if (it != source.series.end())
        return it->get();
    // A deep copy: `path` may be a buffer its owner keeps changing; sharing it would make
    // every later change detach (allocate).
    const QString key(path.constData(), path.size());
    if (source.series.size() >= m_limits.maxFieldsPerSource) {
        source.dropped.insert(key);
        return nullptr;
    }
    auto buffer = std::make_shared<StreamBuffer>(m_limits.capacityPerSeries);
    StreamBuffer *raw = buffer.get();
    source.series.insert(key, std::move(buffer));
    source.order.append(key);
    *added = true;
    return raw;
}

namespace {

struct StoreVisitor : NumericFieldVisitor
{
    std::function<StreamBuffer *(const QString &)> find;
    qint64 t = 0;
    qint64 horizon = 0;
    int stored = 0;
    SeriesStore::SampleTap *tap = nullptr;
    void field(const QString &path, double value) override
    {
        if (StreamBuffer *buffer = find(path)) {
            buffer->append(t, value);
            buffer->dropBefore(horizon);
            ++stored;
            if (tap)
                tap->sample(path, t, value);
        }
    }
};

} // namespace

void SeriesStore::noteFieldsChanged(const SeriesKey &source)
{
    if (!source.isChannel())
        return;
    if (QThread::currentThread() == thread()) {
        Q_EMIT fieldsChanged(source.name);
        return;
    }
    const QString name = source.name;
    QMetaObject::invokeMethod(
        this, [this, name] { Q_EMIT fieldsChanged(name); }, Qt::QueuedConnection);
}

int SeriesStore::ingest(const SeriesKey &name, qint64 t, const QJsonValue &data)
{
    return ingest(name, t, JsonView(data));
}

int SeriesStore::ingest(const SeriesKey &name, qint64 t, const JsonView &data)
{
    return ingest(name, t, data, nullptr);
}

int SeriesStore::ingest(const SeriesKey &name, qint64 t, const JsonView &data, SampleTap *tap)
{
    const QMutexLocker locker(&m_mutex);
    Source &source = m_sources[name];
    bool added = false;
    StoreVisitor visitor;
    visitor.find = [&](const QString &path) { return ensure(source, path, &added); };
    visitor.t = t;
    visitor.horizon = t - m_limits.retentionMs;
    visitor.tap = tap;
    if (walkNumericFields(data, visitor, m_limits.discovery))
        source.truncated = true;
    if (added)
        noteFieldsChanged(name);
    return visitor.stored;
}

void SeriesStore::addSample(const SeriesKey &name, const QString &path, qint64 t, double value)
{
    const QMutexLocker locker(&m_mutex);
    Source &source = m_sources[name];
    bool added = false;
    if (StreamBuffer *buffer = ensure(source, path, &added)) {
        buffer->append(t, value);
        buffer->dropBefore(t - m_limits.retentionMs);
    }
    if (added)
        noteFieldsChanged(name);
}

const StreamBuffer *SeriesStore::buffer(const SeriesKey &source, const QString &path) const
{
    const QMutexLocker locker(&m_mutex);
    const auto s = m_sources.constFind(source);
    if (s == m_sources.constEnd())
        return nullptr;
    const auto b = s->series.constFind(path);
    return b == s->series.constEnd() ? nullptr : b->get();
}

QStringList SeriesStore::fields(const SeriesKey &source) const
{
    const QMutexLocker locker(&m_mutex);
    return m_sources.value(source).order;
}

QList<SeriesKey> SeriesStore::keys() const
{
    const QMutexLocker locker(&m_mutex);
    QList<SeriesKey> keys = m_sources.keys();
    std::sort(keys.begin(), keys.end());
    return keys;
}

QStringList SeriesStore::sources() const
{
    const QMutexLocker locker(&m_mutex);
    QStringList names;
    for (auto it = m_sources.cbegin(); it != m_sources.cend(); ++it)
        if (it.key().isChannel())
            names.append(it.key().name);
    names.sort();
    return names;
}

QVariant SeriesStore::latest(const SeriesKey &source, const QString &path) const
{
    const QMutexLocker locker(&m_mutex);
    const StreamBuffer *b = buffer(source, path);
    if (!b || b->isEmpty())
        return QVariant();
    return b->last().v;
}

qint64 SeriesStore::latestTime(const SeriesKey &source, const QString &path) const
{
    const QMutexLocker locker(&m_mutex);
    const StreamBuffer *b = buffer(source, path);
    return (!b || b->isEmpty()) ? 0 : b->last().t;
}

int SeriesStore::droppedFieldCount(const SeriesKey &source) const
{
    const QMutexLocker locker(&m_mutex);
    const auto s = m_sources.constFind(source);
    return s == m_sources.constEnd() ? 0 : int(s->dropped.size());
}

void SeriesStore::clearSource(const SeriesKey &source)
{
    const QMutexLocker locker(&m_mutex);
    if (m_sources.remove(source))
        noteFieldsChanged(source);
}

void SeriesStore::clearChannels()
{
    const QMutexLocker locker(&m_mutex);
    for (const SeriesKey &key : keys())
        if (key.isChannel() && sourceOf(key).isEmpty())
            clearSource(key);
}

qint64 SeriesStore::allocatedBytes() const
{
    const QMutexLocker locker(&m_mutex);
    qint64 total = 0;
    for (const Source &s : m_sources)
        for (const auto &b : s.series)
            total += b->allocatedBytes();
    return total;
}

QString SeriesStore::exportCsv(const QString &fileName, const QVariantList &series, qint64 from,
                               qint64 to) const
{
    // A folder that is not there yet is made; one that cannot be is said by name.
    const QFileInfo info(fileName);
    if (info.isDir())
        return QStringLiteral("cannot write %1: it is a folder").arg(fileName);
    const QString folder = info.absolutePath();
    if (!QFileInfo(folder).isDir() && !QDir().mkpath(folder))
        return QStringLiteral("cannot write %1: the folder %2 cannot be created").arg(fileName, folder);
    QSaveFile file(fileName);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        return QStringLiteral("cannot write %1: %2").arg(fileName, file.errorString());
    QTextStream out(&file);
    out << "time_ms,time_iso,source,field,value\n";
    // Quoted only when needed: channel names may not contain spaces, but paths may hold commas.
    const QMutexLocker locker(&m_mutex);
    for (const QVariant &entry : series) {
        const QVariantMap spec = entry.toMap();
        SeriesKey key(spec.value(QStringLiteral("source")).toString());
        if (!SeriesKey::originFromName(spec.value(QStringLiteral("origin")).toString(), &key.origin))
            continue;
        const QString &source = key.name;
        const QString path = spec.value(QStringLiteral("path")).toString();
        const StreamBuffer *b = buffer(key, path);
        if (!b)
            continue;
        for (int i = b->lowerBound(from); i < b->size() && b->at(i).t <= to; ++i) {
            const StreamBuffer::Sample &s = b->at(i);
            out << s.t << ',' << QDateTime::fromMSecsSinceEpoch(s.t).toUTC().toString(Qt::ISODateWithMs)
                << ',' << csvField(source) << ',' << csvField(path) << ',' << csvNumber(s.v) << '\n';
        }
    }
    out.flush();
    if (!file.commit())
        return QStringLiteral("cannot write %1: %2").arg(fileName, file.errorString());
    return QString();
}

void SeriesStore::noteConnectionLost(qint64 t, const QString &source)
{
    QList<Outage> &outages = m_outages[source];
    if (!outages.isEmpty() && outages.constLast().up == 0)
        return; // already down
    outages.append({t, 0});
    ++m_outageRevision;
}

void SeriesStore::noteConnectionBack(qint64 t, const QString &source)
{
    auto it = m_outages.find(source);
    if (it == m_outages.end() || it->isEmpty() || it->constLast().up != 0)
        return;
    QList<Outage> &outages = *it;
    outages.last().up = qMax(t, outages.constLast().down);
    // Outages older than anything a chart can show are forgotten, and there are never many.
    const qint64 horizon = t - m_limits.retentionMs;
    outages.removeIf([horizon](const Outage &o) { return o.up != 0 && o.up < horizon; });
    while (outages.size() > kMaxOutages)
        outages.removeFirst();
    ++m_outageRevision;
}

const QList<Outage> &SeriesStore::outages(const QString &source) const
{
    static const QList<Outage> none;
    const auto it = m_outages.constFind(source);
    return it == m_outages.cend() ? none : *it;
}

QString SeriesStore::sourceOf(const SeriesKey &key) const
{
    if (!key.isChannel())
        return QString();
    for (const QString &name : m_sourceNames)
        if (key.name.size() > name.size() && key.name.at(name.size()) == u'/' && key.name.startsWith(name))
            return name;
    return QString();
}

} // namespace Pulseboard
