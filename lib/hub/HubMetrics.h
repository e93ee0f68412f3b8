// HubMetrics: what a hub counts and how it reports it. The counters (frames, bytes, publishes,
// connections, refusals by reason, messages per channel), the per-second rates of hub.stats, and
// the two texts of the health port: `/healthz` (JSON) and `/metrics` (Prometheus). It counts and
// renders; what the hub is right now (connections, store, subscribers) is handed in as a
// HubStatus, so every text here is a pure function of what was counted and that status.
#pragma once

#include "HealthServer.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <array>
#include <optional>

namespace Pulseboard {

// Why a client was refused or dropped. Each is one `reason` label of
// pulseboard_hub_rejects_total; the labels are part of docs/OPERATIONS.md, never renamed.
enum class RejectReason : quint8 {
    Origin,           // Origin not in --allow-origin: close 1008
    Auth,             // no auth first, or a token that is wrong: close 4001
    AuthExpired,      // a signed token past its expiry: close 4001
    AuthTimeout,      // no auth within --auth-timeout-ms: close 4001
    RateLimit,        // over --rate-limit: close 4008
    TooBig,           // a frame over --max-message-bytes: close 1009
    Malformed,        // not a frame of the protocol: error 4400, the session goes on
    SlowClient,       // unsent data over --max-send-buffer: dropped
    HeartbeatTimeout, // silent for two heartbeat intervals: dropped
    ReservedChannel,  // a publish on a channel a feed owns: error 403
    StoreUnavailable, // the store could not take a publish: error 503 (or a feed sample lost)
    NotGranted,       // a publish or subscribe outside the token's channel patterns: error 403
    // Budgets (docs/OPERATIONS.md): refused, the session goes on
    BadField,             // an id or client key over its cap, an empty publish id: error 400
    TooManySubscriptions, // a subscribe past --max-subscriptions: error 429
    TooManyChannels,      // a publish that would create a channel past --max-channels: error 507
    // A paced replay waited on a socket that wrote nothing for --replay-stall-timeout: dropped.
    ReplayStalled,
    // Connection limits and auth throttling (docs/OPERATIONS.md "Connection limits")
    ConnectionLimit, // over --max-connections or --max-connections-per-address: close 4503
    AuthThrottled,   // --max-auth-failures failed auths from its address in the window: close 4008
};
inline constexpr int kRejectReasonCount = int(RejectReason::AuthThrottled) + 1;

QLatin1StringView rejectReasonLabel(RejectReason reason);
std::optional<RejectReason> rejectReasonFromLabel(QStringView label);

// What the hub is at the moment of a report (the counters say what it has done).
struct HubStatus
{
    QString serverName;
    QString url;
    int connections = 0;
    bool stopping = false;
    bool hasStore = false;
    QString storeKind;
    bool storeAvailable = false;
    QString storeStatus;
    QStringList feeds;              // active feed channels, sorted
    QMap<QString, int> subscribers; // channel -> local subscribers (channels with any)
    // Budgets: what the store holds (-1: the store cannot tell, e.g. Redis) and its caps (0: none)
    qint64 retainedBytes = -1;
    qint64 maxRetainedBytes = 0;
    int storeChannels = -1;
};

class HubMetrics
{
public:
    struct Counters
    {
        quint64 connectionsTotal = 0;
        quint64 framesIn = 0;
        quint64 framesOut = 0;
        quint64 bytesIn = 0;
        quint64 bytesOut = 0;
        quint64 published = 0;    // messages appended through this hub
        quint64 acceptErrors = 0; // accept() failures (EMFILE...): accepting paused, then resumed
        std::array<quint64, kRejectReasonCount> rejects{};

        quint64 rejectsTotal() const;
    };
    struct ChannelStats
    {
        quint64 total = 0;
        quint64 lastTotal = 0;
        double rate = 0; // messages a second over the last full second
    };

    // Uptime counts from here (the hub calls it once it listens).
    void start();
    qint64 uptimeMs() const;

    void countConnection() { ++m_counters.connectionsTotal; }
    void countFrameIn(qint64 bytes)
    {
        ++m_counters.framesIn;
        m_counters.bytesIn += quint64(bytes);
    }
    void countFrameOut(qint64 bytes)
    {
        ++m_counters.framesOut;
        m_counters.bytesOut += quint64(bytes);
    }
    void countPublished() { ++m_counters.published; }
    void countAcceptError() { ++m_counters.acceptErrors; }
    // How many channels /metrics labels (feeds first, then the busiest; at least the feeds); the
    // rest are summed in one series labelled kOtherChannelsLabel. A publisher picks channel
    // names: without a cap each would be a series of every scrape, for ever.
    void setMaxChannelSeries(int max) { m_maxChannelSeries = max; }
    int maxChannelSeries() const { return m_maxChannelSeries; }
    // Not a channel name (those have no spaces), so no publisher can take it.
    static constexpr QLatin1StringView kOtherChannelsLabel{"(other channels)"};
    void countReject(RejectReason reason) { m_counters.rejects[size_t(reason)] += 1; }
    // Every message the store hands this hub, whoever published it.
    void countChannelMessage(const QString &channel) { m_channels[channel].total += 1; }
    // The store freed the channel (idle): its per-channel series go with it.
    void forgetChannel(const QString &channel) { m_channels.remove(channel); }

    const Counters &counters() const { return m_counters; }
    quint64 rejects(RejectReason reason) const { return m_counters.rejects[size_t(reason)]; }
    const QHash<QString, ChannelStats> &channels() const { return m_channels; }
    double channelRate(const QString &channel) const { return m_channels.value(channel).rate; }

    // Once a second: the rates of the second that ended.
    void tick();

    // hub.stats: the rates of the last full second and the totals.
    QJsonObject statsSnapshot(const HubStatus &status) const;
    // /healthz
    QJsonObject health(const HubStatus &status) const;
    // /metrics (Prometheus text format 0.0.4)
    QByteArray prometheusText(const HubStatus &status) const;
    // What the health port answers for `path`: /healthz, /metrics, else 404.
    HealthServer::Response httpResponse(const QByteArray &path, const HubStatus &status) const;

private:
    struct ChannelSeries
    {
        QStringList listed; // sorted
        qint64 otherChannels = 0;
        quint64 otherTotal = 0;
        double otherRate = 0;
        qint64 otherSubscribers = 0;
    };
    ChannelSeries channelSeries(const HubStatus &status) const;

    Counters m_counters;
    Counters m_lastTick;
    QJsonObject m_rates;
    QHash<QString, ChannelStats> m_channels;
    QElapsedTimer m_uptime;
    int m_maxChannelSeries = 100;
};

} // namespace Pulseboard
