// ClientSession over a LoopbackTransport, no sockets: the order of a connection (handshake ->
// auth -> resubscribe -> open), what it refuses, its heartbeat and setup deadline, frames it
// cannot read, and a dialect with no seq and a server-driven heartbeat behind the same session.
// Then ConnectionManager on the loopback: a request in flight fails when its session ends.
#include "client/ClientSession.h"
#include "client/ConnectionManager.h"
#include "client/Outbox.h"
#include "client/PulseboardDialect.h"
#include "client/RequestTracker.h"
#include "client/SubscriptionSet.h"
#include "protocol/CloseCode.h"
#include "protocol/Envelope.h"
#include "support/LoopbackTransport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QSignalSpy>
#include <QTest>

using namespace Pulseboard;
using Pulseboard::Test::LoopbackTransport;

namespace {

struct Delivered
{
    QString channel;
    qint64 seq = 0;
    QJsonValue data;
};

// One session with everything it reaches through SessionContext, owned by the test.
struct Rig
{
    ConnectionOptions options;
    SubscriptionSet subscriptions;
    Outbox outbox;
    ConnectionStats stats;
    RequestTracker tracker{outbox, stats};
    int ids = 0;
    QList<Delivered> delivered;
    LoopbackTransport *transport = nullptr; // owned by the session
    std::unique_ptr<ClientSession> session;

    Rig()
    {
        options.heartbeatIntervalMs = 60000;
        options.heartbeatTimeoutMs = 60000;
        options.connectTimeoutMs = 5000;
    }
    Rig(const Rig &) = delete;

    ClientSession &make(std::unique_ptr<WireDialect> dialect = std::make_unique<PulseboardDialect>())
    {
        SessionContext ctx;
        ctx.options = &options;
        ctx.subscriptions = &subscriptions;
        ctx.outbox = &outbox;
        ctx.tracker = &tracker;
        ctx.stats = &stats;
        ctx.nextId = [this](QLatin1StringView prefix) {
            return QStringLiteral("%1-%2").arg(prefix).arg(++ids);
        };
        ctx.deliver = [this](const QString &channel, qint64 seq, qint64, const JsonView &data) {
            delivered.append({channel, seq, data.toJsonValue()});
        };
        auto t = std::make_unique<LoopbackTransport>();
        transport = t.get();
        session = std::make_unique<ClientSession>(ctx, std::move(t), std::move(dialect));
        return *session;
    }
    Envelope sent(int i) const
    {
        Envelope env;
        if (!decodeEnvelope(transport->sent.value(i).bytes, env))
            qWarning("frame %d is not an envelope", i);
        return env;
    }
    QStringList sentTypes() const
    {
        QStringList out;
        for (int i = 0; i < transport->sent.size(); ++i)
            out.append(QString(messageTypeName(sent(i).type)));
        return out;
    }
    // Queues a publish as the manager does: encoded when it is made, by `dialect`.
    void queuePublish(const QString &id, const QString &channel, WireDialect &&dialect = PulseboardDialect())
    {
        Outbox::Entry e;
        e.id = id;
        e.kind = Outbox::Kind::Publish;
        e.target = channel;
        e.frame = dialect.encodePublish(id, channel, QJsonValue(1), QString()).bytes;
        outbox.enqueue(e);
    }
    // Opens a session with no token and no subscriptions: Open as soon as the socket is.
    void openPlain()
    {
        make().start(QUrl(QStringLiteral("ws://loopback/")));
        transport->accept(QStringLiteral("pulseboard.v1"));
        QObject::connect(transport, &LoopbackTransport::frameSent, session.get(),
                         [this](const QByteArray &bytes) {
                             Envelope env;
                             if (answerPings && decodeEnvelope(bytes, env) && env.type == MessageType::Ping)
                                 answer(env);
                         });
    }
    QList<Envelope> sentOfType(MessageType type) const
    {
        QList<Envelope> out;
        for (int i = 0; i < transport->sent.size(); ++i) {
            const Envelope env = sent(i);
            if (env.type == type)
                out.append(env);
        }
        return out;
    }
    // The server's pong to `ping`.
    void answer(const Envelope &ping)
    {
        transport->serverSendText(QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("pong")},
                                                            {QStringLiteral("id"), ping.id},
                                                            {QStringLiteral("ts"), ping.ts}})
                                      .toJson(QJsonDocument::Compact));
    }
    bool answerPings = false; // every ping answered at once (from openPlain on)
};

// A dialect unlike pulseboard.v1: lines of text, no seq, no acks, no subscribe answers, and the
// server keeps the heartbeat ("ping" is answered "pong"). Proves the session assumes none of them.
class LineDialect : public WireDialect
{
public:
    QString name() const override { return QStringLiteral("lines"); }
    QStringList subprotocols() const override { return {}; }
    Capabilities capabilities() const override
    {
        Capabilities c;
        c.heartbeat = Heartbeat::ServerPings;
        c.confirmsSubscribe = false;
        c.resumes = false;
        c.acksPublish = false;
        return c;
    }
    OutboundFrame encodeAuth(const QString &, const QString &token) override
    {
        return {"auth " + token.toUtf8()};
    }
    OutboundFrame encodeSubscribe(const QString &, const QString &channel, qint64 since) override
    {
        return {"sub " + channel.toUtf8() + " " + QByteArray::number(since)};
    }
    OutboundFrame encodeUnsubscribe(const QString &, const QString &channel) override
    {
        return {"unsub " + channel.toUtf8()};
    }
    OutboundFrame encodePublish(const QString &, const QString &channel, const QJsonValue &,
                                const QString &) override
    {
        return {"pub " + channel.toUtf8()};
    }
    OutboundFrame encodeRequest(const QString &, const QString &method, const QJsonValue &) override
    {
        return {"req " + method.toUtf8()};
    }
    OutboundFrame encodePing(const QString &, qint64) override { return {"client-ping"}; }
    // Wire ids per connection: each queued frame goes out numbered on this connection.
    OutboundFrame prepareQueued(const QString &, const QByteArray &queued) override
    {
        return {"#" + QByteArray::number(++m_sent) + " " + queued};
    }
    qsizetype decodeText(QStringView text, DialectEvents &events) override
    {
        const QByteArray line = text.toUtf8();
        if (line == "ping") {
            events.replyDue({"pong"});
        } else if (line.startsWith("hb ")) {
            events.serverHeartbeat(line.mid(3).toInt());
        } else if (line == "unresumed") {
            events.resumeFailed(QStringLiteral("not_recovered"));
        } else if (line.startsWith("msg ")) {
            const QList<QByteArray> parts = line.split(' ');
            m_data = QJsonDocument::fromJson("[" + parts.value(2) + "]").array().at(0);
            InboundMessage m;
            m.channel = QString::fromUtf8(parts.value(1));
            m.data = JsonView(m_data);
            events.messageArrived(m);
        } else {
            events.malformedFrame(CloseCode::Malformed, QStringLiteral("not a line I know"));
        }
        return line.size();
    }
    qsizetype decodeBinary(QByteArrayView data, DialectEvents &events) override
    {
        events.malformedFrame(CloseCode::Malformed, QStringLiteral("binary"));
        return data.size();
    }

private:
    QJsonValue m_data;
    int m_sent = 0;
};

} // namespace

class tst_ClientSession : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void handshakeAuthResubscribeOpenInOrder();
    void lostHistoryIsOneGapAndNoResubscribe();
    void foreignSubprotocolIsRefused();
    void refusedTokenEndsTheSession();
    void setupDeadlineNamesThePhase_data();
    void setupDeadlineNamesThePhase();
    void heartbeatPingsAndDropsASilentPeer();
    void ackDeadlineFiresThroughTheOneTimer();
    void ackDeadlineWaitsForTheServerToCatchUp();
    void malformedFramesAreReportedNotDropped();
    void duplicatesDroppedAndGapsReported();
    // Stream identity (`epoch`)
    void epochChangeIsAGapAndTheNewStreamFromItsStart();
    void serverIgnoringTheEpochIsAskedAgainFromZero();
    void unsolicitedResetWithANewEpochRestartsTheStream();
    void serverWithoutEpochsIsServedAsBefore();
    void sessionEndIsReportedOnceAndSilencesTheTransport();
    void dialectWithoutSeqAcksOrClientPings();
    void managerFailsInFlightRequestWhenSessionEnds();
    void serverHeartbeatDeadlineCatchesASilentServer();
    void resumeFailedIsAGapOnEveryChannel();
};

void tst_ClientSession::handshakeAuthResubscribeOpenInOrder()
{
    Rig rig;
    rig.options.token = QStringLiteral("tok-1");
    rig.subscriptions.add(QStringLiteral("a"));
    rig.subscriptions.accept(QStringLiteral("a"), 5); // held up to seq 5
    rig.subscriptions.add(QStringLiteral("b"));
    rig.queuePublish(QStringLiteral("p-1"), QStringLiteral("a"));
    ClientSession &s = rig.make();
    QSignalSpy phases(&s, &ClientSession::phaseChanged);
    QSignalSpy opened(&s, &ClientSession::opened);
    QSignalSpy subscribed(&s, &ClientSession::subscribed);
    connect(&s, &ClientSession::opened, &s, &ClientSession::flush); // as the manager does

    s.start(QUrl(QStringLiteral("ws://loopback/x")));
    QCOMPARE(rig.transport->openCount, 1);
    QCOMPARE(rig.transport->openedUrl, QUrl(QStringLiteral("ws://loopback/x")));
    QCOMPARE(rig.transport->offeredSubprotocols, QStringList{QStringLiteral("pulseboard.v1")});
    QCOMPARE(s.phase(), ClientSession::Phase::Connecting);
    QVERIFY(!s.isConnected());

    rig.transport->accept(QStringLiteral("pulseboard.v1"));
    QCOMPARE(s.phase(), ClientSession::Phase::Authenticating);
    QCOMPARE(rig.sentTypes(), QStringList{QStringLiteral("auth")});
    const Envelope auth = rig.sent(0);
    QCOMPARE(auth.text, QStringLiteral("tok-1"));
    s.flush(); // nothing queued may pass before the auth ack
    QCOMPARE(rig.transport->sent.size(), 1);

    rig.transport->serverSendText(R"({"type":"ack","id":")" + auth.id.toUtf8() + R"("})");
    QCOMPARE(s.phase(), ClientSession::Phase::Resubscribing);
    QCOMPARE(rig.sentTypes(),
             (QStringList{QStringLiteral("auth"), QStringLiteral("subscribe"), QStringLiteral("subscribe")}));
    const Envelope subA = rig.sent(1);
    const Envelope subB = rig.sent(2);
    QCOMPARE(subA.channel, QStringLiteral("a"));
    QCOMPARE(subA.since, 5);
    QCOMPARE(subB.channel, QStringLiteral("b"));
    QCOMPARE(subB.since, -1); // nothing held: no `since`
    QCOMPARE(opened.size(), 0);

    rig.transport->serverSendText(R"({"type":"subscribed","id":")" + subB.id.toUtf8() +
                                  R"(","channel":"b","seq":0})");
    QCOMPARE(opened.size(), 0); // a is still unanswered
    rig.transport->serverSendText(R"({"type":"subscribed","id":")" + subA.id.toUtf8() +
                                  R"(","channel":"a","seq":9,"recovered":true})");
    QCOMPARE(opened.size(), 1);
    QCOMPARE(s.phase(), ClientSession::Phase::Open);
    QVERIFY(s.isConnected());
    QCOMPARE(subscribed.size(), 2);
    QCOMPARE(subscribed.at(1).at(0).toString(), QStringLiteral("a"));
    QCOMPARE(subscribed.at(1).at(1).toLongLong(), 9);
    QCOMPARE(subscribed.at(1).at(2).toBool(), true);
    QCOMPARE(subscribed.at(1).at(3).toLongLong(), 5);  // resumed after the seq held
    QCOMPARE(subscribed.at(0).at(3).toLongLong(), -1); // b: fresh, nothing to recover
    // Only now the outbox: the queued publish went out, and waits for its ack.
    QCOMPARE(rig.transport->sent.size(), 4);
    QCOMPARE(rig.sent(3).type, MessageType::Publish);
    QCOMPARE(rig.sent(3).id, QStringLiteral("p-1"));
    QCOMPARE(rig.outbox.at(0).state, Outbox::State::Sent);
    QVERIFY(rig.tracker.hasDeadline(QStringLiteral("p-1")));
    QList<ClientSession::Phase> seen;
    for (const auto &args : phases)
        seen.append(args.at(0).value<ClientSession::Phase>());
    QCOMPARE(seen,
             (QList<ClientSession::Phase>{ClientSession::Phase::Authenticating,
                                          ClientSession::Phase::Resubscribing, ClientSession::Phase::Open}));
    QCOMPARE(rig.stats.framesOut, 4u);
    QCOMPARE(rig.stats.framesIn, 3u);
}

void tst_ClientSession::lostHistoryIsOneGapAndNoResubscribe()
{
    // The client holds seq 1; the server retains 4 onwards: `recovered:false` with `first` 4.
    Rig rig;
    rig.subscriptions.add(QStringLiteral("a"));
    rig.subscriptions.accept(QStringLiteral("a"), 1);
    ClientSession &s = rig.make();
    QSignalSpy gaps(&s, &ClientSession::gapDetected);
    QSignalSpy subscribed(&s, &ClientSession::subscribed);
    s.start(QUrl(QStringLiteral("ws://loopback/")));
    rig.transport->accept(QStringLiteral("pulseboard.v1"));
    QCOMPARE(rig.sent(0).type, MessageType::Subscribe);
    QCOMPARE(rig.sent(0).since, qint64(1));
    const qsizetype sentBefore = rig.transport->sent.size();
    rig.transport->serverSendText(R"({"type":"subscribed","id":")" + rig.sent(0).id.toUtf8() +
                                  R"(","channel":"a","seq":5,"recovered":false,"first":4})");
    QCOMPARE(s.phase(), ClientSession::Phase::Open);
    QCOMPARE(subscribed.size(), 1);
    QCOMPARE(subscribed.at(0).at(2).toBool(), false);
    QCOMPARE(subscribed.at(0).at(3).toLongLong(), 1);
    for (int seq = 4; seq <= 6; ++seq)
        rig.transport->serverSendText(R"({"type":"message","channel":"a","seq":)" + QByteArray::number(seq) +
                                      R"(,"data":1})");
    // One gap for what was lost, then the stream goes on; nothing is asked for again.
    QCOMPARE(gaps.size(), 1);
    QCOMPARE(gaps.at(0).at(1).toLongLong(), 2);
    QCOMPARE(gaps.at(0).at(2).toLongLong(), 3);
    QCOMPARE(gaps.at(0).at(3).toString(), QStringLiteral("missing"));
    QCOMPARE(rig.delivered.size(), 3);
    QCOMPARE(rig.subscriptions.lastSeq(QStringLiteral("a")), qint64(6));
    for (qsizetype i = sentBefore; i < rig.transport->sent.size(); ++i)
        QVERIFY(rig.sent(int(i)).type != MessageType::Subscribe);
}

void tst_ClientSession::foreignSubprotocolIsRefused()
{
    {
        Rig rig;
        ClientSession &s = rig.make();
        QSignalSpy refused(&s, &ClientSession::refused);
        QSignalSpy lost(&s, &ClientSession::lost);
        s.start(QUrl(QStringLiteral("ws://loopback/")));
        rig.transport->accept(QStringLiteral("mqtt"));
        QCOMPARE(refused.size(), 1);
        QCOMPARE(refused.at(0).at(0).toString(),
                 QStringLiteral("server speaks subprotocol 'mqtt', not 'pulseboard.v1'"));
        QCOMPARE(lost.size(), 0);
        QVERIFY(rig.transport->aborted);
        QCOMPARE(rig.transport->sent.size(), 0);
        QCOMPARE(s.phase(), ClientSession::Phase::Ended);
    }
    {
        // The transport refused it during the handshake (as Qt does).
        Rig rig;
        ClientSession &s = rig.make();
        QSignalSpy refused(&s, &ClientSession::refused);
        s.start(QUrl(QStringLiteral("ws://loopback/")));
        rig.transport->fail(Transport::Error::SubprotocolRefused, QStringLiteral("chose mqtt"));
        QCOMPARE(refused.size(), 1);
        QCOMPARE(refused.at(0).at(0).toString(),
                 QStringLiteral("server speaks another subprotocol, not 'pulseboard.v1': chose mqtt"));
    }
    {
        // No subprotocol at all is spoken to (lenient).
        Rig rig;
        ClientSession &s = rig.make();
        QSignalSpy opened(&s, &ClientSession::opened);
        s.start(QUrl(QStringLiteral("ws://loopback/")));
        rig.transport->accept(QString());
        QCOMPARE(opened.size(), 1);
    }
}

void tst_ClientSession::refusedTokenEndsTheSession()
{
    Rig rig;
    rig.options.token = QStringLiteral("wrong");
    ClientSession &s = rig.make();
    QSignalSpy refused(&s, &ClientSession::tokenRefused);
    QSignalSpy errors(&s, &ClientSession::errorOccurred);
    s.start(QUrl(QStringLiteral("ws://loopback/")));
    rig.transport->accept(QStringLiteral("pulseboard.v1"));
    const QString authId = rig.sent(0).id;
    rig.transport->serverSendText(R"({"type":"error","code":4001,"message":"bad token","id":")" +
                                  authId.toUtf8() + R"("})");
    QCOMPARE(refused.size(), 1);
    QCOMPARE(refused.at(0).at(0).toInt(), 4001);
    QCOMPARE(refused.at(0).at(1).toString(), QStringLiteral("bad token"));
    QCOMPARE(refused.at(0).at(2).toString(), authId);
    QCOMPARE(errors.size(), 0); // the manager words it
    QVERIFY(rig.transport->aborted);
    QCOMPARE(s.phase(), ClientSession::Phase::Ended);
}

void tst_ClientSession::setupDeadlineNamesThePhase_data()
{
    QTest::addColumn<bool>("accept");
    QTest::addColumn<bool>("token");
    QTest::addColumn<QString>("phase");
    QTest::newRow("handshake") << false << false << QStringLiteral("the WebSocket handshake");
    QTest::newRow("auth") << true << true << QStringLiteral("authentication");
    QTest::newRow("resubscribe") << true << false << QStringLiteral("resubscribing");
}

void tst_ClientSession::setupDeadlineNamesThePhase()
{
    QFETCH(bool, accept);
    QFETCH(bool, token);
    QFETCH(QString, phase);
    Rig rig;
    rig.options.connectTimeoutMs = 30;
    if (token)
        rig.options.token = QStringLiteral("t");
    rig.subscriptions.add(QStringLiteral("a")); // never answered
    ClientSession &s = rig.make();
    QSignalSpy lost(&s, &ClientSession::lost);
    s.start(QUrl(QStringLiteral("ws://loopback/")));
    if (accept)
        rig.transport->accept(QStringLiteral("pulseboard.v1"));
    QVERIFY(lost.wait(2000));
    QCOMPARE(lost.size(), 1);
    QCOMPARE(lost.at(0).at(0).toInt(), CloseCode::Abnormal);
    QCOMPARE(lost.at(0).at(1).toString(), QStringLiteral("%1 did not complete within 30 ms").arg(phase));
    QVERIFY(rig.transport->aborted);
}

void tst_ClientSession::heartbeatPingsAndDropsASilentPeer()
{
    Rig rig;
    rig.options.heartbeatIntervalMs = 20;
    rig.options.heartbeatTimeoutMs = 40;
    rig.openPlain();
    ClientSession &s = *rig.session;
    QSignalSpy rtt(&s, &ClientSession::rttMeasured);
    QSignalSpy lost(&s, &ClientSession::lost);
    // The first ping is answered at once with its own id and ts: a round trip is measured.
    int pings = 0;
    connect(rig.transport, &LoopbackTransport::frameSent, &s, [&](const QByteArray &bytes) {
        Envelope ping;
        QVERIFY(decodeEnvelope(bytes, ping));
        QCOMPARE(ping.type, MessageType::Ping);
        if (++pings > 1)
            return;
        rig.transport->serverSendText(
            QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("pong")},
                                      {QStringLiteral("id"), ping.id},
                                      {QStringLiteral("ts"), ping.ts}})
                .toJson(QJsonDocument::Compact));
    });
    // Then silence: the deadline ends the session.
    QVERIFY(lost.wait(2000));
    QCOMPARE(rtt.size(), 1);
    QVERIFY(rtt.at(0).at(0).toInt() >= 0);
    QCOMPARE(lost.at(0).at(0).toInt(), CloseCode::Abnormal);
    QCOMPARE(lost.at(0).at(1).toString(), QStringLiteral("heartbeat: no pong within 40 ms"));
    QVERIFY(pings >= 2); // it kept pinging until then
    QVERIFY(rig.transport->aborted);
}

// A server that answers every ping at once and never acks: it has read each publish, so every
// deadline counts.
void tst_ClientSession::ackDeadlineFiresThroughTheOneTimer()
{
    Rig rig;
    rig.options.heartbeatIntervalMs = 10;
    rig.tracker.setAckTimeoutMs(30);
    rig.tracker.setMaxSendAttempts(2);
    rig.openPlain();
    ClientSession &s = *rig.session;
    rig.answerPings = true;
    connect(&rig.tracker, &RequestTracker::resendDue, &s, &ClientSession::flush);
    QSignalSpy failed(&rig.tracker, &RequestTracker::publishFailed);
    rig.queuePublish(QStringLiteral("p-9"), QStringLiteral("c"));
    s.flush();
    QCOMPARE(rig.sentOfType(MessageType::Publish).size(), 1);
    QVERIFY(rig.tracker.timer().isActive());
    QVERIFY(rig.tracker.timer().remainingTime() <= 30);
    QVERIFY(failed.wait(2000));
    // Sent twice with the same id (the resend after the first deadline), then given up.
    const QList<Envelope> publishes = rig.sentOfType(MessageType::Publish);
    QCOMPARE(publishes.size(), 2);
    QCOMPARE(publishes.at(0).id, QStringLiteral("p-9"));
    QCOMPARE(publishes.at(1).id, QStringLiteral("p-9"));
    QCOMPARE(failed.at(0).at(2).toString(), QStringLiteral("no acknowledgement after 2 attempts"));
    QCOMPARE(rig.outbox.count(), 0);
}

// A slow link: the server has not answered any ping sent after the publish, so it may not have read
// the publish yet. Its deadlines pass without a resend into the backlog and without using up an
// attempt; a deadline counts once a later ping is answered.
void tst_ClientSession::ackDeadlineWaitsForTheServerToCatchUp()
{
    Rig rig;
    rig.options.heartbeatIntervalMs = 10;
    rig.tracker.setAckTimeoutMs(20);
    rig.tracker.setMaxSendAttempts(2);
    rig.openPlain();
    ClientSession &s = *rig.session;
    connect(&rig.tracker, &RequestTracker::resendDue, &s, &ClientSession::flush);
    QSignalSpy failed(&rig.tracker, &RequestTracker::publishFailed);
    QSignalSpy resend(&rig.tracker, &RequestTracker::resendDue);
    rig.queuePublish(QStringLiteral("p-1"), QStringLiteral("c"));
    s.flush();
    // Pings go out (unanswered: the heartbeat deadline is a minute) and ten ack deadlines pass.
    QTRY_VERIFY(rig.sentOfType(MessageType::Ping).size() >= 3);
    QTest::qWait(200);
    QCOMPARE(rig.sentOfType(MessageType::Publish).size(), 1);
    QCOMPARE(resend.size(), 0);
    QCOMPARE(failed.size(), 0);
    QVERIFY(rig.tracker.hasDeadline(QStringLiteral("p-1")));
    QCOMPARE(rig.outbox.at(0).ackTimeouts, 0);

    // The server answers the latest ping: it has read the publish and not acked it.
    rig.answer(rig.sentOfType(MessageType::Ping).constLast());
    QVERIFY(resend.wait(1000));
    QTRY_COMPARE(rig.sentOfType(MessageType::Publish).size(), 2);
    QCOMPARE(rig.outbox.at(0).ackTimeouts, 1);
    QCOMPARE(failed.size(), 0);
    // The resend waits again until a ping sent after it is answered; then its deadline is the last.
    QTest::qWait(100);
    QCOMPARE(failed.size(), 0);
    rig.answer(rig.sentOfType(MessageType::Ping).constLast());
    QVERIFY(failed.wait(1000));
    QCOMPARE(failed.at(0).at(2).toString(), QStringLiteral("no acknowledgement after 2 attempts"));
    QCOMPARE(rig.sentOfType(MessageType::Publish).size(), 2);
}

void tst_ClientSession::malformedFramesAreReportedNotDropped()
{
    Rig rig;
    rig.openPlain();
    ClientSession &s = *rig.session;
    QSignalSpy errors(&s, &ClientSession::errorOccurred);
    QSignalSpy lost(&s, &ClientSession::lost);
    const QByteArray notJson("{not json");
    const QByteArray noSeq(R"({"type":"message","channel":"a"})");
    const QByteArray unknown(R"({"type":"hologram"})");
    rig.transport->serverSendText(notJson);
    rig.transport->serverSendText(noSeq);
    rig.transport->serverSendBinary(QByteArray("\x01\x02\x03", 3));
    rig.transport->serverSendText(unknown); // unknown: ignored, not an error
    QCOMPARE(errors.size(), 3);
    for (const auto &e : errors)
        QCOMPARE(e.at(0).toInt(), CloseCode::Malformed);
    QVERIFY2(errors.at(0).at(1).toString().startsWith(QLatin1StringView("server sent an unreadable frame: ")),
             qPrintable(errors.at(0).at(1).toString()));
    QVERIFY(errors.at(1).at(1).toString().contains(QLatin1StringView("'seq'")));
    QCOMPARE(errors.at(2).at(1).toString(),
             QStringLiteral("ignored a binary frame of 3 bytes: the protocol uses text frames"));
    QCOMPARE(rig.stats.malformed, 3u);
    QCOMPARE(rig.stats.framesIn, 4u);
    QCOMPARE(rig.stats.bytesIn, quint64(notJson.size() + noSeq.size() + 3 + unknown.size()));
    QCOMPARE(lost.size(), 0);
    QCOMPARE(s.phase(), ClientSession::Phase::Open);
}

void tst_ClientSession::duplicatesDroppedAndGapsReported()
{
    Rig rig;
    rig.subscriptions.add(QStringLiteral("a"));
    ClientSession &s = rig.make();
    QSignalSpy gaps(&s, &ClientSession::gapDetected);
    s.start(QUrl(QStringLiteral("ws://loopback/")));
    rig.transport->accept(QStringLiteral("pulseboard.v1"));
    rig.transport->serverSendText(R"({"type":"subscribed","id":")" + rig.sent(0).id.toUtf8() +
                                  R"(","channel":"a","seq":0})");
    QCOMPARE(s.phase(), ClientSession::Phase::Open);
    rig.transport->serverSendText(R"({"type":"message","channel":"a","seq":1,"data":{"v":1}})");
    rig.transport->serverSendText(R"({"type":"message","channel":"a","seq":1,"data":{"v":1}})");
    rig.transport->serverSendText(R"({"type":"message","channel":"a","seq":4,"data":{"v":4}})");
    rig.transport->serverSendText(R"({"type":"message","channel":"other","seq":1})");
    QCOMPARE(rig.delivered.size(), 2);
    QCOMPARE(rig.delivered.at(0).seq, 1);
    QCOMPARE(rig.delivered.at(1).seq, 4);
    QCOMPARE(rig.delivered.at(1).data.toObject().value(QStringLiteral("v")).toInt(), 4);
    QCOMPARE(rig.stats.duplicates, 1u);
    QCOMPARE(gaps.size(), 1);
    QCOMPARE(gaps.at(0).at(1).toLongLong(), 2);
    QCOMPARE(gaps.at(0).at(2).toLongLong(), 3);
    QCOMPARE(gaps.at(0).at(3).toString(), QStringLiteral("missing"));
}

namespace {

QByteArray messageFrame(const char *channel, qint64 seq)
{
    return R"({"type":"message","channel":")" + QByteArray(channel) + R"(","seq":)" +
           QByteArray::number(seq) + R"(,"data":1})";
}

QList<qint64> seqsOf(const QList<Delivered> &delivered)
{
    QList<qint64> seqs;
    for (const Delivered &d : delivered)
        seqs.append(d.seq);
    return seqs;
}

} // namespace

void tst_ClientSession::epochChangeIsAGapAndTheNewStreamFromItsStart()
{
    // The client holds seq 50 of stream "e1"; the hub restarted without its history and its new
    // stream "e2" is at 8 already: resuming after 50 in it would skip 1..8.
    Rig rig;
    rig.subscriptions.add(QStringLiteral("a"));
    rig.subscriptions.accept(QStringLiteral("a"), 50);
    rig.subscriptions.setEpoch(QStringLiteral("a"), QStringLiteral("e1"));
    ClientSession &s = rig.make();
    QSignalSpy gaps(&s, &ClientSession::gapDetected);
    QSignalSpy subscribed(&s, &ClientSession::subscribed);
    s.start(QUrl(QStringLiteral("ws://loopback/")));
    rig.transport->accept(QStringLiteral("pulseboard.v1"));
    QCOMPARE(rig.sent(0).type, MessageType::Subscribe);
    QCOMPARE(rig.sent(0).since, qint64(50));
    QCOMPARE(rig.sent(0).epoch, QStringLiteral("e1"));
    const qsizetype sentBefore = rig.transport->sent.size();
    rig.transport->serverSendText(R"({"type":"subscribed","id":")" + rig.sent(0).id.toUtf8() +
                                  R"(","channel":"a","seq":8,"recovered":false,"first":1,"epoch":"e2"})");
    QCOMPARE(s.phase(), ClientSession::Phase::Open);
    QCOMPARE(subscribed.size(), 1);
    QCOMPARE(subscribed.at(0).at(2).toBool(), false);
    QCOMPARE(gaps.size(), 1);
    QCOMPARE(gaps.at(0).at(0).toString(), QStringLiteral("a"));
    QCOMPARE(gaps.at(0).at(1).toLongLong(), 51);
    QCOMPARE(gaps.at(0).at(2).toLongLong(), -1);
    QCOMPARE(gaps.at(0).at(3).toString(), QStringLiteral("epoch"));
    QCOMPARE(rig.subscriptions.epoch(QStringLiteral("a")), QStringLiteral("e2"));
    QCOMPARE(rig.subscriptions.lastSeq(QStringLiteral("a")), qint64(0));
    for (int seq = 1; seq <= 9; ++seq)
        rig.transport->serverSendText(messageFrame("a", seq));
    QCOMPARE(seqsOf(rig.delivered), (QList<qint64>{1, 2, 3, 4, 5, 6, 7, 8, 9}));
    QCOMPARE(gaps.size(), 1);
    QCOMPARE(rig.stats.gaps, 1u);
    QCOMPARE(rig.stats.duplicates, 0u);
    // Honoured by the server: nothing is asked for again.
    for (qsizetype i = sentBefore; i < rig.transport->sent.size(); ++i)
        QVERIFY(rig.sent(int(i)).type != MessageType::Subscribe);

    // A new stream whose start is gone too (`first` 4): the epoch gap, then what is missing of it.
    Rig again;
    again.subscriptions.add(QStringLiteral("a"));
    again.subscriptions.accept(QStringLiteral("a"), 20);
    again.subscriptions.setEpoch(QStringLiteral("a"), QStringLiteral("e2"));
    ClientSession &s2 = again.make();
    QSignalSpy gaps2(&s2, &ClientSession::gapDetected);
    s2.start(QUrl(QStringLiteral("ws://loopback/")));
    again.transport->accept(QStringLiteral("pulseboard.v1"));
    again.transport->serverSendText(R"({"type":"subscribed","id":")" + again.sent(0).id.toUtf8() +
                                    R"(","channel":"a","seq":6,"recovered":false,"first":4,"epoch":"e3"})");
    for (int seq = 4; seq <= 6; ++seq)
        again.transport->serverSendText(messageFrame("a", seq));
    QCOMPARE(seqsOf(again.delivered), (QList<qint64>{4, 5, 6}));
    QCOMPARE(gaps2.size(), 2);
    QCOMPARE(gaps2.at(0).at(3).toString(), QStringLiteral("epoch"));
    QCOMPARE(gaps2.at(1).at(1).toLongLong(), 1);
    QCOMPARE(gaps2.at(1).at(2).toLongLong(), 3);
    QCOMPARE(gaps2.at(1).at(3).toString(), QStringLiteral("missing"));
}

void tst_ClientSession::serverIgnoringTheEpochIsAskedAgainFromZero()
{
    // A server that names epochs but resumed from our old seq in its new stream (recovered true):
    // what it replays after 5 is dropped and the channel is asked for again from 0.
    Rig rig;
    rig.subscriptions.add(QStringLiteral("a"));
    rig.subscriptions.accept(QStringLiteral("a"), 5);
    rig.subscriptions.setEpoch(QStringLiteral("a"), QStringLiteral("e1"));
    ClientSession &s = rig.make();
    QSignalSpy gaps(&s, &ClientSession::gapDetected);
    QSignalSpy subscribed(&s, &ClientSession::subscribed);
    s.start(QUrl(QStringLiteral("ws://loopback/")));
    rig.transport->accept(QStringLiteral("pulseboard.v1"));
    QCOMPARE(rig.transport->sent.size(), 1);
    rig.transport->serverSendText(R"({"type":"subscribed","id":")" + rig.sent(0).id.toUtf8() +
                                  R"(","channel":"a","seq":8,"recovered":true,"epoch":"e2"})");
    QCOMPARE(gaps.size(), 1);
    QCOMPARE(gaps.at(0).at(3).toString(), QStringLiteral("epoch"));
    QCOMPARE(rig.transport->sent.size(), 2);
    const Envelope again = rig.sent(1);
    QCOMPARE(again.type, MessageType::Subscribe);
    QCOMPARE(again.channel, QStringLiteral("a"));
    QCOMPARE(again.since, qint64(0));
    QCOMPARE(again.epoch, QStringLiteral("e2"));
    // Not open before that answer; the old replay is not delivered.
    QCOMPARE(s.phase(), ClientSession::Phase::Resubscribing);
    QCOMPARE(subscribed.size(), 0);
    for (int seq = 6; seq <= 8; ++seq)
        rig.transport->serverSendText(messageFrame("a", seq));
    QCOMPARE(rig.delivered.size(), 0);
    rig.transport->serverSendText(R"({"type":"subscribed","id":")" + again.id.toUtf8() +
                                  R"(","channel":"a","seq":8,"recovered":true,"epoch":"e2"})");
    QCOMPARE(s.phase(), ClientSession::Phase::Open);
    QCOMPARE(subscribed.size(), 1);
    for (int seq = 1; seq <= 8; ++seq)
        rig.transport->serverSendText(messageFrame("a", seq));
    QCOMPARE(seqsOf(rig.delivered), (QList<qint64>{1, 2, 3, 4, 5, 6, 7, 8}));
    QCOMPARE(gaps.size(), 1);
    QCOMPARE(rig.transport->sent.size(), 2);
}

void tst_ClientSession::unsolicitedResetWithANewEpochRestartsTheStream()
{
    // A hub whose Redis lost the channel tells its live subscribers at once: `subscribed` with
    // no id, seq 0 and the new epoch. Seq 1 that follows is new, not a duplicate of the old 1.
    Rig rig;
    rig.subscriptions.add(QStringLiteral("a"));
    ClientSession &s = rig.make();
    QSignalSpy gaps(&s, &ClientSession::gapDetected);
    s.start(QUrl(QStringLiteral("ws://loopback/")));
    rig.transport->accept(QStringLiteral("pulseboard.v1"));
    QCOMPARE(rig.sent(0).since, qint64(-1));
    QVERIFY(rig.sent(0).epoch.isEmpty());
    rig.transport->serverSendText(R"({"type":"subscribed","id":")" + rig.sent(0).id.toUtf8() +
                                  R"(","channel":"a","seq":0,"epoch":"e1"})");
    QCOMPARE(s.phase(), ClientSession::Phase::Open);
    QCOMPARE(rig.subscriptions.epoch(QStringLiteral("a")), QStringLiteral("e1"));
    for (int seq = 1; seq <= 3; ++seq)
        rig.transport->serverSendText(messageFrame("a", seq));
    rig.transport->serverSendText(
        R"({"type":"subscribed","channel":"a","seq":0,"recovered":false,"epoch":"e2"})");
    QCOMPARE(gaps.size(), 1);
    QCOMPARE(gaps.at(0).at(1).toLongLong(), 4);
    QCOMPARE(gaps.at(0).at(3).toString(), QStringLiteral("epoch"));
    for (int seq = 1; seq <= 2; ++seq)
        rig.transport->serverSendText(messageFrame("a", seq));
    QCOMPARE(seqsOf(rig.delivered), (QList<qint64>{1, 2, 3, 1, 2}));
    QCOMPARE(rig.stats.duplicates, 0u);
    QCOMPARE(rig.subscriptions.epoch(QStringLiteral("a")), QStringLiteral("e2"));
}

void tst_ClientSession::serverWithoutEpochsIsServedAsBefore()
{
    // No epoch held: the subscribe carries none, and a server naming none resumes as always.
    Rig rig;
    rig.subscriptions.add(QStringLiteral("a"));
    rig.subscriptions.accept(QStringLiteral("a"), 5);
    ClientSession &s = rig.make();
    QSignalSpy gaps(&s, &ClientSession::gapDetected);
    s.start(QUrl(QStringLiteral("ws://loopback/")));
    rig.transport->accept(QStringLiteral("pulseboard.v1"));
    QCOMPARE(rig.sent(0).since, qint64(5));
    QVERIFY(!rig.transport->sent.at(0).bytes.contains("epoch"));
    rig.transport->serverSendText(R"({"type":"subscribed","id":")" + rig.sent(0).id.toUtf8() +
                                  R"(","channel":"a","seq":8,"recovered":true})");
    for (int seq = 6; seq <= 8; ++seq)
        rig.transport->serverSendText(messageFrame("a", seq));
    QCOMPARE(seqsOf(rig.delivered), (QList<qint64>{6, 7, 8}));
    QCOMPARE(gaps.size(), 0);
    QVERIFY(rig.subscriptions.epoch(QStringLiteral("a")).isEmpty());

    // An epoch held from an epoch-naming server, then one that names none (an older hub in the
    // endpoint list): resumed as before, and the epoch no longer held.
    Rig older;
    older.subscriptions.add(QStringLiteral("a"));
    older.subscriptions.accept(QStringLiteral("a"), 5);
    older.subscriptions.setEpoch(QStringLiteral("a"), QStringLiteral("e1"));
    ClientSession &s2 = older.make();
    QSignalSpy gaps2(&s2, &ClientSession::gapDetected);
    s2.start(QUrl(QStringLiteral("ws://loopback/")));
    older.transport->accept(QStringLiteral("pulseboard.v1"));
    QCOMPARE(older.sent(0).epoch, QStringLiteral("e1"));
    older.transport->serverSendText(R"({"type":"subscribed","id":")" + older.sent(0).id.toUtf8() +
                                    R"(","channel":"a","seq":7,"recovered":true})");
    for (int seq = 6; seq <= 7; ++seq)
        older.transport->serverSendText(messageFrame("a", seq));
    QCOMPARE(seqsOf(older.delivered), (QList<qint64>{6, 7}));
    QCOMPARE(gaps2.size(), 0);
    QVERIFY(older.subscriptions.epoch(QStringLiteral("a")).isEmpty());
    QCOMPARE(s2.phase(), ClientSession::Phase::Open);
    QCOMPARE(s.phase(), ClientSession::Phase::Open);
}

void tst_ClientSession::sessionEndIsReportedOnceAndSilencesTheTransport()
{
    Rig rig;
    rig.subscriptions.add(QStringLiteral("a"));
    rig.openPlain();
    ClientSession &s = *rig.session;
    QSignalSpy lost(&s, &ClientSession::lost);
    rig.transport->serverClose(CloseCode::GoingAway, QStringLiteral("deploy"));
    QCOMPARE(lost.size(), 1);
    QCOMPARE(lost.at(0).at(0).toInt(), CloseCode::GoingAway);
    QCOMPARE(lost.at(0).at(1).toString(), QStringLiteral("deploy"));
    // Whatever the transport says afterwards is moot.
    rig.transport->fail(Transport::Error::Network, QStringLiteral("reset"));
    rig.transport->serverSendText(R"({"type":"message","channel":"a","seq":1})");
    QCOMPARE(lost.size(), 1);
    QCOMPARE(rig.delivered.size(), 0);
    QCOMPARE(s.phase(), ClientSession::Phase::Ended);
}

void tst_ClientSession::dialectWithoutSeqAcksOrClientPings()
{
    Rig rig;
    rig.options.heartbeatIntervalMs = 10;
    rig.options.heartbeatTimeoutMs = 20;
    rig.subscriptions.add(QStringLiteral("feed"));
    rig.subscriptions.accept(QStringLiteral("feed"), 3); // a seq held from elsewhere is not sent
    rig.queuePublish(QStringLiteral("p-1"), QStringLiteral("feed"), LineDialect());
    ClientSession &s = rig.make(std::make_unique<LineDialect>());
    connect(&s, &ClientSession::opened, &s, &ClientSession::flush);
    QSignalSpy opened(&s, &ClientSession::opened);
    QSignalSpy lost(&s, &ClientSession::lost);
    QSignalSpy acked(&rig.tracker, &RequestTracker::acked);
    QSignalSpy sentUnconfirmed(&rig.tracker, &RequestTracker::sentUnconfirmed);
    s.start(QUrl(QStringLiteral("ws://loopback/")));
    QCOMPARE(rig.transport->offeredSubprotocols, QStringList());
    rig.transport->accept();
    // No subscribe answer to wait for, and no ack: open once sent, the publish done once sent.
    QCOMPARE(opened.size(), 1);
    QCOMPARE(rig.transport->sent.size(), 2);
    QCOMPARE(rig.transport->sent.at(0).bytes, QByteArray("sub feed -1"));
    QCOMPARE(rig.transport->sent.at(1).bytes, QByteArray("#1 pub feed")); // as the dialect prepared it
    // Sent, not confirmed: nothing on this wire can confirm it, so it is never reported acked.
    QCOMPARE(acked.size(), 0);
    QCOMPARE(sentUnconfirmed.size(), 1);
    QCOMPARE(sentUnconfirmed.at(0).at(0).toString(), QStringLiteral("p-1"));
    QCOMPARE(rig.stats.unconfirmed, 1u);
    QCOMPARE(rig.outbox.count(), 0);
    QCOMPARE(rig.tracker.deadlineCount(), 0);
    // Messages without seq: each one is delivered, the same twice included.
    rig.transport->serverSendText("msg feed {\"v\":1}");
    rig.transport->serverSendText("msg feed {\"v\":1}");
    rig.transport->serverSendText("msg elsewhere {\"v\":2}");
    QCOMPARE(rig.delivered.size(), 2);
    QCOMPARE(rig.delivered.at(0).seq, -1);
    QCOMPARE(rig.delivered.at(1).data.toObject().value(QStringLiteral("v")).toInt(), 1);
    QCOMPARE(rig.stats.duplicates, 0u);
    // The server keeps the heartbeat: the dialect answers, the client never pings on its own
    // (several of its intervals and deadlines pass without a frame or a drop).
    rig.transport->serverSendText("ping");
    QCOMPARE(rig.transport->sent.size(), 3);
    QCOMPARE(rig.transport->sent.at(2).bytes, QByteArray("pong"));
    QTest::qWait(80);
    QCOMPARE(rig.transport->sent.size(), 3);
    QCOMPARE(lost.size(), 0);
}

void tst_ClientSession::managerFailsInFlightRequestWhenSessionEnds()
{
    ConnectionManager cm;
    ConnectionOptions o;
    o.endpoints = {QUrl(QStringLiteral("ws://loopback/"))};
    o.heartbeatIntervalMs = 60000;
    o.backoff.initialMs = 20;
    o.backoff.maxMs = 50;
    o.maxRetries = 0;
    cm.setOptions(o);
    QList<QPointer<LoopbackTransport>> transports;
    cm.setTransportFactory([&](const QUrl &, QString *) {
        auto t = std::make_unique<LoopbackTransport>();
        transports.append(t.get());
        return std::unique_ptr<Transport>(std::move(t));
    });
    QSignalSpy failed(&cm, &ConnectionManager::requestFailed);
    QSignalSpy lost(&cm, &ConnectionManager::disconnected);
    cm.open();
    QCOMPARE(cm.state(), ConnectionManager::Connecting);
    QCOMPARE(transports.size(), 1);
    transports.at(0)->accept(QStringLiteral("pulseboard.v1"));
    QCOMPARE(cm.state(), ConnectionManager::Open);
    QVERIFY(cm.session());
    const QString id = cm.request(QStringLiteral("slow.method"), QJsonValue(), 5000);
    QCOMPARE(transports.at(0)->sent.size(), 1);
    QCOMPARE(cm.queuedCount(), 1);

    transports.at(0)->serverClose(CloseCode::ServerError, QStringLiteral("oops"));
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.at(0).at(0).toString(), id);
    QCOMPARE(failed.at(0).at(1).toString(), QStringLiteral("slow.method"));
    QCOMPARE(failed.at(0).at(2).toInt(), errorCode(ClientError::ConnectionLost));
    QCOMPARE(failed.at(0).at(3).toString(), QStringLiteral("connection lost before the reply"));
    QCOMPARE(lost.size(), 1);
    QCOMPARE(lost.at(0).at(0).toInt(), CloseCode::ServerError);
    QCOMPARE(cm.state(), ConnectionManager::Reconnecting);
    QCOMPARE(cm.session(), nullptr);
    QCOMPARE(cm.queuedCount(), 0);
    // The next attempt is a new session on a new transport; the old one is gone with its session.
    QTRY_COMPARE(transports.size(), 2);
    QTRY_VERIFY(transports.at(0).isNull());
    transports.at(1)->accept(QStringLiteral("pulseboard.v1"));
    QCOMPARE(cm.state(), ConnectionManager::Open);
    QCOMPARE(failed.size(), 1); // exactly one outcome
}

// A ServerPings dialect that learns its server's ping deadline: any frame is life, silence past
// the deadline drops the link (a half-open connection is caught); no deadline until it is told.
void tst_ClientSession::serverHeartbeatDeadlineCatchesASilentServer()
{
    Rig rig;
    rig.options.heartbeatIntervalMs = 10; // the client's own heartbeat is not used for this dialect
    rig.options.heartbeatTimeoutMs = 10;
    ClientSession &s = rig.make(std::make_unique<LineDialect>());
    QSignalSpy lost(&s, &ClientSession::lost);
    s.start(QUrl(QStringLiteral("ws://loopback/")));
    rig.transport->accept();
    QTest::qWait(60); // no deadline yet
    QCOMPARE(lost.size(), 0);
    rig.transport->serverSendText("hb 50");
    for (int i = 0; i < 8; ++i) { // frames every 20 ms: alive well past the deadline
        QTest::qWait(20);
        rig.transport->serverSendText("msg feed 1");
    }
    QCOMPARE(lost.size(), 0);
    QElapsedTimer silent;
    silent.start();
    QTRY_COMPARE_WITH_TIMEOUT(lost.size(), 1, 5000);
    QVERIFY2(silent.elapsed() >= 45, qPrintable(QString::number(silent.elapsed())));
    QCOMPARE(lost.at(0).at(0).toInt(), CloseCode::Abnormal);
    QCOMPARE(lost.at(0).at(1).toString(), QStringLiteral("heartbeat: no ping from the server within 50 ms"));
    QVERIFY(rig.transport->aborted);
    QCOMPARE(s.phase(), ClientSession::Phase::Ended);
}

void tst_ClientSession::resumeFailedIsAGapOnEveryChannel()
{
    Rig rig;
    rig.subscriptions.add(QStringLiteral("a"));
    rig.subscriptions.add(QStringLiteral("b"));
    rig.subscriptions.accept(QStringLiteral("a"), 7);
    ClientSession &s = rig.make(std::make_unique<LineDialect>());
    QSignalSpy gaps(&s, &ClientSession::gapDetected);
    s.start(QUrl(QStringLiteral("ws://loopback/")));
    rig.transport->accept();
    rig.transport->serverSendText("unresumed");
    QCOMPARE(gaps.size(), 2);
    QCOMPARE(gaps.at(0).at(0).toString(), QStringLiteral("a"));
    QCOMPARE(gaps.at(0).at(1).toLongLong(), 8); // after the held seq, to an unknown end
    QCOMPARE(gaps.at(0).at(2).toLongLong(), -1);
    QCOMPARE(gaps.at(0).at(3).toString(), QStringLiteral("not_recovered"));
    QCOMPARE(gaps.at(1).at(0).toString(), QStringLiteral("b"));
    QCOMPARE(gaps.at(1).at(1).toLongLong(), -1); // nothing held: the range is unknown
    QCOMPARE(rig.stats.gaps, 2u);
    // The held seq no longer counts: the server's new sequence is taken from its start.
    QCOMPARE(rig.subscriptions.lastSeq(QStringLiteral("a")), 0);
    QCOMPARE(rig.subscriptions.accept(QStringLiteral("a"), 1), SubscriptionSet::Verdict::Deliver);
}

QTEST_GUILESS_MAIN(tst_ClientSession)
#include "tst_clientsession.moc"
