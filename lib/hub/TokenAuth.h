// Who may use the hub. Two kinds of token, either or both:
//  - static tokens, one a line in a file (blank lines and lines starting with # are skipped),
//    optionally followed by grants: `TOKEN pub=ops.*,alerts sub=*`;
//  - signed expiring tokens `pb1.<payload>.<signature>`: payload is base64url (no padding) of
//    {"sub":"SUBJECT","exp":UNIX_SECONDS[,"publish":[PATTERNS]][,"subscribe":[PATTERNS]]},
//    signature is base64url HMAC-SHA256 with the shared secret over the text `pb1.<payload>`.
//    Any hub holding the secret verifies them without state. `exp` may carry a fraction
//    (milliseconds); tokens of older hubs (whole seconds, no patterns) verify as before.
// A grant absent from a token allows every channel; present, only the channels matching one of its
// patterns (`*` matches any run of characters, dots included). The hub's read-only feed names
// (sys.*, hub.*, demo.*) are refused to publishers whatever a token grants (HubSession).
// With neither configured the hub is open. Tokens are never logged; subjects are.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>

namespace Pulseboard {

// Which channels a token lets its holder publish to, or subscribe to.
struct ChannelGrant
{
    bool restricted = false; // false: any channel
    QStringList patterns;    // when restricted: the channel must match one of them

    static ChannelGrant only(const QStringList &patterns) { return {true, patterns}; }
    bool allows(const QString &channel) const;
    // Glob match with `*` as the only wildcard (any run of characters, empty included).
    static bool matches(QStringView pattern, QStringView channel);
    // A pattern is a channel name in which `*` may stand for any part.
    static bool isValidPattern(const QString &pattern);
};

class TokenAuth
{
public:
    struct Verdict
    {
        bool ok = false;
        QString subject; // the client identity for dedupe and logs
        QString reason;  // why a token was refused, safe to show to the client
        ChannelGrant publish;
        ChannelGrant subscribe;
        qint64 expiresAtMs = 0; // signed tokens: when the session must end (0 = never)
    };

    // What a signed token says.
    struct Claims
    {
        QString subject;
        qint64 expiresAtMs = 0;
        ChannelGrant publish;
        ChannelGrant subscribe;
    };

    bool loadTokensFile(const QString &path, QString *error);
    void setSecret(const QByteArray &secret) { m_secret = secret; }
    bool isRequired() const { return !m_tokenGrants.isEmpty() || !m_secret.isEmpty(); }
    int staticTokenCount() const { return int(m_tokenGrants.size()); }

    Verdict verify(const QString &token, qint64 nowSecs) const;
    Verdict verifyAtMs(const QString &token, qint64 nowMs) const;

    static QString mint(const QByteArray &secret, const QString &subject, qint64 expiresAtSecs);
    static QString mint(const QByteArray &secret, const Claims &claims);

private:
    struct StaticGrants
    {
        ChannelGrant publish;
        ChannelGrant subscribe;
    };
    Verdict verifySigned(const QString &token, qint64 nowMs) const;

    // SHA-256 of each static token (no plain secret kept around) -> what it grants.
    QHash<QByteArray, StaticGrants> m_tokenGrants;
    QByteArray m_secret;
};

} // namespace Pulseboard
