#include "HubProbe.h"

#include "hub/HubServer.h"

#include <QJsonObject>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

using namespace Pulseboard;

namespace HubTest {

ProtocolProbe::ProtocolProbe(const QString &origin, QObject *parent)
    : QObject(parent), m_socket(origin, QWebSocketProtocol::VersionLatest)
{
    connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        Envelope env;
        if (decodeEnvelope(text.toUtf8(), env)) {
            frames.append(env);
            m_taken.append(false);
        } else {
            qWarning("probe: undecodable frame from the hub: %s", qPrintable(text.left(200)));
        }
    });
    connect(&m_socket, &QWebSocket::disconnected, this, [this] {
        m_closed = true;
        m_closeCode = m_socket.closeCode();
        m_closeReason = m_socket.closeReason();
    });
}

bool ProtocolProbe::open(const QUrl &url, int timeoutMs)
{
    QSignalSpy connected(&m_socket, &QWebSocket::connected);
    m_socket.open(url);
    return connected.wait(timeoutMs) || connected.count() > 0;
}

void ProtocolProbe::sendRaw(const QByteArray &json)
{
    m_socket.sendTextMessage(QString::fromUtf8(json));
}

void ProtocolProbe::send(const Envelope &env)
{
    sendRaw(encodeEnvelope(env));
}

QString ProtocolProbe::ping(qint64 ts)
{
    Envelope e;
    e.type = MessageType::Ping;
    e.id = QStringLiteral("p%1").arg(++m_counter);
    e.ts = ts;
    send(e);
    return e.id;
}

QString ProtocolProbe::auth(const QString &token)
{
    Envelope e;
    e.type = MessageType::Auth;
    e.id = QStringLiteral("a%1").arg(++m_counter);
    e.text = token;
    send(e);
    return e.id;
}

QString ProtocolProbe::subscribe(const QString &channel, qint64 since)
{
    Envelope e;
    e.type = MessageType::Subscribe;
    e.id = QStringLiteral("s%1").arg(++m_counter);
    e.channel = channel;
    e.since = since;
    send(e);
    return e.id;
}

QString ProtocolProbe::subscribeWithHistory(const QString &channel, qint64 history)
{
    Envelope e;
    e.type = MessageType::Subscribe;
    e.id = QStringLiteral("s%1").arg(++m_counter);
    e.channel = channel;
    e.history = history;
    send(e);
    return e.id;
}

QString ProtocolProbe::unsubscribe(const QString &channel)
{
    Envelope e;
    e.type = MessageType::Unsubscribe;
    e.id = QStringLiteral("u%1").arg(++m_counter);
    e.channel = channel;
    send(e);
    return e.id;
}

QString ProtocolProbe::publish(const QString &channel, const QJsonValue &data, const QString &id)
{
    Envelope e;
    e.type = MessageType::Publish;
    e.id = id.isEmpty() ? QStringLiteral("m%1").arg(++m_counter) : id;
    e.channel = channel;
    e.data = data;
    send(e);
    return e.id;
}

QString ProtocolProbe::request(const QString &method, const QJsonValue &params)
{
    Envelope e;
    e.type = MessageType::Request;
    e.id = QStringLiteral("r%1").arg(++m_counter);
    e.text = method;
    e.data = params;
    send(e);
    return e.id;
}

Envelope ProtocolProbe::waitFor(MessageType type, const QString &id, bool *ok, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    for (;;) {
        for (qsizetype i = 0; i < frames.size(); ++i) {
            if (!m_taken.at(i) && frames.at(i).type == type && (id.isEmpty() || frames.at(i).id == id)) {
                m_taken[i] = true;
                if (ok)
                    *ok = true;
                return frames.at(i);
            }
        }
        if (timer.elapsed() > timeoutMs) {
            if (ok)
                *ok = false;
            return Envelope{};
        }
        QTest::qWait(5);
    }
}

QList<Envelope> ProtocolProbe::ofType(MessageType type) const
{
    QList<Envelope> out;
    for (const Envelope &e : frames) {
        if (e.type == type)
            out.append(e);
    }
    return out;
}

QList<qint64> ProtocolProbe::seqsOf(const QString &channel) const
{
    QList<qint64> out;
    for (const Envelope &e : frames) {
        if (e.type == MessageType::Message && e.channel == channel)
            out.append(e.seq);
    }
    return out;
}

bool ProtocolProbe::waitClosed(int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!m_closed && timer.elapsed() < timeoutMs)
        QTest::qWait(5);
    return m_closed;
}

RawWsClient::RawWsClient(QObject *parent) : QObject(parent) {}

bool RawWsClient::open(quint16 port, int timeoutMs)
{
    m_socket.connectToHost(QHostAddress::LocalHost, port);
    if (!m_socket.waitForConnected(timeoutMs))
        return false;
    const QByteArray request =
        "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    m_socket.write(request);
    QByteArray response;
    QElapsedTimer timer;
    timer.start();
    while (!response.contains("\r\n\r\n") && timer.elapsed() < timeoutMs) {
        QTest::qWait(5);
        response += m_socket.read(m_socket.bytesAvailable() > 0 ? 1 : 0);
        while (m_socket.bytesAvailable() > 0 && !response.contains("\r\n\r\n"))
            response += m_socket.read(1);
    }
    return response.startsWith("HTTP/1.1 101");
}

Pulseboard::HubOptions quietHubOptions()
{
    Pulseboard::HubOptions o;
    o.port = 0;
    o.feedsEnabled = false;
    return o;
}

std::unique_ptr<Pulseboard::HubServer> startHub(const Pulseboard::HubOptions &options)
{
    auto hub = std::make_unique<Pulseboard::HubServer>(options);
    QString error;
    if (!hub->start(&error)) {
        qWarning("hub did not start: %s", qPrintable(error));
        return nullptr;
    }
    return hub;
}

HubThread::HubThread(const Pulseboard::HubOptions &options)
    : m_options(std::make_unique<Pulseboard::HubOptions>(options))
{
}

HubThread::~HubThread()
{
    quit();
    wait();
}

bool HubThread::startHub(QString *error)
{
    start();
    m_ready.acquire();
    if (!m_started && error)
        *error = m_error;
    return m_started;
}

void HubThread::run()
{
    QObject context;
    Pulseboard::HubServer hub(*m_options);
    m_started = hub.start(&m_error);
    m_url = hub.url();
    m_context = &context;
    m_hub = &hub;
    m_ready.release();
    if (m_started)
        exec();
    m_hub = nullptr;
    m_context = nullptr;
}

PingerThread::PingerThread(const QUrl &url, const QString &token, int intervalMs)
    : m_url(url), m_token(token), m_intervalMs(intervalMs)
{
    m_clock.start();
    start();
}

PingerThread::~PingerThread()
{
    quit();
    wait();
}

qint64 PingerThread::now() const
{
    return m_clock.elapsed();
}

int PingerThread::sent() const
{
    QMutexLocker lock(&m_mutex);
    return m_sent;
}

int PingerThread::answered() const
{
    QMutexLocker lock(&m_mutex);
    return int(m_rtts.size());
}

bool PingerThread::isClosed() const
{
    QMutexLocker lock(&m_mutex);
    return m_closed;
}

int PingerThread::errors() const
{
    QMutexLocker lock(&m_mutex);
    return m_errors;
}

QList<qint64> PingerThread::rttsSentBetween(qint64 fromMs, qint64 toMs) const
{
    QMutexLocker lock(&m_mutex);
    QList<qint64> out;
    for (const auto &[sentAt, rtt] : m_rtts) {
        if (sentAt >= fromMs && sentAt < toMs)
            out.append(rtt);
    }
    return out;
}

void PingerThread::stopPinging()
{
    QMutexLocker lock(&m_mutex);
    m_stop = true;
}

void PingerThread::run()
{
    QWebSocket socket;
    QTimer timer;
    int counter = 0;
    QObject::connect(&socket, &QWebSocket::connected, &socket, [&] {
        socket.sendTextMessage(
            QString::fromUtf8(R"({"type":"auth","id":"auth","token":")" + m_token.toUtf8() + "\"}"));
    });
    QObject::connect(&socket, &QWebSocket::disconnected, &socket, [&] {
        QMutexLocker lock(&m_mutex);
        m_closed = true;
    });
    QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket, [&](const QString &text) {
        Pulseboard::Envelope env;
        if (!Pulseboard::decodeEnvelope(text.toUtf8(), env))
            return;
        if (env.type == Pulseboard::MessageType::Ack && env.id == QLatin1StringView("auth")) {
            timer.start(m_intervalMs);
        } else if (env.type == Pulseboard::MessageType::Pong && env.id.startsWith(u'b')) {
            QMutexLocker lock(&m_mutex);
            m_rtts.append({env.ts, m_clock.elapsed() - env.ts});
        } else if (env.type == Pulseboard::MessageType::Error) {
            QMutexLocker lock(&m_mutex);
            ++m_errors;
        }
    });
    QObject::connect(&timer, &QTimer::timeout, &socket, [&] {
        {
            QMutexLocker lock(&m_mutex);
            if (m_stop) {
                timer.stop();
                return;
            }
            ++m_sent;
        }
        Pulseboard::Envelope e;
        e.type = Pulseboard::MessageType::Ping;
        e.id = QStringLiteral("b%1").arg(++counter);
        e.ts = m_clock.elapsed();
        socket.sendTextMessage(QString::fromUtf8(Pulseboard::encodeEnvelope(e)));
    });
    socket.open(m_url);
    exec();
    timer.stop();
    socket.abort();
}

bool openAuthed(ProtocolProbe &probe, const QUrl &url, const QString &token)
{
    if (!probe.open(url))
        return false;
    bool ok = false;
    probe.waitFor(Pulseboard::MessageType::Ack, probe.auth(token), &ok);
    return ok;
}

QByteArray maskedClientFrame(int opcode, const QByteArray &payload)
{
    QByteArray frame;
    frame.append(char(0x80 | opcode));
    const quint64 size = quint64(payload.size());
    if (size < 126) {
        frame.append(char(0x80 | size));
    } else if (size <= 0xffff) {
        frame.append(char(0x80 | 126));
        frame.append(char((size >> 8) & 0xff));
        frame.append(char(size & 0xff));
    } else {
        frame.append(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((size >> shift) & 0xff));
    }
    const quint32 key = QRandomGenerator::global()->generate();
    const char mask[4] = {char(key >> 24), char(key >> 16), char(key >> 8), char(key)};
    frame.append(mask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload.at(i) ^ mask[i % 4]));
    return frame;
}

void RawWsClient::sendText(const QByteArray &payload)
{
    m_socket.write(maskedClientFrame(0x1, payload));
    m_socket.flush();
}

void RawWsClient::stopReading()
{
    m_socket.setReadBufferSize(4096);
    m_socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
}

} // namespace HubTest
