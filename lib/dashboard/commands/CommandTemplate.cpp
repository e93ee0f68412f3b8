#include "CommandTemplate.h"

#include "dashboard/connection/OutboxModel.h"
#include "protocol/Envelope.h"

#include <QJsonDocument>
#include <QKeySequence>
#include <QSet>

namespace Pulseboard {

namespace {

bool isNameStart(QChar c)
{
    return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) ||
           (c >= QLatin1Char('A') && c <= QLatin1Char('Z')) || c == QLatin1Char('_');
}

bool isNameChar(QChar c)
{
    return isNameStart(c) || (c >= QLatin1Char('0') && c <= QLatin1Char('9'));
}

// The length of the placeholder "{name}" at `i` (0: none there); its name into `name`.
qsizetype placeholderAt(const QString &text, qsizetype i, QString *name)
{
    if (text.at(i) != QLatin1Char('{') || i + 1 >= text.size() || !isNameStart(text.at(i + 1)))
        return 0;
    qsizetype j = i + 2;
    while (j < text.size() && isNameChar(text.at(j)))
        ++j;
    if (j >= text.size() || text.at(j) != QLatin1Char('}'))
        return 0;
    *name = text.mid(i + 1, j - i - 1);
    return j - i + 1;
}

// A JSON value as the text a parameter's value takes ("5", "true", "text").
QString valueText(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    const QByteArray a = QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(a.mid(1, a.size() - 2));
}

void unknownKeys(const QJsonObject &o, const QStringList &known, const QString &where, QStringList *warnings)
{
    for (auto it = o.begin(); it != o.end(); ++it)
        if (!known.contains(it.key()))
            warnings->append(QStringLiteral("%1: unknown key '%2' ignored").arg(where, it.key()));
}

const int kMaxNameLength = 80;

// Checks what fromJson and fromDraft both need: a name, a target, placeholders all declared,
// the payload JSON once filled in, a usable shortcut.
bool check(CommandTemplate *t, bool paramsGiven, const QString &where, QStringList *warnings, QString *error)
{
    t->name = t->name.trimmed();
    if (t->name.isEmpty() || t->name.size() > kMaxNameLength) {
        *error = QStringLiteral("%1.name must be 1-%2 characters").arg(where).arg(kMaxNameLength);
        return false;
    }
    t->target = t->target.trimmed();
    const QString targetKey =
        t->kind == CommandTemplate::Kind::Publish ? QStringLiteral("channel") : QStringLiteral("method");
    if (t->target.isEmpty()) {
        *error = QStringLiteral("%1 (%2) needs a %3").arg(where, t->name, targetKey);
        return false;
    }
    QStringList used = CommandTemplate::placeholders(t->target);
    for (const QString &p : CommandTemplate::placeholders(t->payload))
        if (!used.contains(p))
            used.append(p);
    QSet<QString> declared;
    for (const CommandParam &p : std::as_const(t->params)) {
        if (p.name.isEmpty() || !isNameStart(p.name.at(0)) ||
            std::any_of(p.name.begin(), p.name.end(), [](QChar c) { return !isNameChar(c); })) {
            *error = QStringLiteral("%1 (%2): parameter '%3' must be a name of letters, digits and _")
                         .arg(where, t->name, p.name);
            return false;
        }
        if (declared.contains(p.name)) {
            *error = QStringLiteral("%1 (%2): parameter '%3' is listed twice").arg(where, t->name, p.name);
            return false;
        }
        declared.insert(p.name);
        if (!used.contains(p.name))
            warnings->append(QStringLiteral("%1 (%2): parameter '%3' is not used by the %4 or the payload")
                                 .arg(where, t->name, p.name, targetKey));
    }
    for (const QString &p : std::as_const(used)) {
        if (declared.contains(p))
            continue;
        if (paramsGiven) {
            *error = QStringLiteral("%1 (%2) uses {%3}, which its params do not list").arg(where, t->name, p);
            return false;
        }
        t->params.append({p, std::nullopt, QString()});
    }
    // Filled in with 0 (a number outside a string, the text "0" inside one): JSON, or the
    // template itself is wrong, whatever values it gets.
    QHash<QString, QString> sample;
    for (const QString &p : std::as_const(used))
        sample.insert(p, QStringLiteral("0"));
    if (!t->payload.trimmed().isEmpty()) {
        QString filled;
        QString why;
        QJsonValue value;
        if (!CommandTemplate::substitute(t->payload, sample, &filled, &why) ||
            !OutboxModel::parseJson(filled, &value, &why)) {
            *error = QStringLiteral("%1 (%2): the payload is not JSON with its parameters filled in: %3")
                         .arg(where, t->name, why);
            return false;
        }
    } else if (t->kind == CommandTemplate::Kind::Publish) {
        *error = QStringLiteral("%1 (%2) needs a payload to publish").arg(where, t->name);
        return false;
    }
    if (!t->shortcut.trimmed().isEmpty()) {
        const QString normalized = CommandTemplate::normalizedShortcut(t->shortcut);
        if (normalized.isEmpty()) {
            *error = QStringLiteral("%1 (%2): shortcut '%3' is not a key sequence like Alt+R")
                         .arg(where, t->name, t->shortcut);
            return false;
        }
        if (CommandTemplate::reservedShortcuts().contains(normalized)) {
            *error =
                QStringLiteral("%1 (%2): shortcut %3 is the dashboard's own").arg(where, t->name, normalized);
            return false;
        }
        t->shortcut = normalized;
    } else {
        t->shortcut.clear();
    }
    return true;
}

} // namespace

const CommandParam *CommandTemplate::param(const QString &name) const
{
    for (const CommandParam &p : params)
        if (p.name == name)
            return &p;
    return nullptr;
}

QStringList CommandTemplate::placeholders(const QString &text)
{
    QStringList out;
    bool inString = false;
    bool escaped = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (inString && escaped) {
            escaped = false;
            continue;
        }
        if (inString && c == QLatin1Char('\\')) {
            escaped = true;
            continue;
        }
        if (c == QLatin1Char('"')) {
            inString = !inString;
            continue;
        }
        if (inString && c == QLatin1Char('{') && i + 1 < text.size() && text.at(i + 1) == QLatin1Char('{')) {
            ++i;
            continue;
        }
        QString name;
        if (const qsizetype n = placeholderAt(text, i, &name)) {
            if (!out.contains(name))
                out.append(name);
            i += n - 1;
        }
    }
    return out;
}

QString CommandTemplate::escapeForJsonString(const QString &value)
{
    QString out;
    out.reserve(value.size() + 8);
    for (const QChar c : value) {
        switch (c.unicode()) {
        case '"':
            out += QLatin1StringView("\\\"");
            break;
        case '\\':
            out += QLatin1StringView("\\\\");
            break;
        case '\b':
            out += QLatin1StringView("\\b");
            break;
        case '\f':
            out += QLatin1StringView("\\f");
            break;
        case '\n':
            out += QLatin1StringView("\\n");
            break;
        case '\r':
            out += QLatin1StringView("\\r");
            break;
        case '\t':
            out += QLatin1StringView("\\t");
            break;
        default:
            if (c.unicode() < 0x20)
                out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
            else
                out += c; // JSON text is UTF-8: every other character goes in as it is
        }
    }
    return out;
}

bool CommandTemplate::substitute(const QString &text, const QHash<QString, QString> &values, QString *out,
                                 QString *error)
{
    QString result;
    result.reserve(text.size() + 32);
    bool inString = false;
    bool escaped = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (inString && escaped) {
            result += c;
            escaped = false;
            continue;
        }
        if (inString && c == QLatin1Char('\\')) {
            result += c;
            escaped = true;
            continue;
        }
        if (c == QLatin1Char('"')) {
            result += c;
            inString = !inString;
            continue;
        }
        if (inString && c == QLatin1Char('{') && i + 1 < text.size() && text.at(i + 1) == QLatin1Char('{')) {
            result += c;
            ++i;
            continue;
        }
        QString name;
        const qsizetype n = placeholderAt(text, i, &name);
        if (!n) {
            result += c;
            continue;
        }
        const auto it = values.constFind(name);
        if (it == values.cend()) {
            *error = QStringLiteral("no value for {%1}").arg(name);
            return false;
        }
        if (inString) {
            result += escapeForJsonString(*it);
        } else {
            // Outside a string the value stands for a JSON value of its own.
            QJsonValue value;
            QString why;
            if (!OutboxModel::parseJson(*it, &value, &why)) {
                *error =
                    QStringLiteral("{%1} takes a JSON value here (a number, true, false, null, an object or "
                                   "an array; a text needs its quotes): '%2' is not one")
                        .arg(name, *it);
                return false;
            }
            result += it->trimmed();
        }
        i += n - 1;
    }
    *out = result;
    return true;
}

bool CommandTemplate::resolve(const QVariantMap &values, Resolved *out, QString *error) const
{
    QHash<QString, QString> filled;
    QStringList missing;
    QStringList used = placeholders(target);
    for (const QString &p : placeholders(payload))
        if (!used.contains(p))
            used.append(p);
    for (const QString &name : std::as_const(used)) {
        QString value = values.value(name).toString();
        const CommandParam *p = param(name);
        if (value.isEmpty() && p && p->defaultValue)
            value = *p->defaultValue;
        else if (value.isEmpty())
            missing.append(name);
        filled.insert(name, value);
    }
    if (!missing.isEmpty()) {
        *error = QStringLiteral("%1 needs %2: nothing was sent")
                     .arg(name, (missing.size() == 1 ? QStringLiteral("a value for ")
                                                     : QStringLiteral("values for ")) +
                                    missing.join(QStringLiteral(", ")));
        return false;
    }
    Resolved r;
    // The target is a name, not JSON: values go in as they are, then it must be a name the
    // server takes.
    r.target = target;
    for (auto it = filled.cbegin(); it != filled.cend(); ++it)
        r.target.replace(QLatin1Char('{') + it.key() + QLatin1Char('}'), it.value());
    r.target = r.target.trimmed();
    if (kind == Kind::Publish && !isValidChannelName(r.target)) {
        *error =
            QStringLiteral("'%1' is not a valid channel name (1-200 characters, no spaces): nothing was sent")
                .arg(r.target);
        return false;
    }
    if (kind == Kind::Request && (r.target.isEmpty() || std::any_of(r.target.begin(), r.target.end(),
                                                                    [](QChar c) { return c.isSpace(); }))) {
        *error = QStringLiteral("'%1' is not a method name: nothing was sent").arg(r.target);
        return false;
    }
    if (!payload.trimmed().isEmpty()) {
        QString text;
        QString why;
        if (!substitute(payload, filled, &text, &why)) {
            *error = why + QStringLiteral(": nothing was sent");
            return false;
        }
        QJsonValue value;
        if (!OutboxModel::parseJson(text, &value, &why)) {
            *error = QStringLiteral("the payload is not JSON once filled in (%1): nothing was sent").arg(why);
            return false;
        }
        // As it goes on the wire: compact (an object's keys in alphabetical order).
        r.payload = valueText(value);
        if (value.isString()) {
            const QByteArray a = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
            r.payload = QString::fromUtf8(a.mid(1, a.size() - 2));
        }
    }
    *out = r;
    return true;
}

bool CommandTemplate::fromJson(const QJsonObject &o, const QString &where, CommandTemplate *out,
                               QStringList *warnings, QString *error)
{
    unknownKeys(o,
                {QStringLiteral("name"), QStringLiteral("kind"), QStringLiteral("channel"),
                 QStringLiteral("method"), QStringLiteral("payload"), QStringLiteral("payloadText"),
                 QStringLiteral("params"), QStringLiteral("dangerous"), QStringLiteral("shortcut"),
                 QStringLiteral("description")},
                where, warnings);
    CommandTemplate t;
    if (!o.value(QStringLiteral("name")).isString()) {
        *error = QStringLiteral("%1.name must be a string").arg(where);
        return false;
    }
    t.name = o.value(QStringLiteral("name")).toString();
    const QString w = QStringLiteral("%1 (%2)").arg(where, t.name.trimmed());
    const bool hasChannel = o.contains(QStringLiteral("channel"));
    const bool hasMethod = o.contains(QStringLiteral("method"));
    QString kind = o.value(QStringLiteral("kind")).toString();
    if (o.contains(QStringLiteral("kind")) && kind != QLatin1StringView("publish") &&
        kind != QLatin1StringView("request")) {
        *error = QStringLiteral("%1: kind must be \"publish\" or \"request\"").arg(w);
        return false;
    }
    if (kind.isEmpty())
        kind = hasMethod ? QStringLiteral("request") : QStringLiteral("publish");
    t.kind = kind == QLatin1StringView("request") ? Kind::Request : Kind::Publish;
    const QString targetKey = t.kind == Kind::Publish ? QStringLiteral("channel") : QStringLiteral("method");
    if ((t.kind == Kind::Publish && hasMethod) || (t.kind == Kind::Request && hasChannel)) {
        *error = QStringLiteral("%1: a %2 has a %3, not a %4")
                     .arg(w, kind, targetKey,
                          t.kind == Kind::Publish ? QStringLiteral("method") : QStringLiteral("channel"));
        return false;
    }
    if (!o.value(targetKey).isString()) {
        *error = QStringLiteral("%1: %2 must be a string").arg(w, targetKey);
        return false;
    }
    t.target = o.value(targetKey).toString();
    if (o.contains(QStringLiteral("payload")) && o.contains(QStringLiteral("payloadText"))) {
        *error = QStringLiteral("%1: give payload (JSON) or payloadText (JSON text), not both").arg(w);
        return false;
    }
    if (o.contains(QStringLiteral("payloadText"))) {
        if (!o.value(QStringLiteral("payloadText")).isString()) {
            *error = QStringLiteral("%1: payloadText must be a string (JSON text with {param} placeholders)")
                         .arg(w);
            return false;
        }
        t.payload = o.value(QStringLiteral("payloadText")).toString();
    } else if (o.contains(QStringLiteral("payload"))) {
        const QByteArray a =
            QJsonDocument(QJsonArray{o.value(QStringLiteral("payload"))}).toJson(QJsonDocument::Compact);
        t.payload = QString::fromUtf8(a.mid(1, a.size() - 2));
    }
    const bool paramsGiven = o.contains(QStringLiteral("params"));
    if (paramsGiven) {
        if (!o.value(QStringLiteral("params")).isArray()) {
            *error =
                QStringLiteral("%1: params must be an array of names or {\"name\", \"default\", \"label\"} "
                               "objects")
                    .arg(w);
            return false;
        }
        const QJsonArray params = o.value(QStringLiteral("params")).toArray();
        for (int i = 0; i < params.size(); ++i) {
            const QJsonValue v = params.at(i);
            CommandParam p;
            if (v.isString()) {
                p.name = v.toString();
            } else if (v.isObject()) {
                const QJsonObject po = v.toObject();
                const QString pw = QStringLiteral("%1.params[%2]").arg(where).arg(i);
                unknownKeys(po, {QStringLiteral("name"), QStringLiteral("default"), QStringLiteral("label")},
                            pw, warnings);
                p.name = po.value(QStringLiteral("name")).toString();
                if (po.contains(QStringLiteral("default"))) {
                    const QJsonValue d = po.value(QStringLiteral("default"));
                    if (!d.isString() && !d.isDouble() && !d.isBool()) {
                        *error =
                            QStringLiteral("%1.default must be a string, a number or true/false").arg(pw);
                        return false;
                    }
                    p.defaultValue = valueText(d);
                }
                p.label = po.value(QStringLiteral("label")).toString();
            } else {
                *error = QStringLiteral("%1.params[%2] must be a name or an object with \"name\"")
                             .arg(where)
                             .arg(i);
                return false;
            }
            t.params.append(p);
        }
    }
    if (o.contains(QStringLiteral("dangerous"))) {
        if (!o.value(QStringLiteral("dangerous")).isBool()) {
            *error = QStringLiteral("%1: dangerous must be true or false").arg(w);
            return false;
        }
        t.dangerous = o.value(QStringLiteral("dangerous")).toBool();
    }
    if (o.contains(QStringLiteral("shortcut")) && !o.value(QStringLiteral("shortcut")).isString()) {
        *error = QStringLiteral("%1: shortcut must be a string like \"Alt+R\"").arg(w);
        return false;
    }
    t.shortcut = o.value(QStringLiteral("shortcut")).toString();
    t.description = o.value(QStringLiteral("description")).toString();
    if (!check(&t, paramsGiven, where, warnings, error))
        return false;
    *out = t;
    return true;
}

QJsonObject CommandTemplate::toJson() const
{
    QJsonObject o{{QStringLiteral("name"), name}, {QStringLiteral("kind"), kindName()}};
    o.insert(kind == Kind::Publish ? QStringLiteral("channel") : QStringLiteral("method"), target);
    if (!payload.isEmpty())
        o.insert(QStringLiteral("payloadText"), payload);
    QJsonArray ps;
    for (const CommandParam &p : params) {
        QJsonObject po{{QStringLiteral("name"), p.name}};
        if (p.defaultValue)
            po.insert(QStringLiteral("default"), *p.defaultValue);
        if (!p.label.isEmpty())
            po.insert(QStringLiteral("label"), p.label);
        ps.append(po);
    }
    o.insert(QStringLiteral("params"), ps);
    if (dangerous)
        o.insert(QStringLiteral("dangerous"), true);
    if (!shortcut.isEmpty())
        o.insert(QStringLiteral("shortcut"), shortcut);
    if (!description.isEmpty())
        o.insert(QStringLiteral("description"), description);
    return o;
}

bool CommandTemplate::listFromJson(const QJsonArray &a, const QString &where, QList<CommandTemplate> *out,
                                   QStringList *warnings, QString *error)
{
    QList<CommandTemplate> list;
    QHash<QString, QString> shortcuts; // shortcut -> command
    for (int i = 0; i < a.size(); ++i) {
        const QString w = QStringLiteral("%1[%2]").arg(where).arg(i);
        if (!a.at(i).isObject()) {
            *error = QStringLiteral("%1 must be an object").arg(w);
            return false;
        }
        CommandTemplate t;
        if (!fromJson(a.at(i).toObject(), w, &t, warnings, error))
            return false;
        for (const CommandTemplate &other : std::as_const(list)) {
            if (other.name == t.name) {
                *error = QStringLiteral("%1: the name '%2' is taken by another command").arg(w, t.name);
                return false;
            }
        }
        if (!t.shortcut.isEmpty() && shortcuts.contains(t.shortcut)) {
            *error = QStringLiteral("%1 (%2): shortcut %3 is taken by '%4'")
                         .arg(w, t.name, t.shortcut, shortcuts.value(t.shortcut));
            return false;
        }
        if (!t.shortcut.isEmpty())
            shortcuts.insert(t.shortcut, t.name);
        list.append(t);
    }
    *out = list;
    return true;
}

QJsonArray CommandTemplate::listToJson(const QList<CommandTemplate> &list)
{
    QJsonArray a;
    for (const CommandTemplate &t : list)
        a.append(t.toJson());
    return a;
}

bool CommandTemplate::fromDraft(const QVariantMap &draft, CommandTemplate *out, QString *error)
{
    CommandTemplate t;
    t.name = draft.value(QStringLiteral("name")).toString();
    t.kind = draft.value(QStringLiteral("kind")).toString() == QLatin1StringView("request") ? Kind::Request
                                                                                            : Kind::Publish;
    t.target = draft.value(QStringLiteral("target")).toString();
    t.payload = draft.value(QStringLiteral("payload")).toString().trimmed();
    t.dangerous = draft.value(QStringLiteral("dangerous")).toBool();
    t.shortcut = draft.value(QStringLiteral("shortcut")).toString();
    t.description = draft.value(QStringLiteral("description")).toString().trimmed();
    // "service, count=1": names, each with an optional default after '='.
    const QString params = draft.value(QStringLiteral("params")).toString();
    for (const QString &part : params.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString item = part.trimmed();
        if (item.isEmpty())
            continue;
        CommandParam p;
        const qsizetype eq = item.indexOf(QLatin1Char('='));
        p.name = (eq < 0 ? item : item.left(eq)).trimmed();
        if (eq >= 0)
            p.defaultValue = item.mid(eq + 1).trimmed();
        t.params.append(p);
    }
    QStringList warnings;
    // Every placeholder is a parameter: the ones not listed are added, without a default.
    if (!check(&t, false, QStringLiteral("command"), &warnings, error)) {
        // The form names no array entry: "command (name): ..." reads as "name: ...".
        error->replace(QStringLiteral("command (%1)").arg(t.name), t.name);
        error->replace(QStringLiteral("command.name"), QStringLiteral("the name"));
        return false;
    }
    *out = t;
    return true;
}

QVariantMap CommandTemplate::toDraft() const
{
    QStringList params;
    for (const CommandParam &p : std::as_const(this->params))
        params.append(p.defaultValue ? p.name + QLatin1Char('=') + *p.defaultValue : p.name);
    return {{QStringLiteral("name"), name},
            {QStringLiteral("kind"), kindName()},
            {QStringLiteral("target"), target},
            {QStringLiteral("payload"), payload},
            {QStringLiteral("params"), params.join(QStringLiteral(", "))},
            {QStringLiteral("dangerous"), dangerous},
            {QStringLiteral("shortcut"), shortcut},
            {QStringLiteral("description"), description}};
}

const QStringList &CommandTemplate::reservedShortcuts()
{
    static const QStringList reserved = {
        QStringLiteral("Ctrl+1"), QStringLiteral("Ctrl+2"), QStringLiteral("Ctrl+3"),
        QStringLiteral("Ctrl+4"), QStringLiteral("Ctrl+5"), QStringLiteral("Ctrl+6"),
        QStringLiteral("Ctrl+F"), QStringLiteral("Ctrl+Q"), QStringLiteral("F11"),
        QStringLiteral("Esc"),    QStringLiteral("Space")};
    return reserved;
}

QString CommandTemplate::normalizedShortcut(const QString &text)
{
    const QKeySequence seq = QKeySequence::fromString(text.trimmed(), QKeySequence::PortableText);
    if (seq.isEmpty() || seq.count() != 1 || seq[0].key() == Qt::Key_unknown)
        return QString();
    return seq.toString(QKeySequence::PortableText);
}

} // namespace Pulseboard
