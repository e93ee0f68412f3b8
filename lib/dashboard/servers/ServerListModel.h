// ServerListModel: the server switcher's rows as QML sees them (Dashboard.servers): the embedded
// hub as a built-in first row, then the stored profiles, most recent first. It reads the
// ServerSwitcher and changes nothing itself: a change of one row is a dataChanged of that row
// for the roles that changed, a profile used again is a row move, a forgotten one a removal.
// The invokables hand the user's choice to the switcher by row.
#pragma once

#include <QAbstractListModel>
#include <QPointer>
#include <QtQml/qqmlregistration.h>

namespace Pulseboard {

class ServerSwitcher;

class ServerListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ServerListModel is made by the application")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    Q_PROPERTY(int currentRow READ currentRow NOTIFY currentChanged)
    Q_PROPERTY(QString currentName READ currentName NOTIFY currentChanged)
    // Non-empty when the dashboard cannot even try its server (e.g. a token it does not have).
    Q_PROPERTY(QString problem READ problem NOTIFY problemChanged)
    Q_PROPERTY(bool persistent READ persistent CONSTANT)

public:
    enum Role {
        NameRole = Qt::UserRole + 1,
        EndpointsRole,  // text
        LastUsedMsRole, // 0: never
        BuiltinRole,    // the embedded hub
        CurrentRole,
        TokenProblemRole, // words, empty when the server can be tried
        HeldRole,         // publishes queued for this server that wait for it
        ChannelsRole,
        ProtocolRole,   // "pulseboard", "json", ...
        GuaranteesRole, // "confirms publishes: yes; can resume: no; a gap cannot be detected"
    };
    Q_ENUM(Role)

    // `persistent`: profiles of this run are saved (settings are in use and writable).
    explicit ServerListModel(ServerSwitcher *switcher, bool persistent, QObject *parent = nullptr);
    ~ServerListModel() override;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    int currentRow() const;
    QString currentName() const;
    QString problem() const;
    bool persistent() const { return m_persistent; }

    // Each returns an empty string, or what went wrong (then nothing changed).
    Q_INVOKABLE QString switchTo(int row);
    // `urls`: one or more ws:// or wss:// URLs, separated by spaces, commas or new lines.
    Q_INVOKABLE QString connectTo(const QString &urls, const QString &name);
    Q_INVOKABLE QString forget(int row);
    Q_INVOKABLE QString checkUrls(const QString &urls) const;

Q_SIGNALS:
    void countChanged();
    void currentChanged();
    void problemChanged();

private:
    struct Row
    {
        QString key; // "embedded" or the endpoints: what makes a row the same row
        QHash<int, QVariant> values;
    };
    QList<Row> buildRows() const;
    void sync();
    int profileOffset() const;

    QPointer<ServerSwitcher> m_switcher;
    bool m_persistent;
    QList<Row> m_rows;
    int m_currentRow = -1;
    QString m_currentName;
};

} // namespace Pulseboard
