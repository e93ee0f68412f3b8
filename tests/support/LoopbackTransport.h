// LoopbackTransport: a Transport with no socket under it, whose far end the test plays. What
// the client sends is recorded (and announced by frameSent); the test accepts the open, sends
// frames, closes or drops. Everything happens at once, inside the call, so a test decides the
// order of events exactly.
#pragma once

#include "client/Transport.h"

#include <QList>

namespace Pulseboard::Test {

class LoopbackTransport : public Transport
{
    Q_OBJECT
public:
    struct Frame
    {
        QByteArray bytes;
        bool binary = false;
    };

    using Transport::Transport;

    void open(const QUrl &url, const QStringList &subprotocols) override;
    void close(int code, const QString &reason) override;
    void abort() override;
    bool sendText(const QByteArray &utf8) override;
    bool sendBinary(const QByteArray &data) override;
    bool isConnected() const override { return m_connected; }
    QString subprotocol() const override { return m_subprotocol; }
    qint64 bytesToWrite() const override { return pendingBytes; }

    // The far end.
    void accept(const QString &subprotocol = QString());
    void serverSendText(const QByteArray &utf8);
    void serverSendBinary(const QByteArray &data);
    void serverClose(int code, const QString &reason);
    void fail(Transport::Error error, const QString &message);

    // What the client did.
    QUrl openedUrl;
    QStringList offeredSubprotocols;
    int openCount = 0;
    QList<Frame> sent;
    int closeCode = 0; // 0 until the client closed
    bool aborted = false;
    qint64 pendingBytes = 0; // what bytesToWrite() reports (a test sets it)

Q_SIGNALS:
    void frameSent(const QByteArray &bytes, bool binary);

private:
    bool m_connected = false;
    QString m_subprotocol;
};

} // namespace Pulseboard::Test
