// HubOptions: everything a hub is configured with, from `pulseboard-hub`'s flags (HubCommandLine),
// the dashboard's embedded hub or a test. Plain values; the pieces of a hub read what they need.
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace Pulseboard {

struct HubOptions
{
    QHostAddress host = QHostAddress::LocalHost;
    quint16 port = 8765; // 0 = any free port
    // Connections the kernel queues for accept(): thousands of clients reconnecting at once
    // overflow a short queue, and each SYN dropped costs its client 1, 3, 7 s of retries. The
    // kernel caps it at net.core.somaxconn (HubServer::listenBacklog() says what it keeps).
    int listenBacklog = 4096;
    bool feedsEnabled = true;
    QStringList feeds; // empty = all built-in feeds

    // Protocol
    QString serverName = QStringLiteral("pulseboard-hub");
    int historySize = 1000;          // retained messages per channel, replayed for `since`
    int dedupeWindow = 10000;        // publish ids remembered (memory store)
    int heartbeatIntervalMs = 25000; // WebSocket ping frames; silent for 2 intervals = dropped
    // The interval is cut into this many slots and each session pinged in its own slot, so
    // pings (and the pongs they bring back) are spread over the interval, not one burst of all
    // of them. 0: one slot per ~1 s of the interval, 1 to 500 slots (tests and embedders set it).
    int heartbeatSlots = 0;
    bool sendWelcome = true;

    // Security and limits
    QStringList allowedOrigins;           // empty = any Origin; clients sending none are always let in
    QString tokensFile;                   // one token a line
    QByteArray tokenSecret;               // HMAC key of signed expiring tokens
    int authTimeoutMs = 10000;            // a client that must authenticate and does not is closed 4001
    qint64 maxMessageBytes = 1024 * 1024; // larger frames close with 1009
    double rateLimitPerSec = 200;         // frames a second per connection (0 = no limit) ...
    double rateLimitBurst = 400;          // ... with bursts up to this many; over it: close 4008
    qint64 maxSendBufferBytes = 16 * 1024 * 1024; // a client whose unsent bytes pass this is dropped
    // Before `auth` succeeds (on a hub that requires it), a larger frame closes with 1009 and is
    // not decoded at all; the frames allowed then (auth, ping, pong) are small.
    qint64 maxPreAuthFrameBytes = 8 * 1024;
    // A subscriber whose paced replay waits on its socket, and whose socket writes nothing for
    // this long, is dropped (`replay_stalled`) with what was held for it (0: never).
    int replayStallTimeoutMs = 30000;
    // A frame of at least this many characters from an authenticated client is decoded on a
    // worker thread (FrameDecodePool), so the hub's loop answers everyone else meanwhile; the
    // client's frames after it wait their turn. 0: every frame decoded on the hub's thread.
    qint64 offThreadDecodeChars = 64 * 1024;

    // Budgets of what the hub keeps (docs/OPERATIONS.md "Budgets"); 0 = no cap for each.
    // Retained history is bounded by historySize and by bytes: the oldest goes first, across
    // all channels for the global budget (memory store; Redis trims by count only).
    qint64 maxRetainedBytes = qint64(256) * 1024 * 1024; // all channels' retained messages
    qint64 maxChannelBytes = qint64(32) * 1024 * 1024;   // one channel's retained messages
    int maxChannels = 10000;            // a publish that would create one more is refused 507
    qint64 channelIdleMs = 3600 * 1000; // no subscriber and no publish for this long: freed
    int maxSubscriptions = 1000;        // per connection; one more is refused 429
    int maxIdBytes = 128;               // `id` of any frame (echoed in replies); longer: error 400
    int maxClientBytes = 128;           // a publish's `client` key; longer: error 400

    // Health and metrics over plain HTTP: -1 off, 0 any free port
    int healthPort = -1;

    // TLS: both set = wss://
    QString certFile;
    QString keyFile;

    // Redis: empty = in-memory store
    QUrl redisUrl;
    QString redisPrefix = QStringLiteral("pulseboard");
    int redisDedupeTtlSec = 600;    // how long a publish id is remembered across hubs
    int redisReconnectMaxMs = 5000; // backoff cap while Redis is away

    // Feeds
    int systemFeedHz = 1;            // sys.*: 1-10
    double waveHz = 20;              // demo.wave samples a second (up to 5000 for load)
    int eventsMeanIntervalMs = 2000; // demo.events: mean gap between events
    int statsIntervalMs = 1000;      // hub.stats

    int shutdownTimeoutMs = 3000; // how long shutdown() waits for clients to close

    // Connections and abuse (docs/OPERATIONS.md "Connection limits"). A connection over either cap
    // is accepted and closed at once with 4503 (try again later); 0 = no cap.
    int maxConnections = 10000;         // WebSocket clients at once, all addresses together
    int maxConnectionsPerAddress = 256; // ... from one address (an IPv6 /64 counts as one); loopback too
    int maxAuthFailures = 5;            // failed `auth`s from one address within the window, then ...
    int authFailureWindowMs = 60000;    // ... its connections close 4008 until the window has passed
    int acceptRetryMinMs = 100;         // accepting paused for want of descriptors resumes after
    int acceptRetryMaxMs = 1000;        // this delay, doubling up to the max while it keeps failing
    QHostAddress healthHost = QHostAddress::LocalHost; // the health port's address (--health-host)
    int metricsMaxChannels = 100; // channels /metrics labels (feeds first, then the busiest);
                                  // the rest are summed in one `(other channels)` series
};

} // namespace Pulseboard
