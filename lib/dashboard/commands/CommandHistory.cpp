#include "CommandHistory.h"

#include "dashboard/connection/OutboxModel.h"
#include "protocol/Clock.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSaveFile>

namespace Pulseboard {

namespace {

bool isPending(const QString &status)
{
    return status == QLatin1StringView("queued") || status == QLatin1StringView("sent");
}

} // namespace

CommandHistory::CommandHistory(const QString &file, int maxEntries, QObject *parent)
    : QAbstractListModel(parent), m_path(file), m_max(qMax(1, maxEntries))
{
    if (!m_path.isEmpty())
        load();
}

CommandHistory::~CommandHistory() = default;

void CommandHistory::attach(OutboxModel *outbox)
{
    connect(outbox, &OutboxModel::statusReported, this,
            [this](const QString &id, int status, const QString &detail) {
                update(id, OutboxModel::statusName(OutboxModel::Status(status)), detail);
            });
}

int CommandHistory::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

QVariant CommandHistory::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_entries.size())
        return QVariant();
    const Entry &e = m_entries.at(index.row());
    switch (role) {
    case RunIdRole:
        return e.runId;
    case TimeMsRole:
        return e.timeMs;
    case Qt::DisplayRole:
    case NameRole:
        return e.name;
    case KindRole:
        return e.kind;
    case TargetRole:
        return e.target;
    case PayloadRole:
        return e.payload;
    case MessageIdRole:
        return e.messageId;
    case StatusRole:
        return e.status;
    case DetailRole:
        return e.detail;
    case EarlierRunRole:
        return e.earlierRun;
    default:
        return QVariant();
    }
}

QHash<int, QByteArray> CommandHistory::roleNames() const
{
    return {{RunIdRole, "runId"},         {TimeMsRole, "timeMs"},
            {NameRole, "name"},           {KindRole, "kind"},
            {TargetRole, "target"},       {PayloadRole, "payload"},
            {MessageIdRole, "messageId"}, {StatusRole, "status"},
            {DetailRole, "detail"},       {EarlierRunRole, "earlierRun"}};
}

QString CommandHistory::record(const QString &name, const QString &kind, const QString &target,
                               const QString &payload, const QString &messageId, const QString &status,
                               const QString &detail)
{
    Entry e;
    const qint64 now = Clock::current().wallMs();
    e.runId = QStringLiteral("run-%1-%2")
                  .arg(now)
                  .arg(QRandomGenerator::global()->generate() & 0xffffff, 6, 16, QLatin1Char('0'));
    e.timeMs = now;
    e.name = name;
    e.kind = kind;
    e.target = target;
    e.payload = payload;
    e.messageId = messageId;
    e.status = status;
    e.detail = detail;
    beginInsertRows(QModelIndex(), 0, 0);
    m_entries.prepend(e);
    endInsertRows();
    // The oldest go first; one still on its way stays until it settles, as in the Outbox.
    for (int i = int(m_entries.size()) - 1; i >= 0 && m_entries.size() > m_max; --i) {
        if (isPending(m_entries.at(i).status))
            continue;
        beginRemoveRows(QModelIndex(), i, i);
        m_entries.removeAt(i);
        endRemoveRows();
    }
    append(e);
    Q_EMIT countChanged();
    return e.runId;
}

void CommandHistory::update(const QString &messageId, const QString &status, const QString &detail)
{
    if (messageId.isEmpty())
        return;
    for (int i = 0; i < m_entries.size(); ++i) {
        Entry &e = m_entries[i];
        if (e.messageId != messageId)
            continue;
        if (e.status == status && e.detail == detail)
            return;
        // A settled run stays settled: a late poll does not take it back to sent.
        if (!isPending(e.status) && isPending(status))
            return;
        e.status = status;
        e.detail = detail;
        append(e);
        Q_EMIT dataChanged(index(i), index(i), {StatusRole, DetailRole});
        return;
    }
}

QVariantMap CommandHistory::entry(const QString &runId) const
{
    for (const Entry &e : m_entries) {
        if (e.runId != runId)
            continue;
        return {{QStringLiteral("runId"), e.runId},         {QStringLiteral("timeMs"), e.timeMs},
                {QStringLiteral("name"), e.name},           {QStringLiteral("kind"), e.kind},
                {QStringLiteral("target"), e.target},       {QStringLiteral("payload"), e.payload},
                {QStringLiteral("messageId"), e.messageId}, {QStringLiteral("status"), e.status},
                {QStringLiteral("detail"), e.detail},       {QStringLiteral("earlierRun"), e.earlierRun}};
    }
    return {};
}

QString CommandHistory::runOf(const QString &messageId) const
{
    for (const Entry &e : m_entries)
        if (!messageId.isEmpty() && e.messageId == messageId)
            return e.runId;
    return QString();
}

QByteArray CommandHistory::toLine(const Entry &e)
{
    QJsonObject o{{QStringLiteral("run"), e.runId},     {QStringLiteral("t"), e.timeMs},
                  {QStringLiteral("name"), e.name},     {QStringLiteral("kind"), e.kind},
                  {QStringLiteral("target"), e.target}, {QStringLiteral("payload"), e.payload},
                  {QStringLiteral("id"), e.messageId},  {QStringLiteral("status"), e.status},
                  {QStringLiteral("detail"), e.detail}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

void CommandHistory::load()
{
    QFile in(m_path);
    QList<Entry> read; // oldest first, by first appearance
    QHash<QString, qsizetype> at;
    int bad = 0;
    int firstBad = 0;
    if (in.exists()) {
        if (!in.open(QIODevice::ReadOnly)) {
            setProblem(QStringLiteral("cannot read the command history %1: %2; runs are kept in memory only")
                           .arg(m_path, in.errorString()));
            m_path.clear();
            return;
        }
        int lineNo = 0;
        while (!in.atEnd()) {
            const QByteArray line = in.readLine();
            ++lineNo;
            if (line.trimmed().isEmpty())
                continue;
            QJsonParseError error;
            const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
            const QJsonObject o = doc.object();
            const QString runId = o.value(QStringLiteral("run")).toString();
            if (error.error != QJsonParseError::NoError || !doc.isObject() || runId.isEmpty() ||
                !o.value(QStringLiteral("name")).isString() ||
                !o.value(QStringLiteral("status")).isString()) {
                if (!bad++)
                    firstBad = lineNo;
                continue;
            }
            ++m_lines;
            Entry e;
            e.runId = runId;
            e.timeMs = qint64(o.value(QStringLiteral("t")).toDouble());
            e.name = o.value(QStringLiteral("name")).toString();
            e.kind = o.value(QStringLiteral("kind")).toString();
            e.target = o.value(QStringLiteral("target")).toString();
            e.payload = o.value(QStringLiteral("payload")).toString();
            e.messageId = o.value(QStringLiteral("id")).toString();
            e.status = o.value(QStringLiteral("status")).toString();
            e.detail = o.value(QStringLiteral("detail")).toString();
            e.earlierRun = true;
            const auto found = at.constFind(runId);
            if (found != at.cend()) {
                read[*found] = e;
            } else {
                at.insert(runId, read.size());
                read.append(e);
            }
        }
        in.close();
    }
    for (auto it = read.crbegin(); it != read.crend(); ++it) {
        m_entries.append(*it);
        if (isPending(it->status))
            m_entries.last().detail = QStringLiteral("still on its way when the dashboard last closed");
    }
    while (m_entries.size() > m_max)
        m_entries.removeLast();
    if (bad > 0) {
        // Set aside as it is (someone may want to read it), and the runs it held start a new file.
        const QString aside = m_path + QStringLiteral(".corrupt-") +
                              QDateTime::fromMSecsSinceEpoch(Clock::current().wallMs())
                                  .toString(QStringLiteral("yyyyMMdd-hhmmss"));
        QFile::remove(aside);
        const bool moved = QFile::rename(m_path, aside);
        setProblem(QStringLiteral(
                       "the command history %1 had %2 unreadable line(s) (the first is line %3): %4; the %5 "
                       "run(s) it could read are kept")
                       .arg(m_path)
                       .arg(bad)
                       .arg(firstBad)
                       .arg(moved ? QStringLiteral("the file was set aside as %1").arg(aside)
                                  : QStringLiteral("it could not be set aside, and is rewritten"))
                       .arg(m_entries.size()));
        qWarning("pulseboard: %s", qPrintable(m_problem));
        rewrite();
        return;
    }
    if (m_lines > 2 * qint64(m_max))
        rewrite();
    else
        openForAppend();
}

bool CommandHistory::openForAppend()
{
    if (m_path.isEmpty())
        return false;
    if (m_file.isOpen())
        return true;
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    m_file.setFileName(m_path);
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Append)) {
        setProblem(QStringLiteral("cannot write the command history %1: %2; runs are kept in memory only")
                       .arg(m_path, m_file.errorString()));
        qWarning("pulseboard: %s", qPrintable(m_problem));
        return false;
    }
    return true;
}

void CommandHistory::append(const Entry &e)
{
    if (m_path.isEmpty())
        return;
    if (m_lines >= 2 * qint64(m_max) + 100) {
        rewrite(); // writes `e` as it is now, with the rest
        return;
    }
    if (!openForAppend())
        return;
    const QByteArray line = toLine(e);
    if (m_file.write(line) != line.size() || !m_file.flush()) {
        setProblem(QStringLiteral("cannot write the command history %1: %2; runs are kept in memory only")
                       .arg(m_path, m_file.errorString()));
        qWarning("pulseboard: %s", qPrintable(m_problem));
        m_file.close();
        m_path.clear();
        return;
    }
    ++m_lines;
}

void CommandHistory::rewrite()
{
    m_file.close();
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QSaveFile out(m_path);
    qint64 lines = 0;
    if (out.open(QIODevice::WriteOnly)) {
        for (auto it = m_entries.crbegin(); it != m_entries.crend(); ++it) {
            Entry e = *it;
            if (e.earlierRun && isPending(e.status))
                e.detail.clear(); // the mark is this run's reading, not what the run said
            out.write(toLine(e));
            ++lines;
        }
    }
    if (!out.isOpen() || !out.commit()) {
        setProblem(QStringLiteral("cannot write the command history %1: %2; runs are kept in memory only")
                       .arg(m_path, out.errorString()));
        qWarning("pulseboard: %s", qPrintable(m_problem));
        m_path.clear();
        return;
    }
    m_lines = lines;
    openForAppend();
}

void CommandHistory::setProblem(const QString &text)
{
    // The first problem is the one to read (a set-aside file stays said after a later write).
    if (!m_problem.isEmpty() && !text.isEmpty())
        m_problem += QStringLiteral("; ") + text;
    else
        m_problem = text;
    Q_EMIT problemChanged();
}

} // namespace Pulseboard
