// The properties fuzz_envelope checks on every input, shared with tst_fuzzcorpus so that the
// committed corpus (seeds and regressions) also runs in the ordinary test suite:
//  - a refusal always carries code 4400 and words for a person;
//  - what decodes re-encodes into a frame that decodes to the same fields (the hub relays and
//    the client resends what they decoded: the encoder must never write what the decoder refuses).
#pragma once

#include "protocol/Envelope.h"

#include <QString>

namespace Pulseboard::Fuzz {

// Empty when the properties hold for `input`, else what broke and the frame involved.
inline QString checkEnvelope(QByteArrayView input)
{
    Envelope env;
    DecodeError error;
    if (!decodeEnvelope(input, env, &error)) {
        if (error.code != 4400 || error.message.isEmpty())
            return QStringLiteral("a refusal without code 4400 and a message");
        return QString();
    }
    const QByteArray again = encodeEnvelope(env);
    Envelope back;
    DecodeError backError;
    if (!decodeEnvelope(again, back, &backError))
        return QStringLiteral("re-encoded frame refused: %1; frame: %2")
            .arg(backError.message, QString::fromUtf8(again));
    if (back.type != env.type || back.typeName != env.typeName || back.id != env.id ||
        back.channel != env.channel || back.seq != env.seq || back.ts != env.ts || back.since != env.since ||
        back.code != env.code || back.text != env.text || back.data != env.data ||
        back.client != env.client || back.recovered != env.recovered ||
        back.hasRecovered != env.hasRecovered || back.server != env.server || back.session != env.session ||
        back.heartbeatMs != env.heartbeatMs || back.authRequired != env.authRequired)
        return QStringLiteral("re-encoded frame decodes to different fields; frame: %1")
            .arg(QString::fromUtf8(again));
    return QString();
}

} // namespace Pulseboard::Fuzz
