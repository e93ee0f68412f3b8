// Backfill on subscribe, end to end: a real hub on 127.0.0.1 port 0 holding retained messages,
// a ConnectionManager whose first subscribe asks for `history`. Its sinks are told which messages
// are the backfill (MessageSink::backfill), the first live one after it follows with no hole and
// no duplicate (the resubscribe with `since` is in tst_connectionmanager), the dashboard's MessageIngest
// draws the backfill in the SeriesStore without counting it as arrivals, and the CLI's message line says
// "backfill":true.
#include "client/ConnectionManager.h"
#include "client/JsonLinesSession.h"
#include "client/MessageSink.h"
#include "dashboard/charts/SeriesStore.h"
#include "dashboard/charts/StreamBuffer.h"
#include "dashboard/shell/MessageIngest.h"
#include "hub/HubServer.h"
#include "protocol/JsonView.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Pulseboard;

namespace {

HubOptions memoryHub()
{
    HubOptions o;
    o.port = 0;
    o.feedsEnabled = false;
    o.historySize = 50;
    return o;
}

ConnectionOptions fastOptions(const QUrl &url, int backfill)
{
    ConnectionOptions o;
    o.endpoints = {url};
    o.heartbeatIntervalMs = 50;
    o.heartbeatTimeoutMs = 1000;
    o.connectTimeoutMs = 500;
    o.backoff.initialMs = 20;
    o.backoff.maxMs = 50;
    o.maxRetries = 0;
    o.backfill = backfill;
    return o;
}

QJsonObject value(int v)
{
    return QJsonObject{{QStringLiteral("v"), v}};
}

// Records each delivery and whether the manager said it was of the backfill.
class MarkingSink : public MessageSink
{
public:
    void deliver(const QString &channel, qint64 seq, qint64, const JsonView &) override
    {
        const bool backfill = m_next == channel;
        m_next.clear();
        (backfill ? backfilled : live).append(seq);
    }
    void backfill(const QString &channel) override { m_next = channel; }
    QList<qint64> backfilled;
    QList<qint64> live;

private:
    QString m_next;
};

QList<qint64> range(qint64 from, qint64 to)
{
    QList<qint64> seqs;
    for (qint64 s = from; s <= to; ++s)
        seqs.append(s);
    return seqs;
}

} // namespace

class tst_Backfill : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void firstSubscribeBackfillsThenLive();
    void noBackfillWhenNotAsked();
    void ingestDrawsTheBackfillWithoutCountingIt();
    void cliLineMarksTheBackfill();
};

void tst_Backfill::firstSubscribeBackfillsThenLive()
{
    auto hub = std::make_unique<HubServer>(memoryHub());
    QVERIFY(hub->start());
    for (int i = 1; i <= 80; ++i) // retained: 31..80
        hub->publish(QStringLiteral("a"), value(i));
    ConnectionManager cm;
    cm.setOptions(fastOptions(hub->url(), 20));
    MarkingSink sink;
    cm.addMessageSink(&sink);
    QSignalSpy marks(&cm, &ConnectionManager::backfillReceived);
    QSignalSpy gaps(&cm, &ConnectionManager::gapDetected);
    cm.subscribe(QStringLiteral("a"));
    cm.open();
    QTRY_COMPARE(sink.backfilled, range(61, 80));
    QCOMPARE(marks.size(), 20);
    QVERIFY(sink.live.isEmpty());
    hub->publish(QStringLiteral("a"), value(81));
    hub->publish(QStringLiteral("a"), value(82));
    QTRY_COMPARE(sink.live, range(81, 82));
    QCOMPARE(sink.backfilled, range(61, 80)); // no duplicate, no hole
    QCOMPARE(gaps.size(), 0);
    QCOMPARE(cm.stats().duplicates, 0u);
}

void tst_Backfill::noBackfillWhenNotAsked()
{
    HubServer hub(memoryHub());
    QVERIFY(hub.start());
    for (int i = 1; i <= 10; ++i)
        hub.publish(QStringLiteral("a"), value(i));
    ConnectionManager cm;
    cm.setOptions(fastOptions(hub.url(), 0));
    MarkingSink sink;
    cm.addMessageSink(&sink);
    QSignalSpy subscribed(&cm, &ConnectionManager::subscribed);
    cm.subscribe(QStringLiteral("a"));
    cm.open();
    QTRY_COMPARE(subscribed.size(), 1);
    hub.publish(QStringLiteral("a"), value(11));
    QTRY_COMPARE(sink.live, range(11, 11));
    QVERIFY(sink.backfilled.isEmpty());
}

void tst_Backfill::ingestDrawsTheBackfillWithoutCountingIt()
{
    HubServer hub(memoryHub());
    QVERIFY(hub.start());
    for (int i = 1; i <= 30; ++i)
        hub.publish(QStringLiteral("cpu"), value(i));
    SeriesStore store;
    MessageIngest ingest(&store);
    ConnectionManager cm;
    cm.setOptions(fastOptions(hub.url(), 10));
    cm.addMessageSink(&ingest);
    MarkingSink sink; // tells when the backfill is in
    cm.addMessageSink(&sink);
    cm.subscribe(QStringLiteral("cpu"));
    cm.open();
    QTRY_COMPARE(sink.backfilled.size(), 10);
    {
        QMutexLocker<QRecursiveMutex> locker(store.lock());
        const StreamBuffer *points =
            store.buffer(SeriesKey::channel(QStringLiteral("cpu")), QStringLiteral("data.v"));
        QVERIFY(points);
        QCOMPARE(points->size(), 10); // drawn before any live message
        QCOMPARE(store.latest(QStringLiteral("cpu"), QStringLiteral("data.v")).toDouble(), 30.0);
    }
    MessageIngest::Batch batch = ingest.take();
    QCOMPARE(batch.backfilled, quint64(10));
    QCOMPARE(batch.messages, quint64(0)); // not live traffic: no arrival, no rate, no fresh tile
    QVERIFY(batch.channels.isEmpty());
    QVERIFY(batch.raw.isEmpty());

    hub.publish(QStringLiteral("cpu"), value(31));
    QTRY_COMPARE(sink.live.size(), 1);
    batch = ingest.take();
    QCOMPARE(batch.messages, quint64(1));
    QCOMPARE(batch.backfilled, quint64(0));
    QCOMPARE(batch.channels.value(QStringLiteral("cpu")).count, 1);
    QMutexLocker<QRecursiveMutex> locker(store.lock());
    QCOMPARE(store.buffer(SeriesKey::channel(QStringLiteral("cpu")), QStringLiteral("data.v"))->size(), 11);
}

void tst_Backfill::cliLineMarksTheBackfill()
{
    const QJsonValue payload = QJsonObject{{QStringLiteral("v"), 5}};
    const JsonView data(payload);
    QByteArray out;
    JsonLinesSession::appendMessageLine(out, "\"a\"", 7, 1000, data, false, true);
    QCOMPARE(out, QByteArrayLiteral(
                      "{\"backfill\":true,\"channel\":\"a\",\"data\":{\"v\":5},\"event\":\"message\","
                      "\"seq\":7,\"ts\":1000}\n"));
    // Byte for byte what QJsonDocument writes for the same object.
    QJsonObject o{{QStringLiteral("backfill"), true},
                  {QStringLiteral("channel"), QStringLiteral("a")},
                  {QStringLiteral("data"), QJsonObject{{QStringLiteral("v"), 5}}},
                  {QStringLiteral("event"), QStringLiteral("message")},
                  {QStringLiteral("seq"), 7},
                  {QStringLiteral("ts"), 1000}};
    QCOMPARE(out, QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n');
}

QTEST_MAIN(tst_Backfill)
#include "tst_backfill.moc"
