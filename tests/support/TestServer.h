// An in-process WebSocket server speaking PROTOCOL.md, whose behaviour each test chooses:
// require a token, stop answering pings, stop acking, close with a code, drop without a close
// frame, refuse (stop listening), come back on the same port. Records every frame it receives.
// Also: RawHandshakeServer, a TCP server that stalls the handshake or answers it with a chosen
// subprotocol, for what QWebSocketServer will not do.
// Constructed with a QSslConfiguration it serves wss:// (QWebSocketServer::SecureMode).
#pragma once

#include "protocol/Envelope.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QUrl>
#include <QWebSocketServer>

class QWebSocket;

namespace Pulseboard::Test {

class TestServer : public QObject
{
    Q_OBJECT
public:
    struct Frame
    {
        int connection = 0; // 1-based, in order of accept
        Envelope env;
        QByteArray raw;
    };

    explicit TestServer(QObject *parent = nullptr);
    // A wss:// server presenting the certificate and key of `tls`.
    explicit TestServer(const QSslConfiguration &tls, QObject *parent = nullptr);
    ~TestServer() override;

    bool listen(quint16 port = 0);
    // Stops listening and aborts every client (no close frame): a crashed server.
    void kill();
    bool isListening() const { return m_server->isListening(); }
    bool isSecure() const { return m_server->secureMode() == QWebSocketServer::SecureMode; }
    quint16 port() const { return m_port; }
    QUrl url() const;

    // Behaviour
    QString requiredToken; // non-empty: `auth` with this token is required
    bool answerPings = true;
    bool ackPublishes = true;
    bool answerSubscribes = true;
    bool sendWelcome = false;
    bool closeUnauthenticated = true; // a frame before auth closes with 4001
    int historyLimit = 1000;
    bool recordFrames = true; // off for long runs: `frames` would grow without bound
    int maxFrameBytes = 0;    // > 0: a larger frame closes its connection 1009, as a server's size limit does

    // Actions
    void closeAll(int code, const QString &reason = QString());
    void dropAll(); // abort every client, no close frame
    qint64 publish(const QString &channel, const QJsonValue &data);
    void sendToAll(const QByteArray &text);
    void sendBinaryToAll(const QByteArray &data);
    void forgetHistory(const QString &channel); // the retained messages are gone, seq stays
    void resetChannel(const QString &channel);  // seq back to 0: a restarted memory-only server

    // Observation
    QList<Frame> frames;
    QList<Frame> framesOfType(MessageType type) const;
    int connectionCount() const { return m_connections; }
    int clientCount() const { return int(m_clients.size()); }
    QList<QByteArray> originsSeen;
    QList<QString> subprotocolsSeen;
    qint64 channelSeq(const QString &channel) const { return m_channels.value(channel).seq; }
    int publishedCount(const QString &channel) const { return m_channels.value(channel).published; }

Q_SIGNALS:
    void clientConnected(int connection);
    void clientDisconnected(int connection);
    void frameReceived(int connection, const Pulseboard::Envelope &env);

private:
    struct Client
    {
        int connection = 0;
        bool authed = false;
        QSet<QString> channels;
    };
    struct Channel
    {
        qint64 seq = 0;
        int published = 0;
        QList<QByteArray> history; // encoded message frames, oldest first
        qint64 firstRetained = 1;
    };

    void setUp();
    void onNewConnection();
    void onText(QWebSocket *socket, const QString &text);
    void send(QWebSocket *socket, const Envelope &env);
    qint64 fanOut(const QString &channel, const QJsonValue &data);

    QWebSocketServer *m_server;
    quint16 m_port = 0;
    int m_connections = 0;
    QHash<QWebSocket *, Client> m_clients;
    QHash<QString, Channel> m_channels;
    QSet<QString> m_seenPublishIds;
};

class RawHandshakeServer : public QObject
{
    Q_OBJECT
public:
    enum class Mode {
        Stall,                 // accept TCP, never answer the upgrade
        AnswerWithSubprotocol, // answer with `subprotocol`
        AcceptThenStopReading, // complete the handshake, then read nothing more (a stuck peer)
    };
    explicit RawHandshakeServer(Mode mode, QObject *parent = nullptr);
    bool listen();
    QUrl url() const;
    int accepted() const { return m_accepted; }
    QString subprotocol = QStringLiteral("something.else");
    qint64 bytesReceivedAfterHandshake() const;

private:
    Mode m_mode;
    QTcpServer m_server;
    QList<QTcpSocket *> m_sockets;
    int m_accepted = 0;
};

} // namespace Pulseboard::Test
