#include "RedisServer.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

namespace HubTest {

namespace {

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

} // namespace

RedisServer::~RedisServer()
{
    stop();
}

bool RedisServer::isInstalled()
{
    return !QStandardPaths::findExecutable(QStringLiteral("redis-server")).isEmpty();
}

bool RedisServer::start(quint16 port)
{
    m_port = port ? port : freePort();
    m_process.setProgram(QStandardPaths::findExecutable(QStringLiteral("redis-server")));
    m_process.setArguments({QStringLiteral("--port"), QString::number(m_port), QStringLiteral("--bind"),
                            QStringLiteral("127.0.0.1"), QStringLiteral("--save"), QString(),
                            QStringLiteral("--appendonly"), QStringLiteral("no")});
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.start();
    if (!m_process.waitForStarted(5000))
        return false;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 10000) {
        if (command("PING").startsWith("+PONG"))
            return true;
        QTest::qWait(50);
    }
    return false;
}

void RedisServer::stop()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

QByteArray RedisServer::command(const QByteArray &line) const
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, m_port);
    if (!s.waitForConnected(1000))
        return {};
    s.write(line + "\r\n");
    if (!s.waitForReadyRead(2000))
        return {};
    return s.readAll();
}

} // namespace HubTest
