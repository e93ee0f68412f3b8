#include "DashboardLayout.h"

#include "protocol/Envelope.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

#include <cmath>

namespace Pulseboard {

namespace {

bool sameThreshold(const Threshold &a, const Threshold &b)
{
    return a.warn == b.warn && a.alarm == b.alarm && a.below == b.below;
}

bool sameChart(const ChartConfig &a, const ChartConfig &b)
{
    if (a.channel != b.channel || a.title != b.title || a.fields != b.fields || a.min != b.min ||
        a.max != b.max || a.unit != b.unit || a.wide != b.wide || a.thresholds.size() != b.thresholds.size())
        return false;
    for (auto it = a.thresholds.cbegin(); it != a.thresholds.cend(); ++it)
        if (!b.thresholds.contains(it.key()) || !sameThreshold(*it, b.thresholds.value(it.key())))
            return false;
    return true;
}

// A number as typed: empty is none; anything else must be a finite number ("1e3", "-2.5").
bool readNumber(const QVariant &value, const QString &what, std::optional<double> *out, QString *error)
{
    const QString text = value.toString().trimmed();
    out->reset();
    if (text.isEmpty())
        return true;
    bool ok = false;
    const double d = QLocale::c().toDouble(text, &ok);
    if (!ok || !std::isfinite(d)) {
        *error = QStringLiteral("%1 must be a number (or empty), not '%2'").arg(what, text);
        return false;
    }
    *out = d;
    return true;
}

QString numberText(const std::optional<double> &v)
{
    return v ? QString::number(*v, 'g', 15) : QString();
}

} // namespace

DashboardLayout::DashboardLayout(QObject *parent) : QObject(parent) {}

QString DashboardLayout::keyAt(int index) const
{
    if (index < 0 || index >= m_ids.size())
        return QString();
    return QStringLiteral("chart:%1").arg(m_ids.at(index));
}

int DashboardLayout::indexOfKey(const QString &key) const
{
    if (!key.startsWith(QLatin1StringView("chart:")))
        return -1;
    bool ok = false;
    const int id = key.mid(6).toInt(&ok);
    return ok ? int(m_ids.indexOf(id)) : -1;
}

bool DashboardLayout::showsChannel(const QString &channel) const
{
    for (const ChartConfig &c : m_charts)
        if (c.channel == channel)
            return true;
    return false;
}

void DashboardLayout::setCharts(const QList<ChartConfig> &charts)
{
    bool same = charts.size() == m_charts.size();
    for (qsizetype i = 0; same && i < charts.size(); ++i)
        same = sameChart(charts.at(i), m_charts.at(i));
    if (same)
        return;
    m_charts = charts;
    m_ids.clear();
    for (qsizetype i = 0; i < charts.size(); ++i)
        m_ids.append(m_nextId++);
    Q_EMIT changed();
}

int DashboardLayout::add(const ChartConfig &chart)
{
    m_charts.append(chart);
    m_ids.append(m_nextId++);
    Q_EMIT changed();
    return int(m_charts.size()) - 1;
}

bool DashboardLayout::replace(int index, const ChartConfig &chart)
{
    if (index < 0 || index >= m_charts.size())
        return false;
    if (!sameChart(m_charts.at(index), chart)) {
        m_charts[index] = chart;
        Q_EMIT changed();
    }
    return true;
}

bool DashboardLayout::remove(int index)
{
    if (index < 0 || index >= m_charts.size())
        return false;
    m_charts.removeAt(index);
    m_ids.removeAt(index);
    Q_EMIT changed();
    return true;
}

bool DashboardLayout::move(int index, int delta)
{
    const int to = index + delta;
    if (index < 0 || index >= m_charts.size() || to < 0 || to >= m_charts.size() || delta == 0)
        return false;
    m_charts.move(index, to);
    m_ids.move(index, to);
    Q_EMIT changed();
    return true;
}

bool DashboardLayout::setWide(int index, bool wide)
{
    if (index < 0 || index >= m_charts.size())
        return false;
    if (m_charts.at(index).wide != wide) {
        m_charts[index].wide = wide;
        Q_EMIT changed();
    }
    return true;
}

bool DashboardLayout::fromDraft(const QVariantMap &draft, ChartConfig *out, QString *error)
{
    ChartConfig chart;
    chart.channel = draft.value(QStringLiteral("channel")).toString().trimmed();
    if (chart.channel.isEmpty()) {
        *error = QStringLiteral("Choose a channel");
        return false;
    }
    if (!isValidChannelName(chart.channel)) {
        *error = QStringLiteral("'%1' is not a valid channel name").arg(chart.channel);
        return false;
    }
    for (const QString &f : draft.value(QStringLiteral("fields")).toStringList()) {
        const QString path = f.trimmed();
        if (path.isEmpty())
            continue;
        if (path.contains(QLatin1Char(' '))) {
            *error = QStringLiteral("'%1' is not a field path (like data.cpu.user)").arg(path);
            return false;
        }
        if (!chart.fields.contains(path))
            chart.fields.append(path);
    }
    if (chart.fields.isEmpty()) {
        *error = QStringLiteral("Choose at least one field to chart");
        return false;
    }
    chart.title = draft.value(QStringLiteral("title")).toString().trimmed();
    if (chart.title.isEmpty())
        chart.title = chart.channel;
    chart.unit = draft.value(QStringLiteral("unit")).toString().trimmed();
    if (!readNumber(draft.value(QStringLiteral("min")), QStringLiteral("Min"), &chart.min, error) ||
        !readNumber(draft.value(QStringLiteral("max")), QStringLiteral("Max"), &chart.max, error))
        return false;
    if (chart.min && chart.max && *chart.min >= *chart.max) {
        *error = QStringLiteral("Min (%1) must be below max (%2)")
                     .arg(numberText(chart.min), numberText(chart.max));
        return false;
    }
    chart.wide = draft.value(QStringLiteral("wide")).toBool();
    const QVariantMap thresholds = draft.value(QStringLiteral("thresholds")).toMap();
    for (const QString &path : std::as_const(chart.fields)) {
        const QVariantMap t = thresholds.value(path).toMap();
        Threshold threshold;
        if (!readNumber(t.value(QStringLiteral("warn")), QStringLiteral("Warn for %1").arg(path),
                        &threshold.warn, error) ||
            !readNumber(t.value(QStringLiteral("alarm")), QStringLiteral("Alarm for %1").arg(path),
                        &threshold.alarm, error))
            return false;
        threshold.below = t.value(QStringLiteral("below")).toBool();
        if (threshold.warn && threshold.alarm) {
            const bool inOrder =
                threshold.below ? *threshold.warn >= *threshold.alarm : *threshold.warn <= *threshold.alarm;
            if (!inOrder) {
                *error =
                    threshold.below
                        ? QStringLiteral("%1: with low values bad, warn (%2) must not be below alarm (%3)")
                              .arg(path, numberText(threshold.warn), numberText(threshold.alarm))
                        : QStringLiteral("%1: warn (%2) must not be above alarm (%3)")
                              .arg(path, numberText(threshold.warn), numberText(threshold.alarm));
                return false;
            }
        }
        if (threshold.warn || threshold.alarm)
            chart.thresholds.insert(path, threshold);
    }
    *out = chart;
    return true;
}

QVariantMap DashboardLayout::toDraft(const ChartConfig &chart)
{
    QVariantMap thresholds;
    for (auto it = chart.thresholds.cbegin(); it != chart.thresholds.cend(); ++it)
        thresholds.insert(it.key(), QVariantMap{{QStringLiteral("warn"), numberText(it->warn)},
                                                {QStringLiteral("alarm"), numberText(it->alarm)},
                                                {QStringLiteral("below"), it->below}});
    return {{QStringLiteral("channel"), chart.channel},
            {QStringLiteral("title"), chart.title.isEmpty() ? chart.channel : chart.title},
            {QStringLiteral("unit"), chart.unit},
            {QStringLiteral("min"), numberText(chart.min)},
            {QStringLiteral("max"), numberText(chart.max)},
            {QStringLiteral("fields"), chart.fields},
            {QStringLiteral("wide"), chart.wide},
            {QStringLiteral("thresholds"), thresholds}};
}

QString DashboardLayout::validate(const QVariantMap &draft) const
{
    ChartConfig chart;
    QString error;
    return fromDraft(draft, &chart, &error) ? QString() : error;
}

QByteArray DashboardLayout::toJson() const
{
    return QJsonDocument(DashboardConfig::chartsToJson(m_charts)).toJson(QJsonDocument::Compact);
}

bool DashboardLayout::fromJson(const QByteArray &json, QStringList *warnings, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isArray()) {
        *error = QStringLiteral("the saved layout is not a JSON array of charts");
        return false;
    }
    QList<ChartConfig> charts;
    if (!DashboardConfig::parseCharts(doc.array(), &charts, warnings, error))
        return false;
    setCharts(charts);
    return true;
}

} // namespace Pulseboard
