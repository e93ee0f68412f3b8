#include "RedisChannelStore.h"

#include "HubErrors.h"
#include "HubLogging.h"
#include "protocol/JsonView.h"
#include "protocol/MessageFrame.h"

#include <QCryptographicHash>
#include <QHostAddress>
#include <QHostInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <utility>

namespace Pulseboard {

namespace {

// KEYS: seq, stream, dedupe, channel set, epoch. ARGV: ts, data, maxlen, pub/sub channel, dedupe
// flag, channel name, dedupe ttl, most channels (0: no cap), a new epoch, the channel's byte
// budget (0: none), the idle time after which the channel's keys expire (ms, 0: never). Returns
// {seq, duplicate}; {-1, 2}: the channel is new and the set already holds the most channels
// (nothing stored).
// Budgets: the epoch hash keeps `bytes`, the data bytes of the stream's entries; after the XADD
// the oldest entries go (XRANGE COUNT 1, XDEL) while the stream holds more than maxlen entries or
// more than the budget's bytes (a message over the budget on its own is delivered, not kept).
// The channel's seq, stream and epoch keys expire together after the idle time; a hub refreshes
// them for channels it has subscribers on (kKeepScript) and drops expired names from the set
// (kSweepScript).
// The epoch key is a hash {id, started}: a sequence that starts at 1 again while its epoch had
// started (the seq key was lost, e.g. FLUSHALL or a Redis restarted without persistence), or a
// channel without an epoch, gets the new one; an epoch only reserved by a subscriber (started 0)
// is kept, so that subscriber's `since` stays valid.
const QByteArray kAppendScript = QByteArrayLiteral(R"lua(
if ARGV[5] == '1' then
  local prev = redis.call('GET', KEYS[3])
  if prev then return {tonumber(prev), 1} end
end
if ARGV[8] ~= '0' and redis.call('SISMEMBER', KEYS[4], ARGV[6]) == 0 and
   redis.call('SCARD', KEYS[4]) >= tonumber(ARGV[8]) then
  return {-1, 2}
end
local seq = redis.call('INCR', KEYS[1])
local ep = redis.call('HMGET', KEYS[5], 'id', 'started')
if (not ep[1]) or (seq == 1 and ep[2] == '1') then
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[5], 'id', ARGV[9], 'started', '1', 'bytes', 0)
  redis.call('PERSIST', KEYS[5])
elseif ep[2] ~= '1' then
  redis.call('HSET', KEYS[5], 'started', '1', 'bytes', 0)
  redis.call('PERSIST', KEYS[5])
end
redis.call('XADD', KEYS[2], seq .. '-0', 'ts', ARGV[1], 'd', ARGV[2])
local bytes = redis.call('HINCRBY', KEYS[5], 'bytes', #ARGV[2])
local maxlen = tonumber(ARGV[3])
local maxbytes = tonumber(ARGV[10])
local len = redis.call('XLEN', KEYS[2])
while len > 0 and (len > maxlen or (maxbytes > 0 and bytes > maxbytes)) do
  local oldest = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
  local fields = oldest[2]
  for i = 1, #fields, 2 do
    if fields[i] == 'd' then bytes = bytes - #fields[i + 1] end
  end
  redis.call('XDEL', KEYS[2], oldest[1])
  len = len - 1
end
if len == 0 then bytes = 0 end
redis.call('HSET', KEYS[5], 'bytes', bytes)
if ARGV[11] ~= '0' then
  redis.call('PEXPIRE', KEYS[1], ARGV[11])
  redis.call('PEXPIRE', KEYS[2], ARGV[11])
  redis.call('PEXPIRE', KEYS[5], ARGV[11])
end
redis.call('SADD', KEYS[4], ARGV[6])
redis.call('PUBLISH', ARGV[4], seq .. ' ' .. ARGV[1] .. ' ' .. ARGV[2])
if ARGV[5] == '1' then redis.call('SET', KEYS[3], seq, 'EX', ARGV[7]) end
return {seq, 0}
)lua");

// KEYS: seq, stream, epoch. ARGV: first seq wanted ('' for none), most entries to read (> 0), a
// new epoch, how long an epoch reserved for a channel not yet published to is kept (s). One
// atomic read: {latest, first entry, entries, epoch}; a replay chains these pages, never one
// unbounded XRANGE. The epoch is made here when there is none (or the sequence it named is gone),
// so every hub of the group reports the same one, and a subscriber of an empty channel holds the
// one its first message will carry.
const QByteArray kFetchScript = QByteArrayLiteral(R"lua(
local latest = tonumber(redis.call('GET', KEYS[1]) or '0')
local ep = redis.call('HMGET', KEYS[3], 'id', 'started')
local epoch = ep[1]
if (not epoch) or (latest == 0 and ep[2] == '1') then
  epoch = ARGV[3]
  if latest == 0 then
    redis.call('HSET', KEYS[3], 'id', epoch, 'started', '0')
    redis.call('EXPIRE', KEYS[3], ARGV[4])
  else
    redis.call('HSET', KEYS[3], 'id', epoch, 'started', '1')
  end
end
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
local entries = {}
if ARGV[1] ~= '' then entries = redis.call('XRANGE', KEYS[2], ARGV[1], '+', 'COUNT', ARGV[2]) end
return {latest, first, entries, epoch}
)lua");

// KEYS: channel set. ARGV: seq key prefix, epoch key prefix. Returns {name, seq, epoch, ...}
// (epoch '' when the channel has none yet).
const QByteArray kChannelsScript = QByteArrayLiteral(R"lua(
local out = {}
for _, name in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  out[#out + 1] = name
  out[#out + 1] = redis.call('GET', ARGV[1] .. name) or '0'
  out[#out + 1] = redis.call('HGET', ARGV[2] .. name, 'id') or ''
end
return out
)lua");

// KEYS: none. ARGV: the idle time (ms), then the seq, stream and epoch keys of each channel a hub
// keeps (it has subscribers there): their expiry starts again, on keys that exist.
const QByteArray kKeepScript = QByteArrayLiteral(R"lua(
for i = 2, #ARGV do
  if redis.call('EXISTS', ARGV[i]) == 1 and redis.call('PTTL', ARGV[i]) >= 0 then
    redis.call('PEXPIRE', ARGV[i], ARGV[1])
  end
end
return 0
)lua");

// KEYS: channel set. ARGV: seq key prefix, stream key prefix. Removes from the set, and returns,
// the channels whose keys expired (idle): neither seq nor stream is left.
const QByteArray kSweepScript = QByteArrayLiteral(R"lua(
local gone = {}
for _, name in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. name) == 0 and redis.call('EXISTS', ARGV[2] .. name) == 0 then
    redis.call('SREM', KEYS[1], name)
    gone[#gone + 1] = name
  end
end
return gone
)lua");

// A reserved epoch (a channel subscribed to, never published to) is forgotten after a day; the
// channel's first message then starts a new one, which its subscribers see as a restart.
constexpr int kReservedEpochTtlSec = 24 * 3600;

QByteArray sha1Hex(const QByteArray &script)
{
    return QCryptographicHash::hash(script, QCryptographicHash::Sha1).toHex();
}

// The `message` frame of a payload read back from Redis: its data bytes as stored (the JSON text
// the publisher sent, which append() wrote), checked but never rebuilt. What simdjson refuses
// (written by something else) is read by parseJsonValue() and written out again, and a payload
// nothing can read goes out as the frame of an undefined value.
QByteArray storedMessageFrame(const QString &channel, qint64 seq, qint64 ts, QByteArrayView data)
{
    if (isJsonValue(data))
        return encodeMessageFrame(channel, seq, ts, data);
    return ChannelStore::encodeMessage(channel, seq, ts,
                                       parseJsonValue(data).value_or(QJsonValue(QJsonValue::Undefined)));
}

const QByteArray kAppendSha = sha1Hex(kAppendScript);
const QByteArray kFetchSha = sha1Hex(kFetchScript);
const QByteArray kChannelsSha = sha1Hex(kChannelsScript);
const QByteArray kKeepSha = sha1Hex(kKeepScript);
const QByteArray kSweepSha = sha1Hex(kSweepScript);

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

QList<QByteArray> RedisChannelStore::fetchArgs(const QString &channel, const QByteArray &from,
                                               int count) const
{
    QList<QByteArray> args{"3", key("seq", channel), key("stream", channel), key("epoch", channel)};
    args << from << QByteArray::number(count) << newEpoch().toLatin1()
         << QByteArray::number(kReservedEpochTtlSec);
    return args;
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
               {"1", key("channels", QString()).chopped(1), key("seq", QString()), key("epoch", QString())},
               [this](const RedisReply *r) {
                   if (!r || r->isError()) {
                       if (r)
                           onLost(replyError(r));
                       return;
                   }
                   for (qsizetype i = 0; i + 2 < r->elements.size(); i += 3) {
                       const QString name = QString::fromUtf8(r->elements.at(i).string);
                       m_known[name] = qMax(m_known.value(name), r->elements.at(i + 1).toInteger());
                       if (!r->elements.at(i + 2).string.isEmpty())
                           m_knownEpochs[name] = QString::fromUtf8(r->elements.at(i + 2).string);
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
               {"5", key("seq", channel), key("stream", channel), dkey, key("channels", QString()).chopped(1),
                key("epoch", channel), QByteArray::number(ts), json,
                QByteArray::number(qMax(0, m_options.historySize)), key("msg", channel),
                dedupeKey.isEmpty() ? "0" : "1", channel.toUtf8(), QByteArray::number(m_options.dedupeTtlSec),
                QByteArray::number(qMax(0, m_options.maxChannels)), newEpoch().toLatin1(),
                QByteArray::number(qMax<qint64>(0, m_options.maxChannelBytes)),
                QByteArray::number(qMax<qint64>(0, m_options.channelIdleMs))},
               [done, maxChannels = m_options.maxChannels](const RedisReply *r) {
                   const QString error = replyError(r);
                   if (!error.isEmpty() || r->elements.size() != 2) {
                       done({-1, false, error.isEmpty() ? QStringLiteral("unexpected Redis reply") : error});
                       return;
                   }
                   if (r->elements.at(1).toInteger() == 2) {
                       done({-1, false,
                             QStringLiteral("the hubs hold %1 channels, their limit (--max-channels)")
                                 .arg(maxChannels),
                             HubError::Full});
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
    out->frame = storedMessageFrame(channel, out->seq, out->ts, data);
    return true;
}

void RedisChannelStore::fetch(const QString &channel, qint64 since, int maxMessages, FetchCallback done)
{
    // A page never holds more than the stream can (--history entries), whatever was asked.
    const int count =
        maxMessages > 0 ? qMin(maxMessages, qMax(1, m_options.historySize)) : qMax(1, m_options.historySize);
    if (!m_ready) {
        FetchResult r;
        r.error = statusText();
        done(r);
        return;
    }
    evalScript(kFetchSha, kFetchScript,
               fetchArgs(channel, since >= 0 ? QByteArray::number(since + 1) : QByteArray(), count),
               [this, channel, count, done](const RedisReply *r) {
                   FetchResult result;
                   result.error = replyError(r);
                   if (result.error.isEmpty() && r->elements.size() != 4)
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
                   result.epoch = QString::fromUtf8(r->elements.at(3).string);
                   m_known[channel] = result.latestSeq;
                   m_knownEpochs[channel] = result.epoch;
                   // What this hub emits from here on is of the epoch it first learns; a later
                   // catch-up that finds another one resets the channel.
                   // (Kept for channels not live yet too: m_known already holds a line for them.)
                   LiveChannel &live = m_live[channel];
                   if (live.epoch.isEmpty())
                       live.epoch = result.epoch;
                   done(result);
               });
}

int RedisChannelStore::expireIdle(qint64 idleMs, const std::function<bool(const QString &)> &keep)
{
    if (idleMs <= 0 || !m_ready || m_options.channelIdleMs <= 0)
        return 0;
    // The channels in use here start their expiry again (another hub may use others).
    QList<QByteArray> keepArgs{"0", QByteArray::number(m_options.channelIdleMs)};
    for (auto it = m_known.cbegin(); it != m_known.cend(); ++it) {
        if (keep && keep(it.key()))
            keepArgs << key("seq", it.key()) << key("stream", it.key()) << key("epoch", it.key());
    }
    if (keepArgs.size() > 2)
        evalScript(kKeepSha, kKeepScript, keepArgs, [](const RedisReply *) {});
    evalScript(kSweepSha, kSweepScript,
               {"1", key("channels", QString()).chopped(1), key("seq", QString()), key("stream", QString())},
               [this](const RedisReply *r) {
                   if (!r || r->isError())
                       return; // tried again at the next sweep
                   for (const RedisReply &name : r->elements) {
                       const QString channel = QString::fromUtf8(name.string);
                       m_known.remove(channel);
                       m_knownEpochs.remove(channel);
                       m_live.remove(channel);
                       Q_EMIT channelExpired(channel);
                   }
               });
    return 0; // asynchronous: channelExpired says which went
}

QList<ChannelInfo> RedisChannelStore::channels() const
{
    QList<ChannelInfo> list;
    for (auto it = m_known.cbegin(); it != m_known.cend(); ++it)
        list.append({it.key(), it.value(), m_knownEpochs.value(it.key())});
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
    m.frame = storedMessageFrame(channel, m.seq, m.ts, QByteArrayView(payload).sliced(b + 1));
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
    if (live.delivered >= 0 && message.seq <= live.delivered) {
        // Already emitted (a catch-up read it from the stream), or the first of a sequence that
        // started again in Redis while we stayed connected (FLUSHALL): a catch-up tells which by
        // the latest seq and the epoch, and resets the channel in the second case.
        catchUp(channel);
        return;
    }
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
    evalScript(
        kFetchSha, kFetchScript, fetchArgs(channel, QByteArray::number(from), qMax(1, m_options.historySize)),
        [this, channel](const RedisReply *r) {
            LiveChannel &live = m_live[channel];
            if (!live.catchingUp)
                return; // the connection was lost meanwhile; the next ready state retries
            live.catchingUp = false;
            if (!r || r->isError() || r->elements.size() != 4) {
                // Held messages wait: the catch-up runs again once Redis answers.
                qCInfo(lcHub).noquote() << "catch-up of" << logSafe(channel) << "failed:" << replyError(r);
                return;
            }
            const qint64 before = live.delivered;
            const qint64 latest = r->elements.at(0).toInteger();
            const QString epoch = QString::fromUtf8(r->elements.at(3).string);
            // A sequence that went back, or one that started again under a new epoch and
            // already passed where we were (Redis restarted without persistence while
            // this hub was away from it): both are a new stream, not a continuation.
            const bool newEpoch = !live.epoch.isEmpty() && epoch != live.epoch;
            if (latest < before || newEpoch) {
                qCWarning(lcHub).noquote()
                    << "channel" << logSafe(channel) << "went back from seq" << before << "to" << latest
                    << (newEpoch ? "under a new epoch" : "") << "in Redis (data lost there);"
                    << "starting it again";
                live.delivered = 0;
                live.epoch = epoch;
                m_known[channel] = latest;
                m_knownEpochs[channel] = epoch;
                Q_EMIT channelReset(channel, epoch);
                catchUp(channel); // from seq 1 of the new sequence; held messages wait for it
                return;
            }
            if (live.epoch.isEmpty())
                live.epoch = epoch;
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
