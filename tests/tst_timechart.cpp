// TimeChart read with the mouse, on a real chart in a QQuickView: the hover read-out gives the
// stored value under the pointer, a drag asks for the dragged range, a shift-drag pans, a double
// click asks for live; and the axis labels of a short plot are few and readable.
#include "dashboard/charts/SeriesStore.h"

#include <QQmlComponent>
#include <QQmlEngine>
#include <QQuickItem>
#include <QQuickView>
#include <QSignalSpy>
#include <QTest>
#include <QtQml/QQmlExtensionPlugin>

#include <memory>

Q_IMPORT_QML_PLUGIN(PulseboardPlugin)

using namespace Pulseboard;
using namespace Qt::StringLiterals;

namespace {
constexpr qint64 kT0 = 1'700'000'040'000; // on a whole minute
}

class tst_TimeChart : public QObject
{
    Q_OBJECT

    SeriesStore m_store;
    std::unique_ptr<QQuickView> m_view;
    QQuickItem *m_chart = nullptr;

    double prop(const char *name) const { return m_chart->property(name).toDouble(); }
    QObject *feeder() const { return m_chart->property("feeder").value<QObject *>(); }
    // The window point over the plot at a fraction of its width, halfway down.
    QPoint at(double fraction) const
    {
        const QPointF p(prop("plotLeft") + fraction * prop("plotWidth"),
                        prop("plotTop") + prop("plotHeight") / 2);
        return m_chart->mapToScene(p).toPoint();
    }
    // The time the chart puts under a window x.
    double timeAtX(int x) const
    {
        const double local = m_chart->mapFromScene(QPointF(x, 0)).x();
        return prop("axisStartMs") +
               (local - prop("plotLeft")) / prop("plotWidth") * (prop("axisEndMs") - prop("axisStartMs"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        // Two series, a sample a second for a minute: v = i, w = 100 + 2i.
        for (int i = 0; i <= 60; ++i) {
            m_store.addSample(u"c"_s, u"v"_s, kT0 + i * 1000, i);
            m_store.addSample(u"c"_s, u"w"_s, kT0 + i * 1000, 100 + 2 * i);
        }
        m_view = std::make_unique<QQuickView>();
        m_view->engine()->addImportPath(u"qrc:/"_s);
        m_view->resize(800, 300);
        QQmlComponent component(m_view->engine());
        component.setData(R"(
            import QtQuick
            import Pulseboard
            TimeChart {
                width: 800; height: 300
                interactive: true
                specs: [{ source: "c", path: "v", label: "v", color: "#ff0000" },
                        { source: "c", path: "w", label: "w", color: "#00ff00" }]
            })",
                          QUrl());
        QObject *made = component.createWithInitialProperties(
            {{u"store"_s, QVariant::fromValue(static_cast<QObject *>(&m_store))},
             {u"zoomStartMs"_s, double(kT0)},
             {u"zoomEndMs"_s, double(kT0 + 60000)}});
        QVERIFY2(made, qPrintable(component.errorString()));
        m_chart = qobject_cast<QQuickItem *>(made);
        QVERIFY(m_chart);
        m_chart->setParent(m_view.get());
        m_chart->setParentItem(m_view->contentItem());
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        QTRY_VERIFY(prop("plotWidth") > 600);
        QCOMPARE(feeder()->property("viewStartMs").toDouble(), double(kT0));
        QCOMPARE(feeder()->property("viewEndMs").toDouble(), double(kT0 + 60000));
    }

    void hoverReadsTheValuesUnderThePointer()
    {
        for (double fraction : {0.25, 0.5, 0.8}) {
            const QPoint p = at(fraction);
            // The first move into the window enters it; the second one is the hover.
            QTest::mouseMove(m_view.get(), p - QPoint(3, 0));
            QTest::mouseMove(m_view.get(), p);
            QTRY_COMPARE(m_chart->property("hoverValues").toList().size(), 2);
            const double t = timeAtX(p.x());
            QVERIFY2(qAbs(prop("hoverTimeMs") - t) < 1, qPrintable(QString::number(prop("hoverTimeMs") - t)));
            const int second = int(std::lround((t - kT0) / 1000));
            const QVariantList values = m_chart->property("hoverValues").toList();
            const QVariantMap v = values[0].toMap();
            const QVariantMap w = values[1].toMap();
            QVERIFY(v.value(u"found"_s).toBool());
            QCOMPARE(v.value(u"name"_s).toString(), u"v"_s);
            QCOMPARE(v.value(u"t"_s).toDouble(), double(kT0 + second * 1000));
            QCOMPARE(v.value(u"value"_s).toDouble(), double(second));
            QCOMPARE(w.value(u"value"_s).toDouble(), double(100 + 2 * second));
        }
        // The read-out box is on screen beside the pointer.
        auto *readout = m_chart->findChild<QQuickItem *>(u"hoverReadout"_s);
        QVERIFY(readout);
        QVERIFY(readout->isVisible());
        QVERIFY(readout->width() > 20);
    }

    void dragAsksForTheDraggedRange()
    {
        QSignalSpy zoom(m_chart, SIGNAL(zoomRequested(double, double)));
        const QPoint from = at(0.2);
        const QPoint to = at(0.6);
        QTest::mousePress(m_view.get(), Qt::LeftButton, {}, from);
        QTest::mouseMove(m_view.get(), at(0.4));
        QTest::mouseMove(m_view.get(), to);
        QTest::mouseRelease(m_view.get(), Qt::LeftButton, {}, to);
        QCOMPARE(zoom.count(), 1);
        QVERIFY(qAbs(zoom[0][0].toDouble() - timeAtX(from.x())) < 1);
        QVERIFY(qAbs(zoom[0][1].toDouble() - timeAtX(to.x())) < 1);
        // About 12 s to 36 s of the minute.
        QVERIFY(qAbs(zoom[0][0].toDouble() - (kT0 + 12000)) < 200);
        QVERIFY(qAbs(zoom[0][1].toDouble() - (kT0 + 36000)) < 200);
    }

    void shiftDragPans()
    {
        QSignalSpy zoom(m_chart, SIGNAL(zoomRequested(double, double)));
        const QPoint from = at(0.5);
        const QPoint to = at(0.75); // a quarter of the view to the right: 15 s back in time
        QTest::mousePress(m_view.get(), Qt::LeftButton, Qt::ShiftModifier, from);
        QTest::mouseMove(m_view.get(), to);
        QTest::mouseRelease(m_view.get(), Qt::LeftButton, Qt::ShiftModifier, to);
        QVERIFY(zoom.count() >= 1);
        const QList<QVariant> last = zoom.constLast();
        const double dt = (to.x() - from.x()) / prop("plotWidth") * 60000;
        QVERIFY(qAbs(last[0].toDouble() - (kT0 - dt)) < 1);
        QVERIFY(qAbs(last[1].toDouble() - (kT0 + 60000 - dt)) < 1);
        QVERIFY(qAbs(dt - 15000) < 200);
    }

    void doubleClickAsksForLive()
    {
        QSignalSpy reset(m_chart, SIGNAL(resetRequested()));
        QTest::mouseDClick(m_view.get(), Qt::LeftButton, {}, at(0.5));
        QCOMPARE(reset.count(), 1);
    }

    void aShortPlotHasFewReadableLabels()
    {
        m_chart->setProperty("yFrom", 0);
        m_chart->setProperty("yTo", 100);
        m_chart->setHeight(110);
        QTRY_VERIFY(prop("plotHeight") < 90);
        const QVariantList ticks = feeder()->property("yTicks").toList();
        QStringList labels;
        for (const QVariant &t : ticks)
            labels.append(t.toMap().value(u"label"_s).toString());
        // The data (up to 220) leaves the configured 0..100, so the axis follows it, in as few
        // steps as the short plot has room for (a label every 24 px), each label whole.
        const int room = feeder()->property("maxYTicks").toInt();
        QVERIFY2(room <= 4, qPrintable(QString::number(room)));
        QVERIFY(labels.size() <= room && labels.size() >= 2);
        QCOMPARE(labels.constFirst(), u"0"_s);
        QVERIFY(feeder()->property("yMax").toDouble() >= 220);
        QCOMPARE(labels.constLast(), QString::number(feeder()->property("yMax").toDouble()));
        // The left margin holds the widest label.
        QVERIFY(prop("plotLeft") >= prop("yLabelWidth"));
        QVERIFY(prop("yLabelWidth") > 10);
        // Time labels at round times: a minute at 800 px, every 10 s.
        QStringList times;
        for (const QVariant &t : feeder()->property("timeTicks").toList())
            times.append(t.toMap().value(u"label"_s).toString());
        QCOMPARE(times.size(), 7);
        QCOMPARE(times.constFirst(), QDateTime::fromMSecsSinceEpoch(kT0).toString(u"HH:mm:ss"_s));
        QCOMPARE(times.at(1), QDateTime::fromMSecsSinceEpoch(kT0 + 10000).toString(u"HH:mm:ss"_s));
        m_chart->setHeight(300);
    }

    void anEmptyRangeSaysWhereTheDataIs()
    {
        auto *hint = m_chart->findChild<QQuickItem *>(u"emptyHint"_s);
        QVERIFY(hint);
        QVERIFY(!hint->isVisible());
        // Ten minutes before the first sample.
        m_chart->setProperty("zoomStartMs", double(kT0 - 600000));
        m_chart->setProperty("zoomEndMs", double(kT0 - 540000));
        QTRY_VERIFY(hint->isVisible());
        const QString text = hint->property("text").toString();
        QVERIFY2(text.startsWith(u"No data in this range"_s), qPrintable(text));
        QVERIFY2(text.contains(QDateTime::fromMSecsSinceEpoch(kT0).toString(u"HH:mm:ss"_s)),
                 qPrintable(text));
        m_chart->setProperty("zoomStartMs", double(kT0));
        m_chart->setProperty("zoomEndMs", double(kT0 + 60000));
        QTRY_VERIFY(!hint->isVisible());
    }
};

QTEST_MAIN(tst_TimeChart)
#include "tst_timechart.moc"
