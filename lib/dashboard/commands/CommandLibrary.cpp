#include "CommandLibrary.h"

#include "dashboard/shell/DashboardSettings.h"

#include <QJsonDocument>
#include <algorithm>

namespace Pulseboard {

CommandLibrary::CommandLibrary(DashboardSettings *settings, QObject *parent)
    : QAbstractListModel(parent), m_settings(settings)
{
    if (!m_settings || !m_settings->isReadable())
        return;
    const QByteArray saved = m_settings->savedCommands();
    if (saved.isEmpty())
        return;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(saved, &parseError);
    QStringList warnings;
    QString error;
    QList<CommandTemplate> user;
    if (parseError.error != QJsonParseError::NoError || !doc.isArray()) {
        error = QStringLiteral("not a JSON array");
    } else if (!CommandTemplate::listFromJson(doc.array(), QStringLiteral("commands"), &user, &warnings,
                                              &error)) {
        user.clear();
    }
    if (!error.isEmpty()) {
        // Kept where a person can get it back; the library starts without them.
        m_settings->setUnreadableCommands(saved);
        m_settings->setSavedCommands(QByteArray());
        setProblem(QStringLiteral("the saved commands could not be read (%1); they were moved to the setting "
                                  "commands/unreadable")
                       .arg(error));
        qWarning("pulseboard: %s", qPrintable(m_problem));
        return;
    }
    for (const QString &w : std::as_const(warnings))
        qWarning("pulseboard: saved commands: %s", qPrintable(w));
    reset(m_config, user);
}

int CommandLibrary::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_config.size() + m_user.size());
}

const CommandTemplate &CommandLibrary::at(int row) const
{
    return isConfigRow(row) ? m_config.at(row) : m_user.at(row - m_config.size());
}

QVariant CommandLibrary::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return QVariant();
    const CommandTemplate &t = at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return t.name;
    case KindRole:
        return t.kindName();
    case TargetRole:
        return t.target;
    case PayloadRole:
        return t.payload;
    case ParamsRole: {
        QVariantList params;
        for (const CommandParam &p : t.params)
            params.append(QVariantMap{{QStringLiteral("name"), p.name},
                                      {QStringLiteral("label"), p.label.isEmpty() ? p.name : p.label},
                                      {QStringLiteral("hasDefault"), bool(p.defaultValue)},
                                      {QStringLiteral("default"), p.defaultValue.value_or(QString())}});
        return params;
    }
    case DangerousRole:
        return t.dangerous;
    case ShortcutRole:
        return m_shortcuts.value(index.row());
    case ReadOnlyRole:
        return isConfigRow(index.row());
    case DescriptionRole:
        return t.description;
    default:
        return QVariant();
    }
}

QHash<int, QByteArray> CommandLibrary::roleNames() const
{
    return {{NameRole, "name"},         {KindRole, "kind"},         {TargetRole, "target"},
            {PayloadRole, "payload"},   {ParamsRole, "params"},     {DangerousRole, "dangerous"},
            {ShortcutRole, "shortcut"}, {ReadOnlyRole, "readOnly"}, {DescriptionRole, "description"}};
}

void CommandLibrary::setConfigCommands(const QList<CommandTemplate> &commands)
{
    QStringList clashes;
    for (const CommandTemplate &u : std::as_const(m_user))
        for (const CommandTemplate &c : commands)
            if (c.name == u.name)
                clashes.append(u.name);
    reset(commands, m_user);
    if (!clashes.isEmpty())
        setProblem(QStringLiteral("the config file has commands named like saved ones (%1): both are listed, "
                                  "the config's first")
                       .arg(clashes.join(QStringLiteral(", "))));
}

QList<CommandTemplate> CommandLibrary::forConfigFile() const
{
    QList<CommandTemplate> all = m_config;
    for (const CommandTemplate &u : m_user) {
        const bool taken = std::any_of(m_config.cbegin(), m_config.cend(),
                                       [&u](const CommandTemplate &c) { return c.name == u.name; });
        if (!taken)
            all.append(u);
    }
    return all;
}

void CommandLibrary::reset(const QList<CommandTemplate> &config, const QList<CommandTemplate> &user)
{
    beginResetModel();
    m_config = config;
    m_user = user;
    assignShortcuts();
    ++m_revision;
    endResetModel();
    Q_EMIT countChanged();
}

void CommandLibrary::assignShortcuts()
{
    const int n = rowCount();
    m_shortcuts = QStringList(n, QString());
    QSet<QString> taken;
    for (int row = 0; row < n; ++row) {
        const QString own = at(row).shortcut;
        if (!own.isEmpty() && !taken.contains(own)) {
            m_shortcuts[row] = own;
            taken.insert(own);
        }
    }
    for (int row = 0; row < qMin(n, 9); ++row) {
        const QString number = QStringLiteral("Alt+%1").arg(row + 1);
        if (at(row).shortcut.isEmpty() && !taken.contains(number)) {
            m_shortcuts[row] = number;
            taken.insert(number);
        }
    }
}

const CommandTemplate *CommandLibrary::find(const QString &name) const
{
    const int row = indexOf(name);
    return row < 0 ? nullptr : &at(row);
}

int CommandLibrary::indexOf(const QString &name) const
{
    for (int row = 0; row < rowCount(); ++row)
        if (at(row).name == name)
            return row;
    return -1;
}

bool CommandLibrary::isReadOnly(const QString &name) const
{
    const int row = indexOf(name);
    return row >= 0 && isConfigRow(row);
}

QVariantMap CommandLibrary::command(const QString &name, int row) const
{
    if (row < 0)
        row = indexOf(name);
    if (row < 0 || row >= rowCount())
        return {};
    QVariantMap out;
    const QModelIndex i = index(row);
    const QHash<int, QByteArray> roles = roleNames();
    for (auto it = roles.cbegin(); it != roles.cend(); ++it)
        out.insert(QString::fromLatin1(it.value()), data(i, it.key()));
    return out;
}

QVariantMap CommandLibrary::draft(const QString &name) const
{
    const CommandTemplate *t = find(name);
    return t ? t->toDraft() : QVariantMap();
}

QString CommandLibrary::save(const QVariantMap &draft, const QString &replacing)
{
    int userIndex = -1;
    if (!replacing.isEmpty()) {
        if (isReadOnly(replacing))
            return QStringLiteral("'%1' comes from the config file and cannot be changed here")
                .arg(replacing);
        for (int i = 0; i < m_user.size(); ++i)
            if (m_user.at(i).name == replacing)
                userIndex = i;
        if (userIndex < 0)
            return QStringLiteral("there is no saved command '%1'").arg(replacing);
    }
    CommandTemplate t;
    QString error;
    if (!CommandTemplate::fromDraft(draft, &t, &error))
        return error;
    for (int row = 0; row < rowCount(); ++row) {
        const CommandTemplate &other = at(row);
        if (!isConfigRow(row) && row - m_config.size() == userIndex)
            continue;
        if (other.name == t.name)
            return QStringLiteral("a command named '%1' exists already").arg(t.name);
        if (!t.shortcut.isEmpty() && other.shortcut == t.shortcut)
            return QStringLiteral("shortcut %1 is taken by '%2'").arg(t.shortcut, other.name);
    }
    QList<CommandTemplate> user = m_user;
    if (userIndex >= 0)
        user[userIndex] = t;
    else
        user.append(t);
    reset(m_config, user);
    store();
    return QString();
}

QString CommandLibrary::remove(const QString &name)
{
    if (isReadOnly(name))
        return QStringLiteral("'%1' comes from the config file and cannot be removed here").arg(name);
    QList<CommandTemplate> user = m_user;
    for (int i = 0; i < user.size(); ++i) {
        if (user.at(i).name == name) {
            user.removeAt(i);
            reset(m_config, user);
            store();
            return QString();
        }
    }
    return QStringLiteral("there is no saved command '%1'").arg(name);
}

QVariantMap CommandLibrary::resolve(const QString &name, const QVariantMap &values) const
{
    const CommandTemplate *t = find(name);
    if (!t)
        return {{QStringLiteral("error"), QStringLiteral("there is no command '%1'").arg(name)}};
    CommandTemplate::Resolved r;
    QString error;
    if (!t->resolve(values, &r, &error))
        return {{QStringLiteral("error"), error}};
    return {{QStringLiteral("error"), QString()},
            {QStringLiteral("target"), r.target},
            {QStringLiteral("payload"), r.payload}};
}

bool CommandLibrary::persistent() const
{
    return m_settings && m_settings->isWritable();
}

void CommandLibrary::store()
{
    if (!persistent())
        return;
    m_settings->setSavedCommands(
        m_user.isEmpty() ? QByteArray()
                         : QJsonDocument(CommandTemplate::listToJson(m_user)).toJson(QJsonDocument::Compact));
}

void CommandLibrary::setProblem(const QString &text)
{
    if (m_problem == text)
        return;
    m_problem = text;
    Q_EMIT problemChanged();
}

} // namespace Pulseboard
