// EnvelopeDecoder: the fast implementation behind decodeEnvelope, and the lean path for the
// one frame type that arrives by the thousand: `message`. It parses the frame's UTF-8 with
// simdjson (DOM, which validates the whole document) into buffers it keeps from frame to frame,
// so a warm decoder allocates nothing for a message frame. Field rules and error words are
// those of decodeEnvelope (shared templates); a frame simdjson cannot parse is handed to the
// QJsonDocument reference decoder, which either reads it (the rare things simdjson is stricter
// about, such as a byte order mark) or words the refusal.
// One decoder per connection (or thread); not thread-safe.
#pragma once

#include "Envelope.h"
#include "JsonView.h"

#include <QByteArrayView>
#include <QStringEncoder>
#include <QStringView>

#include <memory>
#include <vector>

namespace Pulseboard {

// A `message` frame as views into the decoder's current frame: valid until the next setFrame().
struct MessageView
{
    QByteArrayView channel; // UTF-8, escapes resolved
    qint64 seq = -1;
    qint64 ts = -1; // -1 when absent
    JsonView data;  // null when absent
};

class EnvelopeDecoder
{
public:
    enum class Result { Message, Envelope, Malformed };

    EnvelopeDecoder();
    ~EnvelopeDecoder();
    EnvelopeDecoder(const EnvelopeDecoder &) = delete;
    EnvelopeDecoder &operator=(const EnvelopeDecoder &) = delete;

    // Takes the next frame: copied (or, from UTF-16, encoded) into the decoder's padded buffer.
    // Returns the frame's UTF-8 bytes as held by the decoder.
    QByteArrayView setFrame(QByteArrayView utf8);
    QByteArrayView setFrame(QStringView text);

    // The current frame's `type` and, when it is a string, its `id`: nothing else is read (no
    // payload is built), for a reader that accepts only some types yet (a hub before auth).
    // Fills out.type (Unknown for an unknown name), out.typeName and out.id. False with
    // `error`, in decodeEnvelope's words, when the frame is not an object with a string `type`.
    // A frame the fast parser refuses goes to the reference decoder, as in decodeEnvelope().
    bool peekType(Envelope &out, DecodeError *error = nullptr);

    // decodeEnvelope() on the current frame.
    bool decodeEnvelope(Envelope &out, DecodeError *error = nullptr);
    // decodeEnvelope(), except that a `publish` frame's `data` is not built: `dataJson` gets the
    // value's JSON text as sent, whitespace outside strings removed (members in their order,
    // numbers and escapes as written; valid JSON, as the whole frame was validated), and
    // out.data stays undefined. Linear in the frame whatever the payload; every field rule and
    // refusal is decodeEnvelope's. `dataJson` is cleared for any other type.
    bool decodeEnvelopeWithDataJson(Envelope &out, QByteArray &dataJson, DecodeError *error = nullptr);

    // A `message` frame fills `message` (no QString, no QJsonValue) and returns Message; any
    // other valid frame fills `out` and returns Envelope. Malformed fills `error`.
    Result decode(Envelope &out, MessageView &message, DecodeError *error = nullptr);

private:
    struct Parser;
    bool parse(); // false: simdjson refused the frame
    // The JSON text of the top-level member `key` of the current (parsed) frame, minified; the
    // last one when the key repeats. Null when it cannot be read.
    QByteArray rawMember(QLatin1StringView key);
    JsonView root() const;

    std::unique_ptr<Parser> m_parser;
    std::vector<char> m_buffer; // the frame plus simdjson's padding
    qsizetype m_size = 0;
    QStringEncoder m_toUtf8{QStringEncoder::Utf8, QStringConverter::Flag::Stateless};
};

namespace detail {
// The QJsonDocument implementation: what the fast path falls back to, and is tested against.
bool decodeEnvelopeReference(QByteArrayView utf8, Envelope &out, DecodeError *error);
} // namespace detail

} // namespace Pulseboard
