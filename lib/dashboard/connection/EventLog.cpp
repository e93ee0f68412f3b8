#include "EventLog.h"
#include "ConnectionStatus.h"

#include "dashboard/connection/ConnectionMirror.h"
#include "protocol/Clock.h"
#include "protocol/CloseCode.h"

namespace Pulseboard {

EventLog::EventLog(QObject *parent) : QAbstractListModel(parent) {}

QString EventLog::subscribedText(const QString &channel, qint64 seq, bool recovered, qint64 since)
{
    const QString at = seq >= 0 ? QStringLiteral("Subscribed to %1 at seq %2").arg(channel).arg(seq)
                                : QStringLiteral("Subscribed to %1").arg(channel);
    if (since < 0)
        return at;
    if (!recovered)
        return QStringLiteral("%1; the server could not replay all that was missed after seq %2")
            .arg(at)
            .arg(since);
    if (seq >= 0 && seq <= since)
        return QStringLiteral("%1, resumed: nothing was missed").arg(at);
    if (seq > since)
        return seq - since == 1 ? QStringLiteral("%1, resumed: 1 missed message replayed").arg(at)
                                : QStringLiteral("%1, resumed: %2 missed messages replayed").arg(at).arg(seq - since);
    return QStringLiteral("%1, resumed after seq %2").arg(at).arg(since);
}

void EventLog::attach(ConnectionMirror *m)
{
    connect(m, &ConnectionMirror::connected, this, [this](const QUrl &url) {
        add(Connected,
            QStringLiteral("Connected to %1").arg(url.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery)),
            Clock::current().wallMs());
    });
    connect(m, &ConnectionMirror::disconnected, this, [this](int code, const QString &reason) {
        const QString words = reason.isEmpty() ? describeCloseCode(code) : reason;
        add(Disconnected, QStringLiteral("Disconnected: close %1, %2").arg(code).arg(words),
            Clock::current().wallMs());
    });
    connect(m, &ConnectionMirror::stateChanged, this, [this, m](ConnectionManager::State state) {
        if (state == ConnectionManager::Reconnecting) {
            const QString of =
                m->maxRetries() > 0 ? QStringLiteral(" of %1").arg(m->maxRetries()) : QString();
            add(Reconnecting,
                QStringLiteral("Reconnecting in %1 s (attempt %2%3)")
                    .arg(QString::number(m->retryInMs() / 1000.0, 'f', 1))
                    .arg(m->attempt())
                    .arg(of),
                Clock::current().wallMs());
        } else if (state == ConnectionManager::Failed) {
            add(Failed, ConnectionStatus::gaveUpWords(m->errorString()), Clock::current().wallMs());
        } else if (state == ConnectionManager::Connecting) {
            add(Info,
                QStringLiteral("Connecting to %1")
                    .arg(m->url().toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery)),
                Clock::current().wallMs());
        }
    });
    connect(m, &ConnectionMirror::gapDetected, this,
            [this](const QString &channel, qint64 from, qint64 to, const QString &reason) {
                const QString span =
                    from == to ? QString::number(from) : QStringLiteral("%1-%2").arg(from).arg(to);
                QString text;
                if (reason == QLatin1StringView("reset"))
                    text = QStringLiteral("%1: the server restarted the sequence (held up to %2)")
                               .arg(channel)
                               .arg(to);
                else if (reason == QLatin1StringView("epoch"))
                    text = QStringLiteral("%1: the server's stream is a new one (its history was lost); "
                                          "what followed %2 is gone, the new stream is shown from its start")
                               .arg(channel)
                               .arg(from - 1);
                else
                    text = QStringLiteral("%1: messages %2 missing").arg(channel, span);
                add(Gap, text, Clock::current().wallMs());
            });
    connect(m, &ConnectionMirror::errorOccurred, this,
            [this](int code, const QString &message, const QString &) {
                add(Error, code != 0 ? QStringLiteral("Error %1: %2").arg(code).arg(message) : message,
                    Clock::current().wallMs());
            });
    connect(m, &ConnectionMirror::subscribed, this,
            [this](const QString &channel, qint64 seq, bool recovered, qint64 since) {
                add(Info, subscribedText(channel, seq, recovered, since), Clock::current().wallMs());
            });
    connect(m, &ConnectionMirror::publishSent, this, [this](const QString &id, const QString &channel) {
        add(Info,
            QStringLiteral(
                "Publish %1 to %2 sent, not confirmed (this server does not acknowledge publishes)")
                .arg(id, channel),
            Clock::current().wallMs());
    });
    connect(m, &ConnectionMirror::publishFailed, this,
            [this](const QString &id, const QString &channel, const QString &why) {
                add(Error, QStringLiteral("Publish %1 to %2 failed: %3").arg(id, channel, why),
                    Clock::current().wallMs());
            });
}

int EventLog::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

QVariant EventLog::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_events.size())
        return QVariant();
    const Event &e = m_events.at(index.row());
    switch (role) {
    case TimeMsRole:
        return e.timeMs;
    case KindRole:
        return int(e.kind);
    case KindNameRole:
        return kindName(e.kind);
    case Qt::DisplayRole:
    case TextRole:
        return e.text;
    default:
        return QVariant();
    }
}

QHash<int, QByteArray> EventLog::roleNames() const
{
    return {{TimeMsRole, "timeMs"}, {KindRole, "kind"}, {KindNameRole, "kindName"}, {TextRole, "text"}};
}

void EventLog::add(Kind kind, const QString &text, qint64 timeMs)
{
    if (m_events.size() >= m_maxRows) {
        const int last = int(m_events.size()) - 1;
        beginRemoveRows(QModelIndex(), last, last);
        m_events.removeLast();
        ++m_discarded;
        endRemoveRows();
    }
    beginInsertRows(QModelIndex(), 0, 0);
    m_events.prepend({timeMs, kind, text});
    endInsertRows();
    Q_EMIT countsChanged();
    Q_EMIT eventAdded(int(kind), timeMs);
}

QString EventLog::textAt(int row) const
{
    return row >= 0 && row < m_events.size() ? m_events.at(row).text : QString();
}

int EventLog::kindAt(int row) const
{
    return row >= 0 && row < m_events.size() ? int(m_events.at(row).kind) : -1;
}

void EventLog::clear()
{
    beginResetModel();
    m_events.clear();
    m_discarded = 0;
    endResetModel();
    Q_EMIT countsChanged();
}

QString EventLog::kindName(Kind kind)
{
    switch (kind) {
    case Info:
        return QStringLiteral("info");
    case Connected:
        return QStringLiteral("connected");
    case Disconnected:
        return QStringLiteral("disconnected");
    case Reconnecting:
        return QStringLiteral("reconnecting");
    case Gap:
        return QStringLiteral("gap");
    case Error:
        return QStringLiteral("error");
    case Failed:
        return QStringLiteral("failed");
    }
    return QString();
}

} // namespace Pulseboard
