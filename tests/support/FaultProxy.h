// FaultProxy: a TCP proxy between a client and a server on 127.0.0.1 whose behaviour a test
// switches at any moment, to reproduce the network faults a real deployment meets:
//   Pass       bytes flow both ways at once
//   Blackhole  both sockets stay open and every byte, and every close, is silently dropped:
//              the half-open connection where no FIN ever arrives. New connections are
//              accepted and then hear nothing (a handshake that never completes).
//   Reset      every connection is reset (RST both sides); new ones are reset when their first
//              bytes arrive (or, with setResetAtAccept(true), straight after accept(): see below)
//   Refuse     the listening port is closed: new connections are refused; existing ones pass
//   Latency    bytes flow, each chunk delayed by latencyMs
//   Drip       bytes flow at dripBytesPerSecond, a few bytes at a time
// Leaving Blackhole resets the connections that lost bytes or a close meanwhile: their streams
// are corrupt, and a real peer's TCP stack would answer the next segment with a RST.
// A RST straight after accept() reaches a Linux client before Qt has checked its non-blocking
// connect; QAbstractSocket then calls connect() again, which starts a new TCP connection, and
// spins so until something stops it (thousands of connects per second). Reset mode therefore
// waits for the client's first bytes by default; setResetAtAccept(true) reproduces the spin.
// It also records when every connection was accepted, and can inject raw bytes towards the
// clients (hand-made WebSocket frames the in-process server cannot produce).
#pragma once

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QStringList>
#include <QTcpServer>
#include <QTimer>
#include <QUrl>

#include <memory>

class QTcpSocket;

namespace Pulseboard::Test {

class FaultProxy : public QObject
{
    Q_OBJECT
public:
    enum class Mode { Pass, Blackhole, Reset, Refuse, Latency, Drip };
    Q_ENUM(Mode)

    explicit FaultProxy(QObject *parent = nullptr);
    ~FaultProxy() override;

    // Listens on 127.0.0.1 (port 0: any free one) and forwards to 127.0.0.1:upstreamPort.
    bool listen(quint16 upstreamPort, quint16 port = 0);
    quint16 port() const { return m_port; }
    QUrl url(const QString &scheme = QStringLiteral("ws")) const;
    void setUpstreamPort(quint16 port) { m_upstreamPort = port; }

    void setMode(Mode mode);
    Mode mode() const { return m_mode; }
    void setLatencyMs(int ms) { m_latencyMs = qMax(0, ms); }
    void setDripBytesPerSecond(int bytes) { m_dripBytesPerSecond = qMax(1, bytes); }
    void setResetAtAccept(bool atAccept) { m_resetAtAccept = atAccept; }

    // Writes `bytes` to every client side as if the server had sent them, bypassing the mode.
    // The caller makes sure no proxied frame is half-way through (the link is quiet).
    void injectToClients(const QByteArray &bytes);
    // Bytes written to client sockets that the kernel has not taken yet (for streaming injections).
    qint64 pendingToClients() const;

    // A server-to-client WebSocket frame (unmasked), payload as given: for invalid UTF-8 and the like.
    static QByteArray serverFrame(quint8 opcode, const QByteArray &payload, bool fin = true);
    // Only the header of an unmasked text frame announcing `payloadLength` bytes.
    static QByteArray serverFrameHeader(quint8 opcode, quint64 payloadLength, bool fin = true);

    // Observation
    int acceptedCount() const { return int(m_acceptTimesMs.size()); }
    // When each connection was accepted, in ms on the proxy's monotonic clock.
    QList<qint64> acceptTimesMs() const { return m_acceptTimesMs; }
    // The client side ("address:port") of each accepted connection, in order of accept. The
    // accept queue is first in, first out: a test's own connection (from another loopback
    // address, say 127.0.0.2) marks where the connections made before it end.
    QStringList acceptedPeers() const { return m_acceptedPeers; }
    qint64 clockMs() const { return m_clock.elapsed(); }
    int activeCount() const { return int(m_links.size()); }
    qint64 bytesForwarded() const { return m_bytesForwarded; }
    qint64 bytesDropped() const { return m_bytesDropped; }
    int resetCount() const { return m_resets; }

Q_SIGNALS:
    void accepted(int index);

private:
    struct Link;
    struct Direction;

    void onNewConnection();
    void onReadable(Link *link, bool fromClient);
    void onClosed(Link *link, bool clientSide);
    void pump();
    void deliver(Link *link, bool toUpstream, qint64 budget, qint64 *spent);
    void resetLink(Link *link);
    void closeLinkGracefully(Link *link);
    void removeLink(Link *link);
    void schedulePump();

    QTcpServer m_server;
    quint16 m_port = 0;
    quint16 m_upstreamPort = 0;
    Mode m_mode = Mode::Pass;
    int m_latencyMs = 100;
    int m_dripBytesPerSecond = 8;
    bool m_resetAtAccept = false;
    double m_dripCredit = 0;
    qint64 m_lastPumpMs = 0;
    QTimer m_pumpTimer;
    QElapsedTimer m_clock;
    QList<Link *> m_links;
    QList<qint64> m_acceptTimesMs;
    QStringList m_acceptedPeers;
    qint64 m_bytesForwarded = 0;
    qint64 m_bytesDropped = 0;
    int m_resets = 0;
};

} // namespace Pulseboard::Test
