// FrameMeter (frame rate and frame-time percentiles from frame swaps) and the renderer choice
// (which OpenGL drivers are CPU rasterisers; the --renderer words).
#include "dashboard/shell/FrameMeter.h"
#include "dashboard/shell/RenderBackend.h"

#include <QSignalSpy>
#include <QTest>

using namespace Pulseboard;

class tst_FrameMeter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void intervalsBecomeHistogramAndPercentiles();
    void takeIntervalStartsAfresh();
    void secondFiguresForTheUi();
    void longFramesLandInTheLastBucket();
    void cpuRasterisers_data();
    void cpuRasterisers();
    void rendererWords();
};

namespace {
constexpr qint64 kMs = 1000000;
}

void tst_FrameMeter::intervalsBecomeHistogramAndPercentiles()
{
    FrameMeter meter;
    // 100 swaps 20 ms apart, then one 90 ms stall: 100 intervals.
    qint64 t = 0;
    meter.recordFrame(t);
    for (int i = 0; i < 99; ++i)
        meter.recordFrame(t += 20 * kMs);
    meter.recordFrame(t += 90 * kMs);
    const FrameMeter::Interval iv = meter.takeInterval();
    QCOMPARE(iv.frames, 100);
    QCOMPARE(iv.hist[20], 99);
    QCOMPARE(iv.hist[90], 1);
    QCOMPARE(iv.msMax, 90.0);
    QCOMPARE(iv.msSum, 99 * 20.0 + 90.0);
    QCOMPARE(iv.percentile(0.50), 21); // the [20, 21) bucket reads as its upper edge
    QCOMPARE(iv.percentile(0.99), 21); // 99 of 100 are 20 ms
    QCOMPARE(iv.percentile(1.0), 91);
    QCOMPARE(FrameMeter::Interval().percentile(0.99), 0);
}

void tst_FrameMeter::takeIntervalStartsAfresh()
{
    FrameMeter meter;
    meter.recordFrame(0);
    meter.recordFrame(10 * kMs);
    QCOMPARE(meter.takeInterval().frames, 1);
    // The next interval continues from the last swap: its first gap is 30 ms, not lost.
    meter.recordFrame(40 * kMs);
    const FrameMeter::Interval iv = meter.takeInterval();
    QCOMPARE(iv.frames, 1);
    QCOMPARE(iv.hist[30], 1);
    QCOMPARE(meter.takeInterval().frames, 0);
}

void tst_FrameMeter::secondFiguresForTheUi()
{
    FrameMeter meter;
    QSignalSpy updated(&meter, &FrameMeter::updated);
    qint64 t = 0;
    meter.recordFrame(t);
    for (int i = 0; i < 30; ++i)
        meter.recordFrame(t += (i == 29 ? 60 : 33) * kMs);
    meter.publishSecond();
    QCOMPARE(updated.count(), 1);
    QCOMPARE(meter.fps(), 30.0);
    QCOMPARE(meter.frameMsP99(), 61);
    // A second without frames says 0, it does not repeat the last figures.
    meter.publishSecond();
    QCOMPARE(meter.fps(), 0.0);
    QCOMPARE(meter.frameMsP99(), 0);
    // The UI seconds do not consume the --stats-interval figures.
    QCOMPARE(meter.takeInterval().frames, 30);
}

void tst_FrameMeter::longFramesLandInTheLastBucket()
{
    FrameMeter meter;
    meter.recordFrame(0);
    meter.recordFrame(5000 * kMs);
    const FrameMeter::Interval iv = meter.takeInterval();
    QCOMPARE(iv.hist.back(), 1);
    QCOMPARE(iv.msMax, 5000.0);
    QCOMPARE(iv.percentile(0.99), int(iv.hist.size()));
}

void tst_FrameMeter::cpuRasterisers_data()
{
    QTest::addColumn<QString>("renderer");
    QTest::addColumn<bool>("cpu");
    QTest::newRow("llvmpipe") << QStringLiteral("llvmpipe (LLVM 15.0.6, 256 bits)") << true;
    QTest::newRow("softpipe") << QStringLiteral("softpipe") << true;
    QTest::newRow("swrast") << QStringLiteral("Mesa swrast") << true;
    QTest::newRow("gdi") << QStringLiteral("GDI Generic Software Rasterizer") << true;
    QTest::newRow("swiftshader") << QStringLiteral("Google SwiftShader") << true;
    QTest::newRow("intel") << QStringLiteral("Mesa Intel(R) UHD Graphics 620 (KBL GT2)") << false;
    QTest::newRow("amd") << QStringLiteral("AMD Radeon RX 6600 (radeonsi, navi23, LLVM 15.0.6, DRM 3.49)")
                         << false;
    QTest::newRow("nvidia") << QStringLiteral("NVIDIA GeForce RTX 3060/PCIe/SSE2") << false;
    QTest::newRow("virgl") << QStringLiteral("virgl") << false;
}

void tst_FrameMeter::cpuRasterisers()
{
    QFETCH(QString, renderer);
    QFETCH(bool, cpu);
    QCOMPARE(isCpuRasteriser(renderer), cpu);
}

void tst_FrameMeter::rendererWords()
{
    RendererMode mode = RendererMode::Gpu;
    QString error;
    QVERIFY(parseRendererMode(QStringLiteral("auto"), &mode, &error));
    QCOMPARE(mode, RendererMode::Auto);
    QVERIFY(parseRendererMode(QStringLiteral("software"), &mode, &error));
    QCOMPARE(mode, RendererMode::Software);
    QVERIFY(parseRendererMode(QStringLiteral("gpu"), &mode, &error));
    QCOMPARE(mode, RendererMode::Gpu);
    QVERIFY(!parseRendererMode(QStringLiteral("vulkan"), &mode, &error));
    QVERIFY(error.contains(QStringLiteral("vulkan")));
    QCOMPARE(mode, RendererMode::Gpu); // unchanged on error
}

QTEST_GUILESS_MAIN(tst_FrameMeter)
#include "tst_framemeter.moc"
