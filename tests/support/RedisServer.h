// A real redis-server for the scale-out tests: started on a free loopback port, without
// persistence (stopping it loses everything, as a production Redis without persistence does),
// killed with the object. Tests skip, saying so, where redis-server is not installed.
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QUrl>

namespace HubTest {

class RedisServer
{
public:
    ~RedisServer();
    static bool isInstalled();
    // port 0: a free one. True once the server answers PING (within 10 s).
    bool start(quint16 port = 0);
    void stop();
    // One inline command (e.g. "FLUSHALL"); the reply as read, empty when there is none.
    QByteArray command(const QByteArray &line) const;
    quint16 port() const { return m_port; }
    QUrl url() const { return QUrl(QStringLiteral("redis://127.0.0.1:%1").arg(m_port)); }

private:
    QProcess m_process;
    quint16 m_port = 0;
};

} // namespace HubTest
