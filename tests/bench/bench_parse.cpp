// bench_parse: how fast PayloadParser turns request bodies into events, next to QJsonDocument::fromJson.
//
// Usage: bench_parse [iterations]   (default: as many as fit in about 2 s per body)
// Prints figures only; build it in Release (cmake --preset release) for meaningful numbers.

#include "formats/payloadparser.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <cstdio>
#include <cstdlib>
#include <functional>

using namespace pimscope;

namespace {

/** A full product resource in the Events API shape, about 2.8 KB once encoded. */
QString productResource(int i, const QString &time)
{
    const QString sku
        = QStringLiteral("TSHIRT-ORG-%1-%2").arg(i % 2 ? QStringLiteral("BLU") : QStringLiteral("RED")).arg(i);
    const QString description = QStringLiteral(
        "<p>Soft organic cotton crew-neck T-shirt, garment dyed, pre-shrunk. Relaxed fit, reinforced shoulder seams "
        "and a tag-free neck label for comfort all day long. Machine wash at 30 \\u00b0C.<\\/p>");
    return QStringLiteral(
               R"({"uuid":"8a1f5c3e-2d7b-4e91-b6a4-0c9e3f7d2b%1","identifier":"%2","enabled":true,"family":"clothing",)"
               R"("categories":["master_men_tshirts","supplier_northwind","print_catalog_2025"],"groups":[],)"
               R"("parent":"tshirt_organic_crew_blue","values":{)"
               R"("size":[{"locale":null,"scope":null,"data":"m"}],)"
               R"("ean":[{"locale":null,"scope":null,"data":"40063813339%1"}],)"
               R"("weight":[{"locale":null,"scope":null,"data":{"amount":"0.1800","unit":"KILOGRAM"}}],)"
               R"("price":[{"locale":null,"scope":null,"data":[{"amount":"24.90","currency":"EUR"},)"
               R"({"amount":"26.90","currency":"USD"}]}],)"
               R"("name":[{"locale":"en_US","scope":null,"data":"Organic crew T-shirt"},)"
               R"({"locale":"fr_FR","scope":null,"data":"T-shirt col rond bio"},)"
               R"({"locale":"de_DE","scope":null,"data":"Bio-T-Shirt mit Rundhals"}],)"
               R"("description":[{"locale":"en_US","scope":"ecommerce","data":"%3"},)"
               R"({"locale":"en_US","scope":"print","data":"%3"},)"
               R"({"locale":"en_GB","scope":"ecommerce","data":"%3"}],)"
               R"("picture":[{"locale":null,"scope":null,)"
               R"("data":"8\/3\/a\/1\/83a1f5c3e2d7b4e91b6a40c9e3f7d2b15_front.jpg",)"
               R"("_links":{"download":{"href":"https:\/\/acme-retail.cloud.akeneo.com\/api\/rest\/v1\/media-files)"
               R"(\/8\/3\/a\/1\/83a1f5c3e2d7b4e91b6a40c9e3f7d2b15_front.jpg\/download"}}}],)"
               R"("care_instructions":[{"locale":null,"scope":null,"data":["wash_30","no_tumble_dry","iron_low"]}],)"
               R"("material":[{"locale":null,"scope":null,"data":"organic_cotton"}],)"
               R"("composition":[{"locale":"en_US","scope":null,"data":"100 percent organic cotton, 180 g\/m\u00b2"},)"
               R"({"locale":"fr_FR","scope":null,"data":"100 pour cent coton biologique, 180 g\/m\u00b2"}],)"
               R"("fit":[{"locale":null,"scope":null,"data":"relaxed"}],"neckline":[{"locale":null,"scope":null,)"
               R"("data":"crew"}],)"
               R"("country_of_origin":[{"locale":null,"scope":null,"data":"PT"}],)"
               R"("stock_threshold":[{"locale":null,"scope":null,"data":12}]},)"
               R"("created":"2025-03-18T14:02:10+00:00","updated":"%4",)"
               R"("associations":{"PACK":{"groups":[],"products":[],"product_models":[]},)"
               R"("SUBSTITUTION":{"groups":[],"products":["TSHIRT-ORG-GRN-M"],"product_models":[]},)"
               R"("UPSELL":{"groups":[],"products":[],"product_models":["tshirt_premium_crew"]},)"
               R"("X_SELL":{"groups":["summer_looks"],"products":["SOCK-RUN-3PK-BLK","CAP-ORG-BLU"],)"
               R"("product_models":[]}},)"
               R"("quantified_associations":{},"metadata":{"workflow_status":"working_copy"}})")
        .arg(QString::number(10 + i), sku, description, time);
}

QString akeneoEvent(int i, const QString &action, const QString &resource)
{
    return QStringLiteral(R"({"action":"%1","event_id":"3f6c2a8e-9b1d-4c57-a0e2-6d4b9f1e7a%2","event_datetime":"%3",)"
                          R"("author":"erp_connector_0417","author_type":"api",)"
                          R"("pim_source":"https:\/\/acme-retail.cloud.akeneo.com",)"
                          R"("data":{"resource":%4}})")
        .arg(action, QString::number(10 + i), QStringLiteral("2025-03-18T14:02:1%1+00:00").arg(i % 10), resource);
}

/** Ten events the way a bulk API update arrives: eight full products, a removal, a product model. */
QByteArray akeneoBody()
{
    QStringList events;
    for (int i = 0; i < 8; ++i)
        events << akeneoEvent(i, i < 2 ? QStringLiteral("product.created") : QStringLiteral("product.updated"),
                              productResource(i, QStringLiteral("2025-03-18T14:02:1%1+00:00").arg(i)));
    events << akeneoEvent(
        8, QStringLiteral("product.removed"),
        QStringLiteral(R"({"identifier":"TSHIRT-ORG-BLU-XXS","uuid":"a3d7e0c2-4b19-4f6a-9c85-e1b2f70d6a39"})"));
    events << akeneoEvent(
        9, QStringLiteral("product_model.updated"),
        QStringLiteral(R"({"code":"tshirt_organic_crew","family":"clothing","family_variant":"clothing_color_size",)"
                       R"("parent":null,"categories":["master_men_tshirts"],"values":{"collection":[{"locale":null,)"
                       R"("scope":null,"data":["summer_2025"]}]},"created":"2025-03-01T08:00:00+00:00",)"
                       R"("updated":"2025-03-18T14:02:15+00:00","associations":{},"quantified_associations":{}})"));
    return QStringLiteral("{\"events\":[%1]}").arg(events.join(u',')).toUtf8();
}

QByteArray quableBody()
{
    return QByteArrayLiteral(
        R"({"uuid":"9f2c7e41-3a8d-4b65-b0d7-1e6a5c93f8b2","code":"document.update","links":[{"rel":"self",)"
        R"("href":"/events/9f2c7e41-3a8d-4b65-b0d7-1e6a5c93f8b2"}],"created_at":"2025-03-18T09:41:27+00:00",)"
        R"("created_by":"m.lefebvre","resource":{"code":"SKU_CHAIR_OAK_NATURAL","type":"document",)"
        R"("document_type_code":"product",)"
        R"("links":[{"rel":"self","href":"https://maisonbois.quable.com/api_1.php/documents/SKU_CHAIR_OAK_NATURAL"}],)"
        R"("locales":{"updated":["fr_FR"],"inherited":["fr_FR","fr_BE","fr_CH"]},"updated_items":[{"type":"field",)"
        R"("code":"marketing_description"},{"type":"field","code":"seat_height_cm"},)"
        R"({"type":"field","code":"price_eur"}]}})");
}

QByteArray eventPlatformBody()
{
    return QByteArrayLiteral(
        R"({"specversion":"1.0","id":"018e32f9-dfe4-760e-a273-5da1c089dfdb",)"
        R"("type":"com.akeneo.pim.v1.product.updated",)"
        R"("source":"pim","subject":"019256aa-7f77-7f58-bc8c-770f7e369c5b","time":"2025-03-18T14:02:11Z",)"
        R"("datacontenttype":"application/json","dataschema":"https://event.prd.sdk.akeneo.cloud/spec/)"
        R"(com.akeneo.pim.v1.product.updated.schema.json",)"
        R"("data":{"product":{"uuid":"6a9f8486-2c36-4680-b87f-6f5f8f01b6cf"},)"
        R"("author":{"identifier":"admin","type":"user"}}})");
}

volatile qsizetype sink = 0;

/** Runs `once` `iterations` times (or for about 2 s when 0) and prints the throughput. */
void measure(const char *label, qsizetype bytes, qint64 iterations, const std::function<qsizetype()> &once)
{
    for (int i = 0; i < 100; ++i) // warm-up: caches, allocations, simdjson's buffers
        sink = sink + once();
    QElapsedTimer timer;
    timer.start();
    qint64 done = 0;
    if (iterations > 0) {
        for (; done < iterations; ++done)
            sink = sink + once();
    } else {
        while (timer.nsecsElapsed() < 2'000'000'000) {
            for (int i = 0; i < 256; ++i)
                sink = sink + once();
            done += 256;
        }
    }
    const double seconds = double(timer.nsecsElapsed()) / 1e9;
    std::printf("%-42s %8lld bytes %10lld runs %10.1f MB/s %10.2f us/body\n", label, static_cast<long long>(bytes),
                static_cast<long long>(done), double(bytes) * double(done) / seconds / 1e6,
                seconds * 1e6 / double(done));
}

} // namespace

int main(int argc, char **argv)
{
    const qint64 iterations = argc > 1 ? std::atoll(argv[1]) : 0;
    struct Body
    {
        const char *name;
        QByteArray bytes;
    };
    const Body bodies[] = {{"akeneo (10 events)", akeneoBody()},
                           {"quable (1 event)", quableBody()},
                           {"event platform (1 event)", eventPlatformBody()}};

    PayloadParser parser;
    for (const Body &body : bodies) {
        const ParseResult check = parser.parse(body.bytes);
        std::printf("%s: %lld bytes, format %s, %lld events, %lld warnings%s%s\n", body.name,
                    static_cast<long long>(body.bytes.size()), qPrintable(formatName(check.format)),
                    static_cast<long long>(check.events.size()), static_cast<long long>(check.warnings.size()),
                    check.ok() ? "" : ", error: ", check.ok() ? "" : qPrintable(check.error));
    }
    std::printf("\n");
    for (const Body &body : bodies) {
        measure(qPrintable(QStringLiteral("PayloadParser   %1").arg(QLatin1StringView(body.name))), body.bytes.size(),
                iterations, [&] { return parser.parse(body.bytes).events.size(); });
        measure(qPrintable(QStringLiteral("QJsonDocument   %1").arg(QLatin1StringView(body.name))), body.bytes.size(),
                iterations, [&] { return QJsonDocument::fromJson(body.bytes).object().size(); });
    }
    return 0;
}
