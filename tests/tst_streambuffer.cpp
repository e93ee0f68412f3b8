#include "dashboard/charts/StreamBuffer.h"

#include <QTest>

using namespace Pulseboard;

class tst_StreamBuffer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void appendsInOrder()
    {
        StreamBuffer b(8);
        QVERIFY(b.isEmpty());
        for (int i = 0; i < 5; ++i)
            b.append(1000 + i * 10, i * 1.5);
        QCOMPARE(b.size(), 5);
        QCOMPARE(b.at(0).t, 1000);
        QCOMPARE(b.at(4).t, 1040);
        QCOMPARE(b.last().v, 6.0);
        QCOMPARE(b.overwritten(), 0u);
    }

    void ringWrapsKeepingTheNewest()
    {
        StreamBuffer b(4);
        for (int i = 0; i < 10; ++i)
            b.append(i, i);
        QCOMPARE(b.size(), 4);
        QCOMPARE(b.capacity(), 4);
        QCOMPARE(b.overwritten(), 6u);
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(b.at(i).t, qint64(6 + i));
            QCOMPARE(b.at(i).v, double(6 + i));
        }
        QCOMPARE(b.lowerBound(7), 1);
        QCOMPARE(b.lowerBound(100), 4);
        QCOMPARE(b.lowerBound(-5), 0);
    }

    void storageGrowsOnlyAsNeeded()
    {
        StreamBuffer b(100000);
        QCOMPARE(b.allocatedBytes(), qint64(64 * StreamBuffer::bytesPerSample()));
        for (int i = 0; i < 1000; ++i)
            b.append(i, i);
        QCOMPARE(b.size(), 1000);
        QCOMPARE(b.allocatedBytes(), qint64(1024 * StreamBuffer::bytesPerSample()));
        for (int i = 0; i < 1000; ++i)
            QCOMPARE(b.at(i).t, qint64(i));
        // Full at the cap: no more growth, wrap instead.
        StreamBuffer capped(100);
        for (int i = 0; i < 1000; ++i)
            capped.append(i, i);
        QCOMPARE(capped.allocatedBytes(), qint64(100 * StreamBuffer::bytesPerSample()));
        QCOMPARE(capped.at(0).t, 900);
    }

    void growsAfterWrappingHeadMoved()
    {
        StreamBuffer b(1000);
        for (int i = 0; i < 64; ++i)
            b.append(i, i);
        b.dropBefore(10); // head moves inside the 64-slot ring
        QCOMPARE(b.size(), 54);
        for (int i = 64; i < 200; ++i)
            b.append(i, i); // wraps, then grows, then grows again
        QCOMPARE(b.size(), 190);
        for (int i = 0; i < b.size(); ++i)
            QCOMPARE(b.at(i).t, qint64(10 + i));
    }

    void dropBeforeForgetsOldSamples()
    {
        StreamBuffer b(16);
        for (int i = 0; i < 10; ++i)
            b.append(i * 100, i);
        const quint64 rev = b.revision();
        b.dropBefore(450);
        QCOMPARE(b.size(), 5);
        QCOMPARE(b.at(0).t, 500);
        QVERIFY(b.revision() > rev);
        b.dropBefore(0); // nothing older
        QCOMPARE(b.size(), 5);
    }

    void timeNeverGoesBackwards()
    {
        StreamBuffer b(8);
        b.append(100, 1);
        b.append(50, 2); // clock stepped back: clamped so lookups stay sorted
        QCOMPARE(b.at(1).t, 100);
        QCOMPARE(b.at(1).v, 2.0);
    }
};

QTEST_GUILESS_MAIN(tst_StreamBuffer)
#include "tst_streambuffer.moc"
