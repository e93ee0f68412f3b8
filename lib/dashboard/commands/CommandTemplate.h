// CommandTemplate: one named command of the Console's library, a publish (to a channel) or a
// request (a method), its payload written as JSON text with {param} placeholders, e.g.
//   {"name": "restart", "kind": "publish", "channel": "ops.control",
//    "payload": {"action": "restart", "service": "{service}"}, "params": ["service"],
//    "dangerous": true}
// A placeholder inside a JSON string takes the value escaped for a JSON string (quotes,
// backslashes, control characters); one outside a string takes the value as a JSON value of its
// own (a number, true, false, null, an object or an array), so the result is always checked
// JSON. `{{` writes a literal `{` inside a string. The channel (method) may hold placeholders too.
// A parameter with no value and no default is missing: resolve() says which, and nothing is sent.
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include <optional>

namespace Pulseboard {

struct CommandParam
{
    QString name;
    std::optional<QString> defaultValue; // as text, e.g. "5" for a number
    QString label;                       // what the form shows; empty: the name
    bool operator==(const CommandParam &o) const
    {
        return name == o.name && defaultValue == o.defaultValue && label == o.label;
    }
};

struct CommandTemplate
{
    enum class Kind { Publish, Request };
    QString name;
    Kind kind = Kind::Publish;
    QString target;  // the channel of a publish, the method of a request (may hold {param})
    QString payload; // JSON text with {param} placeholders; a request may leave it empty
    QList<CommandParam> params;
    bool dangerous = false; // asks for confirmation before it is sent
    QString shortcut;       // as QKeySequence writes it, e.g. "Alt+R"; empty: none given
    QString description;

    bool operator==(const CommandTemplate &o) const
    {
        return name == o.name && kind == o.kind && target == o.target && payload == o.payload &&
               params == o.params && dangerous == o.dangerous && shortcut == o.shortcut &&
               description == o.description;
    }

    QString kindName() const
    {
        return kind == Kind::Publish ? QStringLiteral("publish") : QStringLiteral("request");
    }
    const CommandParam *param(const QString &name) const;

    // What a run sends: the channel (method) and the payload, both with the values filled in.
    struct Resolved
    {
        QString target;
        QString payload; // compact JSON text; empty for a request without params
    };
    // `values` by parameter name (an empty one takes the default). False with `error` (a missing
    // parameter, a value that is not JSON where the template wants a JSON value, a target that
    // is not a channel name).
    bool resolve(const QVariantMap &values, Resolved *out, QString *error) const;

    // The placeholders of `text` in order of first appearance (the `{{` escape is none).
    static QStringList placeholders(const QString &text);
    // Fills the placeholders of the JSON template `text` from `values` (every placeholder must
    // have one), as said above. False with `error`; the result is not parsed here.
    static bool substitute(const QString &text, const QHash<QString, QString> &values, QString *out,
                           QString *error);
    // `value` as it goes inside a JSON string (without the quotes).
    static QString escapeForJsonString(const QString &value);

    // One entry of the config's "commands" array (or of the ones the user saved); `where` names
    // it in errors ("commands[2]"). Unknown keys go to `warnings`.
    static bool fromJson(const QJsonObject &o, const QString &where, CommandTemplate *out,
                         QStringList *warnings, QString *error);
    QJsonObject toJson() const;
    // The whole array: names must be unique, shortcuts too.
    static bool listFromJson(const QJsonArray &a, const QString &where, QList<CommandTemplate> *out,
                             QStringList *warnings, QString *error);
    static QJsonArray listToJson(const QList<CommandTemplate> &list);

    // The form's fields ({name, kind, target, payload, params: "a, b=1", dangerous, shortcut,
    // description}) into a template, checked as the config's are; and back.
    static bool fromDraft(const QVariantMap &draft, CommandTemplate *out, QString *error);
    QVariantMap toDraft() const;

    // The shortcuts the dashboard itself uses (Main.qml): a command cannot take one of them.
    static const QStringList &reservedShortcuts();
    // `text` as QKeySequence writes it (portable form); empty when it is not one key sequence.
    static QString normalizedShortcut(const QString &text);
};

} // namespace Pulseboard
