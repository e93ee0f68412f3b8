#include "HubCommandLine.h"

#include "feeds/DemoFeed.h"
#include "feeds/FeedRegistry.h"

#include <QFile>

namespace Pulseboard {

namespace {

QString opt(const char *name)
{
    return QString::fromLatin1(name);
}

bool readNumber(const QCommandLineParser &p, const char *name, double min, double max, double &out,
                QString &error)
{
    if (!p.isSet(opt(name)))
        return true;
    bool ok = false;
    const double v = p.value(opt(name)).toDouble(&ok);
    if (!ok || v < min || v > max) {
        error = QStringLiteral("--%1 must be a number from %2 to %3, got '%4'")
                    .arg(opt(name))
                    .arg(min)
                    .arg(max)
                    .arg(p.value(opt(name)));
        return false;
    }
    out = v;
    return true;
}

template <typename T>
bool readInt(const QCommandLineParser &p, const char *name, qint64 min, qint64 max, T &out, QString &error)
{
    if (!p.isSet(opt(name)))
        return true;
    bool ok = false;
    const qint64 v = p.value(opt(name)).toLongLong(&ok);
    if (!ok || v < min || v > max) {
        error = QStringLiteral("--%1 must be a whole number from %2 to %3, got '%4'")
                    .arg(opt(name))
                    .arg(min)
                    .arg(max)
                    .arg(p.value(opt(name)));
        return false;
    }
    out = T(v);
    return true;
}

QStringList splitList(const QStringList &values)
{
    QStringList out;
    for (const QString &v : values) {
        for (const QString &part : v.split(QLatin1Char(','), Qt::SkipEmptyParts))
            out.append(part.trimmed());
    }
    out.removeAll(QString());
    return out;
}

} // namespace

void HubCommandLine::addTo(QCommandLineParser &parser) const
{
    const HubOptions d;
    parser.addOptions({
        {opt("host"), QStringLiteral("Address to listen on (default %1).").arg(d.host.toString()),
         QStringLiteral("ADDRESS")},
        {opt("port"), QStringLiteral("WebSocket port (default %1; 0 = any free port).").arg(d.port),
         QStringLiteral("PORT")},
        {opt("listen-backlog"),
         QStringLiteral("Connections the kernel queues for accept, capped at net.core.somaxconn "
                        "(default %1).")
             .arg(d.listenBacklog),
         QStringLiteral("N")},
        {opt("no-feeds"), QStringLiteral("Start no built-in feed.")},
        {opt("feeds"),
         QStringLiteral("Built-in feeds to run, comma separated (default all: %1).")
             .arg(FeedRegistry::builtIn().names().join(QLatin1Char(','))),
         QStringLiteral("LIST")},
        {opt("sys-hz"),
         QStringLiteral("Samples a second of the sys.* feeds, 1-10 (default %1).").arg(d.systemFeedHz),
         QStringLiteral("HZ")},
        {opt("wave-hz"),
         QStringLiteral("Samples a second of demo.wave, up to %1 (default %2).")
             .arg(DemoWaveFeed::kMaxHz)
             .arg(d.waveHz),
         QStringLiteral("HZ")},
        {opt("events-interval-ms"),
         QStringLiteral("Mean gap between demo.events (default %1).").arg(d.eventsMeanIntervalMs),
         QStringLiteral("MS")},
        {opt("stats-interval-ms"),
         QStringLiteral("Interval of hub.stats (default %1).").arg(d.statsIntervalMs), QStringLiteral("MS")},
        {opt("history"),
         QStringLiteral("Messages kept per channel for `since` replay (default %1).").arg(d.historySize),
         QStringLiteral("N")},
        {opt("heartbeat-ms"),
         QStringLiteral("WebSocket ping interval, each client at its own phase of it; clients silent "
                        "for two are dropped (default %1).")
             .arg(d.heartbeatIntervalMs),
         QStringLiteral("MS")},
        {opt("no-welcome"), QStringLiteral("Do not send the optional `welcome` frame.")},
        {opt("server-name"),
         QStringLiteral("Name given in welcome, server.info and /healthz (default %1).").arg(d.serverName),
         QStringLiteral("NAME")},
        {opt("allow-origin"),
         QStringLiteral("Browser Origin allowed to connect; repeat or comma separate. Default: any."),
         QStringLiteral("ORIGIN")},
        {opt("tokens-file"), QStringLiteral("File of accepted tokens, one a line (# comments)."),
         QStringLiteral("FILE")},
        {opt("token-secret"),
         QStringLiteral("Secret of signed expiring tokens (visible in ps: prefer --token-secret-file or "
                        "PULSEBOARD_TOKEN_SECRET)."),
         QStringLiteral("SECRET")},
        {opt("token-secret-file"), QStringLiteral("File holding the secret of signed expiring tokens."),
         QStringLiteral("FILE")},
        {opt("auth-timeout-ms"),
         QStringLiteral("Time a client has to authenticate (default %1).").arg(d.authTimeoutMs),
         QStringLiteral("MS")},
        {opt("max-message-bytes"),
         QStringLiteral("Largest accepted message; larger closes 1009 (default %1).").arg(d.maxMessageBytes),
         QStringLiteral("BYTES")},
        {opt("max-preauth-frame"),
         QStringLiteral("Largest frame before auth succeeds (tokens required); larger closes 1009, "
                        "undecoded (default %1).")
             .arg(d.maxPreAuthFrameBytes),
         QStringLiteral("BYTES")},
        // Budgets (docs/OPERATIONS.md "Budgets")
        {opt("max-retained-bytes"),
         QStringLiteral("Bytes of history kept over all channels, oldest evicted first; 0 = no cap "
                        "(default %1; memory store).")
             .arg(d.maxRetainedBytes),
         QStringLiteral("BYTES")},
        {opt("max-channel-bytes"),
         QStringLiteral("Bytes of history kept per channel, oldest evicted first; 0 = no cap (default %1; "
                        "on Redis the data's bytes).")
             .arg(d.maxChannelBytes),
         QStringLiteral("BYTES")},
        {opt("max-channels"),
         QStringLiteral("Channels held at once; a publish creating one more gets error 507; 0 = no cap "
                        "(default %1).")
             .arg(d.maxChannels),
         QStringLiteral("N")},
        {opt("channel-idle-secs"),
         QStringLiteral("Free a channel with no subscriber and no publish for this long, with its history; "
                        "0 = never (default %1; on Redis its keys expire).")
             .arg(d.channelIdleMs / 1000),
         QStringLiteral("SECONDS")},
        {opt("max-subscriptions"),
         QStringLiteral("Subscriptions per connection; one more gets error 429; 0 = no cap (default %1).")
             .arg(d.maxSubscriptions),
         QStringLiteral("N")},
        // Replay stall
        {opt("replay-stall-timeout"),
         QStringLiteral("Drop a subscriber whose replay waits on a socket that writes nothing for this "
                        "long, 0 = never (default %1).")
             .arg(d.replayStallTimeoutMs),
         QStringLiteral("MS")},
        {opt("rate-limit"),
         QStringLiteral("Frames a second per connection, 0 = none (default %1).").arg(d.rateLimitPerSec),
         QStringLiteral("N")},
        {opt("rate-burst"),
         QStringLiteral("Burst allowance of the rate limit (default %1).").arg(d.rateLimitBurst),
         QStringLiteral("N")},
        {opt("max-send-buffer"),
         QStringLiteral("Unsent bytes a client may hold before it is dropped (default %1).")
             .arg(d.maxSendBufferBytes),
         QStringLiteral("BYTES")},
        {opt("health-port"),
         QStringLiteral("Serve GET /healthz and /metrics over plain HTTP on this port (0 = any free port)."),
         QStringLiteral("PORT")},
        {opt("cert"), QStringLiteral("PEM certificate (chain) for wss://."), QStringLiteral("FILE")},
        {opt("key"), QStringLiteral("PEM private key for wss://."), QStringLiteral("FILE")},
        {opt("redis"),
         QStringLiteral("Share channels with other hubs through Redis, e.g. redis://127.0.0.1:6379."),
         QStringLiteral("URL")},
        {opt("redis-prefix"),
         QStringLiteral("Prefix of every Redis key and pub/sub channel (default %1).").arg(d.redisPrefix),
         QStringLiteral("PREFIX")},
        // Connection limits and abuse
        {opt("max-connections"),
         QStringLiteral("Clients at once; more are closed 4503, try again later (default %1; 0 = no cap).")
             .arg(d.maxConnections),
         QStringLiteral("N")},
        {opt("max-connections-per-address"),
         QStringLiteral("Clients at once from one address (IPv6: one /64), loopback included; more are "
                        "closed 4503 (default %1; 0 = no cap).")
             .arg(d.maxConnectionsPerAddress),
         QStringLiteral("N")},
        {opt("max-auth-failures"),
         QStringLiteral("Failed auths from one address within --auth-failure-window-ms after which its "
                        "connections are closed 4008 (default %1; 0 = never).")
             .arg(d.maxAuthFailures),
         QStringLiteral("N")},
        {opt("auth-failure-window-ms"),
         QStringLiteral("Window of --max-auth-failures (default %1).").arg(d.authFailureWindowMs),
         QStringLiteral("MS")},
        {opt("health-host"),
         QStringLiteral("Address of the health port (default %1, whatever --host is).")
             .arg(d.healthHost.toString()),
         QStringLiteral("ADDRESS")},
        {opt("metrics-max-channels"),
         QStringLiteral("Channels /metrics labels, feeds first then the busiest; the rest are summed "
                        "(default %1).")
             .arg(d.metricsMaxChannels),
         QStringLiteral("N")},
        {opt("mint-token"),
         QStringLiteral("Print a signed token for SUBJECT (needs a token secret) and exit."),
         QStringLiteral("SUBJECT")},
        {opt("ttl"), QStringLiteral("Lifetime of a minted token in seconds (default 3600)."),
         QStringLiteral("SECONDS")},
    });
    // Channel grants of a minted token.
    parser.addOptions({
        {opt("publish"),
         QStringLiteral("With --mint-token: channels the token may publish to, glob patterns with * "
                        "(repeat or comma separate; default any; '' = none)."),
         QStringLiteral("PATTERN")},
        {opt("subscribe"),
         QStringLiteral("With --mint-token: channels the token may subscribe to, glob patterns with * "
                        "(repeat or comma separate; default any)."),
         QStringLiteral("PATTERN")},
    });
}

bool HubCommandLine::read(const QCommandLineParser &p, HubOptions &o, QString &error)
{
    if (p.isSet(opt("host"))) {
        const QString host = p.value(opt("host"));
        QHostAddress address;
        if (host == QLatin1StringView("localhost"))
            address = QHostAddress::LocalHost;
        else if (!address.setAddress(host)) {
            error = QStringLiteral("--host must be an IP address (e.g. 127.0.0.1 or 0.0.0.0), got '%1'")
                        .arg(host);
            return false;
        }
        o.host = address;
    }
    if (!readInt(p, "port", 0, 65535, o.port, error) ||
        !readInt(p, "listen-backlog", 1, 1000000, o.listenBacklog, error))
        return false;
    if (p.isSet(opt("no-feeds")) && p.isSet(opt("feeds"))) {
        error = QStringLiteral("--no-feeds and --feeds contradict each other");
        return false;
    }
    if (p.isSet(opt("no-feeds")))
        o.feedsEnabled = false;
    if (p.isSet(opt("feeds"))) {
        o.feeds = splitList(p.values(opt("feeds")));
        if (!FeedRegistry::builtIn().check(o.feeds, &error))
            return false;
        if (o.feeds.isEmpty()) {
            error = QStringLiteral("--feeds needs at least one feed name (or use --no-feeds)");
            return false;
        }
    }
    if (!readInt(p, "sys-hz", 1, 10, o.systemFeedHz, error) ||
        !readNumber(p, "wave-hz", 0.1, DemoWaveFeed::kMaxHz, o.waveHz, error) ||
        !readInt(p, "events-interval-ms", 10, 3600000, o.eventsMeanIntervalMs, error) ||
        !readInt(p, "stats-interval-ms", 10, 3600000, o.statsIntervalMs, error) ||
        !readInt(p, "history", 0, 10000000, o.historySize, error) ||
        !readInt(p, "heartbeat-ms", 10, 3600000, o.heartbeatIntervalMs, error) ||
        !readInt(p, "auth-timeout-ms", 10, 3600000, o.authTimeoutMs, error) ||
        !readInt(p, "max-message-bytes", 64, qint64(1) << 30, o.maxMessageBytes, error) ||
        !readInt(p, "max-preauth-frame", 64, qint64(1) << 30, o.maxPreAuthFrameBytes, error) ||
        !readInt(p, "replay-stall-timeout", 0, 3600000, o.replayStallTimeoutMs, error) ||
        !readNumber(p, "rate-limit", 0, 1e7, o.rateLimitPerSec, error) ||
        !readNumber(p, "rate-burst", 1, 1e7, o.rateLimitBurst, error) ||
        !readInt(p, "max-send-buffer", 0, qint64(1) << 40, o.maxSendBufferBytes, error) ||
        !readInt(p, "health-port", 0, 65535, o.healthPort, error))
        return false;
    // Budgets
    qint64 idleSecs = o.channelIdleMs / 1000;
    if (!readInt(p, "max-retained-bytes", 0, qint64(1) << 40, o.maxRetainedBytes, error) ||
        !readInt(p, "max-channel-bytes", 0, qint64(1) << 40, o.maxChannelBytes, error) ||
        !readInt(p, "max-channels", 0, 100000000, o.maxChannels, error) ||
        !readInt(p, "channel-idle-secs", 0, qint64(10) * 365 * 24 * 3600, idleSecs, error) ||
        !readInt(p, "max-subscriptions", 0, 10000000, o.maxSubscriptions, error))
        return false;
    o.channelIdleMs = idleSecs * 1000;
    // Connection limits and abuse
    if (!readInt(p, "max-connections", 0, 10000000, o.maxConnections, error) ||
        !readInt(p, "max-connections-per-address", 0, 10000000, o.maxConnectionsPerAddress, error) ||
        !readInt(p, "max-auth-failures", 0, 1000000, o.maxAuthFailures, error) ||
        !readInt(p, "auth-failure-window-ms", 10, qint64(24) * 3600 * 1000, o.authFailureWindowMs, error) ||
        !readInt(p, "metrics-max-channels", 0, 100000, o.metricsMaxChannels, error))
        return false;
    if (p.isSet(opt("health-host"))) {
        const QString host = p.value(opt("health-host"));
        QHostAddress address;
        if (host == QLatin1StringView("localhost"))
            address = QHostAddress::LocalHost;
        else if (!address.setAddress(host)) {
            error =
                QStringLiteral("--health-host must be an IP address (e.g. 127.0.0.1 or 0.0.0.0), got '%1'")
                    .arg(host);
            return false;
        }
        o.healthHost = address;
    }
    if (p.isSet(opt("rate-limit")) && !p.isSet(opt("rate-burst")))
        o.rateLimitBurst = qMax(1.0, 2 * o.rateLimitPerSec);
    if (p.isSet(opt("no-welcome")))
        o.sendWelcome = false;
    if (p.isSet(opt("server-name")))
        o.serverName = p.value(opt("server-name"));
    o.allowedOrigins = splitList(p.values(opt("allow-origin")));
    for (const QString &origin : std::as_const(o.allowedOrigins)) {
        // `:*` is any port (the dashboard's own pages on loopback); the rest must be an origin.
        const QUrl u(origin.endsWith(QLatin1StringView(":*")) ? origin.chopped(2) : origin);
        if (!u.isValid() || u.scheme().isEmpty() || u.host().isEmpty() ||
            (!u.path().isEmpty() && u.path() != QLatin1StringView("/"))) {
            error = QStringLiteral(
                        "--allow-origin wants scheme://host[:port] (e.g. https://ops.example.com), got '%1'")
                        .arg(origin);
            return false;
        }
    }
    for (QString &origin : o.allowedOrigins) {
        if (origin.endsWith(QLatin1Char('/')))
            origin.chop(1);
    }
    if (p.isSet(opt("tokens-file")))
        o.tokensFile = p.value(opt("tokens-file"));
    if (p.isSet(opt("token-secret")) && p.isSet(opt("token-secret-file"))) {
        error = QStringLiteral("give the token secret once: --token-secret or --token-secret-file");
        return false;
    }
    if (p.isSet(opt("token-secret"))) {
        o.tokenSecret = p.value(opt("token-secret")).toUtf8();
    } else if (p.isSet(opt("token-secret-file"))) {
        QFile f(p.value(opt("token-secret-file")));
        if (!f.open(QIODevice::ReadOnly)) {
            error =
                QStringLiteral("cannot read --token-secret-file %1: %2").arg(f.fileName(), f.errorString());
            return false;
        }
        o.tokenSecret = f.readAll().trimmed();
    } else if (qEnvironmentVariableIsSet("PULSEBOARD_TOKEN_SECRET")) {
        o.tokenSecret = qgetenv("PULSEBOARD_TOKEN_SECRET").trimmed();
        // Set means meant: an empty or short secret would start a hub open to anyone (or one
        // whose tokens are easy to forge), so it is refused as the flags' secret is.
        if (o.tokenSecret.isEmpty()) {
            error = QStringLiteral("PULSEBOARD_TOKEN_SECRET is set but empty: give a secret of at least 16 "
                                   "bytes, or unset it for a hub without signed tokens");
            return false;
        }
        if (o.tokenSecret.size() < 16) {
            error = QStringLiteral("the token secret (PULSEBOARD_TOKEN_SECRET) must be at least 16 bytes, "
                                   "got %1")
                        .arg(o.tokenSecret.size());
            return false;
        }
    }
    if ((p.isSet(opt("token-secret")) || p.isSet(opt("token-secret-file"))) && o.tokenSecret.size() < 16) {
        error = QStringLiteral("the token secret must be at least 16 bytes");
        return false;
    }
    if (p.isSet(opt("cert")) != p.isSet(opt("key"))) {
        error = QStringLiteral("--cert and --key go together");
        return false;
    }
    o.certFile = p.value(opt("cert"));
    o.keyFile = p.value(opt("key"));
    if (p.isSet(opt("redis"))) {
        const QUrl u(p.value(opt("redis")), QUrl::StrictMode);
        if (!u.isValid() || u.scheme() != QLatin1StringView("redis") || u.host().isEmpty()) {
            error = QStringLiteral("--redis wants redis://HOST[:PORT], got '%1'").arg(p.value(opt("redis")));
            return false;
        }
        o.redisUrl = u;
    }
    if (p.isSet(opt("redis-prefix"))) {
        o.redisPrefix = p.value(opt("redis-prefix"));
        if (o.redisPrefix.isEmpty() || o.redisPrefix.contains(QLatin1Char(' '))) {
            error = QStringLiteral("--redis-prefix must be a non-empty word");
            return false;
        }
    }
    if (p.isSet(opt("mint-token"))) {
        action = Action::MintToken;
        mintSubject = p.value(opt("mint-token"));
        if (mintSubject.isEmpty()) {
            error = QStringLiteral("--mint-token needs a subject");
            return false;
        }
        if (o.tokenSecret.isEmpty()) {
            error = QStringLiteral("--mint-token needs the secret (--token-secret, --token-secret-file or "
                                   "PULSEBOARD_TOKEN_SECRET)");
            return false;
        }
        if (!readInt(p, "ttl", 1, qint64(10) * 365 * 24 * 3600, mintTtlSecs, error))
            return false;
        for (const char *name : {"publish", "subscribe"}) {
            if (!p.isSet(opt(name)))
                continue;
            const QStringList patterns = splitList(p.values(opt(name)));
            for (const QString &pattern : patterns) {
                if (!ChannelGrant::isValidPattern(pattern)) {
                    error = QStringLiteral("--%1: '%2' is not a channel pattern").arg(opt(name), pattern);
                    return false;
                }
            }
            // `--publish ''`: no pattern at all, a read-only token (a wall display's).
            (qstrcmp(name, "publish") == 0 ? mintPublish : mintSubscribe) = ChannelGrant::only(patterns);
        }
    } else if (p.isSet(opt("ttl")) || p.isSet(opt("publish")) || p.isSet(opt("subscribe"))) {
        error = QStringLiteral("--%1 only goes with --mint-token")
                    .arg(p.isSet(opt("ttl"))       ? opt("ttl")
                         : p.isSet(opt("publish")) ? opt("publish")
                                                   : opt("subscribe"));
        return false;
    }
    return true;
}

} // namespace Pulseboard
