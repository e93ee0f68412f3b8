// AlertEngine with the time passed in: each rule kind driven across its threshold and back raises
// once and clears once; nothing more while the value moves inside the hysteresis band; for=
// honoured on samples and on the tick; stale after N s, source-down, gap (and its hold),
// outbox-age; fields read by JSON pointer from parsed frames (the MessageSink path) and from
// QJsonValues alike; the events' JSON.
#include "alerts/AlertEngine.h"

#include "protocol/EnvelopeDecoder.h"
#include "protocol/MessageFrame.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>

using namespace Pulseboard;
using Type = AlertEvent::Type;

namespace {

QList<AlertRule> rules(const QStringList &texts)
{
    QList<AlertRule> out;
    QString error;
    if (!parseAlertRules(texts, &out, &error))
        qFatal("bad rule in the test: %s", qPrintable(error));
    return out;
}

// An engine whose events land in a list.
struct Harness
{
    explicit Harness(const QStringList &texts, qint64 startMs = 1000) : engine(rules(texts))
    {
        engine.setHandler([this](const AlertEvent &e) { events.append(e); });
        engine.start(startMs);
    }
    QList<Type> types() const
    {
        QList<Type> out;
        for (const AlertEvent &e : events)
            out.append(e.type);
        return out;
    }
    // Feeds `values` at `t0`, `t0 + stepMs`, ... as messages {"usage": v}.
    void feed(const QString &channel, const QList<double> &values, qint64 t0, qint64 stepMs)
    {
        qint64 t = t0;
        for (double v : values) {
            engine.message(channel, JsonView(QJsonObject{{QLatin1StringView("usage"), v}}), t);
            t += stepMs;
        }
    }
    AlertEngine engine;
    QList<AlertEvent> events;
};

const QList<Type> kRaiseClear{Type::Raised, Type::Cleared};

} // namespace

class tst_AlertEngine : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void aFieldNeverThereIsSaidOnce();
    void aboveRaisesOnceClearsOnceWithHysteresis();
    void aboveWithoutBandClearsAtThreshold();
    void belowWithHysteresis();
    void forDurationHonouredOnSamples();
    void forDurationCompletesOnTick();
    void rateBelowOverWindow();
    void rateAboveWithHysteresisAndSlowChannel();
    void staleAfterSilence();
    void staleCountsFromStart();
    void sourceDown();
    void gapRaisesOnceAndClearsAfterHold();
    void outboxAge();
    void fieldsFromParsedFrames();
    void nonNumbersAndMissingFieldsSkipped();
    void samplesFeedFieldRules();
    void rulesSharingAFieldAndRateWithFor();
    void channelsAndActive();
    void eventJson();
};

void tst_AlertEngine::aboveRaisesOnceClearsOnceWithHysteresis()
{
    Harness h(
        {QStringLiteral("name=cpu-hot severity=critical channel=sys.cpu field=/usage above=90 clear=85")});
    // Up across 90, wandering in the band (85, 90] and above, down to 85: one raise, one clear.
    h.feed(QStringLiteral("sys.cpu"), {50, 80, 90, 91, 89, 86, 95, 88, 85.5, 87, 85, 86, 89.9, 80}, 2000,
           100);
    QCOMPARE(h.types(), kRaiseClear);
    const AlertEvent &raised = h.events.at(0);
    QCOMPARE(raised.rule, QStringLiteral("cpu-hot"));
    QCOMPARE(raised.severity, AlertSeverity::Critical);
    QCOMPARE(raised.kind, AlertRule::Kind::Above);
    QCOMPARE(raised.channel, QStringLiteral("sys.cpu"));
    QCOMPARE(raised.field, QStringLiteral("/usage"));
    QCOMPARE(raised.value, 91.0); // 90 itself is not above 90
    QCOMPARE(raised.threshold, 90.0);
    QCOMPARE(raised.ts, 2300);
    const AlertEvent &cleared = h.events.at(1);
    QCOMPARE(cleared.value, 85.0);
    QCOMPARE(cleared.threshold, 85.0);
    QCOMPARE(cleared.ts, 3000);
    // Across again: a second raise.
    h.feed(QStringLiteral("sys.cpu"), {92}, 4000, 100);
    QCOMPARE(h.types(), (QList<Type>{Type::Raised, Type::Cleared, Type::Raised}));
}

void tst_AlertEngine::aboveWithoutBandClearsAtThreshold()
{
    Harness h({QStringLiteral("name=a channel=c field=/usage above=10")});
    h.feed(QStringLiteral("c"), {10, 10.5, 11, 10, 9}, 2000, 10);
    QCOMPARE(h.types(), kRaiseClear);
    QCOMPARE(h.events.at(0).value, 10.5);
    QCOMPARE(h.events.at(1).value, 10.0); // back at the threshold: clear
}

void tst_AlertEngine::belowWithHysteresis()
{
    Harness h({QStringLiteral("name=low channel=c field=/usage below=10 clear=20")});
    h.feed(QStringLiteral("c"), {30, 10, 9, 15, 19.9, 5, 18, 20, 12, 11}, 2000, 10);
    QCOMPARE(h.types(), kRaiseClear);
    QCOMPARE(h.events.at(0).value, 9.0);
    QCOMPARE(h.events.at(1).value, 20.0);
    QCOMPARE(h.events.at(1).ts, 2070);
}

void tst_AlertEngine::forDurationHonouredOnSamples()
{
    Harness h({QStringLiteral("name=hot channel=c field=/usage above=90 clear=85 for=10s")});
    // Above for 9.9 s, then one sample not above: the pending condition starts again.
    h.feed(QStringLiteral("c"), {95, 95, 95, 95}, 10000, 3300); // 10000 .. 19900
    h.feed(QStringLiteral("c"), {89}, 20000, 0);
    QVERIFY(h.events.isEmpty());
    // Above from 21 s on: raised by the sample at 31 s, not before.
    h.feed(QStringLiteral("c"), {91, 92, 93, 94, 95, 96, 97, 98, 99, 99.5}, 21000, 1000); // .. 30000
    QVERIFY(h.events.isEmpty());
    h.feed(QStringLiteral("c"), {93}, 31000, 0);
    QCOMPARE(h.types(), QList<Type>{Type::Raised});
    QCOMPARE(h.events.at(0).ts, 31000);
    QCOMPARE(h.events.at(0).value, 93.0);
    // Clearing takes no for=: at once.
    h.feed(QStringLiteral("c"), {86, 84}, 32000, 1000);
    QCOMPARE(h.types(), kRaiseClear);
    QCOMPARE(h.events.at(1).ts, 33000);
}

void tst_AlertEngine::forDurationCompletesOnTick()
{
    Harness h({QStringLiteral("name=hot channel=c field=/usage above=90 for=5s")});
    h.feed(QStringLiteral("c"), {95}, 10000, 0);
    h.engine.tick(14999);
    QVERIFY(h.events.isEmpty());
    h.engine.tick(15000); // held 5 s with nothing saying otherwise
    QCOMPARE(h.types(), QList<Type>{Type::Raised});
    QCOMPARE(h.events.at(0).value, 95.0);
    QCOMPARE(h.events.at(0).ts, 15000);
    h.engine.tick(16000);
    QCOMPARE(h.events.size(), 1);
}

void tst_AlertEngine::rateBelowOverWindow()
{
    Harness h({QStringLiteral("name=cpu-drop channel=sys.cpu field=/usage rate-below=-20/s")});
    // 100 Hz: flat at 80 for 2 s, then falling 30/s for 1.5 s, then flat again.
    qint64 t = 10000;
    double v = 80;
    for (int i = 0; i < 200; ++i, t += 10)
        h.engine.message(QStringLiteral("sys.cpu"), JsonView(QJsonObject{{QLatin1StringView("usage"), v}}),
                         t);
    QVERIFY(h.events.isEmpty());
    for (int i = 0; i < 150; ++i, t += 10) {
        v -= 0.3;
        h.engine.message(QStringLiteral("sys.cpu"), JsonView(QJsonObject{{QLatin1StringView("usage"), v}}),
                         t);
    }
    QCOMPARE(h.types(), QList<Type>{Type::Raised});
    QVERIFY2(h.events.at(0).value < -20 && h.events.at(0).value >= -30,
             qPrintable(QString::number(h.events.at(0).value)));
    // Rate over the 1 s window passes -20/s after a falling span of 2/3 s.
    QVERIFY(h.events.at(0).ts > 12000 + 600 && h.events.at(0).ts <= 12000 + 700);
    for (int i = 0; i < 300; ++i, t += 10)
        h.engine.message(QStringLiteral("sys.cpu"), JsonView(QJsonObject{{QLatin1StringView("usage"), v}}),
                         t);
    QCOMPARE(h.types(), kRaiseClear);
    QVERIFY(h.events.at(1).value >= -20);
}

void tst_AlertEngine::rateAboveWithHysteresisAndSlowChannel()
{
    // A channel slower than the window: the rate is taken between consecutive messages.
    Harness h({QStringLiteral("name=climb channel=c field=/usage rate-above=600/min clear=2/s window=1s")});
    // Every 5 s: +10 (2/s), +60 (12/s: raise), +30 (6/s: inside the band), +5 (1/s: clear).
    h.feed(QStringLiteral("c"), {0, 10, 70, 100, 105, 106}, 10000, 5000);
    QCOMPARE(h.types(), kRaiseClear);
    QCOMPARE(h.events.at(0).value, 12.0);
    QCOMPARE(h.events.at(0).threshold, 10.0);
    QCOMPARE(h.events.at(0).ts, 20000);
    QCOMPARE(h.events.at(1).value, 1.0);
    QCOMPARE(h.events.at(1).ts, 30000);
    // The first message alone gives no rate.
    Harness one({QStringLiteral("name=climb channel=c rate-above=1")});
    one.engine.message(QStringLiteral("c"), JsonView(QJsonValue(1e9)), 5000);
    QVERIFY(one.events.isEmpty());
}

void tst_AlertEngine::staleAfterSilence()
{
    Harness h({QStringLiteral("name=quiet channel=orders stale=30s")}, 0);
    h.engine.message(QStringLiteral("orders"), JsonView(QJsonValue(1)), 10000);
    h.engine.tick(39999);
    QVERIFY(h.events.isEmpty());
    h.engine.tick(40000);
    QCOMPARE(h.types(), QList<Type>{Type::Raised});
    QCOMPARE(h.events.at(0).value, 30.0);
    QCOMPARE(h.events.at(0).channel, QStringLiteral("orders"));
    h.engine.tick(50000);
    h.engine.message(QStringLiteral("other"), JsonView(QJsonValue(1)), 51000); // another channel: still stale
    QCOMPARE(h.events.size(), 1);
    h.engine.message(QStringLiteral("orders"), JsonView(QJsonValue(1)), 55000);
    QCOMPARE(h.types(), kRaiseClear);
    QCOMPARE(h.events.at(1).value, 45.0); // the silence that ended
    QCOMPARE(h.events.at(1).ts, 55000);
    h.engine.tick(60000);
    QCOMPARE(h.events.size(), 2);
}

void tst_AlertEngine::staleCountsFromStart()
{
    Harness h({QStringLiteral("name=quiet channel=orders stale=5s")}, 100000);
    h.engine.tick(104900);
    QVERIFY(h.events.isEmpty());
    h.engine.tick(105000); // never sent anything since start
    QCOMPARE(h.types(), QList<Type>{Type::Raised});
}

void tst_AlertEngine::sourceDown()
{
    Harness h({QStringLiteral("name=down severity=critical source-down=60s")}, 0);
    h.engine.connectionChanged(true, 1000);
    h.engine.tick(100000);
    QVERIFY(h.events.isEmpty());
    h.engine.connectionChanged(false, 100000);
    h.engine.tick(159999);
    QVERIFY(h.events.isEmpty());
    // Briefly up and down again restarts the count.
    h.engine.connectionChanged(true, 159999);
    h.engine.connectionChanged(false, 160000);
    h.engine.tick(219999);
    QVERIFY(h.events.isEmpty());
    h.engine.tick(220000);
    QCOMPARE(h.types(), QList<Type>{Type::Raised});
    QCOMPARE(h.events.at(0).value, 60.0);
    QCOMPARE(h.events.at(0).severity, AlertSeverity::Critical);
    QVERIFY(h.events.at(0).channel.isEmpty());
    h.engine.tick(300000);
    h.engine.connectionChanged(false, 300001);
    QCOMPARE(h.events.size(), 1);
    h.engine.connectionChanged(true, 310000);
    QCOMPARE(h.types(), kRaiseClear);
    QCOMPARE(h.events.at(1).value, 150.0); // seconds it was down
    // Never open since start counts as down.
    Harness never({QStringLiteral("name=down source-down=2s")}, 5000);
    never.engine.tick(7000);
    QCOMPARE(never.types(), QList<Type>{Type::Raised});
}

void tst_AlertEngine::gapRaisesOnceAndClearsAfterHold()
{
    Harness h({QStringLiteral("name=gaps gap hold=10s"),
               QStringLiteral("name=order-gaps channel=orders gap hold=0s")},
              0);
    h.engine.gap(QStringLiteral("sys.cpu"), 3, 1000);
    QCOMPARE(h.events.size(), 1);
    QCOMPARE(h.events.at(0).rule, QStringLiteral("gaps"));
    QCOMPARE(h.events.at(0).channel, QStringLiteral("sys.cpu"));
    QCOMPARE(h.events.at(0).value, 3.0);
    // More gaps while raised extend it and add up; they raise nothing.
    h.engine.gap(QStringLiteral("sys.mem"), 2, 5000);
    h.engine.gap(QStringLiteral("sys.cpu"), 4, 8000);
    h.engine.tick(17999);
    QCOMPARE(h.events.size(), 1);
    h.engine.tick(18000);
    QCOMPARE(h.types(), kRaiseClear);
    QCOMPARE(h.events.at(1).value, 9.0);
    QCOMPARE(h.events.at(1).channel, QStringLiteral("sys.cpu"));
    // A rule for one channel; an unknown count (a reset) is no value.
    h.engine.gap(QStringLiteral("orders"), -1, 20000);
    QCOMPARE(h.events.size(), 4); // gaps raised again, order-gaps raised
    QCOMPARE(h.events.at(3).rule, QStringLiteral("order-gaps"));
    QVERIFY(std::isnan(h.events.at(3).value));
    h.engine.tick(20100); // hold 0: cleared at the next tick
    QCOMPARE(h.events.size(), 5);
    QCOMPARE(h.events.at(4).rule, QStringLiteral("order-gaps"));
    QCOMPARE(h.events.at(4).type, Type::Cleared);
}

void tst_AlertEngine::outboxAge()
{
    Harness h({QStringLiteral("name=stuck outbox-age=30s")}, 0);
    h.engine.outboxAge(-1, 1000);
    h.engine.outboxAge(29000, 30000); // enqueued at 1000
    h.engine.tick(30999);
    QVERIFY(h.events.isEmpty());
    h.engine.tick(31000); // the tick ages the last report
    QCOMPARE(h.types(), QList<Type>{Type::Raised});
    QCOMPARE(h.events.at(0).value, 30.0);
    h.engine.outboxAge(35000, 36000);
    QCOMPARE(h.events.size(), 1);
    // The old entry acked; the next is young: clear.
    h.engine.outboxAge(2000, 37000);
    QCOMPARE(h.types(), kRaiseClear);
    QCOMPARE(h.events.at(1).value, 2.0);
    h.engine.outboxAge(-1, 38000);
    h.engine.tick(100000);
    QCOMPARE(h.events.size(), 2);
}

void tst_AlertEngine::fieldsFromParsedFrames()
{
    // The MessageSink path: a JsonView into a frame simdjson parsed.
    Harness h({QStringLiteral("name=core2 channel=sys.cpu field=/cores/2 above=50"),
               QStringLiteral("name=deep channel=sys.cpu field=/a~1b/x~0y above=1"),
               QStringLiteral("name=utf channel=sys.cpu field=/t\u00e9mp above=30"),
               QStringLiteral("name=bare channel=n above=5")});
    EnvelopeDecoder decoder;
    auto deliver = [&](const QString &channel, const QByteArray &data, qint64 t) {
        decoder.setFrame(encodeMessageFrame(channel, 1, t, data));
        Envelope env;
        MessageView view;
        QCOMPARE(decoder.decode(env, view), EnvelopeDecoder::Result::Message);
        h.engine.message(channel, view.data, t);
    };
    deliver(QStringLiteral("sys.cpu"), R"({"cores":[1,2,60],"a/b":{"x~y":2},"t\u00e9mp":31})", 2000);
    QCOMPARE(h.events.size(), 3);
    QCOMPARE(h.events.at(0).rule, QStringLiteral("core2"));
    QCOMPARE(h.events.at(0).value, 60.0);
    QCOMPARE(h.events.at(1).rule, QStringLiteral("deep"));
    QCOMPARE(h.events.at(2).rule, QStringLiteral("utf"));
    QCOMPARE(h.events.at(2).value, 31.0);
    deliver(QStringLiteral("n"), "7", 2100);
    QCOMPARE(h.events.size(), 4);
    QCOMPARE(h.events.at(3).value, 7.0);
    // A repeated key: the last one counts (as QJsonObject reads it).
    deliver(QStringLiteral("sys.cpu"), R"({"cores":[1,2,3],"t\u00e9mp":40,"t\u00e9mp":3})", 2200);
    QCOMPARE(h.events.size(), 6);
    QCOMPARE(h.events.at(4).rule, QStringLiteral("core2"));
    QCOMPARE(h.events.at(5).rule, QStringLiteral("utf"));
    QCOMPARE(h.events.at(5).type, Type::Cleared);
}

void tst_AlertEngine::nonNumbersAndMissingFieldsSkipped()
{
    Harness h({QStringLiteral("name=a channel=c field=/v/0 above=1")});
    for (const char *json : {R"({"v":["9"]})", R"({"v":{"0":9}})", R"({"v":[]})", R"({"w":[9]})", R"(9)",
                             R"({"v":[true]})", R"({"v":[null]})"}) {
        h.engine.message(QStringLiteral("c"), JsonView(*parseJsonValue(json)), 2000);
    }
    // {"v":{"0":9}}: a pointer step "0" reads member "0" of an object (RFC 6901).
    QCOMPARE(h.events.size(), 1);
    QCOMPARE(h.events.at(0).value, 9.0);
}

void tst_AlertEngine::samplesFeedFieldRules()
{
    Harness h(
        {QStringLiteral("name=a channel=c field=/x above=1"), QStringLiteral("name=q channel=c stale=1s")},
        0);
    h.engine.sample(QStringLiteral("c"), QStringLiteral("/x"), 2, 500);
    h.engine.sample(QStringLiteral("c"), QStringLiteral("/y"), 0, 600); // another field
    h.engine.sample(QStringLiteral("d"), QStringLiteral("/x"), 0, 700); // another channel
    QCOMPARE(h.events.size(), 1);
    h.engine.tick(1000); // samples are no messages: the channel is silent since start
    QCOMPARE(h.events.size(), 2);
    QCOMPARE(h.events.at(1).rule, QStringLiteral("q"));
}

void tst_AlertEngine::rulesSharingAFieldAndRateWithFor()
{
    // Three rules read /usage of one channel (the field is resolved once); another channel's rule
    // sees none of it.
    Harness h({QStringLiteral("name=warm channel=c field=/usage above=70"),
               QStringLiteral("name=hot severity=critical channel=c field=/usage above=90"),
               QStringLiteral("name=climb channel=c field=/usage rate-above=10/s for=2s"),
               QStringLiteral("name=other channel=d field=/usage above=0")},
              0);
    h.feed(QStringLiteral("c"), {0, 95}, 1000, 1000); // +95 in 1 s: the rate's for= starts
    QCOMPARE(h.events.size(), 2);
    QCOMPARE(h.events.at(0).rule, QStringLiteral("warm"));
    QCOMPARE(h.events.at(1).rule, QStringLiteral("hot"));
    h.feed(QStringLiteral("c"), {96}, 3000, 0); // +1 over the last 1 s: not climbing, for= is reset
    h.engine.tick(3400);
    QCOMPARE(h.events.size(), 2);
    h.feed(QStringLiteral("c"), {120, 140}, 3500, 1000); // climbing again from 3.5 s on (25/1.5 s, 20/s)
    QCOMPARE(h.events.size(), 2);                        // at 4.5 s it has held 1 s only
    h.engine.tick(5499);
    QCOMPARE(h.events.size(), 2);
    h.engine.tick(5500); // held 2 s with nothing against it
    QCOMPARE(h.events.size(), 3);
    QCOMPARE(h.events.at(2).rule, QStringLiteral("climb"));
    QCOMPARE(h.events.at(2).value, 20.0); // the last rate, (140 - 120) / 1 s
    QCOMPARE(h.events.at(2).ts, 5500);
}

void tst_AlertEngine::channelsAndActive()
{
    Harness h({QStringLiteral("name=a channel=sys.cpu field=/x above=1"),
               QStringLiteral("name=b channel=orders stale=1s"), QStringLiteral("name=c channel=audit gap"),
               QStringLiteral("name=d gap"), QStringLiteral("name=e source-down=1s")},
              0);
    QCOMPARE(h.engine.channels(),
             (QStringList{QStringLiteral("audit"), QStringLiteral("orders"), QStringLiteral("sys.cpu")}));
    h.engine.sample(QStringLiteral("sys.cpu"), QStringLiteral("/x"), 5, 100);
    QVERIFY(h.engine.isActive(QStringLiteral("a")));
    QVERIFY(!h.engine.isActive(QStringLiteral("b")));
    const QList<AlertEvent> active = h.engine.active();
    QCOMPARE(active.size(), 1);
    QCOMPARE(active.at(0).rule, QStringLiteral("a"));
    QCOMPARE(active.at(0).value, 5.0);
    QCOMPARE(active.at(0).ts, 100);
}

void tst_AlertEngine::eventJson()
{
    Harness h({QStringLiteral("name=cpu-hot severity=critical channel=sys.cpu field=/usage above=90"),
               QStringLiteral("name=down source-down=1s"), QStringLiteral("name=gaps gap hold=0s")},
              0);
    h.feed(QStringLiteral("sys.cpu"), {93.5}, 1700000000000, 0);
    QCOMPARE(
        QJsonDocument(alertEventJson(h.events.at(0))).toJson(QJsonDocument::Compact),
        QByteArray(
            R"({"channel":"sys.cpu","event":"alert","field":"/usage","kind":"above","rule":"cpu-hot",)"
            R"("severity":"critical","state":"raised","threshold":90,"ts":1700000000000,"value":93.5})"));
    h.engine.tick(1700000000000); // down since start (0)
    QCOMPARE(h.events.size(), 2);
    h.engine.connectionChanged(true, 1700000000001);
    QCOMPARE(h.events.size(), 3);
    QCOMPARE(QJsonDocument(alertEventJson(h.events.at(2))).toJson(QJsonDocument::Compact),
             QByteArray(R"({"event":"alert","kind":"source-down","rule":"down","severity":"warning",)"
                        R"("state":"cleared","threshold":1,"ts":1700000000001,"value":1700000000.001})"));
    h.engine.gap(QStringLiteral("x"), -1, 1700000000002);
    QCOMPARE(QJsonDocument(alertEventJson(h.events.at(3))).toJson(QJsonDocument::Compact),
             QByteArray(R"({"channel":"x","event":"alert","kind":"gap","rule":"gaps","severity":"warning",)"
                        R"("state":"raised","ts":1700000000002})"));
}

// A misspelt field watches nothing: said once per rule after the first kFieldChecks messages
// without it. A field that was there once and then is missing is an ordinary gap in the data.
void tst_AlertEngine::aFieldNeverThereIsSaidOnce()
{
    Harness h({QStringLiteral("name=typo channel=sys.cpu field=/total above=90"),
               QStringLiteral("name=typo2 channel=sys.cpu field=/total below=1"),
               QStringLiteral("name=ok channel=sys.cpu field=/usage above=90"),
               QStringLiteral("name=late channel=sys.cpu field=/late above=90")});
    QList<QPair<QString, QString>> problems;
    h.engine.setProblemHandler([&](const QString &rule, const QString &words) {
        problems.append({rule, words});
    });
    QList<double> nine(AlertEngine::kFieldChecks - 1, 50.0);
    h.feed(QStringLiteral("sys.cpu"), nine, 2000, 100);
    QCOMPARE(problems.size(), 0);
    // /late shows up in the tenth message: never said.
    h.engine.message(QStringLiteral("sys.cpu"),
                     JsonView(QJsonObject{{QLatin1StringView("usage"), 50}, {QLatin1StringView("late"), 1}}),
                     3000);
    QCOMPARE(problems.size(), 2);
    const QString words =
        QStringLiteral("field /total is not a number in any of the first 10 messages of sys.cpu: "
                       "the rule watches nothing until it is");
    QCOMPARE(problems.at(0), qMakePair(QStringLiteral("typo"), words));
    QCOMPARE(problems.at(1), qMakePair(QStringLiteral("typo2"), words));
    h.feed(QStringLiteral("sys.cpu"), QList<double>(30, 95.0), 4000, 100);
    QCOMPARE(problems.size(), 2); // once
    QCOMPARE(h.events.size(), 1); // the rule on /usage works meanwhile
    QCOMPARE(h.events.at(0).rule, QStringLiteral("ok"));
}

QTEST_GUILESS_MAIN(tst_AlertEngine)
#include "tst_alertengine.moc"
