// bench-blaster: the sending side of the ingest benchmark, a minimal protocol server that
// costs the receiver nothing. It pre-encodes every frame before it listens (so encoding is not
// measured), accepts one WebSocket client on 127.0.0.1, answers `subscribe` and `ping`, and once
// every bench channel is subscribed writes all frames with blocking send(): the kernel's socket
// buffer makes it go exactly as fast as the client drains. Plain POSIX sockets so the sender
// spends its core in write(), not in an event loop. With --count 0 it only answers (idle bench).
//
//   bench-blaster [--port P] [--count N] [--channels C] [--prefix bench.]
// prints "listening <port>" on stdout once ready, and a summary line when the client is gone.

#include "protocol/Envelope.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QJsonObject>
#include <QSet>
#include <QString>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

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
        }
        if (key.isEmpty())
            return false;
        const QByteArray accept =
            QCryptographicHash::hash(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", QCryptographicHash::Sha1).toBase64();
        QByteArray reply = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: " + accept + "\r\n";
        if (offersProtocol)
            reply += "Sec-WebSocket-Protocol: pulseboard.v1\r\n";
        reply += "\r\n";
        return sendAll(m_fd, reply.constData(), size_t(reply.size()));
    }

    // Next complete client frame; false when the peer closed or the stream broke.
    bool readFrame(quint8 &opcode, QByteArray &payload)
    {
        for (;;) {
            if (m_in.size() >= 2) {
                const auto *p = reinterpret_cast<const quint8 *>(m_in.constData());
                opcode = p[0] & 0x0f;
                const bool masked = p[1] & 0x80;
                quint64 len = p[1] & 0x7f;
                qsizetype header = 2;
                if (len == 126) {
                    header = 4;
                    if (m_in.size() >= header)
                        len = (quint64(p[2]) << 8) | p[3];
                } else if (len == 127) {
                    header = 10;
                    if (m_in.size() >= header) {
                        len = 0;
                        for (int i = 0; i < 8; ++i)
                            len = (len << 8) | p[2 + i];
                    }
                }
                const qsizetype maskAt = header;
                if (masked)
                    header += 4;
                if (m_in.size() >= header && m_in.size() >= header + qsizetype(len)) {
                    payload = m_in.mid(header, qsizetype(len));
                    if (masked) {
                        for (qsizetype i = 0; i < payload.size(); ++i)
                            payload[i] = char(payload[i] ^ p[maskAt + (i & 3)]);
                    }
                    m_in.remove(0, header + qsizetype(len));
                    return true;
                }
            }
            if (!fill())
                return false;
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

} // namespace

int main(int argc, char **argv)
{
    int port = 0;
    qint64 count = 1000000;
    int channels = 10;
    QString prefix = QStringLiteral("bench.");
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
        else {
            std::fprintf(stderr, "usage: bench-blaster [--port P] [--count N] [--channels C] [--prefix S]\n");
            return 2;
        }
    }

    const QByteArray frames = encodeFrames(count, channels, prefix);

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

    QSet<QString> subscribed;
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
        if (opcode != 0x1)
            continue;
        Envelope in;
        DecodeError error;
        if (!decodeEnvelope(payload, in, &error)) {
            std::fprintf(stderr, "bench-blaster: unreadable client frame: %s\n", qPrintable(error.message));
            continue;
        }
        Envelope reply;
        if (in.type == MessageType::Subscribe) {
            reply.type = MessageType::Subscribed;
            reply.id = in.id;
            reply.channel = in.channel;
            reply.seq = 0;
            conn.send(0x1, encodeEnvelope(reply));
            if (in.channel.startsWith(prefix))
                subscribed.insert(in.channel);
        } else if (in.type == MessageType::Ping) {
            reply.type = MessageType::Pong;
            reply.id = in.id;
            reply.ts = in.ts;
            conn.send(0x1, encodeEnvelope(reply));
        } else if (in.type == MessageType::Auth) {
            reply.type = MessageType::Ack;
            reply.id = in.id;
            conn.send(0x1, encodeEnvelope(reply));
        }
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
    std::fprintf(stderr, "bench-blaster: sent %lld frames (%lld bytes), read %llu client frames, cpu %.2f s\n",
                 sent ? static_cast<long long>(count) : 0LL, static_cast<long long>(frames.size()),
                 static_cast<unsigned long long>(frameCount),
                 double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
    return 0;
}
