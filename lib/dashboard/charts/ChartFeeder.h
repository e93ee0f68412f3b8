// ChartFeeder: hands a chart its points. On each DisplayClock tick it cuts the visible window
// out of each bound series' StreamBuffer, decimates it to about 4 points per pixel column and
// gives each bound PlotLine the result in one setPoints() (never point by point). It
// also moves the time axis, pauses (freezing the view while data keeps arriving), scrolls back
// through the retained history, and proposes a rounded y range that fits the visible data.
// Work is skipped when the chart is hidden, or when neither the data nor the window moved by
// a full column since the last replace.
// A line does not run across a time the dashboard was disconnected and has no data for
// (SeriesStore::outages, lineBreaks): the PlotLine gets the points with the indexes where a
// new piece starts.
// The axes' ticks are computed here too, for a chart that draws its own labels: values on a
// 1/2/2.5/5 x 10^n step, no more of them than fit the plot's height (maxYTicks), written with
// an SI suffix (25G, 1.5k); times at round, aligned steps (every 10 s, 1, 2, 5 min...), no
// more than fit its width (maxTimeTicks). A fixed end (fixedEndMs) holds a zoomed view, and
// valuesAt()/valuesAsOf() read the samples under a time (the hover read-out, the legend of a
// view that is not live).
// The part of a view before what the rings hold comes from the local history (`history`, a
// ChartHistory): buckets of the live column width on the store's tier grid, read on its reader
// thread and merged here with the rings' part, which starts where the store's part ends (on the
// bucket grid: no time drawn twice, none left out). While a read is out the previous points stay;
// a result for a range no longer asked is dropped. historyStartMs is the oldest time either holds.
#pragma once

#include "ChartHistory.h"
#include "DisplayClock.h"
#include "PlotLayer.h"
#include "SeriesStore.h"

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QVariant>
#include <QtQml/qqmlregistration.h>

namespace Pulseboard {

class ChartFeeder : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(Pulseboard::SeriesStore *store READ store WRITE setStore NOTIFY storeChanged)
    Q_PROPERTY(Pulseboard::DisplayClock *clock READ clock WRITE setClock NOTIFY clockChanged)
    Q_PROPERTY(Pulseboard::ChartHistory *history READ history WRITE setHistory NOTIFY historyChanged)
    Q_PROPERTY(bool historyAvailable READ historyAvailable NOTIFY historyChanged)
    Q_PROPERTY(bool historyPending READ historyPending NOTIFY historyStateChanged)
    Q_PROPERTY(int historyPointCount READ historyPointCount NOTIFY updated)
    Q_PROPERTY(int historyReads READ historyReads NOTIFY historyStateChanged)
    Q_PROPERTY(int windowMs READ windowMs WRITE setWindowMs NOTIFY windowMsChanged)
    Q_PROPERTY(bool paused READ paused WRITE setPaused NOTIFY pausedChanged)
    Q_PROPERTY(double scrollBackMs READ scrollBackMs WRITE setScrollBackMs NOTIFY scrollBackMsChanged)
    Q_PROPERTY(int columns READ columns WRITE setColumns NOTIFY columnsChanged)
    Q_PROPERTY(bool active READ active WRITE setActive NOTIFY activeChanged)
    Q_PROPERTY(QVariant yFrom READ yFrom WRITE setYFrom NOTIFY yFromChanged)
    Q_PROPERTY(QVariant yTo READ yTo WRITE setYTo NOTIFY yToChanged)
    Q_PROPERTY(QDateTime viewStart READ viewStart NOTIFY rangeChanged)
    Q_PROPERTY(QDateTime viewEnd READ viewEnd NOTIFY rangeChanged)
    Q_PROPERTY(double viewEndMs READ viewEndMs NOTIFY rangeChanged)
    Q_PROPERTY(double viewStartMs READ viewStartMs NOTIFY rangeChanged)
    Q_PROPERTY(double fixedEndMs READ fixedEndMs WRITE setFixedEndMs NOTIFY fixedEndMsChanged)
    Q_PROPERTY(int maxYTicks READ maxYTicks WRITE setMaxYTicks NOTIFY maxYTicksChanged)
    Q_PROPERTY(int maxTimeTicks READ maxTimeTicks WRITE setMaxTimeTicks NOTIFY maxTimeTicksChanged)
    Q_PROPERTY(QVariantList yTicks READ yTicks NOTIFY yRangeChanged)
    Q_PROPERTY(QVariantList timeTicks READ timeTicks NOTIFY timeTicksChanged)
    Q_PROPERTY(double yMin READ yMin NOTIFY yRangeChanged)
    Q_PROPERTY(double yMax READ yMax NOTIFY yRangeChanged)
    Q_PROPERTY(int yTickCount READ yTickCount NOTIFY yRangeChanged)
    Q_PROPERTY(int pointCount READ pointCount NOTIFY updated)
    Q_PROPERTY(int sampleCount READ sampleCount NOTIFY updated)
    Q_PROPERTY(double lastSampleMs READ lastSampleMs NOTIFY updated)
    Q_PROPERTY(double historyStartMs READ historyStartMs NOTIFY updated)
    Q_PROPERTY(int replaceCount READ replaceCount NOTIFY updated)

public:
    explicit ChartFeeder(QObject *parent = nullptr);
    ~ChartFeeder() override;

    SeriesStore *store() const { return m_store; }
    void setStore(SeriesStore *store);
    DisplayClock *clock() const { return m_clock; }
    void setClock(DisplayClock *clock);
    ChartHistory *history() const { return m_history; }
    void setHistory(ChartHistory *history);
    bool historyAvailable() const { return m_history && m_history->available(); }
    // A read of the store is out for one of the lines.
    bool historyPending() const;
    // Points of the last replace that came from the store, and the store results taken.
    int historyPointCount() const { return m_historyPointCount; }
    int historyReads() const { return m_historyReads; }
    // The points of a bound line as last handed over (tests, benchmarks).
    QList<QPointF> pointsOf(int index) const;
    QList<int> breaksOf(int index) const;
    int windowMs() const { return m_windowMs; }
    void setWindowMs(int ms);
    bool paused() const { return m_paused; }
    void setPaused(bool paused);
    qint64 scrollBackMs() const { return m_scrollBackMs; }
    void setScrollBackMs(qint64 ms);
    int columns() const { return m_columns; }
    void setColumns(int columns);
    bool active() const { return m_active; }
    void setActive(bool active);
    QVariant yFrom() const { return m_yFrom; }
    void setYFrom(const QVariant &v);
    QVariant yTo() const { return m_yTo; }
    void setYTo(const QVariant &v);
    // > 0: the view ends there (a zoomed or panned view), whatever the clock, pause and
    // scroll say; 0: it follows them.
    qint64 fixedEndMs() const { return m_fixedEndMs; }
    void setFixedEndMs(qint64 ms);
    int maxYTicks() const { return m_maxYTicks; }
    void setMaxYTicks(int n);
    int maxTimeTicks() const { return m_maxTimeTicks; }
    void setMaxTimeTicks(int n);
    // [{value, label}] from yMin to yMax, and [{t, label}] inside the view, oldest first.
    QVariantList yTicks() const { return m_yTickList; }
    QVariantList timeTicks() const { return m_timeTickList; }

    QDateTime viewStart() const { return QDateTime::fromMSecsSinceEpoch(m_viewEnd - m_windowMs); }
    QDateTime viewEnd() const { return QDateTime::fromMSecsSinceEpoch(m_viewEnd); }
    qint64 viewEndMs() const { return m_viewEnd; }
    qint64 viewStartMs() const { return m_viewEnd - m_windowMs; }
    double yMin() const { return m_yMin; }
    double yMax() const { return m_yMax; }
    int yTickCount() const { return m_yTicks; }
    int pointCount() const { return m_pointCount; }
    int sampleCount() const { return m_sampleCount; }
    qint64 lastSampleMs() const { return m_lastSampleMs; }
    qint64 historyStartMs() const { return m_historyStartMs; }
    int replaceCount() const { return m_replaceCount; }

    // `series` is a line of a PlotLayer (PlotLayer.addLine()). `source` names a channel, or
    // with `origin` "dashboard" one of the dashboard's own figures (SeriesKey).
    Q_INVOKABLE void attach(Pulseboard::PlotLine *series, const QString &source, const QString &path,
                            const QString &origin = QString());
    Q_INVOKABLE void detach(Pulseboard::PlotLine *series);
    Q_INVOKABLE void clear();
    // Update at the clock's current time, whatever was skipped before.
    Q_INVOKABLE void refresh();
    // [{source, path, origin}] of the bound series, for CSV export.
    Q_INVOKABLE QVariantList boundSeries() const;
    // One entry per bound series, in the order they were attached: {source, path, name, color,
    // found, t, value}, with the stored sample nearest to `tMs` (raw, not decimated) when one
    // lies within `toleranceMs` of it (found false otherwise). What a hover read-out shows.
    Q_INVOKABLE QVariantList valuesAt(double tMs, double toleranceMs) const;
    // The same entries with each series' newest sample at or before `tMs`: the legend of a view
    // that ends at `tMs` (paused, scrolled back or zoomed).
    Q_INVOKABLE QVariantList valuesAsOf(double tMs) const;

    // Tests: one tick at a given time.
    void tick(qint64 nowMs, bool force = false);

    // A "nice" axis range (steps of 1, 2, 2.5 or 5 x 10^n) that contains [lo, hi] with at most
    // `maxTicks` ticks (at least 2), the smallest step that allows it.
    static void niceRange(double lo, double hi, double *outLo, double *outHi, int *ticks, int maxTicks = 7);
    // The smallest nice step that cuts `span` into at most `maxSteps` steps.
    static double niceStep(double span, int maxSteps);
    // Tick values: the multiples of a nice step inside [lo, hi], at most `maxTicks` of them.
    static QList<double> valueTicks(double lo, double hi, int maxTicks, double *step = nullptr);
    // A tick label: `v` with as many decimals as `step` needs and the SI suffix (k, M, G, T, P;
    // m, u) that `magnitude` (the largest absolute value on the axis) calls for: 2.5e10 -> "25G".
    static QString formatTick(double v, double step, double magnitude);
    // Round, aligned times in [start, end] (local time: a 1 h step lands on the hour), the
    // smallest step from 1 s to 1 day giving at most `maxTicks`; `stepMs` receives it.
    static QList<qint64> timeTickTimes(qint64 start, qint64 end, int maxTicks, qint64 *stepMs = nullptr);

Q_SIGNALS:
    void storeChanged();
    void clockChanged();
    void historyChanged();
    // historyPending or historyReads changed.
    void historyStateChanged();
    void windowMsChanged();
    void scrollBackMsChanged();
    void columnsChanged();
    void yFromChanged();
    void yToChanged();
    void pausedChanged();
    void activeChanged();
    void fixedEndMsChanged();
    void maxYTicksChanged();
    void maxTimeTicksChanged();
    // The time ticks moved to other times (not on every tick: a tick's position follows the view).
    void timeTicksChanged();
    // The group signals: the time axis moved (viewStart, viewEnd, viewEndMs); the proposed y
    // range changed (yMin, yMax, yTickCount); a replace happened (pointCount, sampleCount,
    // lastSampleMs, historyStartMs, replaceCount).
    void rangeChanged();
    void yRangeChanged();
    void updated();

private:
    struct Binding
    {
        QPointer<PlotLine> series;
        SeriesKey source;
        QString path;
        quint64 revision = ~quint64(0);
        qint64 decimatedEnd = 0;
        int decimatedWindow = 0;
        int decimatedColumns = 0;
        bool hasRange = false;
        double lo = 0;
        double hi = 0;
        int points = 0;
        int samples = 0;
        // The store's part (history): what was last asked, and what arrived.
        quint64 slot = 0;
        quint64 ticket = 0;
        qint64 askFrom = 0, askTo = 0, askBucket = 0;
        bool rangeAsked = false;
        bool waiting = false;
        bool haveStore = false;
        qint64 gotFrom = 0, gotTo = 0;
        qint64 storeStart = 0; // the oldest time the store holds for it; 0: none or unknown
        QList<QPointF> storePoints;
        QList<Outage> storeOutages;
        qint64 storeSamples = 0;
        int historyPoints = 0;
        QList<QPointF> lastPoints;
        QList<int> lastBreaks;
    };

    QPointer<SeriesStore> m_store;
    QPointer<DisplayClock> m_clock;
    QPointer<ChartHistory> m_history;
    quint64 m_nextTicket = 1;
    int m_historyPointCount = 0;
    int m_historyReads = 0;
    qint64 m_lastNow = 0;
    int m_ticksWindowMs = 0; // the window the time ticks were made for
    QList<Binding> m_bindings;
    int m_windowMs = 60000;
    bool m_paused = false;
    qint64 m_pausedAt = 0;
    qint64 m_scrollBackMs = 0;
    int m_columns = 600;
    bool m_active = true;
    QVariant m_yFrom;
    QVariant m_yTo;
    qint64 m_viewEnd = 0;
    double m_yMin = 0;
    double m_yMax = 1;
    int m_yTicks = 5;
    qint64 m_fixedEndMs = 0;
    int m_maxYTicks = 7;
    int m_maxTimeTicks = 6;
    QVariantList m_yTickList;
    QVariantList m_timeTickList;
    QList<qint64> m_timeTickTimes;
    int m_pointCount = 0;
    int m_sampleCount = 0;
    qint64 m_lastSampleMs = 0;
    qint64 m_historyStartMs = 0;
    int m_replaceCount = 0;
    quint64 m_outageRevision = 0;
    bool m_dirty = true;

    void feedLine(Binding &b, QList<QPointF> points, const StreamBuffer *buffer, QList<int> breaks = {});
    // The view's points of a line that reaches before its rings: the store's part, then the rings'.
    QList<QPointF> mergedPoints(Binding &b, const StreamBuffer *buffer, qint64 start, qint64 end,
                                qint64 columnMs, DecimationStats *stats, QList<int> *breaks);
    void historyReady(quint64 slot, const ChartHistoryResult &result);
    void forgetHistory();
    void updateYTicks();
    void updateTimeTicks();
    QVariantMap entryFor(const Binding &b) const;
};

} // namespace Pulseboard
