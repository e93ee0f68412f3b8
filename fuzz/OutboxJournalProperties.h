// The properties fuzz_outboxjournal checks on every input, shared with tst_fuzzcorpus so that the
// committed corpus also runs in the ordinary test suite. A journal file is input the app reads at
// start-up after a crash: nothing in it may crash the app or revive a removed entry. Every input
// is tried twice: as a raw journal image, and rebuilt as a journal whose records carry valid
// lengths and CRCs (input = chunks of a 2-byte little-endian length and that many bytes), so
// mutations get past the checksum into the record decoder.
#pragma once

#include "client/OutboxJournal.h"

#include <QSet>
#include <QString>
#include <QtEndian>

namespace Pulseboard::Fuzz {

// The journal header (kMagic in OutboxJournal.cpp).
constexpr QByteArrayView kJournalHeader("PBJ1\n");

inline QByteArray rebuiltJournal(QByteArrayView input)
{
    QByteArray image = kJournalHeader.toByteArray();
    qsizetype pos = 0;
    while (pos + 2 <= input.size()) {
        const qsizetype length =
            qMin<qsizetype>(qFromLittleEndian<quint16>(input.data() + pos), input.size() - pos - 2);
        const QByteArrayView payload = input.sliced(pos + 2, length);
        char header[8];
        qToLittleEndian<quint32>(quint32(length), header);
        qToLittleEndian<quint32>(OutboxJournal::crc32(payload), header + 4);
        image.append(header, 8);
        image.append(payload);
        pos += 2 + length;
    }
    return image;
}

inline QString checkJournalImage(QByteArrayView image)
{
    const OutboxJournal::ParseResult r = OutboxJournal::parse(image);
    if (r.goodBytes < 0 || r.goodBytes > image.size())
        return QStringLiteral("goodBytes %1 outside the image of %2 bytes")
            .arg(r.goodBytes)
            .arg(image.size());
    if (r.warning.isEmpty() && !image.isEmpty() && r.goodBytes != image.size())
        return QStringLiteral("no warning, yet only %1 of %2 bytes were read")
            .arg(r.goodBytes)
            .arg(image.size());
    QSet<QString> ids;
    for (const auto &e : r.live) {
        if (e.id.isEmpty() || ids.contains(e.id))
            return QStringLiteral("an empty or repeated id among the live entries: '%1'").arg(e.id);
        ids.insert(e.id);
    }
    return QString();
}

// Empty when the properties hold for both views of `input`.
inline QString checkOutboxJournal(QByteArrayView input)
{
    const QString raw = checkJournalImage(input);
    if (!raw.isEmpty())
        return QStringLiteral("raw image: ") + raw;
    const QString rebuilt = checkJournalImage(rebuiltJournal(input));
    if (!rebuilt.isEmpty())
        return QStringLiteral("rebuilt image: ") + rebuilt;
    return QString();
}

} // namespace Pulseboard::Fuzz
