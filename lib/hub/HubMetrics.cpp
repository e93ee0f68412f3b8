#include "HubMetrics.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <algorithm>

namespace Pulseboard {

namespace {

// Indexed by RejectReason: the `reason` label of each. One row per group of reasons as they
// were added (clang-format would reflow them all on every addition).
// clang-format off
constexpr std::array<const char *, kRejectReasonCount> kRejectLabels = {
    "origin",    "auth",        "auth_expired",      "auth_timeout",     "rate_limit",        "too_big",
    "malformed", "slow_client", "heartbeat_timeout", "reserved_channel", "store_unavailable", "not_granted",
    "bad_field", "too_many_subscriptions", "too_many_channels", // budgets
    "replay_stalled", // replay pacing
    "connection_limit", "auth_throttled", // connection limits
};
// clang-format on

// The reasons in the order of their labels: /metrics lists them sorted, as it always has.
std::array<RejectReason, kRejectReasonCount> reasonsByLabel()
{
    std::array<RejectReason, kRejectReasonCount> order{};
    for (int i = 0; i < kRejectReasonCount; ++i)
        order[size_t(i)] = RejectReason(i);
    std::sort(order.begin(), order.end(),
              [](RejectReason a, RejectReason b) { return rejectReasonLabel(a) < rejectReasonLabel(b); });
    return order;
}

QString promEscape(const QString &value)
{
    QString out = value;
    out.replace(QLatin1Char('\\'), QLatin1StringView("\\\\"));
    out.replace(QLatin1Char('"'), QLatin1StringView("\\\""));
    out.replace(QLatin1Char('\n'), QLatin1StringView("\\n"));
    return out;
}

} // namespace

QLatin1StringView rejectReasonLabel(RejectReason reason)
{
    const int i = int(reason);
    Q_ASSERT(i >= 0 && i < kRejectReasonCount);
    return QLatin1StringView(kRejectLabels[size_t(i)]);
}

std::optional<RejectReason> rejectReasonFromLabel(QStringView label)
{
    for (int i = 0; i < kRejectReasonCount; ++i) {
        if (label == QLatin1StringView(kRejectLabels[size_t(i)]))
            return RejectReason(i);
    }
    return std::nullopt;
}

quint64 HubMetrics::Counters::rejectsTotal() const
{
    quint64 sum = 0;
    for (quint64 n : rejects)
        sum += n;
    return sum;
}

void HubMetrics::start()
{
    m_uptime.start();
}

qint64 HubMetrics::uptimeMs() const
{
    return m_uptime.isValid() ? m_uptime.elapsed() : 0;
}

void HubMetrics::tick()
{
    for (auto it = m_channels.begin(); it != m_channels.end(); ++it) {
        it->rate = double(it->total - it->lastTotal);
        it->lastTotal = it->total;
    }
    QJsonObject rates;
    rates.insert(QLatin1StringView("framesInPerSec"), double(m_counters.framesIn - m_lastTick.framesIn));
    rates.insert(QLatin1StringView("framesOutPerSec"), double(m_counters.framesOut - m_lastTick.framesOut));
    rates.insert(QLatin1StringView("bytesInPerSec"), double(m_counters.bytesIn - m_lastTick.bytesIn));
    rates.insert(QLatin1StringView("bytesOutPerSec"), double(m_counters.bytesOut - m_lastTick.bytesOut));
    rates.insert(QLatin1StringView("publishedPerSec"), double(m_counters.published - m_lastTick.published));
    m_rates = rates;
    m_lastTick = m_counters;
}

QJsonObject HubMetrics::statsSnapshot(const HubStatus &status) const
{
    QJsonObject o = m_rates;
    o.insert(QLatin1StringView("connections"), status.connections);
    o.insert(QLatin1StringView("channels"), int(m_channels.size()));
    o.insert(QLatin1StringView("framesIn"), double(m_counters.framesIn));
    o.insert(QLatin1StringView("framesOut"), double(m_counters.framesOut));
    o.insert(QLatin1StringView("published"), double(m_counters.published));
    o.insert(QLatin1StringView("rejects"), double(m_counters.rejectsTotal()));
    o.insert(QLatin1StringView("uptimeMs"), double(uptimeMs()));
    o.insert(QLatin1StringView("storeAvailable"), status.hasStore && status.storeAvailable);
    if (status.retainedBytes >= 0)
        o.insert(QLatin1StringView("retainedBytes"), double(status.retainedBytes));
    return o;
}

QJsonObject HubMetrics::health(const HubStatus &status) const
{
    QJsonObject h;
    const bool storeOk = status.hasStore && status.storeAvailable;
    h.insert(QLatin1StringView("status"), status.stopping ? QStringLiteral("stopping")
                                          : storeOk       ? QStringLiteral("ok")
                                                          : QStringLiteral("degraded"));
    h.insert(QLatin1StringView("server"), status.serverName);
    h.insert(QLatin1StringView("version"), QStringLiteral(PULSEBOARD_VERSION));
    h.insert(QLatin1StringView("uptimeMs"), double(uptimeMs()));
    h.insert(QLatin1StringView("connections"), status.connections);
    h.insert(QLatin1StringView("url"), status.url);
    QJsonObject store;
    store.insert(QLatin1StringView("kind"), status.storeKind);
    store.insert(QLatin1StringView("available"), storeOk);
    store.insert(QLatin1StringView("status"), status.storeStatus);
    h.insert(QLatin1StringView("store"), store);
    h.insert(QLatin1StringView("feeds"), QJsonArray::fromStringList(status.feeds));
    return h;
}

QByteArray HubMetrics::prometheusText(const HubStatus &status) const
{
    QString out;
    auto metric = [&out](const char *name, const char *type, const char *help, double value) {
        out +=
            QStringLiteral("# HELP pulseboard_hub_%1 %2\n# TYPE pulseboard_hub_%1 %3\npulseboard_hub_%1 %4\n")
                .arg(QLatin1StringView(name), QLatin1StringView(help), QLatin1StringView(type))
                .arg(value, 0, 'g', 15);
    };
    const Counters &c = m_counters;
    metric("connections", "gauge", "WebSocket clients connected now.", status.connections);
    metric("connections_total", "counter", "WebSocket clients accepted since start.",
           double(c.connectionsTotal));
    metric("messages_in_total", "counter", "Frames received from clients.", double(c.framesIn));
    metric("messages_out_total", "counter", "Frames sent to clients.", double(c.framesOut));
    metric("bytes_in_total", "counter", "Payload bytes received from clients.", double(c.bytesIn));
    metric("bytes_out_total", "counter", "Payload bytes sent to clients.", double(c.bytesOut));
    metric("published_total", "counter", "Messages stored through this hub.", double(c.published));
    metric("accept_errors_total", "counter",
           "Failed accepts (out of file descriptors...); accepting resumed after a short delay.",
           double(c.acceptErrors));
    metric("uptime_seconds", "gauge", "Seconds since the hub started.", double(uptimeMs()) / 1000.0);
    metric("store_available", "gauge", "1 when the channel store (memory or Redis) is reachable.",
           status.hasStore && status.storeAvailable ? 1 : 0);
    // Budgets: only where the store can tell (the memory store; Redis bounds history by count).
    if (status.retainedBytes >= 0)
        metric(
            "retained_bytes", "gauge",
            "Bytes of history the store retains (frames plus bookkeeping, as --max-retained-bytes counts).",
            double(status.retainedBytes));
    if (status.maxRetainedBytes > 0 && status.retainedBytes >= 0)
        metric("retained_bytes_limit", "gauge", "--max-retained-bytes.", double(status.maxRetainedBytes));
    if (status.storeChannels >= 0)
        metric("store_channels", "gauge", "Channels the store holds (with history or a seq).",
               double(status.storeChannels));

    // Only reasons that happened, as before the reasons were typed: a scrape lists what occurred.
    out += QStringLiteral("# HELP pulseboard_hub_rejects_total Clients refused or dropped, by reason.\n"
                          "# TYPE pulseboard_hub_rejects_total counter\n");
    static const auto byLabel = reasonsByLabel();
    for (RejectReason reason : byLabel) {
        const quint64 n = rejects(reason);
        if (n > 0)
            out += QStringLiteral("pulseboard_hub_rejects_total{reason=\"%1\"} %2\n")
                       .arg(rejectReasonLabel(reason))
                       .arg(n);
    }

    // Labelled channels: the feeds, then the busiest others up to the cap; the rest in one series.
    const ChannelSeries series = channelSeries(status);
    const bool other = series.otherChannels > 0;
    const QString otherLabel = QString(kOtherChannelsLabel);
    out += QStringLiteral(
        "# HELP pulseboard_hub_channel_messages_total Messages delivered to this hub per channel.\n"
        "# TYPE pulseboard_hub_channel_messages_total counter\n");
    for (const QString &name : std::as_const(series.listed))
        out += QStringLiteral("pulseboard_hub_channel_messages_total{channel=\"%1\"} %2\n")
                   .arg(promEscape(name))
                   .arg(m_channels.value(name).total);
    if (other)
        out += QStringLiteral("pulseboard_hub_channel_messages_total{channel=\"%1\"} %2\n")
                   .arg(otherLabel)
                   .arg(series.otherTotal);
    out += QStringLiteral(
        "# HELP pulseboard_hub_channel_rate Messages a second per channel over the last second.\n"
        "# TYPE pulseboard_hub_channel_rate gauge\n");
    for (const QString &name : std::as_const(series.listed))
        out += QStringLiteral("pulseboard_hub_channel_rate{channel=\"%1\"} %2\n")
                   .arg(promEscape(name))
                   .arg(m_channels.value(name).rate, 0, 'g', 15);
    if (other)
        out += QStringLiteral("pulseboard_hub_channel_rate{channel=\"%1\"} %2\n")
                   .arg(otherLabel)
                   .arg(series.otherRate, 0, 'g', 15);
    out += QStringLiteral("# HELP pulseboard_hub_channel_subscribers Local subscribers per channel.\n"
                          "# TYPE pulseboard_hub_channel_subscribers gauge\n");
    for (const QString &name : std::as_const(series.listed)) {
        const auto it = status.subscribers.constFind(name);
        if (it != status.subscribers.cend())
            out += QStringLiteral("pulseboard_hub_channel_subscribers{channel=\"%1\"} %2\n")
                       .arg(promEscape(name))
                       .arg(it.value());
    }
    if (series.otherSubscribers > 0)
        out += QStringLiteral("pulseboard_hub_channel_subscribers{channel=\"%1\"} %2\n")
                   .arg(otherLabel)
                   .arg(series.otherSubscribers);
    metric("channels_unlisted", "gauge",
           "Channels /metrics does not label (over the series cap): summed in channel=\"(other channels)\".",
           double(series.otherChannels));
    return out.toUtf8();
}

HubMetrics::ChannelSeries HubMetrics::channelSeries(const HubStatus &status) const
{
    ChannelSeries series;
    QSet<QString> all;
    all.reserve(m_channels.size() + status.subscribers.size());
    for (auto it = m_channels.cbegin(); it != m_channels.cend(); ++it)
        all.insert(it.key());
    for (auto it = status.subscribers.cbegin(); it != status.subscribers.cend(); ++it)
        all.insert(it.key());

    QStringList listed;
    QList<QString> rest;
    for (const QString &feed : status.feeds) {
        if (all.remove(feed))
            listed.append(feed);
    }
    rest.reserve(all.size());
    for (const QString &name : std::as_const(all))
        rest.append(name);
    const qsizetype room = qMax<qsizetype>(0, qsizetype(m_maxChannelSeries) - listed.size());
    // The busiest (messages, then subscribers, then name: a stable order between scrapes).
    auto busier = [this, &status](const QString &a, const QString &b) {
        const quint64 ma = m_channels.value(a).total, mb = m_channels.value(b).total;
        if (ma != mb)
            return ma > mb;
        const int sa = status.subscribers.value(a), sb = status.subscribers.value(b);
        if (sa != sb)
            return sa > sb;
        return a < b;
    };
    if (rest.size() > room) {
        std::partial_sort(rest.begin(), rest.begin() + room, rest.end(), busier);
        for (qsizetype i = room; i < rest.size(); ++i) {
            const ChannelStats st = m_channels.value(rest.at(i));
            series.otherTotal += st.total;
            series.otherRate += st.rate;
            series.otherSubscribers += status.subscribers.value(rest.at(i));
        }
        series.otherChannels = rest.size() - room;
        rest.resize(room);
    }
    listed += rest;
    listed.sort();
    series.listed = listed;
    return series;
}

HealthServer::Response HubMetrics::httpResponse(const QByteArray &path, const HubStatus &status) const
{
    HealthServer::Response r;
    if (path == "/healthz") {
        r.status = status.stopping ? 503 : 200;
        r.contentType = QByteArrayLiteral("application/json");
        r.body = QJsonDocument(health(status)).toJson(QJsonDocument::Compact) + '\n';
    } else if (path == "/metrics") {
        r.contentType = QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8");
        r.body = prometheusText(status);
    } else {
        r.status = 404;
        r.contentType = QByteArrayLiteral("text/plain; charset=utf-8");
        r.body = QByteArrayLiteral("not found: try /healthz or /metrics\n");
    }
    return r;
}

} // namespace Pulseboard
