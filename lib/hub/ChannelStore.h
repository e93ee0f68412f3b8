// Where a hub keeps its channels: the per-channel sequence, the bounded history that `since`
// replays from, and the dedupe window of publish ids. The hub talks to it asynchronously so the
// same session code serves the in-memory store and the Redis one (several hubs, one truth).
// Contract: messageArrived is emitted once per message, per channel in strictly increasing seq
// order, for every message appended through any hub sharing the store; a store fills its own
// gaps (or reports them) before it emits a later seq.
#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>

namespace Pulseboard {

struct StoredMessage
{
    qint64 seq = 0;
    qint64 ts = 0;
    QByteArray frame; // the encoded `message` envelope, ready to send
};

struct AppendResult
{
    qint64 seq = -1; // the message's seq (for a duplicate: the seq the first one got)
    bool duplicate = false;
    QString error;     // non-empty: nothing was stored
    int errorCode = 0; // with `error`: the HubError code the publisher gets (0: Unavailable)
};

struct FetchResult
{
    qint64 latestSeq = 0;          // newest seq on the channel (0: nothing published yet)
    qint64 firstRetainedSeq = 0;   // oldest seq still in history (0: history empty)
    QList<StoredMessage> messages; // retained messages with seq > since, oldest first (one page)
    bool more = false;             // the page stopped at its limit: more may be retained after it
    QString error;                 // non-empty: the store could not answer
    // The identity of the channel's sequence: changes whenever it starts again at seq 1 (a memory
    // hub restarted, a channel freed and recreated, a Redis stream lost), so a `since` from
    // another epoch is known to mean nothing here. A channel with nothing published yet has one
    // too (kept for it), the one its first message will carry.
    QString epoch;
};

struct ChannelInfo
{
    // A constructor, not an aggregate: {name, seq} (without the epoch) stays valid and quiet.
    ChannelInfo(const QString &name = QString(), qint64 seq = 0, const QString &epoch = QString())
        : name(name), seq(seq), epoch(epoch)
    {
    }
    QString name;
    qint64 seq = 0;
    QString epoch; // empty: not known to this hub (yet)
};

class ChannelStore : public QObject
{
    Q_OBJECT
public:
    using AppendCallback = std::function<void(const AppendResult &)>;
    using FetchCallback = std::function<void(const FetchResult &)>;

    explicit ChannelStore(QObject *parent = nullptr) : QObject(parent) {}
    ~ChannelStore() override = default;

    virtual QString kind() const = 0;
    // Connects to a backing service where there is one; false with a reason when it cannot even try.
    virtual bool start(QString *error) = 0;
    // False while a backing service is unreachable: appends and fetches then fail with a reason.
    virtual bool isAvailable() const = 0;
    virtual QString statusText() const = 0;

    // Stores `dataJson` (one JSON value as text, already validated: stored and sent as these
    // bytes, never rebuilt) under the next seq. `dedupeKey` (identity + publish id; empty: none)
    // makes a repeated publish answer with the first seq instead of storing again. `done` may
    // run before append() returns.
    virtual void append(const QString &channel, const QByteArray &dataJson, qint64 ts,
                        const QString &dedupeKey, AppendCallback done) = 0;
    // The same for a value the hub built itself (feeds, tests): written out once.
    void append(const QString &channel, const QJsonValue &data, qint64 ts, const QString &dedupeKey,
                AppendCallback done);
    // The channel's latest seq and, when since >= 0, the retained messages after it: at most
    // `maxMessages` of them (<= 0: all), the oldest first, with `more` set when the page was cut
    // there. A replay asks for the next page from the last seq it got, so no read is unbounded.
    virtual void fetch(const QString &channel, qint64 since, int maxMessages, FetchCallback done) = 0;
    // Channels this store knows of, with their latest seq.
    virtual QList<ChannelInfo> channels() const = 0;

    // Budgets. Bytes of retained history this store holds (its accounting, see
    // MemoryChannelStore), or -1 when it cannot tell cheaply (Redis: bounded by count instead).
    virtual qint64 retainedBytes() const { return -1; }
    // Frees every channel idle for `idleMs` (no publish, no fetch and not marked busy since) for
    // which `keep` is false, with its history and dedupe entries; emits channelExpired for each.
    // Returns how many went. A store that cannot expire channels frees none.
    virtual int expireIdle(qint64 idleMs, const std::function<bool(const QString &)> &keep)
    {
        Q_UNUSED(idleMs)
        Q_UNUSED(keep)
        return 0;
    }
    // A new epoch: 16 hex digits of random, unique for every sequence any hub starts.
    static QString newEpoch();

    static QByteArray encodeMessage(const QString &channel, qint64 seq, qint64 ts, const QJsonValue &data);
    // The same frame, with `dataJson` as its data bytes.
    static QByteArray encodeMessage(const QString &channel, qint64 seq, qint64 ts,
                                    const QByteArray &dataJson);

Q_SIGNALS:
    void messageArrived(const QString &channel, const Pulseboard::StoredMessage &message);
    void availabilityChanged(bool available);
    // The channel's sequence went back (its backing store lost its data, e.g. a Redis restart
    // without persistence): what follows starts again at seq 1, under `epoch`.
    void channelReset(const QString &channel, const QString &epoch);
    // The channel was freed for being idle (expireIdle): a publish creates it afresh, at seq 1.
    void channelExpired(const QString &channel);
};

} // namespace Pulseboard
