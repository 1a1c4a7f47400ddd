#include "signatureverifier.h"

#include "model/pathprefix.h"
#include "signing/hmac.h"
#include "util/printable.h"

#include <QCryptographicHash>
#include <QStringList>

#include <optional>

namespace pimscope {

namespace {

constexpr QByteArrayView akeneoSignatureHeader = "X-Akeneo-Request-Signature";
constexpr QByteArrayView akeneoTimestampHeader = "X-Akeneo-Request-Timestamp";
constexpr QByteArrayView epPrimaryHeader = "X-AKENEO-SIGNATURE-PRIMARY";
constexpr QByteArrayView epSecondaryHeader = "X-AKENEO-SIGNATURE-SECONDARY";
constexpr QByteArrayView epAlgorithmHeader = "X-AKENEO-SIGNATURE-ALGORITHM";
constexpr QByteArrayView authorizationHeader = "Authorization";
constexpr QByteArrayView epAlgorithm = "HmacSHA256";

/** All occurrences of one header, values trimmed. */
struct Lookup
{
    qsizetype count = 0;
    QByteArray value; ///< the first occurrence
    bool conflicting = false; ///< another occurrence has a different value
};

Lookup lookup(const Headers &headers, QByteArrayView name)
{
    Lookup l;
    for (const Header &h : headers) {
        if (name.compare(h.name, Qt::CaseInsensitive) != 0)
            continue;
        const QByteArray v = h.value.trimmed();
        if (l.count == 0)
            l.value = v;
        else if (v != l.value)
            l.conflicting = true;
        ++l.count;
    }
    return l;
}

bool present(const Headers &headers, QByteArrayView name)
{
    for (const Header &h : headers) {
        if (name.compare(h.name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

QString latin1(QByteArrayView v)
{
    return QString::fromLatin1(v.data(), v.size());
}

/** A wire value for a message: printable ASCII only, at most `max` characters. */
QString printable(QByteArrayView v, qsizetype max = 24)
{
    return printableAscii(v, max);
}

/** "4f3a1b2c…": enough of a MAC to tell two apart, never the whole. */
QString hexPrefix(QByteArrayView hex)
{
    return printable(hex, 8);
}

bool isHex64(QByteArrayView v)
{
    if (v.size() != 64)
        return false;
    for (const char c : v) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

/** Unix seconds written as 1 to 12 decimal digits (no sign, no spaces); anything else is not a timestamp. */
std::optional<qint64> parseSeconds(QByteArrayView v)
{
    if (v.isEmpty() || v.size() > 12)
        return std::nullopt;
    qint64 n = 0;
    for (const char c : v) {
        if (c < '0' || c > '9')
            return std::nullopt;
        n = n * 10 + (c - '0');
    }
    return n;
}

/** "7 min 12 s", "1 h 0 min 3 s", "0.25 s": a non-negative duration for details. */
QString formatDuration(qint64 ms)
{
    const qint64 hours = ms / 3'600'000;
    const qint64 minutes = ms / 60'000 % 60;
    const qint64 seconds = ms / 1000 % 60;
    const qint64 millis = ms % 1000;
    QString s;
    if (hours)
        s += QString::number(hours) + QStringLiteral(" h ");
    if (hours || minutes)
        s += QString::number(minutes) + QStringLiteral(" min ");
    s += QString::number(seconds);
    if (millis) {
        QString fraction = QStringLiteral("%1").arg(millis, 3, 10, QChar(u'0'));
        while (fraction.endsWith(u'0'))
            fraction.chop(1);
        s += QChar(u'.') + fraction;
    }
    return s + QStringLiteral(" s");
}

/** "3 s behind" / "2 min 1 s ahead of" the receipt time: where the sender's clock put the request. */
QString skewText(qint64 timestampSeconds, qint64 skewMs)
{
    if (skewMs == 0)
        return QStringLiteral("timestamp %1 equals the receipt time").arg(timestampSeconds);
    return QStringLiteral("timestamp %1 is %2 %3 the receipt time")
        .arg(QString::number(timestampSeconds), formatDuration(skewMs < 0 ? -skewMs : skewMs),
             skewMs > 0 ? QStringLiteral("behind") : QStringLiteral("ahead of"));
}

QList<QByteArray> configuredSecrets(const QList<QByteArray> &secrets)
{
    QList<QByteArray> out;
    for (const QByteArray &s : secrets) {
        if (!s.isEmpty())
            out.append(s);
    }
    return out;
}

QString secretOrdinal(qsizetype i)
{
    if (i == 0)
        return QStringLiteral("primary");
    if (i == 1)
        return QStringLiteral("secondary");
    return QStringLiteral("#%1").arg(i + 1);
}

SignatureCheck &conclude(SignatureCheck &check, Signature verdict, QString detail)
{
    check.verdict = verdict;
    check.detail = std::move(detail);
    return check;
}

QString repeatedText(QByteArrayView name, qsizetype count)
{
    return QStringLiteral("%1 appears %2 times with different values").arg(latin1(name)).arg(count);
}

SignatureCheck verifyAkeneo(SignatureCheck check, const SignatureRule &rule, const Headers &headers,
                            QByteArrayView body, qint64 receivedAtMs, qint64 maxSkewMs)
{
    check.scheme = SignatureScheme::Akeneo;
    const Lookup signature = lookup(headers, akeneoSignatureHeader);
    const Lookup timestamp = lookup(headers, akeneoTimestampHeader);
    if (signature.conflicting)
        return conclude(check, Signature::Invalid, repeatedText(akeneoSignatureHeader, signature.count));
    if (timestamp.conflicting)
        return conclude(check, Signature::Invalid, repeatedText(akeneoTimestampHeader, timestamp.count));
    if (signature.count == 0)
        return conclude(check, Signature::Missing, latin1(akeneoSignatureHeader) + QStringLiteral(" missing"));
    if (timestamp.count == 0) {
        return conclude(check, Signature::Invalid,
                        latin1(akeneoTimestampHeader) + QStringLiteral(" missing: the signature cannot be checked"));
    }
    const std::optional<qint64> seconds = parseSeconds(timestamp.value);
    if (!seconds) {
        return conclude(check, Signature::Invalid,
                        QStringLiteral("%1 '%2' is not a Unix time in seconds")
                            .arg(latin1(akeneoTimestampHeader), printable(timestamp.value)));
    }

    const QByteArray expected = akeneoSignature(rule.akeneoSecret, timestamp.value, body);
    const QByteArray received = signature.value.toLower();
    if (!constantTimeEquals(received, expected)) {
        const QString got = isHex64(received)
            ? hexPrefix(received)
            : QStringLiteral("'%1', not 64 hex digits").arg(printable(signature.value));
        return conclude(check, Signature::Invalid,
                        QStringLiteral("HMAC mismatch (expected %1, got %2)").arg(hexPrefix(expected), got));
    }

    const qint64 skewMs = receivedAtMs - *seconds * 1000;
    if (maxSkewMs >= 0 && (skewMs > maxSkewMs || skewMs < -maxSkewMs)) {
        return conclude(
            check, Signature::Expired,
            QStringLiteral("HMAC valid but %1 (limit %2)").arg(skewText(*seconds, skewMs), formatDuration(maxSkewMs)));
    }
    QString detail = QStringLiteral("valid");
    if (body.isEmpty())
        detail += QStringLiteral(", empty body (Test button)");
    return conclude(check, Signature::Valid, detail + QStringLiteral("; ") + skewText(*seconds, skewMs));
}

SignatureCheck verifyEventPlatform(SignatureCheck check, const SignatureRule &rule, const Headers &headers,
                                   QByteArrayView body)
{
    check.scheme = SignatureScheme::EventPlatform;
    const Lookup primary = lookup(headers, epPrimaryHeader);
    const Lookup secondary = lookup(headers, epSecondaryHeader);
    const Lookup algorithm = lookup(headers, epAlgorithmHeader);
    for (const auto &[name, l] : {std::pair{epPrimaryHeader, &primary}, std::pair{epSecondaryHeader, &secondary},
                                  std::pair{epAlgorithmHeader, &algorithm}}) {
        if (l->conflicting)
            return conclude(check, Signature::Invalid, repeatedText(name, l->count));
    }
    if (algorithm.count && epAlgorithm.compare(algorithm.value, Qt::CaseInsensitive) != 0) {
        return conclude(check, Signature::Invalid,
                        QStringLiteral("unsupported %1 '%2' (expected %3)")
                            .arg(latin1(epAlgorithmHeader), printable(algorithm.value), latin1(epAlgorithm)));
    }
    if (!primary.count && !secondary.count) {
        return conclude(check, Signature::Missing, latin1(epPrimaryHeader) + QStringLiteral(" and -SECONDARY missing"));
    }

    const QList<QByteArray> secrets = configuredSecrets(rule.eventPlatformSecrets);
    QList<QByteArray> expected;
    for (const QByteArray &secret : secrets)
        expected.append(hmacSha256Hex(secret, body));
    // Every candidate is compared (no early exit), then the first match is reported.
    const QByteArray received[] = {primary.value.toLower(), secondary.value.toLower()};
    const bool receivedPresent[] = {primary.count > 0, secondary.count > 0};
    qsizetype matchedHeader = -1;
    qsizetype matchedSecret = -1;
    for (qsizetype h = 0; h < 2; ++h) {
        for (qsizetype s = 0; s < expected.size(); ++s) {
            const bool equal = constantTimeEquals(received[h], expected[s]);
            if (equal && receivedPresent[h] && matchedHeader < 0) {
                matchedHeader = h;
                matchedSecret = s;
            }
        }
    }
    if (matchedHeader >= 0) {
        return conclude(
            check, Signature::Valid,
            QStringLiteral("valid: %1 matches the %2 secret")
                .arg(latin1(matchedHeader == 0 ? epPrimaryHeader : epSecondaryHeader), secretOrdinal(matchedSecret)));
    }
    const QByteArray &got = primary.count ? primary.value : secondary.value;
    const QString gotText
        = isHex64(got) ? hexPrefix(got.toLower()) : QStringLiteral("'%1', not 64 hex digits").arg(printable(got));
    return conclude(check, Signature::Invalid,
                    QStringLiteral("HMAC mismatch: no signature header matches a configured secret "
                                   "(expected %1, got %2)")
                        .arg(hexPrefix(expected.value(0)), gotText));
}

SignatureCheck verifyQuable(SignatureCheck check, const SignatureRule &rule, const Headers &headers)
{
    check.scheme = SignatureScheme::Quable;
    const Lookup authorization = lookup(headers, authorizationHeader);
    if (authorization.conflicting)
        return conclude(check, Signature::Invalid, repeatedText(authorizationHeader, authorization.count));
    // Compare digests so that neither the content nor the length of the expected value shows in the timing.
    const QByteArray got = QCryptographicHash::hash(authorization.value, QCryptographicHash::Sha256);
    const QByteArray want = QCryptographicHash::hash(rule.quableAuthorization.trimmed(), QCryptographicHash::Sha256);
    if (constantTimeEquals(got, want))
        return conclude(check, Signature::Valid, QStringLiteral("valid: Authorization matches the configured value"));
    return conclude(check, Signature::Invalid, QStringLiteral("Authorization does not match the configured value"));
}

} // namespace

bool SignatureRule::isConfigured() const
{
    return !akeneoSecret.isEmpty() || !quableAuthorization.isEmpty()
        || !configuredSecrets(eventPlatformSecrets).isEmpty();
}

SignatureVerifier::SignatureVerifier(SignatureSettings settings)
    : m_settings(std::move(settings))
    , m_redactor(m_settings.secretHeaders, m_settings.redactionKey)
{
    for (const SignatureRule &rule : std::as_const(m_settings.rules))
        m_normalisedPrefixes.append(pathprefix::normalised(rule.pathPrefix));
}

const SignatureRule *SignatureVerifier::ruleFor(QByteArrayView path) const
{
    const QByteArrayView p = pathprefix::pathOnly(path);
    const SignatureRule *best = nullptr;
    qsizetype bestLength = -1;
    for (qsizetype i = 0; i < m_settings.rules.size(); ++i) {
        const QByteArray &prefix = m_normalisedPrefixes[i];
        if (prefix.size() > bestLength && pathprefix::matches(prefix, p)) {
            best = &m_settings.rules[i];
            bestLength = prefix.size();
        }
    }
    return best;
}

SignatureCheck SignatureVerifier::verify(QByteArrayView path, const Headers &headers, QByteArrayView body,
                                         qint64 receivedAtMs) const
{
    SignatureCheck check;
    const SignatureRule *rule = ruleFor(path);
    if (!rule) {
        check.detail = m_settings.rules.isEmpty()
            ? QStringLiteral("no secret configured")
            : QStringLiteral("no signature rule for path '%1'").arg(printable(pathprefix::pathOnly(path), 80));
        return check;
    }
    const QByteArray &prefix = m_normalisedPrefixes[rule - m_settings.rules.constData()];
    check.ruleName = rule->name;
    check.pathPrefix = prefix;
    if (!rule->isConfigured()) {
        check.detail = QStringLiteral("no secret configured for %1").arg(latin1(prefix));
        return check;
    }

    const bool hasEventPlatform = present(headers, epPrimaryHeader) || present(headers, epSecondaryHeader)
        || present(headers, epAlgorithmHeader);
    const bool hasAkeneo = present(headers, akeneoSignatureHeader) || present(headers, akeneoTimestampHeader);
    const bool hasAuthorization = present(headers, authorizationHeader);
    const bool eventPlatformConfigured = !configuredSecrets(rule->eventPlatformSecrets).isEmpty();
    const bool akeneoConfigured = !rule->akeneoSecret.isEmpty();
    const bool quableConfigured = !rule->quableAuthorization.isEmpty();

    if (hasEventPlatform && eventPlatformConfigured)
        return verifyEventPlatform(std::move(check), *rule, headers, body);
    if (hasAkeneo && akeneoConfigured)
        return verifyAkeneo(std::move(check), *rule, headers, body, receivedAtMs, m_settings.maxSkewMs);
    if (hasAuthorization && quableConfigured)
        return verifyQuable(std::move(check), *rule, headers);

    // The rule expects something the request does not carry.
    QStringList expected;
    if (akeneoConfigured)
        expected.append(latin1(akeneoSignatureHeader));
    if (eventPlatformConfigured)
        expected.append(latin1(epPrimaryHeader) + QStringLiteral(" or -SECONDARY"));
    if (quableConfigured)
        expected.append(latin1(authorizationHeader));
    QString detail = expected.join(QStringLiteral(" or ")) + QStringLiteral(" missing");
    QStringList unexpected;
    if (hasEventPlatform)
        unexpected.append(QStringLiteral("Event Platform signature headers but no Event Platform secret"));
    if (hasAkeneo)
        unexpected.append(QStringLiteral("Akeneo Events API signature headers but no Events API secret"));
    if (unexpected.isEmpty())
        detail += QStringLiteral(" (rule %1)").arg(latin1(prefix));
    else
        detail += QStringLiteral("; the request carries %1 is configured for %2")
                      .arg(unexpected.join(QStringLiteral(", and ")), latin1(prefix));
    check.verdict = Signature::Missing;
    check.detail = detail;
    return check;
}

} // namespace pimscope
