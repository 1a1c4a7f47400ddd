#include "demoevents.h"

#include "formats/payloadparser.h"
#include "signing/hmac.h"
#include "util/timeutil.h"

#include <QRandomGenerator>

namespace pimscope::demo {

namespace {

constexpr qint64 minute = qint64{60} * 1000;
constexpr QByteArrayView secret = "demo-secret-3ha6eonoa9icsckw8kccos084w0c";

struct Product
{
    const char *identifier;
    const char *uuid;
    const char *family;
};

constexpr Product products[] = {
    {"TSHIRT-ORG-BLU-M", "8a1f5c3e-2d7b-4e91-b6a4-0c9e3f7d2b15", "clothing"},
    {"TSHIRT-ORG-BLU-L", "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "clothing"},
    {"SNEAKER-RUN-200-BLK-42", "2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901", "shoes"},
    {"MUG-CER-350-WHT", "3c4d5e6f-7081-4293-a4b5-c6d7e8f90a12", "kitchen"},
    {"LAMP-DESK-LED-GRY", "4d5e6f70-8192-43a4-b5c6-d7e8f90a1b23", "lighting"},
    {"SOCK-RUN-3PK-BLK", "5e6f7081-92a3-44b5-c6d7-e8f90a1b2c34", "clothing"},
    {"CHAIR-OAK-NAT", "6f708192-a3b4-45c6-d7e8-f90a1b2c3d45", "furniture"},
    {"BACKPACK-HIKE-30L", "708192a3-b4c5-46d7-e8f9-0a1b2c3d4e56", "outdoor"},
    {"KETTLE-STEEL-1L7", "8192a3b4-c5d6-47e8-f90a-1b2c3d4e5f67", "kitchen"},
    {"JACKET-RAIN-NVY-S", "92a3b4c5-d6e7-48f9-0a1b-2c3d4e5f6078", "clothing"},
};
constexpr const char *productModels[] = {"tshirt_organic_crew", "sneaker_run_200", "jacket_rain"};

struct Author
{
    const char *name;
    const char *type;
};
constexpr Author authors[] = {{"erp_connector_0417", "api"},
                              {"erp_connector_0417", "api"},
                              {"julia", "ui"},
                              {"peter", "ui"},
                              {"system", "system"}};

QByteArray isoTime(qint64 ms)
{
    // As Akeneo writes it: seconds and an explicit offset.
    return toIsoUtc(ms).left(19).toLatin1() + "+00:00";
}

QByteArray uuidFor(QRandomGenerator &random)
{
    QByteArray hex = QByteArray::number(random.generate64(), 16).rightJustified(16, '0')
        + QByteArray::number(random.generate64(), 16).rightJustified(16, '0');
    hex[12] = '4';
    return hex.left(8) + '-' + hex.mid(8, 4) + '-' + hex.mid(12, 4) + "-a" + hex.mid(17, 3) + '-' + hex.mid(20, 12);
}

QByteArray akeneoEvent(const QByteArray &eventId, const char *action, qint64 timeMs, const Author &author,
                       const QByteArray &resource)
{
    return "{\"action\":\"" + QByteArray(action) + "\",\"event_id\":\"" + eventId + "\",\"event_datetime\":\""
        + isoTime(timeMs) + "\",\"author\":\"" + author.name + "\",\"author_type\":\"" + author.type
        + "\",\"pim_source\":\"https:\\/\\/acme-retail.cloud.akeneo.com\",\"data\":{\"resource\":" + resource + "}}";
}

QByteArray productResource(const Product &p, QRandomGenerator &random)
{
    const int price = 10 + int(random.bounded(190));
    return "{\"uuid\":\"" + QByteArray(p.uuid) + "\",\"identifier\":\"" + p.identifier
        + "\",\"enabled\":true,\"family\":\"" + p.family + "\",\"categories\":[\"master_" + p.family
        + "\"],\"values\":{\"price\":[{\"locale\":null,\"scope\":null,\"data\":[{\"amount\":\""
        + QByteArray::number(price) + ".00\",\"currency\":\"EUR\"}]}]}}";
}

Delivery received(qint64 atMs, QByteArray body, double ackMs)
{
    Delivery d;
    d.origin = Origin::Receiver;
    d.receivedAtMs = atMs;
    d.method = "POST";
    d.path = "/akeneo/staging";
    d.remote = QStringLiteral("203.0.113.24:51%1").arg(atMs % 1000, 3, 10, QChar(u'0'));
    d.body = std::move(body);
    d.bodySize = d.body.size();
    d.answeredStatus = 200;
    d.ackMs = ackMs;
    return d;
}

/** An Akeneo delivery, signed (or mis-signed) like the PIM does. */
Delivery akeneoDelivery(qint64 atMs, const QList<QByteArray> &events, double ackMs, bool badSignature = false)
{
    QByteArray body = "{\"events\":[";
    for (qsizetype i = 0; i < events.size(); ++i)
        body += (i ? "," : "") + events[i];
    body += "]}";
    Delivery d = received(atMs, body, ackMs);
    const QByteArray timestamp = QByteArray::number(atMs / 1000);
    const QByteArray signature
        = akeneoSignature(badSignature ? QByteArrayView("an-old-secret") : secret, timestamp, body);
    d.headers = {{"Host", "acme-hooks.example.net"},        {"User-Agent", "AkeneoPIM/7.0.52"},
                 {"Content-Type", "application/json"},      {"X-Akeneo-Request-Timestamp", timestamp},
                 {"X-Akeneo-Request-Signature", signature}, {"Content-Length", QByteArray::number(body.size())}};
    if (badSignature) {
        const QByteArray expected = akeneoSignature(secret, timestamp, body);
        d.signature = Signature::Invalid;
        d.signatureDetail = QStringLiteral("HMAC mismatch (expected %1…, got %2…): the connection's secret was "
                                           "changed in the PIM")
                                .arg(QString::fromLatin1(expected.left(8)), QString::fromLatin1(signature.left(8)));
        d.answeredStatus = 401;
    } else {
        d.signature = Signature::Valid;
        d.signatureDetail
            = QStringLiteral("valid; timestamp %1 equals the receipt time").arg(QString::fromLatin1(timestamp));
    }
    return d;
}

} // namespace

QByteArray demoSecret()
{
    return secret.toByteArray();
}

QList<Delivery> demoDeliveries(qint64 nowMs)
{
    QRandomGenerator random(20261122);
    QList<Delivery> out;
    const qint64 start = nowMs - 58 * minute;

    // Someone pressed the Test button of the event subscription.
    Delivery test = received(start, QByteArray(), 3.2);
    test.headers = {
        {"Host", "acme-hooks.example.net"}, {"User-Agent", "AkeneoPIM/7.0.52"}, {"Content-Type", "application/json"}};
    test.signature = Signature::Missing;
    test.signatureDetail
        = QStringLiteral("X-Akeneo-Request-Signature missing (the Test button of Akeneo 5.0 does not sign)");
    out.append(test);

    for (int m = 1; m <= 56; ++m) {
        const qint64 at = start + m * minute + qint64(random.bounded(40000));
        const int count = m == 17 ? 6 : 1 + int(random.bounded(10)); // 17: the batch redelivered below
        QList<QByteArray> events;
        for (int i = 0; i < count; ++i) {
            const Author &author = authors[random.bounded(int(std::size(authors)))];
            // In order within and across deliveries: the out-of-order event below is the only one.
            const qint64 eventTime = at - 2000 - qint64(count - i) * 350;
            if (random.bounded(8) == 0) {
                const char *code = productModels[random.bounded(int(std::size(productModels)))];
                const char *actions[] = {"product_model.updated", "product_model.updated", "product_model.created"};
                events.append(akeneoEvent(uuidFor(random), actions[random.bounded(3)], eventTime, author,
                                          "{\"code\":\"" + QByteArray(code) + "\",\"family_variant\":\"by_size\"}"));
                continue;
            }
            const Product &p = products[random.bounded(int(std::size(products)))];
            const int roll = int(random.bounded(20));
            if (roll == 0) {
                events.append(
                    akeneoEvent(uuidFor(random), "product.removed", eventTime, author,
                                "{\"uuid\":\"" + QByteArray(p.uuid) + "\",\"identifier\":\"" + p.identifier + "\"}"));
            } else {
                events.append(akeneoEvent(uuidFor(random), roll < 3 ? "product.created" : "product.updated", eventTime,
                                          author, productResource(p, random)));
            }
        }
        double ack = 4 + random.bounded(30.0);
        const bool badSignature = m == 31;
        if (m == 22)
            ack = 742.6; // the connector was busy: over Akeneo's 500 ms
        Delivery d = akeneoDelivery(at, events, ack, badSignature);
        if (m == 44) {
            d.answeredStatus = 500; // the connector failed
            d.ackMs = 12.4;
        }
        out.append(d);
        if (m == 17) {
            // The PIM did not get the answer in time and sent the same batch again: duplicates.
            out.append(akeneoDelivery(at + 40000, events, 6.1));
        }
    }

    // Late and out-of-order: an update made before the last ones of its product, and one more than 2 h old.
    const Product &late = products[0];
    out.append(akeneoDelivery(nowMs - 90000,
                              {akeneoEvent(uuidFor(random), "product.updated", nowMs - 40 * minute, authors[2],
                                           productResource(late, random)),
                               akeneoEvent(uuidFor(random), "product.updated", nowMs - 150 * minute, authors[0],
                                           productResource(products[3], random))},
                              8.8));

    // Not JSON at all: a misconfigured proxy in front of the receiver.
    Delivery html = received(nowMs - 70000, "<html><body>502 Bad Gateway</body></html>", 1.1);
    html.headers = {{"Host", "acme-hooks.example.net"}, {"Content-Type", "text/html"}};
    html.answeredStatus = 400;
    html.signature = Signature::Missing;
    html.signatureDetail = QStringLiteral("X-Akeneo-Request-Signature missing");
    out.append(html);

    // Quable and the Akeneo Event Platform share the receiver on other paths, each with its own rules: Quable retries
    // a failed notification twice, 5 min apart, and disables the webhook at the 3rd failure in a row; the Event
    // Platform retries 5, 10, 20 min after a failure, slows down on a 429 and suspends the subscription on a 404.
    const auto quableNotification
        = [&](qint64 at, const QByteArray &uuid, const char *document, int status, double ack) {
              Delivery q = received(
                  at,
                  "{\"uuid\":\"" + uuid
                      + "\",\"code\":\"document.update\",\"links\":[{\"rel\":\"self\","
                        "\"href\":\"\\/events\\/1\"}],\"created_at\":\""
                      + isoTime(at - 2000) + "\",\"created_by\":\"m.lefebvre\",\"resource\":{\"code\":\"" + document
                      + "\",\"type\":\"document\",\"document_type_code\":\"product\",\"links\":[{\"rel\":\"self\","
                        "\"href\":\"https:\\/\\/maisonbois.quable.com\\/api_1.php\\/documents\\/"
                      + document
                      + "\"}],\"locales\":{\"updated\":[\"fr_FR\"]},\"updated_items\":[{\"type\":\"field\","
                        "\"code\":\"marketing_description\"}]}}",
                  ack);
              q.path = "/quable";
              q.headers = {{"Host", "acme-hooks.example.net"},
                           {"Content-Type", "application/json"},
                           {"Authorization", "Bearer [redacted sha256:5f1c09ab]"}};
              q.signature = Signature::Valid;
              q.signatureDetail = QStringLiteral("valid: Authorization matches the configured value");
              q.answeredStatus = status;
              out.append(q);
          };
    const char *documents[] = {"SKU_CHAIR_OAK_NATURAL", "SKU_TABLE_WALNUT_180", "SKU_SHELF_PINE_90"};
    for (int i = 0; i < 6; ++i)
        quableNotification(nowMs - (54 - i * 4) * minute, uuidFor(random), documents[i % 3], 200, 20.0 + i);
    // The connector's deploy broke it: one notification fails three times in a row (500, 500, then too slow).
    const QByteArray failing = uuidFor(random);
    quableNotification(nowMs - 30 * minute, failing, documents[1], 500, 15.2);
    quableNotification(nowMs - 25 * minute, failing, documents[1], 500, 14.8);
    quableNotification(nowMs - 20 * minute, failing, documents[1], 200, 5300.0);
    // Re-enabled by hand, it works again.
    quableNotification(nowMs - 50000, uuidFor(random), documents[0], 200, 18.0);

    // The Event Platform's products are others than the Events API's (their times need not agree).
    QList<QByteArray> platformProducts;
    for (int i = 0; i < 6; ++i)
        platformProducts << uuidFor(random);
    const auto platformEvent = [&](qint64 at, const QByteArray &id, const QByteArray &product, int status, double ack) {
        Delivery ep
            = received(at,
                       "{\"specversion\":\"1.0\",\"id\":\"" + id
                           + "\",\"type\":\"com.akeneo.pim.v1.product.updated\","
                             "\"source\":\"pim\",\"subject\":\""
                           + product + "\",\"time\":\"" + toIsoUtc(at - 1000).toLatin1()
                           + "\",\"datacontenttype\":\"application\\/json\","
                             "\"data\":{\"author\":{\"identifier\":\"julia\",\"type\":\"ui\"},\"product\":{\"uuid\":\""
                           + product + "\"}}}",
                       ack);
        ep.path = "/event-platform";
        ep.headers = {{"Host", "acme-hooks.example.net"},
                      {"Content-Type", "application/json"},
                      {"X-AKENEO-SIGNATURE-ALGORITHM", "HmacSHA256"},
                      {"X-AKENEO-SIGNATURE-PRIMARY", hmacSha256Hex(secret, ep.body)}};
        ep.signature = Signature::Unchecked;
        ep.answeredStatus = status;
        out.append(ep);
    };
    // Two events a minute (enough that two failures keep the rolling hour's success rate over 90 %).
    for (int i = 0; i < 90; ++i)
        platformEvent(nowMs - 55 * minute + qint64{i} * 30000, uuidFor(random), platformProducts[i % 6], 200,
                      30.0 + i % 20);
    // A failure recovered on the 2nd retry (5 then 10 min later), and a burst the connector throttled with 429s.
    const QByteArray retried = uuidFor(random);
    platformEvent(nowMs - 40 * minute, retried, platformProducts[1], 503, 22.0);
    platformEvent(nowMs - 35 * minute, retried, platformProducts[1], 500, 19.5);
    platformEvent(nowMs - 25 * minute, retried, platformProducts[1], 200, 24.1);
    for (int i = 0; i < 3; ++i)
        platformEvent(nowMs - 9 * minute + qint64{i} * 1000, uuidFor(random), platformProducts[3], 429, 3.0);
    // Then the connector's route was renamed: a 404, and the Event Platform suspends the subscription at once.
    platformEvent(nowMs - 20000, uuidFor(random), platformProducts[2], 404, 41.0);

    std::sort(out.begin(), out.end(),
              [](const Delivery &a, const Delivery &b) { return a.receivedAtMs < b.receivedAtMs; });
    return out;
}

namespace {

/** A log line's time: the request's, a moment later (the PIM logs once it has the answer), to the second. */
QByteArray logTime(qint64 ms)
{
    const QString t = toIsoUtc(ms);
    return (t.left(10).replace(u'-', u'/') + u' ' + t.mid(11, 8)).toLatin1();
}

/** An event as a log context holds it: the ids only (PHP json_encode: "/" escaped). */
QByteArray logEvent(const Event &e)
{
    QByteArray out = "{\"action\":\"" + e.action.toUtf8() + "\",\"event_id\":\"" + e.eventId.toUtf8()
        + "\",\"event_datetime\":\"" + toIsoUtc(e.eventTimeMs.value_or(0)).left(19).toUtf8() + "+00:00\",\"author\":\""
        + e.author.toUtf8() + "\",\"author_type\":\"" + e.authorType.toUtf8() + '"';
    if (e.subjectType == u"product_model")
        out += ",\"product_model_code\":\"" + e.subjectId.toUtf8() + '"';
    else
        out += ",\"product_identifier\":"
            + (e.subjectId.isNull() ? QByteArray("null") : '"' + e.subjectId.toUtf8() + '"')
            + (e.subjectUuid.isNull() ? QByteArray() : ",\"product_uuid\":\"" + e.subjectUuid.toUtf8() + '"');
    return out + '}';
}

QByteArray eventsJson(const QList<Event> &events)
{
    QByteArrayList parts;
    for (const Event &e : events)
        parts << logEvent(e);
    return '[' + parts.join(',') + ']';
}

} // namespace

QByteArray demoLog(const QList<Delivery> &deliveries)
{
    constexpr QByteArrayView url = "https:\\/\\/acme-hooks.example.net\\/akeneo\\/staging";
    std::vector<std::pair<qint64, QByteArray>> lines;
    PayloadParser parser;
    int akeneo = 0;
    qint64 last = 0;
    for (const Delivery &d : deliveries) {
        const ParseResult parsed = parser.parse(d.body);
        if (parsed.format != Format::Akeneo || parsed.events.isEmpty() || !parsed.ok())
            continue;
        const QList<Event> &events = parsed.events;
        ++akeneo;
        const qint64 at = d.receivedAtMs + 300;
        last = std::max(last, at);
        if (akeneo == 20) {
            // Its line is missing (the reconciliation calls its events missing from the log), and the PIM logged its
            // first event as not sent for want of permissions: it came through another subscription.
            lines.emplace_back(
                at,
                logTime(at)
                    + " NOTICE The event was not sent because the product does not exists or the connection "
                      "does not have the required permissions. {\"event\":"
                    + logEvent(events.front()) + '}');
            continue;
        }
        const QByteArray status = QByteArray::number(d.answeredStatus.value_or(200));
        if (d.ackMs && *d.ackMs > 500) {
            lines.emplace_back(at,
                               logTime(at)
                                   + " ERROR The endpoint failed to answer under 500 ms. {\"event_subscription_url\":\""
                                   + url.toByteArray() + "\",\"events\":" + eventsJson(events) + '}');
        } else if (d.answeredStatus && *d.answeredStatus >= 400) {
            lines.emplace_back(
                at,
                logTime(at) + " ERROR The endpoint returned an error. {\"event_subscription_url\":\""
                    + url.toByteArray() + "\",\"status_code\":" + status
                    + ",\"headers\":{\"Host\":[\"acme-hooks.example.net\"],\"Content-Type\":[\"application\\/json\"],"
                      "\"User-Agent\":[\"AkeneoPIM\\/7.0.52\"]},\"events\":"
                    + eventsJson(events) + '}');
        } else {
            lines.emplace_back(at,
                               logTime(at) + " INFO The API event request was sent. {\"event_subscription_url\":\""
                                   + url.toByteArray() + "\",\"status_code\":" + status
                                   + ",\"headers\":{\"Content-Type\":[\"application\\/json\"],\"Server\":[\"nginx\\/"
                                     "1.24.0\"]},\"events\":"
                                   + eventsJson(events) + '}');
        }
        if (akeneo == 10) {
            // A request the PIM sent at the same moment that never reached the receiver (a second subscription URL?).
            Event lost = events.front();
            lost.eventId = QStringLiteral("9b1e5c7a-0d1f-4c35-9a57-5e0c2f3b8d41");
            lost.subjectId = QStringLiteral("BAG-TOTE-CANVAS");
            lost.subjectUuid = QStringLiteral("4f5e6d7c-8b9a-4c0d-9e1f-2a3b4c5d6e7f");
            lines.emplace_back(at + 1000,
                               logTime(at + 1000)
                                   + " INFO The API event request was sent. {\"event_subscription_url\":\""
                                   + url.toByteArray()
                                   + "\",\"status_code\":200,\"headers\":{\"Server\":[\"nginx\\/1.24.0\"]},\"events\":"
                                   + eventsJson({lost}) + '}');
        }
        if (akeneo == 30) {
            lines.emplace_back(at + 2000,
                               logTime(at + 2000)
                                   + " WARNING The maximum number of events sent per hour has been reached. []");
            Event self = events.front();
            self.eventId = QStringLiteral("3c2d1e0f-7a6b-4c5d-8e9f-0a1b2c3d4e5f");
            self.author = QStringLiteral("acme_connector_1234");
            self.authorType = QStringLiteral("api");
            lines.emplace_back(
                at + 3000,
                logTime(at + 3000)
                    + " NOTICE The event was not sent because it was raised by the same connection. {\"event\":"
                    + logEvent(self) + '}');
        }
    }
    // The last line comes a little after the traffic, so that the whole hour is covered.
    lines.emplace_back(
        last + 10000,
        logTime(last + 10000)
            + " NOTICE The event was not sent because the product does not exists or the connection does not have the "
              "required permissions. "
              "{\"event\":{\"action\":\"product.removed\",\"event_id\":\"7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b\","
              "\"event_datetime\":\""
            + toIsoUtc(last).left(19).toUtf8()
            + "+00:00\",\"author\":\"julia\",\"author_type\":\"ui\",\"product_identifier\":\"MUG-OLD-01\"}}");
    std::stable_sort(lines.begin(), lines.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    QByteArray out;
    for (const auto &[at, line] : lines)
        out += line + '\n';
    return out;
}

} // namespace pimscope::demo
