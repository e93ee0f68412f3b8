// HubRequests: the methods a hub answers `request` frames with, as a table of name -> handler.
// A method is one add(); `server.info` lists methods(), and an unknown method is answered with
// `error` 404 naming them. Handlers are plain functions of the call, so they are tested without
// a socket.
#pragma once

#include <QJsonArray>
#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <functional>

namespace Pulseboard {

class HubMetrics;
struct ChannelInfo;
struct Envelope;

// How big one page of `channels.list` may get (docs/OPERATIONS.md).
struct ChannelPageLimits
{
    int defaultLimit = 500;            // entries when `limit` is not given
    int maxLimit = 1000;               // the largest `limit` accepted
    qint64 maxReplyBytes = 512 * 1024; // the encoded response frame stays under this
};

class HubRequests
{
public:
    struct Call
    {
        QString method;
        QJsonValue params; // as sent (undefined when absent)
        QString sessionId; // the asking session
    };
    struct Reply
    {
        QJsonValue result;
        int errorCode = 0; // non-zero: answered with `error` {code, message}
        QString errorMessage;
        QString next; // a paged result: the cursor of what remains, sent as the response's `next`

        static Reply ok(const QJsonValue &result) { return {result, 0, QString(), QString()}; }
        static Reply page(const QJsonValue &result, const QString &next)
        {
            return {result, 0, QString(), next};
        }
        static Reply error(int code, const QString &message)
        {
            return {QJsonValue(), code, message, QString()};
        }
    };
    using Handler = std::function<Reply(const Call &call)>;

    // Adds `method`, or replaces its handler.
    void add(const QString &method, Handler handler);
    bool contains(const QString &method) const { return m_handlers.contains(method); }
    // Sorted.
    QStringList methods() const { return m_handlers.keys(); }
    // The `response` or `error` that answers `request` (its id carried over).
    Envelope answer(const Envelope &request, const QString &sessionId) const;

    // The result of `channels.list`: every channel the store knows or this hub has seen a message
    // on, sorted by name, each {name, seq, rate}.
    static QJsonArray channelList(const QList<ChannelInfo> &stored, const HubMetrics &metrics);
    // One page of `channels.list` for `params` {prefix, limit, after} (each optional): the channels
    // whose name starts with `prefix` and sorts after `after`, by name, at most `limit` of them and
    // no more than fit in `limits.maxReplyBytes` (at least one always fits: a name is 200 characters
    // at most). `next` (the last name listed) is set when more remain. A param of the wrong type or
    // out of range is answered with 400 naming it.
    static Reply channelPage(const QJsonValue &params, const QList<ChannelInfo> &stored,
                             const HubMetrics &metrics,
                             const ChannelPageLimits &limits = ChannelPageLimits());

private:
    QMap<QString, Handler> m_handlers;
};

} // namespace Pulseboard
