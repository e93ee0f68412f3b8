#include "FaultProxy.h"

#include <QTcpSocket>

#include <sys/socket.h>

#include <cmath>
#include <deque>
#include <limits>

namespace Pulseboard::Test {

struct FaultProxy::Direction
{
    struct Chunk
    {
        QByteArray bytes;
        qint64 dueMs = 0;
    };
    std::deque<Chunk> chunks;
    qint64 queuedBytes = 0;
    double dripCredit = 0;
    bool sourceClosed = false; // the side we read from has closed: close the target once drained
};

struct FaultProxy::Link
{
    QTcpSocket *client = nullptr;
    QTcpSocket *upstream = nullptr; // null while blackholed from the start
    Direction toUpstream;
    Direction toClient;
    bool clientClosed = false;
    bool upstreamClosed = false;
    bool tainted = false;     // lost bytes or a close inside a blackhole
    bool resetOnData = false; // accepted in Reset mode: reset once the client has spoken
};

namespace {

// SO_LINGER with a zero timeout turns the close that follows into a RST instead of a FIN.
void abortWithReset(QTcpSocket *socket)
{
    if (!socket)
        return;
    const qintptr fd = socket->socketDescriptor();
    if (fd >= 0) {
        linger hard{1, 0};
        ::setsockopt(int(fd), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    }
    socket->abort();
}

} // namespace

FaultProxy::FaultProxy(QObject *parent) : QObject(parent)
{
    m_clock.start();
    m_pumpTimer.setSingleShot(true);
    m_pumpTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_pumpTimer, &QTimer::timeout, this, &FaultProxy::pump);
    connect(&m_server, &QTcpServer::newConnection, this, &FaultProxy::onNewConnection);
}

FaultProxy::~FaultProxy()
{
    m_server.close();
    const QList<Link *> links = m_links;
    for (Link *link : links)
        resetLink(link);
}

bool FaultProxy::listen(quint16 upstreamPort, quint16 port)
{
    m_upstreamPort = upstreamPort;
    if (!m_server.listen(QHostAddress::LocalHost, port))
        return false;
    m_port = m_server.serverPort();
    return true;
}

QUrl FaultProxy::url(const QString &scheme) const
{
    return QUrl(QStringLiteral("%1://127.0.0.1:%2/").arg(scheme).arg(m_port));
}

void FaultProxy::setMode(Mode mode)
{
    if (mode == m_mode)
        return;
    const Mode old = m_mode;
    m_mode = mode;

    if (old == Mode::Refuse && !m_server.isListening()) {
        if (!m_server.listen(QHostAddress::LocalHost, m_port))
            qWarning("FaultProxy: cannot listen on port %u again: %s", m_port,
                     qPrintable(m_server.errorString()));
    }
    if (old == Mode::Blackhole) {
        const QList<Link *> links = m_links;
        for (Link *link : links) {
            if (link->tainted || !link->upstream)
                resetLink(link);
        }
    }
    for (Link *link : std::as_const(m_links)) {
        link->toUpstream.dripCredit = 0;
        link->toClient.dripCredit = 0;
    }
    m_lastPumpMs = m_clock.elapsed();

    switch (mode) {
    case Mode::Reset: {
        const QList<Link *> links = m_links;
        for (Link *link : links)
            resetLink(link);
        break;
    }
    case Mode::Refuse:
        m_server.close();
        break;
    case Mode::Blackhole:
        for (Link *link : std::as_const(m_links)) {
            for (Direction *d : {&link->toUpstream, &link->toClient}) {
                if (d->queuedBytes > 0)
                    link->tainted = true;
                m_bytesDropped += d->queuedBytes;
                d->chunks.clear();
                d->queuedBytes = 0;
            }
        }
        break;
    case Mode::Pass:
    case Mode::Latency:
    case Mode::Drip:
        break;
    }
    pump();
}

void FaultProxy::onNewConnection()
{
    while (QTcpSocket *client = m_server.nextPendingConnection()) {
        client->setParent(this);
        m_acceptTimesMs.append(m_clock.elapsed());
        m_acceptedPeers.append(
            QStringLiteral("%1:%2").arg(client->peerAddress().toString()).arg(client->peerPort()));
        auto *link = new Link;
        link->client = client;
        m_links.append(link);
        connect(client, &QTcpSocket::readyRead, this, [this, link] { onReadable(link, true); });
        connect(client, &QTcpSocket::disconnected, this, [this, link] { onClosed(link, true); });
        Q_EMIT accepted(int(m_acceptTimesMs.size()) - 1);

        if (m_mode == Mode::Reset) {
            if (m_resetAtAccept)
                resetLink(link);
            else
                link->resetOnData = true;
            continue;
        }
        if (m_mode == Mode::Blackhole) {
            // The upstream never hears of it, as behind a dead route.
            link->tainted = true;
            continue;
        }
        auto *upstream = new QTcpSocket(this);
        link->upstream = upstream;
        connect(upstream, &QTcpSocket::connected, this, &FaultProxy::pump);
        connect(upstream, &QTcpSocket::readyRead, this, [this, link] { onReadable(link, false); });
        connect(upstream, &QTcpSocket::disconnected, this, [this, link] { onClosed(link, false); });
        connect(upstream, &QTcpSocket::errorOccurred, this, [this, link](QAbstractSocket::SocketError) {
            // A refused or failed upstream connect: the client learns it the way a proxy tells it.
            if (link->upstream && link->upstream->state() == QAbstractSocket::UnconnectedState &&
                !link->upstreamClosed && m_links.contains(link))
                onClosed(link, false);
        });
        upstream->connectToHost(QHostAddress::LocalHost, m_upstreamPort);
    }
}

void FaultProxy::onReadable(Link *link, bool fromClient)
{
    QTcpSocket *source = fromClient ? link->client : link->upstream;
    const QByteArray bytes = source->readAll();
    if (bytes.isEmpty())
        return;
    if (link->resetOnData) {
        m_bytesDropped += bytes.size();
        resetLink(link);
        return;
    }
    if (m_mode == Mode::Blackhole || m_mode == Mode::Reset) {
        m_bytesDropped += bytes.size();
        link->tainted = true;
        return;
    }
    Direction &d = fromClient ? link->toUpstream : link->toClient;
    const qint64 now = m_clock.elapsed();
    d.chunks.push_back({bytes, m_mode == Mode::Latency ? now + m_latencyMs : now});
    d.queuedBytes += bytes.size();
    pump();
}

void FaultProxy::onClosed(Link *link, bool clientSide)
{
    if (!m_links.contains(link))
        return;
    if (clientSide)
        link->clientClosed = true;
    else
        link->upstreamClosed = true;
    if (m_mode == Mode::Blackhole) {
        // The FIN is lost like every other byte; the other side keeps waiting.
        link->tainted = true;
        return;
    }
    (clientSide ? link->toUpstream : link->toClient).sourceClosed = true;
    pump();
}

void FaultProxy::deliver(Link *link, bool toUpstream, qint64 budget, qint64 *spent)
{
    Direction &d = toUpstream ? link->toUpstream : link->toClient;
    QTcpSocket *target = toUpstream ? link->upstream : link->client;
    if (!target || target->state() != QAbstractSocket::ConnectedState)
        return;
    const qint64 now = m_clock.elapsed();
    while (!d.chunks.empty() && budget > 0) {
        Direction::Chunk &chunk = d.chunks.front();
        if (chunk.dueMs > now)
            break;
        const qint64 n = qMin<qint64>(budget, chunk.bytes.size());
        target->write(chunk.bytes.constData(), n);
        m_bytesForwarded += n;
        d.queuedBytes -= n;
        budget -= n;
        *spent += n;
        if (n == chunk.bytes.size())
            d.chunks.pop_front();
        else
            chunk.bytes.remove(0, n);
    }
}

void FaultProxy::pump()
{
    const qint64 now = m_clock.elapsed();
    const qint64 elapsed = qMax<qint64>(0, now - m_lastPumpMs);
    m_lastPumpMs = now;
    QList<Link *> finished;
    for (Link *link : std::as_const(m_links)) {
        if (m_mode == Mode::Blackhole)
            continue;
        for (bool toUpstream : {true, false}) {
            Direction &d = toUpstream ? link->toUpstream : link->toClient;
            qint64 budget = std::numeric_limits<qint64>::max();
            if (m_mode == Mode::Drip) {
                // Credit accrues with time, capped so an idle link does not save up a burst.
                d.dripCredit = qMin(d.dripCredit + double(elapsed) * m_dripBytesPerSecond / 1000.0,
                                    qMax(1.0, m_dripBytesPerSecond / 4.0));
                budget = qint64(std::floor(d.dripCredit));
            }
            qint64 spent = 0;
            deliver(link, toUpstream, budget, &spent);
            if (m_mode == Mode::Drip)
                d.dripCredit -= double(spent);
        }
        // A side that closed has its close passed on once what it sent before is delivered.
        const bool clientDone = link->toUpstream.sourceClosed && link->toUpstream.chunks.empty();
        const bool upstreamDone = link->toClient.sourceClosed && link->toClient.chunks.empty();
        if (clientDone || upstreamDone)
            finished.append(link);
    }
    for (Link *link : std::as_const(finished))
        closeLinkGracefully(link);
    schedulePump();
}

void FaultProxy::schedulePump()
{
    if (m_mode == Mode::Blackhole) {
        m_pumpTimer.stop();
        return;
    }
    qint64 next = -1;
    const qint64 now = m_clock.elapsed();
    for (const Link *link : std::as_const(m_links)) {
        for (const Direction *d : {&link->toUpstream, &link->toClient}) {
            if (d->chunks.empty())
                continue;
            const qint64 due = m_mode == Mode::Drip ? now + 20 : qMax(now + 1, d->chunks.front().dueMs);
            next = next < 0 ? due : qMin(next, due);
        }
    }
    if (next < 0)
        m_pumpTimer.stop();
    else
        m_pumpTimer.start(int(next - now));
}

void FaultProxy::closeLinkGracefully(Link *link)
{
    // FIN to whichever side is still there, then forget the pair.
    for (QTcpSocket *s : {link->client, link->upstream}) {
        if (!s)
            continue;
        s->disconnect(this);
        if (s->state() == QAbstractSocket::ConnectedState) {
            // Deleted once the FIN went out after the last written bytes, or after a grace period.
            connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            QTimer::singleShot(5000, s, &QObject::deleteLater);
            s->disconnectFromHost();
        } else {
            s->abort();
            s->deleteLater();
        }
    }
    removeLink(link);
}

void FaultProxy::resetLink(Link *link)
{
    ++m_resets;
    for (QTcpSocket *s : {link->client, link->upstream}) {
        if (!s)
            continue;
        s->disconnect(this);
        abortWithReset(s);
        s->deleteLater();
    }
    removeLink(link);
}

void FaultProxy::removeLink(Link *link)
{
    m_links.removeOne(link);
    delete link;
}

void FaultProxy::injectToClients(const QByteArray &bytes)
{
    for (Link *link : std::as_const(m_links)) {
        if (link->client && link->client->state() == QAbstractSocket::ConnectedState)
            link->client->write(bytes);
    }
}

qint64 FaultProxy::pendingToClients() const
{
    qint64 pending = 0;
    for (const Link *link : m_links) {
        if (link->client)
            pending += link->client->bytesToWrite();
    }
    return pending;
}

QByteArray FaultProxy::serverFrameHeader(quint8 opcode, quint64 payloadLength, bool fin)
{
    QByteArray header;
    header.append(char((fin ? 0x80 : 0x00) | (opcode & 0x0F)));
    if (payloadLength < 126) {
        header.append(char(payloadLength));
    } else if (payloadLength <= 0xFFFF) {
        header.append(char(126));
        header.append(char((payloadLength >> 8) & 0xFF));
        header.append(char(payloadLength & 0xFF));
    } else {
        header.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            header.append(char((payloadLength >> shift) & 0xFF));
    }
    return header;
}

QByteArray FaultProxy::serverFrame(quint8 opcode, const QByteArray &payload, bool fin)
{
    return serverFrameHeader(opcode, quint64(payload.size()), fin) + payload;
}

} // namespace Pulseboard::Test
