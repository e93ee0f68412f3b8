#include "client/ConnectionManager.h"
#include "dashboard/connection/OutboxModel.h"
#include "support/TestServer.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

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
        ConnectionOptions options;
        options.endpoints = {server.url()};
        manager.setOptions(options);
        OutboxModel model;
        model.attach(&manager);

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
        QCOMPARE(model.data(model.index(0), OutboxModel::KindRole).toString(), u"request"_s);

        QCOMPARE(model.request(u"echo"_s, u"{\"ping\": 1}"_s), QString());
        const QString eid = model.data(model.index(0), OutboxModel::IdRole).toString();
        QTRY_COMPARE_WITH_TIMEOUT(model.statusOf(eid), int(OutboxModel::Replied), 5000);
        QCOMPARE(model.detailOf(eid), u"{\"ping\":1}"_s);
        QCOMPARE(model.lastReply(), u"{\"ping\":1}"_s);
        QCOMPARE(model.pending(), 0);
        QCOMPARE(model.rowCount(), 3);
    }
};

QTEST_GUILESS_MAIN(tst_OutboxModel)
#include "tst_outboxmodel.moc"
