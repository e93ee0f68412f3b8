#include "DialectCapabilities.h"

#include <QJsonArray>

namespace Pulseboard {

namespace {
using L = QLatin1StringView;

QString heartbeatName(const WireDialect::Capabilities &caps)
{
    if (caps.heartbeat == WireDialect::Heartbeat::ServerPings)
        return QStringLiteral("server");
    return caps.sendsPings ? QStringLiteral("client") : QStringLiteral("silence");
}
} // namespace

QJsonObject capabilitiesToJson(const WireDialect::Capabilities &caps)
{
    QJsonObject json{{L("heartbeat"), heartbeatName(caps)},
                     {L("confirmsPublish"), caps.acksPublish},
                     {L("confirmsSubscribe"), caps.confirmsSubscribe},
                     {L("resumes"), caps.resumes},
                     {L("gapsDetectable"), caps.sequenced},
                     {L("history"), caps.history},
                     {L("backfill"), caps.backfills},
                     {L("authFrame"), caps.authFrame},
                     {L("binaryFrames"), caps.binaryFrames}};
    if (!caps.sequencedRoutes.isEmpty())
        json.insert(L("gapsDetectableOn"), QJsonArray::fromStringList(caps.sequencedRoutes));
    return json;
}

QStringList capabilitiesInWords(const WireDialect::Capabilities &caps)
{
    QStringList out;
    out << (caps.acksPublish
                ? QStringLiteral("Confirms publishes: yes, each one is acknowledged")
                : QStringLiteral("Confirms publishes: no, a publish reads \"sent, not confirmed\""));
    out << (caps.resumes ? QStringLiteral("Can resume: yes, missed messages are replayed after a reconnect")
                         : QStringLiteral("Can resume: no, what is sent while disconnected is not replayed"));
    out << (caps.sequenced ? QStringLiteral("Gaps: detected, messages carry sequence numbers")
            : caps.sequencedRoutes.isEmpty()
                ? QStringLiteral("Gaps: a gap cannot be detected, messages carry no sequence")
                : QStringLiteral("Gaps: detected only on %1 (a sequence number); elsewhere a gap cannot "
                                 "be detected")
                      .arg(caps.sequencedRoutes.join(QStringLiteral(", "))));
    out << (caps.history ? QStringLiteral("History: a subscribe gets the channel's past or last value")
                         : QStringLiteral("History: none, a channel shows what arrives from now on"));
    if (caps.backfills)
        out << QStringLiteral("Backfill: a first subscribe can ask for the newest retained messages");
    out << (caps.confirmsSubscribe
                ? QStringLiteral("Confirms subscribes: yes")
                : QStringLiteral("Confirms subscribes: no, a subscribe is done once sent"));
    const QString hb = heartbeatName(caps);
    out << (hb == QLatin1StringView("client")
                ? QStringLiteral("Dead link check: the client pings, a late pong drops it")
            : hb == QLatin1StringView("server")
                ? QStringLiteral("Dead link check: the server pings, the client answers")
                : QStringLiteral("Dead link check: no ping; a link silent past the "
                                 "heartbeat deadline is dropped"));
    return out;
}

QString capabilitiesSummary(const WireDialect::Capabilities &caps)
{
    QStringList parts;
    parts << QStringLiteral("confirms publishes: %1").arg(caps.acksPublish ? L("yes") : L("no"));
    parts << QStringLiteral("can resume: %1").arg(caps.resumes ? L("yes") : L("no"));
    parts << (caps.sequenced                   ? QStringLiteral("gaps are detected")
              : caps.sequencedRoutes.isEmpty() ? QStringLiteral("a gap cannot be detected")
                                               : QStringLiteral("gaps are detected on some channels only"));
    return parts.join(QStringLiteral("; "));
}

} // namespace Pulseboard
