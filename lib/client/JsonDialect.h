// JsonDialect: protocol "json", any JSON-over-WebSocket feed described by its settings
// (ConnectionOptions::protocolConfig, `--protocol-config FILE`; docs/PROTOCOLS.md lists every
// key). It sends frames when the socket opens (with `{token}`), optionally waits for a reply
// before subscribing (and reads another as the token's refusal), subscribes and unsubscribes
// with frame templates (`{channel}`, `{id}`), pings with a template and recognises its pong, and
// routes every inbound frame by rules: the first rule whose `match` fits picks the channel (a
// fixed name or a template of JSON pointers), the data, the timestamp and, when configured, a seq.
//
// It declares only what such a feed gives: publishes are not acked unless a reply id is
// configured for them, messages have a seq (gaps detectable) only with a seq pointer, and no
// subscribe resumes. A frame it cannot read (not JSON, a rule's pointer missing or of the wrong
// type) is reported with malformedFrame and the connection goes on.
#pragma once

#include "WireDialect.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>

#include <memory>
#include <optional>

namespace Pulseboard {

class JsonDialect : public WireDialect
{
public:
    // A dialect for `config`, or null with `*error` naming the setting that is wrong.
    static std::unique_ptr<JsonDialect> create(const QJsonObject &config, QString *error);

    QString name() const override { return QStringLiteral("json"); }
    QStringList subprotocols() const override { return m_subprotocols; }
    Capabilities capabilities() const override { return m_caps; }

    QList<OutboundFrame> framesOnOpen(const QString &token) override;
    OutboundFrame encodeAuth(const QString &id, const QString &token) override;
    OutboundFrame encodeSubscribe(const QString &id, const QString &channel, qint64 since) override;
    OutboundFrame encodeUnsubscribe(const QString &id, const QString &channel) override;
    OutboundFrame encodePublish(const QString &id, const QString &channel, const QJsonValue &data,
                                const QString &clientKey) override;
    OutboundFrame encodeRequest(const QString &id, const QString &method, const QJsonValue &params) override;
    OutboundFrame encodePing(const QString &id, qint64 ts) override;
    OutboundFrame prepareQueued(const QString &id, const QByteArray &queued) override;

    qsizetype decodeText(QStringView text, DialectEvents &events) override;
    qsizetype decodeBinary(QByteArrayView data, DialectEvents &events) override;

    // Strings that are exactly a JSON number ("27123.45", "-3e2") become that number, in
    // objects and arrays to `maxDepth`; anything else is left as it is. What the dialect applies
    // to the data it hands the session, unless a rule says "numericStrings": false.
    static QJsonValue numbersFromStrings(const QJsonValue &value, int maxDepth = 32);
    // RFC 6901: "" is the whole value, "/a/0/~1b" member a, element 0, member "/b".
    // Undefined when a step is missing.
    static QJsonValue pointer(const QJsonValue &root, const QString &path);

private:
    // A field match: every pointer -> value pair is equal in the frame, and every pointer of
    // `present` exists in it.
    struct Match
    {
        QList<std::pair<QString, QJsonValue>> equal; // pointer -> value
        QStringList present;                         // pointers that must exist
        bool isEmpty() const { return equal.isEmpty() && present.isEmpty(); }
        bool matches(const QJsonValue &frame) const;
    };
    struct Route
    {
        Match match;
        QString channel;           // a template: fixed text and {/pointer} or {/pointer|lower}
        QString bySubscription;    // pointer to the subscribe's wire id: the channel that asked
        QString data;              // pointer; "" the whole frame
        QString timestamp;         // pointer, empty: none
        double timestampScale = 1; // "s" -> 1000
        QString seq;               // pointer, empty: none
        bool numericStrings = true;
    };
    struct Reply
    {
        QString id;      // pointer to the id the reply echoes
        Match failure;   // a reply that refuses
        QString message; // pointer to the words of a refusal
        QString code;    // pointer to its code
    };
    enum class Pending { Subscribe, Unsubscribe, Publish };

    JsonDialect() = default;
    bool configure(const QJsonObject &config, QString *error);
    // Fills a template: strings "{channel}", "{id}" (a number), "{id:string}", "{token}",
    // "{data}" (the value itself) and text containing them.
    QJsonValue fill(const QJsonValue &tmpl, const QHash<QString, QJsonValue> &values) const;
    static QByteArray frameBytes(const QJsonValue &value);
    qsizetype decodeDocument(const QByteArray &utf8, DialectEvents &events);
    bool handleReply(const QJsonValue &frame, DialectEvents &events);
    void route(const Route &r, int index, const QJsonValue &frame, DialectEvents &events);
    QString channelFrom(const Route &r, const QJsonValue &frame, QString *error) const;
    static QString excerpt(const QByteArray &utf8);

    Capabilities m_caps;
    QStringList m_subprotocols;
    // On open
    QJsonArray m_openFrames;
    Match m_openAfter; // send the open frames when this arrives (empty: on open)
    Match m_ready;     // the reply that ends the handshake (empty: none awaited)
    Match m_refused;   // the reply that refuses the token
    QString m_refusedMessage;
    // Templates (undefined: not configured)
    QJsonValue m_subscribe;
    QJsonValue m_unsubscribe;
    QJsonValue m_publish;
    QJsonValue m_ping;
    Match m_pong;
    std::optional<Reply> m_subscribeReply;
    std::optional<Reply> m_publishReply;
    QList<Match> m_ignore;
    QList<Route> m_routes;

    // Per connection
    QString m_token;
    QString m_authId;
    bool m_openSent = false;
    qint64 m_nextWireId = 1;
    struct PendingEntry
    {
        Pending kind;
        QString id;      // the session's or the outbox's id
        QString channel; // subscribe / unsubscribe
    };
    QHash<qint64, PendingEntry> m_pending;         // wire id -> what asked, until answered
    QHash<qint64, QString> m_subscriptionChannels; // confirmed subscribe wire id -> channel
    QString m_pingId;
    qint64 m_pingTs = 0;
};

} // namespace Pulseboard
