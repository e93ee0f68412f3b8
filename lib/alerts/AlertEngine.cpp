#include "AlertEngine.h"

#include "protocol/JsonPointer.h"

#include <QJsonObject>

#include <algorithm>
#include <cmath>

namespace Pulseboard {

namespace {
using L = QLatin1StringView;
// A rate rule keeps the samples of its window; past this many the oldest go (its span then
// shrinks below the window, and the rate waits until one old enough is held again).
constexpr size_t kMaxRateSamples = 1 << 16;

bool upward(AlertRule::Kind kind)
{
    return kind == AlertRule::Kind::Above || kind == AlertRule::Kind::RateAbove;
}
} // namespace

QJsonObject alertEventJson(const AlertEvent &event)
{
    QJsonObject o{{L("event"), L("alert")},
                  {L("state"), event.typeName()},
                  {L("rule"), event.rule},
                  {L("severity"), alertSeverityName(event.severity)},
                  {L("kind"), alertKindName(event.kind)},
                  {L("ts"), double(event.ts)}};
    if (!event.channel.isEmpty())
        o.insert(L("channel"), event.channel);
    if (!event.source.isEmpty())
        o.insert(L("source"), event.source);
    if (!event.field.isEmpty() || (event.kind <= AlertRule::Kind::RateBelow))
        o.insert(L("field"), event.field);
    if (std::isfinite(event.value))
        o.insert(L("value"), event.value);
    if (std::isfinite(event.threshold))
        o.insert(L("threshold"), event.threshold);
    return o;
}

bool alertEventFromJson(const QJsonObject &o, AlertEvent *event, QString *error)
{
    AlertEvent e;
    const QString state = o.value(L("state")).toString();
    if (state == L("raised"))
        e.type = AlertEvent::Type::Raised;
    else if (state == L("cleared"))
        e.type = AlertEvent::Type::Cleared;
    else {
        *error = QStringLiteral("state '%1' is neither raised nor cleared").arg(state);
        return false;
    }
    e.rule = o.value(L("rule")).toString();
    if (e.rule.isEmpty()) {
        *error = QStringLiteral("no rule");
        return false;
    }
    if (!parseAlertSeverity(o.value(L("severity")).toString(), &e.severity)) {
        *error = QStringLiteral("severity '%1' is not known").arg(o.value(L("severity")).toString());
        return false;
    }
    const QString kind = o.value(L("kind")).toString();
    bool kindKnown = false;
    for (int k = 0; k <= int(AlertRule::Kind::OutboxAge) && !kindKnown; ++k) {
        if (alertKindName(AlertRule::Kind(k)) == kind) {
            e.kind = AlertRule::Kind(k);
            kindKnown = true;
        }
    }
    if (!kindKnown) {
        *error = QStringLiteral("kind '%1' is not known").arg(kind);
        return false;
    }
    e.channel = o.value(L("channel")).toString();
    e.source = o.value(L("source")).toString();
    e.field = o.value(L("field")).toString();
    if (o.value(L("value")).isDouble())
        e.value = o.value(L("value")).toDouble();
    if (o.value(L("threshold")).isDouble())
        e.threshold = o.value(L("threshold")).toDouble();
    e.ts = qint64(o.value(L("ts")).toDouble());
    *event = e;
    return true;
}

AlertEngine::AlertEngine(const QList<AlertRule> &rules) : m_rules(rules), m_states(size_t(rules.size()))
{
    for (int i = 0; i < m_rules.size(); ++i) {
        const AlertRule &rule = m_rules.at(i);
        switch (rule.kind) {
        case AlertRule::Kind::Above:
        case AlertRule::Kind::Below:
        case AlertRule::Kind::RateAbove:
        case AlertRule::Kind::RateBelow: {
            m_levelRules.append(i);
            ChannelEntry &e = m_channels[rule.channel];
            auto it = std::find_if(e.fields.begin(), e.fields.end(),
                                   [&](const FieldReader &f) { return f.field == rule.field; });
            if (it == e.fields.end()) {
                FieldReader reader;
                reader.field = rule.field;
                JsonPointer pointer;
                JsonPointer::parse(rule.field, &pointer); // AlertRule::parse checked it
                for (const QString &token : pointer.tokens) {
                    Step step;
                    step.key = token.toUtf8();
                    step.ascii = std::all_of(step.key.cbegin(), step.key.cend(),
                                             [](char c) { return uchar(c) < 0x80; });
                    qsizetype index = 0;
                    if (JsonPointer::arrayIndex(token, std::numeric_limits<qsizetype>::max(), &index))
                        step.index = index;
                    reader.steps.push_back(step);
                }
                e.fields.push_back(reader);
                it = e.fields.end() - 1;
            }
            it->rules.append(i);
            break;
        }
        case AlertRule::Kind::Stale:
            m_channels[rule.channel].staleRules.append(i);
            break;
        case AlertRule::Kind::SourceDown:
            m_sourceDownRules.append(i);
            break;
        case AlertRule::Kind::Gap:
            m_gapRules.append(i);
            break;
        case AlertRule::Kind::OutboxAge:
            m_outboxRules.append(i);
            break;
        }
    }
}

QStringList AlertEngine::channels() const
{
    QStringList out = m_channels.keys();
    for (const int i : m_gapRules) {
        if (!m_rules.at(i).channel.isEmpty() && !out.contains(m_rules.at(i).channel))
            out.append(m_rules.at(i).channel);
    }
    out.sort();
    return out;
}

void AlertEngine::start(qint64 nowMs)
{
    m_started = true;
    m_startMs = nowMs;
    if (!m_live)
        m_downSinceMs = nowMs;
}

void AlertEngine::ensureStarted(qint64 nowMs)
{
    if (!m_started)
        start(nowMs);
}

AlertEngine::ChannelEntry *AlertEngine::entry(const QString &channel)
{
    // A client hands over the same string data for a channel each time: no hashing then.
    if (m_lastEntry && channel.constData() == m_lastChannel.constData() &&
        channel.size() == m_lastChannel.size())
        return m_lastEntry;
    const auto it = m_channels.find(channel);
    if (it == m_channels.end())
        return nullptr;
    m_lastChannel = channel;
    m_lastEntry = &*it;
    return m_lastEntry;
}

bool AlertEngine::resolve(const JsonView &root, const std::vector<Step> &steps, double *value)
{
    JsonView v = root;
    for (const Step &step : steps) {
        if (v.isObject()) {
            if (step.ascii) {
                v = v.value(QLatin1StringView(step.key.constData(), step.key.size()));
            } else {
                JsonView found;
                const QByteArrayView key(step.key);
                v.forEachMember([&](QByteArrayView k, const JsonView &member) {
                    if (k == key)
                        found = member; // the last of a repeated key, as value() takes it
                    return true;
                });
                v = found;
            }
        } else if (v.isArray()) {
            if (step.index < 0)
                return false;
            v = v.at(step.index);
        } else {
            return false;
        }
        if (v.isUndefined())
            return false;
    }
    if (!v.isDouble())
        return false;
    *value = v.toDouble();
    return std::isfinite(*value);
}

void AlertEngine::message(const QString &channel, const JsonView &data, qint64 nowMs)
{
    ensureStarted(nowMs);
    ChannelEntry *e = entry(channel);
    if (!e)
        return;
    const qint64 silentSince = e->lastMessageMs >= 0 ? e->lastMessageMs : m_startMs;
    e->lastMessageMs = nowMs;
    for (const int i : std::as_const(e->staleRules)) {
        if (m_states[size_t(i)].active)
            clear(i, double(nowMs - silentSince) / 1000.0, double(m_rules.at(i).durationMs) / 1000.0, nowMs);
    }
    for (FieldReader &reader : e->fields) {
        double value = 0;
        if (!resolve(data, reader.steps, &value)) {
            if (!reader.found && !reader.told && ++reader.misses >= kFieldChecks) {
                reader.told = true;
                if (m_problemHandler) {
                    for (const int i : std::as_const(reader.rules))
                        m_problemHandler(
                            m_rules.at(i).name,
                            QStringLiteral("field %1 is not a number in any of the first %2 messages of "
                                           "%3: the rule watches nothing until it is")
                                .arg(reader.field)
                                .arg(kFieldChecks)
                                .arg(channel));
                }
            }
            continue;
        }
        reader.found = true;
        for (const int i : reader.rules)
            feed(i, value, nowMs);
    }
}

void AlertEngine::sample(const QString &channel, const QString &field, double value, qint64 nowMs)
{
    ensureStarted(nowMs);
    ChannelEntry *e = entry(channel);
    if (!e || !std::isfinite(value))
        return;
    for (const FieldReader &reader : e->fields) {
        if (reader.field != field)
            continue;
        for (const int i : reader.rules)
            feed(i, value, nowMs);
    }
}

void AlertEngine::feed(int i, double value, qint64 nowMs)
{
    const AlertRule &rule = m_rules.at(i);
    if (rule.isLevel()) {
        evaluateLevel(i, value, nowMs);
        return;
    }
    // The rate: the change since the newest sample at least a window old, per second.
    State &s = m_states[size_t(i)];
    s.history.emplace_back(nowMs, value);
    const qint64 horizon = nowMs - rule.windowMs;
    while (s.history.size() >= 2 && s.history[1].first <= horizon)
        s.history.pop_front();
    if (s.history.size() > kMaxRateSamples)
        s.history.pop_front();
    const auto &[baseMs, baseValue] = s.history.front();
    if (baseMs > horizon)
        return; // not a window of history yet
    evaluateLevel(i, (value - baseValue) * 1000.0 / double(nowMs - baseMs), nowMs);
}

void AlertEngine::evaluateLevel(int i, double value, qint64 nowMs)
{
    const AlertRule &rule = m_rules.at(i);
    State &s = m_states[size_t(i)];
    s.lastValue = value;
    const bool up = upward(rule.kind);
    if (s.active) {
        if (up ? value <= rule.clearLevel : value >= rule.clearLevel) {
            s.pendingSinceMs = -1;
            clear(i, value, rule.clearLevel, nowMs);
        }
        return;
    }
    if (!(up ? value > rule.threshold : value < rule.threshold)) {
        s.pendingSinceMs = -1;
        return;
    }
    if (s.pendingSinceMs < 0)
        s.pendingSinceMs = nowMs;
    if (nowMs - s.pendingSinceMs >= rule.forMs)
        raise(i, value, rule.threshold, nowMs);
}

void AlertEngine::connectionChanged(bool live, qint64 nowMs)
{
    ensureStarted(nowMs);
    if (live == m_live)
        return;
    m_live = live;
    if (!live) {
        m_downSinceMs = nowMs;
        return;
    }
    for (const int i : std::as_const(m_sourceDownRules)) {
        if (m_states[size_t(i)].active)
            clear(i, double(nowMs - m_downSinceMs) / 1000.0, double(m_rules.at(i).durationMs) / 1000.0,
                  nowMs);
    }
}

void AlertEngine::gap(const QString &channel, qint64 missed, qint64 nowMs)
{
    ensureStarted(nowMs);
    for (const int i : std::as_const(m_gapRules)) {
        const AlertRule &rule = m_rules.at(i);
        if (!rule.channel.isEmpty() && rule.channel != channel)
            continue;
        State &s = m_states[size_t(i)];
        s.sinceMs = nowMs;
        if (s.active) {
            if (missed >= 0 && std::isfinite(s.missed))
                s.missed += double(missed);
            else
                s.missed = std::numeric_limits<double>::quiet_NaN();
            continue;
        }
        s.missed = missed >= 0 ? double(missed) : std::numeric_limits<double>::quiet_NaN();
        raise(i, s.missed, std::numeric_limits<double>::quiet_NaN(), nowMs, channel);
    }
}

void AlertEngine::outboxAge(qint64 ageMs, qint64 nowMs)
{
    ensureStarted(nowMs);
    m_outboxOldestMs = ageMs < 0 ? -1 : nowMs - ageMs;
    evaluateOutbox(nowMs);
}

void AlertEngine::evaluateOutbox(qint64 nowMs)
{
    const qint64 age = m_outboxOldestMs < 0 ? -1 : nowMs - m_outboxOldestMs;
    for (const int i : std::as_const(m_outboxRules)) {
        const AlertRule &rule = m_rules.at(i);
        const double limit = double(rule.durationMs) / 1000.0;
        if (!m_states[size_t(i)].active && age >= rule.durationMs)
            raise(i, double(age) / 1000.0, limit, nowMs);
        else if (m_states[size_t(i)].active && age < rule.durationMs)
            clear(i, double(std::max<qint64>(age, 0)) / 1000.0, limit, nowMs);
    }
}

void AlertEngine::tick(qint64 nowMs)
{
    ensureStarted(nowMs);
    // for=: a condition that started to hold and has held long enough, with no sample since.
    for (const int i : std::as_const(m_levelRules)) {
        State &s = m_states[size_t(i)];
        if (!s.active && s.pendingSinceMs >= 0 && nowMs - s.pendingSinceMs >= m_rules.at(i).forMs)
            raise(i, s.lastValue, m_rules.at(i).threshold, nowMs);
    }
    for (auto it = m_channels.begin(); it != m_channels.end(); ++it) {
        const qint64 since = it->lastMessageMs >= 0 ? it->lastMessageMs : m_startMs;
        for (const int i : std::as_const(it->staleRules)) {
            const AlertRule &rule = m_rules.at(i);
            if (!m_states[size_t(i)].active && nowMs - since >= rule.durationMs)
                raise(i, double(nowMs - since) / 1000.0, double(rule.durationMs) / 1000.0, nowMs);
        }
    }
    if (!m_live) {
        for (const int i : std::as_const(m_sourceDownRules)) {
            const AlertRule &rule = m_rules.at(i);
            if (!m_states[size_t(i)].active && nowMs - m_downSinceMs >= rule.durationMs)
                raise(i, double(nowMs - m_downSinceMs) / 1000.0, double(rule.durationMs) / 1000.0, nowMs);
        }
    }
    for (const int i : std::as_const(m_gapRules)) {
        State &s = m_states[size_t(i)];
        if (s.active && nowMs - s.sinceMs >= m_rules.at(i).holdMs)
            clear(i, s.missed, std::numeric_limits<double>::quiet_NaN(), nowMs);
    }
    evaluateOutbox(nowMs);
}

void AlertEngine::raise(int i, double value, double threshold, qint64 nowMs, const QString &channel)
{
    State &s = m_states[size_t(i)];
    s.active = true;
    s.pendingSinceMs = -1;
    s.channel = channel.isEmpty() ? m_rules.at(i).channel : channel;
    s.raised = makeEvent(i, AlertEvent::Type::Raised, value, threshold, nowMs);
    if (m_handler)
        m_handler(s.raised);
}

void AlertEngine::clear(int i, double value, double threshold, qint64 nowMs)
{
    State &s = m_states[size_t(i)];
    s.active = false;
    s.raised = AlertEvent();
    if (m_handler)
        m_handler(makeEvent(i, AlertEvent::Type::Cleared, value, threshold, nowMs));
}

AlertEvent AlertEngine::makeEvent(int i, AlertEvent::Type type, double value, double threshold,
                                  qint64 nowMs) const
{
    const AlertRule &rule = m_rules.at(i);
    AlertEvent e;
    e.type = type;
    e.rule = rule.name;
    e.severity = rule.severity;
    e.kind = rule.kind;
    e.channel = m_states[size_t(i)].channel;
    e.source = rule.source;
    e.field = rule.readsField() ? rule.field : QString();
    e.value = value;
    e.threshold = threshold;
    e.ts = nowMs;
    return e;
}

bool AlertEngine::isActive(const QString &rule) const
{
    for (int i = 0; i < m_rules.size(); ++i) {
        if (m_rules.at(i).name == rule)
            return m_states[size_t(i)].active;
    }
    return false;
}

QList<AlertEvent> AlertEngine::active() const
{
    QList<AlertEvent> out;
    for (const State &s : m_states) {
        if (s.active)
            out.append(s.raised);
    }
    return out;
}

} // namespace Pulseboard
