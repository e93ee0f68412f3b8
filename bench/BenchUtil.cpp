#include "BenchUtil.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QThread>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace Pulseboard::Bench {

double cpuSeconds()
{
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

long peakRssKb()
{
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

QString loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("?");
    const QList<QByteArray> parts = f.readAll().split(' ');
    QStringList first;
    for (int i = 0; i < 3 && i < parts.size(); ++i)
        first.append(QString::fromLatin1(parts.at(i)));
    return first.join(QLatin1Char(' '));
}

void printMachine()
{
    QString model = QStringLiteral("unknown");
    QFile f(QStringLiteral("/proc/cpuinfo"));
    if (f.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : f.readAll().split('\n')) {
            if (line.startsWith("model name")) {
                model = QString::fromLatin1(line.mid(line.indexOf(':') + 1).trimmed());
                break;
            }
        }
    }
    std::printf("machine: nproc %d, CPU %s, load average %s\n", QThread::idealThreadCount(),
                qPrintable(model), qPrintable(loadAverage()));
}

double median(QList<double> values)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    return n % 2 ? values.at(n / 2) : (values.at(n / 2 - 1) + values.at(n / 2)) / 2;
}

double quantile(QList<double> values, double q)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype rank =
        std::clamp<qsizetype>(qsizetype(std::ceil(q * double(values.size()))), 1, values.size());
    return values.at(rank - 1);
}

ProcSample sampleProcess(qint64 pid)
{
    ProcSample s;
    const QString base = QStringLiteral("/proc/%1").arg(pid);
    QFile stat(base + QStringLiteral("/stat"));
    if (stat.open(QIODevice::ReadOnly)) {
        const QByteArray line = stat.readAll();
        // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
        const QList<QByteArray> f = line.mid(line.lastIndexOf(')') + 2).split(' ');
        if (f.size() > 13)
            s.cpu = double(f.at(11).toLongLong() + f.at(12).toLongLong()) / double(::sysconf(_SC_CLK_TCK));
    }
    const QStringList tasks =
        QDir(base + QStringLiteral("/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    s.threads = int(tasks.size());
    for (const QString &task : tasks) {
        QFile status(base + QStringLiteral("/task/") + task + QStringLiteral("/status"));
        if (!status.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray &l : status.readAll().split('\n')) {
            if (l.startsWith("voluntary_ctxt_switches:") || l.startsWith("nonvoluntary_ctxt_switches:")) {
                const quint64 n = l.mid(l.indexOf(':') + 1).trimmed().toULongLong();
                s.switches += n;
                if (task.toLongLong() == pid)
                    s.mainSwitches += n;
            }
        }
    }
    QFile status(base + QStringLiteral("/status"));
    if (status.open(QIODevice::ReadOnly)) {
        for (const QByteArray &l : status.readAll().split('\n')) {
            if (l.startsWith("VmRSS:"))
                s.rssKb = l.mid(6).trimmed().split(' ').value(0).toLong();
        }
    }
    return s;
}

int readListeningPort(QProcess &process, int timeoutMs)
{
    if (!process.waitForStarted(10000))
        return -1;
    while (!process.canReadLine()) {
        if (!process.waitForReadyRead(timeoutMs))
            return -1;
    }
    const QByteArray line = process.readLine().trimmed();
    if (!line.startsWith("listening "))
        return -1;
    return line.mid(10).toInt();
}

QHash<QString, QString> runChild(const QString &program, const QStringList &args, int timeoutMs)
{
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(program, args);
    if (!child.waitForFinished(timeoutMs)) {
        child.kill();
        child.waitForFinished(5000);
        return {};
    }
    QHash<QString, QString> fields;
    for (const QByteArray &line : child.readAllStandardOutput().split('\n')) {
        if (!line.startsWith("RESULT "))
            continue;
        for (const QByteArray &pair : line.mid(7).split(' ')) {
            const qsizetype eq = pair.indexOf('=');
            if (eq > 0)
                fields.insert(QString::fromUtf8(pair.left(eq)), QString::fromUtf8(pair.mid(eq + 1)));
        }
    }
    if (child.exitStatus() != QProcess::NormalExit || child.exitCode() != 0)
        return {};
    return fields;
}

void printSummary(const QHash<QString, QList<Result>> &results, const QStringList &modes, qint64 count,
                  const QString &rateUnit)
{
    const QList<Result> &base = results.value(modes.first());
    std::printf("\nmedians of %lld runs (ratio: the mode / %s of the same run, then the median of those)\n",
                static_cast<long long>(base.size()), qPrintable(modes.first()));
    std::printf("%-10s %12s %8s %10s %10s %9s %12s\n", "mode", qPrintable(rateUnit), "ratio", "cpu s",
                "us/msg", "cpu ratio", "peak RSS MiB");
    for (const QString &mode : modes) {
        const QList<Result> &rs = results.value(mode);
        QList<double> rate, cpu, rss, rateRatio, cpuRatio;
        for (qsizetype i = 0; i < rs.size(); ++i) {
            rate.append(rs.at(i).rate);
            cpu.append(rs.at(i).cpu);
            rss.append(rs.at(i).rssKb / 1024.0);
            if (i < base.size() && base.at(i).rate > 0 && base.at(i).cpu > 0) {
                rateRatio.append(rs.at(i).rate / base.at(i).rate);
                cpuRatio.append(rs.at(i).cpu / base.at(i).cpu);
            }
        }
        std::printf("%-10s %12.0f %8.2f %10.3f %10.2f %9.2f %12.1f\n", qPrintable(mode), median(rate),
                    median(rateRatio), median(cpu), median(cpu) / double(count) * 1e6, median(cpuRatio),
                    median(rss));
    }
    std::fflush(stdout);
}

} // namespace Pulseboard::Bench
