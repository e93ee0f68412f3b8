// pulseboard-cli: a headless client on the same library as the dashboard. Tails channels,
// publishes and requests from stdin commands, prints JSON Lines, evaluates alert rules (--alert,
// docs/ALERTS.md), and exports the dashboard's local history (--export). Exit: 0 ok, 2 usage,
// 3 gave up, 4 a publish or request refused, 5 an input line rejected, 6 an alert raised with
// --exit-on-alert (JsonLinesSession::ExitCode), 7 the export or the replay could not read the
// history or recording or write, 8 the recording could not be written (--record: the file exists,
// is unwritable, or the disk filled; what was committed stays readable).
// --record FILE records the session (SessionRecorder); --replay FILE prints a recording.
#include "alerts/AlertMonitor.h"
#include "alerts/AlertRule.h"
#include "client/CommandLineOptions.h"
#include "client/ConnectionManager.h"
#include "client/JsonLinesSession.h"
#include "history/HistoryExport.h"
#include "history/HistoryStore.h"
#include "protocol/JsonView.h"
#include "util/SignalWatcher.h"

#include "recording/SessionRecorder.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTextStream>

#include <QJsonArray>
#include <QJsonDocument>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>
#include <thread>

using namespace Pulseboard;

namespace {

constexpr int kExportFailed = 7;
constexpr int kRecordFailed = 8;

const QStringList kExportFlags = {QStringLiteral("timeline"), QStringLiteral("history-dir"),
                                  QStringLiteral("server"),   QStringLiteral("channel"),
                                  QStringLiteral("field"),    QStringLiteral("from"),
                                  QStringLiteral("to"),       QStringLiteral("format"),
                                  QStringLiteral("bucket"),   QStringLiteral("output")};

// --export: the rows of the local history asked for, to stdout or --output. `usage` reports a flag
// error (exit 2); a store that cannot be read or an output that cannot be written is exit 7.
template <typename Usage> int runExport(const QCommandLineParser &parser, Usage usage)
{
    QTextStream err(stderr);
    HistoryExportSpec spec;
    QString error;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const char *flag : {"from", "to"}) {
        const QString name = QLatin1StringView(flag);
        if (!parser.isSet(name))
            continue;
        qint64 ms = 0;
        if (!parseHistoryTime(parser.value(name), now, &ms, &error))
            return usage(QStringLiteral("--%1 %2").arg(name, error));
        (name == QLatin1StringView("from") ? spec.fromMs : spec.toMs) = ms;
    }
    if (parser.isSet(QStringLiteral("to")) && spec.toMs < spec.fromMs)
        return usage(QStringLiteral("--to is before --from"));
    const QString format = parser.value(QStringLiteral("format"));
    if (format == QLatin1StringView("jsonl"))
        spec.format = HistoryExportSpec::Format::JsonLines;
    else if (!format.isEmpty() && format != QLatin1StringView("csv"))
        return usage(QStringLiteral("--format needs csv or jsonl, not '%1'").arg(format));
    if (parser.isSet(QStringLiteral("bucket"))) {
        const QString bucket = parser.value(QStringLiteral("bucket"));
        qint64 ms = 0, bytes = 0;
        QString why;
        // A bucket is an age as --history-retention reads one; a size is not a width.
        if (!HistoryStore::parseRetention(bucket, &ms, &bytes, &why) || ms <= 0 || bytes != 0 ||
            bucket.contains(QLatin1Char(',')))
            return usage(
                QStringLiteral("--bucket needs a duration such as 1s, 1m or 1h, not '%1'").arg(bucket));
        spec.bucketMs = ms;
    }
    if (parser.isSet(QStringLiteral("timeline")) &&
        (parser.isSet(QStringLiteral("channel")) || parser.isSet(QStringLiteral("field")) ||
         parser.isSet(QStringLiteral("bucket"))))
        return usage(QStringLiteral("--timeline takes no --channel, --field or --bucket"));
    spec.server = parser.value(QStringLiteral("server"));
    spec.channels = parser.values(QStringLiteral("channel"));
    spec.field = parser.value(QStringLiteral("field"));

    // The dashboard's own history folder unless told (its data folder: Pulseboard/pulseboard).
    QString dir = parser.value(QStringLiteral("history-dir"));
    if (dir.isEmpty())
        dir = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
              QStringLiteral("/Pulseboard/pulseboard/history");
    HistoryOptions options;
    options.path = QDir(dir).filePath(QStringLiteral("history.sqlite"));
    HistoryStore store(options);
    if (!store.openForReading(&error)) {
        err << "pulseboard-cli: " << error << "\n";
        return kExportFailed;
    }

    // A file is written whole or not at all (QSaveFile); stdout as it goes.
    const QString output = parser.value(QStringLiteral("output"));
    QSaveFile file(output);
    QFile out;
    QIODevice *device = &out;
    if (!output.isEmpty()) {
        const QString folder = QFileInfo(output).absolutePath();
        if (!QDir().mkpath(folder) || !file.open(QIODevice::WriteOnly)) {
            err << "pulseboard-cli: cannot write " << output << ": " << file.errorString() << "\n";
            return kExportFailed;
        }
        device = &file;
    } else if (!out.open(stdout, QIODevice::WriteOnly | QIODevice::Unbuffered)) {
        return kExportFailed;
    }
    const bool timeline = parser.isSet(QStringLiteral("timeline"));
    const HistoryExportResult result =
        timeline ? exportTimeline(store, spec, device) : exportHistory(store, spec, device);
    QString failure = result.error;
    if (failure.isEmpty() && !output.isEmpty() && !file.commit())
        failure = QStringLiteral("cannot write %1: %2").arg(output, file.errorString());
    if (!failure.isEmpty()) {
        err << "pulseboard-cli: " << failure << "\n";
        return kExportFailed;
    }
    if (timeline)
        err << "pulseboard-cli: exported " << result.rows << (result.rows == 1 ? " event" : " events")
            << "\n";
    else
        err << "pulseboard-cli: exported " << result.rows << (result.rows == 1 ? " row" : " rows") << " of "
            << result.series << " series\n";
    return 0;
}

// --replay FILE: the recording's messages as JSON Lines, each line byte for byte what the live CLI
// printed for it, among the timeline's entries ({"event":"timeline",...}) by time; first a
// "recording" line (what was recorded from where), last a "replayed" line (the counts). With
// --speed X the lines come at their recorded times divided by X, else at once. Exit 7 when the
// file cannot be read.
int runReplay(const QString &path, double speed)
{
    QTextStream err(stderr);
    auto failed = [&](const QString &why) {
        err << "pulseboard-cli: --replay: " << why << "\n";
        return kExportFailed;
    };
    if (!QFileInfo(path).isFile())
        return failed(QStringLiteral("no recording at %1").arg(path));
    HistoryOptions options;
    options.path = path;
    HistoryStore store(options);
    QString error;
    if (!store.openForReading(&error))
        return failed(error);
    // Checked whole first: a damaged recording is said before any of it is printed.
    const QString check = store.integrityCheck();
    if (check != QLatin1StringView("ok"))
        return failed(QStringLiteral("cannot read %1: it is damaged (%2)")
                          .arg(path, check.isEmpty() ? QStringLiteral("integrity check failed")
                                                     : check.section(QLatin1Char('\n'), 0, 0)));
    const QHash<QString, QString> info = store.recordingInfo();
    if (info.isEmpty() && store.frameCount() == 0)
        return failed(
            QStringLiteral("%1 holds no recording (a history without recorded messages)").arg(path));

    ::signal(SIGPIPE, SIG_IGN);
    QByteArray out;
    bool outputClosed = false;
    auto flush = [&] {
        if (!out.isEmpty() && !outputClosed) {
            if (std::fwrite(out.constData(), 1, size_t(out.size()), stdout) != size_t(out.size()) ||
                std::fflush(stdout) != 0)
                outputClosed = true; // the reader went away (`| head`): done, as live
        }
        out.truncate(0);
    };
    auto line = [&](const QJsonObject &object) {
        out += QJsonDocument(object).toJson(QJsonDocument::Compact);
        out += '\n';
    };
    // The header: the recording table, numbers as numbers and JSON as JSON.
    QJsonObject header{{QStringLiteral("event"), QStringLiteral("recording")}};
    for (auto it = info.cbegin(); it != info.cend(); ++it) {
        const QString &value = it.value();
        bool number = false;
        const qint64 n = value.toLongLong(&number);
        if (number)
            header.insert(it.key(), double(n));
        else if (value.startsWith(QLatin1Char('[')) || value.startsWith(QLatin1Char('{')))
            header.insert(it.key(), parseJsonValue(value.toUtf8()).value_or(QJsonValue(value)));
        else
            header.insert(it.key(), value);
    }
    line(header);
    flush();

    const QList<HistoryEvent> timeline =
        store.timeline(std::numeric_limits<qint64>::min() / 2, std::numeric_limits<qint64>::max() / 2);
    static const char *const kinds[] = {"state", "outage", "gap", "alert"};
    using SteadyClock = std::chrono::steady_clock;
    const SteadyClock::time_point start = SteadyClock::now();
    // --speed: a line waits for its recorded offset from the start (µs), divided by the speed.
    auto waitFor = [&](qint64 offsetUs) {
        if (speed <= 0)
            return;
        const auto due = start + std::chrono::microseconds(qint64(double(offsetUs) / speed));
        if (due > SteadyClock::now()) {
            flush();
            std::this_thread::sleep_until(due);
        }
    };
    const qint64 startedMs = info.value(QStringLiteral("started")).toLongLong();
    qsizetype nextEvent = 0;
    auto eventsUntil = [&](qint64 ms) {
        for (; nextEvent < timeline.size() && timeline.at(nextEvent).fromMs <= ms; ++nextEvent) {
            const HistoryEvent &e = timeline.at(nextEvent);
            if (startedMs > 0)
                waitFor((e.fromMs - startedMs) * 1000);
            const int kind = int(e.kind);
            QJsonObject o{
                {QStringLiteral("event"), QStringLiteral("timeline")},
                {QStringLiteral("kind"), QLatin1StringView(kind >= 0 && kind < 4 ? kinds[kind] : "event")},
                {QStringLiteral("at"), double(e.fromMs)},
                {QStringLiteral("source"), e.source},
                {QStringLiteral("detail"), e.detail}};
            if (e.toMs != e.fromMs)
                o.insert(QStringLiteral("to"), double(e.toMs));
            line(o);
        }
    };
    qint64 messages = 0;
    QString lastChannel;
    QByteArray lastChannelJson;
    const bool read = store.forEachFrame(
        [&](const HistoryFrame &f) {
            eventsUntil(f.arrivalMs);
            waitFor(f.offsetUs);
            if (f.channel != lastChannel) {
                lastChannel = f.channel;
                lastChannelJson.clear();
                appendJsonString(lastChannelJson, f.channel.toUtf8());
            }
            // JsonLinesSession::appendMessageLine's layout; the data is stored as it printed it.
            out += (f.flags & HistoryFrame::Backfill) ? "{\"backfill\":true,\"channel\":" : "{\"channel\":";
            out += lastChannelJson;
            if (!f.data.isEmpty()) {
                out += ",\"data\":";
                out += f.data;
            }
            out += (f.flags & HistoryFrame::Retained) ? ",\"event\":\"message\",\"retained\":true,\"seq\":"
                                                      : ",\"event\":\"message\",\"seq\":";
            appendJsonNumber(out, double(f.seq));
            out += ",\"ts\":";
            appendJsonNumber(out, double(f.serverTs));
            out += "}\n";
            ++messages;
            if (out.size() >= 64 * 1024)
                flush();
            return !outputClosed;
        },
        &error);
    if (!read) {
        flush();
        return failed(
            QStringLiteral("cannot read %1 after %2 messages: %3").arg(path).arg(messages).arg(error));
    }
    eventsUntil(std::numeric_limits<qint64>::max());
    line({{QStringLiteral("event"), QStringLiteral("replayed")},
          {QStringLiteral("messages"), double(messages)},
          {QStringLiteral("timeline"), double(timeline.size())}});
    flush();
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("pulseboard-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PULSEBOARD_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Headless Pulseboard client. Commands on stdin, one a line:\n"
        "  publish CHANNEL JSON | request METHOD [JSON] | subscribe CHANNEL | unsubscribe CHANNEL | quit\n"
        "Events on stdout as JSON Lines.\n"
        "Exit status, the first that applies: 3 gave up (the connection failed for good), 4 a publish or\n"
        "request was refused or failed (e.g. 403 from the server), 5 an input line was rejected (not a\n"
        "valid command); else 0. 2: usage error (a flag or its value). 6: --exit-on-alert: an alert of that\n"
        "severity or higher was raised (the run ends at once).\n"
        "Alert rules (--alert), one a line in --alert-file, e.g.\n"
        "  name=cpu-hot severity=critical channel=sys.cpu field=/total above=90 clear=85 for=10s\n"
        "  name=quiet channel=orders stale=30s | name=down source-down=60s | name=gaps gap\n"
        "Keys: name severity channel field above below rate-above rate-below stale source-down gap\n"
        "outbox-age clear for window hold (docs/ALERTS.md). The channels they read are subscribed;\n"
        "each raise and clear is an \"alert\" event, and the client keeps running after stdin ends.\n"
        "--export writes the dashboard's local history instead (docs/DASHBOARD.md, History): 7 when the\n"
        "history cannot be read or the output cannot be written.\n"
        "--record FILE also writes the session (every message, the connection timeline) to FILE: 8 when\n"
        "it cannot be written (FILE exists without --overwrite, cannot be created, or the disk is full).\n"
        "--replay FILE prints a recording as JSON Lines, each message as it was printed live: 7 when the\n"
        "file cannot be read.\n"
        "See README.md, \"Record an incident, replay it\"."));
    parser.addHelpOption();
    parser.addVersionOption();
    ConnectionCommandLine connectionFlags;
    connectionFlags.addTo(parser);
    parser.addOptions({
        {QStringLiteral("duration"), QStringLiteral("Exit after this many seconds."),
         QStringLiteral("SECONDS")},
        {QStringLiteral("count"), QStringLiteral("Exit after this many messages."), QStringLiteral("N")},
        {QStringLiteral("quiet"), QStringLiteral("No message events: state, errors, alerts and stats only.")},
        {QStringLiteral("alert"), QStringLiteral("An alert rule (repeatable): see above and docs/ALERTS.md."),
         QStringLiteral("RULE")},
        {QStringLiteral("alert-file"),
         QStringLiteral("Alert rules, one a line (# comments, blank lines skipped); repeatable."),
         QStringLiteral("FILE")},
        {QStringLiteral("exit-on-alert"),
         QStringLiteral(
             "Exit with status 6 once an alert of SEVERITY (info, warning, critical) or higher is raised."),
         QStringLiteral("SEVERITY")},

        {QStringLiteral("export"),
         QStringLiteral("Write samples of the dashboard's local history (CSV or JSON Lines) and exit; no "
                        "connection. Narrowed by the flags below.")},
        {QStringLiteral("history-dir"),
         QStringLiteral("--export: the history folder (default: the dashboard's, "
                        "<data>/Pulseboard/pulseboard/history)."),
         QStringLiteral("DIR")},
        {QStringLiteral("server"),
         QStringLiteral("--export: only this server (\"embedded\", or its URL as the dashboard shows it)."),
         QStringLiteral("SERVER")},
        {QStringLiteral("channel"), QStringLiteral("--export: only this channel (repeatable)."),
         QStringLiteral("CHANNEL")},
        {QStringLiteral("field"),
         QStringLiteral("--export: only this field, as the dashboard names it, e.g. data.total."),
         QStringLiteral("PATH")},
        {QStringLiteral("from"),
         QStringLiteral("--export: from this time (now, -2h, ms since 1970, ISO 8601; default: the start)."),
         QStringLiteral("TIME")},
        {QStringLiteral("to"), QStringLiteral("--export: until this time, excluded (default: now)."),
         QStringLiteral("TIME")},
        {QStringLiteral("format"), QStringLiteral("--export: csv (default) or jsonl."),
         QStringLiteral("FORMAT")},
        {QStringLiteral("bucket"),
         QStringLiteral("--export: min/max/first/last/count per bucket of this width (1s, 1m, 1h) instead of "
                        "every sample."),
         QStringLiteral("DURATION")},
        {QStringLiteral("timeline"),
         QStringLiteral(
             "--export: the connection timeline (states, outages, gaps, alerts) instead of samples.")},
        {QStringLiteral("output"),
         QStringLiteral("--export: write to FILE (whole or not at all) instead of stdout."),
         QStringLiteral("FILE")},

        {QStringLiteral("record"),
         QStringLiteral(
             "Record every message of every subscribed channel and the connection timeline to FILE "
             "(a history store; see --replay). Refuses an existing FILE unless --overwrite."),
         QStringLiteral("FILE")},
        {QStringLiteral("overwrite"), QStringLiteral("--record: replace FILE when it exists.")},
        {QStringLiteral("record-max-size"),
         QStringLiteral("--record: stop (exit 8) once FILE would grow past SIZE (e.g. 500MB, 2GiB)."),
         QStringLiteral("SIZE")},
        {QStringLiteral("replay"),
         QStringLiteral(
             "Print a recording as JSON Lines (the messages as they were printed live, the timeline) "
             "and exit; no connection."),
         QStringLiteral("FILE")},
        {QStringLiteral("speed"),
         QStringLiteral(
             "--replay: at the recorded times, this many times as fast (e.g. 1, 10); default: at once."),
         QStringLiteral("X")},
    });

    QTextStream err(stderr);
    auto usage = [&](const QString &message) {
        err << "pulseboard-cli: " << message << "\n"
            << "Try --help.\n";
        err.flush();
        return int(JsonLinesSession::Usage);
    };
    if (!parser.parse(QCoreApplication::arguments()))
        return usage(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << parser.helpText();
        return 0;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        QTextStream(stdout) << "pulseboard-cli " << PULSEBOARD_VERSION << "\n";
        return 0;
    }
    if (!parser.positionalArguments().isEmpty())
        return usage(
            QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().constFirst()));
    if (parser.isSet(QStringLiteral("replay"))) {
        for (const char *flag : {"url", "record", "export", "subscribe"}) {
            if (parser.isSet(QLatin1StringView(flag)))
                return usage(QStringLiteral("--replay reads a recording: it takes no --%1")
                                 .arg(QLatin1StringView(flag)));
        }
        double speed = 0;
        if (parser.isSet(QStringLiteral("speed"))) {
            bool ok = false;
            speed = parser.value(QStringLiteral("speed")).toDouble(&ok);
            if (!ok || !(speed >= 0.01 && speed <= 1000))
                return usage(QStringLiteral("--speed needs a number from 0.01 to 1000, not '%1'")
                                 .arg(parser.value(QStringLiteral("speed"))));
        }
        return runReplay(parser.value(QStringLiteral("replay")), speed);
    }
    if (parser.isSet(QStringLiteral("speed")))
        return usage(QStringLiteral("--speed is for --replay"));
    if (!parser.isSet(QStringLiteral("record"))) {
        for (const char *flag : {"overwrite", "record-max-size"}) {
            if (parser.isSet(QLatin1StringView(flag)))
                return usage(QStringLiteral("--%1 is for --record").arg(QLatin1StringView(flag)));
        }
    }
    if (parser.isSet(QStringLiteral("export"))) {
        if (parser.isSet(QStringLiteral("record")))
            return usage(QStringLiteral("--export and --record contradict each other"));
        if (parser.isSet(QStringLiteral("url")))
            return usage(QStringLiteral("--export reads the local history: it takes no --url"));
        return runExport(parser, usage);
    }
    for (const QString &flag : kExportFlags) {
        if (parser.isSet(flag))
            return usage(QStringLiteral("--%1 is for --export").arg(flag));
    }

    ConnectionOptions options;
    QStringList channels;
    QString error;
    if (!connectionFlags.read(parser, options, channels, error))
        return usage(error);
    if (options.endpoints.isEmpty())
        return usage(QStringLiteral("--url is required"));

    JsonLinesSession::Settings settings;
    settings.quiet = parser.isSet(QStringLiteral("quiet"));
    if (parser.isSet(QStringLiteral("duration"))) {
        bool ok = false;
        const double seconds = parser.value(QStringLiteral("duration")).toDouble(&ok);
        if (!ok || seconds <= 0 || seconds > 1e6)
            return usage(QStringLiteral("--duration needs a positive number of seconds"));
        settings.durationMs = int(seconds * 1000);
    }
    if (parser.isSet(QStringLiteral("count"))) {
        bool ok = false;
        settings.maxMessages = parser.value(QStringLiteral("count")).toLongLong(&ok);
        if (!ok || settings.maxMessages <= 0)
            return usage(QStringLiteral("--count needs a positive whole number"));
    }

    QList<AlertRule> rules;
    if (!parseAlertRules(parser.values(QStringLiteral("alert")), &rules, &error))
        return usage(QStringLiteral("--alert %1").arg(error));
    for (const QString &file : parser.values(QStringLiteral("alert-file"))) {
        if (!readAlertRuleFile(file, &rules, &error))
            return usage(QStringLiteral("--alert-file %1").arg(error));
    }
    if (!checkAlertRules(rules, &error))
        return usage(error);
    for (const AlertRule &rule : std::as_const(rules))
        if (!rule.source.isEmpty())
            return usage(QStringLiteral("alert rule %1: source= names a dashboard's source; pulseboard-cli "
                                        "watches its one connection (leave source= out)")
                             .arg(rule.name));
    std::optional<AlertSeverity> exitOnAlert;
    if (parser.isSet(QStringLiteral("exit-on-alert"))) {
        AlertSeverity severity = AlertSeverity::Critical;
        const QString value = parser.value(QStringLiteral("exit-on-alert"));
        if (!parseAlertSeverity(value, &severity))
            return usage(
                QStringLiteral("--exit-on-alert needs info, warning or critical, not '%1'").arg(value));
        if (rules.isEmpty())
            return usage(QStringLiteral("--exit-on-alert needs alert rules (--alert or --alert-file)"));
        exitOnAlert = severity;
    }
    settings.watch = !rules.isEmpty();

    ConnectionManager manager;
    manager.setOptions(options);
    for (const QString &channel : channels) {
        if (!manager.subscribe(channel))
            return usage(QStringLiteral("invalid or repeated channel '%1'").arg(channel));
    }

    // --record: the store is made before anything connects, so a file that cannot be written
    // starts nothing (exit 8).
    std::unique_ptr<HistoryStore> recording;
    if (parser.isSet(QStringLiteral("record"))) {
        const QString path = parser.value(QStringLiteral("record"));
        if (path.isEmpty())
            return usage(QStringLiteral("--record needs a file"));
        HistoryOptions storeOptions = HistoryOptions::forRecording(path);
        if (parser.isSet(QStringLiteral("record-max-size"))) {
            qint64 age = 0, bytes = 0;
            QString why;
            const QString size = parser.value(QStringLiteral("record-max-size"));
            if (!HistoryStore::parseRetention(size, &age, &bytes, &why) || age != 0 || bytes <= 0 ||
                size.contains(QLatin1Char(',')))
                return usage(
                    QStringLiteral("--record-max-size needs a size of 1MiB or more, e.g. 500MB, not '%1'")
                        .arg(size));
            storeOptions.maxPageCount = std::max<qint64>(16, bytes / 4096); // SQLite's default page
        }
        const QFileInfo file(path);
        if (file.exists()) {
            if (!parser.isSet(QStringLiteral("overwrite"))) {
                err << "pulseboard-cli: --record: " << path
                    << " exists; give --overwrite to replace it, or another file\n";
                return kRecordFailed;
            }
            for (const QString &side : {path, path + QStringLiteral("-wal"), path + QStringLiteral("-shm")}) {
                if (QFileInfo::exists(side) && !QFile::remove(side)) {
                    err << "pulseboard-cli: --record: cannot replace " << side << "\n";
                    return kRecordFailed;
                }
            }
        }
        recording = std::make_unique<HistoryStore>(storeOptions);
        if (!recording->open() || recording->status() != HistoryStore::Status::Ok) {
            err << "pulseboard-cli: --record: cannot record to " << path << ": "
                << (recording->why().isEmpty() ? recording->statusText() : recording->why()) << "\n";
            return kRecordFailed;
        }
    }

    // A reader of stdout that goes away (`| head`) makes the next write fail with EPIPE, which
    // ends the session cleanly (close frame, exit 0), rather than a SIGPIPE killing the process.
    ::signal(SIGPIPE, SIG_IGN);
    QFile out;
    if (!out.open(stdout, QIODevice::WriteOnly | QIODevice::Unbuffered))
        return 1;
    JsonLinesSession session(&manager, &out, settings);
    // The monitor is a message sink after the session, so an `alert` line follows the `message` line
    // that decided it. The channels the rules read are subscribed too (whether or not --subscribe
    // named them).
    std::unique_ptr<AlertMonitor> monitor;
    if (!rules.isEmpty()) {
        monitor = std::make_unique<AlertMonitor>(&manager, rules);
        for (const QString &channel : monitor->engine().channels()) {
            if (!manager.subscriptions().contains(channel))
                manager.subscribe(channel);
        }
        // Each raise and clear is a line; --exit-on-alert ends the run at the first one that counts.
        QObject::connect(monitor.get(), &AlertMonitor::alert, &session, [&](const AlertEvent &event) {
            session.writeEvent(alertEventJson(event));
            if (exitOnAlert && event.type == AlertEvent::Type::Raised && event.severity >= *exitOnAlert) {
                monitor->stop();
                session.finish(JsonLinesSession::AlertRaised);
            }
        });
        // A rule that cannot work as written (its field is in none of the first messages) is said.
        QObject::connect(
            monitor.get(), &AlertMonitor::problem, &session, [&](const QString &rule, const QString &words) {
                session.writeEvent(QJsonObject{{QStringLiteral("event"), QStringLiteral("warning")},
                                               {QStringLiteral("rule"), rule},
                                               {QStringLiteral("message"), words}});
            });
        QObject::connect(&session, &JsonLinesSession::finished, monitor.get(), &AlertMonitor::stop);
    }
    std::unique_ptr<SessionRecorder> recorder;
    if (recording) {
        recorder = std::make_unique<SessionRecorder>(&manager, recording.get());
        // A recording that cannot go on ends the run (exit 8): what was committed stays readable.
        QObject::connect(recorder.get(), &SessionRecorder::failed, &session, [&](const QString &why) {
            const QString words = QStringLiteral("recording stopped: %1; %2 messages were recorded to %3")
                                      .arg(why)
                                      .arg(recorder->recorded())
                                      .arg(recording->options().path);
            session.writeEvent(QJsonObject{{QStringLiteral("event"), QStringLiteral("error")},
                                           {QStringLiteral("code"), kRecordFailed},
                                           {QStringLiteral("message"), words}});
            err << "pulseboard-cli: " << words << "\n";
            err.flush();
            session.finish(kRecordFailed);
        });
        recorder->start(options, QStringLiteral("pulseboard-cli " PULSEBOARD_VERSION));
    }
    int exitCode = 0;
    QObject::connect(&session, &JsonLinesSession::finished, &app, [&](int code) {
        exitCode = code;
        QCoreApplication::exit(code);
    });
    SignalWatcher signals;
    QObject::connect(&signals, &SignalWatcher::terminationRequested, &session, [&] { session.finish(0); });
    session.readCommandsFrom(0);
    if (monitor)
        monitor->start();
    session.start();
    const int rc = app.exec();
    if (recorder) {
        recorder->stop();
        const quint64 lost = recording->lostFrames() + recording->refusedFrames();
        recording->close();
        if (lost > 0 && exitCode == 0) {
            err << "pulseboard-cli: --record: " << lost << " messages could not be written to "
                << recording->options().path << "\n";
            exitCode = kRecordFailed;
        }
    }
    return exitCode != 0 ? exitCode : rc;
}
