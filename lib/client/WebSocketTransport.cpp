#include "WebSocketTransport.h"

#include "Logging.h"
#include "protocol/CloseCode.h"

#include <QFile>
#include <QSslError>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

namespace Pulseboard {

namespace {

// Qt 6.4 refuses a handshake whose Sec-WebSocket-Protocol names one we did not offer, and says
// so only in words: processHandshake() emits the same ConnectionRefusedError as for a refused
// TCP connection or a bad accept key, keeps neither the response headers nor the chosen
// protocol, and has no handshake-interrupted signal for it (handshakeInterruptedOnError is for
// TLS pre-shared keys). So the words are the only evidence, read here and nowhere else. Should a
// translation change them, the refusal is treated as a network error and retried with backoff.
bool isSubprotocolRefusal(QAbstractSocket::SocketError error, const QString &errorString)
{
    return error == QAbstractSocket::ConnectionRefusedError &&
           errorString.contains(QLatin1StringView("has chosen protocol"));
}

} // namespace

std::unique_ptr<Transport> WebSocketTransport::create(const ConnectionOptions &options, const QUrl &url,
                                                      QString *error)
{
    auto transport = std::make_unique<WebSocketTransport>(options);
    if (url.scheme() == QLatin1StringView("wss") && !transport->configureTls(error))
        return nullptr;
    return transport;
}

WebSocketTransport::WebSocketTransport(const ConnectionOptions &options, QObject *parent)
    : Transport(parent), m_options(options)
{
    // Not a child: a socket finishing its close handshake outlives this transport.
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest);
    m_socket->setMaxAllowedIncomingMessageSize(quint64(options.maxIncomingMessageBytes));
    m_socket->setMaxAllowedIncomingFrameSize(quint64(options.maxIncomingMessageBytes));
    connect(m_socket, &QWebSocket::connected, this, &Transport::connected);
    connect(m_socket, &QWebSocket::disconnected, this, &WebSocketTransport::onDisconnected);
    // QWebSocket reports close code 1000 after a connection that simply vanished; only a real
    // close handshake (which passes through aboutToClose) carries the peer's code.
    connect(m_socket, &QWebSocket::aboutToClose, this, [this] { m_closeHandshakeSeen = true; });
    // QWebSocket::errorOccurred is 6.5+.
    connect(m_socket, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error), this,
            &WebSocketTransport::onError);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &Transport::textReceived);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &Transport::binaryReceived);
    connect(m_socket, &QWebSocket::bytesWritten, this, &Transport::bytesWritten);
}

WebSocketTransport::~WebSocketTransport()
{
    abort();
}

bool WebSocketTransport::configureTls(QString *error)
{
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    if (!m_options.caCertificatesFile.isEmpty()) {
        QFile file(m_options.caCertificatesFile);
        if (!file.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read CA file %1: %2")
                         .arg(m_options.caCertificatesFile, file.errorString());
            return false;
        }
        const QList<QSslCertificate> extra = QSslCertificate::fromData(file.readAll(), QSsl::Pem);
        if (extra.isEmpty()) {
            *error = QStringLiteral("no PEM certificate in CA file %1").arg(m_options.caCertificatesFile);
            return false;
        }
        QList<QSslCertificate> all = tls.caCertificates();
        all.append(extra);
        tls.setCaCertificates(all);
    }
    if (m_options.insecure) {
        qCWarning(lcNet) << "INSECURE: TLS certificate verification is OFF for this connection (--insecure)";
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    }
    m_socket->setSslConfiguration(tls);
    connect(m_socket, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        QStringList words;
        for (const QSslError &e : errors)
            words.append(e.errorString());
        qCWarning(lcNet).noquote() << "TLS refused:" << words.join(QStringLiteral("; "));
        Q_EMIT notice(CloseCode::Policy, QStringLiteral("TLS: %1").arg(words.join(QStringLiteral("; "))));
    });
    return true;
}

void WebSocketTransport::open(const QUrl &url, const QStringList &subprotocols)
{
    if (!m_socket)
        return;
    QWebSocketHandshakeOptions handshake;
    handshake.setSubprotocols(subprotocols);
    QNetworkRequest request(url);
    if (!m_options.origin.isEmpty())
        request.setRawHeader("Origin", m_options.origin.toUtf8());
    m_socket->open(request, handshake);
}

void WebSocketTransport::close(int code, const QString &reason)
{
    if (!m_socket)
        return;
    QWebSocket *socket = m_socket;
    m_socket = nullptr;
    socket->disconnect(this);
    if (socket->state() != QAbstractSocket::ConnectedState) {
        socket->abort();
        socket->deleteLater();
        return;
    }
    // Send our close frame and let the socket finish the handshake on its own.
    connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
    QTimer::singleShot(2000, socket, &QObject::deleteLater);
    socket->close(QWebSocketProtocol::CloseCode(code), reason);
}

void WebSocketTransport::abort()
{
    if (!m_socket)
        return;
    QWebSocket *socket = m_socket;
    m_socket = nullptr;
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
}

bool WebSocketTransport::sendText(const QByteArray &utf8)
{
    return m_socket && m_socket->sendTextMessage(QString::fromUtf8(utf8)) >= 0;
}

bool WebSocketTransport::sendBinary(const QByteArray &data)
{
    return m_socket && m_socket->sendBinaryMessage(data) >= 0;
}

bool WebSocketTransport::isConnected() const
{
    return m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

QString WebSocketTransport::subprotocol() const
{
    return m_socket ? m_socket->subprotocol() : QString();
}

qint64 WebSocketTransport::bytesToWrite() const
{
    return m_socket ? m_socket->bytesToWrite() : 0;
}

void WebSocketTransport::onError(QAbstractSocket::SocketError error)
{
    // A close frame already read carries the code; the TCP close that follows it is not news.
    if (error == QAbstractSocket::RemoteHostClosedError &&
        m_socket->state() != QAbstractSocket::UnconnectedState)
        return;
    const QString reason = m_socket->errorString();
    qCInfo(lcNet).noquote() << "socket error" << error << reason;
    Q_EMIT errorOccurred(isSubprotocolRefusal(error, reason) ? Error::SubprotocolRefused : Error::Network,
                         reason);
}

void WebSocketTransport::onDisconnected()
{
    if (!m_closeHandshakeSeen) {
        const QString why = m_socket->error() != QAbstractSocket::UnknownSocketError
                                ? m_socket->errorString()
                                : describeCloseCode(CloseCode::Abnormal);
        Q_EMIT disconnected(CloseCode::Abnormal, why);
        return;
    }
    const int code = m_socket->closeCode();
    const QString reason = m_socket->closeReason();
    Q_EMIT disconnected(code, reason.isEmpty() ? describeCloseCode(code) : reason);
}

} // namespace Pulseboard
