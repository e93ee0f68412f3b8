// Authorization on the hub and its clients: the channel patterns a token grants (publish and
// subscribe, refused with 403 while the session goes on), the built-in feed names read-only on a
// hub that runs no feed, tokens of older hubs still valid, a signed token's expiry ending its
// session with 4001 "token expired", clients renewing the token from --token-file and
// --token-command, and the token secret's rules of `pulseboard-hub`'s command line.
#include "HubProbe.h"
#include "client/CommandLineOptions.h"
#include "client/ConnectionManager.h"
#include "hub/HubCommandLine.h"
#include "hub/HubServer.h"
#include "hub/TokenAuth.h"
#include "protocol/Clock.h"
#include "protocol/CloseCode.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QSaveFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Pulseboard;
using namespace HubTest;
using namespace Qt::StringLiterals;

namespace {

const QByteArray kSecret = QByteArrayLiteral("authz-test-secret-0123456789");

HubOptions securedOptions()
{
    HubOptions o;
    o.port = 0;
    o.feedsEnabled = false;
    o.tokenSecret = kSecret;
    o.authTimeoutMs = 5000;
    return o;
}

QString mintToken(const QString &subject, qint64 lifetimeMs, const ChannelGrant &publish = {},
                  const ChannelGrant &subscribe = {})
{
    TokenAuth::Claims c;
    c.subject = subject;
    c.expiresAtMs = Clock::current().wallMs() + lifetimeMs;
    c.publish = publish;
    c.subscribe = subscribe;
    return TokenAuth::mint(kSecret, c);
}

// Opens a probe and authenticates it; false when the hub did not ack.
bool authed(ProtocolProbe &probe, const QUrl &url, const QString &token)
{
    if (!probe.open(url))
        return false;
    bool ok = false;
    probe.waitFor(MessageType::Ack, probe.auth(token), &ok);
    return ok;
}

ConnectionOptions fastClient(const QUrl &url)
{
    ConnectionOptions o;
    o.endpoints = {url};
    o.heartbeatIntervalMs = 50;
    o.heartbeatTimeoutMs = 2000;
    o.connectTimeoutMs = 2000;
    o.backoff.initialMs = 20;
    o.backoff.maxMs = 100;
    o.maxRetries = 0;
    o.ackTimeoutMs = 2000;
    return o;
}

// The shared client flags, as the CLI and the dashboard read them.
bool parseClientFlags(const QStringList &args, ConnectionOptions &o, QString &error)
{
    QCommandLineParser parser;
    ConnectionCommandLine flags;
    flags.addTo(parser);
    if (!parser.parse(QStringList{QStringLiteral("prog")} + args)) {
        error = parser.errorText();
        return false;
    }
    QStringList channels;
    return flags.read(parser, o, channels, error);
}

bool parseHubFlags(const QStringList &args, HubOptions &o, HubCommandLine &flags, QString &error)
{
    QCommandLineParser parser;
    flags.addTo(parser);
    if (!parser.parse(QStringList{QStringLiteral("pulseboard-hub")} + args)) {
        error = parser.errorText();
        return false;
    }
    return flags.read(parser, o, error);
}

bool writeFile(const QString &path, const QByteArray &text)
{
    // Written aside and renamed over: a reader sees the old token or the new, never half of one.
    QSaveFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text) == text.size() && file.commit();
}

struct ScopedEnv
{
    ScopedEnv(const char *name, const QByteArray &value) : m_name(name) { qputenv(name, value); }
    ~ScopedEnv() { qunsetenv(m_name); }
    const char *m_name;
};

} // namespace

class tst_HubAuthz : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void globPatterns_data();
    void globPatterns();
    void patternsEnforcedBothWays();
    void readOnlyTokenPublishesNothing();
    void feedNamesReadOnlyOnNoFeedsHub();
    void oldTokensStillValid();
    void tokensFileGrants();
    void tokenExpiryCloses4001();
    void clientRenewsFromTokenFile();
    void clientWithTokenCommand();
    void tokenCommandFailuresAreClear();
    void staticTokenExpiryStops();
    void tokenSecretRules_data();
    void tokenSecretRules();
    void mintFlagsCarryPatterns();
};

void tst_HubAuthz::globPatterns_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("channel");
    QTest::addColumn<bool>("matches");
    QTest::newRow("star") << u"*"_s << u"anything.at.all"_s << true;
    QTest::newRow("prefix") << u"ops.*"_s << u"ops.deploy"_s << true;
    QTest::newRow("prefix deeper") << u"ops.*"_s << u"ops.a.b"_s << true;
    QTest::newRow("prefix not itself") << u"ops.*"_s << u"ops"_s << false;
    QTest::newRow("prefix other") << u"ops.*"_s << u"opsx.a"_s << false;
    QTest::newRow("exact") << u"alerts"_s << u"alerts"_s << true;
    QTest::newRow("exact longer") << u"alerts"_s << u"alerts2"_s << false;
    QTest::newRow("middle") << u"a.*.z"_s << u"a.b.c.z"_s << true;
    QTest::newRow("middle miss") << u"a.*.z"_s << u"a.b.c.y"_s << false;
    QTest::newRow("suffix") << u"*.cpu"_s << u"host1.cpu"_s << true;
    QTest::newRow("backtrack") << u"*ab*c"_s << u"xaabyabzc"_s << true;
    QTest::newRow("case") << u"ops.*"_s << u"OPS.a"_s << false;
}

void tst_HubAuthz::globPatterns()
{
    QFETCH(QString, pattern);
    QFETCH(QString, channel);
    QFETCH(bool, matches);
    QCOMPARE(ChannelGrant::matches(pattern, channel), matches);
    QCOMPARE(ChannelGrant::only({pattern}).allows(channel), matches);
    QVERIFY(ChannelGrant().allows(channel)); // no grant: every channel
}

void tst_HubAuthz::patternsEnforcedBothWays()
{
    auto hub = startHub(securedOptions());
    QVERIFY(hub);
    ProtocolProbe probe;
    QVERIFY(authed(probe, hub->url(),
                   mintToken(u"ops-bot"_s, 60000, ChannelGrant::only({u"ops.*"_s}),
                             ChannelGrant::only({u"ops.*"_s, u"public"_s}))));
    bool ok = false;
    // Allowed both ways.
    probe.waitFor(MessageType::Subscribed, probe.subscribe(u"ops.deploy"_s), &ok);
    QVERIFY(ok);
    const Envelope first = probe.waitFor(MessageType::Ack, probe.publish(u"ops.deploy"_s, 1), &ok);
    QVERIFY(ok);
    QCOMPARE(first.seq, qint64(1));

    // Refused both ways, each with 403 naming the channel, the session going on.
    const QString badSub = probe.subscribe(u"secret.keys"_s);
    Envelope err = probe.waitFor(MessageType::Error, badSub, &ok);
    QVERIFY(ok);
    QCOMPARE(err.code, 403);
    QVERIFY2(err.text.contains(u"subscribe to secret.keys"_s), qPrintable(err.text));
    QVERIFY2(err.text.contains(u"ops.*,public"_s), qPrintable(err.text));
    const QString badPub = probe.publish(u"public"_s, 2); // subscribable, not publishable
    err = probe.waitFor(MessageType::Error, badPub, &ok);
    QVERIFY(ok);
    QCOMPARE(err.code, 403);
    QVERIFY2(err.text.contains(u"publish to public"_s), qPrintable(err.text));
    QCOMPARE(hub->rejects(u"not_granted"_s), quint64(2));

    // Still open, still publishing: nothing accepted was lost, nothing refused was stored.
    const Envelope second = probe.waitFor(MessageType::Ack, probe.publish(u"ops.deploy"_s, 3), &ok);
    QVERIFY(ok);
    QCOMPARE(second.seq, qint64(2));
    QTRY_COMPARE(probe.seqsOf(u"ops.deploy"_s), (QList<qint64>{1, 2}));
    QVERIFY(!probe.isClosed());
    QVERIFY(probe.ofType(MessageType::Subscribed).size() == 1);

    ProtocolProbe reader;
    QVERIFY(authed(reader, hub->url(), mintToken(u"reader"_s, 60000)));
    const Envelope sub = reader.waitFor(MessageType::Subscribed, reader.subscribe(u"public"_s, 0), &ok);
    QVERIFY(ok);
    QCOMPARE(sub.seq, qint64(0)); // the refused publish never reached the store
}

void tst_HubAuthz::readOnlyTokenPublishesNothing()
{
    auto hub = startHub(securedOptions());
    QVERIFY(hub);
    ProtocolProbe wall;
    QVERIFY(authed(wall, hub->url(), mintToken(u"wall"_s, 60000, ChannelGrant::only({}))));
    bool ok = false;
    wall.waitFor(MessageType::Subscribed, wall.subscribe(u"anything"_s), &ok);
    QVERIFY(ok);
    const Envelope err = wall.waitFor(MessageType::Error, wall.publish(u"anything"_s, 1), &ok);
    QVERIFY(ok);
    QCOMPARE(err.code, 403);
    QVERIFY2(err.text.contains(u"no channel"_s), qPrintable(err.text));
}

void tst_HubAuthz::feedNamesReadOnlyOnNoFeedsHub()
{
    // An open hub that runs no feed, as a --no-feeds member of a Redis group: the names stay
    // the feeds' all the same.
    HubOptions o = securedOptions();
    o.tokenSecret.clear();
    auto hub = startHub(o);
    QVERIFY(hub);
    QVERIFY(hub->activeFeeds().isEmpty());
    ProtocolProbe probe;
    QVERIFY(probe.open(hub->url()));
    bool ok = false;
    for (const QString &channel : {u"sys.cpu"_s, u"hub.stats"_s, u"demo.wave"_s, u"sys.made.up"_s}) {
        const Envelope err = probe.waitFor(MessageType::Error, probe.publish(channel, 42), &ok);
        QVERIFY2(ok, qPrintable(channel));
        QCOMPARE(err.code, 403);
        QVERIFY2(err.text.contains(u"read-only"_s) && err.text.contains(u"sys.*"_s), qPrintable(err.text));
    }
    QCOMPARE(hub->rejects(u"reserved_channel"_s), quint64(4));
    // Names that only look alike are anyone's; subscribing to feed names is fine.
    for (const QString &channel : {u"system.cpu"_s, u"sys"_s, u"demos.wave"_s}) {
        probe.waitFor(MessageType::Ack, probe.publish(channel, 1), &ok);
        QVERIFY2(ok, qPrintable(channel));
    }
    probe.waitFor(MessageType::Subscribed, probe.subscribe(u"sys.cpu"_s), &ok);
    QVERIFY(ok);
    QVERIFY(!probe.isClosed());

    // Even a token granting every channel cannot publish them.
    auto secured = startHub(securedOptions());
    QVERIFY(secured);
    ProtocolProbe admin;
    QVERIFY(authed(admin, secured->url(), mintToken(u"admin"_s, 60000, ChannelGrant::only({u"*"_s}))));
    const Envelope err = admin.waitFor(MessageType::Error, admin.publish(u"sys.cpu"_s, 1), &ok);
    QVERIFY(ok);
    QCOMPARE(err.code, 403);
}

void tst_HubAuthz::oldTokensStillValid()
{
    // A token as hubs before channel patterns minted it, built here byte by byte.
    const qint64 exp = QDateTime::currentSecsSinceEpoch() + 60;
    const QByteArray payload = QByteArray(R"({"exp":)" + QByteArray::number(exp) + R"(,"sub":"legacy"})")
                                   .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    const QByteArray signedPart = "pb1." + payload;
    const QByteArray signature =
        QMessageAuthenticationCode::hash(signedPart, kSecret, QCryptographicHash::Sha256)
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    const QString legacy = QString::fromLatin1(signedPart + '.' + signature);
    // The seconds-only mint still writes exactly that.
    QCOMPARE(TokenAuth::mint(kSecret, u"legacy"_s, exp), legacy);

    TokenAuth auth;
    auth.setSecret(kSecret);
    const TokenAuth::Verdict v = auth.verify(legacy, exp - 1);
    QVERIFY(v.ok);
    QVERIFY(!v.publish.restricted);
    QVERIFY(!v.subscribe.restricted);
    QCOMPARE(v.expiresAtMs, exp * 1000);
    QCOMPARE(auth.verify(legacy, exp).reason, u"token expired"_s);

    auto hub = startHub(securedOptions());
    QVERIFY(hub);
    ProtocolProbe probe;
    QVERIFY(authed(probe, hub->url(), legacy));
    bool ok = false;
    probe.waitFor(MessageType::Ack, probe.publish(u"anything.goes"_s, 1), &ok);
    QVERIFY(ok);
    probe.waitFor(MessageType::Subscribed, probe.subscribe(u"anything.else"_s), &ok);
    QVERIFY(ok);

    // A grant that cannot be read refuses the token rather than widening to everything.
    QJsonObject claims{{u"sub"_s, u"x"_s}, {u"exp"_s, double(exp)}, {u"publish"_s, u"ops.*"_s}};
    const QByteArray badPayload =
        QJsonDocument(claims)
            .toJson(QJsonDocument::Compact)
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    const QByteArray badSigned = "pb1." + badPayload;
    const QString bad =
        QString::fromLatin1(badSigned + '.' +
                            QMessageAuthenticationCode::hash(badSigned, kSecret, QCryptographicHash::Sha256)
                                .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    QCOMPARE(auth.verify(bad, exp - 1).reason, u"invalid token"_s);
}

void tst_HubAuthz::tokensFileGrants()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"tokens"_s);
    QVERIFY(writeFile(path,
                      "# operators\nplain-token\nbot-token  pub=ops.*,alerts sub=ops.*\nwall-token pub=\n"));
    HubOptions o = securedOptions();
    o.tokenSecret.clear();
    o.tokensFile = path;
    auto hub = startHub(o);
    QVERIFY(hub);
    bool ok = false;

    ProtocolProbe plain;
    QVERIFY(authed(plain, hub->url(), u"plain-token"_s));
    plain.waitFor(MessageType::Ack, plain.publish(u"anything"_s, 1), &ok);
    QVERIFY(ok);

    ProtocolProbe bot;
    QVERIFY(authed(bot, hub->url(), u"bot-token"_s));
    bot.waitFor(MessageType::Ack, bot.publish(u"alerts"_s, 1), &ok);
    QVERIFY(ok);
    QCOMPARE(bot.waitFor(MessageType::Error, bot.subscribe(u"alerts"_s), &ok).code, 403);
    QVERIFY(ok);
    bot.waitFor(MessageType::Subscribed, bot.subscribe(u"ops.x"_s), &ok);
    QVERIFY(ok);

    ProtocolProbe wall;
    QVERIFY(authed(wall, hub->url(), u"wall-token"_s));
    QCOMPARE(wall.waitFor(MessageType::Error, wall.publish(u"anything"_s, 1), &ok).code, 403);
    QVERIFY(ok);

    // The grants follow the token, not the whole line: the line with grants is not a token.
    ProtocolProbe whole;
    QVERIFY(whole.open(hub->url()));
    whole.auth(u"bot-token  pub=ops.*,alerts sub=ops.*"_s);
    QVERIFY(whole.waitClosed());
    QCOMPARE(whole.closeCode(), CloseCode::Unauthorized);

    // An unknown field fails the load, naming the line and never the token.
    QVERIFY(writeFile(path, "ok-token\nsecret-value-123 read=ops.*\n"));
    TokenAuth auth;
    QString error;
    QVERIFY(!auth.loadTokensFile(path, &error));
    QVERIFY2(error.contains(u"line 2"_s) && error.contains(u"read"_s), qPrintable(error));
    QVERIFY2(!error.contains(u"secret-value-123"_s), qPrintable(error));
}

void tst_HubAuthz::tokenExpiryCloses4001()
{
    auto hub = startHub(securedOptions());
    QVERIFY(hub);
    const qint64 lifetimeMs = 400;
    const qint64 expiresAtMs = Clock::current().wallMs() + lifetimeMs;
    TokenAuth::Claims c;
    c.subject = u"short-lived"_s;
    c.expiresAtMs = expiresAtMs;
    ProtocolProbe probe;
    QVERIFY(authed(probe, hub->url(), TokenAuth::mint(kSecret, c)));
    ProtocolProbe longLived;
    QVERIFY(authed(longLived, hub->url(), mintToken(u"long-lived"_s, 60000)));
    bool ok = false;
    probe.waitFor(MessageType::Subscribed, probe.subscribe(u"x"_s), &ok);
    QVERIFY(ok);

    QVERIFY(probe.waitClosed(5000));
    // Closed at the expiry, not before it.
    QVERIFY(Clock::current().wallMs() >= expiresAtMs);
    QCOMPARE(probe.closeCode(), CloseCode::Unauthorized);
    QCOMPARE(probe.closeReason(), u"token expired"_s);
    const Envelope err = probe.waitFor(MessageType::Error, QString(), &ok);
    QVERIFY(ok);
    QCOMPARE(err.code, CloseCode::Unauthorized);
    QCOMPARE(err.text, u"token expired"_s);
    QCOMPARE(hub->rejects(u"auth_expired"_s), quint64(1));
    // The other session's token has time left: it goes on.
    longLived.waitFor(MessageType::Pong, longLived.ping(1), &ok);
    QVERIFY(ok);
    QVERIFY(!longLived.isClosed());
}

void tst_HubAuthz::clientRenewsFromTokenFile()
{
    auto hub = startHub(securedOptions());
    QVERIFY(hub);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"token"_s);
    // The first token may publish only first.*, the one that replaces it only second.*: which
    // one authenticated a session shows in what it may do.
    QVERIFY(writeFile(path, mintToken(u"first"_s, 1000, ChannelGrant::only({u"first.*"_s})).toUtf8() + '\n'));

    ConnectionOptions o;
    QString error;
    QVERIFY2(parseClientFlags({u"--url"_s, hub->url().toString(), u"--token-file"_s, path}, o, error),
             qPrintable(error));
    QVERIFY(o.tokenSource);
    QVERIFY(o.token.isEmpty());
    ConnectionOptions fast = fastClient(hub->url());
    fast.tokenSource = o.tokenSource;
    ConnectionManager client;
    client.setOptions(fast);
    QSignalSpy acked(&client, &ConnectionManager::acked);
    QSignalSpy failed(&client, &ConnectionManager::publishFailed);
    QSignalSpy lost(&client, &ConnectionManager::disconnected);
    client.open();
    QTRY_COMPARE(client.state(), ConnectionManager::Open);
    client.publish(u"first.a"_s, 1);
    QTRY_COMPARE(acked.size(), 1);

    // Renewed before the first expires, as a renewing job would.
    QVERIFY(writeFile(path, mintToken(u"second"_s, 60000, ChannelGrant::only({u"second.*"_s})).toUtf8()));
    QTRY_COMPARE_WITH_TIMEOUT(lost.size(), 1, 5000);
    QCOMPARE(lost.first().at(0).toInt(), CloseCode::Unauthorized);
    QCOMPARE(lost.first().at(1).toString(), u"token expired"_s);
    QTRY_COMPARE(client.state(), ConnectionManager::Open);
    QCOMPARE(hub->metrics().connectionsTotal, quint64(2));
    client.publish(u"second.b"_s, 2);
    QTRY_COMPARE(acked.size(), 2);
    QVERIFY(failed.isEmpty());
    // The new token's grants, not the old one's: first.* is refused now.
    client.publish(u"first.c"_s, 3);
    QTRY_COMPARE(failed.size(), 1);
    QVERIFY2(failed.first().at(2).toString().contains(u"403"_s), qPrintable(failed.first().at(2).toString()));
    QCOMPARE(client.state(), ConnectionManager::Open);
}

void tst_HubAuthz::clientWithTokenCommand()
{
    auto hub = startHub(securedOptions());
    QVERIFY(hub);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"token"_s);
    QVERIFY(writeFile(path, mintToken(u"cmd-first"_s, 1000, ChannelGrant::only({u"first.*"_s})).toUtf8()));
    // A command that prints the token file, so the test can renew what it prints.
    ConnectionOptions o;
    QString error;
    QVERIFY2(parseClientFlags({u"--url"_s, hub->url().toString(), u"--token-command"_s,
                               u"cat '%1'"_s.arg(path), u"--token-command-timeout"_s, u"3000"_s},
                              o, error),
             qPrintable(error));
    QVERIFY(o.tokenSource);
    ConnectionOptions fast = fastClient(hub->url());
    fast.tokenSource = o.tokenSource;
    ConnectionManager client;
    client.setOptions(fast);
    QSignalSpy acked(&client, &ConnectionManager::acked);
    client.open();
    QTRY_COMPARE(client.state(), ConnectionManager::Open);
    client.publish(u"first.a"_s, 1);
    QTRY_COMPARE(acked.size(), 1);
    QVERIFY(writeFile(path, mintToken(u"cmd-second"_s, 60000, ChannelGrant::only({u"second.*"_s})).toUtf8()));
    QTRY_COMPARE_WITH_TIMEOUT(hub->metrics().connectionsTotal, quint64(2), 5000);
    QTRY_COMPARE(client.state(), ConnectionManager::Open);
    client.publish(u"second.a"_s, 2);
    QTRY_COMPARE(acked.size(), 2);
}

void tst_HubAuthz::tokenCommandFailuresAreClear()
{
    auto hub = startHub(securedOptions());
    QVERIFY(hub);
    struct Case
    {
        QStringList flags;
        QString expected;
    };
    const QList<Case> cases{
        {{u"--token-command"_s, u"echo no such vault >&2; exit 3"_s},
         u"token command failed (exit code 3): no such vault"_s},
        {{u"--token-command"_s, u"sleep 5"_s, u"--token-command-timeout"_s, u"100"_s},
         u"token command did not finish within 100 ms"_s},
        {{u"--token-command"_s, u"true"_s}, u"token command printed no token"_s},
        {{u"--token-file"_s, u"/nonexistent/token"_s}, u"cannot read token file /nonexistent/token"_s},
    };
    for (const Case &c : cases) {
        ConnectionOptions o;
        QString error;
        QVERIFY2(parseClientFlags(QStringList{u"--url"_s, hub->url().toString()} + c.flags, o, error),
                 qPrintable(error));
        ConnectionOptions fast = fastClient(hub->url());
        fast.tokenSource = o.tokenSource;
        fast.maxRetries = 2;
        ConnectionManager client;
        client.setOptions(fast);
        client.open();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), ConnectionManager::Failed, 10000);
        QVERIFY2(client.errorString().contains(u"gave up after 2 attempts"_s) &&
                     client.errorString().contains(c.expected),
                 qPrintable(client.errorString()));
    }
    // No socket was opened for a token that could not be had.
    QCOMPARE(hub->metrics().connectionsTotal, quint64(0));

    // One way to give the token at a time.
    ConnectionOptions o;
    QString error;
    QVERIFY(!parseClientFlags({u"--token"_s, u"t"_s, u"--token-file"_s, u"/tmp/x"_s}, o, error));
    QVERIFY2(error.contains(u"one way"_s), qPrintable(error));
    QVERIFY(!parseClientFlags({u"--token-file"_s, u"/tmp/x"_s, u"--token-command"_s, u"x"_s}, o, error));
    QVERIFY(!parseClientFlags({u"--token-command-timeout"_s, u"10"_s}, o, error));
    QVERIFY2(error.contains(u"--token-command"_s), qPrintable(error));
    QVERIFY(
        !parseClientFlags({u"--token-command"_s, u"x"_s, u"--token-command-timeout"_s, u"0"_s}, o, error));
    // The environment's token gives way to a token source.
    ScopedEnv env("PULSEBOARD_TOKEN", "from-env");
    ConnectionOptions fromFile;
    QVERIFY(parseClientFlags({u"--token-file"_s, u"/tmp/x"_s}, fromFile, error));
    QVERIFY(fromFile.token.isEmpty());
}

void tst_HubAuthz::staticTokenExpiryStops()
{
    auto hub = startHub(securedOptions());
    QVERIFY(hub);
    ConnectionOptions o = fastClient(hub->url());
    o.token = mintToken(u"static"_s, 400);
    ConnectionManager client;
    client.setOptions(o);
    client.open();
    QTRY_COMPARE(client.state(), ConnectionManager::Open);
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ConnectionManager::Failed, 5000);
    QVERIFY2(client.errorString().contains(u"token expired"_s) && client.errorString().contains(u"static"_s),
             qPrintable(client.errorString()));
    // No loop: it stays failed and the hub sees no other connection.
    QTest::qWait(300);
    QCOMPARE(client.state(), ConnectionManager::Failed);
    QCOMPARE(hub->metrics().connectionsTotal, quint64(1));
}

void tst_HubAuthz::tokenSecretRules_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("envSecret"); // "-": unset
    QTest::addColumn<QString>("error");        // empty: accepted
    QTest::newRow("env empty") << QStringList() << QByteArray("") << u"set but empty"_s;
    QTest::newRow("env blank") << QStringList() << QByteArray("  \n") << u"set but empty"_s;
    QTest::newRow("env short") << QStringList() << QByteArray("short-secret") << u"at least 16 bytes"_s;
    QTest::newRow("env good") << QStringList() << QByteArray("sixteen-bytes-ok") << QString();
    QTest::newRow("unset: open hub") << QStringList() << QByteArray("-") << QString();
    QTest::newRow("flag empty") << QStringList{u"--token-secret"_s, QString()} << QByteArray("-")
                                << u"at least 16 bytes"_s;
    QTest::newRow("flag short") << QStringList{u"--token-secret"_s, u"short"_s} << QByteArray("-")
                                << u"at least 16 bytes"_s;
    // The flag wins over the environment, whose value is then not read at all.
    QTest::newRow("flag over env") << QStringList{u"--token-secret"_s, u"sixteen-bytes-ok"_s}
                                   << QByteArray("") << QString();
    QTest::newRow("mint from env empty")
        << QStringList{u"--mint-token"_s, u"ops"_s} << QByteArray("") << u"set but empty"_s;
}

void tst_HubAuthz::tokenSecretRules()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, envSecret);
    QFETCH(QString, error);
    std::unique_ptr<ScopedEnv> env;
    if (envSecret != "-")
        env = std::make_unique<ScopedEnv>("PULSEBOARD_TOKEN_SECRET", envSecret);
    HubOptions o;
    HubCommandLine flags;
    QString why;
    const bool ok = parseHubFlags(args, o, flags, why);
    if (error.isEmpty()) {
        QVERIFY2(ok, qPrintable(why));
        QVERIFY(o.tokenSecret.isEmpty() || o.tokenSecret.size() >= 16);
        QCOMPARE(o.tokenSecret.isEmpty(), envSecret == "-" && args.isEmpty());
    } else {
        QVERIFY(!ok);
        QVERIFY2(why.contains(error), qPrintable(why));
    }
}

void tst_HubAuthz::mintFlagsCarryPatterns()
{
    HubOptions o;
    HubCommandLine flags;
    QString error;
    QVERIFY2(parseHubFlags({u"--mint-token"_s, u"ops"_s, u"--token-secret"_s, QString::fromLatin1(kSecret),
                            u"--publish"_s, u"ops.*"_s, u"--subscribe"_s, u"ops.*, alerts"_s,
                            u"--subscribe"_s, u"public.*"_s},
                           o, flags, error),
             qPrintable(error));
    QCOMPARE(flags.action, HubCommandLine::Action::MintToken);
    QVERIFY(flags.mintPublish.restricted);
    QCOMPARE(flags.mintPublish.patterns, QStringList{u"ops.*"_s});
    QCOMPARE(flags.mintSubscribe.patterns, (QStringList{u"ops.*"_s, u"alerts"_s, u"public.*"_s}));

    // What it mints carries them, and a hub reads them back.
    TokenAuth::Claims c;
    c.subject = flags.mintSubject;
    c.expiresAtMs = Clock::current().wallMs() + 60000;
    c.publish = flags.mintPublish;
    c.subscribe = flags.mintSubscribe;
    TokenAuth auth;
    auth.setSecret(kSecret);
    const TokenAuth::Verdict v = auth.verifyAtMs(TokenAuth::mint(kSecret, c), Clock::current().wallMs());
    QVERIFY(v.ok);
    QCOMPARE(v.publish.patterns, flags.mintPublish.patterns);
    QCOMPARE(v.subscribe.patterns, flags.mintSubscribe.patterns);
    QVERIFY(v.subscribe.allows(u"alerts"_s));
    QVERIFY(!v.publish.allows(u"alerts"_s));

    // Without patterns: no restriction. With an empty one: none allowed.
    HubCommandLine plain;
    QVERIFY(parseHubFlags({u"--mint-token"_s, u"x"_s, u"--token-secret"_s, QString::fromLatin1(kSecret)}, o,
                          plain, error));
    QVERIFY(!plain.mintPublish.restricted && !plain.mintSubscribe.restricted);
    HubCommandLine readOnly;
    QVERIFY(parseHubFlags({u"--mint-token"_s, u"x"_s, u"--token-secret"_s, QString::fromLatin1(kSecret),
                           u"--publish"_s, QString()},
                          o, readOnly, error));
    QVERIFY(readOnly.mintPublish.restricted);
    QVERIFY(readOnly.mintPublish.patterns.isEmpty());

    HubCommandLine stray;
    QVERIFY(!parseHubFlags({u"--publish"_s, u"ops.*"_s}, o, stray, error));
    QVERIFY2(error.contains(u"--publish only goes with --mint-token"_s), qPrintable(error));
    QVERIFY(!parseHubFlags({u"--mint-token"_s, u"x"_s, u"--token-secret"_s, QString::fromLatin1(kSecret),
                            u"--subscribe"_s, u"bad channel"_s},
                           o, stray, error));
    QVERIFY2(error.contains(u"not a channel pattern"_s), qPrintable(error));
}

QTEST_GUILESS_MAIN(tst_HubAuthz)
#include "tst_hubauthz.moc"
