#pragma once

#include "model/delivery.h"
#include "model/enums.h"
#include "signing/redactor.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

namespace pimscope {

/** Which sender's signature scheme a verdict was reached with. */
enum class SignatureScheme : int {
    None = 0, ///< nothing was checked (no rule, nothing configured) or nothing recognisable arrived
    Akeneo = 1, ///< Events API: X-Akeneo-Request-Signature over "timestamp.body"
    EventPlatform = 2, ///< Event Platform: X-AKENEO-SIGNATURE-PRIMARY/-SECONDARY over the body
    Quable = 3, ///< Quable: a configured Authorization value
};

/**
 * What one connection (one sender) expects, for the requests whose path falls under `pathPrefix`.
 * Secrets are held by value; they come from the keychain and never go to logs, settings or the database.
 */
struct SignatureRule
{
    QString name; ///< for display, e.g. the keychain name "akeneo-staging"; may be empty
    QByteArray pathPrefix = QByteArrayLiteral("/"); ///< "/" (or empty) matches every path; a trailing '/' is ignored
    QByteArray akeneoSecret; ///< Events API secret; empty = not configured
    QList<QByteArray> eventPlatformSecrets; ///< Event Platform secrets (primary, secondary); empty entries ignored
    QByteArray quableAuthorization; ///< expected Authorization header value; empty = not configured

    /** True when the rule configures at least one check. */
    bool isConfigured() const;
};

/** Everything the verifier knows. A value type: copy it into the verifier. */
struct SignatureSettings
{
    QList<SignatureRule> rules;
    /**
     * Names of headers whose values carry secrets, besides the built-in Authorization and Proxy-Authorization
     * (compared case-insensitively). Signature headers are not secrets (they are MACs of one body) and stay.
     */
    QList<QByteArray> secretHeaders;
    qint64 maxSkewMs = 300'000; ///< an Akeneo timestamp further than this from the receipt time is expired;
                                ///< a negative value disables the freshness check
    /**
     * Optional key for the short hash in redaction markers. Empty: the marker holds a prefix of SHA-256(value)
     * ("sha256:"); set: a prefix of HMAC-SHA256(key, value) ("hmac:"), so guessable tokens cannot be confirmed
     * offline from a capture file. Keep it stable (per installation) for markers to stay comparable.
     */
    QByteArray redactionKey;
};

/** The verdict on one request, with a human-readable reason that never contains a secret. */
struct SignatureCheck
{
    Signature verdict = Signature::Unchecked;
    SignatureScheme scheme = SignatureScheme::None;
    /**
     * Why, for the UI: e.g. "X-Akeneo-Request-Signature missing", "HMAC mismatch (expected 4f3a1b2c…, got
     * d4582dd1…)", "timestamp 1742306531 is 7 min 12 s behind the receipt time". At most an 8-digit prefix of an
     * expected HMAC is shown, never a secret nor an expected Authorization value.
     */
    QString detail;
    QString ruleName; ///< name of the rule that applied; empty when none or unnamed
    QByteArray pathPrefix; ///< (normalised) prefix of the rule that applied; null when no rule applied

    /** Invalid, expired and missing: what the receiver answers 401 to unless told to accept them. */
    bool isBad() const
    {
        return verdict == Signature::Invalid || verdict == Signature::Expired || verdict == Signature::Missing;
    }
};

/**
 * Checks webhook signatures (and holds the redactor of the same settings). Pure logic, no I/O: immutable after
 * construction, so one instance may be shared by any number of threads.
 *
 * Rule selection: the rule with the longest `pathPrefix` matching the request path on segment boundaries
 * ("/akeneo" matches "/akeneo" and "/akeneo/x", not "/akeneox"; the query string is ignored; "/" matches all; on a
 * tie the first rule wins). There is no fallback to a shorter prefix when the chosen rule's check fails. No
 * matching rule, or a rule that configures nothing: Unchecked.
 *
 * Scheme selection, within the rule, by the headers present (names compared case-insensitively):
 *  1. Event Platform, if the request has an X-AKENEO-SIGNATURE-PRIMARY/-SECONDARY/-ALGORITHM header and the rule
 *     has Event Platform secrets;
 *  2. else Akeneo, if it has X-Akeneo-Request-Signature or X-Akeneo-Request-Timestamp and the rule has an
 *     Events API secret;
 *  3. else Quable, if it has Authorization and the rule has an expected Authorization value;
 *  4. else Missing: the rule expects a signature the request does not carry (the detail names what was expected,
 *     and which unconfigured scheme's headers did arrive, if any).
 *
 * Verdicts per scheme:
 *  - Akeneo: signature header absent -> Missing; timestamp absent or not plain decimal digits -> Invalid; HMAC
 *    mismatch -> Invalid; HMAC right but |receipt - timestamp| > maxSkewMs (in the past or the future) ->
 *    Expired; else Valid. An empty body (the Test button) is checked the same way, over "timestamp.".
 *  - Event Platform: algorithm header present and not HmacSHA256 -> Invalid; no PRIMARY nor SECONDARY -> Missing;
 *    Valid when any received signature equals the HMAC of the body under any configured secret (so both the
 *    primary and the secondary secret verify, whichever header carries them); else Invalid. No timestamp: never
 *    Expired.
 *  - Quable: the Authorization value (surrounding whitespace trimmed) must equal the configured value exactly
 *    (case-sensitive) -> Valid, else Invalid.
 * Hex signatures are compared case-insensitively (Akeneo sends lowercase; upper-case hex is the same MAC) after
 * trimming surrounding whitespace. A header that appears several times with different values -> Invalid (a
 * request must not be able to offer several candidates); identical repeats count as one. All comparisons are
 * constant-time.
 */
class SignatureVerifier
{
public:
    explicit SignatureVerifier(SignatureSettings settings = {});

    const SignatureSettings &settings() const { return m_settings; }

    /**
     * The verdict for a request. `path` is the request target as received (a query string is ignored),
     * `body` the raw bytes, `receivedAtMs` the receipt time in UTC milliseconds since the epoch.
     */
    SignatureCheck verify(QByteArrayView path, const Headers &headers, QByteArrayView body, qint64 receivedAtMs) const;

    /** Redacts the headers that carry secrets (secretHeaders, redactionKey): call it after verify(), before storing. */
    const HeaderRedactor &redactor() const { return m_redactor; }

private:
    const SignatureRule *ruleFor(QByteArrayView path) const;

    SignatureSettings m_settings;
    HeaderRedactor m_redactor;
    QList<QByteArray> m_normalisedPrefixes; // parallel to m_settings.rules
};

} // namespace pimscope
