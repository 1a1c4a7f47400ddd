#include "testutil.h"

#include "receiver/signatureverifier.h"
#include "signing/hmac.h"

#include <QHash>
#include <QTest>

using namespace pimscope;
using namespace pimscope::test;

Q_DECLARE_METATYPE(pimscope::Headers)
Q_DECLARE_METATYPE(pimscope::Signature)
Q_DECLARE_METATYPE(pimscope::SignatureScheme)

namespace {

/** One line of tests/data/signatures/vectors.txt: an HMAC computed with openssl (see the README there). */
struct Vector
{
    QByteArray kind;
    QByteArray secret;
    QByteArray timestamp;
    QByteArray body; ///< the body file's bytes (kinds akeneo, hmac) or the text (kind sha256)
    QByteArray hex;
};

const QHash<QByteArray, Vector> &vectors()
{
    static const QHash<QByteArray, Vector> all = [] {
        QHash<QByteArray, Vector> v;
        const QString dir = QStringLiteral(PIMSCOPE_TEST_DATA_DIR);
        const QByteArray text = readFile(dir + QStringLiteral("/signatures/vectors.txt"));
        for (const QByteArray &line : text.split('\n')) {
            if (line.isEmpty() || line.startsWith('#'))
                continue;
            const QList<QByteArray> f = line.split('|');
            if (f.size() != 6)
                qFatal("bad vector line: %s", line.constData());
            Vector vec{f[1], f[2], f[3], f[4], f[5]};
            if (vec.kind != "sha256")
                vec.body = readFile(dir + QLatin1Char('/') + QString::fromLatin1(f[4]));
            v.insert(f[0], vec);
        }
        return v;
    }();
    return all;
}

const Vector &vec(const char *name)
{
    const auto it = vectors().constFind(QByteArray(name));
    if (it == vectors().constEnd())
        qFatal("no vector %s", name);
    return *it;
}

const QByteArray rootSecret = "3ha6eonoa9icsckw8kccos084w0c0000g08g40oo4kww0gc8w4";
const QByteArray stagingSecret = "stg-7q2k9x4m1p8v3c6n0b5z2r7t4w9y1a3e";
const QByteArray otherSecret = "other-akeneo-secret-9f8e7d6c5b4a";
const QByteArray epPrimarySecret = "ep-primary-5f2c8a1d9e4b7f3a6c0d";
const QByteArray epSecondarySecret = "ep-secondary-1b9e6d3f8a2c5e7b4d0f";
const QByteArray quableToken = "Bearer q-token-123";

constexpr qint64 T = 1742306531000; // the batch vector's timestamp, in ms
constexpr qint64 T2 = 1742306795000; // the staging vectors' timestamp

SignatureRule rule(const char *name, const char *prefix)
{
    SignatureRule r;
    r.name = QString::fromLatin1(name);
    r.pathPrefix = prefix;
    return r;
}

/** The configurations the verdict table refers to by name. */
SignatureSettings settingsNamed(const QString &name)
{
    SignatureSettings s;
    if (name == u"none")
        return s;
    if (name == u"empty-rule") {
        s.rules.append(rule("nothing", "/"));
        return s;
    }
    if (name == u"staging-only") {
        SignatureRule staging = rule("akeneo-staging", "/akeneo/staging");
        staging.akeneoSecret = stagingSecret;
        s.rules.append(staging);
        return s;
    }
    if (name == u"tie") {
        SignatureRule first = rule("first", "/hook");
        first.akeneoSecret = rootSecret;
        SignatureRule second = rule("second", "/hook/");
        second.akeneoSecret = otherSecret;
        s.rules = {first, second};
        return s;
    }
    // "multi": several connections sharing one receiver.
    SignatureRule root = rule("akeneo-prod", "/");
    root.akeneoSecret = rootSecret;
    SignatureRule staging = rule("akeneo-staging", "/akeneo/staging/"); // trailing slash: same as without
    staging.akeneoSecret = stagingSecret;
    SignatureRule other = rule("akeneo-other", "/akeneo");
    other.akeneoSecret = otherSecret;
    SignatureRule quable = rule("quable", "/quable");
    quable.quableAuthorization = quableToken;
    SignatureRule ep = rule("event-platform", "/ep");
    ep.eventPlatformSecrets = {epPrimarySecret, epSecondarySecret};
    SignatureRule epOne = rule("event-platform-one", "/ep-one");
    epOne.eventPlatformSecrets = {epPrimarySecret, QByteArray()};
    SignatureRule mixed = rule("mixed", "/mixed");
    mixed.akeneoSecret = rootSecret;
    mixed.quableAuthorization = quableToken;
    s.rules = {root, staging, other, quable, ep, epOne, mixed};
    return s;
}

Headers akeneoHeaders(const QByteArray &timestamp, const QByteArray &signature)
{
    return {{"Host", "hooks.example.test"},
            {"Content-Type", "application/json"},
            {"User-Agent", "AkeneoPIM/7.0.50"},
            {"X-Akeneo-Request-Timestamp", timestamp},
            {"X-Akeneo-Request-Signature", signature}};
}

Headers epHeaders(const QByteArray &primary, const QByteArray &secondary, const QByteArray &algorithm = "HmacSHA256")
{
    Headers h{{"Content-Type", "application/json"}};
    if (!primary.isNull())
        h.append(Header{"X-AKENEO-SIGNATURE-PRIMARY", primary});
    if (!secondary.isNull())
        h.append(Header{"X-AKENEO-SIGNATURE-SECONDARY", secondary});
    if (!algorithm.isNull())
        h.append(Header{"X-AKENEO-SIGNATURE-ALGORITHM", algorithm});
    return h;
}

Headers renamed(Headers h, bool upper)
{
    for (Header &x : h)
        x.name = upper ? x.name.toUpper() : x.name.toLower();
    return h;
}

/** The hex with its first digit changed: a well-formed signature that does not match. */
QByteArray flipped(QByteArray hex)
{
    hex[0] = hex[0] == '0' ? '1' : '0';
    return hex;
}

} // namespace

class TestSignatureVerifier : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void vectorsMatchOpenssl_data();
    void vectorsMatchOpenssl();
    void rfc4231();
    void constantTimeEquals_data();
    void constantTimeEquals();
    void verdicts_data();
    void verdicts();
    void tieGoesToTheFirstRule();
    void redaction();
    void redactionWithKey();
    void redactionMarkerVectors();
};

void TestSignatureVerifier::vectorsMatchOpenssl_data()
{
    QTest::addColumn<QByteArray>("name");
    for (auto it = vectors().cbegin(); it != vectors().cend(); ++it) {
        if (it->kind != "sha256")
            QTest::newRow(it.key().constData()) << it.key();
    }
    QVERIFY(vectors().size() >= 6);
}

void TestSignatureVerifier::vectorsMatchOpenssl()
{
    QFETCH(QByteArray, name);
    const Vector &v = vectors()[name];
    QCOMPARE(v.hex.size(), 64);
    if (v.kind == "akeneo") {
        QCOMPARE(akeneoSignature(v.secret, v.timestamp, v.body), v.hex);
        // The same as an HMAC over the concatenation.
        QCOMPARE(hmacSha256Hex(v.secret, QByteArray(v.timestamp + '.' + v.body)), v.hex);
    } else {
        QCOMPARE(v.kind, QByteArray("hmac"));
        QCOMPARE(hmacSha256Hex(v.secret, v.body), v.hex);
    }
}

void TestSignatureVerifier::rfc4231()
{
    // RFC 4231 test cases 1 and 2.
    QCOMPARE(hmacSha256Hex(QByteArray(20, '\x0b'), "Hi There"),
             QByteArray("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"));
    QCOMPARE(hmacSha256Hex("Jefe", "what do ya want for nothing?"),
             QByteArray("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
    // Test case 6: a key longer than SHA-256's block, hashed first.
    QCOMPARE(hmacSha256Hex(QByteArray(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First"),
             QByteArray("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"));
    // An empty key and message (openssl dgst -sha256 -hmac '' < /dev/null).
    QCOMPARE(hmacSha256Hex(QByteArray(), QByteArray()),
             QByteArray("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"));
}

void TestSignatureVerifier::constantTimeEquals_data()
{
    QTest::addColumn<QByteArray>("a");
    QTest::addColumn<QByteArray>("b");
    QTest::addColumn<bool>("equal");
    QTest::newRow("equal") << vec("batch").hex << vec("batch").hex << true;
    QTest::newRow("last byte differs") << QByteArray("abcdef") << QByteArray("abcdeg") << false;
    QTest::newRow("first byte differs") << QByteArray("abcdef") << QByteArray("bbcdef") << false;
    QTest::newRow("prefix") << QByteArray("abcdef") << QByteArray("abcde") << false;
    QTest::newRow("longer") << QByteArray("abc") << QByteArray("abcd") << false;
    QTest::newRow("case differs") << QByteArray("ABC") << QByteArray("abc") << false;
    QTest::newRow("both empty") << QByteArray() << QByteArray("") << true;
    QTest::newRow("empty vs one") << QByteArray() << QByteArray("a") << false;
    QTest::newRow("NUL bytes") << QByteArray("a\0b", 3) << QByteArray("a\0b", 3) << true;
    QTest::newRow("NUL vs other") << QByteArray("a\0b", 3) << QByteArray("a\0c", 3) << false;
    QTest::newRow("high bit") << QByteArray("\xff\x80") << QByteArray("\xff\x81") << false;
}

void TestSignatureVerifier::constantTimeEquals()
{
    QFETCH(QByteArray, a);
    QFETCH(QByteArray, b);
    QFETCH(bool, equal);
    QCOMPARE(pimscope::constantTimeEquals(a, b), equal);
    QCOMPARE(pimscope::constantTimeEquals(b, a), equal);
}

void TestSignatureVerifier::verdicts_data()
{
    QTest::addColumn<QString>("settings");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<qint64>("receivedAtMs");
    QTest::addColumn<Signature>("verdict");
    QTest::addColumn<SignatureScheme>("scheme");
    QTest::addColumn<QString>("detail"); // a part of the expected detail
    QTest::addColumn<QByteArray>("prefix");
    QTest::addColumn<QString>("ruleName");

    const QString multi = QStringLiteral("multi");
    const Vector &b = vec("batch");
    const Vector &tb = vec("testbutton");
    const Vector &stg = vec("staging");
    const Vector &stgRoot = vec("staging_body_root_secret");
    const Vector &ep1 = vec("ep_primary");
    const Vector &ep2 = vec("ep_secondary");
    const QString prod = QStringLiteral("akeneo-prod");
    const auto S = [](const char *s) { return QString::fromUtf8(s); };
    using V = Signature;
    using K = SignatureScheme;

    // ---- Akeneo Events API, rule "/" ----
    QTest::newRow("akeneo valid") << multi << QByteArray("/hook") << akeneoHeaders(b.timestamp, b.hex) << b.body
                                  << T + 2000 << V::Valid << K::Akeneo << S("timestamp 1742306531 is 2 s behind")
                                  << QByteArray("/") << prod;
    QTest::newRow("akeneo valid, sample timestamp equals receipt")
        << multi << QByteArray("/hook") << akeneoHeaders(b.timestamp, b.hex) << b.body << T << V::Valid << K::Akeneo
        << S("equals the receipt time") << QByteArray("/") << prod;
    QTest::newRow("akeneo valid, upper-case hex")
        << multi << QByteArray("/hook") << akeneoHeaders(b.timestamp, b.hex.toUpper()) << b.body << T << V::Valid
        << K::Akeneo << S("valid") << QByteArray("/") << prod;
    QTest::newRow("akeneo valid, lower-case header names")
        << multi << QByteArray("/hook") << renamed(akeneoHeaders(b.timestamp, b.hex), false) << b.body << T << V::Valid
        << K::Akeneo << S("valid") << QByteArray("/") << prod;
    QTest::newRow("akeneo valid, upper-case header names")
        << multi << QByteArray("/hook") << renamed(akeneoHeaders(b.timestamp, b.hex), true) << b.body << T << V::Valid
        << K::Akeneo << S("valid") << QByteArray("/") << prod;
    QTest::newRow("akeneo valid, whitespace around values")
        << multi << QByteArray("/hook") << akeneoHeaders(' ' + b.timestamp + ' ', b.hex + ' ') << b.body << T
        << V::Valid << K::Akeneo << S("valid") << QByteArray("/") << prod;
    {
        Headers h = akeneoHeaders(b.timestamp, b.hex);
        h.append(Header{"x-akeneo-request-signature", b.hex});
        QTest::newRow("akeneo duplicated identical signature")
            << multi << QByteArray("/hook") << h << b.body << T << V::Valid << K::Akeneo << S("valid")
            << QByteArray("/") << prod;
        h.last().value = flipped(b.hex);
        QTest::newRow("akeneo duplicated different signatures, one valid")
            << multi << QByteArray("/hook") << h << b.body << T << V::Invalid << K::Akeneo
            << S("X-Akeneo-Request-Signature appears 2 times with different values") << QByteArray("/") << prod;
        h = akeneoHeaders(b.timestamp, b.hex);
        h.prepend(Header{"X-Akeneo-Request-Timestamp", "1742306000"});
        QTest::newRow("akeneo duplicated different timestamps")
            << multi << QByteArray("/hook") << h << b.body << T << V::Invalid << K::Akeneo
            << S("X-Akeneo-Request-Timestamp appears 2 times") << QByteArray("/") << prod;
    }
    QTest::newRow("akeneo HMAC mismatch")
        << multi << QByteArray("/hook") << akeneoHeaders(b.timestamp, flipped(b.hex)) << b.body << T << V::Invalid
        << K::Akeneo << S("HMAC mismatch (expected d197c6a8…, got 0197c6a8…)") << QByteArray("/") << prod;
    QTest::newRow("akeneo body changed") << multi << QByteArray("/hook") << akeneoHeaders(b.timestamp, b.hex)
                                         << QByteArray(b.body + ' ') << T << V::Invalid << K::Akeneo
                                         << S("HMAC mismatch") << QByteArray("/") << prod;
    QTest::newRow("akeneo signed with another secret")
        << multi << QByteArray("/hook") << akeneoHeaders(stg.timestamp, stg.hex) << stg.body << T2 << V::Invalid
        << K::Akeneo << S("HMAC mismatch (expected f05b4002…") << QByteArray("/") << prod;
    QTest::newRow("akeneo signature not hex")
        << multi << QByteArray("/hook") << akeneoHeaders(b.timestamp, "sha256=abc") << b.body << T << V::Invalid
        << K::Akeneo << S("got 'sha256=abc', not 64 hex digits") << QByteArray("/") << prod;
    QTest::newRow("akeneo signature empty")
        << multi << QByteArray("/hook") << akeneoHeaders(b.timestamp, "") << b.body << T << V::Invalid << K::Akeneo
        << S("HMAC mismatch") << QByteArray("/") << prod;
    QTest::newRow("akeneo signature missing")
        << multi << QByteArray("/hook") << Headers{{"X-Akeneo-Request-Timestamp", b.timestamp}} << b.body << T
        << V::Missing << K::Akeneo << S("X-Akeneo-Request-Signature missing") << QByteArray("/") << prod;
    QTest::newRow("akeneo no signature headers at all")
        << multi << QByteArray("/hook") << Headers{{"Content-Type", "application/json"}} << b.body << T << V::Missing
        << K::None << S("X-Akeneo-Request-Signature missing") << QByteArray("/") << prod;
    QTest::newRow("akeneo timestamp missing")
        << multi << QByteArray("/hook") << Headers{{"X-Akeneo-Request-Signature", b.hex}} << b.body << T << V::Invalid
        << K::Akeneo << S("X-Akeneo-Request-Timestamp missing") << QByteArray("/") << prod;
    QTest::newRow("akeneo timestamp not a number")
        << multi << QByteArray("/hook") << akeneoHeaders("17423O6531", b.hex) << b.body << T << V::Invalid << K::Akeneo
        << S("X-Akeneo-Request-Timestamp '17423O6531' is not a Unix time in seconds") << QByteArray("/") << prod;
    QTest::newRow("akeneo timestamp negative")
        << multi << QByteArray("/hook") << akeneoHeaders("-1", b.hex) << b.body << T << V::Invalid << K::Akeneo
        << S("is not a Unix time") << QByteArray("/") << prod;
    QTest::newRow("akeneo timestamp empty")
        << multi << QByteArray("/hook") << akeneoHeaders("", b.hex) << b.body << T << V::Invalid << K::Akeneo
        << S("is not a Unix time") << QByteArray("/") << prod;
    QTest::newRow("akeneo timestamp in milliseconds")
        << multi << QByteArray("/hook") << akeneoHeaders("1742306531000", b.hex) << b.body << T << V::Invalid
        << K::Akeneo << S("is not a Unix time in seconds") << QByteArray("/") << prod;
    // Freshness: more than 5 minutes either way is expired; exactly 5 minutes is still valid.
    QTest::newRow("akeneo boundary, 5 min in the past")
        << multi << QByteArray("/hook") << akeneoHeaders(b.timestamp, b.hex) << b.body << T + 300000 << V::Valid
        << K::Akeneo << S("is 5 min 0 s behind") << QByteArray("/") << prod;
    QTest::newRow("akeneo expired, 5 min 1 ms in the past")
        << multi << QByteArray("/hook") << akeneoHeaders(b.timestamp, b.hex) << b.body << T + 300001 << V::Expired
        << K::Akeneo
        << S("HMAC valid but timestamp 1742306531 is 5 min 0.001 s behind the receipt time (limit 5 min 0 s)")
        << QByteArray("/") << prod;
    QTest::newRow("akeneo boundary, 5 min in the future")
        << multi << QByteArray("/hook") << akeneoHeaders(b.timestamp, b.hex) << b.body << T - 300000 << V::Valid
        << K::Akeneo << S("is 5 min 0 s ahead of") << QByteArray("/") << prod;
    QTest::newRow("akeneo expired, 5 min 1 ms in the future")
        << multi << QByteArray("/hook") << akeneoHeaders(b.timestamp, b.hex) << b.body << T - 300001 << V::Expired
        << K::Akeneo << S("is 5 min 0.001 s ahead of the receipt time") << QByteArray("/") << prod;
    QTest::newRow("akeneo expired, 7 min 12 s in the past")
        << multi << QByteArray("/hook") << akeneoHeaders(b.timestamp, b.hex) << b.body << T + 432000 << V::Expired
        << K::Akeneo << S("is 7 min 12 s behind") << QByteArray("/") << prod;
    QTest::newRow("akeneo expired, hours in the future")
        << multi << QByteArray("/hook") << akeneoHeaders(b.timestamp, b.hex) << b.body << T - 7 * 3600000 - 5000
        << V::Expired << K::Akeneo << S("is 7 h 0 min 5 s ahead of") << QByteArray("/") << prod;
    QTest::newRow("akeneo stale and wrong HMAC: invalid wins")
        << multi << QByteArray("/hook") << akeneoHeaders(b.timestamp, flipped(b.hex)) << b.body << T + 3600000
        << V::Invalid << K::Akeneo << S("HMAC mismatch") << QByteArray("/") << prod;

    // ---- The Test button: empty body, HMAC over "<timestamp>." ----
    QTest::newRow("test button valid") << multi << QByteArray("/hook") << akeneoHeaders(tb.timestamp, tb.hex)
                                       << QByteArray() << T + 1000 << V::Valid << K::Akeneo
                                       << S("valid, empty body (Test button)") << QByteArray("/") << prod;
    QTest::newRow("test button, batch signature")
        << multi << QByteArray("/hook") << akeneoHeaders(tb.timestamp, b.hex) << QByteArray() << T << V::Invalid
        << K::Akeneo << S("HMAC mismatch") << QByteArray("/") << prod;
    QTest::newRow("test button, other timestamp")
        << multi << QByteArray("/hook") << akeneoHeaders("1742306532", tb.hex) << QByteArray() << T << V::Invalid
        << K::Akeneo << S("HMAC mismatch") << QByteArray("/") << prod;
    QTest::newRow("test button expired") << multi << QByteArray("/hook") << akeneoHeaders(tb.timestamp, tb.hex)
                                         << QByteArray() << T + 600000 << V::Expired << K::Akeneo
                                         << S("10 min 0 s behind") << QByteArray("/") << prod;
    QTest::newRow("test button unsigned")
        << multi << QByteArray("/hook") << Headers{{"Content-Type", "application/json"}} << QByteArray() << T
        << V::Missing << K::None << S("X-Akeneo-Request-Signature missing") << QByteArray("/") << prod;

    // ---- Unchecked ----
    QTest::newRow("no rules") << QStringLiteral("none") << QByteArray("/hook") << akeneoHeaders(b.timestamp, b.hex)
                              << b.body << T << V::Unchecked << K::None << S("no secret configured") << QByteArray()
                              << QString();
    QTest::newRow("rule configures nothing")
        << QStringLiteral("empty-rule") << QByteArray("/hook") << akeneoHeaders(b.timestamp, b.hex) << b.body << T
        << V::Unchecked << K::None << S("no secret configured for /") << QByteArray("/") << S("nothing");
    QTest::newRow("no rule for the path")
        << QStringLiteral("staging-only") << QByteArray("/other?x=1") << akeneoHeaders(b.timestamp, b.hex) << b.body
        << T << V::Unchecked << K::None << S("no signature rule for path '/other'") << QByteArray() << QString();
    QTest::newRow("no rule for a sibling path")
        << QStringLiteral("staging-only") << QByteArray("/akeneo/stagingx") << akeneoHeaders(stg.timestamp, stg.hex)
        << stg.body << T2 << V::Unchecked << K::None << S("no signature rule") << QByteArray() << QString();

    // ---- Per path prefix ----
    const QString staging = QStringLiteral("akeneo-staging");
    QTest::newRow("path /akeneo/staging uses its secret")
        << multi << QByteArray("/akeneo/staging") << akeneoHeaders(stg.timestamp, stg.hex) << stg.body << T2 << V::Valid
        << K::Akeneo << S("valid") << QByteArray("/akeneo/staging") << staging;
    QTest::newRow("sub-path with a query")
        << multi << QByteArray("/akeneo/staging/events?source=x") << akeneoHeaders(stg.timestamp, stg.hex) << stg.body
        << T2 << V::Valid << K::Akeneo << S("valid") << QByteArray("/akeneo/staging") << staging;
    QTest::newRow("root secret on the staging path: no fallback")
        << multi << QByteArray("/akeneo/staging") << akeneoHeaders(stgRoot.timestamp, stgRoot.hex) << stg.body << T2
        << V::Invalid << K::Akeneo << S("HMAC mismatch (expected ed05c29e…") << QByteArray("/akeneo/staging")
        << staging;
    QTest::newRow("root secret on the root path")
        << multi << QByteArray("/") << akeneoHeaders(stgRoot.timestamp, stgRoot.hex) << stg.body << T2 << V::Valid
        << K::Akeneo << S("valid") << QByteArray("/") << prod;
    QTest::newRow("/akeneo/stagingx is under /akeneo, not /akeneo/staging")
        << multi << QByteArray("/akeneo/stagingx") << akeneoHeaders(stg.timestamp, stg.hex) << stg.body << T2
        << V::Invalid << K::Akeneo << S("HMAC mismatch") << QByteArray("/akeneo") << S("akeneo-other");
    QTest::newRow("/akeneo itself") << multi << QByteArray("/akeneo") << akeneoHeaders(b.timestamp, b.hex) << b.body
                                    << T << V::Invalid << K::Akeneo << S("HMAC mismatch") << QByteArray("/akeneo")
                                    << S("akeneo-other");
    QTest::newRow("/akeneox is under /") << multi << QByteArray("/akeneox") << akeneoHeaders(b.timestamp, b.hex)
                                         << b.body << T << V::Valid << K::Akeneo << S("valid") << QByteArray("/")
                                         << prod;
    QTest::newRow("Akeneo headers on the Quable path")
        << multi << QByteArray("/quable") << akeneoHeaders(b.timestamp, b.hex) << b.body << T << V::Missing << K::None
        << S("Authorization missing; the request carries Akeneo Events API signature headers but no Events API "
             "secret is configured for /quable")
        << QByteArray("/quable") << S("quable");

    // ---- Event Platform, rule "/ep" with a primary and a secondary secret ----
    const QString epName = QStringLiteral("event-platform");
    QTest::newRow("ep both headers") << multi << QByteArray("/ep") << epHeaders(ep1.hex, ep2.hex) << ep1.body << T
                                     << V::Valid << K::EventPlatform
                                     << S("X-AKENEO-SIGNATURE-PRIMARY matches the primary secret") << QByteArray("/ep")
                                     << epName;
    QTest::newRow("ep primary only") << multi << QByteArray("/ep") << epHeaders(ep1.hex, QByteArray()) << ep1.body << T
                                     << V::Valid << K::EventPlatform << S("matches the primary secret")
                                     << QByteArray("/ep") << epName;
    QTest::newRow("ep secondary only") << multi << QByteArray("/ep") << epHeaders(QByteArray(), ep2.hex) << ep2.body
                                       << T << V::Valid << K::EventPlatform
                                       << S("X-AKENEO-SIGNATURE-SECONDARY matches the secondary secret")
                                       << QByteArray("/ep") << epName;
    QTest::newRow("ep primary header signed with the secondary secret")
        << multi << QByteArray("/ep") << epHeaders(ep2.hex, QByteArray()) << ep1.body << T << V::Valid
        << K::EventPlatform << S("X-AKENEO-SIGNATURE-PRIMARY matches the secondary secret") << QByteArray("/ep")
        << epName;
    QTest::newRow("ep wrong primary, right secondary")
        << multi << QByteArray("/ep") << epHeaders(flipped(ep1.hex), ep2.hex) << ep1.body << T << V::Valid
        << K::EventPlatform << S("SECONDARY matches the secondary secret") << QByteArray("/ep") << epName;
    QTest::newRow("ep neither matches") << multi << QByteArray("/ep") << epHeaders(flipped(ep1.hex), flipped(ep2.hex))
                                        << ep1.body << T << V::Invalid << K::EventPlatform
                                        << S("HMAC mismatch: no signature header matches a configured secret "
                                             "(expected 7c5b86f7…, got 0c5b86f7…)")
                                        << QByteArray("/ep") << epName;
    QTest::newRow("ep body changed") << multi << QByteArray("/ep") << epHeaders(ep1.hex, ep2.hex)
                                     << QByteArray(ep1.body + '\n') << T << V::Invalid << K::EventPlatform
                                     << S("HMAC mismatch") << QByteArray("/ep") << epName;
    QTest::newRow("ep no signature header, algorithm only")
        << multi << QByteArray("/ep") << epHeaders(QByteArray(), QByteArray()) << ep1.body << T << V::Missing
        << K::EventPlatform << S("X-AKENEO-SIGNATURE-PRIMARY and -SECONDARY missing") << QByteArray("/ep") << epName;
    QTest::newRow("ep no header at all") << multi << QByteArray("/ep") << Headers{} << ep1.body << T << V::Missing
                                         << K::None << S("X-AKENEO-SIGNATURE-PRIMARY or -SECONDARY missing")
                                         << QByteArray("/ep") << epName;
    QTest::newRow("ep unsupported algorithm")
        << multi << QByteArray("/ep") << epHeaders(ep1.hex, ep2.hex, "HmacSHA512") << ep1.body << T << V::Invalid
        << K::EventPlatform << S("unsupported X-AKENEO-SIGNATURE-ALGORITHM 'HmacSHA512'") << QByteArray("/ep")
        << epName;
    QTest::newRow("ep no algorithm header")
        << multi << QByteArray("/ep") << epHeaders(ep1.hex, ep2.hex, QByteArray()) << ep1.body << T << V::Valid
        << K::EventPlatform << S("valid") << QByteArray("/ep") << epName;
    QTest::newRow("ep lower-case names and algorithm")
        << multi << QByteArray("/ep") << renamed(epHeaders(ep1.hex, ep2.hex, "hmacsha256"), false) << ep1.body << T
        << V::Valid << K::EventPlatform << S("valid") << QByteArray("/ep") << epName;
    QTest::newRow("ep upper-case hex") << multi << QByteArray("/ep") << epHeaders(ep1.hex.toUpper(), QByteArray())
                                       << ep1.body << T << V::Valid << K::EventPlatform << S("valid")
                                       << QByteArray("/ep") << epName;
    QTest::newRow("ep never expires") << multi << QByteArray("/ep") << epHeaders(ep1.hex, ep2.hex) << ep1.body
                                      << T + 86400000 << V::Valid << K::EventPlatform << S("valid") << QByteArray("/ep")
                                      << epName;
    {
        Headers h = epHeaders(ep1.hex, ep2.hex);
        h.append(Header{"X-Akeneo-Signature-Primary", flipped(ep1.hex)});
        QTest::newRow("ep duplicated different primaries")
            << multi << QByteArray("/ep") << h << ep1.body << T << V::Invalid << K::EventPlatform
            << S("X-AKENEO-SIGNATURE-PRIMARY appears 2 times") << QByteArray("/ep") << epName;
    }
    QTest::newRow("ep one secret configured, primary")
        << multi << QByteArray("/ep-one") << epHeaders(ep1.hex, ep2.hex) << ep1.body << T << V::Valid
        << K::EventPlatform << S("matches the primary secret") << QByteArray("/ep-one") << S("event-platform-one");
    QTest::newRow("ep one secret configured, secondary signature")
        << multi << QByteArray("/ep-one") << epHeaders(QByteArray(), ep2.hex) << ep1.body << T << V::Invalid
        << K::EventPlatform << S("HMAC mismatch") << QByteArray("/ep-one") << S("event-platform-one");
    QTest::newRow("ep headers on an Akeneo-only path")
        << multi << QByteArray("/hook") << epHeaders(ep1.hex, ep2.hex) << ep1.body << T << V::Missing << K::None
        << S("X-Akeneo-Request-Signature missing; the request carries Event Platform signature headers but no "
             "Event Platform secret is configured for /")
        << QByteArray("/") << prod;

    // ---- Quable, rule "/quable" expecting an Authorization value ----
    const QString quable = QStringLiteral("quable");
    const auto auth = [](const QByteArray &value) {
        return Headers{{"Content-Type", "application/json"}, {"Authorization", value}};
    };
    const QByteArray qbody = sample("quable_example.json");
    QTest::newRow("quable valid") << multi << QByteArray("/quable") << auth(quableToken) << qbody << T << V::Valid
                                  << K::Quable << S("Authorization matches the configured value")
                                  << QByteArray("/quable") << quable;
    QTest::newRow("quable valid on a sub-path")
        << multi << QByteArray("/quable/prod") << auth(quableToken) << qbody << T << V::Valid << K::Quable << S("valid")
        << QByteArray("/quable") << quable;
    QTest::newRow("quable lower-case header name")
        << multi << QByteArray("/quable") << renamed(auth(quableToken), false) << qbody << T << V::Valid << K::Quable
        << S("valid") << QByteArray("/quable") << quable;
    QTest::newRow("quable surrounding whitespace")
        << multi << QByteArray("/quable") << auth(' ' + quableToken + ' ') << qbody << T << V::Valid << K::Quable
        << S("valid") << QByteArray("/quable") << quable;
    QTest::newRow("quable wrong token") << multi << QByteArray("/quable") << auth("Bearer q-token-124") << qbody << T
                                        << V::Invalid << K::Quable
                                        << S("Authorization does not match the configured value")
                                        << QByteArray("/quable") << quable;
    QTest::newRow("quable value differs in case")
        << multi << QByteArray("/quable") << auth("bearer q-token-123") << qbody << T << V::Invalid << K::Quable
        << S("does not match") << QByteArray("/quable") << quable;
    QTest::newRow("quable prefix of the token")
        << multi << QByteArray("/quable") << auth("Bearer q-token-12") << qbody << T << V::Invalid << K::Quable
        << S("does not match") << QByteArray("/quable") << quable;
    QTest::newRow("quable empty value") << multi << QByteArray("/quable") << auth("") << qbody << T << V::Invalid
                                        << K::Quable << S("does not match") << QByteArray("/quable") << quable;
    QTest::newRow("quable missing") << multi << QByteArray("/quable") << Headers{{"Content-Type", "application/json"}}
                                    << qbody << T << V::Missing << K::None << S("Authorization missing (rule /quable)")
                                    << QByteArray("/quable") << quable;
    {
        Headers h = auth(quableToken);
        h.append(Header{"authorization", quableToken});
        QTest::newRow("quable duplicated identical") << multi << QByteArray("/quable") << h << qbody << T << V::Valid
                                                     << K::Quable << S("valid") << QByteArray("/quable") << quable;
        h.last().value = "Bearer other";
        QTest::newRow("quable duplicated different")
            << multi << QByteArray("/quable") << h << qbody << T << V::Invalid << K::Quable
            << S("Authorization appears 2 times with different values") << QByteArray("/quable") << quable;
    }

    // ---- A rule with both an Events API secret and an Authorization value ----
    const QString mixed = QStringLiteral("mixed");
    {
        Headers h = akeneoHeaders(b.timestamp, b.hex);
        h.append(Header{"Authorization", "Bearer wrong"});
        QTest::newRow("mixed: Akeneo headers take precedence over Authorization")
            << multi << QByteArray("/mixed") << h << b.body << T << V::Valid << K::Akeneo << S("valid")
            << QByteArray("/mixed") << mixed;
    }
    QTest::newRow("mixed: Authorization only") << multi << QByteArray("/mixed") << auth(quableToken) << qbody << T
                                               << V::Valid << K::Quable << S("valid") << QByteArray("/mixed") << mixed;
    QTest::newRow("mixed: nothing") << multi << QByteArray("/mixed") << Headers{} << qbody << T << V::Missing << K::None
                                    << S("X-Akeneo-Request-Signature or Authorization missing") << QByteArray("/mixed")
                                    << mixed;
}

void TestSignatureVerifier::verdicts()
{
    QFETCH(QString, settings);
    QFETCH(QByteArray, path);
    QFETCH(Headers, headers);
    QFETCH(QByteArray, body);
    QFETCH(qint64, receivedAtMs);
    QFETCH(Signature, verdict);
    QFETCH(SignatureScheme, scheme);
    QFETCH(QString, detail);
    QFETCH(QByteArray, prefix);
    QFETCH(QString, ruleName);

    const SignatureVerifier verifier(settingsNamed(settings));
    const SignatureCheck check = verifier.verify(path, headers, body, receivedAtMs);
    QVERIFY2(check.detail.contains(detail), qPrintable(QStringLiteral("detail: ") + check.detail));
    QCOMPARE(signatureName(check.verdict), signatureName(verdict));
    QCOMPARE(int(check.scheme), int(scheme));
    QCOMPARE(check.pathPrefix, prefix);
    QCOMPARE(check.ruleName, ruleName);
    QCOMPARE(check.isBad(),
             verdict == Signature::Invalid || verdict == Signature::Expired || verdict == Signature::Missing);
    // A detail never shows a secret nor the expected Authorization token.
    for (const QByteArray &secret :
         {rootSecret, stagingSecret, otherSecret, epPrimarySecret, epSecondarySecret, QByteArray("q-token-123")}) {
        QVERIFY2(!check.detail.contains(QString::fromLatin1(secret)), qPrintable(check.detail));
    }
}

void TestSignatureVerifier::tieGoesToTheFirstRule()
{
    const SignatureVerifier verifier(settingsNamed(QStringLiteral("tie")));
    const Vector &b = vec("batch");
    const SignatureCheck check = verifier.verify("/hook/x", akeneoHeaders(b.timestamp, b.hex), b.body, T);
    QCOMPARE(check.ruleName, QStringLiteral("first"));
    QCOMPARE(check.verdict, Signature::Valid);
}

void TestSignatureVerifier::redaction()
{
    SignatureSettings settings;
    settings.secretHeaders = {"X-Api-Key", " x-webhook-token "};
    const SignatureVerifier verifier(settings);
    const Vector &b = vec("batch");
    const Headers in{{"Host", "hooks.example.test"},
                     {"Authorization", quableToken},
                     {"X-API-KEY", "k-123456"},
                     {"Proxy-Authorization", "Basic dXNlcjpwYXNzd29yZA=="},
                     {"authorization", quableToken},
                     {"AUTHORIZATION", "Bearer q-token-124"},
                     {"X-Webhook-Token", "Secret phrase with spaces"},
                     {"Cookie", "session=abc"},
                     {"X-Akeneo-Request-Signature", b.hex},
                     {"X-Akeneo-Request-Timestamp", b.timestamp}};
    const Headers out = verifier.redactor().redacted(in);
    QCOMPARE(out.size(), in.size());
    for (qsizetype i = 0; i < in.size(); ++i)
        QCOMPARE(out[i].name, in[i].name); // names, order and duplicates kept

    // The values are gone; a known scheme word stays.
    QCOMPARE(out[1].value, QByteArray("Bearer [redacted sha256:") + vec("redact_bearer").hex.left(8) + ']');
    QCOMPARE(out[2].value.left(17), QByteArray("[redacted sha256:"));
    QVERIFY(out[2].value.endsWith(']'));
    QCOMPARE(out[2].value.size(), 26);
    QVERIFY(out[3].value.startsWith("Basic [redacted sha256:"));
    QVERIFY(!out[3].value.contains("dXNlcjpwYXNzd29yZA"));
    QVERIFY(!out[1].value.contains("q-token"));
    QVERIFY(!out[2].value.contains("k-123456"));
    // An unknown first word may be part of the secret: the whole value goes.
    QVERIFY(out[6].value.startsWith("[redacted sha256:"));
    QVERIFY(!out[6].value.contains("Secret"));
    QVERIFY(!out[6].value.contains("phrase"));
    // Stable for the same value, different for another value.
    QCOMPARE(out[4].value, out[1].value);
    QCOMPARE(out[5].value, QByteArray("Bearer [redacted sha256:") + vec("redact_other").hex.left(8) + ']');
    QVERIFY(out[5].value != out[1].value);
    QCOMPARE(verifier.redactor().redacted(in), out);
    // Everything else is untouched.
    for (const int i : {0, 7, 8, 9})
        QCOMPARE(out[i].value, in[i].value);

    QVERIFY(verifier.redactor().isSecretHeader("authorization"));
    QVERIFY(verifier.redactor().isSecretHeader("PROXY-AUTHORIZATION"));
    QVERIFY(verifier.redactor().isSecretHeader("x-api-key"));
    QVERIFY(verifier.redactor().isSecretHeader("X-Webhook-Token"));
    QVERIFY(!verifier.redactor().isSecretHeader("X-Akeneo-Request-Signature"));
    QVERIFY(!verifier.redactor().isSecretHeader("Cookie"));
    QVERIFY(!SignatureVerifier().redactor().isSecretHeader("X-Api-Key"));

    // A value that is a marker already stays as it is (exports redact again what the receiver stored redacted); a
    // value that merely holds something like one is redacted.
    const Headers twice = verifier.redactor().redacted(out);
    QCOMPARE(twice, out);
    QVERIFY(HeaderRedactor::isRedacted("Bearer [redacted sha256:0123abcd]"));
    QVERIFY(HeaderRedactor::isRedacted("[redacted hmac:0123abcd]"));
    QVERIFY(!HeaderRedactor::isRedacted("Bearer top-secret [redacted sha256:0123abcd]"));
    QVERIFY(!HeaderRedactor::isRedacted("[redacted sha256:0123ABCD]"));
    QVERIFY(!HeaderRedactor::isRedacted("[redacted sha256:0123abcd] top-secret"));
    const Headers sneaky = HeaderRedactor().redacted({{"Authorization", "top-secret [redacted sha256:0123abcd]"}});
    QVERIFY2(!sneaky.front().value.contains("top-secret"), sneaky.front().value.constData());
    // Names the user may give: HTTP tokens only.
    QVERIFY(HeaderRedactor::isHeaderName("X-Api-Key"));
    QVERIFY(HeaderRedactor::isHeaderName("x_auth.token~1"));
    for (const char *bad : {"", "X Api Key", "X-Api-Key:", "\"quoted\"", "Ünicode"})
        QVERIFY2(!HeaderRedactor::isHeaderName(bad), bad);

    // Redaction comes after verification: the verifier still sees the real value, the store only the marker.
    SignatureSettings quable;
    SignatureRule r;
    r.quableAuthorization = quableToken;
    quable.rules = {r};
    const SignatureVerifier q(quable);
    const Headers wire{{"Authorization", quableToken}};
    QCOMPARE(q.verify("/", wire, "{}", T).verdict, Signature::Valid);
    QCOMPARE(q.verify("/", q.redactor().redacted(wire), "{}", T).verdict, Signature::Invalid);
}

void TestSignatureVerifier::redactionWithKey()
{
    SignatureSettings settings;
    settings.redactionKey = "installation-key";
    const SignatureVerifier keyed(settings);
    const SignatureVerifier plain;
    const QByteArray a = keyed.redactor().marker(quableToken);
    QCOMPARE(a, QByteArray("[redacted hmac:") + hmacSha256Hex("installation-key", quableToken).left(8) + ']');
    QCOMPARE(keyed.redactor().marker(quableToken), a);
    QVERIFY(keyed.redactor().marker("Bearer q-token-124") != a);
    QVERIFY(plain.redactor().marker(quableToken) != a);
    const Headers out = keyed.redactor().redacted({{"Authorization", quableToken}});
    QCOMPARE(out.first().value, QByteArray("Bearer ") + a);
}

void TestSignatureVerifier::redactionMarkerVectors()
{
    const SignatureVerifier verifier;
    for (const char *name : {"redact_bearer", "redact_other"}) {
        const Vector &v = vec(name);
        QCOMPARE(verifier.redactor().marker(v.body), QByteArray("[redacted sha256:") + v.hex.left(8) + ']');
    }
}

QTEST_GUILESS_MAIN(TestSignatureVerifier)
#include "tst_signatureverifier.moc"
