// EventLog: what happened to the connection, in words, newest first: connects, disconnects
// with close code and reason, reconnect attempts, gaps, errors, refused publishes. Bounded
// (oldest rows go, and the count of those that went is kept, so the view can say so).
#pragma once

#include <QAbstractListModel>
#include <QList>
#include <QtQml/qqmlregistration.h>

namespace Pulseboard {

class ConnectionMirror;

class EventLog : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("EventLog is owned by the dashboard")
    Q_PROPERTY(int count READ rowCount NOTIFY countsChanged)
    Q_PROPERTY(int discarded READ discarded NOTIFY countsChanged)

public:
    enum Kind { Info, Connected, Disconnected, Reconnecting, Gap, Error, Failed };
    Q_ENUM(Kind)
    enum Role { TimeMsRole = Qt::UserRole + 1, KindRole, KindNameRole, TextRole };

    explicit EventLog(QObject *parent = nullptr);

    // Logs the manager's signals in words.
    void attach(ConnectionMirror *manager);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void add(Kind kind, const QString &text, qint64 timeMs);
    void setMaxRows(int rows) { m_maxRows = qMax(1, rows); }
    int discarded() const { return m_discarded; }
    Q_INVOKABLE QString textAt(int row) const;
    Q_INVOKABLE int kindAt(int row) const;
    Q_INVOKABLE void clear();
    static QString kindName(Kind kind);
    // A subscription confirmed, in words: fresh, resumed with nothing missed, with the missed
    // messages replayed (how many, when the server counts), or not all of them.
    static QString subscribedText(const QString &channel, qint64 seq, bool recovered, qint64 since);

Q_SIGNALS:
    // The counts moved: events shown or discarded (an event in pushes the oldest out).
    void countsChanged();
    // Every event, for the health chart's markers.
    void eventAdded(int kind, qint64 timeMs);

private:
    struct Event
    {
        qint64 timeMs = 0;
        Kind kind = Info;
        QString text;
    };
    QList<Event> m_events; // newest first
    int m_maxRows = 2000;
    int m_discarded = 0;
};

} // namespace Pulseboard
