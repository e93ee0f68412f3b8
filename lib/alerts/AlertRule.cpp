#include "AlertRule.h"

#include "protocol/Envelope.h"
#include "protocol/JsonPointer.h"

#include <QFile>
#include <QHash>
#include <QLocale>
#include <QRegularExpression>
#include <QSet>

#include <cmath>

namespace Pulseboard {

namespace {

constexpr qint64 kMaxDurationMs = qint64(30) * 24 * 3600 * 1000; // 30 days
constexpr int kMaxNameLength = 100;

const QStringList &conditionKeys()
{
    static const QStringList keys{QStringLiteral("above"),      QStringLiteral("below"),
                                  QStringLiteral("rate-above"), QStringLiteral("rate-below"),
                                  QStringLiteral("stale"),      QStringLiteral("source-down"),
                                  QStringLiteral("gap"),        QStringLiteral("outbox-age")};
    return keys;
}

const QStringList &allKeys()
{
    static const QStringList keys =
        QStringList{QStringLiteral("name"), QStringLiteral("severity"), QStringLiteral("channel"),
                    QStringLiteral("source"), QStringLiteral("field")} +
        conditionKeys() +
        QStringList{QStringLiteral("clear"), QStringLiteral("for"), QStringLiteral("window"),
                    QStringLiteral("hold")};
    return keys;
}

struct Pair
{
    QString key;
    QString value;
    bool hasValue = false;
};

bool fail(AlertRuleError *error, const QString &key, const QString &reason)
{
    if (error)
        *error = AlertRuleError{key, reason};
    return false;
}

// Splits the text into key[=value] tokens; a value may be double-quoted ("a b", \" and \\ inside).
bool tokenize(QStringView text, QList<Pair> *out, AlertRuleError *error)
{
    qsizetype i = 0;
    const qsizetype n = text.size();
    auto isSpace = [](QChar c) { return c == u' ' || c == u'\t'; };
    while (i < n) {
        while (i < n && isSpace(text[i]))
            ++i;
        if (i >= n)
            break;
        Pair pair;
        const qsizetype keyStart = i;
        while (i < n && !isSpace(text[i]) && text[i] != u'=')
            ++i;
        pair.key = text.sliced(keyStart, i - keyStart).toString();
        if (pair.key.isEmpty())
            return fail(error, QString(), QStringLiteral("'=' with no key before it"));
        if (i < n && text[i] == u'=') {
            ++i;
            pair.hasValue = true;
            if (i < n && text[i] == u'"') {
                ++i;
                bool closed = false;
                while (i < n) {
                    const QChar c = text[i++];
                    if (c == u'\\' && i < n && (text[i] == u'"' || text[i] == u'\\')) {
                        pair.value.append(text[i++]);
                    } else if (c == u'"') {
                        closed = true;
                        break;
                    } else {
                        pair.value.append(c);
                    }
                }
                if (!closed)
                    return fail(error, pair.key, QStringLiteral("the quoted value has no closing '\"'"));
                if (i < n && !isSpace(text[i]))
                    return fail(error, pair.key, QStringLiteral("a space must follow the closing '\"'"));
            } else {
                const qsizetype valueStart = i;
                while (i < n && !isSpace(text[i]))
                    ++i;
                pair.value = text.sliced(valueStart, i - valueStart).toString();
            }
        }
        out->append(pair);
    }
    return true;
}

bool parseNumber(const QString &text, double *out)
{
    bool ok = false;
    const double v = QLocale::c().toDouble(text, &ok);
    if (!ok || !std::isfinite(v))
        return false;
    *out = v;
    return true;
}

// "1500ms", "30s", "1.5s", "5min" (or "5m"), "2h". A bare number has no unit and is refused.
bool parseDuration(const QString &key, const QString &text, qint64 *out, bool allowZero,
                   AlertRuleError *error)
{
    static const QList<std::pair<QString, double>> units{{QStringLiteral("ms"), 1.0},
                                                         {QStringLiteral("min"), 60000.0},
                                                         {QStringLiteral("s"), 1000.0},
                                                         {QStringLiteral("m"), 60000.0},
                                                         {QStringLiteral("h"), 3600000.0}};
    for (const auto &[suffix, scale] : units) {
        if (!text.endsWith(suffix))
            continue;
        double v = 0;
        if (!parseNumber(text.chopped(suffix.size()), &v))
            break;
        if (v < 0 || (!allowZero && v == 0))
            return fail(
                error, key,
                QStringLiteral("'%1' must be %2")
                    .arg(text, allowZero ? QStringLiteral("0 or more") : QStringLiteral("more than 0")));
        const double ms = std::round(v * scale);
        if (ms > double(kMaxDurationMs))
            return fail(error, key, QStringLiteral("'%1' is longer than 30 days").arg(text));
        *out = qint64(ms);
        return true;
    }
    double bare = 0;
    if (parseNumber(text, &bare))
        return fail(error, key, QStringLiteral("'%1' needs a unit: ms, s, min or h (e.g. %1s)").arg(text));
    return fail(
        error, key,
        QStringLiteral("'%1' is not a duration (a number and a unit: ms, s, min or h, e.g. 30s)").arg(text));
}

// A rate: a number per second, "/s", "/min" (or "/m") or "/h". A bare number is per
// `defaultSeconds` (1 for rate-above/rate-below; for clear=, the rate's own unit). `*seconds`
// gets the unit written, in seconds.
bool parseRate(const QString &key, const QString &text, double defaultSeconds, double *perSecond,
               double *seconds, AlertRuleError *error)
{
    QString number = text;
    double unitSeconds = defaultSeconds;
    const qsizetype slash = text.indexOf(u'/');
    if (slash >= 0) {
        const QString unit = text.mid(slash + 1);
        number = text.left(slash);
        if (unit == u"s")
            unitSeconds = 1.0;
        else if (unit == u"min" || unit == u"m")
            unitSeconds = 60.0;
        else if (unit == u"h")
            unitSeconds = 3600.0;
        else
            return fail(error, key, QStringLiteral("'%1': the rate's unit must be /s, /min or /h").arg(text));
    }
    double v = 0;
    if (!parseNumber(number, &v))
        return fail(error, key,
                    QStringLiteral("'%1' is not a rate (a number, optionally per /s, /min or /h, e.g. -20/s)")
                        .arg(text));
    *perSecond = v / unitSeconds;
    if (seconds)
        *seconds = unitSeconds;
    return true;
}

QString formatNumber(double v)
{
    return QString::number(v, 'g', QLocale::FloatingPointShortest);
}

QString formatDuration(qint64 ms)
{
    if (ms != 0 && ms % 3600000 == 0)
        return QStringLiteral("%1h").arg(ms / 3600000);
    if (ms != 0 && ms % 60000 == 0)
        return QStringLiteral("%1min").arg(ms / 60000);
    if (ms % 1000 == 0)
        return QStringLiteral("%1s").arg(ms / 1000);
    return QStringLiteral("%1ms").arg(ms);
}

QString quoteIfNeeded(const QString &v)
{
    if (!v.isEmpty() && !v.contains(u' ') && !v.contains(u'\t') && !v.startsWith(u'"'))
        return v;
    QString out = QStringLiteral("\"");
    for (QChar c : v) {
        if (c == u'"' || c == u'\\')
            out.append(u'\\');
        out.append(c);
    }
    out.append(u'"');
    return out;
}

bool validName(const QString &name)
{
    if (name.isEmpty() || name.size() > kMaxNameLength)
        return false;
    for (QChar c : name) {
        const char16_t u = c.unicode();
        const bool ok = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') ||
                        u == u'-' || u == u'_' || u == u'.' || u == u':';
        if (!ok)
            return false;
    }
    return true;
}

} // namespace

QString alertSeverityName(AlertSeverity severity)
{
    switch (severity) {
    case AlertSeverity::Info:
        return QStringLiteral("info");
    case AlertSeverity::Warning:
        return QStringLiteral("warning");
    case AlertSeverity::Critical:
        return QStringLiteral("critical");
    }
    return QString();
}

bool parseAlertSeverity(QStringView text, AlertSeverity *out)
{
    for (AlertSeverity s : {AlertSeverity::Info, AlertSeverity::Warning, AlertSeverity::Critical}) {
        if (text.compare(alertSeverityName(s), Qt::CaseInsensitive) == 0) {
            *out = s;
            return true;
        }
    }
    return false;
}

QString alertKindName(AlertRule::Kind kind)
{
    return conditionKeys().at(int(kind));
}

bool isValidSourceName(QStringView name)
{
    static const QRegularExpression word(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$"));
    return word.match(name.toString()).hasMatch();
}

QString AlertRuleError::message() const
{
    return key.isEmpty() ? reason : QStringLiteral("key '%1': %2").arg(key, reason);
}

bool operator==(const AlertRule &a, const AlertRule &b)
{
    return a.name == b.name && a.severity == b.severity && a.kind == b.kind && a.channel == b.channel &&
           a.source == b.source && a.field == b.field && a.threshold == b.threshold &&
           a.clearLevel == b.clearLevel && a.forMs == b.forMs && a.windowMs == b.windowMs &&
           a.durationMs == b.durationMs && a.holdMs == b.holdMs;
}

std::optional<AlertRule> AlertRule::parse(QStringView text, AlertRuleError *error)
{
    QList<Pair> pairs;
    if (!tokenize(text, &pairs, error))
        return std::nullopt;
    if (pairs.isEmpty()) {
        fail(error, QString(),
             QStringLiteral("the rule is empty (e.g. name=cpu-hot channel=sys.cpu field=/total above=90)"));
        return std::nullopt;
    }
    QHash<QString, Pair> byKey;
    QString condition;
    for (const Pair &p : pairs) {
        if (!allKeys().contains(p.key)) {
            fail(error, p.key,
                 QStringLiteral("unknown key (the keys: %1)").arg(allKeys().join(QStringLiteral(", "))));
            return std::nullopt;
        }
        if (byKey.contains(p.key)) {
            fail(error, p.key, QStringLiteral("given twice"));
            return std::nullopt;
        }
        if (p.key == u"gap") {
            if (p.hasValue) {
                fail(error, p.key,
                     QStringLiteral(
                         "takes no value: write 'gap' alone (hold= says how long it stays raised)"));
                return std::nullopt;
            }
        } else if (!p.hasValue) {
            fail(error, p.key, QStringLiteral("needs a value: %1=...").arg(p.key));
            return std::nullopt;
        } else if (p.value.isEmpty() && p.key != u"field") {
            fail(error, p.key, QStringLiteral("the value is empty"));
            return std::nullopt;
        }
        if (conditionKeys().contains(p.key)) {
            if (!condition.isEmpty()) {
                fail(error, p.key,
                     QStringLiteral("a rule has one condition and this one already has %1").arg(condition));
                return std::nullopt;
            }
            condition = p.key;
        }
        byKey.insert(p.key, p);
    }

    AlertRule rule;
    if (!byKey.contains(QStringLiteral("name"))) {
        fail(error, QStringLiteral("name"), QStringLiteral("missing: every rule has a name (name=cpu-hot)"));
        return std::nullopt;
    }
    rule.name = byKey.value(QStringLiteral("name")).value;
    if (!validName(rule.name)) {
        fail(error, QStringLiteral("name"),
             QStringLiteral("'%1': use 1-%2 letters, digits, '-', '_', '.' or ':'")
                 .arg(rule.name)
                 .arg(kMaxNameLength));
        return std::nullopt;
    }
    if (condition.isEmpty()) {
        fail(error, QString(),
             QStringLiteral("rule '%1' has no condition: give one of %2=")
                 .arg(rule.name, conditionKeys().join(QStringLiteral("=, "))));
        return std::nullopt;
    }
    rule.kind = AlertRule::Kind(conditionKeys().indexOf(condition));
    const QString conditionValue = byKey.value(condition).value;

    if (byKey.contains(QStringLiteral("severity"))) {
        const QString s = byKey.value(QStringLiteral("severity")).value;
        if (!parseAlertSeverity(s, &rule.severity)) {
            fail(error, QStringLiteral("severity"),
                 QStringLiteral("'%1' is not one of info, warning, critical").arg(s));
            return std::nullopt;
        }
    }

    // Which keys go with which condition.
    auto refuse = [&](const QString &key, const QString &why) {
        if (byKey.contains(key)) {
            fail(error, key, why);
            return true;
        }
        return false;
    };
    const bool needsChannel = rule.readsField() || rule.kind == Kind::Stale;
    const QString connectionWide =
        QStringLiteral("%1= is about the connection, not a channel; leave %2= out").arg(condition);
    if (rule.kind == Kind::SourceDown || rule.kind == Kind::OutboxAge) {
        if (refuse(QStringLiteral("channel"), connectionWide.arg(QStringLiteral("channel"))))
            return std::nullopt;
    }
    if (byKey.contains(QStringLiteral("source"))) {
        if (needsChannel || byKey.contains(QStringLiteral("channel"))) {
            fail(error, QStringLiteral("source"),
                 QStringLiteral("goes with source-down=, outbox-age= or a gap on any channel; a channel "
                                "names its source already (channel=lab/temp)"));
            return std::nullopt;
        }
        rule.source = byKey.value(QStringLiteral("source")).value;
        if (!isValidSourceName(rule.source)) {
            fail(error, QStringLiteral("source"),
                 QStringLiteral("'%1' is not a source name (a word of 1-32 letters, digits, '-', '_' or '.')")
                     .arg(rule.source));
            return std::nullopt;
        }
    }
    if (!rule.readsField()) {
        const QString why =
            QStringLiteral("goes with above=, below=, rate-above= or rate-below=, not %1=").arg(condition);
        if (refuse(QStringLiteral("field"), why) || refuse(QStringLiteral("clear"), why) ||
            refuse(QStringLiteral("for"), why))
            return std::nullopt;
    }
    if (!rule.isRate() &&
        refuse(QStringLiteral("window"),
               QStringLiteral("goes with rate-above= or rate-below=, not %1=").arg(condition)))
        return std::nullopt;
    if (rule.kind != Kind::Gap &&
        refuse(QStringLiteral("hold"), QStringLiteral("goes with gap, not %1=").arg(condition)))
        return std::nullopt;

    if (byKey.contains(QStringLiteral("channel"))) {
        rule.channel = byKey.value(QStringLiteral("channel")).value;
        if (!isValidChannelName(rule.channel)) {
            fail(error, QStringLiteral("channel"),
                 QStringLiteral("'%1' is not a valid channel name").arg(rule.channel));
            return std::nullopt;
        }
    } else if (needsChannel) {
        fail(error, QStringLiteral("channel"),
             QStringLiteral("missing: %1= watches a channel (channel=sys.cpu)").arg(condition));
        return std::nullopt;
    }
    if (byKey.contains(QStringLiteral("field"))) {
        rule.field = byKey.value(QStringLiteral("field")).value;
        JsonPointer pointer;
        QString why;
        if (!JsonPointer::parse(rule.field, &pointer, &why)) {
            fail(error, QStringLiteral("field"), why);
            return std::nullopt;
        }
    }

    double rateScale = 1.0;
    switch (rule.kind) {
    case Kind::Above:
    case Kind::Below:
        if (!parseNumber(conditionValue, &rule.threshold)) {
            fail(error, condition, QStringLiteral("'%1' is not a number").arg(conditionValue));
            return std::nullopt;
        }
        break;
    case Kind::RateAbove:
    case Kind::RateBelow:
        if (!parseRate(condition, conditionValue, 1.0, &rule.threshold, &rateScale, error))
            return std::nullopt;
        break;
    case Kind::Stale:
    case Kind::SourceDown:
    case Kind::OutboxAge:
        if (!parseDuration(condition, conditionValue, &rule.durationMs, false, error))
            return std::nullopt;
        break;
    case Kind::Gap:
        break;
    }

    rule.clearLevel = rule.threshold;
    if (byKey.contains(QStringLiteral("clear"))) {
        const QString c = byKey.value(QStringLiteral("clear")).value;
        if (rule.isRate()) {
            if (!parseRate(QStringLiteral("clear"), c, rateScale, &rule.clearLevel, nullptr, error))
                return std::nullopt;
        } else if (!parseNumber(c, &rule.clearLevel)) {
            fail(error, QStringLiteral("clear"), QStringLiteral("'%1' is not a number").arg(c));
            return std::nullopt;
        }
        const bool upward = rule.kind == Kind::Above || rule.kind == Kind::RateAbove;
        if (upward ? rule.clearLevel > rule.threshold : rule.clearLevel < rule.threshold) {
            fail(
                error, QStringLiteral("clear"),
                QStringLiteral("'%1' must be at or %2 %3=%4: a raised alert clears once the %5 is back %6 it")
                    .arg(c, upward ? QStringLiteral("below") : QStringLiteral("above"), condition,
                         conditionValue, rule.isRate() ? QStringLiteral("rate") : QStringLiteral("value"),
                         upward ? QStringLiteral("at or below") : QStringLiteral("at or above")));
            return std::nullopt;
        }
    }
    if (byKey.contains(QStringLiteral("for")) &&
        !parseDuration(QStringLiteral("for"), byKey.value(QStringLiteral("for")).value, &rule.forMs, true,
                       error))
        return std::nullopt;
    if (byKey.contains(QStringLiteral("window")) &&
        !parseDuration(QStringLiteral("window"), byKey.value(QStringLiteral("window")).value, &rule.windowMs,
                       false, error))
        return std::nullopt;
    if (byKey.contains(QStringLiteral("hold")) &&
        !parseDuration(QStringLiteral("hold"), byKey.value(QStringLiteral("hold")).value, &rule.holdMs, true,
                       error))
        return std::nullopt;
    return rule;
}

QString AlertRule::toString() const
{
    QStringList parts{QStringLiteral("name=") + name};
    if (severity != AlertSeverity::Warning)
        parts << QStringLiteral("severity=") + alertSeverityName(severity);
    if (!channel.isEmpty())
        parts << QStringLiteral("channel=") + quoteIfNeeded(channel);
    if (!source.isEmpty())
        parts << QStringLiteral("source=") + source;
    if (readsField() && !field.isEmpty())
        parts << QStringLiteral("field=") + quoteIfNeeded(field);
    const QString key = alertKindName(kind);
    switch (kind) {
    case Kind::Above:
    case Kind::Below:
        parts << key + u'=' + formatNumber(threshold);
        if (clearLevel != threshold)
            parts << QStringLiteral("clear=") + formatNumber(clearLevel);
        break;
    case Kind::RateAbove:
    case Kind::RateBelow:
        parts << key + u'=' + formatNumber(threshold) + QStringLiteral("/s");
        if (clearLevel != threshold)
            parts << QStringLiteral("clear=") + formatNumber(clearLevel) + QStringLiteral("/s");
        if (windowMs != 1000)
            parts << QStringLiteral("window=") + formatDuration(windowMs);
        break;
    case Kind::Stale:
    case Kind::SourceDown:
    case Kind::OutboxAge:
        parts << key + u'=' + formatDuration(durationMs);
        break;
    case Kind::Gap:
        parts << key;
        if (holdMs != 60000)
            parts << QStringLiteral("hold=") + formatDuration(holdMs);
        break;
    }
    if (readsField() && forMs != 0)
        parts << QStringLiteral("for=") + formatDuration(forMs);
    return parts.join(u' ');
}

bool checkAlertRules(const QList<AlertRule> &rules, QString *error)
{
    QSet<QString> names;
    for (const AlertRule &rule : rules) {
        if (names.contains(rule.name)) {
            if (error)
                *error = QStringLiteral("two rules are named '%1': each rule needs a name of its own")
                             .arg(rule.name);
            return false;
        }
        names.insert(rule.name);
    }
    return true;
}

bool parseAlertRules(const QStringList &texts, QList<AlertRule> *rules, QString *error)
{
    QList<AlertRule> out;
    for (const QString &text : texts) {
        AlertRuleError why;
        const std::optional<AlertRule> rule = AlertRule::parse(text, &why);
        if (!rule) {
            if (error)
                *error = QStringLiteral("'%1': %2").arg(text.trimmed(), why.message());
            return false;
        }
        out.append(*rule);
    }
    rules->append(out);
    return true;
}

bool readAlertRuleFile(const QString &path, QList<AlertRule> *rules, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        if (error)
            *error = QStringLiteral("cannot read alert file %1: %2").arg(path, file.errorString());
        return false;
    }
    QList<AlertRule> out;
    int lineNumber = 0;
    while (!file.atEnd()) {
        QString line = QString::fromUtf8(file.readLine()).trimmed();
        ++lineNumber;
        if (lineNumber == 1 && line.startsWith(QChar(0xFEFF)))
            line = line.mid(1).trimmed(); // a byte order mark some editors write
        if (line.isEmpty() || line.startsWith(u'#'))
            continue;
        AlertRuleError why;
        const std::optional<AlertRule> rule = AlertRule::parse(line, &why);
        if (!rule) {
            if (error)
                *error = QStringLiteral("%1 line %2: %3").arg(path).arg(lineNumber).arg(why.message());
            return false;
        }
        out.append(*rule);
    }
    rules->append(out);
    return true;
}

} // namespace Pulseboard
