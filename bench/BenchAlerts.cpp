// bench-alerts: what evaluating alert rules costs at benchmark 2's load (20 channels x 1 kHz).
// One process, no sockets: the frames a client would receive are pre-encoded, and each pass
// decodes every frame with the client's EnvelopeDecoder (the MessageSink path: the payload is a
// JsonView into the parsed frame). The baseline pass only decodes; the alerts pass also hands each
// payload to an AlertEngine holding --rules rules (level rules with for= and hysteresis, rate
// rules over a 250 ms window, stale rules, source-down, gap, outbox-age) and ticks it every 100 ms of
// simulated time. The values cross the thresholds and back, so rules raise and clear as they run.
// The figure is the difference of the two passes' CPU time per message (medians of --runs), and
// that times 20,000 messages a second as a share of one core.
//   bench-alerts [--runs 5] [--seconds 30] [--channels 20] [--rate 1000] [--rules 50]
#include "BenchUtil.h"

#include "alerts/AlertEngine.h"
#include "protocol/EnvelopeDecoder.h"
#include "protocol/MessageFrame.h"

#include <QCoreApplication>
#include <QStringList>

#include <cmath>
#include <cstdio>

using namespace Pulseboard;
using namespace Pulseboard::Bench;

namespace {

QStringList makeRules(int count, int channels)
{
    QStringList out;
    auto ch = [&](int i) { return QStringLiteral("bench.%1").arg(i % channels); };
    // Fixed ones first, then level, rate and stale rules spread over the channels in turn.
    out << QStringLiteral("name=down severity=critical source-down=60s")
        << QStringLiteral("name=gaps gap hold=10s") << QStringLiteral("name=stuck outbox-age=30s");
    for (int i = 0; out.size() < count; ++i) {
        // Channel and kind both vary, so every channel gets rules of several kinds.
        const QString channel = ch(i + i / channels);
        switch (i % 4) {
        case 0:
            out << QStringLiteral(
                       "name=hot-%1 severity=critical channel=%2 field=/v above=90 clear=85 for=2s")
                       .arg(i)
                       .arg(channel);
            break;
        case 1:
            out << QStringLiteral(
                       "name=drop-%1 channel=%2 field=/usage rate-below=-100/s clear=-20/s window=250ms")
                       .arg(i)
                       .arg(channel);
            break;
        case 2:
            out << QStringLiteral("name=core-%1 severity=info channel=%2 field=/cores/1 below=5 clear=10")
                       .arg(i)
                       .arg(channel);
            break;
        case 3:
            out << QStringLiteral("name=quiet-%1 channel=%2 stale=5s").arg(i).arg(channel);
            break;
        }
    }
    return out;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    int runs = 5, seconds = 30, channels = 20, rate = 1000, ruleCount = 50;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        const int v = args.at(i + 1).toInt();
        if (args.at(i) == u"--runs")
            runs = v;
        else if (args.at(i) == u"--seconds")
            seconds = v;
        else if (args.at(i) == u"--channels")
            channels = v;
        else if (args.at(i) == u"--rate")
            rate = v;
        else if (args.at(i) == u"--rules")
            ruleCount = v;
    }
    if (runs < 1 || seconds < 1 || channels < 1 || rate < 1 || ruleCount < 3) {
        std::fprintf(stderr, "bench-alerts: bad arguments\n");
        return 2;
    }
    printMachine();

    QList<AlertRule> rules;
    QString error;
    if (!parseAlertRules(makeRules(ruleCount, channels), &rules, &error)) {
        std::fprintf(stderr, "bench-alerts: %s\n", qPrintable(error));
        return 1;
    }
    // One second of frames per channel (rate each), replayed `seconds` times: a slow sine of
    // period 1 s on /v (crossing 90 and 85), another on /usage (falling faster than 100/s over
    // 250 ms), and an array.
    QList<QByteArray> frames;
    QList<QString> channelNames;
    for (int c = 0; c < channels; ++c)
        channelNames << QStringLiteral("bench.%1").arg(c);
    for (int k = 0; k < rate; ++k) {
        for (int c = 0; c < channels; ++c) {
            const double phase = 2 * M_PI * double(k) / rate + c;
            const QByteArray data =
                QByteArrayLiteral("{\"v\":") + QByteArray::number(50 + 45 * std::sin(phase), 'f', 3) +
                ",\"usage\":" + QByteArray::number(50 + 40 * std::cos(phase), 'f', 2) + ",\"cores\":[12.5," +
                QByteArray::number(2 + 10 * std::fabs(std::cos(phase)), 'f', 2) + ",40],\"label\":\"ok\"}";
            frames << encodeMessageFrame(channelNames.at(c), qint64(k) + 1, 1700000000000 + k, data);
        }
    }
    const qint64 messages = qint64(seconds) * rate * channels;
    std::printf("load: %d channels x %d Hz for %d s simulated (%lld messages), %d rules, %d runs\n", channels,
                rate, seconds, static_cast<long long>(messages), int(rules.size()), runs);

    qint64 raised = 0, cleared = 0;
    auto pass = [&](bool withEngine) {
        EnvelopeDecoder decoder;
        AlertEngine engine(rules);
        engine.setHandler(
            [&](const AlertEvent &e) { (e.type == AlertEvent::Type::Raised ? raised : cleared)++; });
        qint64 now = 1700000000000;
        engine.start(now);
        engine.connectionChanged(true, now);
        double checksum = 0;
        const double cpu0 = cpuSeconds();
        for (int s = 0; s < seconds; ++s) {
            for (int k = 0; k < rate; ++k) {
                now = 1700000000000 + qint64(s) * 1000 + qint64(k) * 1000 / rate;
                for (int c = 0; c < channels; ++c) {
                    decoder.setFrame(QByteArrayView(frames.at(k * channels + c)));
                    Envelope env;
                    MessageView view;
                    if (decoder.decode(env, view) != EnvelopeDecoder::Result::Message)
                        return -1.0;
                    if (withEngine)
                        engine.message(channelNames.at(c), view.data, now);
                    else
                        checksum += view.data.isObject() ? 1 : 0;
                }
                if (withEngine && k % (rate / 10 > 0 ? rate / 10 : 1) == 0) {
                    engine.outboxAge(-1, now);
                    engine.tick(now);
                }
            }
        }
        const double cpu = cpuSeconds() - cpu0;
        if (checksum < 0)
            std::printf("%f\n", checksum);
        return cpu;
    };

    QList<double> base, alerts, diffs;
    for (int r = 0; r < runs; ++r) {
        double b = 0, a = 0;
        if (r % 2 == 0) {
            b = pass(false);
            a = pass(true);
        } else {
            a = pass(true);
            b = pass(false);
        }
        base << b;
        alerts << a;
        diffs << a - b;
        std::printf("run %d: decode only %.3f s CPU (%.0f ns/msg), decode + alerts %.3f s CPU (%.0f ns/msg), "
                    "alerts %.0f ns/msg\n",
                    r + 1, b, b * 1e9 / double(messages), a, a * 1e9 / double(messages),
                    (a - b) * 1e9 / double(messages));
    }
    const double perMessage = median(diffs) / double(messages);
    const double loadPerSecond = double(channels) * rate;
    std::printf("alert events per alerts pass: %lld raised, %lld cleared\n",
                static_cast<long long>(raised / runs), static_cast<long long>(cleared / runs));
    std::printf("median: decode only %.0f ns/msg, decode + alerts %.0f ns/msg\n",
                median(base) * 1e9 / double(messages), median(alerts) * 1e9 / double(messages));
    std::printf(
        "RESULT alerts_ns_per_message=%.0f core_percent_at_load=%.3f rules=%d messages_per_second=%.0f\n",
        perMessage * 1e9, perMessage * loadPerSecond * 100.0, int(rules.size()), loadPerSecond);
    return 0;
}
