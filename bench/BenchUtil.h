// Shared pieces of the bench/ programs: process CPU and peak RSS from getrusage, the machine
// description every report starts with, child processes that print one RESULT line, and
// medians with ratios to the baseline measured in the same run.
#pragma once

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

class QProcess;

namespace Pulseboard::Bench {

// User + system CPU of this process so far.
double cpuSeconds();
// ru_maxrss of this process.
long peakRssKb();
// "1.23 0.98 0.70" from /proc/loadavg.
QString loadAverage();
// nproc, CPU model and load average, one line each.
void printMachine();

double median(QList<double> values);
// The q-quantile (0..1) of `values`, nearest rank.
double quantile(QList<double> values, double q);

// What /proc says about a process now.
struct ProcSample
{
    double cpu = 0;           // seconds, utime + stime
    quint64 switches = 0;     // context switches (voluntary + involuntary), all threads
    quint64 mainSwitches = 0; // the same, main thread only
    int threads = 0;
    long rssKb = 0;
};
ProcSample sampleProcess(qint64 pid);

// Waits for "listening <port>" on the child's stdout.
int readListeningPort(QProcess &process, int timeoutMs = 120000);
// Runs `program args`, forwards its stderr, returns the key=value fields of its RESULT line
// (empty when it failed or printed none).
QHash<QString, QString> runChild(const QString &program, const QStringList &args, int timeoutMs = 600000);

struct Result
{
    double rate = 0; // per second (messages, deliveries)
    double cpu = 0;  // seconds
    double rssKb = 0;
    double wall = 0;
};

// Medians per mode, and each mode's per-run ratio to the first mode's (the baseline's) same run.
void printSummary(const QHash<QString, QList<Result>> &results, const QStringList &modes, qint64 count,
                  const QString &rateUnit);

} // namespace Pulseboard::Bench
