// The Record button's recording (DashboardRecording, over Recording and RecordingSink): a
// dashboard with two live sources records both into one file, the second's channels as the
// dashboard names them ("plant/metrics"), with each source's timeline (plant's outage under
// plant's server, none for the first), the sources' settings without tokens, and as many frames
// as it says it recorded. A recording never replaces a file; a store that fills up stops it with
// the reason, and what was committed stays readable.
#include "HubProbe.h"
#include "client/ConnectionManager.h"
#include "dashboard/charts/SeriesStore.h"
#include "dashboard/connection/ConnectionMirror.h"
#include "dashboard/connection/ConnectionStatus.h"
#include "dashboard/shell/Dashboard.h"
#include "hub/HubServer.h"
#include "recording/Recording.h"
#include "support/FaultProxy.h"
#include "support/TestUtils.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

namespace {

int samples(SeriesStore *store, const QString &channel)
{
    QMutexLocker lock(store->lock());
    const StreamBuffer *b = store->buffer(SeriesKey::channel(channel), u"data.v"_s);
    return b ? int(b->size()) : 0;
}

QList<HistoryFrame> readFrames(const QString &path, QHash<QString, QString> *info,
                               QList<HistoryEvent> *timeline = nullptr)
{
    HistoryOptions options;
    options.path = path;
    HistoryStore store(options);
    QString error;
    if (!store.openForReading(&error)) {
        qWarning() << "cannot read" << path << error;
        return {};
    }
    QList<HistoryFrame> frames;
    store.forEachFrame([&](const HistoryFrame &f) {
        frames.append(f);
        return true;
    });
    *info = store.recordingInfo();
    if (timeline)
        *timeline = store.timeline(0, std::numeric_limits<qint64>::max());
    return frames;
}

QJsonValue parsed(const QString &text)
{
    return QJsonDocument::fromJson(u"[%1]"_s.arg(text).toUtf8()).array().at(0);
}

} // namespace

class tst_DashboardRecording : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void everySourceIntoOneFile();
    void neverReplacesAFile();
    void fullStoreStopsWithTheReason();
};

void tst_DashboardRecording::everySourceIntoOneFile()
{
    std::unique_ptr<HubServer> hubA = HubTest::startHub(HubTest::quietHubOptions());
    std::unique_ptr<HubServer> hubB = HubTest::startHub(HubTest::quietHubOptions());
    QVERIFY(hubA && hubB);
    Test::FaultProxy proxy;
    QVERIFY(proxy.listen(hubB->port()));
    QTimer feed;
    feed.setInterval(20);
    int published = 0;
    connect(&feed, &QTimer::timeout, this, [&] {
        ++published;
        hubA->publish(u"metrics"_s, QJsonObject{{u"v"_s, 1}, {u"n"_s, published}});
        hubB->publish(u"metrics"_s, QJsonObject{{u"v"_s, 2}, {u"n"_s, published}});
    });
    feed.start();

    ConnectionOptions first = TestUtils::fastConnectionOptions();
    first.endpoints = {hubA->url()};
    first.token = u"secret-token"_s; // the open hub ignores it; the recording must not keep it
    ConnectionManager manager;
    manager.setOptions(first);
    ConnectionMirror mirror(&manager);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Dashboard::Options options;
    options.channels = {u"metrics"_s, u"plant/metrics"_s};
    options.recordingsDir = dir.filePath(u"recordings"_s);
    SourceSpec plant;
    plant.name = u"plant"_s;
    plant.connection = TestUtils::fastConnectionOptions();
    plant.connection.endpoints = {proxy.url()};
    plant.connection.queueFile = dir.filePath(u"plant.journal"_s);
    options.sources = {plant};
    options.sourceThreads = true; // plant on a network thread of its own, as the app runs it
    Dashboard dashboard(&mirror, options);
    DashboardSource *source = dashboard.sources().constFirst();
    manager.open();
    dashboard.openSources();
    QTRY_VERIFY_WITH_TIMEOUT(source->status()->live() && dashboard.status()->live(), 10000);
    SeriesStore *store = dashboard.store();
    QTRY_VERIFY_WITH_TIMEOUT(samples(store, u"metrics"_s) > 3 && samples(store, u"plant/metrics"_s) > 3,
                             10000);

    DashboardRecording *recording = dashboard.recording();
    QVERIFY(!recording->active());
    QSignalSpy finished(recording, &DashboardRecording::finished);
    QVERIFY(recording->start());
    QVERIFY(recording->active());
    const QString path = recording->path();
    QVERIFY2(QRegularExpression(u"/recordings/pulseboard-\\d{8}-\\d{6}\\.sqlite$"_s).match(path).hasMatch(),
             qPrintable(path));
    QCOMPARE(dashboard.snapshot().value(u"recording"_s).toMap().value(u"active"_s).toBool(), true);
    QTRY_VERIFY_WITH_TIMEOUT(recording->messages() >= 20, 10000);

    // Plant is cut and comes back while recording: its outage is in the file under its server.
    proxy.setMode(Test::FaultProxy::Mode::Reset);
    QTRY_VERIFY_WITH_TIMEOUT(!source->status()->live(), 10000);
    proxy.setMode(Test::FaultProxy::Mode::Pass);
    QTRY_VERIFY_WITH_TIMEOUT(source->status()->live(), 10000);
    const int plantBack = samples(store, u"plant/metrics"_s);
    QTRY_VERIFY_WITH_TIMEOUT(samples(store, u"plant/metrics"_s) >= plantBack + 5, 10000);

    recording->stop();
    QVERIFY(!recording->active());
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.at(0).at(0).toString(), path);
    QCOMPARE(finished.at(0).at(2).toString(), QString());
    QCOMPARE(recording->error(), QString());
    const qint64 recorded = qint64(recording->messages());
    QVERIFY(recorded >= 30);
    // Stopped means stopped: nothing more is taken.
    QTest::qWait(100);
    QCOMPARE(qint64(recording->messages()), recorded);

    QHash<QString, QString> info;
    QList<HistoryEvent> timeline;
    const QList<HistoryFrame> frames = readFrames(path, &info, &timeline);
    QCOMPARE(qint64(frames.size()), recorded);
    QCOMPARE(info.value(u"messages"_s).toLongLong(), recorded);
    QCOMPARE(info.value(u"format"_s), Recording::kFormat);
    QVERIFY(info.value(u"tool"_s).startsWith(u"pulseboard "_s));
    QCOMPARE(info.value(u"url"_s), Recording::publicUrl(hubA->url()));
    QCOMPARE(info.value(u"plant.url"_s), Recording::publicUrl(proxy.url()));
    QCOMPARE(info.value(u"channels"_s), u"[\"metrics\"]"_s);
    QCOMPARE(info.value(u"plant.channels"_s), u"[\"plant/metrics\"]"_s);
    QCOMPARE(info.value(u"sources"_s), u"plant"_s);
    for (auto it = info.cbegin(); it != info.cend(); ++it)
        QVERIFY2(!it.value().contains(u"secret-token"_s), qPrintable(it.key()));
    QVERIFY(info.value(u"settings"_s).contains(u"\"auth\":true"_s));

    // Both sources, apart; each channel's messages once, in the order its hub numbered them.
    QHash<QString, qint64> lastSeq;
    QHash<QString, int> perChannel;
    qint64 lastOffset = -1;
    for (const HistoryFrame &f : frames) {
        QVERIFY2(f.channel == u"metrics"_s || f.channel == u"plant/metrics"_s, qPrintable(f.channel));
        const QJsonObject data = parsed(QString::fromUtf8(f.data)).toObject();
        QCOMPARE(data.value(u"v"_s).toInt(), f.channel == u"metrics"_s ? 1 : 2);
        QCOMPARE(f.source, f.channel == u"metrics"_s ? Recording::publicUrl(hubA->url())
                                                     : Recording::publicUrl(proxy.url()));
        QVERIFY2(f.seq > lastSeq.value(f.channel, 0), qPrintable(u"%1 seq %2"_s.arg(f.channel).arg(f.seq)));
        lastSeq[f.channel] = f.seq;
        ++perChannel[f.channel];
        QVERIFY(f.offsetUs >= 0);
        QVERIFY(f.arrivalMs > 0);
        lastOffset = qMax(lastOffset, f.offsetUs);
    }
    QVERIFY(perChannel.value(u"metrics"_s) >= 10);
    QVERIFY(perChannel.value(u"plant/metrics"_s) >= 10);
    QVERIFY(info.value(u"durationUs"_s).toLongLong() >= lastOffset);

    int plantOutages = 0, firstOutages = 0, stopped = 0;
    for (const HistoryEvent &e : timeline) {
        if (e.kind == HistoryEvent::Kind::Outage) {
            if (e.source == Recording::publicUrl(proxy.url())) {
                ++plantOutages;
                QVERIFY(e.toMs > e.fromMs);
            } else {
                ++firstOutages;
            }
        }
        if (e.kind == HistoryEvent::Kind::State && e.detail == u"stopped"_s)
            ++stopped;
    }
    QCOMPARE(plantOutages, 1);
    QCOMPARE(firstOutages, 0);
    QCOMPARE(stopped, 2); // one per source

    // The next recording is another file; the dashboard's own view went on throughout.
    QVERIFY(recording->start());
    QVERIFY(recording->path() != path);
    recording->stop();
    QCOMPARE(finished.size(), 2);
}

void tst_DashboardRecording::neverReplacesAFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString taken = dir.filePath(u"taken.sqlite"_s);
    {
        QFile f(taken);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a recording");
    }
    DashboardRecording recording(dir.path(), u"test"_s);
    QSignalSpy errors(&recording, &DashboardRecording::errorChanged);
    QVERIFY(!recording.start(taken));
    QVERIFY(!recording.active());
    QVERIFY2(recording.error().contains(u"exists"_s), qPrintable(recording.error()));
    QCOMPARE(errors.size(), 1);
    QFile f(taken);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("not a recording"));
    // Without a folder there is nowhere to put one, and it says so.
    DashboardRecording nowhere(QString(), u"test"_s);
    QVERIFY(!nowhere.start());
    QVERIFY2(nowhere.error().contains(u"--record-dir"_s), qPrintable(nowhere.error()));
    // With no connection at all it still records (an empty session) and closes a readable file.
    QVERIFY(recording.start(dir.filePath(u"empty.sqlite"_s)));
    recording.stop();
    QHash<QString, QString> info;
    QCOMPARE(readFrames(dir.filePath(u"empty.sqlite"_s), &info).size(), 0);
    QCOMPARE(info.value(u"messages"_s), u"0"_s);
    QCOMPARE(recording.error(), QString());
}

void tst_DashboardRecording::fullStoreStopsWithTheReason()
{
    // A store of at most 64 pages (256 KiB) takes 4 KiB messages until it is full; the
    // recording then fails with the store's words, takes nothing more, and what was committed
    // stays readable.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    HistoryOptions options = HistoryOptions::forRecording(dir.filePath(u"full.sqlite"_s));
    options.maxPageCount = 64;
    options.batchIntervalMs = 10;
    HistoryStore store(options);
    QVERIFY(store.open());
    Recording recording(&store);
    recording.start(u"test"_s);
    RecordingSink sink(&recording, u"ws://127.0.0.1:1/"_s, u"plant/"_s);
    int refused = 0;
    sink.setRefused([&] { ++refused; });
    const QJsonObject payload{{u"blob"_s, QString(4096, u'x')}};
    const JsonView data(payload);
    int offered = 0;
    for (; offered < 2000 && recording.healthy(); ++offered) {
        sink.deliver(u"bulk"_s, offered + 1, 1000 + offered, data);
        if (offered % 20 == 0)
            QTest::qWait(15); // the writer commits between bursts, as it does live
    }
    QVERIFY2(!recording.healthy(), "a 256 KiB store never filled up");
    QVERIFY2(recording.failure().contains(u"full"_s, Qt::CaseInsensitive), qPrintable(recording.failure()));
    const quint64 taken = recording.recorded();
    QVERIFY(taken > 0);
    sink.deliver(u"bulk"_s, 999999, 1, data);
    QCOMPARE(recording.recorded(), taken);
    QVERIFY(refused >= 1);
    recording.finish();
    store.close();
    QHash<QString, QString> info;
    const QList<HistoryFrame> frames = readFrames(options.path, &info);
    QVERIFY(!frames.isEmpty());
    QVERIFY(quint64(frames.size()) <= taken);
    QCOMPARE(frames.constFirst().channel, u"plant/bulk"_s);
    QCOMPARE(frames.constFirst().seq, 1);
    QCOMPARE(info.value(u"format"_s), Recording::kFormat);
}

QTEST_GUILESS_MAIN(tst_DashboardRecording)
#include "tst_dashboardrecording.moc"
