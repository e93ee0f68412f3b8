// RequestTracker without sockets: every deadline behind one timer armed for the earliest, acks
// that resend then give up, replies and refusals that settle exactly once, and the one loop that
// fails requests when a connection ends, a queue overflows or the server changes.
#include "client/Outbox.h"
#include "client/RequestTracker.h"

#include <QSignalSpy>
#include <QTest>

using namespace Pulseboard;

namespace {

Outbox::Entry entry(const QString &id, Outbox::Kind kind, const QString &target)
{
    Outbox::Entry e;
    e.id = id;
    e.kind = kind;
    e.target = target;
    e.frame = QByteArray("{\"id\":\"") + id.toUtf8() + "\"}";
    return e;
}

// What every case stands on: a queue, its counters and the tracker over both.
struct Rig
{
    Outbox outbox;
    ConnectionStats stats;
    RequestTracker tracker{outbox, stats};

    void publish(const QString &id, const QString &channel)
    {
        outbox.enqueue(entry(id, Outbox::Kind::Publish, channel));
    }
    // Queued with its reply deadline, as ConnectionManager::request() does.
    void request(const QString &id, const QString &method, int timeoutMs)
    {
        outbox.enqueue(entry(id, Outbox::Kind::Request, method));
        tracker.addRequest(id, method, timeoutMs);
    }
};

} // namespace

class tst_RequestTracker : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void oneTimerArmedForTheEarliestDeadline();
    void unackedPublishGoesOutAgainThenFails();
    void sendsCutByLostConnectionsAreNotFailedAttempts();
    void largestInFlightBlamedTwiceForTooBigFails();
    void answersSettleOnceAndLiftTheDeadline();
    void refusalsNameTheirCause();
    void connectionEndFailsSentRequestsOnly();
    void connectionEndCanRequeueRequests();
    void abandonFailsEachEntryOnce();
    void publishWithoutWireAcksIsDoneOnceSent();
};

void tst_RequestTracker::oneTimerArmedForTheEarliestDeadline()
{
    Rig rig;
    auto &[outbox, stats, tracker] = rig;
    QVERIFY(!tracker.timer().isActive());
    rig.request(QStringLiteral("slow"), QStringLiteral("m.slow"), 50);
    QVERIFY(tracker.timer().isActive());
    QVERIFY2(tracker.timer().remainingTime() > 20,
             qPrintable(QString::number(tracker.timer().remainingTime())));
    rig.request(QStringLiteral("fast"), QStringLiteral("m.fast"), 10);
    // Re-armed for the nearer deadline: one timer, not one per request.
    QVERIFY2(tracker.timer().remainingTime() <= 10,
             qPrintable(QString::number(tracker.timer().remainingTime())));
    QCOMPARE(tracker.deadlineCount(), 2);

    QSignalSpy failed(&tracker, &RequestTracker::requestFailed);
    // The nearer deadline fails first, then the timer is armed again for the other one.
    QTRY_COMPARE(failed.size(), 2);
    QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("fast"));
    QCOMPARE(failed.at(0).at(1).toString(), QStringLiteral("m.fast"));
    QCOMPARE(failed.at(0).at(2).toInt(), errorCode(ClientError::RequestTimedOut));
    QCOMPARE(failed.at(0).at(3).toString(), QStringLiteral("no reply within 10 ms"));
    QCOMPARE(failed.at(1).at(0).toString(), QStringLiteral("slow"));
    QCOMPARE(failed.at(1).at(3).toString(), QStringLiteral("no reply within 50 ms"));
    QCOMPARE(outbox.count(), 0);
    QCOMPARE(tracker.deadlineCount(), 0);
    QVERIFY(!tracker.timer().isActive());
}

void tst_RequestTracker::unackedPublishGoesOutAgainThenFails()
{
    Rig rig;
    auto &[outbox, stats, tracker] = rig;
    tracker.setAckTimeoutMs(20);
    tracker.setMaxSendAttempts(2);
    rig.publish(QStringLiteral("p1"), QStringLiteral("chan"));
    QSignalSpy resend(&tracker, &RequestTracker::resendDue);
    QSignalSpy failed(&tracker, &RequestTracker::publishFailed);
    QSignalSpy changed(&tracker, &RequestTracker::queueChanged);

    tracker.markSent(0);
    QCOMPARE(outbox.at(0).state, Outbox::State::Sent);
    QCOMPARE(outbox.at(0).attempts, 1);
    QVERIFY(tracker.hasDeadline(QStringLiteral("p1")));
    QVERIFY(resend.wait(1000));
    // Waits to go out again, same entry, same id.
    QCOMPARE(outbox.count(), 1);
    QCOMPARE(outbox.at(0).state, Outbox::State::Queued);
    QCOMPARE(failed.size(), 0);
    QVERIFY(!tracker.timer().isActive());

    tracker.markSent(0);
    QCOMPARE(outbox.at(0).attempts, 2);
    QVERIFY(failed.wait(1000));
    QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("p1"));
    QCOMPARE(failed.at(0).at(1).toString(), QStringLiteral("chan"));
    QCOMPARE(failed.at(0).at(2).toString(), QStringLiteral("no acknowledgement after 2 attempts"));
    QCOMPARE(resend.size(), 1);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(outbox.count(), 0);
    QCOMPARE(stats.acked, 0u);
}

// A flaky link cuts connection after connection right after the queue went out: each send's fate is
// unknown, the hub dedupes the resend, so none of them uses up the publish's attempts. Only ack
// deadlines that pass on a connection that stayed up do.
void tst_RequestTracker::sendsCutByLostConnectionsAreNotFailedAttempts()
{
    Rig rig;
    auto &[outbox, stats, tracker] = rig;
    tracker.setAckTimeoutMs(20);
    tracker.setMaxSendAttempts(2);
    rig.publish(QStringLiteral("p1"), QStringLiteral("chan"));
    QSignalSpy failed(&tracker, &RequestTracker::publishFailed);
    QSignalSpy resend(&tracker, &RequestTracker::resendDue);

    for (int cut = 0; cut < 6; ++cut) {
        tracker.markSent(0);
        tracker.connectionEnded(QStringLiteral("connection lost"), false);
        QCOMPARE(outbox.at(0).state, Outbox::State::Queued);
        QVERIFY(!tracker.hasDeadline(QStringLiteral("p1")));
    }
    QCOMPARE(outbox.at(0).attempts, 6);
    QCOMPARE(outbox.at(0).ackTimeouts, 0);
    QCOMPARE(failed.size(), 0);

    // Then a connection that stays up and never acks: two deadlines, as with a fresh publish.
    tracker.markSent(0);
    QVERIFY(resend.wait(1000));
    QCOMPARE(outbox.at(0).ackTimeouts, 1);
    QCOMPARE(failed.size(), 0);
    tracker.markSent(0);
    QVERIFY(failed.wait(1000));
    QCOMPARE(failed.at(0).at(2).toString(), QStringLiteral("no acknowledgement after 2 attempts"));
    QCOMPARE(outbox.count(), 0);
}

void tst_RequestTracker::largestInFlightBlamedTwiceForTooBigFails()
{
    Rig rig;
    auto &[outbox, stats, tracker] = rig;
    rig.publish(QStringLiteral("small"), QStringLiteral("chan"));
    Outbox::Entry big = entry(QStringLiteral("big"), Outbox::Kind::Publish, QStringLiteral("chan"));
    big.frame = QByteArray(5000, 'x');
    outbox.enqueue(big);
    rig.publish(QStringLiteral("queued"), QStringLiteral("chan")); // never sent: never blamed
    QSignalSpy failed(&tracker, &RequestTracker::publishFailed);

    // Nothing in flight: nobody is blamed.
    tracker.connectionClosedTooBig();
    QCOMPARE(outbox.at(1).tooBigCloses, 0);

    // First close with 1009: the largest sent one is blamed once and waits to go out again.
    tracker.markSent(0);
    tracker.markSent(1);
    tracker.connectionClosedTooBig();
    tracker.connectionEnded(QStringLiteral("connection lost"), false);
    QCOMPARE(outbox.at(1).tooBigCloses, 1);
    QCOMPARE(outbox.at(0).tooBigCloses, 0);
    QCOMPARE(failed.size(), 0);
    QCOMPARE(outbox.count(), 3);

    // Second: it leaves the outbox and fails, saying why; the others stay.
    tracker.markSent(0);
    tracker.markSent(1);
    tracker.connectionClosedTooBig();
    tracker.connectionEnded(QStringLiteral("connection lost"), false);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("big"));
    QCOMPARE(failed.at(0).at(2).toString(),
             QStringLiteral(
                 "the server closed the connection as too big (1009) twice while this 5000-byte publish "
                 "was the largest in flight: it is not sent again"));
    QCOMPARE(outbox.count(), 2);
    QCOMPARE(outbox.at(0).id, QStringLiteral("small"));
    QCOMPARE(outbox.at(1).id, QStringLiteral("queued"));
    QCOMPARE(outbox.at(0).state, Outbox::State::Queued);
}

void tst_RequestTracker::answersSettleOnceAndLiftTheDeadline()
{
    Rig rig;
    auto &[outbox, stats, tracker] = rig;
    tracker.setAckTimeoutMs(20);
    rig.publish(QStringLiteral("p1"), QStringLiteral("chan"));
    rig.request(QStringLiteral("r1"), QStringLiteral("echo"), 20);
    tracker.markSent(0);
    tracker.markSent(1);
    QSignalSpy acked(&tracker, &RequestTracker::acked);
    QSignalSpy replies(&tracker, &RequestTracker::responseReceived);
    QSignalSpy failedRequests(&tracker, &RequestTracker::requestFailed);
    QSignalSpy failedPublishes(&tracker, &RequestTracker::publishFailed);
    QSignalSpy resend(&tracker, &RequestTracker::resendDue);

    QVERIFY(tracker.ack(QStringLiteral("p1"), 42));
    QVERIFY(tracker.respond(QStringLiteral("r1"), QJsonValue(7)));
    QVERIFY(!tracker.ack(QStringLiteral("p1"), 42)); // a repeated ack is nobody's
    QVERIFY(!tracker.respond(QStringLiteral("r1"), QJsonValue(8)));
    QCOMPARE(acked.size(), 1);
    QCOMPARE(acked.at(0).at(1).toString(), QStringLiteral("chan"));
    QCOMPARE(acked.at(0).at(2).toLongLong(), 42);
    QCOMPARE(replies.size(), 1);
    QCOMPARE(replies.at(0).at(1).toString(), QStringLiteral("echo"));
    QCOMPARE(replies.at(0).at(2).toJsonValue(), QJsonValue(7));
    QCOMPARE(stats.acked, 1u);
    QCOMPARE(tracker.deadlineCount(), 0);
    QVERIFY(!tracker.timer().isActive());
    QTest::qWait(60); // past both deadlines: nothing fires
    QCOMPARE(failedRequests.size(), 0);
    QCOMPARE(failedPublishes.size(), 0);
    QCOMPARE(resend.size(), 0);
}

void tst_RequestTracker::refusalsNameTheirCause()
{
    Rig rig;
    auto &[outbox, stats, tracker] = rig;
    rig.publish(QStringLiteral("p1"), QStringLiteral("chan"));
    rig.request(QStringLiteral("r1"), QStringLiteral("nope"), 1000);
    QSignalSpy failedRequests(&tracker, &RequestTracker::requestFailed);
    QSignalSpy failedPublishes(&tracker, &RequestTracker::publishFailed);
    QVERIFY(tracker.refuse(QStringLiteral("p1"), 4003, QStringLiteral("read only")));
    QVERIFY(tracker.refuse(QStringLiteral("r1"), 404, QStringLiteral("no such method")));
    QVERIFY(!tracker.refuse(QStringLiteral("zz"), 500, QStringLiteral("?")));
    QCOMPARE(failedPublishes.size(), 1);
    QCOMPARE(failedPublishes.at(0).at(2).toString(), QStringLiteral("refused by server (4003): read only"));
    QCOMPARE(failedRequests.size(), 1);
    QCOMPARE(failedRequests.at(0).at(1).toString(), QStringLiteral("nope"));
    QCOMPARE(failedRequests.at(0).at(2).toInt(), 404);
    QCOMPARE(failedRequests.at(0).at(3).toString(), QStringLiteral("no such method"));
    QCOMPARE(tracker.deadlineCount(), 0);
    QCOMPARE(outbox.count(), 0);
}

void tst_RequestTracker::connectionEndFailsSentRequestsOnly()
{
    Rig rig;
    auto &[outbox, stats, tracker] = rig;
    tracker.setAckTimeoutMs(1000);
    rig.publish(QStringLiteral("p1"), QStringLiteral("chan"));
    rig.request(QStringLiteral("r-sent"), QStringLiteral("a"), 1000);
    rig.request(QStringLiteral("r-queued"), QStringLiteral("b"), 1000);
    tracker.markSent(0);
    tracker.markSent(1);
    QCOMPARE(tracker.deadlineCount(), 3);
    QSignalSpy failed(&tracker, &RequestTracker::requestFailed);
    tracker.connectionEnded(QStringLiteral("connection lost before the reply"), false);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("r-sent"));
    QCOMPARE(failed.at(0).at(2).toInt(), errorCode(ClientError::ConnectionLost));
    QCOMPARE(failed.at(0).at(3).toString(), QStringLiteral("connection lost before the reply"));
    // The publish waits to go out again without an ack deadline; the queued request keeps its own.
    QCOMPARE(outbox.count(), 2);
    QCOMPARE(outbox.at(0).id, QStringLiteral("p1"));
    QCOMPARE(outbox.at(0).state, Outbox::State::Queued);
    QVERIFY(!tracker.hasDeadline(QStringLiteral("p1")));
    QVERIFY(tracker.hasDeadline(QStringLiteral("r-queued")));
    QCOMPARE(tracker.deadlineCount(), 1);
}

void tst_RequestTracker::connectionEndCanRequeueRequests()
{
    Rig rig;
    auto &[outbox, stats, tracker] = rig;
    rig.request(QStringLiteral("r1"), QStringLiteral("a"), 1000);
    tracker.markSent(0);
    QSignalSpy failed(&tracker, &RequestTracker::requestFailed);
    tracker.connectionEnded(QStringLiteral("lost"), true);
    QCOMPARE(failed.size(), 0);
    QCOMPARE(outbox.count(), 1);
    QCOMPARE(outbox.at(0).state, Outbox::State::Queued);
    QVERIFY(tracker.hasDeadline(QStringLiteral("r1"))); // its reply is still due in time
}

void tst_RequestTracker::abandonFailsEachEntryOnce()
{
    Rig rig;
    auto &[outbox, stats, tracker] = rig;
    const Outbox::Entry request = entry(QStringLiteral("r1"), Outbox::Kind::Request, QStringLiteral("a"));
    const Outbox::Entry publish = entry(QStringLiteral("p1"), Outbox::Kind::Publish, QStringLiteral("chan"));
    tracker.addRequest(request.id, request.target, 20);
    QSignalSpy failedRequests(&tracker, &RequestTracker::requestFailed);
    QSignalSpy failedPublishes(&tracker, &RequestTracker::publishFailed);
    tracker.abandon({request, publish}, ClientError::Refused, QStringLiteral("dropped from a full queue"));
    QCOMPARE(failedRequests.size(), 1);
    QCOMPARE(failedRequests.at(0).at(2).toInt(), -3);
    QCOMPARE(failedRequests.at(0).at(3).toString(), QStringLiteral("dropped from a full queue"));
    QCOMPARE(failedPublishes.size(), 1);
    QCOMPARE(failedPublishes.at(0).at(2).toString(), QStringLiteral("dropped from a full queue"));
    QCOMPARE(tracker.deadlineCount(), 0);
    QTest::qWait(50); // the abandoned request's deadline is gone with it
    QCOMPARE(failedRequests.size(), 1);
}

void tst_RequestTracker::publishWithoutWireAcksIsDoneOnceSent()
{
    Rig rig;
    auto &[outbox, stats, tracker] = rig;
    rig.publish(QStringLiteral("p1"), QStringLiteral("chan"));
    QSignalSpy acked(&tracker, &RequestTracker::acked);
    QSignalSpy sent(&tracker, &RequestTracker::sentUnconfirmed);
    tracker.markSent(0, false);
    // Sent, not confirmed: never reported as acked.
    QCOMPARE(acked.size(), 0);
    QCOMPARE(sent.size(), 1);
    QCOMPARE(sent.at(0).at(0).toString(), QStringLiteral("p1"));
    QCOMPARE(sent.at(0).at(1).toString(), QStringLiteral("chan"));
    QCOMPARE(stats.acked, 0u);
    QCOMPARE(stats.unconfirmed, 1u);
    QCOMPARE(outbox.count(), 0);
    QCOMPARE(tracker.deadlineCount(), 0);
    // A late "ack" for it finds nothing: the outcome was given once.
    QVERIFY(!tracker.ack(QStringLiteral("p1"), 5));
    QCOMPARE(acked.size(), 0);
}

QTEST_GUILESS_MAIN(tst_RequestTracker)
#include "tst_requesttracker.moc"
