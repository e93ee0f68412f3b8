// ConnectionStatus: the connection's state in words for the header and the banner, e.g.
// "Connection lost 12 s ago. Reconnecting in 4 s (attempt 3 of 10)." The wording is a pure
// function of a snapshot (describe()), tested as a table; the QObject refreshes it a few times
// a second so the countdown and the ages move, and remembers when the connection was lost
// (the manager's own lastChangeMs moves on every retry).
#pragma once

#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>
#include <QtQml/qqmlregistration.h>

namespace Pulseboard {

class ConnectionMirror;

struct StatusInput
{
    int state = 0; // ConnectionManager::State
    qint64 nowMs = 0;
    qint64 lostAtMs = 0; // when the last Open session ended (0: never open / not lost)
    qint64 stateSinceMs = 0;
    qint64 retryAtMs = 0;
    int attempt = 0;
    int maxRetries = 0;
    int lastCloseCode = 0;
    bool failedOnToken = false;
    QString errorString;
    QString endpoint;
};

struct StatusText
{
    QString headline; // one or two words next to the coloured dot
    QString banner;   // a sentence; empty when Open
    QString severity; // "ok", "warn", "error", "idle"
};

StatusText describe(const StatusInput &in);
// "12 s", "3 min 05 s", "2 h 07 min": ages and uptimes for people.
QString formatDuration(qint64 ms);

class ConnectionStatus : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ConnectionStatus is owned by the dashboard")
    Q_PROPERTY(QString headline READ headline NOTIFY headlineChanged)
    Q_PROPERTY(QString banner READ banner NOTIFY bannerChanged)
    Q_PROPERTY(QString severity READ severity NOTIFY severityChanged)
    Q_PROPERTY(QString endpoint READ endpoint NOTIFY endpointChanged)
    Q_PROPERTY(QString uptime READ uptime NOTIFY uptimeChanged)
    Q_PROPERTY(bool live READ live NOTIFY liveChanged)
    Q_PROPERTY(bool canRetry READ canRetry NOTIFY canRetryChanged)
    // Failed because the server refused the token: retrying with the same one would only repeat it.
    Q_PROPERTY(bool tokenRefused READ tokenRefused NOTIFY tokenRefusedChanged)

public:
    explicit ConnectionStatus(QObject *parent = nullptr);
    void attach(ConnectionMirror *manager);
    // "Gave up: why", or the reason alone when it already says so ("gave up after 2 attempts;
    // last error: ..." reads "Gave up after 2 attempts; last error: ...", not "gave up" twice).
    static QString gaveUpWords(const QString &error);
    // Recomputes the words now (also runs on a 250 ms timer and on every state change).
    void update();

    QString headline() const { return m_text.headline; }
    QString banner() const { return m_text.banner; }
    QString severity() const { return m_text.severity; }
    QString endpoint() const { return m_endpoint; }
    QString uptime() const { return m_uptime; }
    bool live() const { return m_live; }
    bool canRetry() const { return m_canRetry; }
    bool tokenRefused() const { return m_tokenRefused; }
    qint64 lostAtMs() const { return m_lostAtMs; }

Q_SIGNALS:
    void headlineChanged();
    void bannerChanged();
    void severityChanged();
    void endpointChanged();
    void uptimeChanged();
    void liveChanged();
    void canRetryChanged();
    void tokenRefusedChanged();
    // Once per update() that changed anything, after the signals above: for whoever follows
    // the whole state (automation prints it as one line).
    void changed();

private:
    QPointer<ConnectionMirror> m_manager;
    QTimer m_timer;
    StatusText m_text;
    QString m_endpoint;
    QString m_uptime;
    bool m_live = false;
    bool m_canRetry = false;
    bool m_tokenRefused = false;
    qint64 m_lostAtMs = 0;
    int m_previousState = 0;
};

} // namespace Pulseboard
