// One asynchronous connection to Redis on the Qt event loop: hiredis's async API driven by
// QSocketNotifiers, so nothing ever blocks on Redis. (Debian's hiredis/adapters/qt.h cannot be
// used as is: it connects the Qt 5 `activated(int)` signal by name, which Qt 6 no longer has, and
// uses the `slots` keyword this project turns off.) Replies are copied into RedisReply values
// before the callback runs; a callback gets nullptr when the connection went away first.
#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>

struct redisAsyncContext;
class QSocketNotifier;

namespace Pulseboard {

struct RedisReply
{
    enum Type { Nil, Status, Error, Integer, String, Array };
    Type type = Nil;
    qint64 integer = 0;
    QByteArray string; // String, Status, Error
    QList<RedisReply> elements;

    bool isError() const { return type == Error; }
    // Integer replies and numeric strings alike.
    qint64 toInteger(bool *ok = nullptr) const;
};

class RedisConnection : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const RedisReply *reply)>;

    explicit RedisConnection(const QString &name, QObject *parent = nullptr);
    ~RedisConnection() override;

    // Starts a non-blocking connect to an IP address (resolve names first: hiredis would block).
    bool connectTo(const QString &ipAddress, quint16 port, QString *error);
    void disconnectNow();
    bool isConnected() const { return m_connected; }

    // Queues a command; replies come back in order. `persistent` is for (P)SUBSCRIBE, whose
    // callback runs for every message until the connection ends.
    bool command(const QList<QByteArray> &args, Callback callback, bool persistent = false);

Q_SIGNALS:
    void connected();
    void disconnected(const QString &reason);

private:
    struct Pending;
    static void onConnect(const redisAsyncContext *ctx, int status);
    static void onDisconnect(const redisAsyncContext *ctx, int status);
    static void onReply(redisAsyncContext *ctx, void *reply, void *privdata);
    static void addRead(void *self);
    static void delRead(void *self);
    static void addWrite(void *self);
    static void delWrite(void *self);
    static void cleanup(void *self);
    void lost(const QString &reason);

    QString m_name;
    redisAsyncContext *m_ctx = nullptr;
    QSocketNotifier *m_read = nullptr;
    QSocketNotifier *m_write = nullptr;
    bool m_connected = false;
    bool m_destroying = false;
};

} // namespace Pulseboard
