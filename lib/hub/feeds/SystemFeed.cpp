#include "SystemFeed.h"

#include "hub/HubLogging.h"

#include <QFile>
#include <QJsonArray>

#include <cmath>

namespace Pulseboard {

namespace {

double percent(quint64 part, quint64 whole)
{
    return whole == 0 ? 0.0 : std::round(1000.0 * double(part) / double(whole)) / 10.0;
}

quint64 delta(quint64 after, quint64 before)
{
    return after >= before ? after - before : 0; // counters that went back (reset) count as 0
}

QList<QByteArray> fields(const QByteArray &line)
{
    QList<QByteArray> out;
    for (const QByteArray &f : line.simplified().split(' ')) {
        if (!f.isEmpty())
            out.append(f);
    }
    return out;
}

} // namespace

SystemFeed::SystemFeed(Kind kind, int hz, QObject *parent)
    : Feed(parent), m_kind(kind), m_intervalMs(1000 / qBound(1, hz, 10))
{
    m_timer.setInterval(m_intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &SystemFeed::tick);
}

SystemFeed::Kind SystemFeed::kindFromChannel(const QString &channel)
{
    if (channel == QLatin1StringView("sys.mem"))
        return Kind::Memory;
    if (channel == QLatin1StringView("sys.net"))
        return Kind::Network;
    if (channel == QLatin1StringView("sys.load"))
        return Kind::Load;
    return Kind::Cpu;
}

QString SystemFeed::channelOf(Kind kind)
{
    switch (kind) {
    case Kind::Cpu:
        return QStringLiteral("sys.cpu");
    case Kind::Memory:
        return QStringLiteral("sys.mem");
    case Kind::Network:
        return QStringLiteral("sys.net");
    case Kind::Load:
        return QStringLiteral("sys.load");
    }
    return QString();
}

void SystemFeed::start()
{
    read(); // primes the cpu and net counters so the first tick already has a difference
    m_timer.start();
}

void SystemFeed::stop()
{
    m_timer.stop();
}

QByteArray SystemFeed::readProc(const QString &relative) const
{
    // /proc files report size 0: read until the end instead of trusting size().
    QFile file(m_procRoot + QLatin1Char('/') + relative);
    if (!file.open(QIODevice::ReadOnly))
        return QByteArray();
    return file.readAll();
}

void SystemFeed::tick()
{
    const std::optional<QJsonObject> sample = read();
    if (sample) {
        Q_EMIT this->sample(channelOf(m_kind), *sample);
        m_warned = false;
    } else if (!m_warned && !(m_kind == Kind::Cpu && !m_lastCpu) &&
               !(m_kind == Kind::Network && !m_lastNet)) {
        m_warned = true;
        qCWarning(lcHub).noquote() << "feed" << channelOf(m_kind) << "cannot read" << m_procRoot
                                   << "; no samples until it can";
    }
}

std::optional<QJsonObject> SystemFeed::read()
{
    switch (m_kind) {
    case Kind::Cpu: {
        const auto now = parseStat(readProc(QStringLiteral("stat")));
        if (!now)
            return std::nullopt;
        const auto before = m_lastCpu;
        m_lastCpu = now;
        if (!before)
            return std::nullopt;
        return cpuUsage(*before, *now);
    }
    case Kind::Memory:
        return parseMeminfo(readProc(QStringLiteral("meminfo")));
    case Kind::Network: {
        const auto now = parseNetDev(readProc(QStringLiteral("net/dev")));
        if (!now)
            return std::nullopt;
        const auto before = m_lastNet;
        const double seconds = m_sinceLastNet.isValid() ? double(m_sinceLastNet.nsecsElapsed()) / 1e9 : 0.0;
        m_lastNet = now;
        m_sinceLastNet.start();
        if (!before || seconds <= 0)
            return std::nullopt;
        return netRates(*before, *now, seconds);
    }
    case Kind::Load:
        return parseLoadavg(readProc(QStringLiteral("loadavg")));
    }
    return std::nullopt;
}

std::optional<SystemFeed::CpuSnapshot> SystemFeed::parseStat(const QByteArray &text)
{
    CpuSnapshot snap;
    bool haveAll = false;
    for (const QByteArray &line : text.split('\n')) {
        if (!line.startsWith("cpu"))
            continue;
        const QList<QByteArray> f = fields(line);
        if (f.size() < 5)
            return std::nullopt;
        CpuTimes t;
        quint64 *targets[] = {&t.user, &t.nice, &t.system, &t.idle, &t.iowait, &t.irq, &t.softirq, &t.steal};
        for (int i = 0; i < 8 && i + 1 < f.size(); ++i) {
            bool ok = false;
            *targets[i] = f.at(i + 1).toULongLong(&ok);
            if (!ok)
                return std::nullopt;
        }
        if (f.at(0) == "cpu") {
            snap.all = t;
            haveAll = true;
        } else {
            snap.cores.append(t);
        }
    }
    if (!haveAll)
        return std::nullopt;
    return snap;
}

QJsonObject SystemFeed::cpuUsage(const CpuSnapshot &before, const CpuSnapshot &after)
{
    auto usage = [](const CpuTimes &b, const CpuTimes &a) {
        const quint64 total = delta(a.total(), b.total());
        return std::pair{total, delta(a.idleAll(), b.idleAll())};
    };
    const auto [total, idle] = usage(before.all, after.all);
    QJsonObject o;
    o.insert(QLatin1StringView("total"), percent(total - qMin(idle, total), total));
    o.insert(QLatin1StringView("user"),
             percent(delta(after.all.user + after.all.nice, before.all.user + before.all.nice), total));
    o.insert(QLatin1StringView("system"),
             percent(delta(after.all.system + after.all.irq + after.all.softirq,
                           before.all.system + before.all.irq + before.all.softirq),
                     total));
    o.insert(QLatin1StringView("iowait"), percent(delta(after.all.iowait, before.all.iowait), total));
    o.insert(QLatin1StringView("steal"), percent(delta(after.all.steal, before.all.steal), total));
    QJsonArray cores;
    const qsizetype n = qMin(before.cores.size(), after.cores.size());
    for (qsizetype i = 0; i < n; ++i) {
        const auto [t, idl] = usage(before.cores.at(i), after.cores.at(i));
        cores.append(percent(t - qMin(idl, t), t));
    }
    o.insert(QLatin1StringView("cores"), cores);
    return o;
}

std::optional<QJsonObject> SystemFeed::parseMeminfo(const QByteArray &text)
{
    QHash<QByteArray, quint64> kib;
    for (const QByteArray &line : text.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QList<QByteArray> f = fields(line.mid(colon + 1));
        if (f.isEmpty())
            continue;
        bool ok = false;
        const quint64 value = f.at(0).toULongLong(&ok);
        if (ok)
            kib.insert(line.left(colon), value);
    }
    if (!kib.contains("MemTotal") || kib.value("MemTotal") == 0)
        return std::nullopt;
    const quint64 total = kib.value("MemTotal") * 1024;
    // MemAvailable (Linux 3.14+) is the kernel's own estimate; older kernels: free + caches.
    const quint64 available =
        kib.contains("MemAvailable")
            ? kib.value("MemAvailable") * 1024
            : (kib.value("MemFree") + kib.value("Buffers") + kib.value("Cached")) * 1024;
    const quint64 used = total - qMin(available, total);
    const quint64 swapTotal = kib.value("SwapTotal") * 1024;
    const quint64 swapUsed = swapTotal - qMin(kib.value("SwapFree") * 1024, swapTotal);
    QJsonObject o;
    o.insert(QLatin1StringView("totalBytes"), double(total));
    o.insert(QLatin1StringView("availableBytes"), double(available));
    o.insert(QLatin1StringView("usedBytes"), double(used));
    o.insert(QLatin1StringView("usedPercent"), percent(used, total));
    o.insert(QLatin1StringView("cachedBytes"), double(kib.value("Cached") * 1024));
    o.insert(QLatin1StringView("swapTotalBytes"), double(swapTotal));
    o.insert(QLatin1StringView("swapUsedBytes"), double(swapUsed));
    return o;
}

std::optional<QHash<QString, SystemFeed::NetCounters>> SystemFeed::parseNetDev(const QByteArray &text)
{
    QHash<QString, NetCounters> out;
    bool sawHeader = false;
    for (const QByteArray &line : text.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (line.contains('|')) {
            sawHeader = true;
            continue;
        }
        if (colon <= 0)
            continue;
        const QList<QByteArray> f = fields(line.mid(colon + 1));
        if (f.size() < 16)
            return std::nullopt;
        NetCounters c;
        c.rxBytes = f.at(0).toULongLong();
        c.rxPackets = f.at(1).toULongLong();
        c.txBytes = f.at(8).toULongLong();
        c.txPackets = f.at(9).toULongLong();
        out.insert(QString::fromLatin1(line.left(colon).trimmed()), c);
    }
    if (!sawHeader)
        return std::nullopt;
    return out;
}

QJsonObject SystemFeed::netRates(const QHash<QString, NetCounters> &before,
                                 const QHash<QString, NetCounters> &after, double seconds)
{
    double rx = 0, tx = 0, rxp = 0, txp = 0;
    QJsonObject interfaces;
    QStringList names = after.keys();
    names.sort();
    for (const QString &name : std::as_const(names)) {
        if (!before.contains(name))
            continue;
        const NetCounters &a = after.value(name);
        const NetCounters &b = before.value(name);
        const double r = double(delta(a.rxBytes, b.rxBytes)) / seconds;
        const double t = double(delta(a.txBytes, b.txBytes)) / seconds;
        QJsonObject i;
        i.insert(QLatin1StringView("rxBytesPerSec"), std::round(r));
        i.insert(QLatin1StringView("txBytesPerSec"), std::round(t));
        interfaces.insert(name, i);
        if (name == QLatin1StringView("lo"))
            continue; // loopback traffic never leaves the machine
        rx += r;
        tx += t;
        rxp += double(delta(a.rxPackets, b.rxPackets)) / seconds;
        txp += double(delta(a.txPackets, b.txPackets)) / seconds;
    }
    QJsonObject o;
    o.insert(QLatin1StringView("rxBytesPerSec"), std::round(rx));
    o.insert(QLatin1StringView("txBytesPerSec"), std::round(tx));
    o.insert(QLatin1StringView("rxPacketsPerSec"), std::round(rxp));
    o.insert(QLatin1StringView("txPacketsPerSec"), std::round(txp));
    o.insert(QLatin1StringView("interfaces"), interfaces);
    return o;
}

std::optional<QJsonObject> SystemFeed::parseLoadavg(const QByteArray &text)
{
    const QList<QByteArray> f = fields(text);
    if (f.size() < 4)
        return std::nullopt;
    bool ok1 = false, ok5 = false, ok15 = false;
    const double l1 = f.at(0).toDouble(&ok1), l5 = f.at(1).toDouble(&ok5), l15 = f.at(2).toDouble(&ok15);
    const QList<QByteArray> procs = f.at(3).split('/');
    if (!ok1 || !ok5 || !ok15 || procs.size() != 2)
        return std::nullopt;
    QJsonObject o;
    o.insert(QLatin1StringView("load1"), l1);
    o.insert(QLatin1StringView("load5"), l5);
    o.insert(QLatin1StringView("load15"), l15);
    o.insert(QLatin1StringView("running"), procs.at(0).toInt());
    o.insert(QLatin1StringView("tasks"), procs.at(1).toInt());
    return o;
}

} // namespace Pulseboard
