#include "TestServer.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonObject>
#include <QTcpSocket>
#include <QWebSocket>

namespace Pulseboard::Test {

TestServer::TestServer(QObject *parent)
    : QObject(parent),
      m_server(new QWebSocketServer(QStringLiteral("pulseboard-test"), QWebSocketServer::NonSecureMode, this))
{
    setUp();
}

TestServer::TestServer(const QSslConfiguration &tls, QObject *parent)
    : QObject(parent),
      m_server(new QWebSocketServer(QStringLiteral("pulseboard-test"), QWebSocketServer::SecureMode, this))
{
    m_server->setSslConfiguration(tls);
    setUp();
}

void TestServer::setUp()
{
    m_server->setSupportedSubprotocols({QStringLiteral("pulseboard.v1")});
    connect(m_server, &QWebSocketServer::newConnection, this, &TestServer::onNewConnection);
}

TestServer::~TestServer()
{
    kill();
}

bool TestServer::listen(quint16 port)
{
    if (!m_server->listen(QHostAddress::LocalHost, port))
        return false;
    m_port = m_server->serverPort();
    return true;
}

void TestServer::kill()
{
    m_server->close();
    dropAll();
}

QUrl TestServer::url() const
{
    return QUrl(QStringLiteral("%1://127.0.0.1:%2/")
                    .arg(isSecure() ? QStringLiteral("wss") : QStringLiteral("ws"))
                    .arg(m_port));
}

void TestServer::onNewConnection()
{
    while (QWebSocket *socket = m_server->nextPendingConnection()) {
        Client client;
        client.connection = ++m_connections;
        client.authed = requiredToken.isEmpty();
        m_clients.insert(socket, client);
        originsSeen.append(socket->origin().toUtf8());
        subprotocolsSeen.append(socket->subprotocol());
        connect(socket, &QWebSocket::textMessageReceived, this,
                [this, socket](const QString &text) { onText(socket, text); });
        connect(socket, &QWebSocket::disconnected, this, [this, socket] {
            const auto it = m_clients.find(socket);
            if (it == m_clients.end())
                return;
            const int connection = it->connection;
            m_clients.erase(it);
            socket->deleteLater();
            Q_EMIT clientDisconnected(connection);
        });
        if (sendWelcome) {
            Envelope w;
            w.type = MessageType::Welcome;
            w.server = QStringLiteral("pulseboard-test");
            w.session = QString::number(client.connection);
            w.heartbeatMs = 25000;
            w.authRequired = !requiredToken.isEmpty();
            send(socket, w);
        }
        Q_EMIT clientConnected(client.connection);
    }
}

void TestServer::send(QWebSocket *socket, const Envelope &env)
{
    socket->sendTextMessage(QString::fromUtf8(encodeEnvelope(env)));
}

void TestServer::onText(QWebSocket *socket, const QString &text)
{
    auto it = m_clients.find(socket);
    if (it == m_clients.end())
        return;
    Client &client = *it;
    if (maxFrameBytes > 0 && text.toUtf8().size() > maxFrameBytes) {
        socket->close(QWebSocketProtocol::CloseCodeTooMuchData, QStringLiteral("message too big"));
        return;
    }
    Frame frame;
    frame.connection = client.connection;
    frame.raw = text.toUtf8();
    DecodeError error;
    if (!decodeEnvelope(frame.raw, frame.env, &error)) {
        if (recordFrames)
            frames.append(frame);
        Envelope e;
        e.type = MessageType::Error;
        e.code = error.code;
        e.text = error.message;
        send(socket, e);
        return;
    }
    if (recordFrames)
        frames.append(frame);
    const Envelope &in = frame.env;
    Q_EMIT frameReceived(client.connection, in);

    if (!client.authed && in.type != MessageType::Auth && in.type != MessageType::Pong) {
        if (closeUnauthenticated) {
            Envelope e;
            e.type = MessageType::Error;
            e.code = 4001;
            e.text = QStringLiteral("authenticate first");
            send(socket, e);
            socket->close(QWebSocketProtocol::CloseCode(4001), QStringLiteral("unauthorized"));
        }
        return;
    }

    Envelope out;
    out.id = in.id;
    switch (in.type) {
    case MessageType::Auth:
        if (in.text == requiredToken || requiredToken.isEmpty()) {
            client.authed = true;
            out.type = MessageType::Ack;
            send(socket, out);
        } else {
            out.type = MessageType::Error;
            out.code = 4001;
            out.text = QStringLiteral("invalid token");
            send(socket, out);
            socket->close(QWebSocketProtocol::CloseCode(4001), QStringLiteral("unauthorized"));
        }
        return;
    case MessageType::Ping:
        if (answerPings) {
            out.type = MessageType::Pong;
            out.ts = in.ts;
            send(socket, out);
        }
        return;
    case MessageType::Subscribe: {
        if (!answerSubscribes)
            return;
        client.channels.insert(in.channel);
        Channel &ch = m_channels[in.channel];
        out.type = MessageType::Subscribed;
        out.channel = in.channel;
        out.seq = ch.seq;
        if (in.since >= 0) {
            out.hasRecovered = true;
            out.recovered = in.since >= ch.seq || in.since + 1 >= ch.firstRetained;
        }
        send(socket, out);
        if (in.since >= 0) {
            for (int i = 0; i < ch.history.size(); ++i) {
                const qint64 seq = ch.firstRetained + i;
                if (seq > in.since)
                    socket->sendTextMessage(QString::fromUtf8(ch.history.at(i)));
            }
        }
        return;
    }
    case MessageType::Unsubscribe:
        client.channels.remove(in.channel);
        out.type = MessageType::Unsubscribed;
        out.channel = in.channel;
        send(socket, out);
        return;
    case MessageType::Publish: {
        if (!ackPublishes)
            return;
        qint64 seq = -1;
        if (!m_seenPublishIds.contains(in.id)) {
            m_seenPublishIds.insert(in.id);
            m_channels[in.channel].published += 1;
            seq = fanOut(in.channel, in.data);
        }
        out.type = MessageType::Ack;
        out.seq = seq;
        send(socket, out);
        return;
    }
    case MessageType::Request:
        if (in.text == QLatin1StringView("echo")) {
            out.type = MessageType::Response;
            out.data = in.data;
        } else if (in.text == QLatin1StringView("never")) {
            return;
        } else {
            out.type = MessageType::Error;
            out.code = 404;
            out.text = QStringLiteral("unknown method");
        }
        send(socket, out);
        return;
    default:
        return;
    }
}

qint64 TestServer::fanOut(const QString &channel, const QJsonValue &data)
{
    Channel &ch = m_channels[channel];
    Envelope msg;
    msg.type = MessageType::Message;
    msg.channel = channel;
    msg.seq = ++ch.seq;
    msg.ts = QDateTime::currentMSecsSinceEpoch();
    msg.data = data;
    const QByteArray encoded = encodeEnvelope(msg);
    if (ch.history.isEmpty())
        ch.firstRetained = msg.seq;
    ch.history.append(encoded);
    while (ch.history.size() > historyLimit) {
        ch.history.removeFirst();
        ch.firstRetained += 1;
    }
    const QString text = QString::fromUtf8(encoded);
    for (auto it = m_clients.begin(); it != m_clients.end(); ++it) {
        if (it->authed && it->channels.contains(channel))
            it.key()->sendTextMessage(text);
    }
    return msg.seq;
}

qint64 TestServer::publish(const QString &channel, const QJsonValue &data)
{
    return fanOut(channel, data);
}

void TestServer::forgetHistory(const QString &channel)
{
    Channel &ch = m_channels[channel];
    ch.history.clear();
    ch.firstRetained = ch.seq + 1;
}

void TestServer::resetChannel(const QString &channel)
{
    m_channels.remove(channel);
}

void TestServer::sendToAll(const QByteArray &text)
{
    for (auto it = m_clients.begin(); it != m_clients.end(); ++it)
        it.key()->sendTextMessage(QString::fromUtf8(text));
}

void TestServer::sendBinaryToAll(const QByteArray &data)
{
    for (auto it = m_clients.begin(); it != m_clients.end(); ++it)
        it.key()->sendBinaryMessage(data);
}

void TestServer::closeAll(int code, const QString &reason)
{
    const auto sockets = m_clients.keys();
    for (QWebSocket *socket : sockets)
        socket->close(QWebSocketProtocol::CloseCode(code), reason);
}

void TestServer::dropAll()
{
    const auto sockets = m_clients.keys();
    m_clients.clear();
    for (QWebSocket *socket : sockets) {
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
}

QList<TestServer::Frame> TestServer::framesOfType(MessageType type) const
{
    QList<Frame> out;
    for (const Frame &f : frames) {
        if (f.env.type == type)
            out.append(f);
    }
    return out;
}

RawHandshakeServer::RawHandshakeServer(Mode mode, QObject *parent) : QObject(parent), m_mode(mode)
{
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            ++m_accepted;
            m_sockets.append(socket);
            if (m_mode == Mode::Stall)
                continue; // accept the TCP connection, never answer the upgrade
            connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                if (socket->property("upgraded").toBool())
                    return; // a stuck peer: leave everything unread
                const QByteArray request = socket->readAll();
                QByteArray key;
                for (const QByteArray &line : request.split('\n')) {
                    if (line.toLower().startsWith("sec-websocket-key:"))
                        key = line.mid(int(qstrlen("sec-websocket-key:"))).trimmed();
                }
                const QByteArray accept =
                    QCryptographicHash::hash(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
                                             QCryptographicHash::Sha1)
                        .toBase64();
                const QByteArray protocol = m_mode == Mode::AcceptThenStopReading
                                                ? QByteArray("pulseboard.v1")
                                                : subprotocol.toUtf8();
                socket->write(
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Accept: " +
                    accept + "\r\nSec-WebSocket-Protocol: " + protocol + "\r\n\r\n");
                if (m_mode == Mode::AcceptThenStopReading) {
                    socket->setProperty("upgraded", true);
                    // A one-byte read buffer makes Qt stop draining the kernel: the TCP window
                    // closes and the sender's buffers fill, as with a peer that stopped reading.
                    socket->setReadBufferSize(1);
                }
            });
        }
    });
}

qint64 RawHandshakeServer::bytesReceivedAfterHandshake() const
{
    qint64 n = 0;
    for (QTcpSocket *s : m_sockets)
        n += s->bytesAvailable();
    return n;
}

bool RawHandshakeServer::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QUrl RawHandshakeServer::url() const
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(m_server.serverPort()));
}

} // namespace Pulseboard::Test
