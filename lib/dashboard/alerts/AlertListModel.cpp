#include "AlertListModel.h"

#include "protocol/Clock.h"

#include <QDateTime>

#include <cmath>
#include <limits>

namespace Pulseboard {

namespace {

int severityRank(AlertSeverity s)
{
    return int(s);
}

QString number(double v)
{
    if (std::isnan(v))
        return QStringLiteral("?");
    return QString::number(v, 'g', std::fabs(v) >= 1e6 ? 6 : 4);
}

} // namespace

AlertListModel::AlertListModel(QObject *parent) : QAbstractListModel(parent)
{
    m_silenceTimer.setSingleShot(true);
    connect(&m_silenceTimer, &QTimer::timeout, this, &AlertListModel::onSilenceTimer);
}

void AlertListModel::setRules(const QList<AlertRule> &rules)
{
    m_rules = rules;
    Q_EMIT rulesChanged();
}

void AlertListModel::setNotifications(const QString &words)
{
    if (words == m_notifications)
        return;
    m_notifications = words;
    Q_EMIT notificationsChanged();
}

void AlertListModel::setMaxEntries(int entries)
{
    m_maxEntries = qMax(1, entries);
    trim();
}

int AlertListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

QHash<int, QByteArray> AlertListModel::roleNames() const
{
    return {
        {RuleRole, "rule"},
        {SeverityRole, "severity"},
        {KindRole, "kind"},
        {ChannelRole, "channel"},
        {FieldRole, "field"},
        {ValueRole, "value"},
        {ThresholdRole, "threshold"},
        {RaisedMsRole, "raisedMs"},
        {ClearedMsRole, "clearedMs"},
        {ClearValueRole, "clearValue"},
        {StateRole, "state"},
        {NoteRole, "note"},
        {AcknowledgedMsRole, "acknowledgedMs"},
        {SilencedRole, "silenced"},
        {TextRole, "text"},
        {EarlierRunRole, "earlierRun"},
    };
}

QVariant AlertListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() < 0 || index.row() >= m_entries.size())
        return {};
    const Entry &e = m_entries.at(index.row());
    switch (role) {
    case RuleRole:
        return e.raised.rule;
    case SeverityRole:
        return alertSeverityName(e.raised.severity);
    case KindRole:
        return alertKindName(e.raised.kind);
    case ChannelRole:
        return e.raised.channel;
    case FieldRole:
        return e.raised.field;
    case ValueRole:
        return e.raised.value;
    case ThresholdRole:
        return e.raised.threshold;
    case RaisedMsRole:
        return double(e.raised.ts);
    case ClearedMsRole:
        return double(e.clearedMs);
    case ClearValueRole:
        return e.clearValue;
    case StateRole:
        return !e.isActive()    ? QStringLiteral("resolved")
               : e.acknowledged ? QStringLiteral("acknowledged")
                                : QStringLiteral("active");
    case NoteRole:
        return e.note;
    case AcknowledgedMsRole:
        return double(e.acknowledgedMs);
    case SilencedRole:
        return isSilenced(e.raised.rule);
    case TextRole:
        return describe(e.raised, false);
    case EarlierRunRole:
        return e.earlierRun;
    default:
        return {};
    }
}

QString AlertListModel::describe(const AlertEvent &event, bool withSeverity)
{
    QString what;
    switch (event.kind) {
    case AlertRule::Kind::Above:
    case AlertRule::Kind::Below:
        what = QStringLiteral("%1 %2 %3 %4 %5")
                   .arg(event.channel, event.field.isEmpty() ? QStringLiteral("value") : event.field,
                        number(event.value), alertKindName(event.kind), number(event.threshold));
        break;
    case AlertRule::Kind::RateAbove:
    case AlertRule::Kind::RateBelow:
        what = QStringLiteral("%1 %2 changing %3/s, %4 %5/s")
                   .arg(event.channel, event.field.isEmpty() ? QStringLiteral("value") : event.field,
                        number(event.value),
                        event.kind == AlertRule::Kind::RateAbove ? QStringLiteral("above")
                                                                 : QStringLiteral("below"),
                        number(event.threshold));
        break;
    case AlertRule::Kind::Stale:
        what = QStringLiteral("%1 silent for %2 s").arg(event.channel, number(event.value));
        break;
    case AlertRule::Kind::SourceDown:
        what = event.source.isEmpty()
                   ? QStringLiteral("the source not live for %1 s").arg(number(event.value))
                   : QStringLiteral("%1 not live for %2 s").arg(event.source, number(event.value));
        break;
    case AlertRule::Kind::Gap:
        what =
            std::isnan(event.value)
                ? QStringLiteral("a gap on %1").arg(event.channel)
                : QStringLiteral("a gap on %1: %2 messages missed").arg(event.channel, number(event.value));
        break;
    case AlertRule::Kind::OutboxAge:
        what = event.source.isEmpty()
                   ? QStringLiteral("a command unconfirmed for %1 s").arg(number(event.value))
                   : QStringLiteral("a command to %1 unconfirmed for %2 s")
                         .arg(event.source, number(event.value));
        break;
    }
    const QString text = QStringLiteral("%1: %2").arg(event.rule, what);
    return withSeverity ? alertSeverityName(event.severity).toUpper() + QLatin1Char(' ') + text : text;
}

int AlertListModel::activeRow(const QString &rule) const
{
    for (int i = 0; i < m_entries.size(); ++i)
        if (m_entries.at(i).isActive() && m_entries.at(i).raised.rule == rule)
            return i;
    return -1;
}

void AlertListModel::add(const AlertEvent &event)
{
    Q_EMIT eventAdded(event);
    if (event.type == AlertEvent::Type::Raised) {
        // A rule raises once until it clears; a second raising (a monitor started again) resolves
        // nothing silently: the older entry stays as it was and the new one goes on top.
        beginInsertRows(QModelIndex(), 0, 0);
        Entry entry;
        entry.raised = event;
        m_entries.prepend(entry);
        endInsertRows();
        trim();
        Q_EMIT logged(QStringLiteral("Alert raised: %1").arg(describe(event)), true);
        if (!isSilenced(event.rule))
            Q_EMIT attention(event);
    } else {
        const int row = activeRow(event.rule);
        if (row < 0)
            return; // nothing of it is listed (trimmed long ago, or raised before this model)
        Entry &entry = m_entries[row];
        entry.clearedMs = event.ts;
        entry.clearValue = event.value;
        changedAt(row);
        Q_EMIT logged(QStringLiteral("Alert cleared: %1 (%2)").arg(entry.raised.rule, number(event.value)),
                      false);
        Q_EMIT resolved(entry.raised);
    }
    Q_EMIT countsChanged();
}

void AlertListModel::restore(const QList<PastEvent> &events, qint64 stoppedMs)
{
    QList<Entry> past; // newest first, as m_entries
    auto endActive = [&](qint64 atMs) {
        for (Entry &entry : past) {
            if (!entry.isActive())
                continue;
            entry.clearedMs = std::max(atMs, entry.raised.ts);
            entry.clearValue = std::numeric_limits<double>::quiet_NaN();
            const QString ended = QStringLiteral("the dashboard stopped while it was active");
            entry.note = entry.note.isEmpty() ? ended : entry.note + QStringLiteral("; ") + ended;
        }
    };
    for (const PastEvent &p : events) {
        const AlertEvent &e = p.event;
        if (p.runStopped) {
            endActive(e.ts);
            continue;
        }
        auto find = [&](auto match) {
            for (Entry &entry : past)
                if (entry.raised.rule == e.rule && match(entry))
                    return &entry;
            return static_cast<Entry *>(nullptr);
        };
        if (p.acknowledgedMs >= 0) {
            if (Entry *entry = find([&](const Entry &x) { return x.raised.ts == e.ts; })) {
                entry->acknowledged = true;
                entry->acknowledgedMs = p.acknowledgedMs;
                entry->note = p.note;
            }
        } else if (e.type == AlertEvent::Type::Raised) {
            Entry entry;
            entry.raised = e;
            entry.earlierRun = true;
            past.prepend(entry);
        } else if (Entry *entry = find([](const Entry &x) { return x.isActive(); })) {
            entry->clearedMs = e.ts;
            entry->clearValue = e.value;
        }
    }
    if (past.isEmpty())
        return;
    endActive(stoppedMs);
    const int first = int(m_entries.size());
    beginInsertRows(QModelIndex(), first, first + int(past.size()) - 1);
    m_entries.append(past);
    endInsertRows();
    trim();
    Q_EMIT countsChanged();
}

void AlertListModel::changedAt(int row)
{
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i);
}

void AlertListModel::trim()
{
    // Oldest resolved first; active ones are never dropped.
    bool dropped = false;
    for (int i = int(m_entries.size()) - 1; i >= 0 && m_entries.size() > m_maxEntries; --i) {
        if (m_entries.at(i).isActive())
            continue;
        beginRemoveRows(QModelIndex(), i, i);
        m_entries.removeAt(i);
        endRemoveRows();
        ++m_discarded;
        dropped = true;
    }
    if (dropped)
        Q_EMIT countsChanged();
}

bool AlertListModel::acknowledge(int row, const QString &note)
{
    if (row < 0 || row >= m_entries.size() || !m_entries.at(row).isActive())
        return false;
    Entry &entry = m_entries[row];
    entry.acknowledged = true;
    entry.acknowledgedMs = Clock::current().wallMs();
    entry.note = note.trimmed();
    changedAt(row);
    Q_EMIT logged(entry.note.isEmpty()
                      ? QStringLiteral("Alert acknowledged: %1").arg(entry.raised.rule)
                      : QStringLiteral("Alert acknowledged: %1 (%2)").arg(entry.raised.rule, entry.note),
                  false);
    Q_EMIT acknowledged(entry.raised, entry.acknowledgedMs, entry.note);
    Q_EMIT countsChanged();
    return true;
}

int AlertListModel::acknowledgeAll(const QString &note)
{
    int n = 0;
    for (int i = 0; i < m_entries.size(); ++i)
        if (m_entries.at(i).isActive() && !m_entries.at(i).acknowledged && acknowledge(i, note))
            ++n;
    return n;
}

bool AlertListModel::silence(const QString &rule, int minutes)
{
    bool known = false;
    for (const AlertRule &r : std::as_const(m_rules))
        known = known || r.name == rule;
    if (!known || minutes < 0)
        return false;
    if (minutes == 0) {
        m_silencedUntil.remove(rule);
        Q_EMIT logged(QStringLiteral("Alert rule %1 no longer silenced").arg(rule), false);
    } else {
        const qint64 until = Clock::current().wallMs() + qint64(minutes) * 60000;
        m_silencedUntil.insert(rule, until);
        Q_EMIT logged(QStringLiteral("Alert rule %1 silenced until %2")
                          .arg(rule, QDateTime::fromMSecsSinceEpoch(until).toString(QStringLiteral("HH:mm"))),
                      false);
    }
    armSilenceTimer();
    if (!m_entries.isEmpty())
        Q_EMIT dataChanged(index(0), index(int(m_entries.size()) - 1), {SilencedRole});
    Q_EMIT rulesChanged();
    Q_EMIT countsChanged();
    return true;
}

bool AlertListModel::isSilenced(const QString &rule) const
{
    const auto it = m_silencedUntil.constFind(rule);
    return it != m_silencedUntil.cend() && it.value() > Clock::current().wallMs();
}

void AlertListModel::armSilenceTimer()
{
    const qint64 now = Clock::current().wallMs();
    qint64 next = std::numeric_limits<qint64>::max();
    for (auto it = m_silencedUntil.cbegin(); it != m_silencedUntil.cend(); ++it)
        if (it.value() > now)
            next = qMin(next, it.value());
    if (next == std::numeric_limits<qint64>::max())
        m_silenceTimer.stop();
    else
        m_silenceTimer.start(int(qMin<qint64>(next - now + 1, 24 * 3600 * 1000)));
}

void AlertListModel::onSilenceTimer()
{
    // Silences that ended: their active alerts ask for attention again.
    const qint64 now = Clock::current().wallMs();
    QStringList ended;
    for (auto it = m_silencedUntil.begin(); it != m_silencedUntil.end();) {
        if (it.value() <= now) {
            ended.append(it.key());
            it = m_silencedUntil.erase(it);
        } else {
            ++it;
        }
    }
    for (const QString &rule : std::as_const(ended)) {
        Q_EMIT logged(QStringLiteral("Alert rule %1: silence ended").arg(rule), false);
        const int row = activeRow(rule);
        if (row >= 0 && !m_entries.at(row).acknowledged)
            Q_EMIT attention(m_entries.at(row).raised);
    }
    armSilenceTimer();
    if (!ended.isEmpty()) {
        if (!m_entries.isEmpty())
            Q_EMIT dataChanged(index(0), index(int(m_entries.size()) - 1), {SilencedRole});
        Q_EMIT rulesChanged();
        Q_EMIT countsChanged();
    }
}

int AlertListModel::activeCount() const
{
    int n = 0;
    for (const Entry &e : m_entries)
        n += e.isActive() ? 1 : 0;
    return n;
}

int AlertListModel::unacknowledgedCount() const
{
    int n = 0;
    for (const Entry &e : m_entries)
        n += e.isActive() && !e.acknowledged && !isSilenced(e.raised.rule) ? 1 : 0;
    return n;
}

QString AlertListModel::topSeverity() const
{
    int best = -1;
    for (const Entry &e : m_entries)
        if (e.isActive() && !e.acknowledged && !isSilenced(e.raised.rule))
            best = qMax(best, severityRank(e.raised.severity));
    return best < 0 ? QString() : alertSeverityName(AlertSeverity(best));
}

QString AlertListModel::bannerText() const
{
    const Entry *top = nullptr;
    int count = 0;
    for (const Entry &e : m_entries) { // newest first: the first of the highest severity wins
        if (!e.isActive() || e.acknowledged || isSilenced(e.raised.rule))
            continue;
        ++count;
        if (!top || severityRank(e.raised.severity) > severityRank(top->raised.severity))
            top = &e;
    }
    if (!top)
        return QString();
    QString text =
        QStringLiteral("%1 since %2")
            .arg(describe(top->raised),
                 QDateTime::fromMSecsSinceEpoch(top->raised.ts).toString(QStringLiteral("HH:mm:ss")));
    if (count > 1)
        text += QStringLiteral(" \u00b7 %1 more").arg(count - 1);
    return text;
}

QString AlertListModel::channelSeverity(const QString &channel) const
{
    int best = -1;
    for (const Entry &e : m_entries)
        if (e.isActive() && e.raised.channel == channel && !isSilenced(e.raised.rule))
            best = qMax(best, severityRank(e.raised.severity));
    return best < 0 ? QString() : alertSeverityName(AlertSeverity(best));
}

void AlertListModel::noteRuleProblem(const QString &rule, const QString &words)
{
    if (m_ruleProblems.value(rule) == words)
        return;
    m_ruleProblems.insert(rule, words);
    Q_EMIT logged(QStringLiteral("Alert rule %1: %2").arg(rule, words), true);
    Q_EMIT rulesChanged();
}

QVariantList AlertListModel::rules() const
{
    QVariantList out;
    for (const AlertRule &r : m_rules) {
        const qint64 until = m_silencedUntil.value(r.name, -1);
        out.append(QVariantMap{
            {QStringLiteral("name"), r.name},
            {QStringLiteral("rule"), r.toString()},
            {QStringLiteral("severity"), alertSeverityName(r.severity)},
            {QStringLiteral("kind"), alertKindName(r.kind)},
            {QStringLiteral("channel"), r.channel},
            {QStringLiteral("silencedUntilMs"), double(isSilenced(r.name) ? until : -1)},
            {QStringLiteral("problem"), m_ruleProblems.value(r.name)},
        });
    }
    return out;
}

QVariantMap AlertListModel::summary() const
{
    QVariantList list;
    for (int i = 0; i < m_entries.size(); ++i) {
        const Entry &e = m_entries.at(i);
        list.append(QVariantMap{
            {QStringLiteral("rule"), e.raised.rule},
            {QStringLiteral("severity"), alertSeverityName(e.raised.severity)},
            {QStringLiteral("channel"), e.raised.channel},
            {QStringLiteral("source"), e.raised.source},
            {QStringLiteral("state"), data(index(i), StateRole)},
            {QStringLiteral("value"), e.raised.value},
            {QStringLiteral("raisedMs"), double(e.raised.ts)},
            {QStringLiteral("clearedMs"), double(e.clearedMs)},
            {QStringLiteral("note"), e.note},
            {QStringLiteral("silenced"), isSilenced(e.raised.rule)},
            {QStringLiteral("earlierRun"), e.earlierRun},
        });
    }
    return {
        {QStringLiteral("active"), activeCount()},
        {QStringLiteral("unacknowledged"), unacknowledgedCount()},
        {QStringLiteral("rules"), int(m_rules.size())},
        {QStringLiteral("notifications"), m_notifications},
        {QStringLiteral("list"), list},
    };
}

} // namespace Pulseboard
