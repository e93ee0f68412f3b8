// The `message` frame built around a payload that is already JSON text: the hub's publish and
// fan-out path, where `data` travels as the bytes the publisher sent and is never rebuilt.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace Pulseboard {

// The frame encodeEnvelope() writes for a `message` with these fields (members sorted by key,
// as QJsonDocument writes them), with `dataJson` (one valid JSON value) as its `data`.
QByteArray encodeMessageFrame(const QString &channel, qint64 seq, qint64 ts, QByteArrayView dataJson);

} // namespace Pulseboard
