// LineReader, the one bounded reader of command lines (the CLI's stdin, the dashboard's --control):
// how bytes become lines whatever the reads cut them into, and what happens to a line over the limit.
#include "client/LineReader.h"

#include <QSignalSpy>
#include <QTest>

#include <unistd.h>

using namespace Pulseboard;

namespace {

// Everything a reader said, in order: "line:TEXT", "long:N" (line N too long), "end".
struct Recorder
{
    explicit Recorder(LineReader &reader)
    {
        QObject::connect(&reader, &LineReader::lineRead,
                         [this](const QByteArray &line) { events.append("line:" + line); });
        QObject::connect(&reader, &LineReader::lineTooLong, [this](qint64 lineNumber, qsizetype) {
            events.append("long:" + QByteArray::number(lineNumber));
        });
        QObject::connect(&reader, &LineReader::inputEnded, [this] { events.append("end"); });
    }
    QByteArrayList events;
};

} // namespace

class tst_LineReader : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void splitsWhateverTheReads_data();
    void splitsWhateverTheReads();
    void lineAtTheLimit();
    void lineOneByteOver();
    void overLongLineSplitAcrossReads();
    void overLongLineAtEndOfInput();
    void crlfAtTheLimit();
    void stopHandsOverNothingMore();
    void readsAPipe();
};

void tst_LineReader::splitsWhateverTheReads_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArrayList>("expected");
    QTest::newRow("lines") << QByteArray("a\nbb\nccc\n")
                           << QByteArrayList{"line:a", "line:bb", "line:ccc", "end"};
    QTest::newRow("crlf") << QByteArray("a\r\nbb\r\n") << QByteArrayList{"line:a", "line:bb", "end"};
    QTest::newRow("lone cr kept inside") << QByteArray("a\rb\n") << QByteArrayList{"line:a\rb", "end"};
    QTest::newRow("empty lines") << QByteArray("\n\na\n\r\n\n")
                                 << QByteArrayList{"line:", "line:", "line:a", "line:", "line:", "end"};
    QTest::newRow("eof without newline")
        << QByteArray("a\nlast") << QByteArrayList{"line:a", "line:last", "end"};
    QTest::newRow("eof after cr") << QByteArray("a\nlast\r") << QByteArrayList{"line:a", "line:last", "end"};
    QTest::newRow("nothing") << QByteArray() << QByteArrayList{"end"};
    QTest::newRow("spaces kept") << QByteArray("  a b \n") << QByteArrayList{"line:  a b ", "end"};
}

void tst_LineReader::splitsWhateverTheReads()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArrayList, expected);
    // Every way of cutting the input into two reads, and byte by byte: the same lines.
    for (qsizetype cut = 0; cut <= input.size(); ++cut) {
        LineReader reader(100);
        Recorder r(reader);
        reader.feed(QByteArrayView(input).first(cut));
        reader.feed(QByteArrayView(input).sliced(cut));
        reader.endInput();
        QCOMPARE(r.events, expected);
        QCOMPARE(reader.lineCount(), qint64(expected.size() - 1));
    }
    LineReader reader(100);
    Recorder r(reader);
    for (const char c : std::as_const(input))
        reader.feed(QByteArrayView(&c, 1));
    reader.endInput();
    QCOMPARE(r.events, expected);
}

void tst_LineReader::lineAtTheLimit()
{
    LineReader reader(4);
    Recorder r(reader);
    reader.feed("abcd\nab");
    reader.feed("cd");
    reader.endInput();
    QCOMPARE(r.events, (QByteArrayList{"line:abcd", "line:abcd", "end"}));
}

void tst_LineReader::lineOneByteOver()
{
    LineReader reader(4);
    Recorder r(reader);
    reader.feed("ok\nabcde\nnext\n");
    reader.endInput();
    // Reported with its number, skipped, and nothing around it lost.
    QCOMPARE(r.events, (QByteArrayList{"line:ok", "long:2", "line:next", "end"}));
    QCOMPARE(reader.lineCount(), qint64(3));
}

void tst_LineReader::overLongLineSplitAcrossReads()
{
    LineReader reader(4);
    Recorder r(reader);
    reader.feed("first\nsec");
    reader.feed("ond line that goes on");
    // Reported as soon as it is over, not when (if ever) its newline comes.
    QCOMPARE(r.events, (QByteArrayList{"long:1", "long:2"}));
    reader.feed(" and on");
    reader.feed(" and ends\n3rd");
    reader.feed("\n");
    reader.endInput();
    QCOMPARE(r.events, (QByteArrayList{"long:1", "long:2", "line:3rd", "end"}));
}

void tst_LineReader::overLongLineAtEndOfInput()
{
    LineReader reader(4);
    Recorder r(reader);
    reader.feed("a\nabcdefgh");
    reader.endInput();
    QCOMPARE(r.events, (QByteArrayList{"line:a", "long:2", "end"}));
}

void tst_LineReader::crlfAtTheLimit()
{
    // The limit counts the line, not its ending: a CRLF line of exactly the limit is a line,
    // even when the '\r' and the '\n' arrive in different reads.
    LineReader reader(4);
    Recorder r(reader);
    reader.feed("abcd\r");
    reader.feed("\nabcd\rx\n");
    reader.endInput();
    QCOMPARE(r.events, (QByteArrayList{"line:abcd", "long:2", "end"}));
}

void tst_LineReader::stopHandsOverNothingMore()
{
    LineReader reader(100);
    Recorder r(reader);
    QObject::connect(&reader, &LineReader::lineRead, &reader, [&](const QByteArray &line) {
        if (line == "quit")
            reader.stop();
    });
    reader.feed("a\nquit\nb\n");
    reader.feed("c\n");
    reader.endInput();
    QCOMPARE(r.events, (QByteArrayList{"line:a", "line:quit"}));
    QVERIFY(reader.isStopped());
}

void tst_LineReader::readsAPipe()
{
    int fds[2];
    QCOMPARE(::pipe(fds), 0);
    LineReader reader(8);
    Recorder r(reader);
    QSignalSpy ended(&reader, &LineReader::inputEnded);
    reader.readFrom(fds[0]);
    const QByteArray first("one\ntw");
    QCOMPARE(::write(fds[1], first.constData(), size_t(first.size())), ssize_t(first.size()));
    QTRY_COMPARE(r.events, (QByteArrayList{"line:one"}));
    const QByteArray second("o\r\nmuch too long\nlast");
    QCOMPARE(::write(fds[1], second.constData(), size_t(second.size())), ssize_t(second.size()));
    QTRY_COMPARE(r.events, (QByteArrayList{"line:one", "line:two", "long:3"}));
    ::close(fds[1]);
    QVERIFY(ended.wait(5000));
    QCOMPARE(r.events, (QByteArrayList{"line:one", "line:two", "long:3", "line:last", "end"}));
    ::close(fds[0]);
}

QTEST_GUILESS_MAIN(tst_LineReader)
#include "tst_linereader.moc"
