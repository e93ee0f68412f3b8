#include "ChannelListPager.h"

#include <QJsonObject>

namespace Pulseboard {

ChannelListPager::ChannelListPager(Send send, QObject *parent) : QObject(parent), m_send(std::move(send)) {}

bool ChannelListPager::start()
{
    if (isRunning())
        return false;
    m_pages = 0;
    return ask(QString());
}

bool ChannelListPager::ask(const QString &after)
{
    QJsonObject params{{QStringLiteral("limit"), m_pageLimit}};
    if (!after.isEmpty())
        params.insert(QStringLiteral("after"), after);
    m_after = after;
    m_pendingId = m_send ? m_send(params) : QString();
    if (m_pendingId.isEmpty()) {
        stop(QStringLiteral("channels.list: page %1 could not be sent").arg(m_pages + 1));
        return false;
    }
    return true;
}

void ChannelListPager::stop(const QString &why)
{
    m_pendingId.clear();
    Q_EMIT problem(why);
}

bool ChannelListPager::handleResponse(const QString &id, const QJsonValue &result, const QString &next)
{
    if (id.isEmpty() || id != m_pendingId)
        return false;
    m_pendingId.clear();
    ++m_pages;
    Q_EMIT pageArrived(result);
    if (next.isEmpty()) {
        Q_EMIT finished(m_pages);
        return true;
    }
    if (next == m_after) {
        // The server handed back the cursor it was given: asking again would loop.
        stop(QStringLiteral("channels.list: page %1 did not move on (next '%2' again); list incomplete")
                 .arg(m_pages)
                 .arg(next.left(60)));
        return true;
    }
    if (m_pages >= m_maxPages) {
        stop(QStringLiteral("channels.list: stopped after %1 pages, more channels remain (after '%2')")
                 .arg(m_pages)
                 .arg(next.left(60)));
        return true;
    }
    ask(next);
    return true;
}

bool ChannelListPager::handleFailure(const QString &id, int code, const QString &message)
{
    if (id.isEmpty() || id != m_pendingId)
        return false;
    const QString words = code > 0 ? QStringLiteral("error %1: %2").arg(code).arg(message) : message;
    stop(QStringLiteral("channels.list: page %1 failed (%2); list incomplete").arg(m_pages + 1).arg(words));
    return true;
}

} // namespace Pulseboard
