// OutboxModel: what the operator sent from the console and what became of it, newest first:
// each publish or request is queued, then sent, then acked (publish, with its seq) or replied
// (request, with the result), or failed with the reason. Input is validated before anything is
// queued: the JSON must parse and the channel name must be one the hub accepts.
#pragma once

#include <QAbstractListModel>
#include <QJsonValue>
#include <QList>
#include <QPointer>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

namespace Pulseboard {

class ConnectionMirror;

class OutboxModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("OutboxModel is owned by the dashboard")
    Q_PROPERTY(int count READ rowCount NOTIFY countsChanged)
    Q_PROPERTY(int pending READ pending NOTIFY countsChanged)
    // The last reply, its JSON indented (two spaces a level) for reading.
    Q_PROPERTY(QString lastReply READ lastReply NOTIFY lastReplyChanged)
    // Why the last publish (request) from the console came to nothing, in words: refused by the
    // server (e.g. 403, a read-only channel), by the queue, or failed; empty once it was acked
    // (replied) or another is sent. The console shows it next to its form.
    Q_PROPERTY(QString publishProblem READ publishProblem NOTIFY problemsChanged)
    Q_PROPERTY(QString requestProblem READ requestProblem NOTIFY problemsChanged)

public:
    enum Status { Queued, Sent, Acked, Replied, Failed, Unconfirmed };
    Q_ENUM(Status)
    enum Role {
        IdRole = Qt::UserRole + 1,
        KindRole,
        TargetRole,
        PayloadRole,
        StatusRole,
        StatusNameRole,
        DetailRole,
        TimeMsRole
    };

    explicit OutboxModel(QObject *parent = nullptr);
    void attach(ConnectionMirror *manager);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Parses `text` as one JSON value (object, array, string, number, true/false/null).
    // Returns false with `error` saying where it fails.
    static bool parseJson(const QString &text, QJsonValue *value, QString *error);

    // Validate, then hand to the connection. Return an empty string, or why nothing was queued.
    Q_INVOKABLE QString publish(const QString &channel, const QString &json)
    {
        return publish(channel, json, nullptr);
    }
    Q_INVOKABLE QString request(const QString &method, const QString &paramsJson)
    {
        return request(method, paramsJson, nullptr);
    }
    // The same, and the message's id into `id` when it was queued.
    QString publish(const QString &channel, const QString &json, QString *id);
    QString request(const QString &method, const QString &paramsJson, QString *id);
    Q_INVOKABLE QString validate(const QString &json) const;
    Q_INVOKABLE int statusOf(const QString &id) const;
    // These stay queued for a server the dashboard switched away from; `detail` says which.
    void markHeld(const QStringList &ids, const QString &detail);
    Q_INVOKABLE QString detailOf(const QString &id) const;

    int pending() const;
    QString lastReply() const { return m_lastReply; }
    QString publishProblem() const { return m_publishProblem; }
    QString requestProblem() const { return m_requestProblem; }
    // A reply as the console shows it: indented JSON, cut (with an ellipsis) past `maxChars`.
    static QString replyText(const QJsonValue &result, int maxChars = 20000);
    void setMaxRows(int rows) { m_maxRows = qMax(1, rows); }
    static QString statusName(Status status);

Q_SIGNALS:
    // The counts moved: entries listed, or entries still on the way.
    void countsChanged();
    void lastReplyChanged();
    void problemsChanged();
    // What became of message `id` (a Status), as it happens: queued when tracked, then sent,
    // acked, replied or failed. Said also for a message the model does not list (one an earlier
    // run queued, resent from the outbox journal), so the command history can follow it.
    void statusReported(const QString &id, int status, const QString &detail);

private:
    struct Row
    {
        QString id;
        bool request = false;
        QString target;
        QString payload;
        Status status = Queued;
        QString detail;
        qint64 timeMs = 0;
    };
    void track(const QString &id, bool request, const QString &target, const QString &payload);
    void setStatus(const QString &id, Status status, const QString &detail);
    void pollSent();
    void trim();
    // The last publish (request) tracked: its fate sets or clears the problem line.
    void settle(const QString &id, bool ok, const QString &problem);

    QPointer<ConnectionMirror> m_manager;
    QList<Row> m_rows; // newest first
    QTimer m_poll;
    QString m_lastReply;
    QString m_lastPublishId;
    QString m_lastRequestId;
    QString m_publishProblem;
    QString m_requestProblem;
    int m_maxRows = 500;
};

} // namespace Pulseboard
