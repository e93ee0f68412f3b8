// pulseboard's flags answered without a display: --help and --version print and exit 0, an
// unknown flag (or a --renderer, a --theme that is not one) exits 2 with words naming it, --list-profiles
// prints the saved server profiles and an unknown --profile is refused with the names that exist.
// (QApplication needs a display; these must not.) Settings live in a temporary XDG_CONFIG_HOME, never the
// user's.
#include "dashboard/servers/ProfileStore.h"
#include "dashboard/shell/DashboardSettings.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

namespace {
const QString kApp = QStringLiteral(PULSEBOARD_BIN_DIR "/pulseboard");

QProcessEnvironment headless(const QString &configHome = QString())
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    if (!configHome.isEmpty())
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), configHome);
    return env;
}

// Where pulseboard keeps its settings under XDG_CONFIG_HOME `home`, filled with two profiles.
void saveTwoProfiles(const QString &home)
{
    QSettings settings(home + QStringLiteral("/Pulseboard/pulseboard.conf"), QSettings::IniFormat);
    Pulseboard::ProfileStore store;
    Pulseboard::ServerProfile lab;
    lab.name = QStringLiteral("lab");
    lab.endpoints = {QUrl(QStringLiteral("ws://10.0.0.7:8080/"))};
    lab.channels = {QStringLiteral("sys.cpu")};
    store.record(lab);
    Pulseboard::ServerProfile prod;
    prod.name = QStringLiteral("prod");
    prod.endpoints = {QUrl(QStringLiteral("wss://a.example/ws")), QUrl(QStringLiteral("wss://b.example/ws"))};
    prod.tokenSource = Pulseboard::ServerProfile::TokenSource::Environment;
    store.record(prod);
    Pulseboard::DashboardSettings(&settings).setProfiles(store.profiles());
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
    void badThemeIsAUsageError();
    void listProfilesPrintsJsonLines();
    void listProfilesWithNoneSaved();
    void unknownProfileNamesTheSavedOnes();
    void profileNeedsSettings();
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
    QVERIFY(out.contains("--theme <NAME>"));
    QVERIFY(out.contains("dark or light"));
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

void tst_DashboardFlags::badThemeIsAUsageError()
{
    QProcess p;
    p.setProcessEnvironment(headless());
    p.start(kApp, {QStringLiteral("--no-settings"), QStringLiteral("--theme"), QStringLiteral("sepia")});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(p.readAllStandardError().contains("--theme must be dark or light, not 'sepia'"));
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

void tst_DashboardFlags::listProfilesPrintsJsonLines()
{
    QTemporaryDir home;
    saveTwoProfiles(home.path());
    QProcess p;
    p.setProcessEnvironment(headless(home.path()));
    p.start(kApp, {QStringLiteral("--list-profiles")});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
    const QList<QByteArray> lines = p.readAllStandardOutput().trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    const QJsonObject prod = QJsonDocument::fromJson(lines.at(0)).object();
    const QJsonObject lab = QJsonDocument::fromJson(lines.at(1)).object();
    QCOMPARE(prod.value(QStringLiteral("name")).toString(), QStringLiteral("prod")); // most recent first
    QCOMPARE(prod.value(QStringLiteral("endpoints")).toArray().size(), 2);
    QCOMPARE(prod.value(QStringLiteral("tokenFrom")).toString(), QStringLiteral("env"));
    QVERIFY(!prod.contains(QStringLiteral("token")));
    QCOMPARE(lab.value(QStringLiteral("name")).toString(), QStringLiteral("lab"));
    QCOMPARE(lab.value(QStringLiteral("endpoints")).toArray().at(0).toString(),
             QStringLiteral("ws://10.0.0.7:8080/"));
    QCOMPARE(lab.value(QStringLiteral("channels")).toArray().at(0).toString(), QStringLiteral("sys.cpu"));
}

void tst_DashboardFlags::listProfilesWithNoneSaved()
{
    QTemporaryDir home;
    QProcess p;
    p.setProcessEnvironment(headless(home.path()));
    p.start(kApp, {QStringLiteral("--list-profiles")});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
    QCOMPARE(p.readAllStandardOutput(), QByteArray());
}

void tst_DashboardFlags::unknownProfileNamesTheSavedOnes()
{
    QTemporaryDir home;
    QProcess p;
    p.setProcessEnvironment(headless(home.path()));
    p.start(kApp, {QStringLiteral("--profile"), QStringLiteral("staging")});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(p.readAllStandardError().contains("no server profile named 'staging': none is saved yet"));

    saveTwoProfiles(home.path());
    p.start(kApp, {QStringLiteral("--profile"), QStringLiteral("staging")});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 2);
    QCOMPARE(p.readAllStandardError().trimmed(),
             QByteArray("pulseboard: no server profile named 'staging'; saved profiles: prod, lab"));
}

void tst_DashboardFlags::profileNeedsSettings()
{
    QTemporaryDir home;
    saveTwoProfiles(home.path());
    QProcess p;
    p.setProcessEnvironment(headless(home.path()));
    p.start(kApp, {QStringLiteral("--profile"), QStringLiteral("lab"), QStringLiteral("--no-settings")});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(p.readAllStandardError().contains(
        "--profile reads the saved settings; it cannot be used with --no-settings"));
}

QTEST_GUILESS_MAIN(tst_DashboardFlags)
#include "tst_dashboardflags.moc"
