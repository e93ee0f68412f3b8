#include "TokenAuth.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>

namespace Pulseboard {

namespace {

constexpr auto kPrefix = QLatin1StringView("pb1.");
constexpr auto kBase64Url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

QByteArray sha256(const QByteArray &data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256);
}

// Compares without an early exit, so the time taken says nothing about where they differ.
bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a.at(i) ^ b.at(i));
    return diff == 0;
}

QByteArray sign(const QByteArray &secret, const QByteArray &signedPart)
{
    return QMessageAuthenticationCode::hash(signedPart, secret, QCryptographicHash::Sha256);
}

} // namespace

bool TokenAuth::loadTokensFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        if (error)
            *error = QStringLiteral("cannot read tokens file %1: %2").arg(path, file.errorString());
        return false;
    }
    QSet<QByteArray> hashes;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        hashes.insert(sha256(line));
    }
    if (hashes.isEmpty()) {
        if (error)
            *error =
                QStringLiteral("tokens file %1 holds no token (one a line; # starts a comment)").arg(path);
        return false;
    }
    m_tokenHashes = hashes;
    return true;
}

TokenAuth::Verdict TokenAuth::verify(const QString &token, qint64 nowSecs) const
{
    if (!isRequired())
        return {true, QString(), QString()};
    if (token.isEmpty())
        return {false, QString(), QStringLiteral("token required")};
    const QByteArray utf8 = token.toUtf8();
    if (!m_tokenHashes.isEmpty()) {
        const QByteArray hash = sha256(utf8);
        if (m_tokenHashes.contains(hash))
            return {true, QStringLiteral("token:") + QString::fromLatin1(hash.toHex().left(12)), QString()};
    }
    if (!m_secret.isEmpty() && token.startsWith(kPrefix))
        return verifySigned(token, nowSecs);
    return {false, QString(), QStringLiteral("invalid token")};
}

TokenAuth::Verdict TokenAuth::verifySigned(const QString &token, qint64 nowSecs) const
{
    const QByteArray utf8 = token.toUtf8();
    const qsizetype dot = utf8.lastIndexOf('.');
    if (dot <= kPrefix.size())
        return {false, QString(), QStringLiteral("invalid token")};
    const QByteArray signedPart = utf8.left(dot);
    // Compare the encoded form: base64 decoding ignores the spare low bits of the last
    // character, so comparing decoded bytes would accept altered tokens now and then.
    const QByteArray expected = sign(m_secret, signedPart).toBase64(kBase64Url);
    if (!constantTimeEquals(utf8.mid(dot + 1), expected))
        return {false, QString(), QStringLiteral("invalid token")};
    const auto payload = QByteArray::fromBase64Encoding(signedPart.mid(kPrefix.size()), kBase64Url);
    if (!payload)
        return {false, QString(), QStringLiteral("invalid token")};
    const QJsonObject claims = QJsonDocument::fromJson(*payload).object();
    const QString subject = claims.value(QLatin1StringView("sub")).toString();
    const QJsonValue exp = claims.value(QLatin1StringView("exp"));
    if (subject.isEmpty() || !exp.isDouble())
        return {false, QString(), QStringLiteral("invalid token")};
    if (qint64(exp.toDouble()) <= nowSecs)
        return {false, subject, QStringLiteral("token expired")};
    return {true, QStringLiteral("sub:") + subject, QString()};
}

QString TokenAuth::mint(const QByteArray &secret, const QString &subject, qint64 expiresAtSecs)
{
    QJsonObject claims;
    claims.insert(QLatin1StringView("sub"), subject);
    claims.insert(QLatin1StringView("exp"), double(expiresAtSecs));
    const QByteArray payload = QJsonDocument(claims).toJson(QJsonDocument::Compact).toBase64(kBase64Url);
    const QByteArray signedPart = QByteArray(kPrefix.data(), kPrefix.size()) + payload;
    return QString::fromLatin1(signedPart + '.' + sign(secret, signedPart).toBase64(kBase64Url));
}

} // namespace Pulseboard
