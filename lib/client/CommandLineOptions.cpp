#include "CommandLineOptions.h"

#include "DialectFactory.h"
#include "TokenSource.h"
#include "protocol/EndpointUrl.h"

#include <QFile>
#include <QJsonDocument>

namespace Pulseboard {

namespace {

const QString kUrl = QStringLiteral("url");
const QString kToken = QStringLiteral("token");
const QString kSubscribe = QStringLiteral("subscribe");
const QString kHbInterval = QStringLiteral("heartbeat-interval");
const QString kHbTimeout = QStringLiteral("heartbeat-timeout");
const QString kConnectTimeout = QStringLiteral("connect-timeout");
const QString kBackoffInitial = QStringLiteral("backoff-initial");
const QString kBackoffMax = QStringLiteral("backoff-max");
const QString kMaxRetries = QStringLiteral("max-retries");
const QString kQueueLimit = QStringLiteral("queue-limit");
const QString kBackfill = QStringLiteral("backfill");
const QString kNoBackfill = QStringLiteral("no-backfill");
const QString kQueueBytes = QStringLiteral("queue-bytes");
const QString kDropOldest = QStringLiteral("drop-oldest");
const QString kRequestTimeout = QStringLiteral("request-timeout");
const QString kQueueFile = QStringLiteral("queue-file");
const QString kCaFile = QStringLiteral("ca-file");
const QString kInsecure = QStringLiteral("insecure");
const QString kOrigin = QStringLiteral("origin");
// Wire dialects
const QString kProtocol = QStringLiteral("protocol");
const QString kProtocolConfig = QStringLiteral("protocol-config");
const QString kMqttUsername = QStringLiteral("mqtt-username");
// Renewable tokens
const QString kTokenFile = QStringLiteral("token-file");
const QString kTokenCommand = QStringLiteral("token-command");
const QString kTokenCommandTimeout = QStringLiteral("token-command-timeout");

bool readInt(const QCommandLineParser &parser, const QString &name, int min, int &out, QString &error)
{
    if (!parser.isSet(name))
        return true;
    bool ok = false;
    const int value = parser.value(name).toInt(&ok);
    if (!ok || value < min) {
        error = QStringLiteral("--%1 needs a whole number >= %2, got '%3'")
                    .arg(name)
                    .arg(min)
                    .arg(parser.value(name));
        return false;
    }
    out = value;
    return true;
}

// Line and column (1-based) of a byte offset, for a message a person can find in an editor.
QString position(const QByteArray &bytes, int offset)
{
    int line = 1;
    int column = 1;
    for (int i = 0; i < offset && i < bytes.size(); ++i) {
        if (bytes.at(i) == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return QStringLiteral("line %1, column %2").arg(line).arg(column);
}

} // namespace

bool readProtocolConfigFile(const QString &path, QJsonObject *config, QString *error)
{
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("--protocol-config %1: cannot read it: %2")
                     .arg(path, path.isEmpty() ? QStringLiteral("no file named") : file.errorString());
        return false;
    }
    constexpr qint64 kMaxBytes = 4 * 1024 * 1024;
    if (file.size() > kMaxBytes) {
        *error = QStringLiteral("--protocol-config %1: %2 bytes, more than the %3 a settings file may hold")
                     .arg(path)
                     .arg(file.size())
                     .arg(kMaxBytes);
        return false;
    }
    const QByteArray bytes = file.readAll();
    QJsonParseError why;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &why);
    if (why.error != QJsonParseError::NoError) {
        *error = QStringLiteral("--protocol-config %1: not valid JSON at %2 (offset %3): %4")
                     .arg(path, position(bytes, why.offset))
                     .arg(why.offset)
                     .arg(why.errorString());
        return false;
    }
    if (!doc.isObject()) {
        *error = QStringLiteral("--protocol-config %1: the top level must be a JSON object of the "
                                "dialect's settings, not %2")
                     .arg(path, doc.isArray() ? QStringLiteral("an array") : QStringLiteral("a value"));
        return false;
    }
    *config = doc.object();
    return true;
}

bool checkProtocol(const ConnectionOptions &options, QString *error)
{
    if (!knownProtocols().contains(options.protocol)) {
        *error = QStringLiteral("--protocol: unknown protocol '%1' (known: %2)")
                     .arg(options.protocol, knownProtocols().join(QStringLiteral(", ")));
        return false;
    }
    QString why;
    if (!makeDialect(options, &why)) {
        *error = QStringLiteral("--protocol %1: %2").arg(options.protocol, why);
        return false;
    }
    return true;
}

void ConnectionCommandLine::addTo(QCommandLineParser &parser, const ConnectionOptions &defaults)
{
    parser.addOptions({
        {kUrl, QStringLiteral("Server endpoint (ws:// or wss://); repeat for fallbacks tried in order."),
         QStringLiteral("URL")},
        {kToken, QStringLiteral("Auth token (default: env PULSEBOARD_TOKEN). Never printed."),
         QStringLiteral("TOKEN")},
        {kSubscribe, QStringLiteral("Channel to subscribe to; repeatable."), QStringLiteral("CHANNEL")},
        {kHbInterval,
         QStringLiteral("Heartbeat ping interval in ms (default %1).").arg(defaults.heartbeatIntervalMs),
         QStringLiteral("MS")},
        {kHbTimeout, QStringLiteral("Pong deadline in ms (default %1).").arg(defaults.heartbeatTimeoutMs),
         QStringLiteral("MS")},
        {kConnectTimeout,
         QStringLiteral("Handshake + auth timeout in ms (default %1).").arg(defaults.connectTimeoutMs),
         QStringLiteral("MS")},
        {kBackoffInitial,
         QStringLiteral("First reconnect delay in ms (default %1).").arg(defaults.backoff.initialMs),
         QStringLiteral("MS")},
        {kBackoffMax,
         QStringLiteral("Largest reconnect delay in ms (default %1).").arg(defaults.backoff.maxMs),
         QStringLiteral("MS")},
        {kMaxRetries,
         QStringLiteral("Reconnect attempts before giving up; 0 = unlimited (default %1).")
             .arg(defaults.maxRetries),
         QStringLiteral("N")},
        {kBackfill,
         (defaults.backfill > 0
              ? QStringLiteral("On a channel's first subscribe, ask the server for up to N of its newest "
                               "retained messages, shown as the past, not counted as live (default %1; "
                               "pulseboard protocol only).")
                    .arg(defaults.backfill)
              : QStringLiteral("On a channel's first subscribe, ask the server for up to N of its newest "
                               "retained messages, printed first with \"backfill\":true (default: none, so a "
                               "script sees only what arrives from now on; pulseboard protocol only).")),
         QStringLiteral("N")},
        {kNoBackfill, QStringLiteral("Ask for no backfill: a channel starts with its first live message.")},
        {kQueueLimit,
         QStringLiteral("Most messages held while offline (default %1).").arg(defaults.queue.maxCount),
         QStringLiteral("N")},
        {kQueueBytes,
         QStringLiteral("Most bytes held while offline (default %1).").arg(defaults.queue.maxBytes),
         QStringLiteral("BYTES")},
        {kQueueFile,
         QStringLiteral("Journal file: queued publishes survive a crash and go out after the next start."),
         QStringLiteral("PATH")},
        {kDropOldest,
         QStringLiteral("When the queue is full, drop (and report) the oldest instead of refusing.")},
        {kRequestTimeout,
         QStringLiteral("Default request timeout in ms (default %1).").arg(defaults.requestTimeoutMs),
         QStringLiteral("MS")},
        {kCaFile, QStringLiteral("PEM file of CA certificates to trust for wss:// besides the system's."),
         QStringLiteral("FILE")},
        {kInsecure, QStringLiteral("Skip TLS certificate verification. Testing only; logged loudly.")},
        {kOrigin, QStringLiteral("Origin header to send (for servers with an Origin allow-list)."),
         QStringLiteral("ORIGIN")},
    });
    // Wire dialects: what the server speaks.
    parser.addOptions({
        {kProtocol,
         QStringLiteral("What the server speaks: %1 (default pulseboard). See docs/PROTOCOLS.md.")
             .arg(knownProtocols().join(QStringLiteral(", "))),
         QStringLiteral("NAME")},
        {kProtocolConfig, QStringLiteral("JSON file with the dialect's settings (read once at start)."),
         QStringLiteral("FILE")},
        {kMqttUsername,
         QStringLiteral("MQTT user name (the token is the password); sets the dialect's "
                        "\"username\" setting."),
         QStringLiteral("NAME")},
    });
    // Renewable tokens: asked again before every connect, and when the token expires.
    parser.addOptions({
        {kTokenFile, QStringLiteral("File holding the token, re-read at every connect (instead of --token)."),
         QStringLiteral("PATH")},
        {kTokenCommand,
         QStringLiteral(
             "Command run (sh -c) at every connect; its output is the token (instead of --token)."),
         QStringLiteral("CMD")},
        {kTokenCommandTimeout, QStringLiteral("Time --token-command has to print the token (default 5000)."),
         QStringLiteral("MS")},
    });
}

bool ConnectionCommandLine::read(const QCommandLineParser &parser, ConnectionOptions &options,
                                 QStringList &channels, QString &error) const
{
    for (const QString &value : parser.values(kUrl)) {
        QString why;
        const std::optional<QUrl> url = EndpointUrl::parse(value, &why);
        if (!url) {
            error = QStringLiteral("--url: ") + why;
            return false;
        }
        options.endpoints.append(*url);
    }
    const int tokenFlags =
        int(parser.isSet(kToken)) + int(parser.isSet(kTokenFile)) + int(parser.isSet(kTokenCommand));
    if (tokenFlags > 1) {
        error = QStringLiteral("give the token one way: --token, --token-file or --token-command");
        return false;
    }
    if (parser.isSet(kTokenCommandTimeout) && !parser.isSet(kTokenCommand)) {
        error = QStringLiteral("--token-command-timeout only goes with --token-command");
        return false;
    }
    if (parser.isSet(kToken))
        options.token = parser.value(kToken);
    else if (parser.isSet(kTokenFile) || parser.isSet(kTokenCommand))
        options.token.clear(); // the source's token, fresh at every connect, not the environment's
    else if (qEnvironmentVariableIsSet("PULSEBOARD_TOKEN"))
        options.token = qEnvironmentVariable("PULSEBOARD_TOKEN");
    if (parser.isSet(kTokenFile)) {
        const QString path = parser.value(kTokenFile);
        if (path.isEmpty()) {
            error = QStringLiteral("--token-file needs a path");
            return false;
        }
        options.tokenSource = TokenSource::fromFile(path);
    } else if (parser.isSet(kTokenCommand)) {
        const QString command = parser.value(kTokenCommand).trimmed();
        if (command.isEmpty()) {
            error = QStringLiteral("--token-command needs a command");
            return false;
        }
        int timeoutMs = 5000;
        if (!readInt(parser, kTokenCommandTimeout, 1, timeoutMs, error))
            return false;
        options.tokenSource = TokenSource::fromCommand(command, timeoutMs);
    }
    channels = parser.values(kSubscribe);

    int queueLimit = options.queue.maxCount;
    int queueBytes = int(qMin<qint64>(options.queue.maxBytes, INT_MAX));
    if (!readInt(parser, kHbInterval, 1, options.heartbeatIntervalMs, error) ||
        !readInt(parser, kHbTimeout, 1, options.heartbeatTimeoutMs, error) ||
        !readInt(parser, kConnectTimeout, 1, options.connectTimeoutMs, error) ||
        !readInt(parser, kBackoffInitial, 0, options.backoff.initialMs, error) ||
        !readInt(parser, kBackoffMax, 0, options.backoff.maxMs, error) ||
        !readInt(parser, kMaxRetries, 0, options.maxRetries, error) ||
        !readInt(parser, kBackfill, 0, options.backfill, error) ||
        !readInt(parser, kQueueLimit, 1, queueLimit, error) ||
        !readInt(parser, kQueueBytes, 1, queueBytes, error) ||
        !readInt(parser, kRequestTimeout, 1, options.requestTimeoutMs, error))
        return false;
    if (options.backoff.maxMs < options.backoff.initialMs) {
        error = QStringLiteral("--backoff-max must not be below --backoff-initial");
        return false;
    }
    if (parser.isSet(kNoBackfill)) {
        if (parser.isSet(kBackfill)) {
            error = QStringLiteral("--backfill and --no-backfill exclude each other");
            return false;
        }
        options.backfill = 0;
    }
    options.queue.maxCount = queueLimit;
    options.queue.maxBytes = queueBytes;
    if (parser.isSet(kQueueFile))
        options.queueFile = parser.value(kQueueFile);
    options.caCertificatesFile = parser.value(kCaFile);
    options.insecure = parser.isSet(kInsecure);
    options.origin = parser.value(kOrigin);
    if (parser.isSet(kDropOldest))
        options.queue.overflow = Outbox::Overflow::DropOldest;
    if (parser.isSet(kProtocol))
        options.protocol = parser.value(kProtocol).trimmed();
    if (parser.isSet(kProtocolConfig)) {
        QJsonObject config;
        if (!readProtocolConfigFile(parser.value(kProtocolConfig), &config, &error))
            return false;
        options.protocolConfig = config;
    }
    if (parser.isSet(kMqttUsername)) {
        const QString name = parser.value(kMqttUsername);
        if (name.isEmpty()) {
            error = QStringLiteral("--mqtt-username needs a name");
            return false;
        }
        options.protocolConfig.insert(QStringLiteral("username"), name);
    }
    return checkProtocol(options, &error);
}

} // namespace Pulseboard
