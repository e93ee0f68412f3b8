#include "OutboxModel.h"

#include "ChannelListModel.h"
#include "dashboard/connection/ConnectionMirror.h"
#include "protocol/Clock.h"
#include "protocol/Envelope.h"
#include "protocol/JsonView.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Pulseboard {

OutboxModel::OutboxModel(QObject *parent) : QAbstractListModel(parent)
{
    // Queued -> sent happens inside the manager without a signal; a light poll shows it.
    m_poll.setInterval(200);
    connect(&m_poll, &QTimer::timeout, this, &OutboxModel::pollSent);
}

void OutboxModel::attach(ConnectionMirror *manager)
{
    m_manager = manager;
    connect(manager, &ConnectionMirror::acked, this, [this](const QString &id, const QString &, qint64 seq) {
        setStatus(id, Acked, QStringLiteral("seq %1").arg(seq));
        settle(id, true, QString());
    });
    // A server without acks: sent, and nothing will ever confirm it.
    connect(manager, &ConnectionMirror::publishSent, this, [this](const QString &id, const QString &) {
        setStatus(id, Unconfirmed,
                  QStringLiteral("sent, not confirmed: this server does not acknowledge publishes"));
    });
    connect(manager, &ConnectionMirror::publishFailed, this,
            [this](const QString &id, const QString &channel, const QString &why) {
                setStatus(id, Failed, why);
                settle(id, false, QStringLiteral("Not published to %1: %2").arg(channel, why));
            });
    connect(manager, &ConnectionMirror::responseReceived, this,
            [this](const QString &id, const QString &, const QJsonValue &result) {
                setStatus(id, Replied, ChannelListModel::compactText(result, 400));
                if (statusOf(id) == Replied) {
                    m_lastReply = replyText(result);
                    Q_EMIT lastReplyChanged();
                    settle(id, true, QString());
                }
            });
    connect(manager, &ConnectionMirror::requestFailed, this,
            [this](const QString &id, const QString &method, int code, const QString &message) {
                const QString why =
                    code > 0 ? QStringLiteral("error %1: %2").arg(code).arg(message) : message;
                setStatus(id, Failed, why);
                settle(id, false, QStringLiteral("Request %1 failed: %2").arg(method, why));
            });
}

int OutboxModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant OutboxModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return QVariant();
    const Row &r = m_rows.at(index.row());
    switch (role) {
    case IdRole:
        return r.id;
    case KindRole:
        return r.request ? QStringLiteral("request") : QStringLiteral("publish");
    case TargetRole:
        return r.target;
    case PayloadRole:
        return r.payload;
    case StatusRole:
        return int(r.status);
    case StatusNameRole:
        return statusName(r.status);
    case Qt::DisplayRole:
    case DetailRole:
        return r.detail;
    case TimeMsRole:
        return r.timeMs;
    default:
        return QVariant();
    }
}

QHash<int, QByteArray> OutboxModel::roleNames() const
{
    return {{IdRole, "messageId"},    {KindRole, "kind"},     {TargetRole, "target"},
            {PayloadRole, "payload"}, {StatusRole, "status"}, {StatusNameRole, "statusName"},
            {DetailRole, "detail"},   {TimeMsRole, "timeMs"}};
}

bool OutboxModel::parseJson(const QString &text, QJsonValue *value, QString *error)
{
    const QByteArray utf8 = text.trimmed().toUtf8();
    if (utf8.isEmpty()) {
        *error = QStringLiteral("nothing to send: enter a JSON value");
        return false;
    }
    // Any JSON value, scalars included.
    JsonValueError why;
    const std::optional<QJsonValue> parsed = parseJsonValue(utf8, &why);
    if (!parsed) {
        *error =
            why.kind == JsonValueError::Syntax
                ? QStringLiteral("not valid JSON at character %1: %2").arg(why.offset + 1).arg(why.message)
                : QStringLiteral("enter exactly one JSON value (found %1)").arg(why.valueCount);
        return false;
    }
    *value = *parsed;
    return true;
}

QString OutboxModel::validate(const QString &json) const
{
    QJsonValue value;
    QString error;
    return parseJson(json, &value, &error) ? QString() : error;
}

QString OutboxModel::publish(const QString &channel, const QString &json, QString *idOut)
{
    const QString name = channel.trimmed();
    if (!isValidChannelName(name))
        return QStringLiteral("'%1' is not a valid channel name (1-200 characters, no spaces)").arg(name);
    QJsonValue value;
    QString error;
    if (!parseJson(json, &value, &error))
        return error;
    if (!m_manager)
        return QStringLiteral("no connection");
    // A publish refused at once comes back without an id, its reason in publishFailed (a full
    // queue) or errorOccurred (a channel the protocol cannot publish to).
    QString refusedWhy;
    QString problem;
    const auto failed =
        connect(m_manager, &ConnectionMirror::publishFailed, this,
                [&](const QString &, const QString &, const QString &why) { refusedWhy = why; });
    const auto errored = connect(m_manager, &ConnectionMirror::errorOccurred, this,
                                 [&](int, const QString &message, const QString &) { problem = message; });
    const QString id = m_manager->publish(name, value);
    disconnect(failed);
    disconnect(errored);
    if (id.isEmpty()) {
        const QString why = !refusedWhy.isEmpty() ? refusedWhy
                            : !problem.isEmpty()  ? problem
                                                  : QStringLiteral("the outbox refused it");
        return QStringLiteral("Not published to %1: %2").arg(name, why);
    }
    m_lastPublishId = id;
    if (!m_publishProblem.isEmpty()) {
        m_publishProblem.clear();
        Q_EMIT problemsChanged();
    }
    if (idOut)
        *idOut = id;
    track(id, false, name, ChannelListModel::compactText(value, 400));
    return QString();
}

QString OutboxModel::request(const QString &method, const QString &paramsJson, QString *idOut)
{
    const QString name = method.trimmed();
    if (name.isEmpty())
        return QStringLiteral("enter a method, e.g. channels.list");
    QJsonValue params;
    if (!paramsJson.trimmed().isEmpty()) {
        QString error;
        if (!parseJson(paramsJson, &params, &error))
            return error;
    }
    if (!m_manager)
        return QStringLiteral("no connection");
    const QString id = m_manager->request(name, params);
    if (idOut)
        *idOut = id;
    m_lastRequestId = id;
    if (!m_requestProblem.isEmpty()) {
        m_requestProblem.clear();
        Q_EMIT problemsChanged();
    }
    track(id, true, name, params.isUndefined() ? QString() : ChannelListModel::compactText(params, 400));
    return QString();
}

void OutboxModel::track(const QString &id, bool request, const QString &target, const QString &payload)
{
    if (statusOf(id) >= 0)
        return;
    beginInsertRows(QModelIndex(), 0, 0);
    m_rows.prepend({id, request, target, payload, Queued, QString(), Clock::current().wallMs()});
    endInsertRows();
    Q_EMIT statusReported(id, Queued, QString());
    trim();
    pollSent();
    if (!m_poll.isActive())
        m_poll.start();
    Q_EMIT countsChanged();
}

void OutboxModel::settle(const QString &id, bool ok, const QString &problem)
{
    QString *line = id == m_lastPublishId   ? &m_publishProblem
                    : id == m_lastRequestId ? &m_requestProblem
                                            : nullptr;
    if (!line)
        return; // not the last one sent from the console: its row says what became of it
    const QString now = ok ? QString() : problem;
    if (*line == now)
        return;
    *line = now;
    Q_EMIT problemsChanged();
}

QString OutboxModel::replyText(const QJsonValue &result, int maxChars)
{
    QString text;
    if (result.isObject() || result.isArray()) {
        const QJsonDocument doc =
            result.isObject() ? QJsonDocument(result.toObject()) : QJsonDocument(result.toArray());
        text = QString::fromUtf8(doc.toJson(QJsonDocument::Indented)).trimmed();
        // QJsonDocument indents four spaces a level: two read better in a narrow card.
        QString out;
        out.reserve(text.size());
        for (const QString &line : text.split(QLatin1Char('\n'))) {
            qsizetype spaces = 0;
            while (spaces < line.size() && line.at(spaces) == QLatin1Char(' '))
                ++spaces;
            if (!out.isEmpty())
                out.append(QLatin1Char('\n'));
            out.append(QString(spaces / 2, QLatin1Char(' ')));
            out.append(QStringView(line).sliced(spaces));
        }
        text = out;
    } else {
        text = ChannelListModel::compactText(result, maxChars);
    }
    if (text.size() > maxChars) {
        text.truncate(maxChars - 1);
        text.append(QChar(0x2026));
    }
    return text;
}

void OutboxModel::markHeld(const QStringList &ids, const QString &detail)
{
    for (const QString &id : ids)
        setStatus(id, Queued, detail);
}

void OutboxModel::setStatus(const QString &id, Status status, const QString &detail)
{
    Q_EMIT statusReported(id, status, detail);
    for (int i = 0; i < m_rows.size(); ++i) {
        Row &r = m_rows[i];
        if (r.id != id)
            continue;
        if (r.status == status && r.detail == detail)
            return;
        r.status = status;
        r.detail = detail;
        Q_EMIT dataChanged(index(i), index(i), {StatusRole, StatusNameRole, DetailRole});
        Q_EMIT countsChanged();
        return;
    }
}

void OutboxModel::pollSent()
{
    if (!m_manager)
        return;
    const Outbox &outbox = m_manager->outbox();
    bool anyOpen = false;
    for (int i = 0; i < m_rows.size(); ++i) {
        Row &r = m_rows[i];
        if (r.status != Queued && r.status != Sent)
            continue;
        anyOpen = true;
        const int at = outbox.indexOf(r.id);
        if (at < 0)
            continue; // settled: its signal sets the final status
        const Status now = outbox.at(at).state == Outbox::State::Sent ? Sent : Queued;
        const QString detail =
            outbox.at(at).attempts > 1 ? QStringLiteral("attempt %1").arg(outbox.at(at).attempts) : QString();
        if (now != r.status || detail != r.detail) {
            r.status = now;
            r.detail = detail;
            Q_EMIT dataChanged(index(i), index(i), {StatusRole, StatusNameRole, DetailRole});
            Q_EMIT statusReported(r.id, now, detail);
        }
    }
    if (!anyOpen)
        m_poll.stop();
}

void OutboxModel::trim()
{
    // Only settled rows leave; something still on its way is never hidden.
    for (int i = int(m_rows.size()) - 1; i >= 0 && m_rows.size() > m_maxRows; --i) {
        if (m_rows.at(i).status == Queued || m_rows.at(i).status == Sent)
            continue;
        beginRemoveRows(QModelIndex(), i, i);
        m_rows.removeAt(i);
        endRemoveRows();
    }
}

int OutboxModel::statusOf(const QString &id) const
{
    for (const Row &r : m_rows)
        if (r.id == id)
            return int(r.status);
    return -1;
}

QString OutboxModel::detailOf(const QString &id) const
{
    for (const Row &r : m_rows)
        if (r.id == id)
            return r.detail;
    return QString();
}

int OutboxModel::pending() const
{
    int n = 0;
    for (const Row &r : m_rows)
        n += (r.status == Queued || r.status == Sent) ? 1 : 0;
    return n;
}

QString OutboxModel::statusName(Status status)
{
    switch (status) {
    case Queued:
        return QStringLiteral("queued");
    case Sent:
        return QStringLiteral("sent");
    case Acked:
        return QStringLiteral("acked");
    case Replied:
        return QStringLiteral("replied");
    case Failed:
        return QStringLiteral("failed");
    case Unconfirmed:
        return QStringLiteral("sent, not confirmed");
    }
    return QString();
}

} // namespace Pulseboard
