#include "JsonLinesSession.h"

#include "protocol/JsonView.h"

#include <QFileDevice>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <cstring>

namespace Pulseboard {

namespace {
using L = QLatin1StringView;

// QByteArray::append goes through insert() in Qt 6.4; a message line is a few small pieces.
void put(QByteArray &out, QByteArrayView bytes)
{
    const qsizetype at = out.size();
    out.resize(at + bytes.size());
    std::memcpy(out.data() + at, bytes.data(), size_t(bytes.size()));
}

// Any JSON value, not just objects.
QJsonValue parseJson(QByteArrayView text, QString *error)
{
    JsonValueError why;
    if (const std::optional<QJsonValue> value = parseJsonValue(text, &why))
        return *value;
    *error = why.kind == JsonValueError::Syntax
                 ? QStringLiteral("invalid JSON at offset %1: %2").arg(why.offset).arg(why.message)
                 : QStringLiteral("expected exactly one JSON value");
    return QJsonValue(QJsonValue::Undefined);
}
} // namespace

JsonLinesSession::JsonLinesSession(ConnectionManager *manager, QIODevice *out, const Settings &settings,
                                   QObject *parent)
    : QObject(parent), m_manager(manager), m_out(out), m_settings(settings)
{
    m_clock.start();
    connect(m_manager, &ConnectionManager::stateChanged, this, [this](ConnectionManager::State state) {
        QJsonObject e{{L("event"), L("state")}, {L("state"), ConnectionManager::stateName(state)}};
        e.insert(L("url"), m_manager->url().toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery));
        e.insert(L("attempt"), m_manager->attempt());
        if (!m_toldProtocol) {
            // The first state event says what the server speaks and what it can give.
            m_toldProtocol = true;
            e.insert(L("protocol"), m_manager->protocol());
            e.insert(L("capabilities"), m_manager->capabilitiesJson());
        }
        if (state == ConnectionManager::Reconnecting) {
            e.insert(L("retryInMs"), m_manager->retryInMs());
            e.insert(L("closeCode"), m_manager->lastCloseCode());
        }
        if (!m_manager->errorString().isEmpty() && state != ConnectionManager::Open)
            e.insert(L("error"), m_manager->errorString());
        emitEvent(e);
        if (state == ConnectionManager::Failed)
            finish(GaveUp);
        else if (state == ConnectionManager::Open)
            maybeFinishAfterInput();
    });
    m_pending.reserve(kFlushBytes + 4096);
    m_manager->addMessageSink(this);
    connect(m_manager, &ConnectionManager::retainedReceived, this,
            [this](const QString &channel) { m_retainedNext = channel; });
    connect(m_manager, &ConnectionManager::backfillReceived, this,
            [this](const QString &channel) { m_backfillNext = channel; });
    connect(
        m_manager, &ConnectionManager::subscribed, this,
        [this](const QString &channel, qint64 seq, bool recovered, qint64 since) {
            // `recovered` and `since` only for a resume: a fresh subscription recovers nothing.
            QJsonObject e{{L("event"), L("subscribed")}, {L("channel"), channel}, {L("seq"), double(seq)}};
            if (since >= 0) {
                e.insert(L("since"), double(since));
                e.insert(L("recovered"), recovered);
            }
            emitEvent(e);
        });
    connect(m_manager, &ConnectionManager::acked, this,
            [this](const QString &id, const QString &channel, qint64 seq) {
                QJsonObject e{{L("event"), L("ack")}, {L("id"), id}, {L("channel"), channel}};
                if (seq >= 0)
                    e.insert(L("seq"), double(seq));
                emitEvent(e);
                maybeFinishAfterInput();
            });
    // A server without acks: the publish went out and nothing will confirm it (never an "ack").
    connect(
        m_manager, &ConnectionManager::publishSent, this, [this](const QString &id, const QString &channel) {
            emitEvent(
                {{L("event"), L("sent")}, {L("id"), id}, {L("channel"), channel}, {L("confirmed"), false}});
            maybeFinishAfterInput();
        });
    connect(m_manager, &ConnectionManager::publishFailed, this,
            [this](const QString &id, const QString &channel, const QString &reason) {
                ++m_refused;
                emitEvent({{L("event"), L("error")},
                           {L("code"), errorCode(ClientError::Refused)},
                           {L("message"), reason},
                           {L("id"), id},
                           {L("channel"), channel}});
                maybeFinishAfterInput();
            });
    connect(m_manager, &ConnectionManager::responseReceived, this,
            [this](const QString &id, const QString &method, const QJsonValue &result, const QString &next) {
                QJsonObject e{
                    {L("event"), L("response")}, {L("id"), id}, {L("method"), method}, {L("result"), result}};
                // A paged result (channels.list): more remains; `request channels.list {"after": next}` asks
                // for it.
                if (!next.isEmpty())
                    e.insert(L("next"), next);
                emitEvent(e);
                maybeFinishAfterInput();
            });
    connect(m_manager, &ConnectionManager::requestFailed, this,
            [this](const QString &id, const QString &method, int code, const QString &message) {
                ++m_refused;
                emitEvent({{L("event"), L("error")},
                           {L("code"), code},
                           {L("message"), message},
                           {L("id"), id},
                           {L("method"), method}});
                maybeFinishAfterInput();
            });
    connect(m_manager, &ConnectionManager::gapDetected, this,
            [this](const QString &channel, qint64 from, qint64 to, const QString &reason) {
                emitEvent({{L("event"), L("gap")},
                           {L("channel"), channel},
                           {L("from"), double(from)},
                           {L("to"), double(to)},
                           {L("reason"), reason}});
            });
    connect(m_manager, &ConnectionManager::errorOccurred, this,
            [this](int code, const QString &message, const QString &id) {
                QJsonObject e{{L("event"), L("error")}, {L("code"), code}, {L("message"), message}};
                if (!id.isEmpty())
                    e.insert(L("id"), id);
                emitEvent(e);
            });
    connect(m_manager, &ConnectionManager::disconnected, this, [this](int code, const QString &reason) {
        emitEvent({{L("event"), L("disconnected")}, {L("code"), code}, {L("reason"), reason}});
    });
}

JsonLinesSession::~JsonLinesSession()
{
    m_manager->removeMessageSink(this);
    flushOutput();
}

void JsonLinesSession::appendMessageLine(QByteArray &out, QByteArrayView channelJson, qint64 seq, qint64 ts,
                                         const JsonView &data, bool retained, bool backfill)
{
    // QJsonObject's member order: backfill, channel, data, event, retained, seq, ts. QJsonDocument
    // leaves out a member whose value is undefined; the decoder hands a missing `data` over as null.
    put(out, backfill ? "{\"backfill\":true,\"channel\":" : "{\"channel\":");
    put(out, channelJson);
    if (!data.isUndefined()) {
        put(out, ",\"data\":");
        data.appendQtCompactJson(out);
    }
    put(out,
        retained ? ",\"event\":\"message\",\"retained\":true,\"seq\":" : ",\"event\":\"message\",\"seq\":");
    appendJsonNumber(out, double(seq));
    put(out, ",\"ts\":");
    appendJsonNumber(out, double(ts));
    put(out, "}\n");
}

QByteArrayView JsonLinesSession::channelJson(const QString &channel)
{
    // The manager hands over its own copy of each channel's name: the same string data each time.
    if (channel.constData() == m_lastChannel.constData() && channel.size() == m_lastChannel.size())
        return m_lastChannelJson;
    auto it = m_channelJson.find(channel);
    if (it == m_channelJson.end()) {
        // Bounded: the manager delivers subscribed channels only. Forget all past a generous limit.
        if (m_channelJson.size() >= 4096)
            m_channelJson.clear();
        QByteArray json;
        appendJsonString(json, channel.toUtf8());
        it = m_channelJson.insert(channel, json);
    }
    m_lastChannel = it.key();
    m_lastChannelJson = *it;
    return m_lastChannelJson;
}

void JsonLinesSession::deliver(const QString &channel, qint64 seq, qint64 ts, const JsonView &data)
{
    if (m_finished)
        return; // the stats line is the last one
    ++m_messages;
    const bool retained = !m_retainedNext.isEmpty() && channel == m_retainedNext;
    if (retained)
        m_retainedNext.clear();
    const bool backfill = !m_backfillNext.isEmpty() && channel == m_backfillNext;
    if (backfill)
        m_backfillNext.clear();
    if (!m_settings.quiet) {
        appendMessageLine(m_pending, channelJson(channel), seq, ts, data, retained, backfill);
        if (m_pending.size() >= kFlushBytes) {
            flushOutput();
        } else if (!m_flushQueued) {
            // Once this pass of the event loop has handed over what it read.
            m_flushQueued = true;
            QMetaObject::invokeMethod(this, &JsonLinesSession::flushOutput, Qt::QueuedConnection);
        }
    }
    if (m_settings.maxMessages > 0 && m_messages >= m_settings.maxMessages)
        finish(0);
}

void JsonLinesSession::flushOutput()
{
    m_flushQueued = false;
    if (m_pending.isEmpty())
        return;
    if (m_outputClosed) {
        m_pending.truncate(0);
        return;
    }
    // A blocking stdout that is slow blocks here: the socket is not read meanwhile, so what the
    // server sends waits in the kernel's buffers and TCP holds the sender back. Nothing grows.
    const qint64 written = m_out->write(m_pending);
    auto *file = qobject_cast<QFileDevice *>(m_out);
    const bool ok = written == m_pending.size() && (!file || file->flush());
    m_pending.truncate(0); // keeps the buffer's capacity
    if (!ok) {
        // The reader went away (EPIPE: `| head`) or the output failed: nobody can read what
        // follows, so the session ends (exit status 0) instead of tailing on into nothing.
        m_outputClosed = true;
        finish(0);
    }
}

void JsonLinesSession::readCommandsFrom(int fd)
{
    m_input = new LineReader(LineReader::kDefaultMaxLineBytes, this);
    connect(m_input, &LineReader::lineRead, this, [this](const QByteArray &line) { handleLine(line); });
    connect(m_input, &LineReader::lineTooLong, this, [this](qint64 lineNumber, qsizetype maxBytes) {
        ++m_rejectedLines;
        emitEvent({{L("event"), L("error")},
                   {L("code"), errorCode(ClientError::InvalidInput)},
                   {L("message"), QStringLiteral("input line %1 is longer than %2 MiB: skipped")
                                      .arg(lineNumber)
                                      .arg(maxBytes / (1024 * 1024))}});
    });
    connect(m_input, &LineReader::inputEnded, this, [this] {
        m_inputClosed = true;
        maybeFinishAfterInput();
    });
    m_input->readFrom(fd);
}

void JsonLinesSession::start()
{
    if (m_settings.durationMs > 0)
        QTimer::singleShot(m_settings.durationMs, this, [this] { finish(0); });
    m_manager->open();
}

void JsonLinesSession::handleLine(QByteArrayView rawLine)
{
    const QByteArrayView line = rawLine.trimmed();
    if (line.isEmpty() || line.startsWith('#'))
        return;
    auto usageError = [&](const QString &message) {
        ++m_rejectedLines;
        emitEvent({{L("event"), L("error")},
                   {L("code"), errorCode(ClientError::InvalidInput)},
                   {L("message"), message}});
    };
    const qsizetype sp = line.indexOf(' ');
    const QByteArrayView command = sp < 0 ? line : line.first(sp);
    const QByteArrayView rest = sp < 0 ? QByteArrayView() : line.sliced(sp + 1).trimmed();

    if (command == "quit") {
        finish(0);
        return;
    }
    if (command == "subscribe" || command == "unsubscribe") {
        if (rest.isEmpty() || rest.contains(' ')) {
            usageError(QStringLiteral("usage: %1 CHANNEL").arg(QString::fromUtf8(command)));
            return;
        }
        const QString channel = QString::fromUtf8(rest);
        if (command == "subscribe") {
            // Refused with an error event (an invalid name); subscribing twice is no error.
            if (!m_manager->subscribe(channel) && !m_manager->subscriptions().contains(channel))
                ++m_rejectedLines;
        } else
            m_manager->unsubscribe(channel);
        return;
    }
    if (command == "publish" || command == "request") {
        const qsizetype sp2 = rest.indexOf(' ');
        const QByteArrayView target = sp2 < 0 ? rest : rest.first(sp2);
        const QByteArrayView json = sp2 < 0 ? QByteArrayView() : rest.sliced(sp2 + 1).trimmed();
        const bool isPublish = command == "publish";
        if (target.isEmpty() || (isPublish && json.isEmpty())) {
            usageError(isPublish ? QStringLiteral("usage: publish CHANNEL JSON")
                                 : QStringLiteral("usage: request METHOD [JSON]"));
            return;
        }
        QString parseError;
        QJsonValue value(QJsonValue::Null);
        if (!json.isEmpty()) {
            value = parseJson(json, &parseError);
            if (value.isUndefined()) {
                usageError(QStringLiteral("%1 %2: %3")
                               .arg(QString::fromUtf8(command), QString::fromUtf8(target), parseError));
                return;
            }
        }
        const QString name = QString::fromUtf8(target);
        const qint64 refusedBefore = m_refused;
        const QString id = isPublish ? m_manager->publish(name, value) : m_manager->request(name, value);
        if (!id.isEmpty()) {
            emitEvent(
                {{L("event"), L("queued")}, {L("id"), id}, {isPublish ? L("channel") : L("method"), name}});
        } else if (m_refused == refusedBefore) {
            // Not queued and not refused: the manager said why in an error event (an invalid
            // channel name, one the protocol cannot publish to).
            ++m_rejectedLines;
        }
        return;
    }
    usageError(QStringLiteral("unknown command '%1' (publish, request, subscribe, unsubscribe, quit)")
                   .arg(QString::fromUtf8(command.first(qMin<qsizetype>(64, command.size())))));
}

void JsonLinesSession::maybeFinishAfterInput()
{
    // A pipeline like `echo "publish ..." | pulseboard-cli` ends once all it sent is confirmed,
    // unless it also listens to channels or runs for a set time. With nothing to send at all it
    // ends once connected: a smoke check.
    if (!m_inputClosed || m_finished || m_settings.durationMs > 0 || m_settings.maxMessages > 0 ||
        m_settings.watch)
        return;
    if (!m_manager->subscriptions().isEmpty() || m_manager->state() != ConnectionManager::Open)
        return;
    if (m_manager->queuedCount() == 0)
        finish(0);
}

void JsonLinesSession::finish(int exitCode)
{
    if (m_finished)
        return;
    m_finished = true;
    if (exitCode == Ok)
        exitCode = m_refused > 0 ? Refused : m_rejectedLines > 0 ? RejectedInput : Ok;
    if (m_input)
        m_input->stop(); // the lines after `quit` (or the last message wanted) are not commands
    // Say goodbye to the server first, so the stats line is the last one printed.
    if (m_manager->state() != ConnectionManager::Failed)
        m_manager->close();
    const auto &s = m_manager->stats();
    emitEvent({{L("event"), L("stats")},
               {L("messages"), double(s.messages)},
               {L("framesIn"), double(s.framesIn)},
               {L("framesOut"), double(s.framesOut)},
               {L("bytesIn"), double(s.bytesIn)},
               {L("bytesOut"), double(s.bytesOut)},
               {L("duplicates"), double(s.duplicates)},
               {L("gaps"), double(s.gaps)},
               {L("reconnects"), double(s.reconnects)},
               {L("reconnected"), double(s.reconnected)},
               {L("malformed"), double(s.malformed)},
               {L("acked"), double(s.acked)},
               {L("unconfirmed"), double(s.unconfirmed)},
               {L("refused"), double(s.refused)},
               {L("queued"), m_manager->queuedCount()},
               {L("rttMs"), m_manager->rttMs()},
               {L("elapsedMs"), double(m_clock.elapsed())}});
    Q_EMIT finished(exitCode);
}

void JsonLinesSession::writeEvent(const QJsonObject &event)
{
    if (!m_finished)
        emitEvent(event);
}

void JsonLinesSession::emitEvent(const QJsonObject &event)
{
    // After the message lines held, in order, and at once: these are few and someone may wait on them.
    m_pending.append(QJsonDocument(event).toJson(QJsonDocument::Compact));
    m_pending.append('\n');
    flushOutput();
}

} // namespace Pulseboard
