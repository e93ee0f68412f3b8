// A dashboard against a hub with 5000 channels of 200-character names (issue 13's measurement):
// listed in one reply that was 1113 KiB, past the client's 1 MiB frame limit, so the dashboard
// was closed with 1009 at every connect and reconnected forever. Paged, it connects once, stays
// connected and ends with all 5000 channels in its list model, nothing reported as an error.
#include "client/ConnectionManager.h"
#include "dashboard/connection/ConnectionMirror.h"
#include "dashboard/connection/ChannelListModel.h"
#include "dashboard/connection/EventLog.h"
#include "dashboard/shell/Dashboard.h"
#include "hub/ChannelStore.h"
#include "hub/HubMetrics.h"
#include "hub/HubRequests.h"
#include "hub/HubServer.h"
#include "protocol/Envelope.h"

#include <QSet>
#include <QSignalSpy>
#include <QTest>

using namespace Pulseboard;

class tst_DashboardChannels : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void connectsOnceAndListsEveryChannel();
};

void tst_DashboardChannels::connectsOnceAndListsEveryChannel()
{
    HubOptions hubOptions;
    hubOptions.port = 0;
    hubOptions.feedsEnabled = false;
    HubServer hub(hubOptions);
    QString error;
    QVERIFY2(hub.start(&error), qPrintable(error));
    QStringList expected;
    for (int k = 0; k < 5000; ++k) {
        const int i = (k * 7919) % 5000;
        const QString name = QStringLiteral("load.%1.").arg(i, 4, 10, QLatin1Char('0')) +
                             QString(190, QLatin1Char(char('a' + i % 26)));
        hub.publish(name, i);
        expected.append(name);
    }
    expected.sort();

    ConnectionOptions options;
    options.endpoints = {hub.url()};
    options.backoff.initialMs = 20;
    options.backoff.maxMs = 100;
    options.maxRetries = 0;
    // The limit the dashboard holds the server to: the whole list in one frame would pass it.
    QCOMPARE(options.maxIncomingMessageBytes, qint64(1024 * 1024));
    {
        Envelope whole;
        whole.type = MessageType::Response;
        whole.id = QStringLiteral("c1");
        whole.data = HubRequests::channelList(hub.store()->channels(), HubMetrics());
        QVERIFY(encodeEnvelope(whole).size() > options.maxIncomingMessageBytes);
    }
    ConnectionManager manager;
    ConnectionMirror mirror(&manager);
    manager.setOptions(options);
    Dashboard::Options dashboardOptions;
    Dashboard dashboard(&mirror, dashboardOptions);
    QSignalSpy connects(&manager, &ConnectionManager::connected);
    QSignalSpy disconnects(&manager, &ConnectionManager::disconnected);
    QSignalSpy replies(&manager, &ConnectionManager::responseReceived);
    manager.open();
    QTRY_COMPARE_WITH_TIMEOUT(dashboard.channels()->rowCount(), 5000, 30000);
    // Settle: a close or a reconnect after the last page would show here.
    QTest::qWait(300);
    QCOMPARE(connects.size(), 1);
    QCOMPARE(disconnects.size(), 0);
    QCOMPARE(manager.state(), ConnectionManager::Open);
    QCOMPARE(dashboard.channels()->rowCount(), 5000);
    QStringList listed;
    for (int row = 0; row < dashboard.channels()->rowCount(); ++row) {
        const QModelIndex index = dashboard.channels()->index(row);
        QVERIFY(dashboard.channels()->data(index, ChannelListModel::ListedRole).toBool());
        listed.append(dashboard.channels()->data(index, ChannelListModel::NameRole).toString());
    }
    QCOMPARE(listed, expected);
    // Ten pages of 500, only the tenth without `next` (the 10 s poll may have begun another walk).
    int pages = 0;
    for (const QList<QVariant> &reply : std::as_const(replies)) {
        if (reply.at(1).toString() != QLatin1StringView("channels.list"))
            continue;
        ++pages;
        QCOMPARE(reply.at(3).toString().isEmpty(), pages == 10);
        if (pages == 10)
            break;
    }
    QCOMPARE(pages, 10);
    for (int row = 0; row < dashboard.events()->rowCount(); ++row)
        QVERIFY2(dashboard.events()->kindAt(row) != EventLog::Error,
                 qPrintable(dashboard.events()->textAt(row)));
}

QTEST_MAIN(tst_DashboardChannels)
#include "tst_dashboardchannels.moc"
