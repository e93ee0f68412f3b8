// Export beyond the window: a time range of a real history file (SQLite) as CSV and JSON Lines,
// read while the dashboard's writer still holds the store, and pulseboard-cli --export as a script
// runs it.
#include "history/HistoryExport.h"
#include "history/HistoryStore.h"
#include "support/TestUtils.h"

#include <QBuffer>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <limits>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

namespace {

// 2026-12-01T00:00:00Z
constexpr qint64 kT0 = 1796083200000LL;

QByteArray exportText(const HistoryStore &store, const HistoryExportSpec &spec,
                      HistoryExportResult *result = nullptr)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    const HistoryExportResult r = exportHistory(store, spec, &buffer);
    if (result)
        *result = r;
    return bytes;
}

// The store as the dashboard leaves it: two channels of the embedded hub, one of another server.
//   embedded|plant data.t    : 0, 1, ..., 179 at kT0 + i * 1000 (3 min), seq 1..180
//   embedded|plant data.a,b  : 7.25 at kT0 + 500, seq 1
//   embedded|flow data.rate  : -2.5 at kT0 + 61000, seq 4
//   ws://10.0.0.2:8765/|plant data.t : 1e-7 at kT0, seq 9
void fill(HistoryStore &store)
{
    const qint64 t = store.seriesId(u"embedded|plant"_s, u"data.t"_s);
    for (int i = 0; i < 180; ++i)
        QVERIFY(store.append(t, kT0 + i * 1000, i + 1, i));
    QVERIFY(store.append(store.seriesId(u"embedded|plant"_s, u"data.a,b"_s), kT0 + 500, 1, 7.25));
    QVERIFY(store.append(store.seriesId(u"embedded|flow"_s, u"data.rate"_s), kT0 + 61000, 4, -2.5));
    QVERIFY(store.append(store.seriesId(u"ws://10.0.0.2:8765/|plant"_s, u"data.t"_s), kT0, 9, 1e-7));
    store.flush();
    QCOMPARE(store.writtenSamples(), quint64(183));
}

HistoryOptions optionsIn(const QTemporaryDir &dir)
{
    HistoryOptions o;
    o.path = dir.filePath(u"history/history.sqlite"_s);
    o.maxAgeMs = 0; // the samples are of 2026-12-01, whatever today is
    o.batchIntervalMs = 20;
    return o;
}

// The filled store in `dir`, written and closed (the dashboard has quit).
void writeStore(const QTemporaryDir &dir)
{
    HistoryStore writer(optionsIn(dir));
    QVERIFY(writer.open());
    fill(writer);
}

// Opens `reader` for the reads only; false (the test fails) when it does not open.
bool openReader(HistoryStore &reader)
{
    QString error;
    const bool ok = reader.openForReading(&error);
    if (!ok)
        qWarning("%s", qPrintable(error));
    return ok;
}

} // namespace

class tst_HistoryExport : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void csvOfOneChannelWhileTheWriterHoldsTheStore()
    {
        QTemporaryDir dir;
        HistoryStore writer(optionsIn(dir));
        QVERIFY(writer.open());
        fill(writer);

        // A second instance reads what the first committed, without its lock.
        HistoryStore reader(optionsIn(dir));
        QVERIFY(openReader(reader));
        QCOMPARE(reader.status(), HistoryStore::Status::Closed); // it never writes
        QVERIFY(!reader.append(1, kT0, 1, 1));
        QCOMPARE(writer.status(), HistoryStore::Status::Ok);

        HistoryExportSpec spec;
        spec.server = u"embedded"_s;
        spec.channels = {u"plant"_s};
        spec.fromMs = kT0;
        spec.toMs = kT0 + 3000; // t < toMs
        HistoryExportResult result;
        const QByteArray csv = exportText(reader, spec, &result);
        QCOMPARE(result.error, QString());
        QCOMPARE(result.series, 2);
        QCOMPARE(result.rows, 4);
        // Series ordered by field ("data.a,b" < "data.t"); a field with a comma is quoted.
        QCOMPARE(csv, QByteArray("time_ms,time_iso,source,field,value,seq,server\n"
                                 "1796083200500,2026-12-01T00:00:00.500Z,plant,\"data.a,b\",7.25,1,embedded\n"
                                 "1796083200000,2026-12-01T00:00:00.000Z,plant,data.t,0,1,embedded\n"
                                 "1796083201000,2026-12-01T00:00:01.000Z,plant,data.t,1,2,embedded\n"
                                 "1796083202000,2026-12-01T00:00:02.000Z,plant,data.t,2,3,embedded\n"));

        // What the writer commits later is seen by the next export.
        QVERIFY(writer.append(writer.seriesId(u"embedded|plant"_s, u"data.t"_s), kT0 + 2500, 181, 99));
        writer.flush();
        spec.field = u"data.t"_s;
        spec.fromMs = kT0 + 2000;
        QCOMPARE(exportText(reader, spec),
                 QByteArray("time_ms,time_iso,source,field,value,seq,server\n"
                            "1796083202000,2026-12-01T00:00:02.000Z,plant,data.t,2,3,embedded\n"
                            "1796083202500,2026-12-01T00:00:02.500Z,plant,data.t,99,181,embedded\n"));
    }

    void jsonLinesOfEveryServer()
    {
        QTemporaryDir dir;
        writeStore(dir);
        HistoryStore reader(optionsIn(dir));
        QVERIFY(openReader(reader));
        HistoryExportSpec spec;
        spec.format = HistoryExportSpec::Format::JsonLines;
        spec.field = u"data.t"_s;
        spec.toMs = kT0 + 1000;
        HistoryExportResult result;
        const QList<QJsonObject> rows = TestUtils::parseJsonLines(exportText(reader, spec, &result));
        QCOMPARE(result.series, 2);
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows[0], (QJsonObject{{u"t"_s, double(kT0)},
                                       {u"time"_s, u"2026-12-01T00:00:00.000Z"_s},
                                       {u"server"_s, u"embedded"_s},
                                       {u"channel"_s, u"plant"_s},
                                       {u"field"_s, u"data.t"_s},
                                       {u"seq"_s, 1},
                                       {u"value"_s, 0}}));
        QCOMPARE(rows[1].value(u"server"_s).toString(), u"ws://10.0.0.2:8765/"_s);
        QCOMPARE(rows[1].value(u"value"_s).toDouble(), 1e-7);
        QCOMPARE(rows[1].value(u"seq"_s).toInt(), 9);
    }

    void bucketsFromTheTiers()
    {
        QTemporaryDir dir;
        HistoryStore writer(optionsIn(dir));
        QVERIFY(writer.open());
        fill(writer);
        HistoryExportSpec spec;
        spec.channels = {u"plant"_s};
        spec.server = u"embedded"_s;
        spec.field = u"data.t"_s;
        spec.bucketMs = 60000;
        HistoryExportResult result;
        const QByteArray csv = exportText(writer, spec, &result);
        QCOMPARE(result.rows, 3);
        QCOMPARE(
            csv,
            QByteArray("time_ms,time_iso,source,field,min,max,first,last,count,server\n"
                       "1796083200000,2026-12-01T00:00:00.000Z,plant,data.t,0,59,0,59,60,embedded\n"
                       "1796083260000,2026-12-01T00:01:00.000Z,plant,data.t,60,119,60,119,60,embedded\n"
                       "1796083320000,2026-12-01T00:02:00.000Z,plant,data.t,120,179,120,179,60,embedded\n"));
        // Buckets of 90 s come from the raw samples (90 s is not a multiple of a minute).
        spec.bucketMs = 90000;
        spec.format = HistoryExportSpec::Format::JsonLines;
        const QList<QJsonObject> rows = TestUtils::parseJsonLines(exportText(writer, spec));
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows[0].value(u"count"_s).toInt(), 90);
        QCOMPARE(rows[0].value(u"max"_s).toDouble(), 89.0);
        QCOMPARE(rows[1].value(u"first"_s).toDouble(), 90.0);
        QCOMPARE(rows[1].value(u"last"_s).toDouble(), 179.0);
    }

    void timelineOfTheRange()
    {
        QTemporaryDir dir;
        HistoryStore writer(optionsIn(dir));
        QVERIFY(writer.open());
        using K = HistoryEvent::Kind;
        QVERIFY(writer.appendEvent({K::State, kT0, kT0, u"embedded"_s, u"open"_s}));
        QVERIFY(writer.appendEvent({K::Outage, kT0 + 1000, kT0 + 4000, u"embedded"_s, QString()}));
        QVERIFY(writer.appendEvent(
            {K::State, kT0 + 1000, kT0 + 1000, u"ws://10.0.0.2:8765/"_s, u"reconnecting"_s}));
        QVERIFY(writer.appendEvent({K::Gap, kT0 + 4500, kT0 + 4500, u"plant"_s, u"missing 3, from 7"_s}));
        QVERIFY(
            writer.appendEvent({K::Alert, kT0 + 5000, kT0 + 5000, u"hot"_s,
                                uR"({"event":"alert","rule":"hot","state":"raised","ts":1796083205000})"_s}));
        QVERIFY(writer.appendEvent({K::State, kT0 + 9000, kT0 + 9000, u"embedded"_s, u"closed"_s}));
        writer.flush();
        HistoryExportSpec spec;
        spec.fromMs = kT0 + 1000;
        spec.toMs = kT0 + 9000;
        spec.server = u"embedded"_s; // the other server's state goes; gaps and alerts stay
        HistoryExportResult result;
        QByteArray bytes;
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        result = exportTimeline(writer, spec, &buffer);
        QCOMPARE(result.error, QString());
        QCOMPARE(result.rows, 3);
        QCOMPARE(bytes,
                 QByteArray(
                     "time_ms,time_iso,kind,to_ms,source,detail\n"
                     "1796083201000,2026-12-01T00:00:01.000Z,outage,1796083204000,embedded,\n"
                     "1796083204500,2026-12-01T00:00:04.500Z,gap,1796083204500,plant,\"missing 3, from 7\"\n"
                     "1796083205000,2026-12-01T00:00:05.000Z,alert,1796083205000,hot,"
                     "\"{\"\"event\"\":\"\"alert\"\",\"\"rule\"\":\"\"hot\"\",\"\"state\"\":\"\"raised\"\","
                     "\"\"ts\"\":1796083205000}\"\n"));
        spec.format = HistoryExportSpec::Format::JsonLines;
        spec.server.clear();
        bytes.clear();
        buffer.seek(0);
        result = exportTimeline(writer, spec, &buffer);
        const QList<QJsonObject> rows = TestUtils::parseJsonLines(bytes);
        QCOMPARE(rows.size(), 4);
        QCOMPARE(rows[1], (QJsonObject{{u"t"_s, double(kT0 + 1000)},
                                       {u"time"_s, u"2026-12-01T00:00:01.000Z"_s},
                                       {u"kind"_s, u"state"_s},
                                       {u"to"_s, double(kT0 + 1000)},
                                       {u"source"_s, u"ws://10.0.0.2:8765/"_s},
                                       {u"detail"_s, u"reconnecting"_s}}));
        QCOMPARE(rows[3].value(u"alert"_s).toObject().value(u"state"_s).toString(), u"raised"_s);
        QVERIFY(!rows[3].contains(u"detail"_s));
    }

    // The export writes its times itself (QDateTime's zone lookups cost microseconds a row): they
    // read as QDateTime writes them, across leap days, centuries and before 1970.
    void isoTimesAsQDateTimeWritesThem()
    {
        QTemporaryDir dir;
        HistoryStore writer(optionsIn(dir));
        QVERIFY(writer.open());
        const qint64 id = writer.seriesId(u"embedded|c"_s, u"v"_s);
        QList<qint64> times{-86400001LL,
                            -1,
                            0,
                            951782400000LL /* 2000-02-29 */,
                            1709251199999LL,
                            4107542400000LL /* 2100-03-01 */,
                            kT0 + 123,
                            253402300799999LL /* 9999-12-31T23:59:59.999 */};
        std::sort(times.begin(), times.end()); // the export's order
        for (qint64 t : times)
            QVERIFY(writer.append(id, t, 1, 1));
        writer.flush();
        HistoryExportSpec spec;
        spec.fromMs = std::numeric_limits<qint64>::min();
        const QList<QByteArray> lines = exportText(writer, spec).split('\n');
        QCOMPARE(lines.size(), times.size() + 2);
        for (int i = 0; i < times.size(); ++i) {
            const QList<QByteArray> cells = lines.at(i + 1).split(',');
            QCOMPARE(cells.at(0).toLongLong(), times.at(i));
            QCOMPARE(QString::fromLatin1(cells.at(1)),
                     QDateTime::fromMSecsSinceEpoch(times.at(i)).toUTC().toString(Qt::ISODateWithMs));
        }
    }

    void aWriteThatFailsIsSaid()
    {
        QTemporaryDir dir;
        HistoryStore writer(optionsIn(dir));
        QVERIFY(writer.open());
        fill(writer);
        QFile full(u"/dev/full"_s);
        if (!full.open(QIODevice::WriteOnly | QIODevice::Unbuffered))
            QSKIP("no /dev/full here");
        HistoryExportSpec spec;
        const HistoryExportResult result = exportHistory(writer, spec, &full);
        QVERIFY2(result.error.startsWith(u"cannot write the export: "_s), qPrintable(result.error));
        QVERIFY(result.error.contains(u"space"_s, Qt::CaseInsensitive));
    }

    void noStoreToRead()
    {
        QTemporaryDir dir;
        HistoryStore reader(optionsIn(dir));
        QString error;
        QVERIFY(!reader.openForReading(&error));
        QCOMPARE(error, u"no history at %1"_s.arg(dir.filePath(u"history/history.sqlite"_s)));
        QVERIFY(!QFile::exists(dir.filePath(u"history/history.sqlite"_s))); // nothing was made
        QFile junk(dir.filePath(u"junk.sqlite"_s));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write(QByteArray(8192, 'x'));
        junk.close();
        HistoryOptions o;
        o.path = junk.fileName();
        HistoryStore damaged(o);
        QVERIFY(!damaged.openForReading(&error));
        QVERIFY2(error.startsWith(u"cannot read %1: "_s.arg(junk.fileName())), qPrintable(error));
        QCOMPARE(junk.size(), qint64(8192)); // a reader sets nothing aside
    }

    void times_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("expected"); // -1: refused
        const qint64 now = kT0 + 3600000;
        QTest::newRow("now") << u"now"_s << now;
        QTest::newRow("-90m") << u"-90m"_s << now - 90 * 60000;
        QTest::newRow("-1.5h") << u"-1.5h"_s << now - 90 * 60000;
        QTest::newRow("-7d") << u"-7d"_s << now - 7 * 86400000LL;
        QTest::newRow("ms") << u"1796083200500"_s << kT0 + 500;
        QTest::newRow("iso Z") << u"2026-12-01T00:00:00Z"_s << kT0;
        QTest::newRow("iso ms offset") << u"2026-12-01T01:00:00.250+01:00"_s << kT0 + 250;
        QTest::newRow("bad word") << u"yesterday"_s << qint64(-1);
        QTest::newRow("bad unit") << u"-3y"_s << qint64(-1);
        QTest::newRow("positive") << u"+2h"_s << qint64(-1);
        QTest::newRow("before 1970") << u"-100000w"_s << qint64(-1);
    }
    void times()
    {
        QFETCH(QString, text);
        QFETCH(qint64, expected);
        qint64 ms = -1;
        QString error;
        const bool ok = parseHistoryTime(text, kT0 + 3600000, &ms, &error);
        QCOMPARE(ok, expected >= 0);
        if (ok)
            QCOMPARE(ms, expected);
        else
            QVERIFY2(error.startsWith(u"'%1' "_s.arg(text)), qPrintable(error));
    }
    void localDateIsLocalMidnight()
    {
        qint64 ms = 0;
        QString error;
        QVERIFY(parseHistoryTime(u"2026-12-01"_s, 0, &ms, &error));
        QCOMPARE(ms, QDate(2026, 12, 1).startOfDay().toMSecsSinceEpoch());
    }

    void cliExports()
    {
        QTemporaryDir dir;
        writeStore(dir);
        const QString cli = QStringLiteral(PULSEBOARD_BIN_DIR "/pulseboard-cli");
        QProcess p;
        p.start(cli, {u"--export"_s, u"--history-dir"_s, dir.filePath(u"history"_s), u"--channel"_s,
                      u"flow"_s, u"--format"_s, u"jsonl"_s, u"--from"_s, u"2026-12-01T00:01:00Z"_s, u"--to"_s,
                      u"1796083262000"_s});
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitCode(), 0);
        const QList<QJsonObject> rows = TestUtils::parseJsonLines(p.readAllStandardOutput());
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows[0].value(u"value"_s).toDouble(), -2.5);
        QCOMPARE(rows[0].value(u"channel"_s).toString(), u"flow"_s);
        QCOMPARE(QString::fromUtf8(p.readAllStandardError()).trimmed(),
                 u"pulseboard-cli: exported 1 row of 1 series"_s);

        // To a file, CSV; the default history folder is the dashboard's (XDG_DATA_HOME).
        const QString csv = dir.filePath(u"out/plant.csv"_s);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        QVERIFY(QDir().mkpath(dir.filePath(u"xdg/Pulseboard/pulseboard"_s)));
        QVERIFY(
            QFile::rename(dir.filePath(u"history"_s), dir.filePath(u"xdg/Pulseboard/pulseboard/history"_s)));
        env.insert(u"XDG_DATA_HOME"_s, dir.filePath(u"xdg"_s));
        p.setProcessEnvironment(env);
        p.start(cli, {u"--export"_s, u"--channel"_s, u"plant"_s, u"--field"_s, u"data.t"_s, u"--server"_s,
                      u"embedded"_s, u"--to"_s, u"1796083201000"_s, u"--output"_s, csv});
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitCode(), 0);
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(),
                 QByteArray("time_ms,time_iso,source,field,value,seq,server\n"
                            "1796083200000,2026-12-01T00:00:00.000Z,plant,data.t,0,1,embedded\n"));
    }

    void cliExportErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("said");
        QTest::newRow("bad from") << QStringList{u"--from"_s, u"soon"_s} << 2
                                  << u"--from 'soon' is not a time"_s;
        QTest::newRow("to before from")
            << QStringList{u"--from"_s, u"-1h"_s, u"--to"_s, u"-2h"_s} << 2 << u"--to is before --from"_s;
        QTest::newRow("bad format") << QStringList{u"--format"_s, u"xml"_s} << 2
                                    << u"--format needs csv or jsonl, not 'xml'"_s;
        QTest::newRow("bad bucket") << QStringList{u"--bucket"_s, u"fast"_s} << 2
                                    << u"--bucket needs a duration such as 1s, 1m or 1h, not 'fast'"_s;
        QTest::newRow("timeline and channel") << QStringList{u"--timeline"_s, u"--channel"_s, u"plant"_s} << 2
                                              << u"--timeline takes no --channel, --field or --bucket"_s;
        QTest::newRow("with url") << QStringList{u"--url"_s, u"ws://127.0.0.1:1/"_s} << 2
                                  << u"--export reads the local history: it takes no --url"_s;
        QTest::newRow("no store") << QStringList{} << 7 << u"no history at "_s;
    }
    void cliExportErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, said);
        QTemporaryDir dir;
        QProcess p;
        p.start(QStringLiteral(PULSEBOARD_BIN_DIR "/pulseboard-cli"),
                QStringList{u"--export"_s, u"--history-dir"_s, dir.filePath(u"none"_s)} + args);
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitCode(), code);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains(said), qPrintable(err));
        QCOMPARE(p.readAllStandardOutput(), QByteArray());
    }

    void historyFlagsNeedExport()
    {
        QProcess p;
        p.start(QStringLiteral(PULSEBOARD_BIN_DIR "/pulseboard-cli"),
                {u"--url"_s, u"ws://127.0.0.1:1/"_s, u"--from"_s, u"-1h"_s});
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains(u"--from is for --export"_s));
    }
};

QTEST_GUILESS_MAIN(tst_HistoryExport)
#include "tst_historyexport.moc"
