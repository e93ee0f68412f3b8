// DashboardConfig: the --config FILE of the dashboard (JSON): servers, channels, which fields
// to chart with titles, units, fixed ranges and thresholds, the time window, and the layout
// (kiosk panels, cycling). Parsing checks every key and says exactly what is wrong; unknown
// keys are reported as warnings, never silently ignored.
#pragma once

#include "alerts/AlertRule.h"
#include "dashboard/charts/ChartWindows.h"
#include "dashboard/charts/Threshold.h"
#include "dashboard/commands/CommandTemplate.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <QVariantMap>

#include <optional>

namespace Pulseboard {

struct ChartConfig
{
    QString channel;
    QString title;
    QStringList fields; // paths like data.cpu.user; empty: chosen automatically
    std::optional<double> min;
    std::optional<double> max;
    QString unit;
    QHash<QString, Threshold> thresholds; // by field path
    bool wide = false;                    // the tile spans the whole row of the Streams grid
};

// A source after the first (docs/SOURCES.md): a connection of its own, its channels named
// "name/channel" on the dashboard.
struct SourceConfig
{
    QString name;
    QList<QUrl> servers; // fallbacks of the one connection, as "servers" are
    QString protocol;    // empty: pulseboard
    QJsonObject protocolConfig;
    QStringList channels; // the source's own names (no prefix)
    QString tokenFile;    // read before each connect; empty: no token
    friend bool operator==(const SourceConfig &a, const SourceConfig &b)
    {
        return a.name == b.name && a.servers == b.servers && a.protocol == b.protocol &&
               a.protocolConfig == b.protocolConfig && a.channels == b.channels && a.tokenFile == b.tokenFile;
    }
};

struct DashboardConfig
{
    QList<QUrl> servers;
    // What the servers speak: a server entry may be an object {"url", "protocol",
    // "protocolConfig"}; the entries are fallbacks of one connection, so they agree. Empty
    // protocol: none named (pulseboard, unless a flag or profile says otherwise).
    QString protocol;
    QJsonObject protocolConfig;
    QStringList channels;
    // "sources": more live sources beside the first (the servers above, or the embedded hub).
    QList<SourceConfig> sources;
    QList<ChartConfig> charts;
    QList<AlertRule> alerts;                 // "alerts": rule texts (docs/ALERTS.md), names unique
    QList<CommandTemplate> commands;         // "commands": the Console's library (read-only in the app)
    int windowMs = ChartWindows::kDefaultMs; // one of ChartWindows
    int staleAfterMs = 5000;
    int displayRateHz = 20;
    int columns = 0;      // 0: as many as fit
    QStringList panels;   // kiosk: panels to show/cycle (streams, health, channels, raw)
    int cycleSeconds = 0; // 0: no cycling
    QStringList warnings; // unknown keys and the like
    QString source;       // the file load() read (absolute path); empty: none

    static const QStringList &knownPanels();
    // Whether `name` can name a source: a word of 1-32 letters, digits, '-', '_', '.'.
    static bool checkSourceName(const QString &name, QString *error);
    // Parses `json`. Returns false with `error` saying which key is wrong and why.
    static bool parse(const QByteArray &json, DashboardConfig *config, QString *error);
    static bool load(const QString &fileName, DashboardConfig *config, QString *error);

    // The charts as QML sees them:
    // [{channel,title,fields,min,max,unit,thresholds:{path:{warn,alarm,below}}}].
    static QVariantMap chartToVariant(const ChartConfig &chart);

    // The JSON parse() reads back exactly: parse(toJson()) gives this config again (warnings and
    // source aside). Keys at their defaults are written too, so the file says what it means.
    QByteArray toJson() const;
    // One entry of "charts", and the whole array, as parse() reads them; `where` names the
    // entry in errors ("charts[2]"). Unknown keys go to `warnings`.
    static bool parseChart(const QJsonObject &o, const QString &where, ChartConfig *chart,
                           QStringList *warnings, QString *error);
    static bool parseCharts(const QJsonArray &charts, QList<ChartConfig> *out, QStringList *warnings,
                            QString *error);
    static QJsonObject chartToJson(const ChartConfig &chart);
    static QJsonArray chartsToJson(const QList<ChartConfig> &charts);
};

} // namespace Pulseboard
