// ChannelListPager: walks the server's `channels.list` page by page. A hub answers with at most a
// page of channels and a `next` cursor while more remain (docs/PROTOCOL.md); the pager asks for
// the page after it until `next` is absent, handing each page over as it comes, so a server
// with thousands of channels never has to send them in one frame. A walk is capped (100 pages by
// default); reaching the cap, a page the server refuses, one that times out or one lost with the
// connection ends the walk and is reported, never dropped in silence. A server that does not
// page (no `next`) is one page. It is driven by its owner: start(), then every response and
// failure goes through handleResponse()/handleFailure(), which say whether it was the pager's.
#pragma once

#include <QJsonValue>
#include <QObject>
#include <QString>

#include <functional>

namespace Pulseboard {

class ChannelListPager : public QObject
{
    Q_OBJECT
public:
    // Sends `channels.list` with these params; returns the request id (empty: not sent).
    using Send = std::function<QString(const QJsonValue &params)>;

    explicit ChannelListPager(Send send, QObject *parent = nullptr);

    static constexpr int kDefaultPageLimit = 500;
    static constexpr int kDefaultMaxPages = 100;
    void setPageLimit(int limit) { m_pageLimit = limit; }
    void setMaxPages(int pages) { m_maxPages = pages; }
    int maxPages() const { return m_maxPages; }

    // Starts a walk from the first page. False (and nothing sent) while one is under way.
    bool start();
    bool isRunning() const { return !m_pendingId.isEmpty(); }
    // Pages received in the current (or last) walk.
    int pages() const { return m_pages; }

    // A response or a failure of some request: true when it answered the pager's, which then
    // asks for the next page, finishes or reports.
    bool handleResponse(const QString &id, const QJsonValue &result, const QString &next);
    bool handleFailure(const QString &id, int code, const QString &message);

Q_SIGNALS:
    // One page's result, in order (the server's array of {name, seq, rate}).
    void pageArrived(const QJsonValue &result);
    // The walk reached the end of the list.
    void finished(int pages);
    // The walk ended early: a page failed, or the cap was reached with more remaining. Words
    // for the event log.
    void problem(const QString &message);

private:
    bool ask(const QString &after);
    void stop(const QString &why);

    Send m_send;
    int m_pageLimit = kDefaultPageLimit;
    int m_maxPages = kDefaultMaxPages;
    QString m_pendingId;
    QString m_after; // the cursor the pending page was asked with
    int m_pages = 0;
};

} // namespace Pulseboard
