// AlertRule: one alert rule, parsed from its one-line form (docs/ALERTS.md), the same text a
// dashboard config's `alerts` array holds and `pulseboard-cli --alert` takes:
//   name=cpu-hot severity=critical channel=sys.cpu field=/total above=90 clear=85 for=10s
//   name=cpu-drop channel=sys.cpu field=/total rate-below=-20/s
//   name=quiet severity=warning channel=orders stale=30s
//   name=down source-down=60s      name=gaps gap      name=stuck outbox-age=30s
//   name=lab-down source=lab source-down=60s   (a dashboard's further source, docs/SOURCES.md)
// Space-separated key=value pairs (a value in double quotes may hold spaces, \" and \\), in any
// order, each key at most once; exactly one condition key. A refused rule says which key and why
// (AlertRuleError). Pure values: no clock, no I/O except readAlertRuleFile.
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Pulseboard {

enum class AlertSeverity : quint8 { Info, Warning, Critical };

// "info", "warning", "critical".
QString alertSeverityName(AlertSeverity severity);
// Case-insensitive; false for any other word.
bool parseAlertSeverity(QStringView text, AlertSeverity *out);

// Why a rule text was refused: the key (empty when the text as a whole is wrong) and the reason.
struct AlertRuleError
{
    QString key;
    QString reason;
    // "key 'clear': must be at or below above=90 ..." or the reason alone.
    QString message() const;
};

struct AlertRule
{
    // above/below: a field's value; rate-above/rate-below: its change per second; stale: no
    // message on the channel; source-down: the connection not open; gap: the client saw a gap;
    // outbox-age: the oldest unconfirmed publish or request waiting too long.
    enum class Kind : quint8 { Above, Below, RateAbove, RateBelow, Stale, SourceDown, Gap, OutboxAge };

    QString name;
    AlertSeverity severity = AlertSeverity::Warning;
    Kind kind = Kind::Above;
    QString channel;        // required for above/below/rate-*/stale; optional for gap (empty: any)
    QString source;         // source-down/outbox-age/gap on any channel: a dashboard source by name
                            // (empty: the first, or the CLI's one connection)
    QString field;          // JSON pointer into the message's data; "" the data itself
    double threshold = 0;   // above/below: in the field's unit; rate-*: per second
    double clearLevel = 0;  // where a raised alert clears (= threshold when clear= is not given)
    qint64 forMs = 0;       // above/below/rate-*: the condition must hold this long to raise
    qint64 windowMs = 1000; // rate-*: the change is measured over at least this span
    qint64 durationMs = 0;  // stale, source-down, outbox-age
    qint64 holdMs = 60000;  // gap: raised until this long passes with no further gap

    // Parses one rule. On failure returns nullopt and fills `error` (when given).
    static std::optional<AlertRule> parse(QStringView text, AlertRuleError *error = nullptr);
    // The rule in its canonical form (every key that is not a default, in a fixed order): it
    // parses back to the same rule.
    QString toString() const;

    bool isLevel() const { return kind == Kind::Above || kind == Kind::Below; }
    bool isRate() const { return kind == Kind::RateAbove || kind == Kind::RateBelow; }
    // above/below/rate-*: the rule reads a field of the channel's messages.
    bool readsField() const { return isLevel() || isRate(); }

    friend bool operator==(const AlertRule &a, const AlertRule &b);
};

// A dashboard source's name: a word of 1-32 letters, digits, '-', '_' or '.', first a letter or
// digit (what a rule's source= and DashboardConfig::checkSourceName accept).
bool isValidSourceName(QStringView name);

// "above", "below", "rate-above", "rate-below", "stale", "source-down", "gap", "outbox-age".
QString alertKindName(AlertRule::Kind kind);

// A set of rules: names must be unique (events name their rule). False with `error` naming the
// repeated name.
bool checkAlertRules(const QList<AlertRule> &rules, QString *error);

// Parses the rules of a file, one a line; blank lines and lines whose first non-blank character
// is '#' are skipped. False with `error` "FILE line N: key 'x': reason" (or the read error); no
// rule is taken from a file with a bad line.
bool readAlertRuleFile(const QString &path, QList<AlertRule> *rules, QString *error);

// Parses a list of rule texts (a config file's `alerts` array, the CLI's --alert values). False
// with `error` "'TEXT': key 'x': reason" for the first bad one.
bool parseAlertRules(const QStringList &texts, QList<AlertRule> *rules, QString *error);

} // namespace Pulseboard
