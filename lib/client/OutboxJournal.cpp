#include "OutboxJournal.h"

#include "Logging.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QtEndian>

#include <array>
#include <cmath>

namespace Pulseboard {

namespace {

constexpr QByteArrayView kMagic("PBJ1\n");
constexpr quint32 kMaxRecord = 64 * 1024 * 1024;
constexpr char kAdd = 'A';
constexpr char kRemove = 'D';

std::array<quint32, 256> makeCrcTable()
{
    std::array<quint32, 256> table{};
    for (quint32 i = 0; i < 256; ++i) {
        quint32 c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    return table;
}

QByteArray encodeAdd(const Outbox::Entry &e)
{
    using L = QLatin1StringView;
    const QJsonObject o{{L("id"), e.id},
                        {L("kind"), e.kind == Outbox::Kind::Publish ? L("publish") : L("request")},
                        {L("target"), e.target},
                        {L("frame"), QString::fromUtf8(e.frame)},
                        {L("enqueuedAtMs"), double(e.enqueuedAtMs)},
                        {L("attempts"), e.attempts}};
    return kAdd + QJsonDocument(o).toJson(QJsonDocument::Compact);
}

bool decodeAdd(QByteArrayView body, Outbox::Entry *out)
{
    using L = QLatin1StringView;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return false;
    const QJsonObject o = doc.object();
    if (!o.value(L("id")).isString() || !o.value(L("frame")).isString() || !o.value(L("target")).isString())
        return false;
    out->id = o.value(L("id")).toString();
    out->kind = o.value(L("kind")).toString() == L("request") ? Outbox::Kind::Request : Outbox::Kind::Publish;
    out->target = o.value(L("target")).toString();
    out->frame = o.value(L("frame")).toString().toUtf8();
    // A damaged or hostile file may hold any number here; converting one out of range is undefined.
    const double enqueuedAtMs = o.value(L("enqueuedAtMs")).toDouble();
    out->enqueuedAtMs = std::isfinite(enqueuedAtMs) && std::abs(enqueuedAtMs) <= 9007199254740991.0
                            ? qint64(enqueuedAtMs)
                            : 0;
    out->attempts = o.value(L("attempts")).toInt();
    out->state = Outbox::State::Queued;
    return !out->id.isEmpty();
}

QByteArray frameRecord(const QByteArray &payload)
{
    QByteArray record(8, Qt::Uninitialized);
    qToLittleEndian<quint32>(quint32(payload.size()), record.data());
    qToLittleEndian<quint32>(OutboxJournal::crc32(payload), record.data() + 4);
    record.append(payload);
    return record;
}

} // namespace

quint32 OutboxJournal::crc32(QByteArrayView data)
{
    static const std::array<quint32, 256> table = makeCrcTable();
    quint32 c = 0xFFFFFFFFu;
    for (char ch : data)
        c = table[(c ^ quint8(ch)) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

OutboxJournal::ParseResult OutboxJournal::parse(QByteArrayView data)
{
    ParseResult result;
    if (data.isEmpty())
        return result;
    if (!data.startsWith(kMagic)) {
        result.warning = QStringLiteral("not an outbox journal (bad header); starting with an empty queue");
        return result;
    }
    qsizetype pos = kMagic.size();
    result.goodBytes = pos;
    QList<Outbox::Entry> ordered;
    QHash<QString, qsizetype> index; // id -> position in `ordered`
    while (pos < data.size()) {
        if (data.size() - pos < 8) {
            result.warning = QStringLiteral("journal ends in a torn record header at byte %1").arg(pos);
            break;
        }
        const quint32 length = qFromLittleEndian<quint32>(data.data() + pos);
        const quint32 crc = qFromLittleEndian<quint32>(data.data() + pos + 4);
        if (length == 0 || length > kMaxRecord || qsizetype(length) > data.size() - pos - 8) {
            result.warning = QStringLiteral("journal record at byte %1 is torn or has a bad length").arg(pos);
            break;
        }
        const QByteArrayView payload = data.sliced(pos + 8, length);
        if (crc32(payload) != crc) {
            result.warning = QStringLiteral("journal record at byte %1 fails its checksum").arg(pos);
            break;
        }
        const QByteArrayView body = payload.sliced(1);
        if (payload.front() == kAdd) {
            Outbox::Entry e;
            if (!decodeAdd(body, &e)) {
                result.warning = QStringLiteral("journal record at byte %1 is unreadable").arg(pos);
                break;
            }
            if (!index.contains(e.id)) {
                index.insert(e.id, ordered.size());
                ordered.append(e);
            }
        } else if (payload.front() == kRemove) {
            const QString id = QString::fromUtf8(body);
            if (const auto it = index.constFind(id); it != index.cend()) {
                ordered[*it].id.clear(); // tombstone; order of the rest is kept
                index.erase(it);
            }
        } else {
            result.warning = QStringLiteral("journal record at byte %1 has an unknown kind").arg(pos);
            break;
        }
        pos += 8 + qsizetype(length);
        result.goodBytes = pos;
        ++result.records;
    }
    for (const Outbox::Entry &e : std::as_const(ordered)) {
        if (!e.id.isEmpty())
            result.live.append(e);
    }
    return result;
}

bool OutboxJournal::open(const QString &path, QList<Outbox::Entry> *restored, QString *warning,
                         QString *error)
{
    close();
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath())) {
        *error = QStringLiteral("cannot create the folder of queue file %1").arg(path);
        return false;
    }
    m_lock = std::make_unique<QLockFile>(path + QStringLiteral(".lock"));
    m_lock->setStaleLockTime(0); // a lock whose owner died (kill -9) is taken over
    if (!m_lock->tryLock(0)) {
        qint64 pid = 0;
        QString host, app;
        m_lock->getLockInfo(&pid, &host, &app);
        *error = QStringLiteral("queue file %1 is in use by another process (pid %2)").arg(path).arg(pid);
        m_lock.reset();
        return false;
    }
    ParseResult parsed;
    {
        QFile existing(path);
        if (existing.exists()) {
            if (!existing.open(QIODevice::ReadOnly)) {
                *error = QStringLiteral("cannot read queue file %1: %2").arg(path, existing.errorString());
                return false;
            }
            parsed = parse(existing.readAll());
        }
    }
    if (!parsed.warning.isEmpty()) {
        *warning = QStringLiteral("%1: %2; kept %3 queued message(s) from before the damage")
                       .arg(path, parsed.warning)
                       .arg(parsed.live.size());
        qCWarning(lcOutbox).noquote() << *warning;
    }
    m_file.setFileName(path);
    // Start from a compact image of what survived: no dead records, no damaged tail.
    if (!compact(parsed.live)) {
        *error = QStringLiteral("cannot write queue file %1: %2").arg(path, m_file.errorString());
        return false;
    }
    *restored = parsed.live;
    return true;
}

void OutboxJournal::close()
{
    if (m_file.isOpen())
        m_file.close();
    m_lock.reset();
    m_live = 0;
    m_dead = 0;
}

bool OutboxJournal::compact(const QList<Outbox::Entry> &live)
{
    const QString path = m_file.fileName();
    if (m_file.isOpen())
        m_file.close();
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return false;
    out.write(kMagic.data(), kMagic.size());
    for (const Outbox::Entry &e : live)
        out.write(frameRecord(encodeAdd(e)));
    if (!out.commit())
        return false;
    m_live = live.size();
    m_dead = 0;
    m_file.setFileName(path);
    return m_file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered);
}

void OutboxJournal::writeRecord(const QByteArray &payload)
{
    if (!m_file.isOpen())
        return;
    // Unbuffered: each record reaches the kernel at once, so it survives the process dying.
    const QByteArray record = frameRecord(payload);
    if (m_file.write(record) != record.size())
        qCWarning(lcOutbox).noquote()
            << "cannot append to queue file" << m_file.fileName() << m_file.errorString();
}

void OutboxJournal::recordAdd(const Outbox::Entry &entry)
{
    writeRecord(encodeAdd(entry));
    ++m_live;
}

void OutboxJournal::recordRemove(const QString &id)
{
    writeRecord(kRemove + id.toUtf8());
    --m_live;
    m_dead += 2;
}

} // namespace Pulseboard
