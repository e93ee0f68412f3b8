#include "RedisChannelStore.h"

#include "HubLogging.h"
#include "protocol/JsonView.h"

#include <QCryptographicHash>
#include <QHostAddress>
#include <QHostInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <utility>

namespace Pulseboard {

namespace {

// KEYS: seq, stream, dedupe, channel set. ARGV: ts, data, maxlen, pub/sub channel, dedupe flag,
// channel name, dedupe ttl. Returns {seq, duplicate}.
const QByteArray kAppendScript = QByteArrayLiteral(R"lua(
if ARGV[5] == '1' then
  local prev = redis.call('GET', KEYS[3])
  if prev then return {tonumber(prev), 1} end
end
local seq = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[3], seq .. '-0', 'ts', ARGV[1], 'd', ARGV[2])
redis.call('SADD', KEYS[4], ARGV[6])
redis.call('PUBLISH', ARGV[4], seq .. ' ' .. ARGV[1] .. ' ' .. ARGV[2])
if ARGV[5] == '1' then redis.call('SET', KEYS[3], seq, 'EX', ARGV[7]) end
return {seq, 0}
)lua");

// KEYS: seq, stream. ARGV: first seq wanted ('' for none), most entries to read (> 0). One atomic
// read: {latest, first entry, entries}; a replay chains these pages, never one unbounded XRANGE.
const QByteArray kFetchScript = QByteArrayLiteral(R"lua(
local latest = tonumber(redis.call('GET', KEYS[1]) or '0')
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
local entries = {}
if ARGV[1] ~= '' then entries = redis.call('XRANGE', KEYS[2], ARGV[1], '+', 'COUNT', ARGV[2]) end
return {latest, first, entries}
)lua");

// KEYS: channel set. ARGV: seq key prefix. Returns {name, seq, name, seq, ...}.
const QByteArray kChannelsScript = QByteArrayLiteral(R"lua(
local out = {}
for _, name in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  out[#out + 1] = name
  out[#out + 1] = redis.call('GET', ARGV[1] .. name) or '0'
end
return out
)lua");

QByteArray sha1Hex(const QByteArray &script)
{
    return QCryptographicHash::hash(script, QCryptographicHash::Sha1).toHex();
}

const QByteArray kAppendSha = sha1Hex(kAppendScript);
const QByteArray kFetchSha = sha1Hex(kFetchScript);
const QByteArray kChannelsSha = sha1Hex(kChannelsScript);

QString replyError(const RedisReply *reply)
{
    if (!reply)
        return QStringLiteral("Redis connection lost before the reply");
    if (reply->isError())
        return QStringLiteral("Redis: ") + QString::fromUtf8(reply->string);
    return QString();
}

} // namespace

RedisChannelStore::RedisChannelStore(const Options &options, QObject *parent)
    : ChannelStore(parent), m_options(options),
      m_commands(new RedisConnection(QStringLiteral("commands"), this)),
      m_pubsub(new RedisConnection(QStringLiteral("pubsub"), this))
{
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &RedisChannelStore::connectNow);
    m_connectTimeout.setSingleShot(true);
    connect(&m_connectTimeout, &QTimer::timeout, this,
            [this] { onLost(QStringLiteral("no answer within %1 ms").arg(m_options.connectTimeoutMs)); });
    for (RedisConnection *c : {m_commands, m_pubsub}) {
        connect(c, &RedisConnection::connected, this, &RedisChannelStore::onConnected);
        connect(c, &RedisConnection::disconnected, this, &RedisChannelStore::onLost);
    }
}

RedisChannelStore::~RedisChannelStore() = default;

QByteArray RedisChannelStore::key(const char *kind, const QString &name) const
{
    return m_options.prefix.toUtf8() + ':' + kind + ':' + name.toUtf8();
}

bool RedisChannelStore::start(QString *error)
{
    const QUrl &u = m_options.url;
    if (u.scheme() != QLatin1StringView("redis") || u.host().isEmpty()) {
        *error = QStringLiteral("Redis URL must look like redis://HOST:PORT, got '%1'")
                     .arg(u.toString(QUrl::RemovePassword));
        return false;
    }
    m_host = u.host();
    m_port = quint16(u.port(6379));
    m_password = u.password().toUtf8();
    // The hub serves at once; Redis comes up in the background and isAvailable() says when.
    connectNow();
    return true;
}

QString RedisChannelStore::statusText() const
{
    const QString where = QStringLiteral("redis %1:%2").arg(m_host).arg(m_port);
    if (m_ready)
        return QStringLiteral("connected to %1").arg(where);
    if (m_lastError.isEmpty())
        return QStringLiteral("connecting to %1").arg(where);
    return QStringLiteral("%1 unreachable: %2 (attempt %3)").arg(where, m_lastError).arg(m_attempt);
}

void RedisChannelStore::connectNow()
{
    ++m_attempt;
    m_subscribed = false;
    m_channelsLoaded = false;
    m_connectTimeout.start(m_options.connectTimeoutMs);
    // Names are resolved here, asynchronously: hiredis would resolve them blocking the loop.
    QHostInfo::lookupHost(m_host, this, [this](const QHostInfo &info) {
        if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
            onLost(QStringLiteral("cannot resolve %1: %2").arg(m_host, info.errorString()));
            return;
        }
        QHostAddress address = info.addresses().constFirst();
        for (const QHostAddress &a : info.addresses()) {
            if (a.protocol() == QAbstractSocket::IPv4Protocol) {
                address = a;
                break;
            }
        }
        QString why;
        if (!m_commands->connectTo(address.toString(), m_port, &why) ||
            !m_pubsub->connectTo(address.toString(), m_port, &why)) {
            onLost(why);
            return;
        }
        for (RedisConnection *c : {m_commands, m_pubsub}) {
            if (!m_password.isEmpty())
                c->command({QByteArrayLiteral("AUTH"), m_password}, [this](const RedisReply *r) {
                    if (r && r->isError())
                        onLost(QStringLiteral("AUTH refused: %1").arg(QString::fromUtf8(r->string)));
                });
        }
        m_pubsub->command(
            {QByteArrayLiteral("PSUBSCRIBE"), key("msg", QStringLiteral("*"))},
            [this](const RedisReply *r) {
                if (r)
                    onPubSub(*r);
            },
            true);
    });
}

void RedisChannelStore::onConnected()
{
    if (!m_commands->isConnected() || !m_pubsub->isConnected())
        return;
    // Both sockets are up; readiness waits for the subscription and the channel list.
    evalScript(kChannelsSha, kChannelsScript,
               {"1", key("channels", QString()).chopped(1), key("seq", QString())},
               [this](const RedisReply *r) {
                   if (!r || r->isError()) {
                       if (r)
                           onLost(replyError(r));
                       return;
                   }
                   for (qsizetype i = 0; i + 1 < r->elements.size(); i += 2) {
                       const QString name = QString::fromUtf8(r->elements.at(i).string);
                       m_known[name] = qMax(m_known.value(name), r->elements.at(i + 1).toInteger());
                   }
                   m_channelsLoaded = true;
                   becomeReady();
               });
}

void RedisChannelStore::becomeReady()
{
    if (m_ready || !m_subscribed || !m_channelsLoaded)
        return;
    m_connectTimeout.stop();
    m_ready = true;
    m_reconnectDelayMs = 0;
    if (m_attempt > 1 || !m_lastError.isEmpty())
        qCWarning(lcHub).noquote() << "Redis is back:" << statusText();
    else
        qCInfo(lcHub).noquote() << statusText();
    m_lastError.clear();
    m_attempt = 0;
    // Whatever was published while we were away is read back before anything newer is emitted.
    const QStringList channels = m_live.keys();
    for (const QString &channel : channels) {
        if (m_live.value(channel).delivered >= 0)
            catchUp(channel);
    }
    Q_EMIT availabilityChanged(true);
}

void RedisChannelStore::onLost(const QString &reason)
{
    // Both connections report the same loss; the first report already scheduled the retry.
    if (!m_ready && m_reconnectTimer.isActive())
        return;
    const bool wasReady = m_ready;
    m_ready = false;
    m_subscribed = false;
    m_channelsLoaded = false;
    m_connectTimeout.stop();
    m_lastError = reason;
    // Both connections go together: a half-connected store would hand out seqs it cannot deliver.
    m_commands->disconnectNow();
    m_pubsub->disconnectNow();
    for (LiveChannel &live : m_live)
        live.catchingUp = false;
    if (wasReady) {
        qCWarning(lcHub).noquote() << "Redis lost:" << reason << "; local clients stay connected, publishes"
                                   << "are refused until it is back";
        Q_EMIT availabilityChanged(false);
    } else if (m_attempt <= 1) {
        qCWarning(lcHub).noquote() << "Redis not reachable:" << statusText();
    } else {
        qCInfo(lcHub).noquote() << "Redis still not reachable:" << statusText();
    }
    scheduleReconnect();
}

void RedisChannelStore::scheduleReconnect()
{
    if (m_reconnectTimer.isActive())
        return;
    m_reconnectDelayMs = m_reconnectDelayMs == 0 ? m_options.reconnectMinMs
                                                 : qMin(m_reconnectDelayMs * 2, m_options.reconnectMaxMs);
    m_reconnectTimer.start(m_reconnectDelayMs);
}

void RedisChannelStore::evalScript(const QByteArray &sha, const QByteArray &script,
                                   const QList<QByteArray> &keysAndArgs, RedisConnection::Callback done)
{
    // EVALSHA first (small frames); a Redis that restarted has forgotten the script: EVAL once.
    QList<QByteArray> args{QByteArrayLiteral("EVALSHA"), sha};
    args += keysAndArgs;
    const bool sent = m_commands->command(args, [this, script, keysAndArgs, done](const RedisReply *r) {
        if (r && r->isError() && r->string.startsWith("NOSCRIPT")) {
            QList<QByteArray> evalArgs{QByteArrayLiteral("EVAL"), script};
            evalArgs += keysAndArgs;
            if (!m_commands->command(evalArgs, done))
                done(nullptr);
            return;
        }
        done(r);
    });
    if (!sent)
        done(nullptr);
}

void RedisChannelStore::append(const QString &channel, const QByteArray &dataJson, qint64 ts,
                               const QString &dedupeKey, AppendCallback done)
{
    if (!m_ready) {
        done({-1, false, statusText()});
        return;
    }
    const QByteArray &json = dataJson;
    const QByteArray dkey =
        dedupeKey.isEmpty() ? key("dedupe", QStringLiteral("-")) : key("dedupe", dedupeKey);
    evalScript(kAppendSha, kAppendScript,
               {"4", key("seq", channel), key("stream", channel), dkey, key("channels", QString()).chopped(1),
                QByteArray::number(ts), json, QByteArray::number(qMax(0, m_options.historySize)),
                key("msg", channel), dedupeKey.isEmpty() ? "0" : "1", channel.toUtf8(),
                QByteArray::number(m_options.dedupeTtlSec)},
               [done](const RedisReply *r) {
                   const QString error = replyError(r);
                   if (!error.isEmpty() || r->elements.size() != 2) {
                       done({-1, false, error.isEmpty() ? QStringLiteral("unexpected Redis reply") : error});
                       return;
                   }
                   done({r->elements.at(0).toInteger(), r->elements.at(1).toInteger() == 1, QString()});
               });
}

bool RedisChannelStore::parseEntry(const QString &channel, const RedisReply &entry, StoredMessage *out)
{
    if (entry.type != RedisReply::Array || entry.elements.size() != 2)
        return false;
    const QByteArray id = entry.elements.at(0).string;
    bool ok = false;
    out->seq = id.left(id.indexOf('-')).toLongLong(&ok);
    if (!ok)
        return false;
    QByteArray data;
    const QList<RedisReply> &fields = entry.elements.at(1).elements;
    for (qsizetype i = 0; i + 1 < fields.size(); i += 2) {
        if (fields.at(i).string == "ts")
            out->ts = fields.at(i + 1).toInteger();
        else if (fields.at(i).string == "d")
            data = fields.at(i + 1).string;
    }
    // An unreadable payload goes out as the frame encodeMessage() makes of an undefined value.
    out->frame = encodeMessage(channel, out->seq, out->ts,
                               parseJsonValue(data).value_or(QJsonValue(QJsonValue::Undefined)));
    return true;
}

void RedisChannelStore::fetch(const QString &channel, qint64 since, int maxMessages, FetchCallback done)
{
    // A page never holds more than the stream can (its MAXLEN), whatever was asked.
    const int count =
        maxMessages > 0 ? qMin(maxMessages, qMax(1, m_options.historySize)) : qMax(1, m_options.historySize);
    if (!m_ready) {
        FetchResult r;
        r.error = statusText();
        done(r);
        return;
    }
    evalScript(kFetchSha, kFetchScript,
               {"2", key("seq", channel), key("stream", channel),
                since >= 0 ? QByteArray::number(since + 1) : QByteArray(), QByteArray::number(count)},
               [this, channel, count, done](const RedisReply *r) {
                   FetchResult result;
                   result.error = replyError(r);
                   if (result.error.isEmpty() && r->elements.size() != 3)
                       result.error = QStringLiteral("unexpected Redis reply");
                   if (!result.error.isEmpty()) {
                       done(result);
                       return;
                   }
                   result.latestSeq = r->elements.at(0).toInteger();
                   StoredMessage first;
                   if (!r->elements.at(1).elements.isEmpty() &&
                       parseEntry(channel, r->elements.at(1).elements.at(0), &first))
                       result.firstRetainedSeq = first.seq;
                   for (const RedisReply &entry : r->elements.at(2).elements) {
                       StoredMessage m;
                       if (parseEntry(channel, entry, &m))
                           result.messages.append(m);
                   }
                   result.more = r->elements.at(2).elements.size() >= count;
                   m_known[channel] = result.latestSeq;
                   done(result);
               });
}

QList<ChannelInfo> RedisChannelStore::channels() const
{
    QList<ChannelInfo> list;
    for (auto it = m_known.cbegin(); it != m_known.cend(); ++it)
        list.append({it.key(), it.value()});
    return list;
}

void RedisChannelStore::onPubSub(const RedisReply &reply)
{
    if (reply.type != RedisReply::Array || reply.elements.isEmpty())
        return;
    const QByteArray kind = reply.elements.at(0).string;
    if (kind == "psubscribe") {
        m_subscribed = true;
        becomeReady();
        return;
    }
    if (kind != "pmessage" || reply.elements.size() != 4)
        return;
    const QByteArray prefix = key("msg", QString());
    const QByteArray redisChannel = reply.elements.at(2).string;
    if (!redisChannel.startsWith(prefix))
        return;
    const QString channel = QString::fromUtf8(redisChannel.mid(prefix.size()));
    // Payload: "<seq> <ts> <data json>".
    const QByteArray payload = reply.elements.at(3).string;
    const qsizetype a = payload.indexOf(' ');
    const qsizetype b = a < 0 ? -1 : payload.indexOf(' ', a + 1);
    if (b < 0) {
        qCWarning(lcHub).noquote() << "ignoring unreadable message on Redis channel"
                                   << logSafe(QString::fromUtf8(redisChannel), 200);
        return;
    }
    StoredMessage m;
    m.seq = payload.left(a).toLongLong();
    m.ts = payload.mid(a + 1, b - a - 1).toLongLong();
    m.frame = encodeMessage(
        channel, m.seq, m.ts,
        parseJsonValue(QByteArrayView(payload).sliced(b + 1)).value_or(QJsonValue(QJsonValue::Undefined)));
    acceptLive(channel, m);
}

void RedisChannelStore::acceptLive(const QString &channel, const StoredMessage &message)
{
    m_known[channel] = qMax(m_known.value(channel), message.seq);
    LiveChannel &live = m_live[channel];
    if (live.catchingUp) {
        live.held.insert(message.seq, message);
        return;
    }
    if (live.delivered >= 0 && message.seq <= live.delivered)
        return; // already emitted (a catch-up read it from the stream)
    if (live.delivered >= 0 && message.seq > live.delivered + 1) {
        live.held.insert(message.seq, message);
        catchUp(channel);
        return;
    }
    live.delivered = message.seq;
    Q_EMIT messageArrived(channel, message);
}

void RedisChannelStore::catchUp(const QString &channel)
{
    LiveChannel &live = m_live[channel];
    if (live.catchingUp)
        return;
    live.catchingUp = true;
    const qint64 from = live.delivered + 1;
    evalScript(kFetchSha, kFetchScript,
               {"2", key("seq", channel), key("stream", channel), QByteArray::number(from),
                QByteArray::number(qMax(1, m_options.historySize))},
               [this, channel](const RedisReply *r) {
                   LiveChannel &live = m_live[channel];
                   if (!live.catchingUp)
                       return; // the connection was lost meanwhile; the next ready state retries
                   live.catchingUp = false;
                   if (!r || r->isError() || r->elements.size() != 3) {
                       // Held messages wait: the catch-up runs again once Redis answers.
                       qCInfo(lcHub).noquote()
                           << "catch-up of" << logSafe(channel) << "failed:" << replyError(r);
                       return;
                   }
                   const qint64 before = live.delivered;
                   const qint64 latest = r->elements.at(0).toInteger();
                   if (latest < before) {
                       qCWarning(lcHub).noquote()
                           << "channel" << logSafe(channel) << "went back from seq" << before << "to"
                           << latest << "in Redis (data lost there); starting it again";
                       live.delivered = 0;
                       m_known[channel] = latest;
                       Q_EMIT channelReset(channel);
                       catchUp(channel); // from seq 1 of the new sequence; held messages wait for it
                       return;
                   }
                   {
                       for (const RedisReply &entry : r->elements.at(2).elements) {
                           StoredMessage m;
                           if (parseEntry(channel, entry, &m) && m.seq > live.delivered) {
                               live.held.remove(m.seq);
                               live.delivered = m.seq;
                               Q_EMIT messageArrived(channel, m);
                           }
                       }
                   }
                   // Held messages the stream no longer had (trimmed) still go out, in order; the
                   // clients see the gap and report it.
                   const QMap<qint64, StoredMessage> held = std::exchange(live.held, {});
                   for (auto it = held.cbegin(); it != held.cend(); ++it) {
                       if (it.key() <= live.delivered)
                           continue;
                       if (it.key() > live.delivered + 1)
                           qCWarning(lcHub).noquote()
                               << "channel" << logSafe(channel) << "lost seq" << live.delivered + 1 << "to"
                               << it.key() - 1 << "(no longer in Redis history)";
                       live.delivered = it.key();
                       Q_EMIT messageArrived(channel, it.value());
                   }
                   if (live.delivered > before)
                       qCDebug(lcHub).noquote()
                           << "caught up" << logSafe(channel) << "from" << before << "to" << live.delivered;
               });
}

} // namespace Pulseboard
