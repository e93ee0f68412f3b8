// bench-blaster: the sending side of the ingest and dashboard benchmarks, a minimal protocol
// server that costs the receiver nothing. It accepts one WebSocket client on 127.0.0.1, answers
// `subscribe`, `ping` and the `channels.list` request, and once every bench channel is
// subscribed sends `message` frames. Plain POSIX sockets so the sender spends its core in
// write(), not in an event loop.
//  --count N   (ingest) pre-encodes N frames before it listens (so encoding is not measured) and
//              writes them all with blocking send(): the kernel's socket buffer makes it go
//              exactly as fast as the client drains. --count 0 only answers (idle bench).
//  --rate HZ   (dashboard) HZ messages a second on each channel, paced, stamped with the wall
//              clock, with the backlog the client leaves reported once a second (runPaced).
//
//  --dialect socketio  (ingest) speaks Socket.IO v4 instead: the Engine.IO open packet, the
//              namespace CONNECT answered (with a pid, as with connection state recovery), `join`
//              emits acked, then `42["message",{"channel","seq","ts","data"},"<offset>"]` frames.
//
//  --dialect mqtt  (ingest) speaks MQTT 3.1.1 over WebSocket (subprotocol `mqtt`, binary frames):
//              CONNECT answered with CONNACK, each SUBSCRIBE with a SUBACK granting QoS 0, PINGREQ
//              with PINGRESP, then QoS 0 PUBLISH packets to topic `bench.<c>` with `{"v":..}`.
//
//   bench-blaster [--port P] [--count N | --rate HZ] [--channels C] [--prefix bench.] [--dialect D]
// prints "listening <port>" on stdout once ready, and a summary line when the client is gone.

#include "protocol/Envelope.h"
#include "protocol/MqttPacket.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QString>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace Pulseboard;

namespace {

[[noreturn]] void die(const char *what)
{
    std::fprintf(stderr, "bench-blaster: %s: %s\n", what, std::strerror(errno));
    std::exit(2);
}

bool sendAll(int fd, const char *data, size_t size)
{
    while (size > 0) {
        const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        data += n;
        size -= size_t(n);
    }
    return true;
}

// Server-to-client frames are never masked (RFC 6455 5.1).
void appendFrame(QByteArray &out, quint8 opcode, QByteArrayView payload)
{
    out.append(char(0x80 | opcode));
    const quint64 n = quint64(payload.size());
    if (n < 126) {
        out.append(char(n));
    } else if (n <= 0xffff) {
        out.append(char(126));
        out.append(char(n >> 8));
        out.append(char(n & 0xff));
    } else {
        out.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.append(char((n >> shift) & 0xff));
    }
    out.append(payload);
}

class Connection
{
public:
    explicit Connection(int fd) : m_fd(fd) {}

    // Reads until the HTTP upgrade request is complete; answers 101.
    bool handshake()
    {
        while (!m_in.contains("\r\n\r\n")) {
            if (!fill())
                return false;
        }
        const qsizetype end = m_in.indexOf("\r\n\r\n") + 4;
        const QByteArray head = m_in.left(end);
        m_in.remove(0, end);
        QByteArray key;
        bool offersProtocol = false;
        bool offersMqtt = false;
        for (const QByteArray &line : head.split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon < 0)
                continue;
            const QByteArray name = line.left(colon).trimmed().toLower();
            const QByteArray value = line.mid(colon + 1).trimmed();
            if (name == "sec-websocket-key")
                key = value;
            else if (name == "sec-websocket-protocol" && value.contains("pulseboard.v1"))
                offersProtocol = true;
            else if (name == "sec-websocket-protocol" && value.split(',').contains("mqtt"))
                offersMqtt = true;
        }
        if (key.isEmpty())
            return false;
        const QByteArray accept =
            QCryptographicHash::hash(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", QCryptographicHash::Sha1)
                .toBase64();
        QByteArray reply = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: " +
                           accept + "\r\n";
        if (offersProtocol)
            reply += "Sec-WebSocket-Protocol: pulseboard.v1\r\n";
        else if (offersMqtt)
            reply += "Sec-WebSocket-Protocol: mqtt\r\n";
        reply += "\r\n";
        return sendAll(m_fd, reply.constData(), size_t(reply.size()));
    }

    // Next complete client frame; false when the peer closed or the stream broke.
    bool readFrame(quint8 &opcode, QByteArray &payload)
    {
        while (!takeFrame(opcode, payload)) {
            if (!fill())
                return false;
        }
        return true;
    }

    // A complete client frame from what was read so far, if there is one.
    bool takeFrame(quint8 &opcode, QByteArray &payload)
    {
        if (m_in.size() < 2)
            return false;
        const auto *p = reinterpret_cast<const quint8 *>(m_in.constData());
        opcode = p[0] & 0x0f;
        const bool masked = p[1] & 0x80;
        quint64 len = p[1] & 0x7f;
        qsizetype header = 2;
        if (len == 126) {
            header = 4;
            if (m_in.size() < header)
                return false;
            len = (quint64(p[2]) << 8) | p[3];
        } else if (len == 127) {
            header = 10;
            if (m_in.size() < header)
                return false;
            len = 0;
            for (int i = 0; i < 8; ++i)
                len = (len << 8) | p[2 + i];
        }
        const qsizetype maskAt = header;
        if (masked)
            header += 4;
        if (m_in.size() < header + qsizetype(len))
            return false;
        payload = m_in.mid(header, qsizetype(len));
        if (masked) {
            for (qsizetype i = 0; i < payload.size(); ++i)
                payload[i] = char(payload[i] ^ p[maskAt + (i & 3)]);
        }
        m_in.remove(0, header + qsizetype(len));
        return true;
    }

    // Non-blocking socket: reads what is there. False when the peer closed.
    bool fillAvailable()
    {
        char buf[16384];
        for (;;) {
            const ssize_t n = ::recv(m_fd, buf, sizeof buf, MSG_DONTWAIT);
            if (n > 0) {
                m_in.append(buf, n);
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
        }
    }

    bool send(quint8 opcode, QByteArrayView payload)
    {
        QByteArray frame;
        appendFrame(frame, opcode, payload);
        return sendAll(m_fd, frame.constData(), size_t(frame.size()));
    }

    int fd() const { return m_fd; }

private:
    bool fill()
    {
        char buf[16384];
        for (;;) {
            const ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
            if (n > 0) {
                m_in.append(buf, n);
                return true;
            }
            if (n < 0 && errno == EINTR)
                continue;
            return false;
        }
    }

    int m_fd;
    QByteArray m_in;
};

QByteArray encodeFrames(qint64 count, int channels, const QString &prefix)
{
    QByteArray all;
    all.reserve(count * 112);
    const qint64 baseTs = 1700000000000;
    Envelope env;
    env.type = MessageType::Message;
    QList<QString> names;
    for (int c = 0; c < channels; ++c)
        names.append(prefix + QString::number(c));
    for (qint64 i = 0; i < count; ++i) {
        const int c = int(i % channels);
        env.channel = names.at(c);
        env.seq = i / channels + 1;
        env.ts = baseTs + i / 1000;
        // A value with all its digits, like a real sensor reading, to keep frames ~100 bytes.
        env.data = QJsonObject{{QStringLiteral("v"), std::sin(double(i) * 0.001) * 100.0}};
        appendFrame(all, 0x1, encodeEnvelope(env));
    }
    return all;
}

// The same messages as Socket.IO events, each with an offset as a server with connection state
// recovery appends it: `42["message",{"channel":..,"seq":..,"ts":..,"data":{"v":..}},"o<i>"]`.
QByteArray encodeSocketIoFrames(qint64 count, int channels, const QString &prefix)
{
    QByteArray all;
    all.reserve(count * 120);
    const qint64 baseTs = 1700000000000;
    QList<QString> names;
    for (int c = 0; c < channels; ++c)
        names.append(prefix + QString::number(c));
    for (qint64 i = 0; i < count; ++i) {
        const int c = int(i % channels);
        const QJsonObject message{{QStringLiteral("channel"), names.at(c)},
                                  {QStringLiteral("seq"), double(i / channels + 1)},
                                  {QStringLiteral("ts"), double(baseTs + i / 1000)},
                                  {QStringLiteral("data"),
                                   QJsonObject{{QStringLiteral("v"), std::sin(double(i) * 0.001) * 100.0}}}};
        const QJsonArray event{QStringLiteral("message"), message, QStringLiteral("o%1").arg(i)};
        appendFrame(all, 0x1, "42" + QJsonDocument(event).toJson(QJsonDocument::Compact));
    }
    return all;
}

// The same messages as MQTT QoS 0 PUBLISH packets, one per binary WebSocket frame: topic
// `bench.<c>`, payload `{"v":..}` (MQTT has no seq or server time).
QByteArray encodeMqttFrames(qint64 count, int channels, const QString &prefix)
{
    QByteArray all;
    all.reserve(count * 48);
    QList<QByteArray> names;
    for (int c = 0; c < channels; ++c)
        names.append((prefix + QString::number(c)).toUtf8());
    char payload[64];
    for (qint64 i = 0; i < count; ++i) {
        const int c = int(i % channels);
        const int n =
            std::snprintf(payload, sizeof payload, "{\"v\":%.15g}", std::sin(double(i) * 0.001) * 100.0);
        appendFrame(all, 0x2,
                    Mqtt::encodePublish(names.at(c), QByteArrayView(payload, n), 0, false, false, 0));
    }
    return all;
}

// The MQTT answer to one client packet (a binary frame holds one whole packet, as clients send
// them): CONNACK, SUBACK granting QoS 0 for each filter (bench channels collected), PINGRESP.
QByteArray answerMqtt(const QByteArray &in, const QString &prefix, QSet<QString> &subscribed)
{
    QByteArray reply;
    if (in.isEmpty())
        return reply;
    const quint8 type = quint8(in.at(0)) >> 4;
    qsizetype pos = 1;
    qint64 remaining = 0;
    for (int shift = 0; pos < in.size() && shift <= 21; shift += 7) {
        const quint8 b = quint8(in.at(pos++));
        remaining |= qint64(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
    }
    if (type == 1) { // CONNECT
        reply = QByteArray("\x20\x02\x00\x00", 4);
    } else if (type == 8 && pos + 2 <= in.size()) { // SUBSCRIBE
        const QByteArray packetId = in.mid(pos, 2);
        pos += 2;
        QByteArray granted;
        while (pos + 2 <= in.size()) {
            const int len = (quint8(in.at(pos)) << 8) | quint8(in.at(pos + 1));
            pos += 2;
            const QString filter = QString::fromUtf8(in.mid(pos, len));
            pos += len + 1; // and its QoS byte
            if (filter.startsWith(prefix))
                subscribed.insert(filter);
            granted.append('\x00');
        }
        reply = QByteArray(1, '\x90') + Mqtt::encodeRemainingLength(2 + granted.size()) + packetId + granted;
    } else if (type == 12) { // PINGREQ
        reply = QByteArray("\xd0\x00", 2);
    }
    Q_UNUSED(remaining)
    QByteArray frame;
    if (!reply.isEmpty())
        appendFrame(frame, 0x2, reply);
    return frame;
}

// The Socket.IO answer to one client frame: the CONNECT's, a `join` emit's ack (the channel
// collected), an Engine.IO pong needs none (the blaster never pings).
QByteArray answerSocketIo(const QByteArray &in, const QString &prefix, QSet<QString> &subscribed)
{
    QByteArray reply;
    if (in.startsWith("40")) {
        reply = R"(40{"sid":"bench","pid":"bench-pid"})";
    } else if (in.startsWith("42")) {
        qsizetype i = 2;
        while (i < in.size() && std::isdigit(static_cast<unsigned char>(in.at(i))))
            ++i;
        const QByteArray ackId = in.mid(2, i - 2);
        const QJsonArray args = QJsonDocument::fromJson(in.mid(i)).array();
        if (args.at(0).toString() == QLatin1StringView("join") && args.at(1).toString().startsWith(prefix))
            subscribed.insert(args.at(1).toString());
        if (!ackId.isEmpty())
            reply = "43" + ackId + R"([{"ok":true}])";
    }
    QByteArray frame;
    if (!reply.isEmpty())
        appendFrame(frame, 0x1, reply);
    return frame;
}

// The reply to one client frame (empty when it needs none). `subscribed` collects bench channels.
QByteArray answer(const Envelope &in, const QString &prefix, int channels, double rate,
                  QSet<QString> &subscribed, const QList<qint64> &seqs)
{
    Envelope reply;
    if (in.type == MessageType::Subscribe) {
        reply.type = MessageType::Subscribed;
        reply.id = in.id;
        reply.channel = in.channel;
        reply.seq = 0;
        if (in.channel.startsWith(prefix))
            subscribed.insert(in.channel);
    } else if (in.type == MessageType::Ping) {
        reply.type = MessageType::Pong;
        reply.id = in.id;
        reply.ts = in.ts;
    } else if (in.type == MessageType::Auth) {
        reply.type = MessageType::Ack;
        reply.id = in.id;
    } else if (in.type == MessageType::Request && in.text == QLatin1StringView("channels.list")) {
        // What a hub would list, so a dashboard's Channels panel has real rows.
        QJsonArray list;
        for (int c = 0; c < channels; ++c)
            list.append(QJsonObject{{QStringLiteral("name"), prefix + QString::number(c)},
                                    {QStringLiteral("seq"), double(seqs.value(c))},
                                    {QStringLiteral("rate"), rate}});
        reply.type = MessageType::Response;
        reply.id = in.id;
        reply.data = list;
    } else if (in.type == MessageType::Request) {
        reply.type = MessageType::Error;
        reply.id = in.id;
        reply.code = 4004;
        reply.text =
            QStringLiteral("unknown method '%1' (bench-blaster serves channels.list)").arg(in.text.left(60));
    } else {
        return QByteArray();
    }
    QByteArray frame;
    appendFrame(frame, 0x1, encodeEnvelope(reply));
    return frame;
}

qint64 nowNs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

qint64 wallMs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return qint64(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Paced mode: `rate` messages a second on each of `channels` channels, stamped with the wall
// clock when they are written (the dashboard charts them by that time). The socket is
// non-blocking: what the kernel does not take waits here, and that backlog is reported, so
// a receiver that falls behind shows up as a growing queue instead of a slower sender.
// Prints "stats <seconds> sent=<n> pending=<bytes> outq=<bytes>" once a second on stdout.
int runPaced(Connection &conn, double rate, int channels, const QString &prefix)
{
    ::fcntl(conn.fd(), F_SETFL, ::fcntl(conn.fd(), F_GETFL) | O_NONBLOCK);
    QList<QByteArray> names;
    for (int c = 0; c < channels; ++c)
        names.append((prefix + QString::number(c)).toUtf8());
    QList<qint64> seqs(channels, 0);
    QSet<QString> subscribed;
    QByteArray out; // written to the socket from `written` on
    qsizetype written = 0;
    qint64 sent = 0; // message frames made
    qint64 startNs = -1;
    qint64 nextReportNs = 0;
    const double perNs = rate * channels / 1e9;
    const qsizetype maxBacklog = qsizetype(512) << 20;
    quint8 opcode = 0;
    QByteArray payload;
    char text[256];
    for (;;) {
        const qint64 now = nowNs();
        int timeoutMs = 1;
        if (startNs < 0)
            timeoutMs = 100;
        pollfd pfd{conn.fd(), short(POLLIN | (written < out.size() ? POLLOUT : 0)), 0};
        const int ready = ::poll(&pfd, 1, timeoutMs);
        if (ready < 0 && errno != EINTR)
            die("poll");
        if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
            const bool open = conn.fillAvailable();
            while (conn.takeFrame(opcode, payload)) {
                if (opcode == 0x8) {
                    QByteArray close;
                    appendFrame(close, 0x8, payload.left(2));
                    ::send(conn.fd(), close.constData(), size_t(close.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
                    std::fprintf(stderr, "bench-blaster: client closed; sent %lld messages\n",
                                 static_cast<long long>(sent));
                    return 0;
                }
                if (opcode == 0x9) {
                    appendFrame(out, 0xA, payload);
                    continue;
                }
                if (opcode != 0x1)
                    continue;
                Envelope in;
                DecodeError error;
                if (!decodeEnvelope(payload, in, &error)) {
                    std::fprintf(stderr, "bench-blaster: unreadable client frame: %s\n",
                                 qPrintable(error.message));
                    continue;
                }
                out.append(answer(in, prefix, channels, rate, subscribed, seqs));
            }
            if (!open) {
                std::fprintf(stderr, "bench-blaster: client gone; sent %lld messages\n",
                             static_cast<long long>(sent));
                return 0;
            }
        }
        if (startNs < 0 && subscribed.size() >= channels) {
            startNs = now;
            nextReportNs = now + 1000000000;
        }
        if (startNs >= 0) {
            const qint64 due = qint64(double(nowNs() - startNs) * perNs);
            const qint64 ts = wallMs();
            for (; sent < due; ++sent) {
                const int c = int(sent % channels);
                const qint64 seq = ++seqs[c];
                // A wave per channel, with all its digits, like a real sensor reading.
                const double v = std::sin(double(seq) * 0.002 + c) * 100.0;
                const int n = std::snprintf(
                    text, sizeof text,
                    "{\"type\":\"message\",\"channel\":\"%s\",\"seq\":%lld,\"ts\":%lld,"
                    "\"data\":{\"v\":%.15g}}",
                    names.at(c).constData(), static_cast<long long>(seq), static_cast<long long>(ts), v);
                appendFrame(out, 0x1, QByteArrayView(text, n));
            }
        }
        while (written < out.size()) {
            const ssize_t n = ::send(conn.fd(), out.constData() + written, size_t(out.size() - written),
                                     MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) {
                written += n;
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                break;
            std::fprintf(stderr, "bench-blaster: client gone; sent %lld messages\n",
                         static_cast<long long>(sent));
            return 0;
        }
        if (written == out.size()) {
            out.clear();
            written = 0;
        } else if (written > (qsizetype(1) << 20)) {
            out.remove(0, written);
            written = 0;
        }
        if (out.size() - written > maxBacklog) {
            std::fprintf(stderr, "bench-blaster: the client fell %lld bytes behind; giving up\n",
                         static_cast<long long>(out.size() - written));
            return 1;
        }
        if (startNs >= 0 && nowNs() >= nextReportNs) {
            int outq = 0;
            ::ioctl(conn.fd(), TIOCOUTQ, &outq);
            std::printf("stats %.1f sent=%lld pending=%lld outq=%d\n", double(nowNs() - startNs) / 1e9,
                        static_cast<long long>(sent), static_cast<long long>(out.size() - written), outq);
            std::fflush(stdout);
            nextReportNs += 1000000000;
        }
    }
}

} // namespace

int main(int argc, char **argv)
{
    int port = 0;
    qint64 count = 1000000;
    int channels = 10;
    QString prefix = QStringLiteral("bench.");
    double rate = 0;
    bool socketIo = false;
    bool mqtt = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto next = [&]() -> const char * {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "bench-blaster: %s needs a value\n", arg.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (arg == "--port")
            port = std::atoi(next());
        else if (arg == "--count")
            count = std::atoll(next());
        else if (arg == "--channels")
            channels = std::max(1, std::atoi(next()));
        else if (arg == "--prefix")
            prefix = QString::fromLocal8Bit(next());
        else if (arg == "--rate")
            rate = std::atof(next());
        else if (arg == "--dialect") {
            const std::string d = next();
            if (d != "socketio" && d != "pulseboard" && d != "mqtt") {
                std::fprintf(stderr, "bench-blaster: --dialect is pulseboard, socketio or mqtt\n");
                return 2;
            }
            socketIo = d == "socketio";
            mqtt = d == "mqtt";
        } else {
            std::fprintf(
                stderr, "usage: bench-blaster [--port P] [--count N | --rate HZ] [--channels C] [--prefix S] "
                        "[--dialect pulseboard|socketio|mqtt]\n");
            return 2;
        }
    }

    if (rate < 0 || !std::isfinite(rate)) {
        std::fprintf(stderr, "bench-blaster: --rate must be >= 0\n");
        return 2;
    }
    if ((socketIo || mqtt) && rate > 0) {
        std::fprintf(stderr, "bench-blaster: --dialect socketio or mqtt goes with --count, not --rate\n");
        return 2;
    }
    const QByteArray frames = rate > 0   ? QByteArray()
                              : socketIo ? encodeSocketIoFrames(count, channels, prefix)
                              : mqtt     ? encodeMqttFrames(count, channels, prefix)
                                         : encodeFrames(count, channels, prefix);

    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    if (listener < 0)
        die("socket");
    const int one = 1;
    ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(quint16(port));
    if (::bind(listener, reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0)
        die("bind");
    if (::listen(listener, 1) < 0)
        die("listen");
    socklen_t len = sizeof addr;
    ::getsockname(listener, reinterpret_cast<sockaddr *>(&addr), &len);
    std::printf("listening %d\n", ntohs(addr.sin_port));
    std::fflush(stdout);

    const int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0)
        die("accept");
    ::close(listener);
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    Connection conn(fd);
    if (!conn.handshake()) {
        std::fprintf(stderr, "bench-blaster: no WebSocket handshake\n");
        return 1;
    }

    if (rate > 0)
        return runPaced(conn, rate, channels, prefix);
    // Engine.IO's open packet; a ping interval beyond any run, so no heartbeat is measured.
    if (socketIo &&
        !conn.send(
            0x1,
            R"(0{"sid":"bench","upgrades":[],"pingInterval":600000,"pingTimeout":600000,"maxPayload":1000000})"))
        return 1;

    QSet<QString> subscribed;
    const QList<qint64> noSeqs;
    bool sent = count == 0;
    quint8 opcode = 0;
    QByteArray payload;
    quint64 frameCount = 0;
    while (conn.readFrame(opcode, payload)) {
        ++frameCount;
        if (opcode == 0x8) { // close: echo it and stop
            conn.send(0x8, payload.left(2));
            break;
        }
        if (opcode == 0x9) {
            conn.send(0xA, payload);
            continue;
        }
        // The dialect's answer to the client's frame (MQTT: binary, the others: text).
        QByteArray reply;
        if (mqtt) {
            if (opcode != 0x2)
                continue;
            reply = answerMqtt(payload, prefix, subscribed);
        } else if (opcode != 0x1) {
            continue;
        } else if (socketIo) {
            reply = answerSocketIo(payload, prefix, subscribed);
        } else {
            Envelope in;
            DecodeError error;
            if (!decodeEnvelope(payload, in, &error)) {
                std::fprintf(stderr, "bench-blaster: unreadable client frame: %s\n",
                             qPrintable(error.message));
                continue;
            }
            reply = answer(in, prefix, channels, 0, subscribed, noSeqs);
        }
        if (!reply.isEmpty() && !sendAll(conn.fd(), reply.constData(), size_t(reply.size())))
            break;
        // Every bench channel subscribed: the whole pre-encoded run at once.
        if (!sent && subscribed.size() >= channels) {
            sent = true;
            if (!sendAll(conn.fd(), frames.constData(), size_t(frames.size()))) {
                std::fprintf(stderr, "bench-blaster: client went away while sending\n");
                break;
            }
        }
    }
    ::close(fd);
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    std::fprintf(
        stderr, "bench-blaster: sent %lld frames (%lld bytes), read %llu client frames, cpu %.2f s\n",
        sent ? static_cast<long long>(count) : 0LL, static_cast<long long>(frames.size()),
        static_cast<unsigned long long>(frameCount),
        double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
    return 0;
}
