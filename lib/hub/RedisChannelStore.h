// Channels shared by several hubs through one Redis. Per channel: the seq is a counter (INCR),
// history is a Redis Stream whose entry ids are the seqs (`<seq>-0`, trimmed to --history entries and
// --max-channel-bytes of data), so a `since` replay is a chain of XRANGE ... COUNT pages; a publish is one
// Lua script (dedupe check, INCR, XADD, PUBLISH) and therefore atomic. Every hub PSUBSCRIBEs to all channels
// and emits each message once, in seq order: a seq that arrives ahead of the last one emitted is held while
// the gap is read back from the stream (a hub that lost Redis for a while catches up the same way on
// reconnect). Two connections (commands, pub/sub), both asynchronous; reconnects with capped backoff. Stream
// identity: each channel's epoch lives in Redis beside its stream (`<prefix>:epoch:<name>`, made by the
// scripts, never by one hub alone), so every hub of a group reports the same one and a stream lost in Redis
// comes back under a new one.
#pragma once

#include "ChannelStore.h"
#include "RedisConnection.h"

#include <QHash>
#include <QMap>
#include <QTimer>
#include <QUrl>

namespace Pulseboard {

class RedisChannelStore : public ChannelStore
{
    Q_OBJECT
public:
    struct Options
    {
        QUrl url; // redis://[:password@]host[:port]
        QString prefix = QStringLiteral("pulseboard");
        int historySize = 1000;
        int dedupeTtlSec = 600;
        // Budgets (see OPERATIONS.md), checked in the append script: channels in the shared set
        // at most (0: no cap); a channel's history by count (historySize) and by the bytes of its
        // messages' data (0: no byte budget), the oldest trimmed first; a channel's keys expire
        // after channelIdleMs without a publish (0: never), unless a hub with subscribers there
        // keeps them (expireIdle), and expired names leave the channel set.
        int maxChannels = 0;
        qint64 maxChannelBytes = 0;
        qint64 channelIdleMs = 0;
        int reconnectMinMs = 100;
        int reconnectMaxMs = 5000;
        int connectTimeoutMs = 3000;
    };

    explicit RedisChannelStore(const Options &options, QObject *parent = nullptr);
    ~RedisChannelStore() override;

    QString kind() const override { return QStringLiteral("redis"); }
    bool start(QString *error) override;
    bool isAvailable() const override { return m_ready; }
    QString statusText() const override;

    using ChannelStore::append;
    void append(const QString &channel, const QByteArray &dataJson, qint64 ts, const QString &dedupeKey,
                AppendCallback done) override;
    void fetch(const QString &channel, qint64 since, int maxMessages, FetchCallback done) override;
    QList<ChannelInfo> channels() const override;
    // Asynchronous: starts the expiry of the channels `keep` names again, then removes expired
    // channels from the set and emits channelExpired for each; returns 0.
    int expireIdle(qint64 idleMs, const std::function<bool(const QString &)> &keep) override;

private:
    struct LiveChannel
    {
        qint64 delivered = -1; // last seq emitted (-1: none yet)
        bool catchingUp = false;
        QMap<qint64, StoredMessage> held; // arrived ahead of a gap, by seq
        QString epoch;                    // of the sequence emitted so far (empty: not read yet)
    };

    void connectNow();
    void onConnected();
    void onLost(const QString &reason);
    void scheduleReconnect();
    void becomeReady();
    void onPubSub(const RedisReply &reply);
    void acceptLive(const QString &channel, const StoredMessage &message);
    void catchUp(const QString &channel);
    void evalScript(const QByteArray &sha, const QByteArray &script, const QList<QByteArray> &keysAndArgs,
                    RedisConnection::Callback done);
    static bool parseEntry(const QString &channel, const RedisReply &entry, StoredMessage *out);

    QByteArray key(const char *kind, const QString &name) const;
    // KEYS and ARGV of kFetchScript: `from` the first seq wanted ('' for none).
    QList<QByteArray> fetchArgs(const QString &channel, const QByteArray &from, int count) const;

    Options m_options;
    QString m_host;
    quint16 m_port = 6379;
    QByteArray m_password;
    RedisConnection *m_commands;
    RedisConnection *m_pubsub;
    QTimer m_reconnectTimer;
    QTimer m_connectTimeout;
    int m_reconnectDelayMs = 0;
    int m_attempt = 0;
    bool m_ready = false;
    bool m_subscribed = false;
    bool m_channelsLoaded = false;
    QString m_lastError;
    QHash<QString, LiveChannel> m_live;
    QHash<QString, qint64> m_known;        // channel -> latest seq seen
    QHash<QString, QString> m_knownEpochs; // channel -> epoch last read
};

} // namespace Pulseboard
