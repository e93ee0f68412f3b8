#include "client/ConnectionManager.h"
#include "dashboard/connection/ConnectionMirror.h"
#include "dashboard/connection/EventLog.h"
#include "dashboard/connection/OutboxModel.h"
#include "hub/HubServer.h"
#include "support/TestServer.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

class tst_OutboxModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsesAnyJsonValue_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("error");
        QTest::newRow("object") << u"{\"a\": 1}"_s << true << QString();
        QTest::newRow("number") << u"42"_s << true << QString();
        QTest::newRow("string") << u"\"hi\""_s << true << QString();
        QTest::newRow("empty") << u"  "_s << false << u"nothing to send: enter a JSON value"_s;
        QTest::newRow("broken") << u"{\"a\": }"_s << false
                                << u"not valid JSON at character 8: object is missing after a comma"_s;
        QTest::newRow("two values") << u"1, 2"_s << false << u"enter exactly one JSON value (found 2)"_s;
    }
    void parsesAnyJsonValue()
    {
        QFETCH(QString, text);
        QJsonValue value;
        QString error;
        QTEST(OutboxModel::parseJson(text, &value, &error), "ok");
        QTEST(error, "error");
    }

    void publishAndRequestLifecycle()
    {
        Test::TestServer server;
        QVERIFY(server.listen());
        ConnectionManager manager;
        ConnectionMirror mirror(&manager);
        ConnectionOptions options;
        options.endpoints = {server.url()};
        manager.setOptions(options);
        OutboxModel model;
        model.attach(&mirror);

        // Validation happens before anything reaches the manager.
        QCOMPARE(model.publish(u"bad name"_s, u"1"_s),
                 u"'bad name' is not a valid channel name (1-200 characters, no spaces)"_s);
        QCOMPARE(model.publish(u"ok"_s, u"{"_s).left(20), u"not valid JSON at ch"_s);
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(manager.queuedCount(), 0);

        // Offline: queued.
        QCOMPARE(model.publish(u"console"_s, u"{\"n\": 1}"_s), QString());
        QCOMPARE(model.rowCount(), 1);
        const QString id = model.data(model.index(0), OutboxModel::IdRole).toString();
        QCOMPARE(model.statusOf(id), int(OutboxModel::Queued));
        QCOMPARE(model.pending(), 1);

        manager.open();
        QTRY_COMPARE_WITH_TIMEOUT(model.statusOf(id), int(OutboxModel::Acked), 5000);
        QCOMPARE(model.detailOf(id), u"seq 1"_s);
        QCOMPARE(server.publishedCount(u"console"_s), 1);

        // A request the test server does not know is answered with an error: failed, with the reason.
        QCOMPARE(model.request(u"no.such.method"_s, QString()), QString());
        const QString rid = model.data(model.index(0), OutboxModel::IdRole).toString();
        QTRY_COMPARE_WITH_TIMEOUT(model.statusOf(rid), int(OutboxModel::Failed), 5000);
        QCOMPARE(model.detailOf(rid), u"error 404: unknown method"_s);
        // Said in the console too, until the next request.
        QCOMPARE(model.requestProblem(), u"Request no.such.method failed: error 404: unknown method"_s);
        QCOMPARE(model.data(model.index(0), OutboxModel::KindRole).toString(), u"request"_s);

        QCOMPARE(model.request(u"echo"_s, u"{\"ping\": 1}"_s), QString());
        const QString eid = model.data(model.index(0), OutboxModel::IdRole).toString();
        QTRY_COMPARE_WITH_TIMEOUT(model.statusOf(eid), int(OutboxModel::Replied), 5000);
        QCOMPARE(model.detailOf(eid), u"{\"ping\":1}"_s);
        QCOMPARE(model.lastReply(), u"{\n  \"ping\": 1\n}"_s); // indented for reading
        QCOMPARE(model.requestProblem(), QString());
        QCOMPARE(model.pending(), 0);
        QCOMPARE(model.rowCount(), 3);
    }

    // The hub refuses a built-in feed's name (403): the row fails with the server's words and
    // the console's problem line says it; an acked publish afterwards clears it.
    void refusedPublishIsSaidInWords()
    {
        HubOptions hubOptions;
        hubOptions.port = 0;
        hubOptions.feedsEnabled = false;
        HubServer hub(hubOptions);
        QString error;
        QVERIFY2(hub.start(&error), qPrintable(error));
        ConnectionManager manager;
        ConnectionMirror mirror(&manager);
        ConnectionOptions options;
        options.endpoints = {hub.url()};
        manager.setOptions(options);
        OutboxModel model;
        model.attach(&mirror);
        manager.open();
        QTRY_COMPARE_WITH_TIMEOUT(manager.state(), ConnectionManager::Open, 5000);

        QCOMPARE(model.publish(u"sys.cpu"_s, u"{\"user\": 1}"_s), QString());
        const QString id = model.data(model.index(0), OutboxModel::IdRole).toString();
        QTRY_COMPARE_WITH_TIMEOUT(model.statusOf(id), int(OutboxModel::Failed), 5000);
        QVERIFY2(model.detailOf(id).startsWith(u"refused by server (403): channel sys.cpu is read-only"_s),
                 qPrintable(model.detailOf(id)));
        QCOMPARE(model.publishProblem(), u"Not published to sys.cpu: "_s + model.detailOf(id));
        QCOMPARE(manager.stats().refused, 1u);

        QCOMPARE(model.publish(u"console.test"_s, u"{\"n\": 1}"_s), QString());
        QCOMPARE(model.publishProblem(), QString()); // a new publish starts clean
        const QString ok = model.data(model.index(0), OutboxModel::IdRole).toString();
        QTRY_COMPARE_WITH_TIMEOUT(model.statusOf(ok), int(OutboxModel::Acked), 5000);
        QCOMPARE(model.publishProblem(), QString());
    }

    // A server without publish acks (the json dialect, no publish reply configured): the row
    // ends "sent, not confirmed", never "acked", and the event log says so in words.
    void publishToAServerWithoutAcksReadsSentNotConfirmed()
    {
        QWebSocketServer server(u"feed"_s, QWebSocketServer::NonSecureMode);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QStringList received;
        connect(&server, &QWebSocketServer::newConnection, this, [&] {
            while (QWebSocket *s = server.nextPendingConnection()) {
                connect(s, &QWebSocket::textMessageReceived, this,
                        [&](const QString &t) { received.append(t); });
                connect(s, &QWebSocket::disconnected, s, &QObject::deleteLater);
            }
        });
        ConnectionManager manager;
        ConnectionMirror mirror(&manager);
        ConnectionOptions options;
        options.endpoints = {QUrl(u"ws://127.0.0.1:%1/"_s.arg(server.serverPort()))};
        options.protocol = u"json"_s;
        options.protocolConfig =
            QJsonObject{{u"publish"_s, QJsonObject{{u"frame"_s, QJsonObject{{u"set"_s, u"{data}"_s}}}}},
                        {u"routes"_s, QJsonArray{QJsonObject{{u"channel"_s, u"room"_s}}}}};
        manager.setOptions(options);
        QVERIFY2(manager.errorString().isEmpty(), qPrintable(manager.errorString()));
        OutboxModel model;
        model.attach(&mirror);
        EventLog log;
        log.attach(&mirror);
        QCOMPARE(model.publish(u"room"_s, u"{\"heater\": \"on\"}"_s), QString());
        const QString id = model.data(model.index(0), OutboxModel::IdRole).toString();
        QCOMPARE(model.statusOf(id), int(OutboxModel::Queued));
        manager.open();
        QTRY_COMPARE_WITH_TIMEOUT(model.statusOf(id), int(OutboxModel::Unconfirmed), 10000);
        QCOMPARE(model.data(model.index(0), OutboxModel::StatusNameRole).toString(),
                 u"sent, not confirmed"_s);
        QCOMPARE(model.detailOf(id), u"sent, not confirmed: this server does not acknowledge publishes"_s);
        QCOMPARE(model.pending(), 0); // settled: nothing more will come for it
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 10000);
        QCOMPARE(received.first(), u"{\"set\":{\"heater\":\"on\"}}"_s);
        bool logged = false;
        for (int i = 0; i < log.rowCount(); ++i)
            logged =
                logged || log.textAt(i) == u"Publish %1 to room sent, not confirmed (this server does not "
                                           u"acknowledge publishes)"_s.arg(id);
        QVERIFY(logged);
        QTest::qWait(100);
        QCOMPARE(model.statusOf(id), int(OutboxModel::Unconfirmed)); // no later "acked"
        manager.close();
    }
};

QTEST_GUILESS_MAIN(tst_OutboxModel)
#include "tst_outboxmodel.moc"
