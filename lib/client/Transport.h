// Transport: the one socket under a ClientSession, as the session needs it: open with the
// subprotocols to offer, send text or binary frames, close with a code or drop at once, and
// report what arrives. WebSocketTransport is the real one (QWebSocket); a test drives a
// loopback (tests/support/LoopbackTransport.h) so sessions are tested without sockets.
#pragma once

#include <QByteArray>
#include <QObject>
#include <QStringList>
#include <QUrl>

namespace Pulseboard {

class Transport : public QObject
{
    Q_OBJECT
public:
    enum class Error {
        Network,            // the connection failed or broke (refused, reset, TLS, handshake)
        SubprotocolRefused, // the server chose a subprotocol we did not offer: retrying repeats it
    };
    Q_ENUM(Error)

    using QObject::QObject;

    // Starts connecting; connected() or errorOccurred()/disconnected() follows, possibly before
    // open() returns (a URL the transport cannot use fails at once).
    virtual void open(const QUrl &url, const QStringList &subprotocols) = 0;
    // Starts the close handshake; the transport completes it on its own, even once deleted.
    virtual void close(int code, const QString &reason) = 0;
    // Drops the connection now, no close handshake (a peer that went silent will not answer one).
    virtual void abort() = 0;
    // Return false when the frame could not be handed to the connection.
    virtual bool sendText(const QByteArray &utf8) = 0;
    virtual bool sendBinary(const QByteArray &data) = 0;

    virtual bool isConnected() const = 0;
    // The subprotocol the server chose; empty when it chose none.
    virtual QString subprotocol() const = 0;
    // Bytes handed over but not yet written to the network (backpressure).
    virtual qint64 bytesToWrite() const = 0;

Q_SIGNALS:
    void connected();
    // The connection ended. `closeCode` is the peer's when a close handshake took place, else
    // 1006 (abnormal) with the socket's own words in `reason`.
    void disconnected(int closeCode, const QString &reason);
    // The connection failed; whatever the transport reports after this is moot.
    void errorOccurred(Pulseboard::Transport::Error error, const QString &message);
    // Worth telling the user though it does not end the connection by itself (TLS refusals,
    // which the errorOccurred that follows does not spell out). `code` is a close code.
    void notice(int code, const QString &message);
    void textReceived(const QString &text);
    void binaryReceived(const QByteArray &data);
    void bytesWritten(qint64 bytes);
};

} // namespace Pulseboard
