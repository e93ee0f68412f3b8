#include "SocketIoDialect.h"

#include "Logging.h"
#include "protocol/CloseCode.h"

#include <QJsonDocument>
#include <QUrlQuery>

namespace Pulseboard {

namespace {

constexpr QLatin1StringView kToken("{token}");
constexpr int kMaxAckDigits = 15;     // an ack id beyond this is not a number we handed out
constexpr int kMaxAttachments = 1000; // binary attachments we skip for one unsupported packet

bool parsePointer(const QJsonValue &v, const QString &name, SocketIoDialect::Pointer *out, QString *error)
{
    if (v.isUndefined() || v.isNull())
        return true;
    if (!v.isString()) {
        *error = QStringLiteral("%1 must be a JSON pointer string, not %2").arg(name, jsonTypeName(v));
        return false;
    }
    QString why;
    if (!JsonPointer::parse(v.toString(), out, &why)) {
        *error = QStringLiteral("%1 %2").arg(name, why);
        return false;
    }
    return true;
}

QJsonValue resolve(const QJsonValue &root, const SocketIoDialect::Pointer &p)
{
    return p.resolve(root);
}

// The same into an event's arguments, all[1 .. 1 + argc), without copying them out of `all`.
QJsonValue resolveArgs(const QJsonArray &all, qsizetype argc, const SocketIoDialect::Pointer &p)
{
    if (p.tokens.isEmpty()) {
        QJsonArray args; // the whole argument array (a pointer "", rare)
        for (qsizetype i = 1; i <= argc; ++i)
            args.append(all.at(i));
        return args;
    }
    qsizetype i = 0;
    if (!JsonPointer::arrayIndex(p.tokens.first(), argc, &i))
        return QJsonValue(QJsonValue::Undefined);
    return p.resolve(all.at(i + 1), 1);
}

bool parseEmit(const QJsonValue &v, const QString &name, QJsonArray *out, QString *error)
{
    if (!v.isArray() || v.toArray().isEmpty() || !v.toArray().at(0).isString() ||
        v.toArray().at(0).toString().isEmpty()) {
        *error = QStringLiteral("%1 must be an array whose first element is the event name, e.g. "
                                "[\"join\", \"{channel}\"], not %2")
                     .arg(name, jsonTypeName(v));
        return false;
    }
    *out = v.toArray();
    return true;
}

struct Substitutions
{
    QHash<QString, QString> text;      // "{id}" -> value, inside any string
    QHash<QString, QJsonValue> values; // "{data}" -> value, a string that is exactly the key
};

QJsonValue expand(const QJsonValue &t, const Substitutions &s)
{
    if (t.isString()) {
        QString str = t.toString();
        const auto v = s.values.constFind(str);
        if (v != s.values.cend())
            return v->isUndefined() ? QJsonValue(QJsonValue::Null) : *v;
        if (str.contains(u'{')) {
            for (auto it = s.text.cbegin(); it != s.text.cend(); ++it)
                str.replace(it.key(), it.value());
        }
        return str;
    }
    if (t.isArray()) {
        QJsonArray out;
        for (const QJsonValue &e : t.toArray())
            out.append(expand(e, s));
        return out;
    }
    if (t.isObject()) {
        QJsonObject out;
        const QJsonObject o = t.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            out.insert(it.key(), expand(it.value(), s));
        return out;
    }
    return t;
}

QByteArray compact(const QJsonArray &a)
{
    return QJsonDocument(a).toJson(QJsonDocument::Compact);
}

} // namespace

std::unique_ptr<SocketIoDialect> SocketIoDialect::create(const QJsonObject &config, QString *error)
{
    QString why;
    Settings s;
    const auto fail = [&](const QString &message) -> std::unique_ptr<SocketIoDialect> {
        if (error)
            *error = QStringLiteral("socketio settings: %1").arg(message);
        return nullptr;
    };
    static const QStringList known = {QStringLiteral("path"),        QStringLiteral("namespace"),
                                      QStringLiteral("auth"),        QStringLiteral("recovery"),
                                      QStringLiteral("messages"),    QStringLiteral("subscribe"),
                                      QStringLiteral("unsubscribe"), QStringLiteral("publish"),
                                      QStringLiteral("request"),     QStringLiteral("ackError")};
    for (auto it = config.begin(); it != config.end(); ++it)
        if (!known.contains(it.key()))
            return fail(QStringLiteral("unknown setting '%1' (known: %2)").arg(it.key(), known.join(u", ")));

    const QJsonValue path = config.value(QLatin1StringView("path"));
    if (!path.isUndefined()) {
        if (!path.isString() || !path.toString().startsWith(u'/'))
            return fail(
                QStringLiteral("path must be a string starting with '/', not %1").arg(jsonTypeName(path)));
        s.path = path.toString();
    }
    const QJsonValue nsp = config.value(QLatin1StringView("namespace"));
    if (!nsp.isUndefined()) {
        if (!nsp.isString() || !nsp.toString().startsWith(u'/') || nsp.toString().contains(u','))
            return fail(QStringLiteral("namespace must be a string starting with '/' and without ',', not %1")
                            .arg(jsonTypeName(nsp)));
        s.nsp = nsp.toString();
    }
    const QJsonValue auth = config.value(QLatin1StringView("auth"));
    if (auth.isUndefined())
        s.auth = QJsonObject{{QStringLiteral("token"), kToken}};
    else if (!auth.isObject())
        return fail(QStringLiteral("auth must be an object (the CONNECT's auth, \"{token}\" where the token "
                                   "goes), not %1")
                        .arg(jsonTypeName(auth)));
    else
        s.auth = auth;
    const QJsonValue recovery = config.value(QLatin1StringView("recovery"));
    if (!recovery.isUndefined()) {
        if (!recovery.isBool())
            return fail(QStringLiteral("recovery must be true or false, not %1").arg(jsonTypeName(recovery)));
        s.recovery = recovery.toBool();
    }

    QJsonValue messages = config.value(QLatin1StringView("messages"));
    if (messages.isUndefined())
        messages = QJsonArray{QJsonObject{}};
    if (messages.isObject())
        messages = QJsonArray{messages};
    if (!messages.isArray() || messages.toArray().isEmpty())
        return fail(QStringLiteral("messages must be an object or a non-empty array of them, not %1")
                        .arg(jsonTypeName(messages)));
    const QJsonArray rules = messages.toArray();
    for (qsizetype i = 0; i < rules.size(); ++i) {
        const QString where = QStringLiteral("messages[%1]").arg(i);
        if (!rules.at(i).isObject())
            return fail(QStringLiteral("%1 must be an object, not %2").arg(where, jsonTypeName(rules.at(i))));
        const QJsonObject r = rules.at(i).toObject();
        for (auto it = r.begin(); it != r.end(); ++it)
            if (!QStringList{QStringLiteral("event"), QStringLiteral("channel"), QStringLiteral("seq"),
                             QStringLiteral("ts"), QStringLiteral("data")}
                     .contains(it.key()))
                return fail(QStringLiteral("%1: unknown setting '%2' (known: event, channel, seq, ts, data)")
                                .arg(where, it.key()));
        Route route;
        const QJsonValue event = r.value(QLatin1StringView("event"));
        if (!event.isUndefined() && (!event.isString() || event.toString().isEmpty()))
            return fail(QStringLiteral("%1.event must be a non-empty string, not %2")
                            .arg(where, jsonTypeName(event)));
        route.event = event.toString();
        if (!parsePointer(r.value(QLatin1StringView("channel")), where + QStringLiteral(".channel"),
                          &route.channel, &why) ||
            !parsePointer(r.value(QLatin1StringView("seq")), where + QStringLiteral(".seq"), &route.seq,
                          &why) ||
            !parsePointer(r.value(QLatin1StringView("ts")), where + QStringLiteral(".ts"), &route.ts, &why) ||
            !parsePointer(r.value(QLatin1StringView("data")), where + QStringLiteral(".data"), &route.data,
                          &why))
            return fail(why);
        s.routes.append(route);
    }

    const auto emitSetting = [&](const char *key, QJsonArray *emit, bool *ack, const QJsonArray &fallback) {
        const QJsonValue v = config.value(QLatin1StringView(key));
        if (v.isUndefined() || v.isNull()) {
            *emit = fallback;
            return true;
        }
        const QString name = QString::fromLatin1(key);
        if (!v.isObject()) {
            why = QStringLiteral("%1 must be an object like {\"emit\": [\"%1\", \"{channel}\"]}, not %2")
                      .arg(name, jsonTypeName(v));
            return false;
        }
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            const bool allowed = it.key() == QLatin1StringView("emit") ||
                                 (ack && it.key() == QLatin1StringView("ack")) ||
                                 (qstrcmp(key, "publish") == 0 && it.key() == QLatin1StringView("ackSeq"));
            if (!allowed) {
                why = QStringLiteral("%1: unknown setting '%2'").arg(name, it.key());
                return false;
            }
        }
        if (!parseEmit(o.value(QLatin1StringView("emit")), name + QStringLiteral(".emit"), emit, &why))
            return false;
        if (ack) {
            const QJsonValue a = o.value(QLatin1StringView("ack"));
            if (!a.isUndefined() && !a.isBool()) {
                why = QStringLiteral("%1.ack must be true or false, not %2").arg(name, jsonTypeName(a));
                return false;
            }
            *ack = a.toBool(false);
        }
        return true;
    };
    if (!emitSetting("subscribe", &s.subscribeEmit, &s.subscribeAck, {}) ||
        !emitSetting("unsubscribe", &s.unsubscribeEmit, nullptr, {}) ||
        !emitSetting("publish", &s.publishEmit, nullptr,
                     QJsonArray{QStringLiteral("{channel}"), QStringLiteral("{data}")}) ||
        !emitSetting("request", &s.requestEmit, nullptr,
                     QJsonArray{QStringLiteral("{method}"), QStringLiteral("{params}")}))
        return fail(why);
    const QJsonValue publish = config.value(QLatin1StringView("publish"));
    if (publish.isObject() && !parsePointer(publish.toObject().value(QLatin1StringView("ackSeq")),
                                            QStringLiteral("publish.ackSeq"), &s.publishAckSeq, &why))
        return fail(why);
    if (!parsePointer(config.value(QLatin1StringView("ackError")), QStringLiteral("ackError"), &s.ackError,
                      &why))
        return fail(why);
    return std::make_unique<SocketIoDialect>(std::move(s));
}

SocketIoDialect::SocketIoDialect(Settings settings) : m_settings(std::move(settings))
{
    if (m_settings.routes.isEmpty())
        m_settings.routes.append(Route{});
    if (m_settings.publishEmit.isEmpty())
        m_settings.publishEmit = QJsonArray{QStringLiteral("{channel}"), QStringLiteral("{data}")};
    if (m_settings.requestEmit.isEmpty())
        m_settings.requestEmit = QJsonArray{QStringLiteral("{method}"), QStringLiteral("{params}")};
}

WireDialect::Capabilities SocketIoDialect::capabilities() const
{
    Capabilities c;
    c.heartbeat = Heartbeat::ServerPings;
    c.authFrame = true;
    c.authWithoutToken = true;
    c.confirmsSubscribe = !m_settings.subscribeEmit.isEmpty() && m_settings.subscribeAck;
    c.resumes = m_settings.recovery;
    c.acksPublish = true;
    c.binaryFrames = false;
    // A gap is promised only where a seq is: on every route, or on the ones named.
    QStringList withSeq;
    for (const Route &r : m_settings.routes)
        if (r.seq.isSet)
            withSeq.append(r.event.isEmpty() ? QStringLiteral("every other event")
                                             : QStringLiteral("event \"%1\"").arg(r.event));
    c.sequenced = !m_settings.routes.isEmpty() && withSeq.size() == m_settings.routes.size();
    if (!c.sequenced)
        c.sequencedRoutes = withSeq;
    c.history = false;
    return c;
}

QUrl SocketIoDialect::connectUrl(const QUrl &endpoint) const
{
    QUrl url = endpoint;
    if (url.path().isEmpty() || url.path() == QLatin1StringView("/"))
        url.setPath(m_settings.path);
    QUrlQuery query(url);
    query.removeAllQueryItems(QStringLiteral("EIO"));
    query.removeAllQueryItems(QStringLiteral("transport"));
    query.addQueryItem(QStringLiteral("EIO"), QStringLiteral("4"));
    query.addQueryItem(QStringLiteral("transport"), QStringLiteral("websocket"));
    url.setQuery(query);
    return url;
}

OutboundFrame SocketIoDialect::encodeAuth(const QString &id, const QString &token)
{
    m_authId = id;
    QJsonObject auth;
    if (!token.isEmpty()) {
        Substitutions s;
        s.text.insert(kToken, token);
        auth = expand(m_settings.auth, s).toObject();
    }
    m_sentPid.clear();
    if (m_settings.recovery && !m_pid.isEmpty()) {
        // Connection state recovery: the server restores the session and sends what it missed
        // after this offset (it needs both, as strings).
        auth.insert(QStringLiteral("pid"), m_pid);
        if (!m_offset.isEmpty())
            auth.insert(QStringLiteral("offset"), m_offset);
        m_sentPid = m_pid;
    }
    QByteArray frame = "40";
    if (m_settings.nsp != QLatin1StringView("/"))
        frame += m_settings.nsp.toUtf8() + ',';
    if (!auth.isEmpty())
        frame += QJsonDocument(auth).toJson(QJsonDocument::Compact);
    if (m_opened)
        return {frame, false};
    // Engine.IO: nothing goes out before the server's open packet; sent from there.
    m_pendingConnect = frame;
    return {};
}

QByteArray SocketIoDialect::eventFrame(qint64 ackId, const QByteArray &arrayJson) const
{
    QByteArray frame = "42";
    if (m_settings.nsp != QLatin1StringView("/"))
        frame += m_settings.nsp.toUtf8() + ',';
    if (ackId >= 0)
        frame += QByteArray::number(ackId);
    return frame + arrayJson;
}

qint64 SocketIoDialect::nextAck(const PendingAck &pending)
{
    const qint64 id = m_ackCounter++;
    m_acks.insert(id, pending);
    m_ackOrder.append(id);
    while (m_acks.size() > MaxPendingAcks && !m_ackOrder.isEmpty())
        m_acks.remove(m_ackOrder.takeFirst());
    if (m_ackOrder.size() > 2 * MaxPendingAcks) {
        QList<qint64> live;
        for (qint64 a : std::as_const(m_ackOrder))
            if (m_acks.contains(a))
                live.append(a);
        m_ackOrder = live;
    }
    return id;
}

OutboundFrame SocketIoDialect::encodeSubscribe(const QString &id, const QString &channel, qint64 since)
{
    if (m_settings.subscribeEmit.isEmpty())
        return {}; // the server pushes: nothing to send
    Substitutions s;
    s.text.insert(QStringLiteral("{channel}"), channel);
    s.text.insert(QStringLiteral("{id}"), id);
    s.values.insert(QStringLiteral("{since}"), since >= 0 ? QJsonValue(double(since)) : QJsonValue());
    const QByteArray args = compact(expand(m_settings.subscribeEmit, s).toArray());
    const qint64 ack = m_settings.subscribeAck ? nextAck({AckKind::Subscribe, id, channel}) : -1;
    return {eventFrame(ack, args), false};
}

OutboundFrame SocketIoDialect::encodeUnsubscribe(const QString &id, const QString &channel)
{
    if (m_settings.unsubscribeEmit.isEmpty())
        return {};
    Substitutions s;
    s.text.insert(QStringLiteral("{channel}"), channel);
    s.text.insert(QStringLiteral("{id}"), id);
    return {eventFrame(-1, compact(expand(m_settings.unsubscribeEmit, s).toArray())), false};
}

// Queued frames are the emit's argument array behind a kind byte ('p' publish, 'r' request); the
// ack id, which lives per connection, is added when the entry goes out (prepareQueued).
OutboundFrame SocketIoDialect::encodePublish(const QString &id, const QString &channel,
                                             const QJsonValue &data, const QString &clientKey)
{
    Substitutions s;
    s.text.insert(QStringLiteral("{channel}"), channel);
    s.text.insert(QStringLiteral("{id}"), id);
    s.text.insert(QStringLiteral("{client}"), clientKey);
    s.values.insert(QStringLiteral("{data}"), data);
    return {'p' + compact(expand(m_settings.publishEmit, s).toArray()), false};
}

OutboundFrame SocketIoDialect::encodeRequest(const QString &id, const QString &method,
                                             const QJsonValue &params)
{
    Substitutions s;
    s.text.insert(QStringLiteral("{method}"), method);
    s.text.insert(QStringLiteral("{id}"), id);
    s.values.insert(QStringLiteral("{params}"), params);
    return {'r' + compact(expand(m_settings.requestEmit, s).toArray()), false};
}

OutboundFrame SocketIoDialect::encodePing(const QString &, qint64)
{
    return {}; // the server pings (Engine.IO 4)
}

OutboundFrame SocketIoDialect::prepareQueued(const QString &id, const QByteArray &queued)
{
    if (m_maxPayload > 0 && queued.size() + 24 > m_maxPayload) {
        // The server would close the connection on it (and the resend on the next one, for
        // ever): it is not sent, so its ack deadlines pass and it fails after its attempts.
        qCWarning(lcNet).noquote() << "not sent:" << id << "is" << queued.size()
                                   << "bytes, above the server's maxPayload of" << m_maxPayload;
        return {};
    }
    const bool request = queued.startsWith('r');
    const qint64 ack = nextAck({request ? AckKind::Request : AckKind::Publish, id, QString()});
    return {eventFrame(ack, queued.mid(1)), false};
}

QJsonObject SocketIoDialect::resumeState() const
{
    if (m_pid.isEmpty())
        return {};
    return {{QStringLiteral("namespace"), m_settings.nsp},
            {QStringLiteral("pid"), m_pid},
            {QStringLiteral("offset"), m_offset}};
}

void SocketIoDialect::setResumeState(const QJsonObject &state)
{
    if (state.value(QLatin1StringView("namespace")).toString() != m_settings.nsp)
        return;
    m_pid = state.value(QLatin1StringView("pid")).toString();
    m_offset = state.value(QLatin1StringView("offset")).toString();
}

qsizetype SocketIoDialect::decodeBinary(QByteArrayView data, DialectEvents &events)
{
    if (m_attachmentsToSkip > 0) {
        --m_attachmentsToSkip; // an attachment of the binary packet already reported
        return data.size();
    }
    events.malformedFrame(CloseCode::Malformed,
                          QStringLiteral("ignored a binary Engine.IO frame of %1 bytes: binary payloads are "
                                         "not supported")
                              .arg(data.size()));
    return data.size();
}

qsizetype SocketIoDialect::decodeText(QStringView text, DialectEvents &events)
{
    const qsizetype bytes = text.size(); // close to the UTF-8 size for the ASCII of the framing
    if (text.isEmpty()) {
        events.malformedFrame(CloseCode::Malformed, QStringLiteral("empty Engine.IO frame"));
        return 0;
    }
    const QChar type = text.at(0);
    switch (type.unicode()) {
    case u'0': {
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(text.mid(1).toUtf8(), &pe);
        const QJsonObject o = doc.object();
        const QJsonValue interval = o.value(QLatin1StringView("pingInterval"));
        const QJsonValue timeout = o.value(QLatin1StringView("pingTimeout"));
        m_opened = true;
        if (!doc.isObject() || !interval.isDouble() || !timeout.isDouble() || interval.toDouble() <= 0 ||
            timeout.toDouble() <= 0 || interval.toDouble() > 1e9 || timeout.toDouble() > 1e9) {
            events.malformedFrame(CloseCode::Malformed,
                                  QStringLiteral("Engine.IO open packet without a usable pingInterval and "
                                                 "pingTimeout: %1")
                                      .arg(text.left(200)));
            // Engine.IO's defaults, so a dead link is still caught.
            m_pingInterval = 25000;
            m_pingTimeout = 20000;
        } else {
            m_pingInterval = int(interval.toDouble());
            m_pingTimeout = int(timeout.toDouble());
        }
        const QJsonValue maxPayload = o.value(QLatin1StringView("maxPayload"));
        m_maxPayload = maxPayload.isDouble() && maxPayload.toDouble() >= 1 && maxPayload.toDouble() < 4e18
                           ? qint64(maxPayload.toDouble())
                           : 0;
        events.welcomed(QStringLiteral("socket.io"), o.value(QLatin1StringView("sid")).toString(),
                        m_pingInterval);
        events.serverHeartbeat(m_pingInterval + m_pingTimeout);
        if (!m_pendingConnect.isEmpty())
            events.replyDue({std::exchange(m_pendingConnect, QByteArray()), false});
        break;
    }
    case u'1':
        qCInfo(lcNet) << "Socket.IO server closes the Engine.IO session";
        break;
    case u'2':
        events.replyDue({'3' + text.mid(1).toUtf8(), false});
        break;
    case u'3':
    case u'6':
        break; // a pong to a probe we never sent, a noop
    case u'4':
        onSocketIo(text.mid(1), events);
        break;
    case u'5':
        break; // upgrade: we are on WebSocket already
    default:
        events.malformedFrame(
            CloseCode::Malformed,
            QStringLiteral("unknown Engine.IO packet type '%1' in a frame of %2 bytes")
                .arg(type.isPrint() ? QString(type)
                                    : QStringLiteral("\\u%1").arg(type.unicode(), 4, 16, QLatin1Char('0')))
                .arg(bytes));
        break;
    }
    return bytes;
}

void SocketIoDialect::onSocketIo(QStringView p, DialectEvents &events)
{
    const auto malformed = [&](const QString &why) {
        events.malformedFrame(CloseCode::Malformed,
                              QStringLiteral("unreadable Socket.IO packet (%1): %2").arg(why, p.left(120)));
    };
    if (p.isEmpty())
        return malformed(QStringLiteral("no packet type"));
    const char16_t type = p.at(0).unicode();
    qsizetype i = 1;
    if (type == u'5' || type == u'6') {
        // <type><attachments>-: the attachments follow as binary frames, which we skip.
        qsizetype j = i;
        while (j < p.size() && p.at(j).isDigit() && j - i < 5)
            ++j;
        const int attachments = p.mid(i, j - i).toInt();
        if (j < p.size() && p.at(j) == u'-')
            m_attachmentsToSkip = qBound(0, attachments, kMaxAttachments);
        events.malformedFrame(CloseCode::Malformed,
                              QStringLiteral("ignored a Socket.IO binary %1 with %2 attachment(s): binary "
                                             "events are not supported (send JSON)")
                                  .arg(type == u'5' ? QStringLiteral("event") : QStringLiteral("ack"))
                                  .arg(attachments));
        return;
    }
    if (type < u'0' || type > u'4')
        return malformed(QStringLiteral("unknown packet type '%1'").arg(QChar(type)));
    QString nsp = QStringLiteral("/");
    if (i < p.size() && p.at(i) == u'/') {
        const qsizetype comma = p.indexOf(u',', i);
        nsp = (comma < 0 ? p.mid(i) : p.mid(i, comma - i)).toString();
        i = comma < 0 ? p.size() : comma + 1;
    }
    if (nsp != m_settings.nsp) {
        qCDebug(lcNet).noquote() << "ignoring a Socket.IO packet for namespace" << nsp.left(100);
        return;
    }
    qint64 ackId = -1;
    const qsizetype digits = i;
    while (i < p.size() && p.at(i).isDigit())
        ++i;
    if (i > digits) {
        if (i - digits > kMaxAckDigits)
            return malformed(QStringLiteral("ack id of %1 digits").arg(i - digits));
        ackId = p.mid(digits, i - digits).toLongLong();
    }
    QJsonValue payload(QJsonValue::Undefined);
    if (i < p.size()) {
        QJsonParseError pe;
        const QChar first = p.at(i);
        if (first == u'[' || first == u'{') {
            const QJsonDocument doc = QJsonDocument::fromJson(p.mid(i).toUtf8(), &pe);
            if (pe.error != QJsonParseError::NoError)
                return malformed(pe.error == QJsonParseError::GarbageAtEnd
                                     ? QStringLiteral("more than one JSON value")
                                     : pe.errorString());
            payload = doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
        } else {
            // Wrapped so any JSON value parses (QJsonDocument alone takes only objects and arrays).
            const QByteArray json = "[" + p.mid(i).toUtf8() + "]";
            const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
            if (pe.error != QJsonParseError::NoError || doc.array().size() != 1)
                return malformed(pe.error != QJsonParseError::NoError
                                     ? pe.errorString()
                                     : QStringLiteral("more than one JSON value"));
            payload = doc.array().at(0);
        }
    }
    switch (type) {
    case u'0':
        return onConnect(payload, events);
    case u'1':
        // The server ended our namespace session: close the Engine.IO session so the link ends
        // and the client connects again.
        events.serverError(
            CloseCode::GoingAway,
            QStringLiteral("Socket.IO server disconnected the client from namespace %1").arg(m_settings.nsp),
            QString());
        events.replyDue({"1", false});
        return;
    case u'2':
        if (!payload.isArray() || payload.toArray().isEmpty() || !payload.toArray().at(0).isString())
            return malformed(
                QStringLiteral("an EVENT's payload is an array starting with the event name, not %1")
                    .arg(jsonTypeName(payload)));
        return onEvent(payload.toArray(), ackId, events);
    case u'3':
        if (ackId < 0)
            return malformed(QStringLiteral("an ACK without an id"));
        if (!payload.isArray())
            return malformed(
                QStringLiteral("an ACK's payload is an array, not %1").arg(jsonTypeName(payload)));
        return onAck(ackId, payload.toArray(), events);
    case u'4': {
        // CONNECT_ERROR: the namespace refused us (a middleware's `next(new Error(...))`). Its
        // message is passed on as sent, so "token expired" renews the token like pulseboard.v1's.
        const QJsonValue message =
            payload.isObject() ? payload.toObject().value(QLatin1StringView("message")) : payload;
        const QString text = message.isString() && !message.toString().isEmpty()
                                 ? message.toString()
                                 : QStringLiteral("connection to namespace %1 refused").arg(m_settings.nsp);
        events.serverError(CloseCode::Unauthorized, text, m_authId);
        return;
    }
    }
}

void SocketIoDialect::onConnect(const QJsonValue &data, DialectEvents &events)
{
    const QJsonObject o = data.toObject();
    if (!data.isObject() || !o.value(QLatin1StringView("sid")).isString()) {
        events.malformedFrame(
            CloseCode::Malformed,
            QStringLiteral("Socket.IO CONNECT answer without a sid (%1)").arg(jsonTypeName(data)));
    }
    const QJsonValue pid = o.value(QLatin1StringView("pid"));
    const QString newPid = pid.isString() ? pid.toString() : QString();
    if (m_settings.recovery && !m_sentPid.isEmpty() && newPid != m_sentPid) {
        // A new session where ours was asked back: the server restarted, the session expired
        // (maxDisconnectionDuration) or our offset was too old. What it sent meanwhile is lost.
        qCWarning(lcNet).noquote() << "Socket.IO server could not recover the session: events missed while "
                                      "away are lost";
        m_offset.clear();
        events.resumeFailed(QStringLiteral("not_recovered"));
    } else if (!m_sentPid.isEmpty()) {
        qCInfo(lcNet) << "Socket.IO session recovered";
    }
    if (m_settings.recovery && newPid.isEmpty() && !m_connected)
        qCWarning(lcNet).noquote()
            << "Socket.IO server has connection state recovery off: what is sent while "
               "the link is down is lost, unseen";
    if (newPid != m_pid)
        m_offset.clear();
    m_pid = m_settings.recovery ? newPid : QString();
    m_connected = true;
    events.ackArrived(m_authId, -1);
}

void SocketIoDialect::onEvent(const QJsonArray &all, qint64 ackId, DialectEvents &events)
{
    const QString event = all.at(0).toString();
    qsizetype argc = all.size() - 1; // the arguments are all[1 .. 1 + argc)
    // Connection state recovery appends the event's offset as its last argument (events without
    // an ack id only): remembered, and not part of the payload.
    if (!m_pid.isEmpty() && ackId < 0 && argc > 0 && all.last().isString()) {
        m_offset = all.last().toString();
        --argc;
    }
    if (ackId >= 0) {
        // The server asked for an ack: it is delivered once we have read it.
        QByteArray ack = "43";
        if (m_settings.nsp != QLatin1StringView("/"))
            ack += m_settings.nsp.toUtf8() + ',';
        events.replyDue({ack + QByteArray::number(ackId) + "[]", false});
    }
    const Route *route = nullptr;
    for (const Route &r : std::as_const(m_settings.routes)) {
        if (r.event.isEmpty() || r.event == event) {
            route = &r;
            break;
        }
    }
    if (!route) {
        qCDebug(lcNet).noquote() << "ignoring Socket.IO event" << event.left(100) << "(no route)";
        return;
    }
    const auto bad = [&](const QString &why) {
        events.malformedFrame(CloseCode::Malformed,
                              QStringLiteral("Socket.IO event '%1': %2").arg(event.left(100), why));
    };
    InboundMessage m;
    if (route->channel.isSet) {
        const QJsonValue c = resolveArgs(all, argc, route->channel);
        if (c.isString() && !c.toString().isEmpty())
            m.channel = c.toString();
        else if (c.isDouble())
            m.channel = QString::number(c.toDouble(), 'g', 17);
        else
            return bad(
                QStringLiteral("no channel name at %1 (%2)").arg(route->channel.text, jsonTypeName(c)));
    } else {
        m.channel = event;
    }
    if (route->seq.isSet) {
        const QJsonValue s = resolveArgs(all, argc, route->seq);
        const double d = s.toDouble(-1);
        if (!s.isDouble() || d < 0 || d > 9007199254740991.0 || d != double(qint64(d)))
            return bad(QStringLiteral("no seq (a non-negative integer) at %1 (%2)")
                           .arg(route->seq.text, jsonTypeName(s)));
        m.seq = qint64(d);
    }
    if (route->ts.isSet) {
        const QJsonValue t = resolveArgs(all, argc, route->ts);
        if (t.isDouble() && t.toDouble() >= 0 && t.toDouble() < 9e15)
            m.ts = qint64(t.toDouble());
        else if (!t.isUndefined())
            return bad(QStringLiteral("the time at %1 is %2, not a number of ms")
                           .arg(route->ts.text, jsonTypeName(t)));
    }
    if (route->data.isSet) {
        m_data = resolveArgs(all, argc, route->data);
        if (m_data.isUndefined())
            return bad(QStringLiteral("no data at %1").arg(route->data.text));
    } else {
        m_data = argc == 0 ? QJsonValue(QJsonValue::Null) : all.at(1);
    }
    m.data = JsonView(m_data);
    events.messageArrived(m);
}

void SocketIoDialect::onAck(qint64 ackId, const QJsonArray &args, DialectEvents &events)
{
    const auto it = m_acks.find(ackId);
    if (it == m_acks.end()) {
        qCDebug(lcNet) << "ignoring a Socket.IO ack for id" << ackId << "(not ours, or forgotten)";
        return;
    }
    const PendingAck pending = *it;
    m_acks.erase(it);
    if (m_settings.ackError.isSet) {
        const QJsonValue e = resolve(QJsonValue(args), m_settings.ackError);
        if (!e.isUndefined() && !e.isNull() && !(e.isBool() && !e.toBool())) {
            const QString text =
                e.isString() ? e.toString()
                             : QString::fromUtf8(QJsonDocument(QJsonArray{e}).toJson(QJsonDocument::Compact))
                                   .mid(1)
                                   .chopped(1);
            events.serverError(CloseCode::Policy, text, pending.id);
            return;
        }
    }
    switch (pending.kind) {
    case AckKind::Auth:
        return;
    case AckKind::Subscribe:
        events.subscribeConfirmed(pending.id, pending.channel, -1, std::nullopt, QString());
        return;
    case AckKind::Publish: {
        qint64 seq = -1;
        if (m_settings.publishAckSeq.isSet) {
            const QJsonValue s = resolve(QJsonValue(args), m_settings.publishAckSeq);
            if (s.isDouble() && s.toDouble() >= 0)
                seq = qint64(s.toDouble());
        }
        events.ackArrived(pending.id, seq);
        return;
    }
    case AckKind::Request:
        events.responseArrived(pending.id, args.size() == 1 ? args.at(0) : QJsonValue(args), QString());
        return;
    }
}

} // namespace Pulseboard
