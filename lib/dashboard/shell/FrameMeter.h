// FrameMeter: the window's own frame rate and frame times, from QQuickWindow::frameSwapped.
// Two readers: the Health panel (frames per second and p99 frame time of the last second,
// and which renderer draws) and --stats-interval (takeInterval(): every frame interval since
// the last take as a 1 ms histogram, so a benchmark can merge intervals into an exact
// run-wide percentile). A frame "time" is the gap between two swaps: Qt Quick only draws
// when something changed, so an idle window's gaps say how rarely it draws, not how slowly.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

#include <array>

class QQuickWindow;

namespace Pulseboard {

class FrameMeter : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("FrameMeter belongs to the Dashboard")
    Q_PROPERTY(double fps READ fps NOTIFY updated)
    Q_PROPERTY(int frameMsP99 READ frameMsP99 NOTIFY updated)
    Q_PROPERTY(QString renderer READ renderer NOTIFY rendererChanged)

public:
    // Frame intervals by whole milliseconds; the last bucket takes everything longer.
    using Histogram = std::array<int, 1001>;
    struct Interval
    {
        int frames = 0;
        double msSum = 0;
        double msMax = 0;
        Histogram hist{};
        // The frame time p of the frames do not exceed, to the whole millisecond (a bucket
        // [ms, ms+1) reads as its upper edge); 0 without frames.
        int percentile(double p) const;
    };

    explicit FrameMeter(QObject *parent = nullptr);
    ~FrameMeter() override;

    // Starts measuring `window` (once; later calls are ignored).
    void attach(QQuickWindow *window);
    void setRenderer(const QString &description);

    double fps() const { return m_fps; }
    int frameMsP99() const { return m_p99; }
    QString renderer() const { return m_renderer; }

    // Every frame interval since the previous call (or attach), and starts a new one.
    Interval takeInterval();

    // Tests: one frame swapped at `ns` on the meter's clock.
    void recordFrame(qint64 ns);
    // Tests: close the current UI second now.
    void publishSecond();

Q_SIGNALS:
    // A UI second closed: fps and frameMsP99 are that second's figures.
    void updated();
    void rendererChanged();

private:
    static void add(Interval *interval, double ms);

    QPointer<QQuickWindow> m_window;
    QElapsedTimer m_clock;
    QTimer m_secondTimer;
    qint64 m_lastFrameNs = -1;
    Interval m_interval; // for takeInterval()
    Interval m_second;   // for the UI, reset every second
    double m_fps = 0;
    int m_p99 = 0;
    QString m_renderer;
};

} // namespace Pulseboard
