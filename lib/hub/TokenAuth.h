// Who may use the hub. Two kinds of token, either or both:
//  - static tokens, one a line in a file (blank lines and lines starting with # are skipped);
//  - signed expiring tokens `pb1.<payload>.<signature>`: payload is base64url (no padding) of
//    {"sub":"SUBJECT","exp":UNIX_SECONDS}, signature is base64url HMAC-SHA256 with the shared
//    secret over the text `pb1.<payload>`. Any hub holding the secret verifies them without state.
// With neither configured the hub is open. Tokens are never logged; subjects are.
#pragma once

#include <QByteArray>
#include <QSet>
#include <QString>

namespace Pulseboard {

class TokenAuth
{
public:
    struct Verdict
    {
        bool ok = false;
        QString subject; // the client identity for dedupe and logs
        QString reason;  // why a token was refused, safe to show to the client
    };

    bool loadTokensFile(const QString &path, QString *error);
    void setSecret(const QByteArray &secret) { m_secret = secret; }
    bool isRequired() const { return !m_tokenHashes.isEmpty() || !m_secret.isEmpty(); }
    int staticTokenCount() const { return int(m_tokenHashes.size()); }

    Verdict verify(const QString &token, qint64 nowSecs) const;

    static QString mint(const QByteArray &secret, const QString &subject, qint64 expiresAtSecs);

private:
    Verdict verifySigned(const QString &token, qint64 nowSecs) const;

    QSet<QByteArray> m_tokenHashes; // SHA-256 of each static token: no plain secret kept around
    QByteArray m_secret;
};

} // namespace Pulseboard
