// CommandHistory: every run of a library command, newest first: when, which command, what it
// sent (the channel or method and the payload with the values filled in) and what became of it
// as it progresses, queued -> sent -> acked (replied), or failed with the reason, matched to the
// Outbox by the message id. A run the outbox refused at once is kept too, failed with its reason.
// It survives restarts in a JSON Lines file (one line a change of a run, the last line of a run
// wins), normally command-history.jsonl in the app's data folder next to the outbox journals.
// The newest kMaxEntries runs are kept; the file is rewritten without the older ones when it has
// grown to twice that. A line that cannot be read sets the whole file aside (renamed
// "<file>.corrupt-<time>") with a message saying so, and the runs that could be read are kept in
// a new file: nothing is dropped without a word. A run still on its way when the dashboard closed
// keeps its status, marked as such; a publish the outbox journal resends updates it when acked.
#pragma once

#include <QAbstractListModel>
#include <QFile>
#include <QtQml/qqmlregistration.h>

namespace Pulseboard {

class OutboxModel;

class CommandHistory : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("CommandHistory is owned by the dashboard")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    // Where it is kept; empty: in memory only (a run that writes no settings, e.g. --no-settings).
    Q_PROPERTY(QString file READ file CONSTANT)
    // What went wrong with the file (set aside, not writable), in words; empty: nothing.
    Q_PROPERTY(QString problem READ problem NOTIFY problemChanged)

public:
    static constexpr int kMaxEntries = 500;

    enum Role {
        RunIdRole = Qt::UserRole + 1,
        TimeMsRole,
        NameRole,
        KindRole,
        TargetRole,
        PayloadRole,
        MessageIdRole,
        StatusRole, // the Outbox's words: queued, sent, acked, replied, failed, sent, not confirmed
        DetailRole,
        EarlierRunRole // recorded by an earlier run of the dashboard
    };

    struct Entry
    {
        QString runId;
        qint64 timeMs = 0;
        QString name;
        QString kind; // publish | request
        QString target;
        QString payload;
        QString messageId; // the outbox's id; empty when it was refused before it had one
        QString status;
        QString detail;
        bool earlierRun = false;
    };

    // Reads `file` (when not empty) and appends to it from now on.
    explicit CommandHistory(const QString &file = QString(), int maxEntries = kMaxEntries,
                            QObject *parent = nullptr);
    ~CommandHistory() override;

    // Follows the runs sent through `outbox` (the first source's and each further source's).
    void attach(OutboxModel *outbox);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // A new run, at the top; its run id. `messageId` empty: refused at once (`status` failed,
    // `detail` why).
    QString record(const QString &name, const QString &kind, const QString &target, const QString &payload,
                   const QString &messageId, const QString &status, const QString &detail);

    QString file() const { return m_path; }
    QString problem() const { return m_problem; }
    const QList<Entry> &entries() const { return m_entries; }
    // The run as QML and tests read it ({runId, name, status, detail, ...}); empty: none.
    Q_INVOKABLE QVariantMap entry(const QString &runId) const;
    // The run that sent `messageId`; empty: none.
    QString runOf(const QString &messageId) const;

Q_SIGNALS:
    void countChanged();
    void problemChanged();

private:
    void load();
    void update(const QString &messageId, const QString &status, const QString &detail);
    void append(const Entry &e);
    void rewrite();
    bool openForAppend();
    void setProblem(const QString &text);
    static QByteArray toLine(const Entry &e);

    QString m_path;
    int m_max;
    QList<Entry> m_entries; // newest first
    QFile m_file;
    qint64 m_lines = 0; // lines in the file
    QString m_problem;
};

} // namespace Pulseboard
