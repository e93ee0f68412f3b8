// This machine's real figures from /proc, one channel per kind: sys.cpu (/proc/stat, busy
// percentages from the difference of two reads), sys.mem (/proc/meminfo), sys.net
// (/proc/net/dev, bytes and packets a second summed over every interface but loopback) and
// sys.load (/proc/loadavg). The parsers are pure functions so tests feed them known text.
#pragma once

#include "Feed.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QTimer>

#include <optional>

namespace Pulseboard {

class SystemFeed : public Feed
{
    Q_OBJECT
public:
    enum class Kind { Cpu, Memory, Network, Load };

    struct CpuTimes
    {
        quint64 user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
        quint64 total() const { return user + nice + system + idle + iowait + irq + softirq + steal; }
        quint64 idleAll() const { return idle + iowait; }
    };
    struct CpuSnapshot
    {
        CpuTimes all;
        QList<CpuTimes> cores;
    };
    struct NetCounters
    {
        quint64 rxBytes = 0, txBytes = 0, rxPackets = 0, txPackets = 0;
    };

    SystemFeed(Kind kind, int hz, QObject *parent = nullptr);

    static Kind kindFromChannel(const QString &channel);
    static QString channelOf(Kind kind);
    QStringList channels() const override { return {channelOf(m_kind)}; }
    void start() override;
    void stop() override;

    // Root of the proc tree (tests point it at a directory of their own).
    void setProcRoot(const QString &root) { m_procRoot = root; }
    // One reading now; for cpu and net the first call only primes the counters (no sample).
    std::optional<QJsonObject> read();

    static std::optional<CpuSnapshot> parseStat(const QByteArray &text);
    static QJsonObject cpuUsage(const CpuSnapshot &before, const CpuSnapshot &after);
    static std::optional<QJsonObject> parseMeminfo(const QByteArray &text);
    static std::optional<QHash<QString, NetCounters>> parseNetDev(const QByteArray &text);
    static QJsonObject netRates(const QHash<QString, NetCounters> &before,
                                const QHash<QString, NetCounters> &after, double seconds);
    static std::optional<QJsonObject> parseLoadavg(const QByteArray &text);

private:
    QByteArray readProc(const QString &relative) const;
    void tick();

    Kind m_kind;
    int m_intervalMs;
    QString m_procRoot = QStringLiteral("/proc");
    QTimer m_timer;
    std::optional<CpuSnapshot> m_lastCpu;
    std::optional<QHash<QString, NetCounters>> m_lastNet;
    QElapsedTimer m_sinceLastNet;
    bool m_warned = false;
};

} // namespace Pulseboard
