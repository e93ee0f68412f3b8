#include "LoopbackTransport.h"

namespace Pulseboard::Test {

void LoopbackTransport::open(const QUrl &url, const QStringList &subprotocols)
{
    openedUrl = url;
    offeredSubprotocols = subprotocols;
    ++openCount;
}

void LoopbackTransport::close(int code, const QString &reason)
{
    Q_UNUSED(reason)
    closeCode = code;
    m_connected = false;
}

void LoopbackTransport::abort()
{
    aborted = true;
    m_connected = false;
}

bool LoopbackTransport::sendText(const QByteArray &utf8)
{
    if (!m_connected)
        return false;
    sent.append({utf8, false});
    Q_EMIT frameSent(utf8, false);
    return true;
}

bool LoopbackTransport::sendBinary(const QByteArray &data)
{
    if (!m_connected)
        return false;
    sent.append({data, true});
    Q_EMIT frameSent(data, true);
    return true;
}

void LoopbackTransport::accept(const QString &subprotocol)
{
    m_subprotocol = subprotocol;
    m_connected = true;
    Q_EMIT connected();
}

void LoopbackTransport::serverSendText(const QByteArray &utf8)
{
    Q_EMIT textReceived(QString::fromUtf8(utf8));
}

void LoopbackTransport::serverSendBinary(const QByteArray &data)
{
    Q_EMIT binaryReceived(data);
}

void LoopbackTransport::serverClose(int code, const QString &reason)
{
    m_connected = false;
    Q_EMIT disconnected(code, reason);
}

void LoopbackTransport::fail(Transport::Error error, const QString &message)
{
    m_connected = false;
    Q_EMIT errorOccurred(error, message);
}

} // namespace Pulseboard::Test
