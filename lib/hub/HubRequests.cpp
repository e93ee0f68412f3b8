#include "HubRequests.h"

#include "ChannelStore.h"
#include "HubErrors.h"
#include "HubMetrics.h"
#include "protocol/Envelope.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>

#include <cmath>

namespace Pulseboard {

void HubRequests::add(const QString &method, Handler handler)
{
    m_handlers.insert(method, std::move(handler));
}

Envelope HubRequests::answer(const Envelope &request, const QString &sessionId) const
{
    Envelope out;
    out.id = request.id;
    const auto it = m_handlers.constFind(request.text);
    if (it == m_handlers.constEnd()) {
        out.type = MessageType::Error;
        out.code = HubError::UnknownMethod;
        out.text = QStringLiteral("unknown method '%1' (this hub serves %2)")
                       .arg(request.text.left(60), methods().join(QStringLiteral(", ")));
        return out;
    }
    const Reply reply = (*it)(Call{request.text, request.data, sessionId});
    if (reply.errorCode != 0) {
        out.type = MessageType::Error;
        out.code = reply.errorCode;
        out.text = reply.errorMessage;
        return out;
    }
    out.type = MessageType::Response;
    out.data = reply.result;
    out.next = reply.next;
    return out;
}

namespace {

// Every channel the store knows or this hub has counted messages on, with its seq; a QMap keeps
// them sorted by name.
QMap<QString, qint64> knownChannels(const QList<ChannelInfo> &stored, const HubMetrics &metrics)
{
    QMap<QString, qint64> seqs;
    for (const ChannelInfo &c : stored)
        seqs.insert(c.name, c.seq);
    // Channels this hub has counted messages on are listed even when the store does not (yet)
    // name them.
    for (auto it = metrics.channels().cbegin(); it != metrics.channels().cend(); ++it)
        seqs.insert(it.key(), qMax(seqs.value(it.key()), qint64(0)));
    return seqs;
}

// Stream identity of the channels the store knows one for (absent from the entry otherwise).
QHash<QString, QString> knownEpochs(const QList<ChannelInfo> &stored)
{
    QHash<QString, QString> epochs;
    for (const ChannelInfo &c : stored) {
        if (!c.epoch.isEmpty())
            epochs.insert(c.name, c.epoch);
    }
    return epochs;
}

QJsonObject channelEntry(const QString &name, qint64 seq, const HubMetrics &metrics,
                         const QHash<QString, QString> &epochs)
{
    QJsonObject o;
    o.insert(QLatin1StringView("name"), name);
    o.insert(QLatin1StringView("seq"), double(seq));
    o.insert(QLatin1StringView("rate"), metrics.channelRate(name));
    const QString epoch = epochs.value(name);
    if (!epoch.isEmpty())
        o.insert(QLatin1StringView("epoch"), epoch);
    return o;
}

// What a response frame carries besides its entries: {"type":"response","id":...,"result":[],
// "next":...}. Ids and names are short (a name is 200 characters, at most 6 bytes each escaped),
// so a fixed allowance covers it.
constexpr qint64 kFrameOverheadBytes = 4096;

} // namespace

QJsonArray HubRequests::channelList(const QList<ChannelInfo> &stored, const HubMetrics &metrics)
{
    const QMap<QString, qint64> seqs = knownChannels(stored, metrics);
    const QHash<QString, QString> epochs = knownEpochs(stored);
    QJsonArray list;
    for (auto it = seqs.cbegin(); it != seqs.cend(); ++it)
        list.append(channelEntry(it.key(), it.value(), metrics, epochs));
    return list;
}

HubRequests::Reply HubRequests::channelPage(const QJsonValue &params, const QList<ChannelInfo> &stored,
                                            const HubMetrics &metrics, const ChannelPageLimits &limits)
{
    if (!params.isUndefined() && !params.isNull() && !params.isObject())
        return Reply::error(HubError::BadRequest,
                            QStringLiteral("channels.list: params must be an object {prefix, limit, after}"));
    const QJsonObject p = params.toObject();
    const QJsonValue prefixValue = p.value(QLatin1StringView("prefix"));
    const QJsonValue afterValue = p.value(QLatin1StringView("after"));
    const QJsonValue limitValue = p.value(QLatin1StringView("limit"));
    if (!prefixValue.isUndefined() && !prefixValue.isString())
        return Reply::error(HubError::BadRequest, QStringLiteral("channels.list: 'prefix' must be a string"));
    if (!afterValue.isUndefined() && !afterValue.isString())
        return Reply::error(HubError::BadRequest,
                            QStringLiteral("channels.list: 'after' must be a string (the 'next' of the "
                                           "page before)"));
    int limit = limits.defaultLimit;
    if (!limitValue.isUndefined()) {
        const double d = limitValue.toDouble(-1);
        if (!limitValue.isDouble() || d != std::floor(d) || d < 1 || d > limits.maxLimit)
            return Reply::error(HubError::BadRequest,
                                QStringLiteral("channels.list: 'limit' must be a whole number from 1 to %1")
                                    .arg(limits.maxLimit));
        limit = int(d);
    }
    const QString prefix = prefixValue.toString();
    const QString after = afterValue.toString();

    const QMap<QString, qint64> seqs = knownChannels(stored, metrics);
    const QHash<QString, QString> epochs = knownEpochs(stored);
    // The first name past the cursor, or the first one the prefix can start, whichever is later.
    auto it = after.isEmpty() ? seqs.lowerBound(prefix) : seqs.upperBound(after);
    if (!prefix.isEmpty() && it != seqs.cend() && it.key() < prefix)
        it = seqs.lowerBound(prefix);
    QJsonArray list;
    qint64 bytes = kFrameOverheadBytes;
    QString last;
    for (; it != seqs.cend() && it.key().startsWith(prefix); ++it) {
        const QJsonObject entry = channelEntry(it.key(), it.value(), metrics, epochs);
        const qint64 entryBytes = QJsonDocument(entry).toJson(QJsonDocument::Compact).size() + 1;
        if (list.size() >= limit || (!list.isEmpty() && bytes + entryBytes > limits.maxReplyBytes))
            break;
        bytes += entryBytes;
        list.append(entry);
        last = it.key();
    }
    const bool more = it != seqs.cend() && it.key().startsWith(prefix);
    return Reply::page(list, more ? last : QString());
}

} // namespace Pulseboard
