// The Console's command library: parameter substitution into JSON (quotes, backslashes, control
// characters, unicode, numbers, a missing value), the "commands" entries of the config file and
// what they refuse, and the library model (config rows read-only, the user's added, edited and
// removed and kept in the settings, shortcuts).
#include "dashboard/commands/CommandLibrary.h"
#include "dashboard/commands/CommandTemplate.h"
#include "dashboard/shell/DashboardConfig.h"
#include "dashboard/shell/DashboardSettings.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

namespace {

CommandTemplate make(const QString &json)
{
    CommandTemplate t;
    QStringList warnings;
    QString error;
    const bool ok = CommandTemplate::fromJson(QJsonDocument::fromJson(json.toUtf8()).object(),
                                              u"commands[0]"_s, &t, &warnings, &error);
    if (!ok)
        qWarning().noquote() << "not a template:" << error;
    return t;
}

// The payload `t` resolves to with `values`, parsed back: what the server would get.
QJsonValue sent(const CommandTemplate &t, const QVariantMap &values, QString *error = nullptr)
{
    CommandTemplate::Resolved r;
    QString why;
    if (!t.resolve(values, &r, &why)) {
        if (error)
            *error = why;
        return QJsonValue(QJsonValue::Undefined);
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(r.payload.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        if (error)
            *error = u"not JSON: "_s + r.payload;
        return QJsonValue(QJsonValue::Undefined);
    }
    return doc.object();
}

} // namespace

class tst_CommandLibrary : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void placeholdersInOrder()
    {
        QCOMPARE(CommandTemplate::placeholders(u"{\"a\": \"{x} {y}\", \"n\": {n}, \"b\": \"{x}\"}"_s),
                 (QStringList{u"x"_s, u"y"_s, u"n"_s}));
        // `{{` writes a brace; an escaped quote does not end the string.
        QCOMPARE(CommandTemplate::placeholders(u"{\"a\": \"{{x} \\\"{y}\\\"\"}"_s), QStringList{u"y"_s});
        // JSON's own braces are not placeholders.
        QCOMPARE(CommandTemplate::placeholders(u"{\"a\": {\"b\": 1}}"_s), QStringList());
    }

    // A value that goes inside a JSON string arrives as exactly that text, whatever it holds.
    void valueInsideAStringArrivesIntact_data()
    {
        QTest::addColumn<QString>("value");
        QTest::newRow("plain") << u"api"_s;
        QTest::newRow("quotes") << u"say \"hi\""_s;
        QTest::newRow("backslashes") << u"C:\\temp\\new \\\" \\\\"_s;
        QTest::newRow("json inside") << u"\"}, \"injected\": true, \"x\": {\""_s;
        QTest::newRow("newline, tab, control") << u"a\nb\tc\r\u0001\u001f"_s;
        QTest::newRow("unicode") << u"Zürich – 東京 \U0001F680 \u2028"_s;
        QTest::newRow("placeholder-looking") << u"{service}"_s;
        QTest::newRow("braces") << u"{{ }}"_s;
    }
    void valueInsideAStringArrivesIntact()
    {
        QFETCH(QString, value);
        const CommandTemplate t = make(u"{\"name\": \"restart\", \"channel\": \"ops.control\", "
                                       u"\"payload\": {\"action\": \"restart\", \"service\": \"{service}\", "
                                       u"\"note\": \"svc={service}!\"}}"_s);
        QString error;
        const QJsonObject o = sent(t, {{u"service"_s, value}}, &error).toObject();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(o.value(u"service"_s).toString(), value);
        QCOMPARE(o.value(u"note"_s).toString(), u"svc="_s + value + u"!"_s);
        QCOMPARE(o.value(u"action"_s).toString(), u"restart"_s);
        QCOMPARE(o.size(), 3); // nothing injected
    }

    void escapesForAJsonString()
    {
        QCOMPARE(CommandTemplate::escapeForJsonString(u"a\"b\\c\nd\u0001"_s), u"a\\\"b\\\\c\\nd\\u0001"_s);
        QCOMPARE(CommandTemplate::escapeForJsonString(u"é東"_s), u"é東"_s); // UTF-8 as it is
    }

    // Outside a string the value is a JSON value of its own: numbers arrive as numbers.
    void valueOutsideAStringIsAJsonValue_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QJsonValue>("expected");
        QTest::newRow("integer") << u"5"_s << QJsonValue(5);
        QTest::newRow("negative fraction") << u"-2.5e3"_s << QJsonValue(-2500.0);
        QTest::newRow("spaces around") << u"  42 "_s << QJsonValue(42);
        QTest::newRow("true") << u"true"_s << QJsonValue(true);
        QTest::newRow("null") << u"null"_s << QJsonValue(QJsonValue::Null);
        QTest::newRow("quoted text") << u"\"x\""_s << QJsonValue(u"x"_s);
        QTest::newRow("array") << u"[1,2]"_s << QJsonValue(QJsonArray{1, 2});
    }
    void valueOutsideAStringIsAJsonValue()
    {
        QFETCH(QString, value);
        QFETCH(QJsonValue, expected);
        const CommandTemplate t =
            make(u"{\"name\": \"scale\", \"channel\": \"ops.control\", "
                 u"\"payloadText\": \"{\\\"replicas\\\": {n}, \\\"who\\\": \\\"{n}\\\"}\"}"_s);
        QCOMPARE(t.params.size(), 1);
        QString error;
        const QJsonObject o = sent(t, {{u"n"_s, value}}, &error).toObject();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(o.value(u"replicas"_s), expected);
        QCOMPARE(o.value(u"who"_s).toString(), value); // inside a string: the text as typed
    }

    void valueThatIsNoJsonWhereOneIsWantedIsRefused()
    {
        const CommandTemplate t = make(u"{\"name\": \"scale\", \"channel\": \"ops.control\", "
                                       u"\"payloadText\": \"{\\\"replicas\\\": {n}}\"}"_s);
        QString error;
        QVERIFY(sent(t, {{u"n"_s, u"five"_s}}, &error).isUndefined());
        QVERIFY2(error.startsWith(u"{n} takes a JSON value here"_s), qPrintable(error));
        QVERIFY2(error.endsWith(u"nothing was sent"_s), qPrintable(error));
        // An injection attempt outside a string is no single JSON value either.
        QVERIFY(sent(t, {{u"n"_s, u"1, \"admin\": true"_s}}, &error).isUndefined());
    }

    void missingParameterIsAnErrorAndDefaultsFillIn()
    {
        const CommandTemplate t = make(
            u"{\"name\": \"restart\", \"channel\": \"ops.{env}\", \"payload\": {\"service\": \"{service}\", "
            u"\"grace\": \"{grace}\"}, \"params\": [\"service\", {\"name\": \"grace\", \"default\": 30}, "
            u"{\"name\": \"env\", \"default\": \"prod\", \"label\": \"Environment\"}]}"_s);
        QCOMPARE(t.params.size(), 3);
        QCOMPARE(t.param(u"grace"_s)->defaultValue, std::optional<QString>(u"30"_s));
        CommandTemplate::Resolved r;
        QString error;
        QVERIFY(!t.resolve({}, &r, &error));
        QCOMPARE(error, u"restart needs a value for service: nothing was sent"_s);
        QVERIFY(!t.resolve({{u"service"_s, QString()}}, &r, &error)); // empty is missing
        QVERIFY(t.resolve({{u"service"_s, u"api"_s}}, &r, &error));
        QCOMPARE(r.target, u"ops.prod"_s);
        QCOMPARE(r.payload, u"{\"grace\":\"30\",\"service\":\"api\"}"_s);
        QVERIFY(t.resolve({{u"service"_s, u"api"_s}, {u"env"_s, u"staging"_s}, {u"grace"_s, u"5"_s}}, &r,
                          &error));
        QCOMPARE(r.target, u"ops.staging"_s);
        // A value that makes the channel no channel name is refused before anything is sent.
        QVERIFY(!t.resolve({{u"service"_s, u"api"_s}, {u"env"_s, u"a b"_s}}, &r, &error));
        QCOMPARE(error,
                 u"'ops.a b' is not a valid channel name (1-200 characters, no spaces): nothing was sent"_s);
    }

    void requestWithoutParams()
    {
        const CommandTemplate t = make(u"{\"name\": \"info\", \"method\": \"server.info\"}"_s);
        QCOMPARE(t.kind, CommandTemplate::Kind::Request);
        CommandTemplate::Resolved r;
        QString error;
        QVERIFY(t.resolve({}, &r, &error));
        QCOMPARE(r.target, u"server.info"_s);
        QCOMPARE(r.payload, QString());
    }

    void configEntriesAreChecked_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("error");
        QTest::newRow("no name") << u"[{\"channel\": \"a\", \"payload\": 1}]"_s
                                 << u"commands[0].name must be a string"_s;
        QTest::newRow("bad kind") << u"[{\"name\": \"x\", \"kind\": \"delete\", \"channel\": \"a\"}]"_s
                                  << u"commands[0] (x): kind must be \"publish\" or \"request\""_s;
        QTest::newRow("publish with method")
            << u"[{\"name\": \"x\", \"kind\": \"publish\", \"method\": \"a\"}]"_s
            << u"commands[0] (x): a publish has a channel, not a method"_s;
        QTest::newRow("no payload") << u"[{\"name\": \"x\", \"channel\": \"a\"}]"_s
                                    << u"commands[0] (x) needs a payload to publish"_s;
        QTest::newRow("undeclared param")
            << u"[{\"name\": \"x\", \"channel\": \"a\", \"payload\": \"{y}\", \"params\": []}]"_s
            << u"commands[0] (x) uses {y}, which its params do not list"_s;
        QTest::newRow("not json filled in")
            << u"[{\"name\": \"x\", \"channel\": \"a\", \"payloadText\": \"{\\\"a\\\": }\"}]"_s
            << u"commands[0] (x): the payload is not JSON with its parameters filled in: not valid JSON at character 8: object is missing after a comma"_s;
        QTest::newRow("twice")
            << u"[{\"name\": \"x\", \"channel\": \"a\", \"payload\": 1}, {\"name\": \"x\", "
               u"\"channel\": \"b\", \"payload\": 2}]"_s
            << u"commands[1]: the name 'x' is taken by another command"_s;
        QTest::newRow("reserved shortcut")
            << u"[{\"name\": \"x\", \"channel\": \"a\", \"payload\": 1, \"shortcut\": \"ctrl+q\"}]"_s
            << u"commands[0] (x): shortcut Ctrl+Q is the dashboard's own"_s;
        QTest::newRow("shortcut twice") << u"[{\"name\": \"x\", \"channel\": \"a\", \"payload\": 1, "
                                           u"\"shortcut\": \"Alt+R\"}, {\"name\": \"y\", "
                                           u"\"channel\": \"a\", \"payload\": 1, \"shortcut\": \"alt+r\"}]"_s
                                        << u"commands[1] (y): shortcut Alt+R is taken by 'x'"_s;
        QTest::newRow("dangerous not bool")
            << u"[{\"name\": \"x\", \"channel\": \"a\", \"payload\": 1, \"dangerous\": \"yes\"}]"_s
            << u"commands[0] (x): dangerous must be true or false"_s;
    }
    void configEntriesAreChecked()
    {
        QFETCH(QString, json);
        QFETCH(QString, error);
        DashboardConfig config;
        QString why;
        QVERIFY(!DashboardConfig::parse(u"{\"commands\": "_s.toUtf8() + json.toUtf8() + "}", &config, &why));
        QCOMPARE(why, error);
    }

    void configRoundTripsItsCommands()
    {
        const QByteArray json = R"({"commands": [
            {"name": "restart", "channel": "ops.control", "payload": {"service": "{service}"},
             "dangerous": true, "shortcut": "Alt+R", "description": "restarts a service", "extra": 1},
            {"name": "info", "method": "server.info"}]})";
        DashboardConfig config;
        QString error;
        QVERIFY2(DashboardConfig::parse(json, &config, &error), qPrintable(error));
        QCOMPARE(config.commands.size(), 2);
        QCOMPARE(config.warnings, QStringList{u"commands[0]: unknown key 'extra' ignored"_s});
        QVERIFY(config.commands.at(0).dangerous);
        QCOMPARE(config.commands.at(0).params.size(), 1); // found in the payload
        DashboardConfig again;
        QVERIFY2(DashboardConfig::parse(config.toJson(), &again, &error), qPrintable(error));
        QCOMPARE(again.commands, config.commands);
    }

    void libraryRowsShortcutsAndTheUsersCommands()
    {
        QTemporaryDir dir;
        QSettings qs(dir.filePath(u"settings.ini"_s), QSettings::IniFormat);
        DashboardSettings settings(&qs);
        DashboardConfig config;
        QString error;
        QVERIFY(DashboardConfig::parse(
            R"({"commands": [{"name": "restart", "channel": "ops.control", "payload": {"s": "{service}"},
                              "dangerous": true},
                             {"name": "info", "method": "server.info", "shortcut": "Alt+2"}]})",
            &config, &error));
        {
            CommandLibrary library(&settings);
            library.setConfigCommands(config.commands);
            QCOMPARE(library.rowCount(), 2);
            // Alt+1 by place; info took Alt+2 for itself.
            QCOMPARE(library.command(u"restart"_s).value(u"shortcut"_s).toString(), u"Alt+1"_s);
            QCOMPARE(library.command(u"info"_s).value(u"shortcut"_s).toString(), u"Alt+2"_s);
            QVERIFY(library.isReadOnly(u"restart"_s));
            QCOMPARE(library.remove(u"restart"_s),
                     u"'restart' comes from the config file and cannot be removed here"_s);
            QCOMPARE(library.save(library.draft(u"info"_s), u"info"_s),
                     u"'info' comes from the config file and cannot be changed here"_s);

            // The user's own: added after the config's, checked as they are.
            QVariantMap draft{{u"name"_s, u"restart"_s},
                              {u"kind"_s, u"publish"_s},
                              {u"target"_s, u"ops.x"_s},
                              {u"payload"_s, u"{\"n\": {n}}"_s},
                              {u"params"_s, u"n=1"_s}};
            QCOMPARE(library.save(draft, QString()), u"a command named 'restart' exists already"_s);
            draft.insert(u"name"_s, u"scale"_s);
            draft.insert(u"shortcut"_s, u"Alt+2"_s);
            QCOMPARE(library.save(draft, QString()), u"shortcut Alt+2 is taken by 'info'"_s);
            draft.insert(u"shortcut"_s, QString());
            draft.insert(u"payload"_s, u"{\"n\": }"_s);
            QVERIFY(library.save(draft, QString()).startsWith(u"scale: the payload is not JSON"_s));
            draft.insert(u"payload"_s, u"{\"n\": {n}, \"who\": \"{who}\"}"_s);
            QCOMPARE(library.save(draft, QString()), QString());
            QCOMPARE(library.rowCount(), 3);
            QCOMPARE(library.command(u"scale"_s).value(u"shortcut"_s).toString(), u"Alt+3"_s);
            QCOMPARE(library.command(u"scale"_s).value(u"readOnly"_s).toBool(), false);
            // {who} was not listed: it is a parameter without a default.
            QCOMPARE(library.draft(u"scale"_s).value(u"params"_s).toString(), u"n=1, who"_s);
            QCOMPARE(library.resolve(u"scale"_s, {{u"who"_s, u"me"_s}}).value(u"payload"_s).toString(),
                     u"{\"n\":1,\"who\":\"me\"}"_s);
            QCOMPARE(library.resolve(u"scale"_s, {}).value(u"error"_s).toString(),
                     u"scale needs a value for who: nothing was sent"_s);
        }
        {
            // A new library on the same settings: the user's command is back; edited, renamed.
            CommandLibrary library(&settings);
            library.setConfigCommands(config.commands);
            QCOMPARE(library.rowCount(), 3);
            QVariantMap draft = library.draft(u"scale"_s);
            draft.insert(u"name"_s, u"scale up"_s);
            draft.insert(u"dangerous"_s, true);
            QCOMPARE(library.save(draft, u"scale"_s), QString());
            QCOMPARE(library.indexOf(u"scale"_s), -1);
            QVERIFY(library.command(u"scale up"_s).value(u"dangerous"_s).toBool());
        }
        {
            CommandLibrary library(&settings);
            QCOMPARE(library.rowCount(), 1);
            QCOMPARE(library.remove(u"scale up"_s), QString());
            QCOMPARE(library.rowCount(), 0);
        }
        CommandLibrary empty(&settings);
        QCOMPARE(empty.rowCount(), 0);
    }

    // The examples the docs give are configs that load, without a warning.
    void documentedExamplesParse()
    {
        QFile example(QStringLiteral(PULSEBOARD_SOURCE_DIR "/docs/examples/commands.json"));
        QVERIFY(example.open(QIODevice::ReadOnly));
        DashboardConfig config;
        QString error;
        QVERIFY2(DashboardConfig::parse(example.readAll(), &config, &error), qPrintable(error));
        QCOMPARE(config.warnings, QStringList());
        QCOMPARE(config.commands.size(), 5);
        CommandTemplate::Resolved r;
        QVERIFY(config.commands.at(1).resolve({{u"service"_s, u"api"_s}}, &r, &error));
        QCOMPARE(r.payload, u"{\"action\":\"scale\",\"replicas\":2,\"service\":\"api\"}"_s);

        QFile doc(QStringLiteral(PULSEBOARD_SOURCE_DIR "/docs/DASHBOARD.md"));
        QVERIFY(doc.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(doc.readAll());
        const qsizetype section = text.indexOf(u"## Config file"_s);
        const qsizetype from = text.indexOf(u"```json\n"_s, section);
        const qsizetype to = text.indexOf(u"```"_s, from + 7);
        QVERIFY(section > 0 && from > section && to > from);
        DashboardConfig documented;
        QVERIFY2(DashboardConfig::parse(text.mid(from + 8, to - from - 8).toUtf8(), &documented, &error),
                 qPrintable(error));
        QCOMPARE(documented.commands.size(), 3);
        QCOMPARE(documented.warnings, QStringList());
    }

    // Saved commands that cannot be read are moved aside, said, and the library starts without them.
    void unreadableSavedCommandsAreKeptAside()
    {
        QTemporaryDir dir;
        QSettings qs(dir.filePath(u"settings.ini"_s), QSettings::IniFormat);
        DashboardSettings settings(&qs);
        settings.setSavedCommands("[{\"name\": \"x\"");
        CommandLibrary library(&settings);
        QCOMPARE(library.rowCount(), 0);
        QCOMPARE(library.problem(),
                 u"the saved commands could not be read (not a JSON array); they were moved to the setting "
                 u"commands/unreadable"_s);
        QCOMPARE(qs.value(u"commands/unreadable"_s).toString(), u"[{\"name\": \"x\""_s);
        QVERIFY(settings.savedCommands().isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_CommandLibrary)
#include "tst_commandlibrary.moc"
