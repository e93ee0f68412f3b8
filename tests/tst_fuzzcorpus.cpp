// Replays every committed fuzz corpus file through the fuzz targets' property checks in the
// ordinary build, so a seed or a saved crash input that breaks again fails the normal suite too.
#include "../fuzz/EnvelopeProperties.h"
#include "../fuzz/MqttPacketProperties.h"
#include "../fuzz/OutboxJournalProperties.h"
#include "../fuzz/SocketIoProperties.h"

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
    void outboxJournal_data();
    void outboxJournal();
    void mqtt_data();
    void mqtt();
    void socketIo_data();
    void socketIo();
};

namespace {

void addCorpusRows(const QString &name, int atLeast)
{
    QTest::addColumn<QString>("path");
    const QDir dir(QStringLiteral(PULSEBOARD_SOURCE_DIR "/fuzz/corpus/") + name);
    const QStringList files = dir.entryList(QDir::Files, QDir::Name);
    QVERIFY2(files.size() >= atLeast, qPrintable(dir.path()));
    for (const QString &file : files)
        QTest::newRow(qPrintable(file)) << dir.filePath(file);
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return file.readAll();
}

} // namespace

void tst_FuzzCorpus::envelope_data()
{
    addCorpusRows(u"envelope"_s, 20);
}

void tst_FuzzCorpus::envelope()
{
    QFETCH(QString, path);
    const QString broken = Pulseboard::Fuzz::checkEnvelope(readAll(path));
    QVERIFY2(broken.isEmpty(), qPrintable(broken));
}

void tst_FuzzCorpus::outboxJournal_data()
{
    addCorpusRows(u"outboxjournal"_s, 5);
}

void tst_FuzzCorpus::outboxJournal()
{
    QFETCH(QString, path);
    const QString broken = Pulseboard::Fuzz::checkOutboxJournal(readAll(path));
    QVERIFY2(broken.isEmpty(), qPrintable(broken));
}

void tst_FuzzCorpus::mqtt_data()
{
    addCorpusRows(u"mqtt"_s, 20);
}

void tst_FuzzCorpus::mqtt()
{
    QFETCH(QString, path);
    const QString broken = Pulseboard::Fuzz::checkMqtt(readAll(path));
    QVERIFY2(broken.isEmpty(), qPrintable(broken));
}

void tst_FuzzCorpus::socketIo_data()
{
    addCorpusRows(u"socketio"_s, 5);
}

void tst_FuzzCorpus::socketIo()
{
    QFETCH(QString, path);
    const QString broken = Pulseboard::Fuzz::checkSocketIo(readAll(path));
    QVERIFY2(broken.isEmpty(), qPrintable(broken));
}

QTEST_GUILESS_MAIN(tst_FuzzCorpus)
#include "tst_fuzzcorpus.moc"
