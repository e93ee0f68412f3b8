// TokenAuth: signed tokens (mint, verify, expiry, tampering, wrong secret) and the tokens file.
#include "hub/TokenAuth.h"

#include <QTemporaryFile>
#include <QTest>

using namespace Pulseboard;

class tst_TokenAuth : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void openWhenNothingConfigured();
    void signedTokens();
    void tokensFile();
    void onlyTheExactSignatureVerifies();
};

void tst_TokenAuth::openWhenNothingConfigured()
{
    TokenAuth auth;
    QVERIFY(!auth.isRequired());
    QVERIFY(auth.verify(QString(), 0).ok);
}

void tst_TokenAuth::signedTokens()
{
    const QByteArray secret("0123456789abcdef-secret");
    TokenAuth auth;
    auth.setSecret(secret);
    QVERIFY(auth.isRequired());
    const QString token = TokenAuth::mint(secret, QStringLiteral("wall-kiosk"), 1000);
    QVERIFY(token.startsWith(QLatin1StringView("pb1.")));
    QCOMPARE(token.count(QLatin1Char('.')), 2);

    TokenAuth::Verdict v = auth.verify(token, 999);
    QVERIFY(v.ok);
    QCOMPARE(v.subject, QStringLiteral("sub:wall-kiosk"));
    v = auth.verify(token, 1000);
    QVERIFY(!v.ok);
    QCOMPARE(v.reason, QStringLiteral("token expired"));

    // Another payload under the old signature.
    const QString other = TokenAuth::mint(secret, QStringLiteral("admin"), 5000);
    const QString spliced =
        other.section(QLatin1Char('.'), 0, 1) + QLatin1Char('.') + token.section(QLatin1Char('.'), 2);
    QCOMPARE(auth.verify(spliced, 0).reason, QStringLiteral("invalid token"));
    QVERIFY(!auth.verify(TokenAuth::mint("another-secret-123", QStringLiteral("x"), 5000), 0).ok);
    QVERIFY(!auth.verify(QStringLiteral("pb1.."), 0).ok);
    QVERIFY(!auth.verify(QStringLiteral("pb1.!!!.???"), 0).ok);
    QCOMPARE(auth.verify(QString(), 0).reason, QStringLiteral("token required"));
}

void tst_TokenAuth::tokensFile()
{
    QTemporaryFile file;
    QVERIFY(file.open());
    file.write("# comment\n\n  first  \nsecond\n");
    file.close();
    TokenAuth auth;
    QString error;
    QVERIFY(auth.loadTokensFile(file.fileName(), &error));
    QCOMPARE(auth.staticTokenCount(), 2);
    QVERIFY(auth.verify(QStringLiteral("first"), 0).ok);
    QVERIFY(auth.verify(QStringLiteral("second"), 0).subject.startsWith(QLatin1StringView("token:")));
    QVERIFY(!auth.verify(QStringLiteral("# comment"), 0).ok);
    QVERIFY(!auth.verify(QStringLiteral("firs"), 0).ok);

    QTemporaryFile empty;
    QVERIFY(empty.open());
    empty.write("# nothing\n");
    empty.close();
    TokenAuth none;
    QVERIFY(!none.loadTokensFile(empty.fileName(), &error));
    QVERIFY(error.contains(QStringLiteral("no token")));
    QVERIFY(!none.loadTokensFile(QStringLiteral("/nonexistent/file"), &error));
}

void tst_TokenAuth::onlyTheExactSignatureVerifies()
{
    // The last base64 character of a 32-byte signature carries spare bits: several characters
    // decode to the same bytes. Only the one the hub minted may pass.
    const QByteArray secret("0123456789abcdef-secret");
    TokenAuth auth;
    auth.setSecret(secret);
    const QString token = TokenAuth::mint(secret, QStringLiteral("ops"), 5000);
    const QString alphabet =
        QStringLiteral("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
    int accepted = 0;
    for (QChar c : alphabet) {
        QString altered = token;
        altered[altered.size() - 1] = c;
        accepted += auth.verify(altered, 0).ok ? 1 : 0;
    }
    QCOMPARE(accepted, 1);
}

QTEST_GUILESS_MAIN(tst_TokenAuth)
#include "tst_tokenauth.moc"
