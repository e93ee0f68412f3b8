// Replays every committed fuzz corpus file through the fuzz targets' property checks in the
// ordinary build, so a seed or a saved crash input that breaks again fails the normal suite too.
#include "../fuzz/EnvelopeProperties.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_FuzzCorpus : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void envelope_data();
    void envelope();
};

void tst_FuzzCorpus::envelope_data()
{
    QTest::addColumn<QString>("path");
    const QDir dir(QStringLiteral(PULSEBOARD_SOURCE_DIR "/fuzz/corpus/envelope"));
    const QStringList files = dir.entryList(QDir::Files, QDir::Name);
    QVERIFY2(files.size() >= 20, qPrintable(dir.path()));
    for (const QString &file : files)
        QTest::newRow(qPrintable(file)) << dir.filePath(file);
}

void tst_FuzzCorpus::envelope()
{
    QFETCH(QString, path);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString broken = Pulseboard::Fuzz::checkEnvelope(file.readAll());
    QVERIFY2(broken.isEmpty(), qPrintable(broken));
}

QTEST_GUILESS_MAIN(tst_FuzzCorpus)
#include "tst_fuzzcorpus.moc"
