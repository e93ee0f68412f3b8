#include "HubRequests.h"

#include "ChannelStore.h"
#include "HubErrors.h"
#include "HubMetrics.h"
#include "protocol/Envelope.h"

#include <QHash>
#include <QJsonObject>

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
    return out;
}

QJsonArray HubRequests::channelList(const QList<ChannelInfo> &stored, const HubMetrics &metrics)
{
    QHash<QString, qint64> seqs;
    for (const ChannelInfo &c : stored)
        seqs.insert(c.name, c.seq);
    // Channels this hub has counted messages on are listed even when the store does not (yet)
    // name them.
    for (auto it = metrics.channels().cbegin(); it != metrics.channels().cend(); ++it)
        seqs.insert(it.key(), qMax(seqs.value(it.key()), qint64(0)));
    QStringList names = seqs.keys();
    names.sort();
    QJsonArray list;
    for (const QString &name : std::as_const(names)) {
        QJsonObject o;
        o.insert(QLatin1StringView("name"), name);
        o.insert(QLatin1StringView("seq"), double(seqs.value(name)));
        o.insert(QLatin1StringView("rate"), metrics.channelRate(name));
        list.append(o);
    }
    return list;
}

} // namespace Pulseboard
