#include "JsonDialect.h"

#include "protocol/CloseCode.h"
#include "protocol/JsonPointer.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QRegularExpression>

#include <cmath>

namespace Pulseboard {

namespace {
using L = QLatin1StringView;

// Wire ids a connection remembers while it waits for their reply; older ones are forgotten.
constexpr qint64 kMaxPending = 4096;
constexpr int kExcerptChars = 120;

bool isPointer(const QString &p)
{
    return p.isEmpty() || p.startsWith(QLatin1Char('/'));
}

// The JSON number grammar (RFC 8259), whole string: "27123.45" yes, "0012", "1e", " 5" no.
bool looksLikeJsonNumber(QStringView s)
{
    static const QRegularExpression number(
        QStringLiteral("^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?$"));
    return s.size() <= 64 && number.match(s).hasMatch();
}

} // namespace

// --- helpers ---

QJsonValue JsonDialect::pointer(const QJsonValue &root, const QString &path)
{
    JsonPointer p;
    if (!JsonPointer::parse(path, &p))
        return QJsonValue(QJsonValue::Undefined);
    return p.resolve(root);
}

QJsonValue JsonDialect::numbersFromStrings(const QJsonValue &value, int maxDepth)
{
    if (value.isString()) {
        const QString s = value.toString();
        if (looksLikeJsonNumber(s)) {
            bool ok = false;
            const double d = s.toDouble(&ok);
            if (ok && std::isfinite(d))
                return d;
        }
        return value;
    }
    if (maxDepth <= 0)
        return value;
    if (value.isObject()) {
        QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            const QJsonValue v = it.value();
            if (v.isString() || v.isObject() || v.isArray())
                it.value() = numbersFromStrings(v, maxDepth - 1);
        }
        return o;
    }
    if (value.isArray()) {
        QJsonArray a = value.toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            const QJsonValue v = a.at(i);
            if (v.isString() || v.isObject() || v.isArray())
                a[i] = numbersFromStrings(v, maxDepth - 1);
        }
        return a;
    }
    return value;
}

bool JsonDialect::Match::matches(const QJsonValue &frame) const
{
    for (const auto &[path, value] : equal) {
        if (pointer(frame, path) != value)
            return false;
    }
    for (const QString &path : present) {
        if (pointer(frame, path).isUndefined())
            return false;
    }
    return true;
}

QByteArray JsonDialect::frameBytes(const QJsonValue &value)
{
    if (value.isString())
        return value.toString().toUtf8(); // a template that is a string goes out as that text
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    // A scalar template: as JSON text.
    return QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
}

QString JsonDialect::excerpt(const QByteArray &utf8)
{
    QString s = QString::fromUtf8(utf8.left(kExcerptChars * 4)).left(kExcerptChars);
    s.replace(QLatin1Char('\n'), QLatin1Char(' '));
    return utf8.size() > s.toUtf8().size() ? s + QStringLiteral("...") : s;
}

QJsonValue JsonDialect::fill(const QJsonValue &tmpl, const QHash<QString, QJsonValue> &values) const
{
    if (tmpl.isString()) {
        const QString s = tmpl.toString();
        // A whole-string placeholder is the value itself ({id} a number, {data} any JSON).
        const auto whole = values.constFind(s);
        if (whole != values.cend())
            return *whole;
        if (!s.contains(QLatin1Char('{')))
            return tmpl;
        QString out = s;
        for (auto it = values.cbegin(); it != values.cend(); ++it) {
            if (!out.contains(it.key()))
                continue;
            const QJsonValue v = it.value();
            const QString text = v.isString()   ? v.toString()
                                 : v.isDouble() ? QString::number(qint64(v.toDouble()))
                                                : QString::fromUtf8(frameBytes(v));
            out.replace(it.key(), text);
        }
        return out;
    }
    if (tmpl.isObject()) {
        QJsonObject o = tmpl.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            it.value() = fill(it.value(), values);
        return o;
    }
    if (tmpl.isArray()) {
        QJsonArray a = tmpl.toArray();
        for (qsizetype i = 0; i < a.size(); ++i)
            a[i] = fill(a.at(i), values);
        return a;
    }
    return tmpl;
}

// --- configuration ---

namespace {

class Reader
{
public:
    explicit Reader(QString *error) : m_error(error) {}
    bool fail(const QString &where, const QString &what)
    {
        *m_error = QStringLiteral("protocol setting %1: %2").arg(where, what);
        return false;
    }
    bool string(const QJsonObject &o, const QString &key, const QString &where, QString *out, bool pointer)
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined())
            return true;
        if (!v.isString())
            return fail(where + L(".") + key,
                        QStringLiteral("must be a string, not %1").arg(jsonTypeName(v)));
        if (pointer && !isPointer(v.toString()))
            return fail(where + L(".") + key,
                        QStringLiteral("must be a JSON pointer (\"\" or starting with \"/\"), not '%1'")
                            .arg(v.toString()));
        *out = v.toString();
        return true;
    }
    bool unknown(const QJsonObject &o, const QStringList &known, const QString &where)
    {
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (!known.contains(it.key()))
                return fail(where.isEmpty() ? it.key() : where + L(".") + it.key(),
                            QStringLiteral("unknown setting (known here: %1)").arg(known.join(u", ")));
        }
        return true;
    }

private:
    QString *m_error;
};

} // namespace

std::unique_ptr<JsonDialect> JsonDialect::create(const QJsonObject &config, QString *error)
{
    std::unique_ptr<JsonDialect> d(new JsonDialect);
    QString why;
    if (!d->configure(config, &why)) {
        if (error)
            *error = why;
        return nullptr;
    }
    return d;
}

bool JsonDialect::configure(const QJsonObject &config, QString *error)
{
    Reader r(error);
    if (!r.unknown(config,
                   {QStringLiteral("subprotocols"), QStringLiteral("open"), QStringLiteral("subscribe"),
                    QStringLiteral("unsubscribe"), QStringLiteral("publish"), QStringLiteral("ping"),
                    QStringLiteral("routes"), QStringLiteral("ignore"), QStringLiteral("username"),
                    QStringLiteral("comment")},
                   QString()))
        return false;

    // A match: {"/pointer" or "key": value, ...}; a key without "/" is a top-level member.
    // "$present": ["/pointer", ...] lists members that must exist, whatever their value.
    const auto readMatch = [&](const QJsonValue &v, const QString &where, Match *out) -> bool {
        if (v.isUndefined())
            return true;
        if (!v.isObject())
            return r.fail(where,
                          QStringLiteral("must be an object of field -> value, not %1").arg(jsonTypeName(v)));
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (it.key() == QLatin1StringView("$present")) {
                if (!it.value().isArray())
                    return r.fail(where + L(".$present"),
                                  QStringLiteral("must be an array of JSON pointers"));
                for (const QJsonValue &p : it.value().toArray()) {
                    if (!p.isString() || !isPointer(p.toString()))
                        return r.fail(where + L(".$present"),
                                      QStringLiteral("must be an array of JSON pointers"));
                    out->present.append(p.toString());
                }
                continue;
            }
            const QString path = it.key().startsWith(QLatin1Char('/')) ? it.key() : L("/") + it.key();
            out->equal.append({path, it.value()});
        }
        if (out->isEmpty())
            return r.fail(where, QStringLiteral("an empty match would match every frame"));
        return true;
    };
    const auto readReply = [&](const QJsonValue &v, const QString &where, std::optional<Reply> *out) -> bool {
        if (v.isUndefined())
            return true;
        if (!v.isObject())
            return r.fail(where, QStringLiteral("must be an object"));
        const QJsonObject o = v.toObject();
        if (!r.unknown(o,
                       {QStringLiteral("id"), QStringLiteral("failure"), QStringLiteral("message"),
                        QStringLiteral("code")},
                       where))
            return false;
        Reply reply;
        reply.id = QStringLiteral("/id");
        if (!r.string(o, QStringLiteral("id"), where, &reply.id, true) ||
            !r.string(o, QStringLiteral("message"), where, &reply.message, true) ||
            !r.string(o, QStringLiteral("code"), where, &reply.code, true) ||
            !readMatch(o.value(QStringLiteral("failure")), where + L(".failure"), &reply.failure))
            return false;
        if (reply.id.isEmpty())
            return r.fail(where + L(".id"),
                          QStringLiteral("must point into the reply, not be the whole of it"));
        *out = reply;
        return true;
    };
    // A template: {"frame": ..., plus keys of its own}.
    const auto readTemplate = [&](const QString &key, const QStringList &extra,
                                  QJsonObject *section) -> bool {
        const QJsonValue v = config.value(key);
        if (v.isUndefined())
            return true;
        if (!v.isObject())
            return r.fail(key, QStringLiteral("must be an object with a \"frame\" template"));
        *section = v.toObject();
        if (!r.unknown(*section, QStringList{QStringLiteral("frame")} + extra, key))
            return false;
        const QJsonValue frame = section->value(QStringLiteral("frame"));
        if (!frame.isObject() && !frame.isArray() && !frame.isString())
            return r.fail(key + L(".frame"), QStringLiteral("must be a JSON object, array or text to send"));
        return true;
    };

    // subprotocols
    if (config.contains(QStringLiteral("subprotocols"))) {
        const QJsonValue v = config.value(QStringLiteral("subprotocols"));
        if (!v.isArray())
            return r.fail(QStringLiteral("subprotocols"), QStringLiteral("must be an array of strings"));
        for (const QJsonValue &s : v.toArray()) {
            if (!s.isString() || s.toString().isEmpty())
                return r.fail(QStringLiteral("subprotocols"), QStringLiteral("must be an array of strings"));
            m_subprotocols.append(s.toString());
        }
    }
    if (config.contains(QStringLiteral("username")) && !config.value(QStringLiteral("username")).isString())
        return r.fail(QStringLiteral("username"), QStringLiteral("must be a string"));

    // open
    m_caps.authFrame = false;
    if (config.contains(QStringLiteral("open"))) {
        const QJsonValue v = config.value(QStringLiteral("open"));
        if (!v.isObject())
            return r.fail(QStringLiteral("open"), QStringLiteral("must be an object"));
        const QJsonObject o = v.toObject();
        if (!r.unknown(o,
                       {QStringLiteral("send"), QStringLiteral("after"), QStringLiteral("ready"),
                        QStringLiteral("refused"), QStringLiteral("refusedMessage")},
                       QStringLiteral("open")))
            return false;
        const QJsonValue send = o.value(QStringLiteral("send"));
        if (!send.isUndefined()) {
            if (!send.isArray())
                return r.fail(QStringLiteral("open.send"), QStringLiteral("must be an array of frames"));
            m_openFrames = send.toArray();
            for (const QJsonValue &f : std::as_const(m_openFrames)) {
                if (!f.isObject() && !f.isArray() && !f.isString())
                    return r.fail(QStringLiteral("open.send"),
                                  QStringLiteral("each frame must be a JSON object, array or text"));
            }
        }
        if (!readMatch(o.value(QStringLiteral("after")), QStringLiteral("open.after"), &m_openAfter) ||
            !readMatch(o.value(QStringLiteral("ready")), QStringLiteral("open.ready"), &m_ready) ||
            !readMatch(o.value(QStringLiteral("refused")), QStringLiteral("open.refused"), &m_refused) ||
            !r.string(o, QStringLiteral("refusedMessage"), QStringLiteral("open"), &m_refusedMessage, true))
            return false;
        if (!m_openAfter.isEmpty() && m_openFrames.isEmpty())
            return r.fail(QStringLiteral("open.after"),
                          QStringLiteral("says when to send open.send, which is empty"));
        if (!m_refused.isEmpty() && m_ready.isEmpty())
            return r.fail(QStringLiteral("open.refused"),
                          QStringLiteral("needs open.ready (the reply that accepts)"));
        // A reply to wait for before subscribing: the session's auth step waits for it, with a
        // token or without one (a server that greets everyone first).
        m_caps.authFrame = !m_ready.isEmpty();
        m_caps.authWithoutToken = m_caps.authFrame;
    }

    // subscribe / unsubscribe
    QJsonObject section;
    if (!readTemplate(QStringLiteral("subscribe"), {QStringLiteral("reply")}, &section))
        return false;
    m_subscribe = section.value(QStringLiteral("frame"));
    if (!readReply(section.value(QStringLiteral("reply")), QStringLiteral("subscribe.reply"),
                   &m_subscribeReply))
        return false;
    if (m_subscribeReply && m_subscribe.isUndefined())
        return r.fail(QStringLiteral("subscribe.reply"), QStringLiteral("needs subscribe.frame"));
    section = {};
    if (!readTemplate(QStringLiteral("unsubscribe"), {}, &section))
        return false;
    m_unsubscribe = section.value(QStringLiteral("frame"));
    section = {};
    if (!readTemplate(QStringLiteral("publish"), {QStringLiteral("reply")}, &section))
        return false;
    m_publish = section.value(QStringLiteral("frame"));
    if (!readReply(section.value(QStringLiteral("reply")), QStringLiteral("publish.reply"), &m_publishReply))
        return false;
    section = {};
    if (!readTemplate(QStringLiteral("ping"), {QStringLiteral("pong")}, &section))
        return false;
    m_ping = section.value(QStringLiteral("frame"));
    if (!m_ping.isUndefined()) {
        if (!section.contains(QStringLiteral("pong")))
            return r.fail(QStringLiteral("ping.pong"),
                          QStringLiteral("is needed: how the server's answer is recognised"));
        if (!readMatch(section.value(QStringLiteral("pong")), QStringLiteral("ping.pong"), &m_pong))
            return false;
    }

    // ignore
    if (config.contains(QStringLiteral("ignore"))) {
        const QJsonValue v = config.value(QStringLiteral("ignore"));
        if (!v.isArray())
            return r.fail(QStringLiteral("ignore"), QStringLiteral("must be an array of matches"));
        const QJsonArray a = v.toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            Match m;
            if (!readMatch(a.at(i), QStringLiteral("ignore[%1]").arg(i), &m))
                return false;
            m_ignore.append(m);
        }
    }

    // routes
    const QJsonValue routes = config.value(QStringLiteral("routes"));
    if (!routes.isArray() || routes.toArray().isEmpty())
        return r.fail(
            QStringLiteral("routes"),
            QStringLiteral("must be a non-empty array of rules: without one no frame reaches a channel"));
    QStringList withSeq;
    const QJsonArray a = routes.toArray();
    for (qsizetype i = 0; i < a.size(); ++i) {
        const QString where = QStringLiteral("routes[%1]").arg(i);
        if (!a.at(i).isObject())
            return r.fail(where, QStringLiteral("must be an object"));
        const QJsonObject o = a.at(i).toObject();
        if (!r.unknown(o,
                       {QStringLiteral("match"), QStringLiteral("channel"),
                        QStringLiteral("channelBySubscription"), QStringLiteral("data"),
                        QStringLiteral("timestamp"), QStringLiteral("timestampUnit"), QStringLiteral("seq"),
                        QStringLiteral("numericStrings")},
                       where))
            return false;
        Route route;
        QString unit = QStringLiteral("ms");
        if (!readMatch(o.value(QStringLiteral("match")), where + L(".match"), &route.match) ||
            !r.string(o, QStringLiteral("channel"), where, &route.channel, false) ||
            !r.string(o, QStringLiteral("channelBySubscription"), where, &route.bySubscription, true) ||
            !r.string(o, QStringLiteral("data"), where, &route.data, true) ||
            !r.string(o, QStringLiteral("timestamp"), where, &route.timestamp, true) ||
            !r.string(o, QStringLiteral("timestampUnit"), where, &unit, false) ||
            !r.string(o, QStringLiteral("seq"), where, &route.seq, true))
            return false;
        if (route.channel.isEmpty() == route.bySubscription.isEmpty())
            return r.fail(where,
                          QStringLiteral("needs exactly one of \"channel\" (a name, or a template like "
                                         "\"{/s|lower}@trade\") and \"channelBySubscription\""));
        if (!route.bySubscription.isEmpty() && !m_subscribeReply)
            return r.fail(where + L(".channelBySubscription"),
                          QStringLiteral("needs subscribe.reply (the id a subscription is known by)"));
        if (o.contains(QStringLiteral("timestamp")) && route.timestamp.isEmpty())
            return r.fail(where + L(".timestamp"), QStringLiteral("must point into the frame"));
        if (o.contains(QStringLiteral("seq")) && route.seq.isEmpty())
            return r.fail(where + L(".seq"), QStringLiteral("must point into the frame"));
        if (unit == QLatin1StringView("s"))
            route.timestampScale = 1000;
        else if (unit == QLatin1StringView("us"))
            route.timestampScale = 0.001;
        else if (unit != QLatin1StringView("ms"))
            return r.fail(where + L(".timestampUnit"), QStringLiteral("must be \"ms\", \"s\" or \"us\""));
        const QJsonValue numeric = o.value(QStringLiteral("numericStrings"));
        if (!numeric.isUndefined() && !numeric.isBool())
            return r.fail(where + L(".numericStrings"), QStringLiteral("must be true or false"));
        route.numericStrings = numeric.toBool(true);
        if (!route.seq.isEmpty())
            withSeq.append(route.channel.isEmpty()
                               ? QStringLiteral("%1 (by subscription)").arg(where)
                               : QStringLiteral("%1 (channel \"%2\")").arg(where, route.channel));
        m_routes.append(route);
    }

    // What such a feed gives: only what is configured.
    m_caps.heartbeat = Heartbeat::ClientPings;
    m_caps.sendsPings = !m_ping.isUndefined();
    m_caps.confirmsSubscribe = m_subscribeReply.has_value();
    m_caps.resumes = false;
    m_caps.acksPublish = m_publishReply.has_value();
    m_caps.binaryFrames = false;
    // A gap is promised only where a seq is: every route, or the ones named.
    m_caps.sequenced = withSeq.size() == m_routes.size();
    if (!m_caps.sequenced)
        m_caps.sequencedRoutes = withSeq;
    m_caps.history = false;
    return true;
}

// --- encoding ---

QList<OutboundFrame> JsonDialect::framesOnOpen(const QString &token)
{
    m_token = token;
    m_openSent = false;
    if (m_openFrames.isEmpty() || !m_openAfter.isEmpty())
        return {}; // nothing, or sent when `after` arrives
    m_openSent = true;
    QList<OutboundFrame> out;
    const QHash<QString, QJsonValue> values{{QStringLiteral("{token}"), token}};
    for (const QJsonValue &f : std::as_const(m_openFrames))
        out.append({frameBytes(fill(f, values)), false});
    return out;
}

OutboundFrame JsonDialect::encodeAuth(const QString &id, const QString &token)
{
    // The token went out with the open frames; the session waits for `open.ready`.
    m_authId = id;
    if (m_token.isEmpty())
        m_token = token;
    return {};
}

OutboundFrame JsonDialect::encodeSubscribe(const QString &id, const QString &channel, qint64 since)
{
    Q_UNUSED(since) // no server of this dialect resumes
    if (m_subscribe.isUndefined())
        return {}; // the server pushes: the subscription is ours alone
    const qint64 wire = m_nextWireId++;
    if (m_subscribeReply) {
        m_pending.remove(wire - kMaxPending);
        m_pending.insert(wire, {Pending::Subscribe, id, channel});
    }
    const QHash<QString, QJsonValue> values{{QStringLiteral("{channel}"), channel},
                                            {QStringLiteral("{id}"), double(wire)},
                                            {QStringLiteral("{id:string}"), QString::number(wire)},
                                            {QStringLiteral("{token}"), m_token}};
    return {frameBytes(fill(m_subscribe, values)), false};
}

OutboundFrame JsonDialect::encodeUnsubscribe(const QString &id, const QString &channel)
{
    Q_UNUSED(id)
    qint64 subscription = -1; // the wire id its subscribe had (servers that unsubscribe by it)
    for (auto it = m_subscriptionChannels.begin(); it != m_subscriptionChannels.end();) {
        if (*it == channel) {
            subscription = it.key();
            it = m_subscriptionChannels.erase(it);
        } else {
            ++it;
        }
    }
    if (m_unsubscribe.isUndefined())
        return {};
    const qint64 wire = m_nextWireId++;
    const QHash<QString, QJsonValue> values{{QStringLiteral("{channel}"), channel},
                                            {QStringLiteral("{id}"), double(wire)},
                                            {QStringLiteral("{id:string}"), QString::number(wire)},
                                            {QStringLiteral("{subscription}"), double(subscription)},
                                            {QStringLiteral("{token}"), m_token}};
    return {frameBytes(fill(m_unsubscribe, values)), false};
}

OutboundFrame JsonDialect::encodePublish(const QString &id, const QString &channel, const QJsonValue &data,
                                         const QString &clientKey)
{
    Q_UNUSED(id)
    Q_UNUSED(clientKey)
    if (m_publish.isUndefined())
        return {}; // refused by the manager: these settings have no publish template
    // What the outbox (and its journal) keeps: channel and data; prepareQueued writes the frame
    // with this connection's wire id.
    return {QJsonDocument(QJsonObject{{QStringLiteral("channel"), channel}, {QStringLiteral("data"), data}})
                .toJson(QJsonDocument::Compact),
            false};
}

OutboundFrame JsonDialect::prepareQueued(const QString &id, const QByteArray &queued)
{
    const QJsonObject held = QJsonDocument::fromJson(queued).object();
    const QString channel = held.value(QStringLiteral("channel")).toString();
    const qint64 wire = m_nextWireId++;
    if (m_publishReply) {
        m_pending.remove(wire - kMaxPending);
        m_pending.insert(wire, {Pending::Publish, id, channel});
    }
    const QHash<QString, QJsonValue> values{{QStringLiteral("{channel}"), channel},
                                            {QStringLiteral("{data}"), held.value(QStringLiteral("data"))},
                                            {QStringLiteral("{id}"), double(wire)},
                                            {QStringLiteral("{id:string}"), QString::number(wire)},
                                            {QStringLiteral("{token}"), m_token}};
    return {frameBytes(fill(m_publish, values)), false};
}

OutboundFrame JsonDialect::encodeRequest(const QString &id, const QString &method, const QJsonValue &params)
{
    Q_UNUSED(id)
    Q_UNUSED(method)
    Q_UNUSED(params)
    return {}; // requests are pulseboard.v1's; refused by the manager
}

OutboundFrame JsonDialect::encodePing(const QString &id, qint64 ts)
{
    if (m_ping.isUndefined())
        return {};
    m_pingId = id;
    m_pingTs = ts;
    const qint64 wire = m_nextWireId++;
    const QHash<QString, QJsonValue> values{{QStringLiteral("{id}"), double(wire)},
                                            {QStringLiteral("{id:string}"), QString::number(wire)},
                                            {QStringLiteral("{ts}"), double(ts)}};
    return {frameBytes(fill(m_ping, values)), false};
}

// --- decoding ---

qsizetype JsonDialect::decodeText(QStringView text, DialectEvents &events)
{
    const QByteArray utf8 = text.toUtf8();
    return decodeDocument(utf8, events);
}

qsizetype JsonDialect::decodeBinary(QByteArrayView data, DialectEvents &events)
{
    // Some feeds send their JSON in binary frames: read as UTF-8 JSON like text.
    return decodeDocument(data.toByteArray(), events);
}

qsizetype JsonDialect::decodeDocument(const QByteArray &utf8, DialectEvents &events)
{
    QJsonParseError why;
    const QJsonDocument doc = QJsonDocument::fromJson(utf8, &why);
    if (why.error != QJsonParseError::NoError || doc.isNull()) {
        events.malformedFrame(CloseCode::Malformed,
                              QStringLiteral("json: frame is not JSON (offset %1: %2): %3")
                                  .arg(why.offset)
                                  .arg(why.errorString(), excerpt(utf8)));
        return utf8.size();
    }
    const QJsonValue frame = doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array());

    // The handshake.
    if (!m_openAfter.isEmpty() && !m_openSent && m_openAfter.matches(frame)) {
        m_openSent = true;
        const QHash<QString, QJsonValue> values{{QStringLiteral("{token}"), m_token}};
        for (const QJsonValue &f : std::as_const(m_openFrames))
            events.replyDue({frameBytes(fill(f, values)), false});
        return utf8.size();
    }
    if (!m_ready.isEmpty() && m_ready.matches(frame)) {
        if (!m_authId.isEmpty())
            events.ackArrived(std::exchange(m_authId, QString()), -1);
        return utf8.size();
    }
    if (!m_refused.isEmpty() && m_refused.matches(frame)) {
        const QJsonValue words = pointer(frame, m_refusedMessage);
        const QString message =
            words.isString() ? words.toString() : QStringLiteral("the server refused the token");
        events.serverError(CloseCode::Unauthorized, message, m_authId);
        return utf8.size();
    }
    if (!m_ping.isUndefined() && m_pong.matches(frame)) {
        if (!m_pingId.isEmpty())
            events.pongArrived(std::exchange(m_pingId, QString()), m_pingTs);
        return utf8.size();
    }
    if (handleReply(frame, events))
        return utf8.size();
    for (const Match &m : std::as_const(m_ignore)) {
        if (m.matches(frame))
            return utf8.size();
    }
    for (int i = 0; i < m_routes.size(); ++i) {
        const Route &r = m_routes.at(i);
        if (r.match.isEmpty() || r.match.matches(frame)) {
            route(r, i, frame, events);
            return utf8.size();
        }
    }
    events.malformedFrame(
        CloseCode::Malformed,
        QStringLiteral("json: frame matches no route (add a route or an \"ignore\"): %1").arg(excerpt(utf8)));
    return utf8.size();
}

bool JsonDialect::handleReply(const QJsonValue &frame, DialectEvents &events)
{
    if (m_pending.isEmpty())
        return false;
    for (const std::optional<Reply> *reply : {&m_subscribeReply, &m_publishReply}) {
        if (!*reply)
            continue;
        const QJsonValue idValue = pointer(frame, (*reply)->id);
        qint64 wire = -1;
        if (idValue.isDouble())
            wire = qint64(idValue.toDouble());
        else if (idValue.isString())
            wire = idValue.toString().toLongLong();
        const auto it = m_pending.constFind(wire);
        if (wire <= 0 || it == m_pending.cend())
            continue;
        const PendingEntry entry = *it;
        if ((entry.kind == Pending::Publish) != (reply == &m_publishReply))
            continue;
        m_pending.erase(it);
        if (!(*reply)->failure.isEmpty() && (*reply)->failure.matches(frame)) {
            const QJsonValue words = pointer(frame, (*reply)->message);
            const QJsonValue code = pointer(frame, (*reply)->code);
            const QString message = words.isString()      ? words.toString()
                                    : words.isUndefined() ? QStringLiteral("refused")
                                                          : QString::fromUtf8(frameBytes(words));
            events.serverError(code.isDouble() ? code.toInt() : 0, message, entry.id);
            return true;
        }
        if (entry.kind == Pending::Subscribe) {
            m_subscriptionChannels.insert(wire, entry.channel);
            events.subscribeConfirmed(entry.id, entry.channel, -1, std::nullopt, QString());
        } else {
            events.ackArrived(entry.id, -1);
        }
        return true;
    }
    return false;
}

QString JsonDialect::channelFrom(const Route &r, const QJsonValue &frame, QString *error) const
{
    if (!r.bySubscription.isEmpty()) {
        const QJsonValue id = pointer(frame, r.bySubscription);
        if (!id.isDouble() && !id.isString()) {
            *error =
                QStringLiteral("%1 is %2, not a subscription id").arg(r.bySubscription, jsonTypeName(id));
            return QString();
        }
        const qint64 wire = id.isDouble() ? qint64(id.toDouble()) : id.toString().toLongLong();
        const QString channel = m_subscriptionChannels.value(wire);
        if (channel.isEmpty())
            *error = QStringLiteral("%1 = %2 is no subscription of this connection")
                         .arg(r.bySubscription)
                         .arg(wire);
        return channel;
    }
    // A template: text with {/pointer} or {/pointer|lower|upper}.
    if (!r.channel.contains(QLatin1Char('{')))
        return r.channel;
    QString out;
    qsizetype at = 0;
    while (at < r.channel.size()) {
        const qsizetype open = r.channel.indexOf(QLatin1Char('{'), at);
        if (open < 0) {
            out += r.channel.mid(at);
            break;
        }
        const qsizetype close = r.channel.indexOf(QLatin1Char('}'), open);
        if (close < 0) {
            out += r.channel.mid(at);
            break;
        }
        out += r.channel.mid(at, open - at);
        QString spec = r.channel.mid(open + 1, close - open - 1);
        QString transform;
        if (const qsizetype bar = spec.indexOf(QLatin1Char('|')); bar >= 0) {
            transform = spec.mid(bar + 1);
            spec.truncate(bar);
        }
        const QJsonValue v = pointer(frame, spec);
        QString part;
        if (v.isString())
            part = v.toString();
        else if (v.isDouble())
            part = QString::number(v.toDouble(), 'g', 17);
        else {
            *error = QStringLiteral("channel %1 is %2, not a string or number").arg(spec, jsonTypeName(v));
            return QString();
        }
        if (transform == QLatin1StringView("lower"))
            part = part.toLower();
        else if (transform == QLatin1StringView("upper"))
            part = part.toUpper();
        out += part;
        at = close + 1;
    }
    return out;
}

void JsonDialect::route(const Route &r, int index, const QJsonValue &frame, DialectEvents &events)
{
    const auto bad = [&](const QString &what) {
        events.malformedFrame(
            CloseCode::Malformed,
            QStringLiteral("json: routes[%1]: %2: %3").arg(index).arg(what, excerpt(frameBytes(frame))));
    };
    QString why;
    const QString channel = channelFrom(r, frame, &why);
    if (channel.isEmpty()) {
        bad(why.isEmpty() ? QStringLiteral("the channel is empty") : why);
        return;
    }
    const QJsonValue data = pointer(frame, r.data);
    if (data.isUndefined()) {
        bad(QStringLiteral("data %1 is missing").arg(r.data));
        return;
    }
    InboundMessage m;
    m.channel = channel;
    if (!r.seq.isEmpty()) {
        const QJsonValue seq = numbersFromStrings(pointer(frame, r.seq), 0);
        const double d = seq.toDouble(-1);
        if (!seq.isDouble() || d < 0 || d != std::floor(d) || d > 9007199254740992.0) {
            bad(QStringLiteral("seq %1 is %2, not a whole number >= 0").arg(r.seq, jsonTypeName(seq)));
            return;
        }
        m.seq = qint64(d);
    }
    if (!r.timestamp.isEmpty()) {
        const QJsonValue ts = pointer(frame, r.timestamp);
        if (ts.isDouble() || (ts.isString() && looksLikeJsonNumber(ts.toString()))) {
            const double d = ts.isDouble() ? ts.toDouble() : ts.toString().toDouble();
            if (std::isfinite(d) && d >= 0 && d * r.timestampScale < 9.2e18)
                m.ts = qint64(d * r.timestampScale);
        } else if (ts.isString()) {
            const QDateTime t = QDateTime::fromString(ts.toString(), Qt::ISODateWithMs);
            if (t.isValid())
                m.ts = t.toMSecsSinceEpoch();
        }
        if (m.ts < 0) {
            bad(QStringLiteral("timestamp %1 is %2, not a time (ms number or ISO 8601 text)")
                    .arg(r.timestamp, ts.isString() ? QStringLiteral("'%1'").arg(ts.toString().left(40))
                                                    : jsonTypeName(ts)));
            return;
        }
    }
    const QJsonValue shown = r.numericStrings ? numbersFromStrings(data) : data;
    m.data = JsonView(shown);
    events.messageArrived(m);
}

} // namespace Pulseboard
