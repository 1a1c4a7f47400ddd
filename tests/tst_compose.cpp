// Events composed from templates (core/compose): every built-in template, signed as its sender signs, is taken by the
// receiver's own checks (signature valid, parsed to the subject it was given); each deliberate fault is refused by
// them with the reason it names; what cannot be composed is said.
#include "compose/composer.h"
#include "compose/eventtemplates.h"
#include "formats/payloadparser.h"
#include "receiver/signatureverifier.h"
#include "replay/replaysigner.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace pimscope;
using namespace Qt::StringLiterals;

namespace {

const QByteArray akeneoSecret = "3ha6eonoa9icsckw8kccos084w0c0000g08g40oo4kww0gc8w4";
const QByteArray platformSecret = "platform-primary-secret-0123456789";
const QByteArray quableAuthorization = "Bearer quable-token-42";
const qint64 nowMs = 1'765'000'000'000; // 2025-12-06T05:46:40Z

SignatureVerifier verifier()
{
    SignatureRule rule;
    rule.akeneoSecret = akeneoSecret;
    rule.eventPlatformSecrets = {platformSecret};
    rule.quableAuthorization = quableAuthorization;
    SignatureSettings settings;
    settings.rules = {rule};
    return SignatureVerifier(settings);
}

ReplaySecrets secretsFor(Format format)
{
    ReplaySecrets s;
    s.primary = format == Format::Quable        ? quableAuthorization
        : format == Format::AkeneoEventPlatform ? platformSecret
                                                : akeneoSecret;
    return s;
}

/** The headers the sending side gives a composed body: signed at `signingTime`, the header faults done. */
Headers signedHeaders(const Composed &c, qint64 nowSeconds)
{
    Headers h = replayHeaders(c.format, c.body, secretsFor(c.format), signingTime(c.faults, nowSeconds));
    applyHeaderFaults(h, c.format, c.faults);
    return h;
}

Composed composed(const QString &key, const QMap<QString, QString> &values = {}, QList<Fault> faults = {},
                  int batch = 1)
{
    const auto t = findTemplate(loadTemplates(QString()), key);
    if (!t)
        qFatal("%s", qPrintable(t.error()));
    ComposeRequest r;
    r.eventTemplate = *t;
    r.values = values;
    r.faults = std::move(faults);
    r.batch = batch;
    r.nowMs = nowMs;
    const auto c = compose(r);
    if (!c)
        qFatal("%s", qPrintable(c.error()));
    return *c;
}

} // namespace

class TestCompose : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void builtInTemplates();
    void everyTemplateIsTakenAsSigned_data();
    void everyTemplateIsTakenAsSigned();
    void faultsAreRefusedWithTheirReason_data();
    void faultsAreRefusedWithTheirReason();
    void batchesAndValues();
    void whatCannotBeComposedIsSaid();
    void userTemplates();
    void userHeadersBesideTheSigningOnes();
};

void TestCompose::builtInTemplates()
{
    QStringList keys;
    for (const EventTemplate &t : loadTemplates(QString()))
        keys << t.key();
    QCOMPARE(keys,
             QStringList({u"events-api:product.created"_s,
                          u"events-api:product.removed"_s,
                          u"events-api:product.updated"_s,
                          u"events-api:product_model.created"_s,
                          u"events-api:product_model.removed"_s,
                          u"events-api:product_model.updated"_s,
                          u"events-api:uuid-product.created"_s,
                          u"events-api:uuid-product.removed"_s,
                          u"events-api:uuid-product.updated"_s,
                          u"event-platform:product-model.created"_s,
                          u"event-platform:product-model.deleted"_s,
                          u"event-platform:product-model.updated"_s,
                          u"event-platform:product.created"_s,
                          u"event-platform:product.deleted"_s,
                          u"event-platform:product.updated"_s,
                          u"event-platform:product.updated.delta"_s,
                          u"quable:document.create"_s,
                          u"quable:document.delete"_s,
                          u"quable:document.update"_s,
                          u"quable:link.create"_s,
                          u"quable:link.delete"_s,
                          u"quable:link.update"_s,
                          u"quable:media.create"_s,
                          u"quable:media.delete"_s,
                          u"quable:media.update"_s}));
}

void TestCompose::everyTemplateIsTakenAsSigned_data()
{
    QTest::addColumn<QString>("key");
    for (const EventTemplate &t : loadTemplates(QString()))
        QTest::newRow(qPrintable(t.key())) << t.key();
}

void TestCompose::everyTemplateIsTakenAsSigned()
{
    QFETCH(QString, key);
    const QMap<QString, QString> values{{u"identifier"_s, u"SKU/42 \"blue\""_s},
                                        {u"uuid"_s, u"0f0e0d0c-0b0a-4909-8807-060504030201"_s},
                                        {u"code"_s, u"tshirt_model"_s},
                                        {u"author"_s, u"julia"_s},
                                        {u"event_datetime"_s, u"2025-12-06T05:40:00+00:00"_s}};
    const Composed c = composed(key, values);
    const Headers headers = signedHeaders(c, nowMs / 1000);
    const SignatureCheck check = verifier().verify("/hook", headers, c.body, nowMs);
    QCOMPARE(check.verdict, Signature::Valid);

    const ParseResult parsed = PayloadParser().parse(c.body);
    QVERIFY2(parsed.error.isNull(), qPrintable(parsed.error));
    QVERIFY2(parsed.warnings.isEmpty(), qPrintable(parsed.warnings.join(u'\n')));
    QCOMPARE(parsed.format, c.format);
    QCOMPARE(parsed.events.size(), 1);
    const Event &e = parsed.events.first();
    QCOMPARE(e.eventId, c.eventIds.first());
    QCOMPARE(e.author, QStringLiteral("julia"));
    QVERIFY(!e.action.isEmpty());
    // The subject it was given: a product by its identifier (and uuid), by its uuid alone where the sender or the
    // connection's format has no identifier, a product model or a Quable item by its code.
    const bool uuidOnly = key.contains(u"uuid-product") || key.startsWith(u"event-platform:product.");
    const bool byCode = key.contains(u"model") || key.startsWith(u"quable:");
    if (byCode) {
        QCOMPARE(e.subjectId, QStringLiteral("tshirt_model"));
    } else {
        QCOMPARE(e.subjectUuid, QStringLiteral("0f0e0d0c-0b0a-4909-8807-060504030201"));
        if (!uuidOnly)
            QCOMPARE(e.subjectId, QStringLiteral("SKU/42 \"blue\""));
    }
    if (c.format != Format::AkeneoEventPlatform) // its time is RFC 3339 in UTC: the default, not the value set here
        QCOMPARE(e.eventTimeMs, std::optional<qint64>(nowMs - 400'000));
}

void TestCompose::faultsAreRefusedWithTheirReason_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("fault");
    QTest::addColumn<int>("verdict");
    QTest::addColumn<QString>("reason"); ///< in the signature's detail, the parser's error or warnings

    const auto row = [](const char *name, const char *key, const char *fault, Signature verdict, const char *reason) {
        QTest::newRow(name) << QString::fromLatin1(key) << QString::fromLatin1(fault) << int(verdict)
                            << QString::fromLatin1(reason);
    };
    row("events-api invalid", "events-api:product.updated", "invalid-signature", Signature::Invalid, "HMAC mismatch");
    row("events-api expired", "events-api:product.updated", "expired", Signature::Expired,
        "HMAC valid but timestamp 1764999400 is 10 min 0 s behind the receipt time");
    row("events-api missing", "events-api:product.updated", "missing-signature", Signature::Missing,
        "X-Akeneo-Request-Signature missing");
    row("platform invalid", "event-platform:product.updated", "invalid-signature", Signature::Invalid, "HMAC mismatch");
    row("platform missing", "event-platform:product.updated", "missing-signature", Signature::Missing,
        "X-AKENEO-SIGNATURE-PRIMARY and -SECONDARY missing");
    row("quable invalid", "quable:document.update", "invalid-signature", Signature::Invalid,
        "Authorization does not match the configured value");
    row("quable missing", "quable:document.update", "missing-signature", Signature::Missing, "Authorization");
    row("oversized", "events-api:product.updated", "oversized-batch", Signature::Valid,
        "11 events in one request; Akeneo sends at most 10");
    row("truncated", "events-api:product.updated", "truncated", Signature::Valid, "JSON");
}

void TestCompose::faultsAreRefusedWithTheirReason()
{
    QFETCH(QString, key);
    QFETCH(QString, fault);
    QFETCH(int, verdict);
    QFETCH(QString, reason);
    const auto f = faultFromName(fault);
    QVERIFY(f);
    const Composed c = composed(key, {}, {*f});
    const SignatureCheck check = verifier().verify("/hook", signedHeaders(c, nowMs / 1000), c.body, nowMs);
    QCOMPARE(int(check.verdict), verdict);
    const ParseResult parsed = PayloadParser().parse(c.body);
    const QString said = check.detail + u'\n' + parsed.error + u'\n' + parsed.warnings.join(u'\n');
    QVERIFY2(said.contains(reason), qPrintable(said));
    if (*f == Fault::Truncated)
        QVERIFY(!parsed.error.isNull());
    if (*f == Fault::OversizedBatch)
        QCOMPARE(parsed.events.size(), 11);
}

void TestCompose::batchesAndValues()
{
    // A batch of 10, each event its own id and product, numbered where asked; values written as PHP writes them.
    const Composed c
        = composed(QStringLiteral("events-api:product.created"),
                   {{u"identifier"_s, u"SKU-{n}"_s}, {u"pim_source"_s, u"https://acme.cloud.akeneo.com"_s}}, {}, 10);
    QCOMPARE(c.eventCount, 10);
    QVERIFY(c.body.startsWith("{\"events\":[{\"action\":\"product.created\""));
    QVERIFY(c.body.contains("\"pim_source\":\"https:\\/\\/acme.cloud.akeneo.com\""));
    const ParseResult parsed = PayloadParser().parse(c.body);
    QVERIFY(parsed.error.isNull());
    QCOMPARE(parsed.events.size(), 10);
    QSet<QString> ids;
    QSet<QString> uuids;
    for (int i = 0; i < 10; ++i) {
        QCOMPARE(parsed.events[i].subjectId, QStringLiteral("SKU-%1").arg(i + 1));
        QCOMPARE(parsed.events[i].eventId, c.eventIds[i]);
        ids.insert(parsed.events[i].eventId);
        uuids.insert(parsed.events[i].subjectUuid);
    }
    QCOMPARE(ids.size(), 10);
    QCOMPARE(uuids.size(), 10);

    // A stale event: 3 hours before now, in the sender's own format.
    const Composed stale = composed(QStringLiteral("event-platform:product.updated"), {}, {Fault::StaleEventTime});
    QVERIFY2(stale.body.contains("\"time\":\"2025-12-06T02:46:40Z\""), stale.body.constData());
    const Composed delta = composed(QStringLiteral("event-platform:product.updated.delta"));
    QVERIFY2(delta.body.contains("\"date\":\"2025-12-06 05:46:40.000000\""), delta.body.constData());

    // The wrong Content-Type, the rest signed as usual.
    const Composed plain = composed(QStringLiteral("quable:document.update"), {}, {Fault::WrongContentType});
    const Headers h = signedHeaders(plain, nowMs / 1000);
    QCOMPARE(headerValue(h, "Content-Type"), QByteArray("text/plain"));
    QCOMPARE(headerValue(h, "Authorization"), quableAuthorization);
}

void TestCompose::whatCannotBeComposedIsSaid()
{
    const auto templates = loadTemplates(QString());
    const auto fails
        = [&templates](const QString &key, const QMap<QString, QString> &values, QList<Fault> faults, int batch) {
              ComposeRequest r;
              r.eventTemplate = *findTemplate(templates, key);
              r.values = values;
              r.faults = std::move(faults);
              r.batch = batch;
              r.nowMs = nowMs;
              const auto c = compose(r);
              return c ? QString() : c.error();
          };
    QCOMPARE(fails(u"events-api:product.created"_s, {{u"sku"_s, u"X"_s}}, {}, 1),
             QStringLiteral("'sku' is not a value a template takes (event_id, event_datetime, author, author_type, "
                            "pim_source, identifier, uuid, code, family)"));
    QCOMPARE(fails(u"quable:document.update"_s, {}, {}, 2),
             QStringLiteral("quable sends one event per request: a batch of 2 is the Events API's"));
    QCOMPARE(fails(u"quable:document.update"_s, {}, {Fault::Expired}, 1),
             QStringLiteral("expired: only the Events API signs a timestamp (quable does not)"));
    QCOMPARE(fails(u"event-platform:product.created"_s, {}, {Fault::OversizedBatch}, 1),
             QStringLiteral("oversized-batch: only the Events API batches events (event-platform sends one event per "
                            "request)"));
    QCOMPARE(fails(u"events-api:product.created"_s, {{u"event_datetime"_s, u"2025-01-01T00:00:00+00:00"_s}},
                   {Fault::StaleEventTime}, 1),
             QStringLiteral("stale sets the event time (3 hours ago): it cannot go with a value of event_datetime"));
    QCOMPARE(fails(u"events-api:product.created"_s, {}, {}, 1001),
             QStringLiteral("a batch holds 1 to 1000 events (1001 asked)"));
    QVERIFY(
        findTemplate(templates, QStringLiteral("quable:document.move"))
            .error()
            .startsWith(QStringLiteral("no template 'quable:document.move'; there are: events-api:product.created")));
}

void TestCompose::userHeadersBesideTheSigningOnes()
{
    // Edit and send: the user's headers as they left them (order, duplicates, their own Content-Type or none), never
    // their signing or connection headers; the signer's signature after them.
    const QByteArray body = R"({"events":[]})";
    const Headers signedHeaders = replayHeaders(Format::Akeneo, body, {QByteArrayLiteral("s3cret"), {}}, 1700000000);
    const Headers user
        = {{"Content-Type", "application/json; charset=utf-8"}, {"X-Trace", "1"},      {"X-Trace", "2"},
           {"x-akeneo-request-signature", "typed by hand"},     {"Host", "elsewhere"}, {"Content-Length", "1"}};
    const Headers out = withUserHeaders(signedHeaders, user, Format::Akeneo);
    QCOMPARE(out.size(), 5);
    QCOMPARE(out[0], (Header{"Content-Type", "application/json; charset=utf-8"}));
    QCOMPARE(out[1], (Header{"X-Trace", "1"}));
    QCOMPARE(out[2], (Header{"X-Trace", "2"}));
    QCOMPARE(out[3].name, QByteArray("X-Akeneo-Request-Timestamp"));
    QCOMPARE(out[4].name, QByteArray("X-Akeneo-Request-Signature"));
    QCOMPARE(out[4].value, headerValue(signedHeaders, "X-Akeneo-Request-Signature"));
    // Still verified by the receiver's own checks.
    SignatureSettings settings;
    SignatureRule rule;
    rule.akeneoSecret = "s3cret";
    settings.rules = {rule};
    settings.maxSkewMs = -1;
    QCOMPARE(SignatureVerifier(settings).verify("/", out, body, 1700000000000).verdict, Signature::Valid);
    // No Content-Type left by the user: none sent, unless the fault asks for a wrong one.
    Headers bare = withUserHeaders(signedHeaders, {}, Format::Akeneo);
    QVERIFY(headerValue(bare, "Content-Type").isNull());
    applyHeaderFaults(bare, Format::Akeneo, {Fault::WrongContentType});
    QCOMPARE(headerValue(bare, "Content-Type"), QByteArray("text/plain"));
    // Each sender's signing headers.
    QVERIFY(isSigningHeader("X-AKENEO-SIGNATURE-ALGORITHM", Format::AkeneoEventPlatform));
    QVERIFY(!isSigningHeader("X-Akeneo-Request-Signature", Format::AkeneoEventPlatform));
    QVERIFY(isSigningHeader("authorization", Format::Quable));
    QVERIFY(!isSigningHeader("Authorization", Format::Akeneo));
    QVERIFY(isConnectionHeader("transfer-encoding"));
}

void TestCompose::userTemplates()
{
    // A user's template beside the built-in ones; one of the same key replaces the built-in one; a file in a folder
    // that is not a sender is said; a placeholder nothing fills is said with the file.
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("quable")));
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("shopify")));
    const auto write = [&dir](const QString &path, const QByteArray &text) {
        QFile f(dir.filePath(path));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
    };
    write(QStringLiteral("quable/document.update.json"),
          R"({"uuid":"{{event_id}}","code":"document.update","links":[],"created_at":"{{event_datetime}}",)"
          R"("created_by":"{{author}}","resource":{"code":"{{code}}","type":"document","links":[],)"
          R"("locales":{"updated":[],"inherited":[]},"process":{"type":"bulk_edit"}}})");
    write(QStringLiteral("quable/variant.update.json"),
          R"({"uuid":"{{event_id}}","code":"variant.update","x":"{{sku}}"})");
    write(QStringLiteral("shopify/order.json"), "{}");
    QStringList problems;
    const auto templates = loadTemplates(dir.path(), &problems);
    QCOMPARE(problems.size(), 1);
    QVERIFY2(problems.first().startsWith(dir.filePath(QStringLiteral("shopify")) + QStringLiteral(": not a sender")),
             qPrintable(problems.first()));
    const auto mine = findTemplate(templates, QStringLiteral("quable:document.update"));
    QVERIFY(mine);
    QCOMPARE(mine->origin, dir.filePath(QStringLiteral("quable/document.update.json")));
    ComposeRequest r;
    r.eventTemplate = *mine;
    r.nowMs = nowMs;
    const auto c = compose(r);
    QVERIFY(c);
    QVERIFY(c->body.contains("\"process\":{\"type\":\"bulk_edit\"}"));
    QVERIFY(PayloadParser().parse(c->body).error.isNull());
    r.eventTemplate = *findTemplate(templates, QStringLiteral("quable:variant.update"));
    QCOMPARE(compose(r).error(),
             QStringLiteral("template quable:variant.update (%1): no value for {{sku}} (event_id, event_datetime, "
                            "author, author_type, pim_source, identifier, uuid, code, family)")
                 .arg(dir.filePath(QStringLiteral("quable/variant.update.json"))));
}

QTEST_GUILESS_MAIN(TestCompose)
#include "tst_compose.moc"
