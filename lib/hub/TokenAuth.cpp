#include "TokenAuth.h"

#include "protocol/Envelope.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>

#include <cmath>

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

TokenAuth::Verdict refusal(const QString &reason, const QString &subject = QString())
{
    TokenAuth::Verdict v;
    v.subject = subject;
    v.reason = reason;
    return v;
}

TokenAuth::Verdict accepted(const QString &subject)
{
    TokenAuth::Verdict v;
    v.ok = true;
    v.subject = subject;
    return v;
}

constexpr auto kPublishClaim = QLatin1StringView("publish");
constexpr auto kSubscribeClaim = QLatin1StringView("subscribe");

// A claim absent is no restriction; present, it must be an array of valid patterns (else the
// token is refused: a grant that cannot be read must not widen into "everything").
bool readGrant(const QJsonObject &claims, QLatin1StringView name, ChannelGrant &out)
{
    const QJsonValue v = claims.value(name);
    if (v.isUndefined())
        return true;
    if (!v.isArray())
        return false;
    QStringList patterns;
    for (const QJsonValue &p : v.toArray()) {
        if (!p.isString() || !ChannelGrant::isValidPattern(p.toString()))
            return false;
        patterns.append(p.toString());
    }
    out = ChannelGrant::only(patterns);
    return true;
}

// `pub=a,b` / `sub=*` fields after a static token.
bool readFileGrant(const QByteArray &field, TokenAuth::Claims &grants, QString *why)
{
    const qsizetype eq = field.indexOf('=');
    const QByteArray key = eq < 0 ? field : field.left(eq);
    ChannelGrant *grant = nullptr;
    if (key == "pub" || key == "publish")
        grant = &grants.publish;
    else if (key == "sub" || key == "subscribe")
        grant = &grants.subscribe;
    if (!grant || eq < 0) {
        *why = QStringLiteral("unknown field '%1' after the token (pub=PATTERNS or sub=PATTERNS)")
                   .arg(QString::fromUtf8(key.left(40)));
        return false;
    }
    QStringList patterns = grant->patterns;
    for (const QByteArray &part : field.mid(eq + 1).split(',')) {
        const QString pattern = QString::fromUtf8(part);
        if (pattern.isEmpty())
            continue;
        if (!ChannelGrant::isValidPattern(pattern)) {
            *why = QStringLiteral("invalid channel pattern '%1'").arg(pattern.left(60));
            return false;
        }
        patterns.append(pattern);
    }
    *grant = ChannelGrant::only(patterns);
    return true;
}

} // namespace

bool ChannelGrant::matches(QStringView pattern, QStringView channel)
{
    // Iterative glob: on a mismatch, let the last `*` swallow one more character.
    qsizetype p = 0, c = 0, star = -1, resume = 0;
    while (c < channel.size()) {
        if (p < pattern.size() && pattern[p] == QLatin1Char('*')) {
            star = p++;
            resume = c;
        } else if (p < pattern.size() && pattern[p] == channel[c]) {
            ++p;
            ++c;
        } else if (star >= 0) {
            p = star + 1;
            c = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == QLatin1Char('*'))
        ++p;
    return p == pattern.size();
}

bool ChannelGrant::allows(const QString &channel) const
{
    if (!restricted)
        return true;
    for (const QString &pattern : patterns) {
        if (matches(pattern, channel))
            return true;
    }
    return false;
}

bool ChannelGrant::isValidPattern(const QString &pattern)
{
    return isValidChannelName(pattern);
}

bool TokenAuth::loadTokensFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        if (error)
            *error = QStringLiteral("cannot read tokens file %1: %2").arg(path, file.errorString());
        return false;
    }
    QHash<QByteArray, StaticGrants> hashes;
    int lineNumber = 0;
    while (!file.atEnd()) {
        ++lineNumber;
        const QByteArray line = file.readLine().trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        // The token, then its grants, separated by white space. The message names the line,
        // never the token.
        const QList<QByteArray> fields = line.simplified().split(' ');
        Claims grants;
        QString why;
        for (qsizetype i = 1; i < fields.size(); ++i) {
            if (!readFileGrant(fields.at(i), grants, &why)) {
                if (error)
                    *error = QStringLiteral("tokens file %1 line %2: %3").arg(path).arg(lineNumber).arg(why);
                return false;
            }
        }
        hashes.insert(sha256(fields.first()), {grants.publish, grants.subscribe});
    }
    if (hashes.isEmpty()) {
        if (error)
            *error =
                QStringLiteral("tokens file %1 holds no token (one a line; # starts a comment)").arg(path);
        return false;
    }
    m_tokenGrants = hashes;
    return true;
}

TokenAuth::Verdict TokenAuth::verify(const QString &token, qint64 nowSecs) const
{
    return verifyAtMs(token, nowSecs * 1000);
}

TokenAuth::Verdict TokenAuth::verifyAtMs(const QString &token, qint64 nowMs) const
{
    if (!isRequired())
        return accepted(QString());
    if (token.isEmpty())
        return refusal(QStringLiteral("token required"));
    const QByteArray utf8 = token.toUtf8();
    if (!m_tokenGrants.isEmpty()) {
        const QByteArray hash = sha256(utf8);
        const auto it = m_tokenGrants.constFind(hash);
        if (it != m_tokenGrants.constEnd()) {
            Verdict v = accepted(QStringLiteral("token:") + QString::fromLatin1(hash.toHex().left(12)));
            v.publish = it->publish;
            v.subscribe = it->subscribe;
            return v;
        }
    }
    if (!m_secret.isEmpty() && token.startsWith(kPrefix))
        return verifySigned(token, nowMs);
    return refusal(QStringLiteral("invalid token"));
}

TokenAuth::Verdict TokenAuth::verifySigned(const QString &token, qint64 nowMs) const
{
    const QByteArray utf8 = token.toUtf8();
    const qsizetype dot = utf8.lastIndexOf('.');
    if (dot <= kPrefix.size())
        return refusal(QStringLiteral("invalid token"));
    const QByteArray signedPart = utf8.left(dot);
    // Compare the encoded form: base64 decoding ignores the spare low bits of the last
    // character, so comparing decoded bytes would accept altered tokens now and then.
    const QByteArray expected = sign(m_secret, signedPart).toBase64(kBase64Url);
    if (!constantTimeEquals(utf8.mid(dot + 1), expected))
        return refusal(QStringLiteral("invalid token"));
    const auto payload = QByteArray::fromBase64Encoding(signedPart.mid(kPrefix.size()), kBase64Url);
    if (!payload)
        return refusal(QStringLiteral("invalid token"));
    const QJsonObject claims = QJsonDocument::fromJson(*payload).object();
    const QString subject = claims.value(QLatin1StringView("sub")).toString();
    const QJsonValue exp = claims.value(QLatin1StringView("exp"));
    if (subject.isEmpty() || !exp.isDouble())
        return refusal(QStringLiteral("invalid token"));
    // Seconds, possibly with a fraction: milliseconds are the finest step that counts. Bounded
    // (300 000 years) so that no claim overflows the conversion.
    const qint64 expiresAtMs = qint64(std::llround(qBound(0.0, exp.toDouble(), 1e13) * 1000.0));
    if (expiresAtMs <= nowMs)
        return refusal(QStringLiteral("token expired"), subject);
    Verdict v = accepted(QStringLiteral("sub:") + subject);
    if (!readGrant(claims, kPublishClaim, v.publish) || !readGrant(claims, kSubscribeClaim, v.subscribe))
        return refusal(QStringLiteral("invalid token"));
    v.expiresAtMs = expiresAtMs;
    return v;
}

QString TokenAuth::mint(const QByteArray &secret, const QString &subject, qint64 expiresAtSecs)
{
    Claims c;
    c.subject = subject;
    c.expiresAtMs = expiresAtSecs * 1000;
    return mint(secret, c);
}

QString TokenAuth::mint(const QByteArray &secret, const Claims &c)
{
    QJsonObject claims;
    claims.insert(QLatin1StringView("sub"), c.subject);
    // Whole seconds unless a fraction is asked for: what older hubs wrote and read.
    claims.insert(QLatin1StringView("exp"),
                  c.expiresAtMs % 1000 == 0 ? double(c.expiresAtMs / 1000) : double(c.expiresAtMs) / 1000.0);
    if (c.publish.restricted)
        claims.insert(kPublishClaim, QJsonArray::fromStringList(c.publish.patterns));
    if (c.subscribe.restricted)
        claims.insert(kSubscribeClaim, QJsonArray::fromStringList(c.subscribe.patterns));
    const QByteArray payload = QJsonDocument(claims).toJson(QJsonDocument::Compact).toBase64(kBase64Url);
    const QByteArray signedPart = QByteArray(kPrefix.data(), kPrefix.size()) + payload;
    return QString::fromLatin1(signedPart + '.' + sign(secret, signedPart).toBase64(kBase64Url));
}

} // namespace Pulseboard
