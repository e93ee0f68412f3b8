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

        static Reply ok(const QJsonValue &result) { return {result, 0, QString()}; }
        static Reply error(int code, const QString &message) { return {QJsonValue(), code, message}; }
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

private:
    QMap<QString, Handler> m_handlers;
};

} // namespace Pulseboard
