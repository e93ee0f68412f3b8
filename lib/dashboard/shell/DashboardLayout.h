// DashboardLayout: the charts the user built, in order: what each tile shows (channel, fields,
// title, unit, fixed range, thresholds) and whether it spans the whole row. It starts as the
// --config's "charts" (or the layout saved for that config) and changes only through the
// operations below, each checked: add, replace, remove, move earlier or later, wide. Every chart
// has a key ("chart:N") that stays with it through edits and moves, so the tile model can tell
// a moved tile from a new one.
// The dialog's input arrives as a draft, the fields as typed ({channel, title, unit, min, max,
// fields, thresholds: {path: {warn, alarm, below}}}, numbers as text): fromDraft() turns it into
// a chart or says, in words a person can act on, what is wrong. Serialized as the "charts" array
// of --config (DashboardConfig::chartsToJson), so a saved layout and an exported file read alike.
#pragma once

#include "DashboardConfig.h"

#include <QList>
#include <QObject>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

namespace Pulseboard {

class DashboardLayout : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("DashboardLayout belongs to the Dashboard")
    Q_PROPERTY(int count READ count NOTIFY changed)

public:
    explicit DashboardLayout(QObject *parent = nullptr);

    const QList<ChartConfig> &charts() const { return m_charts; }
    int count() const { return int(m_charts.size()); }
    QString keyAt(int index) const;
    int indexOfKey(const QString &key) const;
    // Whether some chart shows `channel`.
    bool showsChannel(const QString &channel) const;

    // Replaces every chart (new keys); emits changed() when the list differs.
    void setCharts(const QList<ChartConfig> &charts);

    // Each returns false (and changes nothing) when the index is out of range or the move
    // would leave the list.
    int add(const ChartConfig &chart); // the new chart's index
    bool replace(int index, const ChartConfig &chart);
    bool remove(int index);
    bool move(int index, int delta);
    bool setWide(int index, bool wide);

    // The dialog's fields into a chart; false with the reason when they do not make one.
    static bool fromDraft(const QVariantMap &draft, ChartConfig *chart, QString *error);
    // A chart as the dialog shows it (numbers as text, empty when unset).
    static QVariantMap toDraft(const ChartConfig &chart);
    // Empty when the draft makes a chart, else the reason.
    Q_INVOKABLE QString validate(const QVariantMap &draft) const;

    // The "charts" array of --config, compact; and back (false with the reason, nothing changed).
    QByteArray toJson() const;
    bool fromJson(const QByteArray &json, QStringList *warnings, QString *error);

Q_SIGNALS:
    void changed();

private:
    QList<ChartConfig> m_charts;
    QList<int> m_ids;
    int m_nextId = 1;
};

} // namespace Pulseboard
