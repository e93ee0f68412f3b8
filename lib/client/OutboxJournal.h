// Write-through journal of the Outbox, so publishes queued or awaiting their ack survive a crash
// or `kill -9` and go out after the next start. Append-only records, each with its length and a
// CRC-32; a torn or corrupt tail is cut off with a warning and never stops the app from starting.
// Compacted at open, and whenever dead records outweigh the live ones.
#pragma once

#include "Outbox.h"

#include <QFile>
#include <QList>
#include <QLockFile>
#include <QString>

#include <memory>

namespace Pulseboard {

class OutboxJournal
{
public:
    struct ParseResult
    {
        QList<Outbox::Entry> live; // added and not yet removed, in order
        qsizetype goodBytes = 0;   // length of the intact prefix
        int records = 0;
        QString warning; // non-empty when a damaged tail was found
    };

    // Reads a journal image; pure, so the fuzzer can hammer it.
    static ParseResult parse(QByteArrayView data);
    static quint32 crc32(QByteArrayView data);

    // Opens (creating if needed) and loads `path`. Entries that survive are returned in order;
    // a damaged tail is cut off and described in `warning`. Returns false only when the file
    // cannot be created or written at all (`error`).
    bool open(const QString &path, QList<Outbox::Entry> *restored, QString *warning, QString *error);
    bool isOpen() const { return m_file.isOpen(); }
    QString path() const { return m_file.fileName(); }
    void close();

    void recordAdd(const Outbox::Entry &entry);
    void recordRemove(const QString &id);
    // Rewrites the file with just `live` (atomically: temp file + rename).
    bool compact(const QList<Outbox::Entry> &live);
    qint64 deadRecords() const { return m_dead; }

private:
    void writeRecord(const QByteArray &payload);

    QFile m_file;
    std::unique_ptr<QLockFile> m_lock; // one process per journal: two would deliver twice
    qint64 m_live = 0;
    qint64 m_dead = 0;
};

} // namespace Pulseboard
