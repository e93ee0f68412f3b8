// CommandLibrary: the Console's named commands, as rows: first the config file's ("commands",
// read-only in the app), then the ones the user saved in the app (kept in the settings,
// "commands/saved", added, edited and removed here). Names are unique across both. Each row has
// the shortcut that runs it: its own ("shortcut"), else, for the first nine rows, Alt+1..Alt+9
// by its place in the list (when no command took that one for itself).
#pragma once

#include "CommandTemplate.h"

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

namespace Pulseboard {

class DashboardSettings;

class CommandLibrary : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("CommandLibrary is owned by the dashboard")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    // Moves on every change of the rows (added, edited, removed, the config's replaced): what QML
    // read of them (command(), draft()) is read again.
    Q_PROPERTY(int revision READ revision NOTIFY countChanged)
    // Whether the user's commands are saved (false: --no-settings, they last for this run only).
    Q_PROPERTY(bool persistent READ persistent CONSTANT)
    // What went wrong reading the saved commands, in words; empty: nothing.
    Q_PROPERTY(QString problem READ problem NOTIFY problemChanged)

public:
    enum Role {
        NameRole = Qt::UserRole + 1,
        KindRole,
        TargetRole,
        PayloadRole,
        ParamsRole, // [{name, label, hasDefault, default}]
        DangerousRole,
        ShortcutRole, // the one that runs it (its own or Alt+N); empty: none
        ReadOnlyRole, // from the config file
        DescriptionRole
    };

    // `settings` (may be null: nothing saved) is read for the user's commands at once.
    explicit CommandLibrary(DashboardSettings *settings = nullptr, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // The config's commands (a new config after a server switch replaces them). A user command
    // whose name the config now takes stays, and is said in problem().
    void setConfigCommands(const QList<CommandTemplate> &commands);
    QList<CommandTemplate> userCommands() const { return m_user; }
    // Every command, for a config file (Export ▾ → Layout): the config's, then the ones saved in
    // the app whose names the config does not take (a file holds each name once).
    QList<CommandTemplate> forConfigFile() const;

    const CommandTemplate *find(const QString &name) const;
    Q_INVOKABLE int indexOf(const QString &name) const;
    // The name of the command at `row`; empty: none.
    Q_INVOKABLE QString nameAt(int row) const
    {
        return row >= 0 && row < rowCount() ? at(row).name : QString();
    }
    Q_INVOKABLE bool isReadOnly(const QString &name) const;
    // A row as the delegates see it ({name, kind, target, payload, params, dangerous, shortcut,
    // readOnly, description}): command `name`, or the one at `row` when it is not negative.
    Q_INVOKABLE QVariantMap command(const QString &name, int row = -1) const;
    // The form's fields of command `name` (CommandTemplate::toDraft); empty: none.
    Q_INVOKABLE QVariantMap draft(const QString &name) const;
    // Adds (empty `replacing`) or replaces the user's command `replacing` from the form's draft.
    // Empty, or why not (nothing changed then): a config command cannot be changed, a name or a
    // shortcut another command has cannot be taken.
    Q_INVOKABLE QString save(const QVariantMap &draft, const QString &replacing);
    Q_INVOKABLE QString remove(const QString &name);
    // {error, target, payload}: what running `name` with `values` would send.
    Q_INVOKABLE QVariantMap resolve(const QString &name, const QVariantMap &values) const;

    int revision() const { return m_revision; }
    bool persistent() const;
    QString problem() const { return m_problem; }

Q_SIGNALS:
    void countChanged();
    void problemChanged();

private:
    const CommandTemplate &at(int row) const;
    bool isConfigRow(int row) const { return row < m_config.size(); }
    void reset(const QList<CommandTemplate> &config, const QList<CommandTemplate> &user);
    void assignShortcuts();
    void store();
    void setProblem(const QString &text);

    DashboardSettings *m_settings;
    QList<CommandTemplate> m_config;
    QList<CommandTemplate> m_user;
    QStringList m_shortcuts; // by row
    QString m_problem;
    int m_revision = 0;
};

} // namespace Pulseboard
