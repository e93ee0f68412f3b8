// HubMetrics without a hub: the reject-reason label table (the labels docs/OPERATIONS.md lists),
// what counting does to the texts of /metrics, /healthz and hub.stats, and the per-second rates.
#include "hub/HubMetrics.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTest>

using namespace Pulseboard;

namespace {

HubStatus okStatus()
{
    HubStatus s;
    s.serverName = QStringLiteral("hub-under-test");
    s.url = QStringLiteral("ws://127.0.0.1:1234");
    s.connections = 2;
    s.hasStore = true;
    s.storeKind = QStringLiteral("memory");
    s.storeAvailable = true;
    s.storeStatus = QStringLiteral("in memory");
    s.feeds = {QStringLiteral("sys.cpu")};
    return s;
}

QList<QByteArray> linesStartingWith(const QByteArray &text, const QByteArray &prefix)
{
    QList<QByteArray> out;
    for (const QByteArray &line : text.split('\n')) {
        if (line.startsWith(prefix))
            out.append(line);
    }
    return out;
}

} // namespace

class tst_HubMetrics : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void rejectLabels_data();
    void rejectLabels();
    void rejectLabelsAreUniqueAndComplete();
    void unknownLabelIsNoReason();
    void rejectsListedSortedOnlyWhenCounted();
    void countersInPrometheusText();
    void channelSeriesEscapedAndSorted();
    void ratesOfTheLastSecond();
    void healthFollowsStatus();
    void httpRoutes();
};

void tst_HubMetrics::rejectLabels_data()
{
    QTest::addColumn<int>("reason");
    QTest::addColumn<QString>("label");
    // The labels of pulseboard_hub_rejects_total{reason} as docs/OPERATIONS.md lists them.
    QTest::newRow("origin") << int(RejectReason::Origin) << QStringLiteral("origin");
    QTest::newRow("auth") << int(RejectReason::Auth) << QStringLiteral("auth");
    QTest::newRow("auth_expired") << int(RejectReason::AuthExpired) << QStringLiteral("auth_expired");
    QTest::newRow("auth_timeout") << int(RejectReason::AuthTimeout) << QStringLiteral("auth_timeout");
    QTest::newRow("rate_limit") << int(RejectReason::RateLimit) << QStringLiteral("rate_limit");
    QTest::newRow("too_big") << int(RejectReason::TooBig) << QStringLiteral("too_big");
    QTest::newRow("malformed") << int(RejectReason::Malformed) << QStringLiteral("malformed");
    QTest::newRow("slow_client") << int(RejectReason::SlowClient) << QStringLiteral("slow_client");
    QTest::newRow("heartbeat_timeout")
        << int(RejectReason::HeartbeatTimeout) << QStringLiteral("heartbeat_timeout");
    QTest::newRow("reserved_channel")
        << int(RejectReason::ReservedChannel) << QStringLiteral("reserved_channel");
    QTest::newRow("store_unavailable")
        << int(RejectReason::StoreUnavailable) << QStringLiteral("store_unavailable");
    QTest::newRow("not_granted") << int(RejectReason::NotGranted) << QStringLiteral("not_granted");
    QTest::newRow("bad_field") << int(RejectReason::BadField) << QStringLiteral("bad_field");
    QTest::newRow("too_many_subscriptions")
        << int(RejectReason::TooManySubscriptions) << QStringLiteral("too_many_subscriptions");
    QTest::newRow("too_many_channels")
        << int(RejectReason::TooManyChannels) << QStringLiteral("too_many_channels");
    QTest::newRow("replay_stalled") << int(RejectReason::ReplayStalled) << QStringLiteral("replay_stalled");
    QTest::newRow("connection_limit")
        << int(RejectReason::ConnectionLimit) << QStringLiteral("connection_limit");
    QTest::newRow("auth_throttled") << int(RejectReason::AuthThrottled) << QStringLiteral("auth_throttled");
}

void tst_HubMetrics::rejectLabels()
{
    QFETCH(int, reason);
    QFETCH(QString, label);
    QCOMPARE(QString(rejectReasonLabel(RejectReason(reason))), label);
    const std::optional<RejectReason> back = rejectReasonFromLabel(label);
    QVERIFY(back.has_value());
    QCOMPARE(int(*back), reason);
}

void tst_HubMetrics::rejectLabelsAreUniqueAndComplete()
{
    QSet<QString> labels;
    for (int i = 0; i < kRejectReasonCount; ++i) {
        const QString label = rejectReasonLabel(RejectReason(i));
        QVERIFY(!label.isEmpty());
        // Prometheus label values we write unescaped: lower case words and underscores.
        for (QChar c : label)
            QVERIFY2(c.isLower() || c == QLatin1Char('_'), qPrintable(label));
        labels.insert(label);
    }
    QCOMPARE(labels.size(), kRejectReasonCount);
    QCOMPARE(kRejectReasonCount, 18); // the _data table above has a row for each
}

void tst_HubMetrics::unknownLabelIsNoReason()
{
    QVERIFY(!rejectReasonFromLabel(u"").has_value());
    QVERIFY(!rejectReasonFromLabel(u"Origin").has_value());
    QVERIFY(!rejectReasonFromLabel(u"no_such_reason").has_value());
}

void tst_HubMetrics::rejectsListedSortedOnlyWhenCounted()
{
    HubMetrics m;
    m.countReject(RejectReason::TooBig);
    m.countReject(RejectReason::Auth);
    m.countReject(RejectReason::Auth);
    m.countReject(RejectReason::SlowClient);
    QCOMPARE(m.rejects(RejectReason::Auth), quint64(2));
    QCOMPARE(m.rejects(RejectReason::TooBig), quint64(1));
    QCOMPARE(m.rejects(RejectReason::Origin), quint64(0));
    QCOMPARE(m.counters().rejectsTotal(), quint64(4));

    const QByteArray text = m.prometheusText(okStatus());
    QCOMPARE(linesStartingWith(text, "pulseboard_hub_rejects_total{"),
             (QList<QByteArray>{"pulseboard_hub_rejects_total{reason=\"auth\"} 2",
                                "pulseboard_hub_rejects_total{reason=\"slow_client\"} 1",
                                "pulseboard_hub_rejects_total{reason=\"too_big\"} 1"}));
    QVERIFY(text.contains("# TYPE pulseboard_hub_rejects_total counter\n"));
    QCOMPARE(m.statsSnapshot(okStatus()).value(QStringLiteral("rejects")).toInt(), 4);
}

void tst_HubMetrics::countersInPrometheusText()
{
    HubMetrics m;
    m.countConnection();
    m.countConnection();
    m.countFrameIn(10);
    m.countFrameIn(32);
    m.countFrameOut(7);
    m.countPublished();
    HubStatus status = okStatus();
    const QByteArray text = m.prometheusText(status);
    // Never started: uptime 0.
    for (const char *line : {"pulseboard_hub_connections 2", "pulseboard_hub_connections_total 2",
                             "pulseboard_hub_messages_in_total 2", "pulseboard_hub_messages_out_total 1",
                             "pulseboard_hub_bytes_in_total 42", "pulseboard_hub_bytes_out_total 7",
                             "pulseboard_hub_published_total 1", "pulseboard_hub_uptime_seconds 0",
                             "pulseboard_hub_store_available 1"})
        QVERIFY2(text.contains(QByteArray("\n") + line + '\n'), line);
    QVERIFY(text.startsWith("# HELP pulseboard_hub_connections WebSocket clients connected now.\n"
                            "# TYPE pulseboard_hub_connections gauge\n"));
    status.storeAvailable = false;
    QVERIFY(m.prometheusText(status).contains("\npulseboard_hub_store_available 0\n"));
}

void tst_HubMetrics::channelSeriesEscapedAndSorted()
{
    HubMetrics m;
    m.countChannelMessage(QStringLiteral("b.two"));
    m.countChannelMessage(QStringLiteral("a\"q"));
    m.countChannelMessage(QStringLiteral("b.two"));
    HubStatus status = okStatus();
    status.subscribers.insert(QStringLiteral("b.two"), 3);
    status.subscribers.insert(QStringLiteral("a\"q"), 1);
    const QByteArray text = m.prometheusText(status);
    QCOMPARE(linesStartingWith(text, "pulseboard_hub_channel_messages_total{"),
             (QList<QByteArray>{"pulseboard_hub_channel_messages_total{channel=\"a\\\"q\"} 1",
                                "pulseboard_hub_channel_messages_total{channel=\"b.two\"} 2"}));
    QCOMPARE(linesStartingWith(text, "pulseboard_hub_channel_subscribers{"),
             (QList<QByteArray>{"pulseboard_hub_channel_subscribers{channel=\"a\\\"q\"} 1",
                                "pulseboard_hub_channel_subscribers{channel=\"b.two\"} 3"}));
    // Before the first tick no rate is known: 0.
    QCOMPARE(linesStartingWith(text, "pulseboard_hub_channel_rate{"),
             (QList<QByteArray>{"pulseboard_hub_channel_rate{channel=\"a\\\"q\"} 0",
                                "pulseboard_hub_channel_rate{channel=\"b.two\"} 0"}));
}

void tst_HubMetrics::ratesOfTheLastSecond()
{
    HubMetrics m;
    for (int i = 0; i < 3; ++i)
        m.countFrameIn(100);
    m.countPublished();
    m.countChannelMessage(QStringLiteral("c"));
    m.countChannelMessage(QStringLiteral("c"));
    m.tick();
    QJsonObject s = m.statsSnapshot(okStatus());
    QCOMPARE(s.value(QStringLiteral("framesInPerSec")).toDouble(), 3.0);
    QCOMPARE(s.value(QStringLiteral("bytesInPerSec")).toDouble(), 300.0);
    QCOMPARE(s.value(QStringLiteral("publishedPerSec")).toDouble(), 1.0);
    QCOMPARE(s.value(QStringLiteral("framesIn")).toDouble(), 3.0);
    QCOMPARE(s.value(QStringLiteral("channels")).toInt(), 1);
    QCOMPARE(s.value(QStringLiteral("connections")).toInt(), 2);
    QCOMPARE(s.value(QStringLiteral("storeAvailable")).toBool(), true);
    QCOMPARE(m.channelRate(QStringLiteral("c")), 2.0);

    m.countFrameIn(1);
    m.tick();
    s = m.statsSnapshot(okStatus());
    QCOMPARE(s.value(QStringLiteral("framesInPerSec")).toDouble(), 1.0);
    QCOMPARE(s.value(QStringLiteral("publishedPerSec")).toDouble(), 0.0);
    QCOMPARE(s.value(QStringLiteral("framesIn")).toDouble(), 4.0);
    QCOMPARE(m.channelRate(QStringLiteral("c")), 0.0);
    QCOMPARE(m.channelRate(QStringLiteral("never")), 0.0);
}

void tst_HubMetrics::healthFollowsStatus()
{
    HubMetrics m;
    HubStatus status = okStatus();
    QJsonObject h = m.health(status);
    QCOMPARE(h.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QCOMPARE(h.value(QStringLiteral("server")).toString(), QStringLiteral("hub-under-test"));
    QCOMPARE(h.value(QStringLiteral("connections")).toInt(), 2);
    QCOMPARE(h.value(QStringLiteral("url")).toString(), QStringLiteral("ws://127.0.0.1:1234"));
    QCOMPARE(h.value(QStringLiteral("store")).toObject().value(QStringLiteral("kind")).toString(),
             QStringLiteral("memory"));
    QCOMPARE(h.value(QStringLiteral("feeds")).toArray(), QJsonArray{QStringLiteral("sys.cpu")});
    status.storeAvailable = false;
    QCOMPARE(m.health(status).value(QStringLiteral("status")).toString(), QStringLiteral("degraded"));
    QCOMPARE(m.health(status)
                 .value(QStringLiteral("store"))
                 .toObject()
                 .value(QStringLiteral("available"))
                 .toBool(),
             false);
    status.stopping = true;
    QCOMPARE(m.health(status).value(QStringLiteral("status")).toString(), QStringLiteral("stopping"));
}

void tst_HubMetrics::httpRoutes()
{
    HubMetrics m;
    HubStatus status = okStatus();
    HealthServer::Response r = m.httpResponse("/healthz", status);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.contentType, QByteArrayLiteral("application/json"));
    QVERIFY(r.body.endsWith('\n'));
    QCOMPARE(QJsonDocument::fromJson(r.body).object().value(QStringLiteral("status")).toString(),
             QStringLiteral("ok"));

    r = m.httpResponse("/metrics", status);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.contentType, QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8"));
    QCOMPARE(r.body, m.prometheusText(status));

    r = m.httpResponse("/other", status);
    QCOMPARE(r.status, 404);

    status.stopping = true;
    QCOMPARE(m.httpResponse("/healthz", status).status, 503);
}

QTEST_GUILESS_MAIN(tst_HubMetrics)
#include "tst_hubmetrics.moc"
