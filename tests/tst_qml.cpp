// Qt Quick Test runner for the QML components (tests/qml/tst_*.qml). The module `Pulseboard`
// is a static plugin, so it is imported here before the tests load it.
#include <QtQml/QQmlEngine>
#include <QtQml/QQmlExtensionPlugin>
#include <QtQuickTest/quicktest.h>

Q_IMPORT_QML_PLUGIN(PulseboardPlugin)

class Setup : public QObject
{
    Q_OBJECT
public Q_SLOTS:
    void qmlEngineAvailable(QQmlEngine *engine) { engine->addImportPath(QStringLiteral("qrc:/")); }
};

QUICK_TEST_MAIN_WITH_SETUP(pulseboard_qml, Setup)
#include "tst_qml.moc"
