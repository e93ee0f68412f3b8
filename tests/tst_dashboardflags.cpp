// pulseboard's flags answered without a display: --help and --version print and exit 0, an
// unknown flag exits 2 with words naming it. (QApplication needs a display; these must not.)
#include <QProcess>
#include <QTest>

namespace {
const QString kApp = QStringLiteral(PULSEBOARD_BIN_DIR "/pulseboard");

QProcessEnvironment headless()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    return env;
}
} // namespace

class tst_DashboardFlags : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void helpWithoutDisplay();
    void versionWithoutDisplay();
    void unknownFlagIsAUsageError();
    void badRendererIsAUsageError();
};

void tst_DashboardFlags::helpWithoutDisplay()
{
    QProcess p;
    p.setProcessEnvironment(headless());
    p.start(kApp, {QStringLiteral("--help")});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
    const QByteArray out = p.readAllStandardOutput();
    QVERIFY(out.contains("--kiosk"));
    QVERIFY(out.contains("--heartbeat-interval")); // the shared connection flags are there too
}

void tst_DashboardFlags::versionWithoutDisplay()
{
    QProcess p;
    p.setProcessEnvironment(headless());
    p.start(kApp, {QStringLiteral("--version")});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(p.readAllStandardOutput().contains(PULSEBOARD_VERSION));
}

void tst_DashboardFlags::unknownFlagIsAUsageError()
{
    QProcess p;
    p.setProcessEnvironment(headless());
    p.start(kApp, {QStringLiteral("--frobnicate")});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(p.readAllStandardError().contains("frobnicate"));
}

void tst_DashboardFlags::badRendererIsAUsageError()
{
    QProcess p;
    p.setProcessEnvironment(headless());
    p.start(kApp, {QStringLiteral("--renderer"), QStringLiteral("vulkan")});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(p.readAllStandardError().contains("--renderer must be auto, software or gpu, got 'vulkan'"));
}

QTEST_GUILESS_MAIN(tst_DashboardFlags)
#include "tst_dashboardflags.moc"
