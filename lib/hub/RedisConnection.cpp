#include "RedisConnection.h"

#include <QSocketNotifier>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <vector>

namespace Pulseboard {

struct RedisConnection::Pending
{
    RedisConnection *owner = nullptr;
    Callback callback;
    bool persistent = false;
};

namespace {

RedisReply convert(const redisReply *r)
{
    RedisReply out;
    switch (r->type) {
    case REDIS_REPLY_STRING:
        out.type = RedisReply::String;
        out.string = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_STATUS:
        out.type = RedisReply::Status;
        out.string = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_ERROR:
        out.type = RedisReply::Error;
        out.string = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_INTEGER:
        out.type = RedisReply::Integer;
        out.integer = r->integer;
        break;
    case REDIS_REPLY_ARRAY:
        out.type = RedisReply::Array;
        out.elements.reserve(qsizetype(r->elements));
        for (size_t i = 0; i < r->elements; ++i)
            out.elements.append(convert(r->element[i]));
        break;
    default:
        out.type = RedisReply::Nil;
        break;
    }
    return out;
}

} // namespace

qint64 RedisReply::toInteger(bool *ok) const
{
    if (type == Integer) {
        if (ok)
            *ok = true;
        return integer;
    }
    if (type == String || type == Status)
        return string.toLongLong(ok);
    if (ok)
        *ok = false;
    return 0;
}

RedisConnection::RedisConnection(const QString &name, QObject *parent) : QObject(parent), m_name(name) {}

RedisConnection::~RedisConnection()
{
    m_destroying = true;
    disconnectNow();
}

bool RedisConnection::connectTo(const QString &ipAddress, quint16 port, QString *error)
{
    disconnectNow();
    redisAsyncContext *ctx = redisAsyncConnect(ipAddress.toLatin1().constData(), int(port));
    if (!ctx) {
        *error = QStringLiteral("out of memory creating a Redis context");
        return false;
    }
    if (ctx->err) {
        *error = QString::fromLocal8Bit(ctx->errstr);
        redisAsyncFree(ctx);
        return false;
    }
    m_ctx = ctx;
    ctx->data = this;
    ctx->ev.data = this;
    ctx->ev.addRead = &RedisConnection::addRead;
    ctx->ev.delRead = &RedisConnection::delRead;
    ctx->ev.addWrite = &RedisConnection::addWrite;
    ctx->ev.delWrite = &RedisConnection::delWrite;
    ctx->ev.cleanup = &RedisConnection::cleanup;
    redisAsyncSetConnectCallback(ctx, &RedisConnection::onConnect);
    redisAsyncSetDisconnectCallback(ctx, &RedisConnection::onDisconnect);
    return true;
}

void RedisConnection::disconnectNow()
{
    if (!m_ctx)
        return;
    redisAsyncContext *ctx = m_ctx;
    m_ctx = nullptr;
    m_connected = false;
    ctx->data = nullptr; // the callbacks hiredis runs while freeing must not report this as news
    // Frees at once: pending callbacks run with a null reply (their owners learn the command is lost).
    redisAsyncFree(ctx);
}

bool RedisConnection::command(const QList<QByteArray> &args, Callback callback, bool persistent)
{
    if (!m_ctx)
        return false;
    std::vector<const char *> argv;
    std::vector<size_t> lengths;
    argv.reserve(size_t(args.size()));
    lengths.reserve(size_t(args.size()));
    for (const QByteArray &a : args) {
        argv.push_back(a.constData());
        lengths.push_back(size_t(a.size()));
    }
    auto *pending = new Pending{this, std::move(callback), persistent};
    if (redisAsyncCommandArgv(m_ctx, &RedisConnection::onReply, pending, int(argv.size()), argv.data(),
                              lengths.data()) != REDIS_OK) {
        delete pending;
        return false;
    }
    return true;
}

void RedisConnection::onReply(redisAsyncContext *, void *reply, void *privdata)
{
    auto *pending = static_cast<Pending *>(privdata);
    if (!pending)
        return;
    if (!reply) {
        // The connection is going away: this callback will not be called again.
        if (!pending->owner->m_destroying && pending->callback)
            pending->callback(nullptr);
        delete pending;
        return;
    }
    const RedisReply converted = convert(static_cast<redisReply *>(reply));
    if (pending->callback && !pending->owner->m_destroying)
        pending->callback(&converted);
    if (!pending->persistent)
        delete pending;
}

void RedisConnection::onConnect(const redisAsyncContext *ctx, int status)
{
    auto *self = static_cast<RedisConnection *>(ctx->data);
    if (!self)
        return;
    if (status != REDIS_OK) {
        // hiredis frees the context after this returns.
        const QString reason = QString::fromLocal8Bit(ctx->errstr);
        self->m_ctx = nullptr;
        self->lost(reason);
        return;
    }
    self->m_connected = true;
    QMetaObject::invokeMethod(self, &RedisConnection::connected, Qt::QueuedConnection);
}

void RedisConnection::onDisconnect(const redisAsyncContext *ctx, int status)
{
    auto *self = static_cast<RedisConnection *>(ctx->data);
    if (!self)
        return;
    const QString reason =
        status == REDIS_OK ? QStringLiteral("connection closed") : QString::fromLocal8Bit(ctx->errstr);
    self->m_ctx = nullptr; // freed by hiredis after this returns
    self->lost(reason.isEmpty() ? QStringLiteral("connection lost") : reason);
}

void RedisConnection::lost(const QString &reason)
{
    m_connected = false;
    if (m_destroying)
        return;
    // Queued: the owner may reconnect, which must not happen inside a hiredis callback.
    QMetaObject::invokeMethod(
        this, [this, reason] { Q_EMIT disconnected(reason); }, Qt::QueuedConnection);
}

void RedisConnection::addRead(void *data)
{
    auto *self = static_cast<RedisConnection *>(data);
    if (self->m_read || !self->m_ctx)
        return;
    self->m_read = new QSocketNotifier(self->m_ctx->c.fd, QSocketNotifier::Read, self);
    connect(self->m_read, &QSocketNotifier::activated, self, [self] {
        if (self->m_ctx)
            redisAsyncHandleRead(self->m_ctx);
    });
}

void RedisConnection::delRead(void *data)
{
    auto *self = static_cast<RedisConnection *>(data);
    if (!self->m_read)
        return;
    // Possibly inside this notifier's own activation: disable now, delete later.
    self->m_read->setEnabled(false);
    self->m_read->deleteLater();
    self->m_read = nullptr;
}

void RedisConnection::addWrite(void *data)
{
    auto *self = static_cast<RedisConnection *>(data);
    if (self->m_write || !self->m_ctx)
        return;
    self->m_write = new QSocketNotifier(self->m_ctx->c.fd, QSocketNotifier::Write, self);
    connect(self->m_write, &QSocketNotifier::activated, self, [self] {
        if (self->m_ctx)
            redisAsyncHandleWrite(self->m_ctx);
    });
}

void RedisConnection::delWrite(void *data)
{
    auto *self = static_cast<RedisConnection *>(data);
    if (!self->m_write)
        return;
    self->m_write->setEnabled(false);
    self->m_write->deleteLater();
    self->m_write = nullptr;
}

void RedisConnection::cleanup(void *data)
{
    delRead(data);
    delWrite(data);
}

} // namespace Pulseboard
