// Every knob of a connection, with the defaults of PROTOCOL.md. Intervals are options so that
// tests run heartbeats and backoff at tens of milliseconds.
#pragma once

#include "BackoffPolicy.h"
#include "Outbox.h"
#include "TokenSource.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUrl>

#include <functional>

namespace Pulseboard {

struct ConnectionOptions
{
    QList<QUrl> endpoints;
    QString token;                          // empty: no auth step
    std::function<QString()> tokenProvider; // when set, asked again before every auth
    // When set, asked before every connect (over `token` and `tokenProvider`): a token file or
    // command. A failure ends that attempt with its error and is retried like a lost connection;
    // a token that expires (close 4001 "token expired") is replaced from it at once.
    TokenSourceFn tokenSource;

    int heartbeatIntervalMs = 30000;
    int heartbeatTimeoutMs = 10000;
    int connectTimeoutMs = 10000; // TCP + WebSocket handshake + auth + resubscribe
    BackoffPolicy backoff;
    int maxRetries = 10;            // 0: never give up
    int rateLimitMinDelayMs = 5000; // after close 4008
    // After a close 4008 (rate limited) the next session sends its queue at most this many frames
    // a second (bursts of half as many), so a queue longer than the server's burst drains instead
    // of being cut at every reconnect. 0: never paced.
    int pacedSendPerSec = 100;

    int requestTimeoutMs = 10000; // default for request()
    int ackTimeoutMs = 10000;     // a sent publish without ack is sent again
    // A publish whose ack deadline passes this many times on connections that stayed up is reported
    // as failed. A send cut by a lost connection does not count: its fate is unknown, the hub
    // dedupes the resend, and the reconnect policy (maxRetries) bounds how long that goes on.
    int maxSendAttempts = 5;
    // A first subscribe asks the server for up to this many of the newest retained messages
    // (`history`, drawn as the past, never counted as live); 0: none. Resubscribes use `since`.
    // Only dialects whose capabilities say `backfills` send it.
    int backfill = 0;
    bool requeueRequestsOnDisconnect = false; // requests in flight fail on disconnect by default

    Outbox::Limits queue;
    QString queueFile;                       // journal path: queued publishes survive a crash
    qint64 sendHighWaterBytes = 1024 * 1024; // pause sending above this many unwritten bytes
    qint64 maxIncomingMessageBytes = 1024 * 1024;
    QString subprotocol = QStringLiteral("pulseboard.v1");
    // The wire dialect (DialectFactory: "pulseboard", ...) and its settings (`--protocol-config`).
    QString protocol = QStringLiteral("pulseboard");
    QJsonObject protocolConfig;

    // TLS (wss://): extra CA certificates (PEM file) trusted besides the system's; `insecure`
    // skips verification entirely and is logged loudly on every connect (testing only).
    QString caCertificatesFile;
    bool insecure = false;
    // Sent as the Origin header when non-empty (servers with an Origin allow-list check it).
    QString origin;
};

} // namespace Pulseboard
