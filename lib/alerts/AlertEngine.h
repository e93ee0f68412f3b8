// AlertEngine: evaluates a set of AlertRules against what a connection delivers. Pure and
// single-threaded: every input carries its time (`nowMs`, wall milliseconds), nothing reads a
// clock, so a test drives it deterministically. Inputs: messages (a channel and its payload as a
// JsonView: the MessageSink path, no QJsonValue built), samples given directly, the connection's
// state, gaps, the outbox's oldest entry, and a periodic tick for what raises on time alone
// (stale, source-down, a for= duration, a gap's hold, the outbox's age).
//
// Each rule is a small state machine: clear -> (pending, while a for= duration runs) -> raised
// -> clear. It raises once and clears once: a raised level rule clears only when the value is at
// or past its clear level (hysteresis), so a value moving inside the band raises nothing more.
// Events go to the handler as they happen, in input order.
#pragma once

#include "AlertRule.h"

#include "protocol/JsonView.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMetaType>
#include <QString>

#include <deque>
#include <functional>
#include <limits>
#include <utility>
#include <vector>

class QJsonObject;

namespace Pulseboard {

struct AlertEvent
{
    enum class Type : quint8 { Raised, Cleared };
    Type type = Type::Raised;
    QString rule;
    AlertSeverity severity = AlertSeverity::Warning;
    AlertRule::Kind kind = AlertRule::Kind::Above;
    QString channel; // the rule's channel (a gap rule for any channel: the gap's); empty for none
    QString source;  // a dashboard's further source the rule watches; empty: the first (or the CLI's)
    QString field;   // the rule's field (above/below/rate-*), else empty
    // above/below: the field's value; rate-*: its change per second; stale: seconds since the
    // channel's last message; source-down: seconds not open; gap: messages missed (NaN: not
    // known); outbox-age: the oldest entry's age in seconds (0 when the outbox emptied).
    double value = std::numeric_limits<double>::quiet_NaN();
    double threshold = std::numeric_limits<double>::quiet_NaN(); // the level crossed (raise or clear)
    qint64 ts = 0; // when it happened (the nowMs of the input that decided it)

    QString typeName() const
    {
        return type == Type::Raised ? QStringLiteral("raised") : QStringLiteral("cleared");
    }
};

// The CLI's `alert` line: {"event":"alert","state":"raised"|"cleared","rule","severity","kind",
// "channel","field","value","threshold","ts"}; channel, field, value and threshold only when the
// event has them.
QJsonObject alertEventJson(const AlertEvent &event);
// The inverse, for an alert line or a stored one; false when `o` is not one (with what is wrong).
bool alertEventFromJson(const QJsonObject &o, AlertEvent *event, QString *error);

class AlertEngine
{
public:
    using Handler = std::function<void(const AlertEvent &)>;

    // The rules must have distinct names (checkAlertRules).
    explicit AlertEngine(const QList<AlertRule> &rules = {});
    // Not copied: it keeps a pointer to its last channel's entry.
    AlertEngine(const AlertEngine &) = delete;
    AlertEngine &operator=(const AlertEngine &) = delete;

    void setHandler(Handler handler) { m_handler = std::move(handler); }
    // A rule that cannot work as written, said once per rule: its field was not a number in any of
    // the first kFieldChecks messages of its channel (a misspelt pointer watches nothing).
    using ProblemHandler = std::function<void(const QString &rule, const QString &words)>;
    void setProblemHandler(ProblemHandler handler) { m_problemHandler = std::move(handler); }
    static constexpr int kFieldChecks = 10;
    const QList<AlertRule> &rules() const { return m_rules; }
    // The channels the rules read (sorted): a client subscribes them. A gap rule for any channel
    // adds none.
    QStringList channels() const;

    // The time silence and downtime are counted from (a channel that never sends is stale
    // `stale=` after it; a connection never open is down from it). Without a call, the first
    // input's time.
    void start(qint64 nowMs);

    // A message on `channel`: it ends the channel's silence, and the fields the rules read are
    // taken from `data` by their JSON pointers (a field that is missing or not a number is skipped).
    void message(const QString &channel, const JsonView &data, qint64 nowMs);
    // One value of `field` on `channel` (for a source that has the number already); it feeds the
    // rules reading that field and does not count as a message for stale= rules.
    void sample(const QString &channel, const QString &field, double value, qint64 nowMs);
    // The connection is open (`live`) or not.
    void connectionChanged(bool live, qint64 nowMs);
    // The client saw a gap on `channel`: `missed` messages (-1: not known).
    void gap(const QString &channel, qint64 missed, qint64 nowMs);
    // The age of the oldest entry of the outbox (< 0: the outbox is empty).
    void outboxAge(qint64 ageMs, qint64 nowMs);
    // Evaluates what raises or clears on time alone. Call it periodically (the CLI: every 100 ms).
    void tick(qint64 nowMs);

    bool isActive(const QString &rule) const;
    // The raised alerts (the events that raised them), in rule order.
    QList<AlertEvent> active() const;

private:
    // A JSON pointer compiled for JsonView: each step as UTF-8 bytes and, when it is a strict
    // decimal, as an array index.
    struct Step
    {
        QByteArray key;
        qsizetype index = -1;
        bool ascii = true;
    };
    struct FieldReader
    {
        QString field;
        std::vector<Step> steps;
        QList<int> rules; // the level and rate rules reading it
        int misses = 0;   // messages without it, before it was first found
        bool found = false;
        bool told = false;
    };
    struct ChannelEntry
    {
        std::vector<FieldReader> fields;
        QList<int> staleRules;
        qint64 lastMessageMs = -1; // -1: none since start
    };
    struct State
    {
        bool active = false;
        qint64 pendingSinceMs = -1; // for=: when the condition started to hold
        double lastValue = std::numeric_limits<double>::quiet_NaN();
        std::deque<std::pair<qint64, double>> history; // rate-*: samples over the window
        qint64 sinceMs = -1;                           // stale: silence from; gap: last gap
        double missed = 0;                             // gap: messages missed while raised
        QString channel;                               // gap: the channel of the raising gap
        AlertEvent raised;                             // the event that raised it, while active
    };

    void ensureStarted(qint64 nowMs);
    static bool resolve(const JsonView &root, const std::vector<Step> &steps, double *value);
    void feed(int ruleIndex, double value, qint64 nowMs);
    void evaluateLevel(int ruleIndex, double value, qint64 nowMs);
    void evaluateOutbox(qint64 nowMs);
    void raise(int ruleIndex, double value, double threshold, qint64 nowMs,
               const QString &channel = QString());
    void clear(int ruleIndex, double value, double threshold, qint64 nowMs);
    AlertEvent makeEvent(int ruleIndex, AlertEvent::Type type, double value, double threshold,
                         qint64 nowMs) const;
    ChannelEntry *entry(const QString &channel);

    QList<AlertRule> m_rules;
    std::vector<State> m_states;
    QHash<QString, ChannelEntry> m_channels;
    QString m_lastChannel; // the channel of the last lookup, and its entry (hash entries stay put)
    ChannelEntry *m_lastEntry = nullptr;
    QList<int> m_levelRules; // level and rate rules (their for= runs on the tick)
    QList<int> m_sourceDownRules;
    QList<int> m_gapRules;
    QList<int> m_outboxRules;
    Handler m_handler;
    ProblemHandler m_problemHandler;
    bool m_started = false;
    qint64 m_startMs = 0;
    bool m_live = false;
    qint64 m_downSinceMs = 0;
    qint64 m_outboxOldestMs = -1; // when the oldest entry was enqueued (-1: empty)
};

} // namespace Pulseboard

Q_DECLARE_METATYPE(Pulseboard::AlertEvent)
