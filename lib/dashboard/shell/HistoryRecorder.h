// HistoryRecorder: the dashboard's side of the local history (lib/history/HistoryStore). Samples
// reach it on the network thread, from MessageIngest, as the SeriesStore stores them (no second
// parse): each goes to the store's bounded queue, whose writer thread commits them; nothing is
// written on the GUI thread. The connection's states and outages come from the ConnectionMirror
// on the GUI thread. At start, fill() puts the stored recent past of the subscribed channels into
// the SeriesStore, with the stored outages (and the time the dashboard was not running) as line
// breaks, before the connection opens. What goes wrong (a damaged, locked or full store, samples
// the queue could not take) is said through problem(); the dashboard keeps running live.
//
// A series is named in the store by the server and the channel ("<server>|<channel>") and the
// field path: another server's channel of the same name is another series.
#pragma once

#include "dashboard/alerts/AlertListModel.h"
#include "dashboard/charts/SeriesStore.h"
#include "history/HistoryStore.h"

#include <QHash>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QTimer>
#include <QUrl>

#include <memory>

namespace Pulseboard {

class ConnectionMirror;
class JsonView;

class HistoryRecorder : public QObject
{
    Q_OBJECT

public:
    explicit HistoryRecorder(const HistoryOptions &options, QObject *parent = nullptr);
    ~HistoryRecorder() override;

    // Opens the store; false when the dashboard runs without history (problem() said why).
    bool open();
    HistoryStore *store() const { return m_store.get(); }
    QString statusText() const { return m_store->statusText(); }

    // The server whose channels are recorded; empty: none are.
    void setServer(const QString &key);
    // The name a server's channels are recorded under: "embedded" for the embedded hub (its port
    // changes from run to run), else its first endpoint, normalized as server profiles are.
    static QString serverKey(bool embeddedHub, const QList<QUrl> &endpoints);

    // Network thread (MessageIngest): stores `data` into `series` and records what it stored.
    void ingest(SeriesStore *series, const QString &channel, qint64 seq, qint64 t, const JsonView &data);

    // GUI thread, before the connection opens: the stored samples of `channels` since
    // now - series->retentionMs() into `series`, and the stored outages plus the time since the
    // previous run stopped as outages. Returns the number of points added.
    int fill(SeriesStore *series, const QStringList &channels, qint64 nowMs);
    // Records the connection's states, outages and gaps.
    void attach(ConnectionMirror *mirror);
    // GUI thread, before fill(): lists the alerts the store holds (raised, cleared, acknowledged
    // in earlier runs, within the retention age) in `alerts`, then records each of its events and
    // acknowledgements as they come. Returns how many stored events were read.
    int attachAlerts(AlertListModel *alerts, qint64 nowMs);
    // At quit: writes the state "stopped" and everything queued.
    void stop(qint64 nowMs);

Q_SIGNALS:
    // Words for the user: the store's trouble, or samples not kept.
    void problem(const QString &words);

private:
    class Tap;
    void check();

    std::unique_ptr<HistoryStore> m_store;
    QMutex m_serverLock;
    QString m_server;
    // Network thread only: source name -> (field path -> series id).
    QHash<QString, QHash<QString, qint64>> m_ids;
    ConnectionMirror *m_mirror = nullptr;
    bool m_wasOpen = false;
    qint64 m_downSince = 0;
    QTimer m_checkTimer;
    quint64 m_notKeptTold = 0;
    HistoryStore::Status m_statusTold = HistoryStore::Status::Closed;
};

} // namespace Pulseboard
