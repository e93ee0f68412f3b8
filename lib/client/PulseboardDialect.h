// PulseboardDialect: pulseboard.v1 of docs/PROTOCOL.md as a WireDialect. JSON text frames; the
// client pings; publishes are acked by id; messages carry a per-channel seq and a subscribe
// resumes with `since`. Message frames take EnvelopeDecoder's lean path (no QString, no
// QJsonValue); binary frames are not part of the protocol and are reported.
#pragma once

#include "WireDialect.h"
#include "protocol/EnvelopeDecoder.h"

namespace Pulseboard {

class PulseboardDialect : public WireDialect
{
public:
    // `subprotocol`: what to offer (configurable; empty offers none).
    explicit PulseboardDialect(const QString &subprotocol = QStringLiteral("pulseboard.v1"));

    QString name() const override { return QStringLiteral("pulseboard.v1"); }
    QStringList subprotocols() const override;
    Capabilities capabilities() const override
    {
        Capabilities c;
        c.backfills = true; // `history` on a first subscribe
        return c;
    }

    OutboundFrame encodeAuth(const QString &id, const QString &token) override;
    OutboundFrame encodeSubscribe(const QString &id, const QString &channel, qint64 since) override;
    OutboundFrame encodeSubscribeWithHistory(const QString &id, const QString &channel,
                                             qint64 history) override;
    OutboundFrame encodeSubscribeInEpoch(const QString &id, const QString &channel, qint64 since,
                                         const QString &epoch) override;
    OutboundFrame encodeUnsubscribe(const QString &id, const QString &channel) override;
    OutboundFrame encodePublish(const QString &id, const QString &channel, const QJsonValue &data,
                                const QString &clientKey) override;
    OutboundFrame encodeRequest(const QString &id, const QString &method, const QJsonValue &params) override;
    OutboundFrame encodePing(const QString &id, qint64 ts) override;

    qsizetype decodeText(QStringView text, DialectEvents &events) override;
    qsizetype decodeBinary(QByteArrayView data, DialectEvents &events) override;

private:
    void dispatch(const Envelope &env, DialectEvents &events);

    QString m_subprotocol;
    EnvelopeDecoder m_decoder; // reuses its buffers from frame to frame
};

} // namespace Pulseboard
