#include "PathFilter.h"

#include "protocol/JsonView.h"

namespace Pulseboard {

namespace {

bool isOperatorChar(QChar c)
{
    return c == u'=' || c == u'!' || c == u'<' || c == u'>';
}

QString operatorsWords()
{
    return QStringLiteral("==, !=, <, <=, >, >= or exists");
}

QString opName(PathFilter::Op op)
{
    switch (op) {
    case PathFilter::Op::Equal:
        return QStringLiteral("==");
    case PathFilter::Op::NotEqual:
        return QStringLiteral("!=");
    case PathFilter::Op::Less:
        return QStringLiteral("<");
    case PathFilter::Op::LessOrEqual:
        return QStringLiteral("<=");
    case PathFilter::Op::Greater:
        return QStringLiteral(">");
    case PathFilter::Op::GreaterOrEqual:
        return QStringLiteral(">=");
    case PathFilter::Op::Exists:
        break;
    }
    return QStringLiteral("exists");
}

bool fail(QString *error, const QString &why)
{
    if (error)
        *error = why;
    return false;
}

} // namespace

bool PathFilter::looksLikePath(const QString &text)
{
    for (const QChar c : text) {
        if (!c.isSpace())
            return c == u'/';
    }
    return false;
}

std::optional<PathFilter> PathFilter::parse(const QString &input, QString *error)
{
    const QString text = input.trimmed();
    if (!text.startsWith(u'/')) {
        fail(error, QStringLiteral("A path filter starts with '/', e.g. /data/status == \"error\""));
        return std::nullopt;
    }
    qsizetype end = 0;
    while (end < text.size() && !text.at(end).isSpace() && !isOperatorChar(text.at(end)))
        ++end;
    const QString pointer = text.left(end);
    // RFC 6901: '~' only as ~0 ('~') or ~1 ('/'); JsonPointer::parse takes any '~' as it is.
    for (qsizetype i = 0; i < pointer.size(); ++i) {
        if (pointer.at(i) != u'~')
            continue;
        if (i + 1 >= pointer.size() || (pointer.at(i + 1) != u'0' && pointer.at(i + 1) != u'1')) {
            fail(error, QStringLiteral("'%1': a '~' in a path is written ~0, and a '/' inside a key ~1")
                            .arg(pointer));
            return std::nullopt;
        }
    }
    PathFilter filter;
    QString why;
    if (!JsonPointer::parse(pointer, &filter.m_pointer, &why)) {
        fail(error, why);
        return std::nullopt;
    }
    const QString first = filter.m_pointer.tokens.value(0);
    const bool scalarMember = first == QLatin1StringView("channel") || first == QLatin1StringView("seq") ||
                              first == QLatin1StringView("ts");
    if (!scalarMember && first != QLatin1StringView("data")) {
        fail(error, QStringLiteral("'%1' is not in a frame: a path starts with /data, /channel, /seq or /ts")
                        .arg(pointer));
        return std::nullopt;
    }

    const QString rest = text.mid(end).trimmed();
    if (rest.isEmpty()) {
        fail(error, QStringLiteral("After %1 comes an operator: %2").arg(pointer, operatorsWords()));
        return std::nullopt;
    }
    QString valueText;
    if (rest.startsWith(QLatin1StringView("exists")) && (rest.size() == 6 || rest.at(6).isSpace())) {
        filter.m_op = Op::Exists;
        if (!rest.mid(6).trimmed().isEmpty()) {
            fail(error, QStringLiteral("exists takes no value (%1 exists)").arg(pointer));
            return std::nullopt;
        }
        return filter;
    }
    static const struct
    {
        const char *text;
        Op op;
    } ops[] = {{"==", Op::Equal},          {"!=", Op::NotEqual}, {"<=", Op::LessOrEqual},
               {">=", Op::GreaterOrEqual}, {"<", Op::Less},      {">", Op::Greater}};
    bool found = false;
    for (const auto &o : ops) {
        const QLatin1StringView word(o.text);
        if (rest.startsWith(word)) {
            filter.m_op = o.op;
            valueText = rest.mid(word.size()).trimmed();
            found = true;
            break;
        }
    }
    if (!found) {
        const QString word = rest.section(u' ', 0, 0);
        fail(error, word.startsWith(u'=') ? QStringLiteral("'=' is not an operator: equality is ==")
                                          : QStringLiteral("'%1' is not an operator: after %2 comes %3")
                                                .arg(word, pointer, operatorsWords()));
        return std::nullopt;
    }
    if (!valueText.isEmpty() && isOperatorChar(valueText.at(0))) {
        fail(error, QStringLiteral("'%1%2' is not an operator (%3)")
                        .arg(opName(filter.m_op), valueText.left(1), operatorsWords()));
        return std::nullopt;
    }
    if (valueText.isEmpty()) {
        fail(error, QStringLiteral("%1 needs a value after it: a number, a \"string\", true, false or null")
                        .arg(opName(filter.m_op)));
        return std::nullopt;
    }
    JsonValueError parseError;
    const std::optional<QJsonValue> operand = parseJsonValue(valueText.toUtf8(), &parseError);
    if (!operand) {
        if (valueText.at(0).isLetter() || valueText.at(0) == u'_')
            fail(error, QStringLiteral("%1 is not a JSON value: a string goes in double quotes (\"%1\")")
                            .arg(valueText));
        else if (parseError.kind == JsonValueError::NotOneValue)
            fail(error, QStringLiteral("%1 is more than one value: compare with one").arg(valueText));
        else
            fail(error, QStringLiteral("%1 is not a JSON value (%2)").arg(valueText, parseError.message));
        return std::nullopt;
    }
    const bool ordering = filter.m_op != Op::Equal && filter.m_op != Op::NotEqual;
    if (ordering && !operand->isDouble() && !operand->isString()) {
        fail(error, QStringLiteral("%1 compares numbers or strings, not %2")
                        .arg(opName(filter.m_op), jsonTypeName(*operand)));
        return std::nullopt;
    }
    filter.m_operand = *operand;
    return filter;
}

bool PathFilter::readsData() const
{
    return m_pointer.tokens.value(0) == QLatin1StringView("data");
}

QJsonValue PathFilter::resolve(const QString &channel, qint64 seq, qint64 ts, const QJsonValue &data) const
{
    const QString &first = m_pointer.tokens.at(0);
    if (first == QLatin1StringView("data"))
        return m_pointer.resolve(data, 1);
    if (m_pointer.tokens.size() > 1) // channel, seq and ts have nothing inside
        return QJsonValue(QJsonValue::Undefined);
    if (first == QLatin1StringView("channel"))
        return QJsonValue(channel);
    if (first == QLatin1StringView("seq"))
        return seq >= 0 ? QJsonValue(double(seq)) : QJsonValue(QJsonValue::Undefined);
    return ts > 0 ? QJsonValue(double(ts)) : QJsonValue(QJsonValue::Undefined);
}

bool PathFilter::test(const QJsonValue &value) const
{
    if (value.isUndefined())
        return false;
    switch (m_op) {
    case Op::Exists:
        return true;
    case Op::Equal:
    case Op::NotEqual: {
        const bool equal = value.isDouble() && m_operand.isDouble() ? value.toDouble() == m_operand.toDouble()
                                                                    : value == m_operand;
        return (m_op == Op::Equal) == equal;
    }
    default:
        break;
    }
    int order = 0;
    if (value.isDouble() && m_operand.isDouble()) {
        const double a = value.toDouble();
        const double b = m_operand.toDouble();
        order = a < b ? -1 : a > b ? 1 : 0;
    } else if (value.isString() && m_operand.isString()) {
        order = QString::compare(value.toString(), m_operand.toString());
    } else {
        return false;
    }
    switch (m_op) {
    case Op::Less:
        return order < 0;
    case Op::LessOrEqual:
        return order <= 0;
    case Op::Greater:
        return order > 0;
    case Op::GreaterOrEqual:
        return order >= 0;
    default:
        return false;
    }
}

bool PathFilter::matches(const QString &channel, qint64 seq, qint64 ts, const QJsonValue &data) const
{
    return test(resolve(channel, seq, ts, data));
}

} // namespace Pulseboard
