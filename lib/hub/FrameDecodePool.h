// FrameDecodePool: decodes clients' large frames away from the hub's thread. Everything a hub
// does for its clients runs on one thread (its event loop), so a frame that takes milliseconds
// to decode (an 850 KiB publish of 80 000 members: UTF-16 to UTF-8, validation, the data cut out)
// would hold every other client's ping for that long, and for as many such frames as one pass of
// the loop read. Here the decode runs on a worker thread while the hub's loop goes on; the result
// comes back to the hub's thread, where the session handles it in the order its frames came
// (HubSession holds the frames that came after one being decoded). Only the decode moves: the
// frame's effects (store, fan-out, replies) stay on the hub's thread.
#pragma once

#include "protocol/Envelope.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QThreadPool>

#include <functional>

namespace Pulseboard {

class FrameDecodePool : public QObject
{
    Q_OBJECT
public:
    struct Result
    {
        qint64 bytes = 0; // the frame's UTF-8 size
        bool ok = false;
        Envelope envelope;   // when ok
        QByteArray dataJson; // a publish's data as its JSON text (decodeEnvelopeWithDataJson)
        DecodeError error;   // when not ok
    };
    using Done = std::function<void(Result &&)>;

    // `threads` workers (at least 1). Lives on, and answers on, the thread that creates it.
    explicit FrameDecodePool(int threads, QObject *parent = nullptr);
    // Waits for the decodes under way; their results are not delivered.
    ~FrameDecodePool() override;

    // Decodes `text` as EnvelopeDecoder::decodeEnvelopeWithDataJson does, on a worker, and calls
    // `done` on this object's thread (never before decode() returns). Decodes are started in
    // order but several may run at once: a caller that needs its results in order waits for one
    // before it asks for the next.
    void decode(const QString &text, Done done);

    // The one decode, wherever it runs (the worker's, and a hub thread's for a small frame).
    static Result decodeNow(QStringView text);

    int inFlight() const { return m_inFlight; }

private:
    QThreadPool m_pool;
    int m_inFlight = 0;
};

} // namespace Pulseboard
