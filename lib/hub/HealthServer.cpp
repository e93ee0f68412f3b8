#include "HealthServer.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace Pulseboard {

namespace {
constexpr qint64 kMaxRequestBytes = 8192;
constexpr int kRequestTimeoutMs = 5000;

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return QByteArrayLiteral("OK");
    case 400:
        return QByteArrayLiteral("Bad Request");
    case 404:
        return QByteArrayLiteral("Not Found");
    case 405:
        return QByteArrayLiteral("Method Not Allowed");
    case 431:
        return QByteArrayLiteral("Request Header Fields Too Large");
    case 503:
        return QByteArrayLiteral("Service Unavailable");
    default:
        return QByteArrayLiteral("Status");
    }
}

HealthServer::Response plain(int status, const QByteArray &text)
{
    return {status, QByteArrayLiteral("text/plain; charset=utf-8"), text + '\n'};
}
} // namespace

HealthServer::HealthServer(Handler handler, QObject *parent)
    : QObject(parent), m_handler(std::move(handler)), m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_server->nextPendingConnection()) {
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            // A client that never finishes its request does not keep a socket forever.
            QTimer::singleShot(kRequestTimeoutMs, socket, [socket] { socket->abort(); });
        }
    });
}

bool HealthServer::listen(const QHostAddress &host, quint16 port, QString *error)
{
    if (!m_server->listen(host, port)) {
        if (error)
            *error = QStringLiteral("health port %1:%2: %3")
                         .arg(host.toString())
                         .arg(port)
                         .arg(m_server->errorString());
        return false;
    }
    return true;
}

void HealthServer::close()
{
    m_server->close();
}

void HealthServer::pauseAccepting()
{
    m_server->pauseAccepting();
}

void HealthServer::resumeAccepting()
{
    m_server->resumeAccepting();
}

quint16 HealthServer::port() const
{
    return m_server->serverPort();
}

void HealthServer::onReadyRead(QTcpSocket *socket)
{
    if (socket->property("answered").toBool()) {
        socket->readAll();
        return;
    }
    // Peek until the header block is complete; the body (none expected) is ignored.
    const QByteArray head = socket->peek(kMaxRequestBytes + 1);
    const qsizetype end = head.indexOf("\r\n\r\n");
    if (end < 0) {
        if (head.size() > kMaxRequestBytes)
            reply(socket, plain(431, QByteArrayLiteral("request header too large")));
        return;
    }
    socket->read(end + 4);
    const QByteArray requestLine = head.left(head.indexOf("\r\n"));
    const QList<QByteArray> parts = requestLine.split(' ');
    if (parts.size() != 3 || !parts.at(2).startsWith("HTTP/1.")) {
        reply(socket, plain(400, QByteArrayLiteral("bad request")));
        return;
    }
    if (parts.at(0) != "GET") {
        reply(socket, plain(405, QByteArrayLiteral("only GET")));
        return;
    }
    QByteArray path = parts.at(1);
    const qsizetype query = path.indexOf('?');
    if (query >= 0)
        path.truncate(query);
    reply(socket, m_handler(path));
}

void HealthServer::reply(QTcpSocket *socket, const Response &response)
{
    socket->setProperty("answered", true);
    QByteArray out = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status) +
                     "\r\nContent-Type: " + response.contentType +
                     "\r\nContent-Length: " + QByteArray::number(response.body.size()) +
                     "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n" + response.body;
    socket->write(out);
    socket->disconnectFromHost();
}

} // namespace Pulseboard
