// Plain HTTP for load balancers and Prometheus, beside the WebSocket port: `GET /healthz`
// (JSON) and `GET /metrics` (Prometheus text). One request per connection, small and bounded:
// health checks must keep answering when the WebSocket side is busy.
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QObject>

#include <functional>

class QTcpServer;
class QTcpSocket;

namespace Pulseboard {

class HealthServer : public QObject
{
    Q_OBJECT
public:
    struct Response
    {
        int status = 200;
        QByteArray contentType;
        QByteArray body;
    };
    using Handler = std::function<Response(const QByteArray &path)>;

    HealthServer(Handler handler, QObject *parent = nullptr);

    bool listen(const QHostAddress &host, quint16 port, QString *error);
    void close();
    // While the process is out of file descriptors (HubServer pauses both of its ports).
    void pauseAccepting();
    void resumeAccepting();
    quint16 port() const;

private:
    void onReadyRead(QTcpSocket *socket);
    void reply(QTcpSocket *socket, const Response &response);

    Handler m_handler;
    QTcpServer *m_server;
};

} // namespace Pulseboard
