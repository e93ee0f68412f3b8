// RawMessageModel: the frames as they arrive (channel, seq, server time, data), newest first,
// for the "Raw messages" panel. Arrivals are batched and handed to the view by flush() a few
// times a second; while paused they are held (bounded, the overflow counted) and appear on
// resume. A filter keeps rows whose channel or data text contains it (case-insensitive); a
// filter starting with '/' is a path filter (PathFilter: `/data/cpu > 90`), and one that does not
// parse filters nothing and says why (filterError).
// While no view shows the model (viewShown false: the panel is not on screen) arrivals wait
// in the same bounded queue and reach the rows when it is shown again: rows inserted at
// thousands a second cost a list view its delegates even when nobody sees them.
// Each frame has a key of its own (the `key` role, counting from 1): the selection follows the
// frame by its key while newer frames push it down the list, not a row position.
// The selected frame is also shown as a tree (`tree`, a JsonTreeModel) compared with the frame
// of the same channel that arrived just before it, when that one is still kept (the newest
// maxRows frames): built once per selection, from the frames the model holds anyway.
#pragma once

#include "JsonTreeModel.h"
#include "PathFilter.h"
#include "PayloadText.h"

#include <QAbstractListModel>
#include <QJsonValue>
#include <QList>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

namespace Pulseboard {

class RawMessageModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("RawMessageModel is owned by the dashboard")
    Q_PROPERTY(int count READ rowCount NOTIFY countsChanged)
    Q_PROPERTY(bool paused READ paused WRITE setPaused NOTIFY pausedChanged)
    Q_PROPERTY(QString filter READ filter WRITE setFilter NOTIFY filterChanged)
    Q_PROPERTY(int held READ held NOTIFY countsChanged)
    Q_PROPERTY(double received READ received NOTIFY countsChanged)
    Q_PROPERTY(double discarded READ discarded NOTIFY countsChanged)
    Q_PROPERTY(bool viewShown READ viewShown WRITE setViewShown NOTIFY viewShownChanged)
    // The frame picked in the list (0: none); its row moves as frames arrive (-1: not listed now,
    // e.g. filtered out or no longer kept); its text and channel stay until another is picked.
    Q_PROPERTY(double selectedKey READ selectedKeyValue WRITE select NOTIFY selectionChanged)
    Q_PROPERTY(int selectedRow READ selectedRow NOTIFY selectionChanged)
    Q_PROPERTY(QString selectedText READ selectedText NOTIFY selectionChanged)
    Q_PROPERTY(QString selectedChannel READ selectedChannel NOTIFY selectionChanged)
    Q_PROPERTY(Pulseboard::JsonTreeModel *tree READ tree CONSTANT)
    // The filter is a path filter (it starts with '/'), and why it does not parse (empty: it does,
    // or it is a substring filter). A filter that does not parse filters nothing.
    Q_PROPERTY(bool pathFilter READ isPathFilter NOTIFY filterChanged)
    Q_PROPERTY(QString filterError READ filterError NOTIFY filterChanged)

public:
    enum Role { ReceivedMsRole = Qt::UserRole + 1, ChannelRole, SeqRole, TsRole, TextRole, KeyRole };

    explicit RawMessageModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void append(const QString &channel, qint64 seq, qint64 ts, const QJsonValue &data, qint64 receivedMs);
    void append(const QString &channel, qint64 seq, qint64 ts, const PayloadText &data, qint64 receivedMs);
    // A display tick's frames, oldest first (MessageIngest::Batch), and how many frames arrived
    // but were left out of it (it keeps the newest): those count as received and discarded.
    template <typename Frames> void appendBatch(const Frames &frames, quint64 leftOut)
    {
        m_received += leftOut;
        m_discarded += leftOut;
        for (const auto &f : frames)
            append(f.channel, f.seq, f.ts, f.data, f.receivedMs);
    }
    // Hands what arrived since the last flush to the view (no-op while paused).
    Q_INVOKABLE void flush();
    Q_INVOKABLE void clear();
    Q_INVOKABLE QString textAt(int row) const;
    Q_INVOKABLE QString channelAt(int row) const;
    Q_INVOKABLE double keyAt(int row) const;
    Q_INVOKABLE int rowOfKey(double key) const;

    // Picks the frame with this key (0 or an unknown key: none).
    void select(double key);
    Q_INVOKABLE void selectRow(int row) { select(keyAt(row)); }
    double selectedKeyValue() const { return double(m_selectedKey); }
    int selectedRow() const { return m_selectedRow; }
    QString selectedText() const { return m_selectedText; }
    QString selectedChannel() const { return m_selectedChannel; }
    JsonTreeModel *tree() const { return m_tree; }
    bool isPathFilter() const { return PathFilter::looksLikePath(m_filter); }
    QString filterError() const { return m_filterError; }

    bool paused() const { return m_paused; }
    void setPaused(bool paused);
    QString filter() const { return m_filter; }
    void setFilter(const QString &filter);
    int held() const { return int(m_pending.size()); }
    quint64 received() const { return m_received; }
    // Frames that left the view's history because it is bounded (maxRows).
    quint64 discarded() const { return m_discarded; }
    void setMaxRows(int rows) { m_maxRows = qMax(1, rows); }
    bool viewShown() const { return m_viewShown; }
    void setViewShown(bool shown);

Q_SIGNALS:
    // The counts moved: rows shown, held, received or discarded (they move together).
    void countsChanged();
    void pausedChanged();
    void filterChanged();
    void viewShownChanged();
    void selectionChanged();

private:
    struct Entry
    {
        qint64 receivedMs = 0;
        QString channel;
        qint64 seq = -1;
        qint64 ts = -1;
        PayloadText data;
        mutable QString text; // made on first need
        quint64 key = 0;
    };
    // Finds the selected frame's row again after rows moved; signals when it changed.
    void updateSelectedRow();
    const QString &textOf(const Entry &e) const;
    bool matches(const Entry &e) const;
    // The selected frame (row `row` of m_rows) and the one of its channel before it into the tree.
    void showInTree(int row);

    QList<Entry> m_all;     // newest first, at most m_maxRows
    QList<Entry> m_rows;    // m_all filtered
    QList<Entry> m_pending; // oldest first, not yet in the view
    QTimer m_flushTimer;
    QString m_filter;
    std::optional<PathFilter> m_pathFilter; // set when m_filter is a path filter that parses
    QString m_filterError;
    JsonTreeModel *m_tree;
    bool m_paused = false;
    bool m_viewShown = true;
    int m_maxRows = 5000;
    quint64 m_received = 0;
    quint64 m_discarded = 0;
    quint64 m_nextKey = 1;
    quint64 m_selectedKey = 0;
    int m_selectedRow = -1;
    QString m_selectedText;
    QString m_selectedChannel;
};

} // namespace Pulseboard
