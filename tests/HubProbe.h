// Test clients for the hub tests. ProtocolProbe: a bare QWebSocket speaking PROTOCOL.md frame by
// frame (no ConnectionManager logic in the way), recording every frame and the close code.
// RawWsClient: a hand-rolled WebSocket client over QTcpSocket that can stop reading (a slow
// consumer) and never answers ping frames (a dead peer), which QWebSocket will not do.
#pragma once

#include "protocol/Envelope.h"

#include <QElapsedTimer>
#include <QJsonValue>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QSemaphore>
#include <QTcpSocket>
#include <QThread>
#include <QUrl>
#include <QWebSocket>

#include <memory>
#include <type_traits>
#include <utility>

namespace Pulseboard {
class HubServer;
struct HubOptions;
} // namespace Pulseboard

namespace HubTest {

class ProtocolProbe : public QObject
{
    Q_OBJECT
public:
    explicit ProtocolProbe(const QString &origin = QString(), QObject *parent = nullptr);

    bool open(const QUrl &url, int timeoutMs = 5000);
    void sendRaw(const QByteArray &json);
    void send(const Pulseboard::Envelope &env);
    // Convenience senders; each returns the id it used.
    QString ping(qint64 ts);
    QString auth(const QString &token);
    QString subscribe(const QString &channel, qint64 since = -1);
    // A first subscribe asking for a backfill of up to `history` retained messages.
    QString subscribeWithHistory(const QString &channel, qint64 history);
    QString unsubscribe(const QString &channel);
    QString publish(const QString &channel, const QJsonValue &data, const QString &id = QString());
    QString request(const QString &method, const QJsonValue &params = QJsonValue());

    // Waits for the first frame of `type` (and `id` when given) not yet taken; returns it.
    // `ok` false on timeout.
    Pulseboard::Envelope waitFor(Pulseboard::MessageType type, const QString &id = QString(),
                                 bool *ok = nullptr, int timeoutMs = 5000);
    QList<Pulseboard::Envelope> ofType(Pulseboard::MessageType type) const;
    QList<qint64> seqsOf(const QString &channel) const;
    bool waitClosed(int timeoutMs = 5000);
    bool isClosed() const { return m_closed; }
    int closeCode() const { return m_closeCode; }
    QString closeReason() const { return m_closeReason; }
    QWebSocket &socket() { return m_socket; }

    QList<Pulseboard::Envelope> frames;

private:
    QWebSocket m_socket;
    QList<bool> m_taken;
    int m_counter = 0;
    bool m_closed = false;
    int m_closeCode = -1;
    QString m_closeReason;
};

// What most hub tests start: a port the system picks, no demo feeds.
Pulseboard::HubOptions quietHubOptions();

// A hub on `options`, started; null (with a warning saying why) when it would not start.
std::unique_ptr<Pulseboard::HubServer> startHub(const Pulseboard::HubOptions &options);

// Opens `probe` on `url` and authenticates with `token`: true once the auth is acked.
bool openAuthed(ProtocolProbe &probe, const QUrl &url, const QString &token);

// A hub on a thread of its own: what a test's own clients cost on the test's thread (encoding,
// masking and decoding large frames) is then not counted as the hub's time. Everything asked of
// the hub goes through call(), which runs on the hub's thread and waits for it.
class HubThread : public QThread
{
public:
    explicit HubThread(const Pulseboard::HubOptions &options);
    ~HubThread() override; // the hub is freed on its thread, then the thread ends
    bool startHub(QString *error);
    QUrl url() const { return m_url; }
    template <typename F> auto call(F &&f)
    {
        using R = decltype(f(std::declval<Pulseboard::HubServer &>()));
        if constexpr (std::is_void_v<R>) {
            QMetaObject::invokeMethod(
                m_context, [&] { f(*m_hub); }, Qt::BlockingQueuedConnection);
        } else {
            R result{};
            QMetaObject::invokeMethod(
                m_context, [&] { result = f(*m_hub); }, Qt::BlockingQueuedConnection);
            return result;
        }
    }

protected:
    void run() override;

private:
    std::unique_ptr<Pulseboard::HubOptions> m_options;
    QSemaphore m_ready;
    QObject *m_context = nullptr;
    Pulseboard::HubServer *m_hub = nullptr;
    bool m_started = false;
    QString m_error;
    QUrl m_url;
};

// An authenticated client on a thread of its own that pings every `intervalMs` and records each
// pong's round trip: what it measures is the hub's answer, not the test thread's business.
class PingerThread : public QThread
{
public:
    PingerThread(const QUrl &url, const QString &token, int intervalMs = 5);
    ~PingerThread() override; // stops pinging, closes, ends the thread
    qint64 now() const;       // ms on the clock the pings are stamped with
    int sent() const;
    int answered() const;
    bool isClosed() const;
    int errors() const;
    // Round trips of the pings sent at or after `fromMs` and before `toMs`.
    QList<qint64> rttsSentBetween(qint64 fromMs, qint64 toMs) const;
    void stopPinging();

protected:
    void run() override;

private:
    QUrl m_url;
    QString m_token;
    int m_intervalMs;
    QElapsedTimer m_clock;
    mutable QMutex m_mutex;
    int m_sent = 0;
    int m_errors = 0;
    bool m_closed = false;
    bool m_stop = false;
    QList<std::pair<qint64, qint64>> m_rtts; // sent at, round trip
};

// One client-to-server WebSocket frame (RFC 6455 5.2): FIN, `opcode`, the mask bit, the length
// (7-bit, 16-bit or 64-bit form), a random masking key and the masked payload.
QByteArray maskedClientFrame(int opcode, const QByteArray &payload);

class RawWsClient : public QObject
{
    Q_OBJECT
public:
    explicit RawWsClient(QObject *parent = nullptr);
    // Connects and completes the upgrade; the read buffer is then capped so that, once we stop
    // reading, the kernel buffers fill and the server's sends back up.
    bool open(quint16 port, int timeoutMs = 5000);
    void sendText(const QByteArray &payload);
    void stopReading();
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    QTcpSocket &socket() { return m_socket; }

private:
    QTcpSocket m_socket;
};

} // namespace HubTest
