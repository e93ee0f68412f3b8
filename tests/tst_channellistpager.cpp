// ChannelListPager: a walk through a paged `channels.list` follows `next` to the end and hands
// over every page in order; a server that does not page is one page; a failed page, a cursor that
// does not move and the page cap each end the walk with words for the event log; replies to other
// requests are not the pager's; a walk under way is not started twice.
#include "dashboard/connection/ChannelListPager.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace Pulseboard;

namespace {

// Records what the pager sends and gives each request an id.
struct Sent
{
    QList<QJsonObject> params;
    bool refuse = false;
    QString lastId() const { return QStringLiteral("r%1").arg(params.size()); }
    ChannelListPager::Send sender()
    {
        return [this](const QJsonValue &p) {
            if (refuse)
                return QString();
            params.append(p.toObject());
            return lastId();
        };
    }
};

QJsonArray page(const QStringList &names)
{
    QJsonArray a;
    for (const QString &n : names)
        a.append(QJsonObject{
            {QStringLiteral("name"), n}, {QStringLiteral("seq"), 1}, {QStringLiteral("rate"), 0}});
    return a;
}

} // namespace

class tst_ChannelListPager : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void followsNextToTheEnd();
    void serverThatDoesNotPage();
    void failedPageIsReported();
    void capIsReported();
    void cursorThatDoesNotMoveStops();
    void othersRepliesAreNotTaken();
    void notSentIsReported();
};

void tst_ChannelListPager::followsNextToTheEnd()
{
    Sent sent;
    ChannelListPager pager(sent.sender());
    QSignalSpy pages(&pager, &ChannelListPager::pageArrived);
    QSignalSpy finished(&pager, &ChannelListPager::finished);
    QSignalSpy problems(&pager, &ChannelListPager::problem);
    QVERIFY(pager.start());
    QVERIFY(pager.isRunning());
    QVERIFY(!pager.start()); // under way: not sent again
    QCOMPARE(sent.params.size(), 1);
    QCOMPARE(sent.params.at(0), (QJsonObject{{QStringLiteral("limit"), 500}}));

    QVERIFY(pager.handleResponse(sent.lastId(), page({QStringLiteral("a"), QStringLiteral("b")}),
                                 QStringLiteral("b")));
    QCOMPARE(sent.params.size(), 2);
    QCOMPARE(sent.params.at(1),
             (QJsonObject{{QStringLiteral("limit"), 500}, {QStringLiteral("after"), QStringLiteral("b")}}));
    QVERIFY(pager.handleResponse(sent.lastId(), page({QStringLiteral("c"), QStringLiteral("d")}),
                                 QStringLiteral("d")));
    QVERIFY(pager.handleResponse(sent.lastId(), page({QStringLiteral("e")}), QString()));
    QCOMPARE(sent.params.size(), 3);
    QVERIFY(!pager.isRunning());
    QCOMPARE(pages.size(), 3);
    QCOMPARE(pages.at(2).at(0).toJsonValue(), QJsonValue(page({QStringLiteral("e")})));
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.at(0).at(0).toInt(), 3);
    QVERIFY(problems.isEmpty());
    // A late duplicate of an answered id is not taken.
    QVERIFY(!pager.handleResponse(QStringLiteral("r3"), page({}), QString()));
    // Started again: from the first page.
    QVERIFY(pager.start());
    QCOMPARE(sent.params.last(), (QJsonObject{{QStringLiteral("limit"), 500}}));
}

void tst_ChannelListPager::serverThatDoesNotPage()
{
    Sent sent;
    ChannelListPager pager(sent.sender());
    QSignalSpy finished(&pager, &ChannelListPager::finished);
    QVERIFY(pager.start());
    QVERIFY(pager.handleResponse(sent.lastId(), page({QStringLiteral("x")}), QString()));
    QCOMPARE(sent.params.size(), 1);
    QCOMPARE(finished.size(), 1);
    QCOMPARE(pager.pages(), 1);
}

void tst_ChannelListPager::failedPageIsReported()
{
    Sent sent;
    ChannelListPager pager(sent.sender());
    QSignalSpy problems(&pager, &ChannelListPager::problem);
    QSignalSpy finished(&pager, &ChannelListPager::finished);
    QVERIFY(pager.start());
    QVERIFY(pager.handleResponse(sent.lastId(), page({QStringLiteral("a")}), QStringLiteral("a")));
    QVERIFY(!pager.handleFailure(QStringLiteral("other"), 400, QStringLiteral("no")));
    QVERIFY(pager.handleFailure(sent.lastId(), 400,
                                QStringLiteral("channels.list: 'limit' must be a whole number")));
    QVERIFY(!pager.isRunning());
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems.at(0).at(0).toString(),
             QStringLiteral("channels.list: page 2 failed (error 400: channels.list: 'limit' must be a whole "
                            "number); list incomplete"));
    QVERIFY(finished.isEmpty());
    // A local failure (negative code) keeps its words as they are.
    QVERIFY(pager.start());
    QVERIFY(pager.handleFailure(sent.lastId(), -2, QStringLiteral("connection lost before the reply")));
    QCOMPARE(
        problems.at(1).at(0).toString(),
        QStringLiteral("channels.list: page 1 failed (connection lost before the reply); list incomplete"));
}

void tst_ChannelListPager::capIsReported()
{
    Sent sent;
    ChannelListPager pager(sent.sender());
    pager.setMaxPages(3);
    QSignalSpy problems(&pager, &ChannelListPager::problem);
    QSignalSpy pages(&pager, &ChannelListPager::pageArrived);
    QVERIFY(pager.start());
    for (int i = 1; i <= 3; ++i)
        QVERIFY(pager.handleResponse(sent.lastId(), page({QString::number(i)}), QString::number(i)));
    QCOMPARE(sent.params.size(), 3); // no fourth page asked for
    QCOMPARE(pages.size(), 3);       // every page received is still handed over
    QVERIFY(!pager.isRunning());
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems.at(0).at(0).toString(),
             QStringLiteral("channels.list: stopped after 3 pages, more channels remain (after '3')"));
    QCOMPARE(ChannelListPager::kDefaultMaxPages, 100);
}

void tst_ChannelListPager::cursorThatDoesNotMoveStops()
{
    Sent sent;
    ChannelListPager pager(sent.sender());
    QSignalSpy problems(&pager, &ChannelListPager::problem);
    QVERIFY(pager.start());
    QVERIFY(pager.handleResponse(sent.lastId(), page({QStringLiteral("a")}), QStringLiteral("a")));
    QVERIFY(pager.handleResponse(sent.lastId(), page({QStringLiteral("a")}), QStringLiteral("a")));
    QCOMPARE(sent.params.size(), 2);
    QVERIFY(!pager.isRunning());
    QCOMPARE(problems.size(), 1);
    QVERIFY(problems.at(0).at(0).toString().contains(QStringLiteral("did not move on")));
}

void tst_ChannelListPager::othersRepliesAreNotTaken()
{
    Sent sent;
    ChannelListPager pager(sent.sender());
    QSignalSpy pages(&pager, &ChannelListPager::pageArrived);
    QVERIFY(!pager.handleResponse(QStringLiteral("r1"), page({}), QString())); // nothing asked yet
    QVERIFY(!pager.handleResponse(QString(), page({}), QString()));
    QVERIFY(pager.start());
    QVERIFY(!pager.handleResponse(QStringLiteral("console-1"), page({QStringLiteral("z")}), QString()));
    QVERIFY(pager.isRunning());
    QVERIFY(pages.isEmpty());
}

void tst_ChannelListPager::notSentIsReported()
{
    Sent sent;
    sent.refuse = true;
    ChannelListPager pager(sent.sender());
    QSignalSpy problems(&pager, &ChannelListPager::problem);
    QVERIFY(!pager.start());
    QVERIFY(!pager.isRunning());
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems.at(0).at(0).toString(), QStringLiteral("channels.list: page 1 could not be sent"));
}

QTEST_GUILESS_MAIN(tst_ChannelListPager)
#include "tst_channellistpager.moc"
