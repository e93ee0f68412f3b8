// AlertListModel: the dashboard's alerts as the operator sees them (the Alerts panel, the header's
// count, the kiosk banner, the tiles' marks). It is fed AlertEvents (raised, cleared) from the
// AlertMonitor on the network thread, on the GUI thread, and keeps one entry per raising, newest
// first: active (raised, not yet acknowledged), acknowledged (with who-knows-why note and when),
// resolved (cleared, with the value and time that cleared it). A rule can be silenced for a time:
// its alerts are still listed, but they ask for no attention (no banner, no desktop
// notification, not counted as unacknowledged) until the silence ends.
//
// Times come from Clock::current() (tests set them). At most maxEntries are kept: the oldest
// resolved ones go first, and how many went is counted (discarded), never silently.
#pragma once

#include "alerts/AlertEngine.h"

#include <QAbstractListModel>
#include <QHash>
#include <QList>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

namespace Pulseboard {

class AlertListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("AlertListModel is owned by the dashboard")
    // Raised and not cleared (acknowledged or not, silenced or not).
    Q_PROPERTY(int activeCount READ activeCount NOTIFY countsChanged)
    // Active, not acknowledged and not silenced: what still asks for someone.
    Q_PROPERTY(int unacknowledgedCount READ unacknowledgedCount NOTIFY countsChanged)
    // The highest severity among the unacknowledged ("info", "warning", "critical"), or "".
    Q_PROPERTY(QString topSeverity READ topSeverity NOTIFY countsChanged)
    // One line about the most severe (then newest) unacknowledged alert, and how many more; "" when none.
    Q_PROPERTY(QString bannerText READ bannerText NOTIFY countsChanged)
    Q_PROPERTY(int discarded READ discarded NOTIFY countsChanged)
    // The rules: [{name, rule (its text), severity, kind, channel, silencedUntilMs}].
    Q_PROPERTY(QVariantList rules READ rules NOTIFY rulesChanged)
    // Where raised alerts go besides this list, in words: "desktop notifications on", "... off: why".
    Q_PROPERTY(QString notifications READ notifications NOTIFY notificationsChanged)

public:
    enum Role {
        RuleRole = Qt::UserRole + 1,
        SeverityRole,
        KindRole,
        ChannelRole,
        FieldRole,
        ValueRole,
        ThresholdRole,
        RaisedMsRole,
        ClearedMsRole, // -1 while active
        ClearValueRole,
        StateRole, // "active", "acknowledged", "resolved"
        NoteRole,
        AcknowledgedMsRole, // -1 until acknowledged
        SilencedRole,
        TextRole,       // the alert in words, without its severity (the panel shows it beside)
        EarlierRunRole, // restored from the local history: raised before this run started
    };
    Q_ENUM(Role)

    struct Entry
    {
        AlertEvent raised;
        qint64 clearedMs = -1;
        double clearValue = 0;
        bool acknowledged = false;
        qint64 acknowledgedMs = -1;
        QString note;
        bool earlierRun = false; // restored from the local history
        bool isActive() const { return clearedMs < 0; }
    };

    explicit AlertListModel(QObject *parent = nullptr);

    void setRules(const QList<AlertRule> &rules);
    void setMaxEntries(int entries);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    int activeCount() const;
    int unacknowledgedCount() const;
    QString topSeverity() const;
    QString bannerText() const;
    int discarded() const { return m_discarded; }
    QVariantList rules() const;
    const QList<Entry> &entries() const { return m_entries; }
    QString notifications() const { return m_notifications; }
    void setNotifications(const QString &words);

    // An event of the engine: a raising adds an entry at the top; a clearing resolves the rule's
    // active entry.
    void add(const AlertEvent &event);

    // What an earlier run went through (from the local history), oldest first: a raising, a
    // clearing, or an acknowledgement (`acknowledgedMs` >= 0, of the rule's entry raised at
    // event.ts, with `note`).
    struct PastEvent
    {
        AlertEvent event;
        qint64 acknowledgedMs = -1;
        QString note;
        bool runStopped = false; // that run stopped at event.ts: what was active ended there
    };
    // Lists them below what this run has (they ask for no attention: no banner, no notification,
    // no log line). An entry still active when its run stopped is resolved then (at `stoppedMs`
    // when no stop follows it) and says so: the rules are evaluated afresh, and one that still
    // holds raises again.
    void restore(const QList<PastEvent> &events, qint64 stoppedMs);

    // A rule that cannot work as written (the monitor said why): shown on its card in rules() as
    // "problem", and logged once.
    void noteRuleProblem(const QString &rule, const QString &words);

    // Acknowledges the entry at `row` (active ones only), with a note (may be empty). False when
    // there is no such active entry.
    Q_INVOKABLE bool acknowledge(int row, const QString &note = QString());
    // Acknowledges every active, unacknowledged entry; returns how many.
    Q_INVOKABLE int acknowledgeAll(const QString &note = QString());
    // Silences `rule` for `minutes` from now (0 ends a silence). False for a rule not known.
    Q_INVOKABLE bool silence(const QString &rule, int minutes);
    Q_INVOKABLE bool isSilenced(const QString &rule) const;
    // The highest severity of the active, unsilenced alerts on `channel` ("" when none): a tile's mark.
    Q_INVOKABLE QString channelSeverity(const QString &channel) const;
    // The alerts as the snapshot reports them: {active, unacknowledged, list: [{rule, state, ...}]}.
    QVariantMap summary() const;

    // "CRITICAL cpu-hot: sys.cpu /total 95.2 above 90"; without the severity word, "cpu-hot: ...".
    static QString describe(const AlertEvent &event, bool withSeverity = true);

Q_SIGNALS:
    // Every event add() takes, as it takes it (the local history records them).
    void eventAdded(const Pulseboard::AlertEvent &event);
    // An entry was acknowledged (the local history records it): the raising it belongs to.
    void acknowledged(const Pulseboard::AlertEvent &raised, qint64 atMs, const QString &note);
    void countsChanged();
    void rulesChanged();
    void notificationsChanged();
    // A raising that asks for attention (its rule is not silenced): the desktop notifier shows it.
    void attention(const Pulseboard::AlertEvent &event);
    // The rule's alert cleared (the notifier takes its notification back).
    void resolved(const Pulseboard::AlertEvent &event);
    // Words for the event log ("raised ...", "cleared ...", "acknowledged ...").
    void logged(const QString &text, bool problem);

private:
    int activeRow(const QString &rule) const;
    void trim();
    void armSilenceTimer();
    void onSilenceTimer();
    void changedAt(int row);

    QList<Entry> m_entries; // newest first
    QHash<QString, QString> m_ruleProblems;
    QList<AlertRule> m_rules;
    QHash<QString, qint64> m_silencedUntil; // rule -> wall ms
    QTimer m_silenceTimer;                  // fires when the next silence ends
    int m_maxEntries = 1000;
    int m_discarded = 0;
    QString m_notifications;
};

} // namespace Pulseboard
