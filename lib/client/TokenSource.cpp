#include "TokenSource.h"

#include <QFile>
#include <QProcess>

namespace Pulseboard::TokenSource {

TokenSourceFn fromFile(const QString &path)
{
    return [path](QString *token, QString *error) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read token file %1: %2").arg(path, file.errorString());
            return false;
        }
        // Tokens are small: a larger file is not a token file.
        const QString text = QString::fromUtf8(file.read(64 * 1024)).trimmed();
        if (text.isEmpty()) {
            *error = QStringLiteral("token file %1 is empty").arg(path);
            return false;
        }
        *token = text;
        return true;
    };
}

TokenSourceFn fromCommand(const QString &command, int timeoutMs)
{
    return [command, timeoutMs](QString *token, QString *error) {
        QProcess process;
        process.setProgram(QStringLiteral("/bin/sh"));
        process.setArguments({QStringLiteral("-c"), command});
        process.setStandardInputFile(QProcess::nullDevice());
        process.start();
        if (!process.waitForStarted(timeoutMs)) {
            *error = QStringLiteral("token command could not start: %1").arg(process.errorString());
            return false;
        }
        if (!process.waitForFinished(timeoutMs)) {
            process.kill();
            process.waitForFinished(1000);
            *error = QStringLiteral("token command did not finish within %1 ms").arg(timeoutMs);
            return false;
        }
        if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
            const QString why =
                QString::fromUtf8(process.readAllStandardError()).trimmed().section(QLatin1Char('\n'), 0, 0);
            *error = QStringLiteral("token command failed (%1)%2")
                         .arg(process.exitStatus() == QProcess::NormalExit
                                  ? QStringLiteral("exit code %1").arg(process.exitCode())
                                  : QStringLiteral("crashed"),
                              why.isEmpty() ? QString() : QStringLiteral(": ") + why.left(200));
            return false;
        }
        const QString text = QString::fromUtf8(process.readAllStandardOutput()).trimmed();
        if (text.isEmpty()) {
            *error = QStringLiteral("token command printed no token");
            return false;
        }
        *token = text;
        return true;
    };
}

} // namespace Pulseboard::TokenSource
