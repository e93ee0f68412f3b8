#include "FrameDecodePool.h"

#include "protocol/EnvelopeDecoder.h"

#include <QMetaObject>

#include <utility>

namespace Pulseboard {

namespace {

// One decoder per thread (worker or not): its parser and buffers are reused frame after frame.
EnvelopeDecoder &threadDecoder()
{
    thread_local EnvelopeDecoder decoder;
    return decoder;
}

} // namespace

FrameDecodePool::FrameDecodePool(int threads, QObject *parent) : QObject(parent)
{
    m_pool.setMaxThreadCount(qMax(1, threads));
    // A hub that stops receiving large frames gives its workers back after a while.
    m_pool.setExpiryTimeout(30000);
}

FrameDecodePool::~FrameDecodePool()
{
    // Results posted to this object after this point are discarded with it.
    m_pool.waitForDone();
}

FrameDecodePool::Result FrameDecodePool::decodeNow(QStringView text)
{
    EnvelopeDecoder &decoder = threadDecoder();
    Result r;
    r.bytes = decoder.setFrame(text).size();
    r.ok = decoder.decodeEnvelopeWithDataJson(r.envelope, r.dataJson, &r.error);
    return r;
}

void FrameDecodePool::decode(const QString &text, Done done)
{
    ++m_inFlight;
    // `text` is shared (its reference count is atomic), not copied; `done` is only moved on the
    // worker and called here.
    m_pool.start([this, text, done = std::move(done)]() mutable {
        Result r = decodeNow(text);
        QMetaObject::invokeMethod(
            this,
            [this, r = std::move(r), done = std::move(done)]() mutable {
                --m_inFlight;
                done(std::move(r));
            },
            Qt::QueuedConnection);
    });
}

} // namespace Pulseboard
