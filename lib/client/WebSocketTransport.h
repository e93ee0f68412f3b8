// WebSocketTransport: the Transport over a QWebSocket, with the connection's TLS settings (extra
// CA certificates, --insecure), Origin header and incoming size limit. The close-code and error
// rules of Qt 6.4 live here, so the session above reads one meaning per signal.
#pragma once

#include "ConnectionOptions.h"
#include "Transport.h"

#include <QAbstractSocket>
#include <QPointer>
#include <QSslConfiguration>

#include <memory>

class QWebSocket;

namespace Pulseboard {

class WebSocketTransport : public Transport
{
    Q_OBJECT
public:
    // A transport for `url`, or null with `error` filled when its TLS settings cannot be used
    // (an unreadable CA file): then no attempt can succeed.
    static std::unique_ptr<Transport> create(const ConnectionOptions &options, const QUrl &url,
                                             QString *error);

    explicit WebSocketTransport(const ConnectionOptions &options, QObject *parent = nullptr);
    ~WebSocketTransport() override;

    // Loads the CA file and the verification mode for a wss:// connection.
    bool configureTls(QString *error);

    void open(const QUrl &url, const QStringList &subprotocols) override;
    void close(int code, const QString &reason) override;
    void abort() override;
    bool sendText(const QByteArray &utf8) override;
    bool sendBinary(const QByteArray &data) override;
    bool isConnected() const override;
    QString subprotocol() const override;
    qint64 bytesToWrite() const override;

private:
    void onError(QAbstractSocket::SocketError error);
    void onDisconnected();

    ConnectionOptions m_options;
    QWebSocket *m_socket = nullptr;
    bool m_closeHandshakeSeen = false;
    bool m_closing = false;
};

} // namespace Pulseboard
