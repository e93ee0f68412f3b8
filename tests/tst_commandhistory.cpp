// The command history: runs kept across restarts (a new object on the same file), only the
// newest kept, a corrupt file set aside with a message and the readable runs kept, and each run
// following its message through the Outbox (queued, sent, acked; failed with the reason) against
// a real hub.
#include "client/ConnectionManager.h"
#include "dashboard/commands/CommandHistory.h"
#include "dashboard/connection/ConnectionMirror.h"
#include "dashboard/connection/OutboxModel.h"
#include "hub/HubServer.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

class tst_CommandHistory : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void survivesARestart()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(u"data/command-history.jsonl"_s); // the folder is made
        QString first;
        QString second;
        {
            CommandHistory history(file);
            QCOMPARE(history.rowCount(), 0);
            QCOMPARE(history.problem(), QString());
            first = history.record(u"restart"_s, u"publish"_s, u"ops.control"_s, u"{\"s\":\"a\\\"b\"}"_s,
                                   u"p-1"_s, u"queued"_s, QString());
            second = history.record(u"info"_s, u"request"_s, u"server.info"_s, QString(), QString(),
                                    u"failed"_s, u"no connection"_s);
        }
        QVERIFY(QFile::exists(file));
        CommandHistory again(file);
        QCOMPARE(again.problem(), QString());
        QCOMPARE(again.rowCount(), 2);
        // Newest first, as written.
        QCOMPARE(again.data(again.index(0), CommandHistory::RunIdRole).toString(), second);
        const QVariantMap run = again.entry(first);
        QCOMPARE(run.value(u"name"_s).toString(), u"restart"_s);
        QCOMPARE(run.value(u"payload"_s).toString(), u"{\"s\":\"a\\\"b\"}"_s);
        QCOMPARE(run.value(u"messageId"_s).toString(), u"p-1"_s);
        QCOMPARE(run.value(u"status"_s).toString(), u"queued"_s);
        QVERIFY(run.value(u"earlierRun"_s).toBool());
        // Still on its way when the last run closed: said so.
        QCOMPARE(run.value(u"detail"_s).toString(), u"still on its way when the dashboard last closed"_s);
        QCOMPARE(again.entry(second).value(u"detail"_s).toString(), u"no connection"_s);
        QCOMPARE(again.runOf(u"p-1"_s), first);
    }

    void keepsTheNewest()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(u"h.jsonl"_s);
        {
            CommandHistory history(file, 5);
            for (int i = 0; i < 40; ++i)
                history.record(u"c%1"_s.arg(i), u"publish"_s, u"a"_s, u"1"_s, u"id-%1"_s.arg(i), u"acked"_s,
                               u"seq %1"_s.arg(i));
            QCOMPARE(history.rowCount(), 5);
            QCOMPARE(history.data(history.index(0), CommandHistory::NameRole).toString(), u"c39"_s);
            QCOMPARE(history.data(history.index(4), CommandHistory::NameRole).toString(), u"c35"_s);
        }
        const auto lines = [&] {
            QFile f(file);
            return f.open(QIODevice::ReadOnly) ? int(f.readAll().count('\n')) : -1;
        };
        QCOMPARE(lines(), 40); // appended, one line a change
        // Read again, the file is more than twice what is kept: rewritten with the newest only.
        CommandHistory again(file, 5);
        QCOMPARE(again.rowCount(), 5);
        QCOMPARE(again.data(again.index(0), CommandHistory::NameRole).toString(), u"c39"_s);
        QCOMPARE(again.data(again.index(4), CommandHistory::NameRole).toString(), u"c35"_s);
        QCOMPARE(lines(), 5);
        // Appending past 2 x 5 + 100 lines rewrites it as it goes.
        for (int i = 0; i < 150; ++i)
            again.record(u"d%1"_s.arg(i), u"publish"_s, u"a"_s, u"1"_s, u"e-%1"_s.arg(i), u"acked"_s,
                         QString());
        QVERIFY2(lines() <= 2 * 5 + 100, qPrintable(QString::number(lines())));
        QCOMPARE(CommandHistory(file, 5).data(again.index(0), CommandHistory::NameRole).toString(),
                 u"d149"_s);
    }

    void aCorruptFileIsSetAsideAndTheReadableRunsKept()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(u"command-history.jsonl"_s);
        QString kept;
        {
            CommandHistory history(file);
            kept = history.record(u"restart"_s, u"publish"_s, u"ops"_s, u"{}"_s, u"p-9"_s, u"acked"_s,
                                  u"seq 4"_s);
        }
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::Append));
            f.write("this is not json\n{\"run\": 5}\n{\"run\":\"torn");
        }
        CommandHistory history(file);
        QCOMPARE(history.rowCount(), 1);
        QCOMPARE(history.entry(kept).value(u"status"_s).toString(), u"acked"_s);
        const QStringList aside = QDir(dir.path()).entryList({u"command-history.jsonl.corrupt-*"_s});
        QCOMPARE(aside.size(), 1);
        QCOMPARE(history.problem(),
                 u"the command history %1 had 3 unreadable line(s) (the first is line 2): the file was set "
                 u"aside as "
                 u"%2; the 1 run(s) it could read are kept"_s.arg(file, dir.filePath(aside.first())));
        // The bad file is there as it was; the new one holds the readable run and takes more.
        QFile bad(dir.filePath(aside.first()));
        QVERIFY(bad.open(QIODevice::ReadOnly));
        QVERIFY(bad.readAll().endsWith("{\"run\":\"torn"));
        history.record(u"info"_s, u"request"_s, u"server.info"_s, QString(), u"r-1"_s, u"queued"_s,
                       QString());
        CommandHistory again(file);
        QCOMPARE(again.problem(), QString());
        QCOMPARE(again.rowCount(), 2);
    }

    void unwritableFileIsSaidAndRunsStayInMemory()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(u"is-a-folder"_s);
        QVERIFY(QDir().mkpath(file));
        CommandHistory history(file);
        QVERIFY2(history.problem().startsWith(u"cannot "_s), qPrintable(history.problem()));
        QVERIFY(history.problem().endsWith(u"runs are kept in memory only"_s));
        history.record(u"x"_s, u"publish"_s, u"a"_s, u"1"_s, u"p-1"_s, u"queued"_s, QString());
        QCOMPARE(history.rowCount(), 1);
    }

    // Each run follows its message through the Outbox: queued offline, acked once connected
    // (with the hub's seq), and a refused publish failed with the server's words.
    void followsTheOutboxToAcked()
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
        OutboxModel outbox;
        outbox.attach(&mirror);
        QTemporaryDir dir;
        const QString file = dir.filePath(u"h.jsonl"_s);
        CommandHistory history(file);
        history.attach(&outbox);

        QString id;
        QCOMPARE(outbox.publish(u"console.test"_s, u"{\"n\": 1}"_s, &id), QString());
        QVERIFY(!id.isEmpty());
        const QString run = history.record(u"ping"_s, u"publish"_s, u"console.test"_s, u"{\"n\": 1}"_s, id,
                                           u"queued"_s, QString());
        QCOMPARE(history.entry(run).value(u"status"_s).toString(), u"queued"_s); // offline

        manager.open();
        QTRY_COMPARE_WITH_TIMEOUT(history.entry(run).value(u"status"_s).toString(), u"acked"_s, 5000);
        QVERIFY2(history.entry(run).value(u"detail"_s).toString().startsWith(u"seq "_s),
                 qPrintable(history.entry(run).value(u"detail"_s).toString()));

        QString refusedId;
        QCOMPARE(outbox.publish(u"sys.cpu"_s, u"{\"user\": 1}"_s, &refusedId), QString());
        const QString refused = history.record(
            u"fake cpu"_s, u"publish"_s, u"sys.cpu"_s, u"{\"user\": 1}"_s, refusedId,
            OutboxModel::statusName(OutboxModel::Status(outbox.statusOf(refusedId))), QString());
        QTRY_COMPARE_WITH_TIMEOUT(history.entry(refused).value(u"status"_s).toString(), u"failed"_s, 5000);
        QVERIFY2(history.entry(refused)
                     .value(u"detail"_s)
                     .toString()
                     .startsWith(u"refused by server (403): channel sys.cpu is read-only"_s),
                 qPrintable(history.entry(refused).value(u"detail"_s).toString()));

        // What a restart reads: the outcomes, as they ended.
        CommandHistory again(file);
        QCOMPARE(again.entry(run).value(u"status"_s).toString(), u"acked"_s);
        QCOMPARE(again.entry(refused).value(u"status"_s).toString(), u"failed"_s);
        QCOMPARE(again.entry(refused).value(u"detail"_s), history.entry(refused).value(u"detail"_s));
    }
};

QTEST_GUILESS_MAIN(tst_CommandHistory)
#include "tst_commandhistory.moc"
