// The properties fuzz_envelope checks on every input, shared with tst_fuzzcorpus so that the
// committed corpus (seeds and regressions) also runs in the ordinary test suite:
//  - a refusal always carries code 4400 and words for a person;
//  - the fast decoder (simdjson) and the QJsonDocument reference decoder agree on every input:
//    same verdict, same fields (two parsers that read one frame two ways are a classic hole);
//  - what decodes re-encodes into a frame that decodes to the same fields (the hub relays and
//    the client resends what they decoded: the encoder must never write what the decoder refuses).
#pragma once

#include "protocol/Envelope.h"
#include "protocol/EnvelopeDecoder.h"

#include <QString>

namespace Pulseboard::Fuzz {

inline bool sameFields(const Envelope &a, const Envelope &b)
{
    return a.type == b.type && a.typeName == b.typeName && a.id == b.id && a.channel == b.channel &&
           a.seq == b.seq && a.ts == b.ts && a.since == b.since && a.code == b.code && a.text == b.text &&
           a.data == b.data && a.client == b.client && a.recovered == b.recovered &&
           a.hasRecovered == b.hasRecovered && a.server == b.server && a.session == b.session &&
           a.heartbeatMs == b.heartbeatMs && a.authRequired == b.authRequired;
}

// Empty when the properties hold for `input`, else what broke and the frame involved.
inline QString checkEnvelope(QByteArrayView input)
{
    Envelope env;
    DecodeError error;
    const bool ok = decodeEnvelope(input, env, &error);
    Envelope reference;
    DecodeError referenceError;
    const bool referenceOk = detail::decodeEnvelopeReference(input, reference, &referenceError);
    if (ok != referenceOk)
        return QStringLiteral("the fast decoder %1 a frame the reference decoder %2 (%3)")
            .arg(ok ? QStringLiteral("accepts") : QStringLiteral("refuses"),
                 referenceOk ? QStringLiteral("accepts") : QStringLiteral("refuses"),
                 ok ? referenceError.message : error.message);
    if (!ok) {
        if (error.code != 4400 || error.message.isEmpty())
            return QStringLiteral("a refusal without code 4400 and a message");
        return QString();
    }
    if (!sameFields(env, reference))
        return QStringLiteral("the fast and the reference decoder read different fields");

    const QByteArray again = encodeEnvelope(env);
    Envelope back;
    DecodeError backError;
    if (!decodeEnvelope(again, back, &backError))
        return QStringLiteral("re-encoded frame refused: %1; frame: %2")
            .arg(backError.message, QString::fromUtf8(again));
    if (!sameFields(back, env))
        return QStringLiteral("re-encoded frame decodes to different fields; frame: %1")
            .arg(QString::fromUtf8(again));
    return QString();
}

} // namespace Pulseboard::Fuzz
