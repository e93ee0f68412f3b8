// One `pulseboard --control` process, driven as the end-to-end tests drive it: commands on stdin,
// JSON replies read from stdout with the test's event loop running. Header-only because it needs
// the test's PULSEBOARD_BIN_DIR.
#pragma once

#include "TestUtils.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>
#include <QTest>

namespace TestUtils {

class ControlledDashboard
{
public:
    // Starts the app with its config, data and runtime directories under `home` (nothing of the
    // user's machine), on the offscreen platform, at `geometry`, with `args` after `--control`.
    // `env` (if given) changes the environment last.
    template <typename EnvChange>
    void start(const QString &home, const QStringList &args, const QString &geometry, EnvChange env)
    {
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("HOME"), home); // where the export dialogs start
        e.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/config"));
        e.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/data"));
        e.insert(QStringLiteral("XDG_RUNTIME_DIR"), home);
        e.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env(e);
        process.setProcessEnvironment(e);
        process.setProgram(QStringLiteral(PULSEBOARD_BIN_DIR "/pulseboard"));
        process.setArguments(
            QStringList{QStringLiteral("--control"), QStringLiteral("--geometry"), geometry} + args);
        process.setProcessChannelMode(QProcess::SeparateChannels);
        process.start();
    }
    void start(const QString &home, const QStringList &args,
               const QString &geometry = QStringLiteral("1280x800"))
    {
        start(home, args, geometry, [](QProcessEnvironment &) {});
    }

    // Sends `command` and returns the reply whose event is the command's first word (empty after
    // 5 s).
    QJsonObject send(const QString &command)
    {
        process.write((command + QLatin1Char('\n')).toUtf8());
        const QString event = command.section(QLatin1Char(' '), 0, 0);
        return lines.waitFor(
            [&](const QJsonObject &o) { return o.value(QLatin1StringView("event")) == event; }, 5000);
    }

    // The snapshot once `ready` holds for it, asked every `pollMs` (or the last one after
    // `timeoutMs`).
    template <typename Ready> QJsonObject snapshotWhen(Ready ready, int timeoutMs, int pollMs)
    {
        QJsonObject snap;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            snap = send(QStringLiteral("snapshot"));
            if (ready(snap))
                break;
            QTest::qWait(pollMs);
        }
        return snap;
    }

    // The item named `name` as `find` reports it (empty when there is none).
    QJsonObject item(const QString &name)
    {
        const QJsonArray items =
            send(QStringLiteral("find ") + name).value(QLatin1StringView("items")).toArray();
        for (const QJsonValue &v : items)
            if (v.toObject().value(QLatin1StringView("name")).toString() == name)
                return v.toObject();
        return {};
    }

    // `quit`, and the app exits normally with status 0 within 10 s.
    bool quit()
    {
        process.write("quit\n");
        return process.waitForFinished(10000) && process.exitStatus() == QProcess::NormalExit &&
               process.exitCode() == 0;
    }

    QProcess process;
    LineReader lines{&process};
};

} // namespace TestUtils
