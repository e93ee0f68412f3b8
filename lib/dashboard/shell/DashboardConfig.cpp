#include "DashboardConfig.h"

#include <QRegularExpression>

#include "dashboard/charts/ChartWindows.h"
#include "protocol/EndpointUrl.h"
#include "protocol/Envelope.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Pulseboard {

const QStringList &DashboardConfig::knownPanels()
{
    static const QStringList panels = {QStringLiteral("streams"),  QStringLiteral("health"),
                                       QStringLiteral("channels"), QStringLiteral("raw"),
                                       QStringLiteral("console"),  QStringLiteral("alerts")};
    return panels;
}

namespace {

void unknownKeys(const QJsonObject &o, const QStringList &known, const QString &where, QStringList *warnings)
{
    for (auto it = o.begin(); it != o.end(); ++it)
        if (!known.contains(it.key()))
            warnings->append(QStringLiteral("%1: unknown key '%2' ignored").arg(where, it.key()));
}

bool readNumber(const QJsonObject &o, const QString &key, const QString &where, std::optional<double> *out,
                QString *error)
{
    if (!o.contains(key))
        return true;
    if (!o.value(key).isDouble()) {
        *error = QStringLiteral("%1.%2 must be a number").arg(where, key);
        return false;
    }
    *out = o.value(key).toDouble();
    return true;
}

bool readStringList(const QJsonValue &v, const QString &where, QStringList *out, QString *error);

// "sources": [{"name", "url" (or "servers": [...]), "protocol", "protocolConfig", "channels",
// "tokenFile"}].
bool parseSources(const QJsonValue &value, DashboardConfig *c, QString *error)
{
    if (!value.isArray()) {
        *error = QStringLiteral("sources must be an array of {\"name\", \"url\", ...} objects");
        return false;
    }
    const QJsonArray entries = value.toArray();
    for (int i = 0; i < entries.size(); ++i) {
        const QString where = QStringLiteral("sources[%1]").arg(i);
        if (!entries.at(i).isObject()) {
            *error = where + QStringLiteral(" must be an object with \"name\" and \"url\"");
            return false;
        }
        const QJsonObject o = entries.at(i).toObject();
        unknownKeys(o,
                    {QStringLiteral("name"), QStringLiteral("url"), QStringLiteral("servers"),
                     QStringLiteral("protocol"), QStringLiteral("protocolConfig"), QStringLiteral("channels"),
                     QStringLiteral("tokenFile")},
                    where, &c->warnings);
        SourceConfig s;
        s.name = o.value(QStringLiteral("name")).toString();
        QString why;
        if (!DashboardConfig::checkSourceName(s.name, &why)) {
            *error = where + QStringLiteral(".name: ") + why;
            return false;
        }
        for (const SourceConfig &other : std::as_const(c->sources))
            if (other.name == s.name) {
                *error = where + QStringLiteral(".name: '%1' names two sources").arg(s.name);
                return false;
            }
        QStringList urls;
        if (o.value(QStringLiteral("url")).isString())
            urls.append(o.value(QStringLiteral("url")).toString());
        else if (o.contains(QStringLiteral("url"))) {
            *error = where + QStringLiteral(".url must be a ws:// or wss:// URL string");
            return false;
        }
        if (o.contains(QStringLiteral("servers")) &&
            !readStringList(o.value(QStringLiteral("servers")), where + QStringLiteral(".servers"), &urls,
                            error))
            return false;
        if (urls.isEmpty()) {
            *error = where + QStringLiteral(" needs \"url\" (or \"servers\"): the source's server");
            return false;
        }
        for (const QString &text : std::as_const(urls)) {
            const std::optional<QUrl> url = EndpointUrl::parse(text, &why);
            if (!url) {
                *error = where + QStringLiteral(": ") + why;
                return false;
            }
            s.servers.append(*url);
        }
        const QJsonValue p = o.value(QStringLiteral("protocol"));
        if (!p.isUndefined() && !p.isString()) {
            *error = where + QStringLiteral(".protocol must be a string");
            return false;
        }
        s.protocol = p.toString();
        const QJsonValue pc = o.value(QStringLiteral("protocolConfig"));
        if (!pc.isUndefined() && !pc.isObject()) {
            *error = where + QStringLiteral(".protocolConfig must be a JSON object (the dialect's settings)");
            return false;
        }
        s.protocolConfig = pc.toObject();
        if (o.contains(QStringLiteral("channels")) &&
            !readStringList(o.value(QStringLiteral("channels")), where + QStringLiteral(".channels"),
                            &s.channels, error))
            return false;
        const QJsonValue tf = o.value(QStringLiteral("tokenFile"));
        if (!tf.isUndefined() && !tf.isString()) {
            *error = where + QStringLiteral(".tokenFile must be a file name");
            return false;
        }
        s.tokenFile = tf.toString();
        c->sources.append(s);
    }
    return true;
}

bool readStringList(const QJsonValue &v, const QString &where, QStringList *out, QString *error)
{
    if (!v.isArray()) {
        *error = QStringLiteral("%1 must be an array of strings").arg(where);
        return false;
    }
    const QJsonArray a = v.toArray();
    for (int i = 0; i < a.size(); ++i) {
        if (!a.at(i).isString()) {
            *error = QStringLiteral("%1[%2] must be a string").arg(where).arg(i);
            return false;
        }
        out->append(a.at(i).toString());
    }
    return true;
}

bool readInt(const QJsonObject &o, const QString &key, const QString &where, int min, int max, int *out,
             QString *error)
{
    if (!o.contains(key))
        return true;
    const QJsonValue v = o.value(key);
    const double d = v.toDouble(-1);
    if (!v.isDouble() || d != double(qint64(d)) || d < min || d > max) {
        *error =
            QStringLiteral("%1.%2 must be a whole number from %3 to %4").arg(where, key).arg(min).arg(max);
        return false;
    }
    *out = int(d);
    return true;
}

} // namespace

bool DashboardConfig::parseChart(const QJsonObject &o, const QString &where, ChartConfig *out,
                                 QStringList *warnings, QString *error)
{
    unknownKeys(o,
                {QStringLiteral("channel"), QStringLiteral("title"), QStringLiteral("fields"),
                 QStringLiteral("min"), QStringLiteral("max"), QStringLiteral("unit"),
                 QStringLiteral("thresholds"), QStringLiteral("wide")},
                where, warnings);
    ChartConfig chart;
    chart.channel = o.value(QStringLiteral("channel")).toString();
    if (!isValidChannelName(chart.channel)) {
        *error = QStringLiteral("%1.channel must be a valid channel name").arg(where);
        return false;
    }
    chart.title = o.value(QStringLiteral("title")).toString(chart.channel);
    chart.unit = o.value(QStringLiteral("unit")).toString();
    if (o.contains(QStringLiteral("fields")) &&
        !readStringList(o.value(QStringLiteral("fields")), where + QStringLiteral(".fields"), &chart.fields,
                        error))
        return false;
    if (!readNumber(o, QStringLiteral("min"), where, &chart.min, error) ||
        !readNumber(o, QStringLiteral("max"), where, &chart.max, error))
        return false;
    if (chart.min && chart.max && *chart.min >= *chart.max) {
        *error = QStringLiteral("%1: min must be below max").arg(where);
        return false;
    }
    if (o.contains(QStringLiteral("wide"))) {
        if (!o.value(QStringLiteral("wide")).isBool()) {
            *error = QStringLiteral("%1.wide must be true or false").arg(where);
            return false;
        }
        chart.wide = o.value(QStringLiteral("wide")).toBool();
    }
    if (o.contains(QStringLiteral("thresholds"))) {
        if (!o.value(QStringLiteral("thresholds")).isObject()) {
            *error = QStringLiteral("%1.thresholds must be an object keyed by field path").arg(where);
            return false;
        }
        const QJsonObject th = o.value(QStringLiteral("thresholds")).toObject();
        for (auto it = th.begin(); it != th.end(); ++it) {
            const QString tw = QStringLiteral("%1.thresholds.%2").arg(where, it.key());
            if (!it.value().isObject()) {
                *error = QStringLiteral("%1 must be an object like {\"warn\": 70, \"alarm\": 90}").arg(tw);
                return false;
            }
            const QJsonObject t = it.value().toObject();
            unknownKeys(t, {QStringLiteral("warn"), QStringLiteral("alarm"), QStringLiteral("below")}, tw,
                        warnings);
            Threshold threshold;
            if (!readNumber(t, QStringLiteral("warn"), tw, &threshold.warn, error) ||
                !readNumber(t, QStringLiteral("alarm"), tw, &threshold.alarm, error))
                return false;
            threshold.below = t.value(QStringLiteral("below")).toBool(false);
            if (!threshold.warn && !threshold.alarm) {
                *error = QStringLiteral("%1 needs warn and/or alarm").arg(tw);
                return false;
            }
            chart.thresholds.insert(it.key(), threshold);
        }
    }
    *out = chart;
    return true;
}

bool DashboardConfig::parse(const QByteArray &json, DashboardConfig *config, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("not valid JSON at offset %1: %2")
                     .arg(parseError.offset)
                     .arg(parseError.errorString());
        return false;
    }
    if (!doc.isObject()) {
        *error = QStringLiteral("the top level must be a JSON object");
        return false;
    }
    DashboardConfig c;
    const QJsonObject root = doc.object();
    const QString top = QStringLiteral("config");
    unknownKeys(root,
                {QStringLiteral("servers"), QStringLiteral("channels"), QStringLiteral("charts"),
                 QStringLiteral("window"), QStringLiteral("staleAfterMs"), QStringLiteral("displayRateHz"),
                 QStringLiteral("layout"), QStringLiteral("alerts"), QStringLiteral("sources"),
                 QStringLiteral("commands")},
                top, &c.warnings);
    if (root.contains(QStringLiteral("sources")) &&
        !parseSources(root.value(QStringLiteral("sources")), &c, error))
        return false;

    if (root.contains(QStringLiteral("servers"))) {
        // Each entry: "ws://..." or {"url": "ws://...", "protocol": NAME, "protocolConfig": {...}}.
        const QJsonValue servers = root.value(QStringLiteral("servers"));
        if (!servers.isArray()) {
            *error = QStringLiteral("servers must be an array of URLs or {\"url\", \"protocol\", "
                                    "\"protocolConfig\"} objects");
            return false;
        }
        const QJsonArray entries = servers.toArray();
        for (int i = 0; i < entries.size(); ++i) {
            const QString where = QStringLiteral("servers[%1]").arg(i);
            const QJsonValue entry = entries.at(i);
            QString text;
            QString protocol;
            QJsonObject protocolConfig;
            if (entry.isString()) {
                text = entry.toString();
            } else if (entry.isObject()) {
                const QJsonObject o = entry.toObject();
                unknownKeys(
                    o, {QStringLiteral("url"), QStringLiteral("protocol"), QStringLiteral("protocolConfig")},
                    where, &c.warnings);
                if (!o.value(QStringLiteral("url")).isString()) {
                    *error = where + QStringLiteral(".url must be a ws:// or wss:// URL string");
                    return false;
                }
                text = o.value(QStringLiteral("url")).toString();
                const QJsonValue p = o.value(QStringLiteral("protocol"));
                if (!p.isUndefined() && !p.isString()) {
                    *error = where + QStringLiteral(".protocol must be a string");
                    return false;
                }
                protocol = p.toString();
                const QJsonValue pc = o.value(QStringLiteral("protocolConfig"));
                if (!pc.isUndefined() && !pc.isObject()) {
                    *error = where + QStringLiteral(".protocolConfig must be a JSON object (the dialect's "
                                                    "settings)");
                    return false;
                }
                protocolConfig = pc.toObject();
            } else {
                *error = where + QStringLiteral(" must be a URL string or an object with \"url\"");
                return false;
            }
            QString why;
            const std::optional<QUrl> url = EndpointUrl::parse(text, &why);
            if (!url) {
                *error = where + QStringLiteral(": ") + why;
                return false;
            }
            c.servers.append(*url);
            const QString effective = protocol.isEmpty() ? QStringLiteral("pulseboard") : protocol;
            if (i == 0) {
                c.protocol = protocol;
                c.protocolConfig = protocolConfig;
            } else if (effective != (c.protocol.isEmpty() ? QStringLiteral("pulseboard") : c.protocol) ||
                       protocolConfig != c.protocolConfig) {
                *error =
                    where + QStringLiteral(": the servers are fallbacks of one connection and must speak "
                                           "the same protocol with the same protocolConfig as servers[0]");
                return false;
            }
        }
    }
    if (root.contains(QStringLiteral("alerts"))) {
        QStringList texts;
        if (!readStringList(root.value(QStringLiteral("alerts")), QStringLiteral("alerts"), &texts, error))
            return false;
        QString why;
        if (!parseAlertRules(texts, &c.alerts, &why) || !checkAlertRules(c.alerts, &why)) {
            *error = QStringLiteral("alerts: %1").arg(why);
            return false;
        }
    }
    if (root.contains(QStringLiteral("commands"))) {
        if (!root.value(QStringLiteral("commands")).isArray()) {
            *error = QStringLiteral("commands must be an array of objects");
            return false;
        }
        if (!CommandTemplate::listFromJson(root.value(QStringLiteral("commands")).toArray(),
                                           QStringLiteral("commands"), &c.commands, &c.warnings, error))
            return false;
    }
    if (root.contains(QStringLiteral("channels"))) {
        if (!readStringList(root.value(QStringLiteral("channels")), QStringLiteral("channels"), &c.channels,
                            error))
            return false;
        for (const QString &ch : std::as_const(c.channels)) {
            if (!isValidChannelName(ch)) {
                *error = QStringLiteral("channels: '%1' is not a valid channel name").arg(ch);
                return false;
            }
        }
    }
    if (root.contains(QStringLiteral("window"))) {
        const QJsonValue w = root.value(QStringLiteral("window"));
        const int seconds = w.isDouble() ? int(w.toDouble()) : -1;
        if (!ChartWindows::isAllowedSeconds(seconds)) {
            *error = ChartWindows::mustBeText(QStringLiteral("window"));
            return false;
        }
        c.windowMs = seconds * 1000;
    }
    if (!readInt(root, QStringLiteral("staleAfterMs"), top, 100, 3600000, &c.staleAfterMs, error) ||
        !readInt(root, QStringLiteral("displayRateHz"), top, 1, 30, &c.displayRateHz, error))
        return false;

    if (root.contains(QStringLiteral("charts"))) {
        if (!root.value(QStringLiteral("charts")).isArray()) {
            *error = QStringLiteral("charts must be an array of objects");
            return false;
        }
        const QJsonArray charts = root.value(QStringLiteral("charts")).toArray();
        for (int i = 0; i < charts.size(); ++i) {
            const QString where = QStringLiteral("charts[%1]").arg(i);
            if (!charts.at(i).isObject()) {
                *error = QStringLiteral("%1 must be an object").arg(where);
                return false;
            }
            ChartConfig chart;
            if (!parseChart(charts.at(i).toObject(), where, &chart, &c.warnings, error))
                return false;
            c.charts.append(chart);
        }
    }

    if (root.contains(QStringLiteral("layout"))) {
        if (!root.value(QStringLiteral("layout")).isObject()) {
            *error = QStringLiteral("layout must be an object");
            return false;
        }
        const QJsonObject layout = root.value(QStringLiteral("layout")).toObject();
        const QString where = QStringLiteral("layout");
        unknownKeys(layout,
                    {QStringLiteral("columns"), QStringLiteral("panels"), QStringLiteral("cycleSeconds")},
                    where, &c.warnings);
        if (!readInt(layout, QStringLiteral("columns"), where, 1, 6, &c.columns, error) ||
            !readInt(layout, QStringLiteral("cycleSeconds"), where, 0, 86400, &c.cycleSeconds, error))
            return false;
        if (layout.contains(QStringLiteral("panels"))) {
            if (!readStringList(layout.value(QStringLiteral("panels")), QStringLiteral("layout.panels"),
                                &c.panels, error))
                return false;
            for (const QString &p : std::as_const(c.panels)) {
                if (!knownPanels().contains(p)) {
                    *error = QStringLiteral("layout.panels: unknown panel '%1' (known: %2)")
                                 .arg(p, knownPanels().join(QStringLiteral(", ")));
                    return false;
                }
            }
        }
    }
    *config = c;
    return true;
}

bool DashboardConfig::load(const QString &fileName, DashboardConfig *config, QString *error)
{
    QFile file(fileName);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(fileName, file.errorString());
        return false;
    }
    QString why;
    if (!parse(file.readAll(), config, &why)) {
        *error = QStringLiteral("%1: %2").arg(fileName, why);
        return false;
    }
    config->source = QFileInfo(fileName).absoluteFilePath();
    return true;
}

QVariantMap DashboardConfig::chartToVariant(const ChartConfig &chart)
{
    QVariantMap thresholds;
    for (auto it = chart.thresholds.cbegin(); it != chart.thresholds.cend(); ++it)
        thresholds.insert(it.key(), it->toVariant());
    return {
        {QStringLiteral("channel"), chart.channel},
        {QStringLiteral("title"), chart.title.isEmpty() ? chart.channel : chart.title},
        {QStringLiteral("fields"), chart.fields},
        {QStringLiteral("min"), chart.min ? QVariant(*chart.min) : QVariant()},
        {QStringLiteral("max"), chart.max ? QVariant(*chart.max) : QVariant()},
        {QStringLiteral("unit"), chart.unit},
        {QStringLiteral("thresholds"), thresholds},
        {QStringLiteral("wide"), chart.wide},
    };
}

QJsonObject DashboardConfig::chartToJson(const ChartConfig &chart)
{
    QJsonObject o{{QStringLiteral("channel"), chart.channel},
                  {QStringLiteral("title"), chart.title.isEmpty() ? chart.channel : chart.title}};
    if (!chart.fields.isEmpty())
        o.insert(QStringLiteral("fields"), QJsonArray::fromStringList(chart.fields));
    if (!chart.unit.isEmpty())
        o.insert(QStringLiteral("unit"), chart.unit);
    if (chart.min)
        o.insert(QStringLiteral("min"), *chart.min);
    if (chart.max)
        o.insert(QStringLiteral("max"), *chart.max);
    if (chart.wide)
        o.insert(QStringLiteral("wide"), true);
    if (!chart.thresholds.isEmpty()) {
        QJsonObject thresholds;
        for (auto it = chart.thresholds.cbegin(); it != chart.thresholds.cend(); ++it) {
            QJsonObject t;
            if (it->warn)
                t.insert(QStringLiteral("warn"), *it->warn);
            if (it->alarm)
                t.insert(QStringLiteral("alarm"), *it->alarm);
            if (it->below)
                t.insert(QStringLiteral("below"), true);
            thresholds.insert(it.key(), t);
        }
        o.insert(QStringLiteral("thresholds"), thresholds);
    }
    return o;
}

QJsonArray DashboardConfig::chartsToJson(const QList<ChartConfig> &charts)
{
    QJsonArray a;
    for (const ChartConfig &c : charts)
        a.append(chartToJson(c));
    return a;
}

bool DashboardConfig::parseCharts(const QJsonArray &charts, QList<ChartConfig> *out, QStringList *warnings,
                                  QString *error)
{
    QList<ChartConfig> list;
    for (int i = 0; i < charts.size(); ++i) {
        const QString where = QStringLiteral("charts[%1]").arg(i);
        if (!charts.at(i).isObject()) {
            *error = QStringLiteral("%1 must be an object").arg(where);
            return false;
        }
        ChartConfig chart;
        if (!parseChart(charts.at(i).toObject(), where, &chart, warnings, error))
            return false;
        list.append(chart);
    }
    *out = list;
    return true;
}

bool DashboardConfig::checkSourceName(const QString &name, QString *error)
{
    if (!isValidSourceName(name)) {
        *error = QStringLiteral("a source name is a word of 1-32 letters, digits, '-', '_' or '.' (not '%1')")
                     .arg(name);
        return false;
    }
    return true;
}

QByteArray DashboardConfig::toJson() const
{
    QJsonObject root;
    if (!servers.isEmpty()) {
        QJsonArray list;
        for (const QUrl &url : servers) {
            const QString text = url.toString();
            if (protocol.isEmpty() && protocolConfig.isEmpty()) {
                list.append(text);
                continue;
            }
            QJsonObject entry{{QStringLiteral("url"), text}};
            if (!protocol.isEmpty())
                entry.insert(QStringLiteral("protocol"), protocol);
            if (!protocolConfig.isEmpty())
                entry.insert(QStringLiteral("protocolConfig"), protocolConfig);
            list.append(entry);
        }
        root.insert(QStringLiteral("servers"), list);
    }
    if (!channels.isEmpty())
        root.insert(QStringLiteral("channels"), QJsonArray::fromStringList(channels));
    if (!sources.isEmpty()) {
        QJsonArray list;
        for (const SourceConfig &s : sources) {
            QJsonObject entry{{QStringLiteral("name"), s.name}};
            if (s.servers.size() == 1) {
                entry.insert(QStringLiteral("url"), s.servers.constFirst().toString());
            } else {
                QJsonArray urls;
                for (const QUrl &url : s.servers)
                    urls.append(url.toString());
                entry.insert(QStringLiteral("servers"), urls);
            }
            if (!s.protocol.isEmpty())
                entry.insert(QStringLiteral("protocol"), s.protocol);
            if (!s.protocolConfig.isEmpty())
                entry.insert(QStringLiteral("protocolConfig"), s.protocolConfig);
            if (!s.channels.isEmpty())
                entry.insert(QStringLiteral("channels"), QJsonArray::fromStringList(s.channels));
            if (!s.tokenFile.isEmpty())
                entry.insert(QStringLiteral("tokenFile"), s.tokenFile);
            list.append(entry);
        }
        root.insert(QStringLiteral("sources"), list);
    }
    root.insert(QStringLiteral("charts"), chartsToJson(charts));
    if (!alerts.isEmpty()) {
        QJsonArray rules;
        for (const AlertRule &rule : alerts)
            rules.append(rule.toString());
        root.insert(QStringLiteral("alerts"), rules);
    }
    if (!commands.isEmpty())
        root.insert(QStringLiteral("commands"), CommandTemplate::listToJson(commands));
    root.insert(QStringLiteral("window"), windowMs / 1000);
    root.insert(QStringLiteral("staleAfterMs"), staleAfterMs);
    root.insert(QStringLiteral("displayRateHz"), displayRateHz);
    QJsonObject layout;
    if (columns > 0)
        layout.insert(QStringLiteral("columns"), columns);
    if (!panels.isEmpty())
        layout.insert(QStringLiteral("panels"), QJsonArray::fromStringList(panels));
    if (cycleSeconds > 0)
        layout.insert(QStringLiteral("cycleSeconds"), cycleSeconds);
    if (!layout.isEmpty())
        root.insert(QStringLiteral("layout"), layout);
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

} // namespace Pulseboard
