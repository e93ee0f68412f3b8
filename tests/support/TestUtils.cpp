#include "TestUtils.h"

#include "client/ConnectionOptions.h"

#include <QFile>
#include <QJsonDocument>
#include <QTcpServer>
#include <QTest>

namespace TestUtils {

QJsonObject parseObject(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        qWarning("not a JSON object: %s", json.constData());
        return {};
    }
    return doc.object();
}

QList<QJsonObject> parseJsonLines(const QByteArray &text)
{
    QList<QJsonObject> out;
    for (const QByteArray &line : text.split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        out.append(parseObject(line));
    }
    return out;
}

QList<QJsonObject> eventsOf(const QList<QJsonObject> &events, const QString &name)
{
    QList<QJsonObject> out;
    for (const QJsonObject &e : events) {
        if (e.value(QLatin1StringView("event")).toString() == name)
            out.append(e);
    }
    return out;
}

qint64 statusKiB(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray prefix = QByteArray(field) + ':';
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

bool resetPeakRss()
{
    QFile clearRefs(QStringLiteral("/proc/self/clear_refs"));
    return clearRefs.open(QIODevice::WriteOnly) && clearRefs.write("5") == 1;
}

QUrl readListeningUrl(QProcess &process)
{
    if (!process.waitForStarted(5000))
        return QUrl();
    QElapsedTimer timer;
    timer.start();
    while (!process.canReadLine() && timer.elapsed() < 10000 && process.state() == QProcess::Running)
        process.waitForReadyRead(50);
    const QByteArray line = process.readLine().trimmed();
    if (!line.startsWith("listening on "))
        return QUrl();
    return QUrl(QString::fromUtf8(line.mid(13)));
}

QUrl deadUrl()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    const quint16 port = probe.serverPort();
    probe.close();
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port));
}

QStringList fastCliFlags()
{
    return {QStringLiteral("--heartbeat-interval"), QStringLiteral("50"),
            QStringLiteral("--heartbeat-timeout"),  QStringLiteral("1000"),
            QStringLiteral("--backoff-initial"),    QStringLiteral("10"),
            QStringLiteral("--backoff-max"),        QStringLiteral("50"),
            QStringLiteral("--connect-timeout"),    QStringLiteral("2000")};
}

Pulseboard::ConnectionOptions fastConnectionOptions()
{
    Pulseboard::ConnectionOptions o;
    o.heartbeatIntervalMs = 200;
    o.heartbeatTimeoutMs = 2000;
    o.connectTimeoutMs = 2000;
    o.backoff.initialMs = 10;
    o.backoff.maxMs = 50;
    o.maxRetries = 0;
    return o;
}

} // namespace TestUtils
