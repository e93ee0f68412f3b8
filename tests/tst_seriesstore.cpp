#include "dashboard/charts/SeriesStore.h"
#include "protocol/EnvelopeDecoder.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

class tst_SeriesStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void ingestDiscoversFields()
    {
        SeriesStore store;
        QSignalSpy fields(&store, &SeriesStore::fieldsChanged);
        QCOMPARE(store.ingest(u"sys.cpu"_s, 1000,
                              QJsonObject{{u"user"_s, 10}, {u"system"_s, 2}, {u"host"_s, u"x"_s}}),
                 2);
        QCOMPARE(fields.count(), 1);
        QCOMPARE(store.fields(u"sys.cpu"_s), (QStringList{u"data.system"_s, u"data.user"_s}));
        store.ingest(u"sys.cpu"_s, 2000, QJsonObject{{u"user"_s, 11}, {u"system"_s, 3}});
        QCOMPARE(fields.count(), 1); // nothing new
        QCOMPARE(store.latest(u"sys.cpu"_s, u"data.user"_s).toDouble(), 11.0);
        QCOMPARE(store.latestTime(u"sys.cpu"_s, u"data.user"_s), 2000);
        QCOMPARE(store.buffer(u"sys.cpu"_s, u"data.user"_s)->size(), 2);
        QVERIFY(!store.latest(u"sys.cpu"_s, u"data.nope"_s).isValid());
    }

    // The MessageSink path: a payload viewed in the parsed frame lands like a QJsonValue does.
    void ingestsParsedFrames()
    {
        SeriesStore store;
        QSignalSpy fields(&store, &SeriesStore::fieldsChanged);
        EnvelopeDecoder decoder;
        for (int i = 0; i < 3; ++i) {
            decoder.setFrame(
                QStringLiteral(
                    R"({"type":"message","channel":"c","seq":%1,"data":{"v":%2,"cpu":{"user":%3},"s":"x"}})")
                    .arg(i + 1)
                    .arg(i * 1.5)
                    .arg(10 + i)
                    .toUtf8());
            Envelope env;
            MessageView message;
            QCOMPARE(decoder.decode(env, message), EnvelopeDecoder::Result::Message);
            QCOMPARE(store.ingest(u"c"_s, 1000 + i, message.data), 2);
        }
        QCOMPARE(fields.count(), 1);
        QCOMPARE(store.fields(u"c"_s), (QStringList{u"data.v"_s, u"data.cpu.user"_s}));
        QCOMPARE(store.buffer(u"c"_s, u"data.v"_s)->size(), 3);
        QCOMPARE(store.latest(u"c"_s, u"data.v"_s).toDouble(), 3.0);
        QCOMPARE(store.latest(u"c"_s, u"data.cpu.user"_s).toDouble(), 12.0);
        QCOMPARE(store.latestTime(u"c"_s, u"data.cpu.user"_s), 1002);
    }

    void retentionBoundsMemory()
    {
        SeriesStore::Limits limits;
        limits.retentionMs = 10000;
        limits.capacityPerSeries = 1000;
        SeriesStore store(limits);
        for (int i = 0; i < 600; ++i)
            store.ingest(u"c"_s, i * 100, QJsonValue(i)); // 60 s at 10 Hz
        const StreamBuffer *b = store.buffer(u"c"_s, u"data"_s);
        // Only the last 10 s are held.
        QCOMPARE(b->at(0).t, 59900 - 10000);
        QCOMPARE(b->size(), 101);
        QVERIFY(store.allocatedBytes() <= 1000 * StreamBuffer::bytesPerSample());
    }

    void fieldCountIsCapped()
    {
        SeriesStore::Limits limits;
        limits.maxFieldsPerSource = 3;
        SeriesStore store(limits);
        QJsonObject o;
        for (int i = 0; i < 5; ++i)
            o.insert(u"f%1"_s.arg(i), i);
        QCOMPARE(store.ingest(u"c"_s, 1, o), 3);
        QCOMPARE(store.fields(u"c"_s).size(), 3);
        QCOMPARE(store.droppedFieldCount(u"c"_s), 2);
    }

    void outagesAreRecordedAndBounded()
    {
        SeriesStore::Limits limits;
        limits.retentionMs = 60000;
        SeriesStore store(limits);
        QVERIFY(store.outages().isEmpty());
        const quint64 r0 = store.outageRevision();
        store.noteConnectionBack(100); // not down: nothing to end
        QCOMPARE(store.outageRevision(), r0);
        store.noteConnectionLost(1000);
        store.noteConnectionLost(1500); // still the same outage
        QCOMPARE(store.outages().size(), 1);
        QCOMPARE(store.outages().constFirst().down, 1000);
        QCOMPARE(store.outages().constFirst().up, 0);
        store.noteConnectionBack(4000);
        QCOMPARE(store.outages().constFirst().up, 4000);
        QVERIFY(store.outageRevision() > r0);
        // Outages older than the retention window are forgotten when the next one ends.
        store.noteConnectionLost(100000);
        store.noteConnectionBack(100500);
        QCOMPARE(store.outages().size(), 1);
        QCOMPARE(store.outages().constFirst().down, 100000);
        // Never more than kMaxOutages, the newest kept.
        for (int i = 0; i < SeriesStore::kMaxOutages + 10; ++i) {
            store.noteConnectionLost(200000 + i * 10);
            store.noteConnectionBack(200000 + i * 10 + 5);
        }
        QCOMPARE(store.outages().size(), SeriesStore::kMaxOutages);
        QCOMPARE(store.outages().constLast().down, 200000 + (SeriesStore::kMaxOutages + 9) * 10);
    }

    void exportsCsv()
    {
        SeriesStore store;
        store.addSample(u"health"_s, u"rttMs"_s, 1000, 12);
        store.addSample(u"health"_s, u"rttMs"_s, 2000, 15.5);
        store.addSample(u"health"_s, u"rttMs"_s, 3000, 20);
        QTemporaryDir dir;
        const QString file = dir.filePath(u"out.csv"_s);
        const QVariantList series{QVariantMap{{u"source"_s, u"health"_s}, {u"path"_s, u"rttMs"_s}}};
        QCOMPARE(store.exportCsv(file, series, 1500, 3000), QString());
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().split('\n');
        QCOMPARE(lines.at(0), QByteArray("time_ms,time_iso,source,field,value"));
        QCOMPARE(lines.at(1), QByteArray("2000,1970-01-01T00:00:02.000Z,health,rttMs,15.5"));
        QCOMPARE(lines.at(2), QByteArray("3000,1970-01-01T00:00:03.000Z,health,rttMs,20"));
        QCOMPARE(lines.size(), 4); // trailing newline

        // A folder that is not there yet is made, however deep.
        const QString nested = dir.filePath(u"not/there/yet/out.csv"_s);
        QCOMPARE(store.exportCsv(nested, series, 0, 5000), QString());
        QFile n(nested);
        QVERIFY(n.open(QIODevice::ReadOnly));
        QCOMPARE(n.readAll().split('\n').size(), 5);
        // One that cannot be (under a plain file) is said, naming the folder; nothing is written.
        QFile plain(dir.filePath(u"plain"_s));
        QVERIFY(plain.open(QIODevice::WriteOnly));
        plain.close();
        const QString under = dir.filePath(u"plain/sub/x.csv"_s);
        const QString error = store.exportCsv(under, series, 0, 5000);
        QVERIFY2(error.contains(u"the folder "_s + dir.filePath(u"plain/sub"_s) + u" cannot be created"_s),
                 qPrintable(error));
        QVERIFY(!QFileInfo::exists(under));
        // A folder is not a file name.
        QVERIFY2(store.exportCsv(dir.path(), series, 0, 5000).contains(u"it is a folder"_s), "folder taken");
    }

    void csvNumbersReadBackExactly()
    {
        // Each value in the fewest digits that read back as the same double: no float noise.
        const QList<double> values{0.3,        0.1 + 0.2,       1.0 / 3.0,          -2.5e-7, 1e300,
                                   123456.789, 1764650000000.0, 9007199254740992.0, 1e17,    -0.0,
                                   42,         5e-324};
        SeriesStore store;
        for (int i = 0; i < values.size(); ++i)
            store.addSample(u"sys.cpu"_s, u"total"_s, 1000 + i, values.at(i));
        QTemporaryDir dir;
        const QString file = dir.filePath(u"numbers.csv"_s);
        const QVariantList series{QVariantMap{{u"source"_s, u"sys.cpu"_s}, {u"path"_s, u"total"_s}}};
        QCOMPARE(store.exportCsv(file, series, 0, 5000), QString());
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().split('\n');
        QCOMPARE(lines.size(), values.size() + 2); // the header, a trailing newline
        QStringList cells;
        for (int i = 0; i < values.size(); ++i) {
            const QByteArray cell = lines.at(i + 1).split(',').last();
            bool ok = false;
            const double back = cell.toDouble(&ok);
            QVERIFY2(ok, cell.constData());
            QVERIFY2(back == values.at(i) || (std::isnan(back) && std::isnan(values.at(i))),
                     cell.constData());
            cells.append(QString::fromLatin1(cell));
        }
        QCOMPARE(cells, (QStringList{u"0.3"_s, u"0.30000000000000004"_s, u"0.3333333333333333"_s,
                                     u"-2.5e-07"_s, u"1e+300"_s, u"123456.789"_s, u"1764650000000"_s,
                                     u"9007199254740992"_s, u"1e+17"_s, u"0"_s, u"42"_s, u"5e-324"_s}));
    }

    void ownFiguresNeverMeetAChannel()
    {
        SeriesStore store;
        QSignalSpy fields(&store, &SeriesStore::fieldsChanged);
        const SeriesKey own = SeriesKey::dashboard(u"health"_s);
        store.addSample(own, u"rttMs"_s, 1000, 12);
        QCOMPARE(fields.count(), 0); // the signal is about channels
        // A channel literally named "health", and a payload with the same field name.
        store.ingest(u"health"_s, 1000, QJsonObject{{u"rttMs"_s, 999}});
        store.addSample(u"health"_s, u"rttMs"_s, 2000, 998);
        QCOMPARE(fields.count(), 2); // data.rttMs, then rttMs: both the channel's
        QCOMPARE(fields.at(0).at(0).toString(), u"health"_s);
        QCOMPARE(fields.at(1).at(0).toString(), u"health"_s);
        QCOMPARE(store.fields(own), QStringList{u"rttMs"_s});
        QCOMPARE(store.fields(u"health"_s), (QStringList{u"data.rttMs"_s, u"rttMs"_s}));
        QCOMPARE(store.latest(own, u"rttMs"_s).toDouble(), 12.0);
        QCOMPARE(store.latest(u"health"_s, u"rttMs"_s).toDouble(), 998.0);
        QCOMPARE(store.sources(), QStringList{u"health"_s}); // channels only
        QCOMPARE(store.keys(), (QList<SeriesKey>{SeriesKey::channel(u"health"_s), own}));

        // Clearing the channels (a server switch) leaves the dashboard's own figures.
        store.clearChannels();
        QCOMPARE(store.sources(), QStringList());
        QCOMPARE(store.keys(), QList<SeriesKey>{own});
        QCOMPARE(store.latest(own, u"rttMs"_s).toDouble(), 12.0);

        // CSV names the origin: the same source text reads the dashboard's series only with it.
        QTemporaryDir dir;
        const QString file = dir.filePath(u"own.csv"_s);
        const QVariantList series{
            QVariantMap{{u"source"_s, u"health"_s}, {u"path"_s, u"rttMs"_s}, {u"origin"_s, u"dashboard"_s}},
            QVariantMap{{u"source"_s, u"health"_s}, {u"path"_s, u"rttMs"_s}}};
        QCOMPARE(store.exportCsv(file, series, 0, 5000), QString());
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().split('\n');
        QCOMPARE(lines.at(1), QByteArray("1000,1970-01-01T00:00:01.000Z,health,rttMs,12"));
        QCOMPARE(lines.size(), 3);
    }
};

QTEST_GUILESS_MAIN(tst_SeriesStore)
#include "tst_seriesstore.moc"
