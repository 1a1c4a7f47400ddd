#pragma once

// Realistic synthetic traffic for the benchmarks (header-only; no test framework).

#include "formats/payloadparser.h"
#include "model/delivery.h"
#include "store/eventstore.h"
#include "util/timeutil.h"

#include <QElapsedTimer>
#include <QFile>

#include <QRandomGenerator>
#include <QString>
#include <QUuid>

#include <cstdio>

namespace pimscope::bench {

inline const char *const actions[]
    = {"product.created", "product.updated",       "product.updated",      "product.updated",
       "product.removed", "product_model.updated", "product_model.created"};
inline const char *const authors[] = {"julia", "peter", "erp_connector_0417", "magento_0000", "system"};
inline const char *const authorTypes[] = {"ui", "ui", "api", "api", "system"};

/** One Akeneo event of about `valueBytes` of product values, encoded like the PIM does (`\/` escapes). */
inline QByteArray akeneoEvent(QRandomGenerator &rng, qint64 timeMs, int valueBytes)
{
    const int a = int(rng.bounded(int(std::size(actions))));
    const int who = int(rng.bounded(int(std::size(authors))));
    const QString action = QString::fromLatin1(actions[a]);
    const QString sku = QStringLiteral("SKU-%1").arg(rng.bounded(50000));
    const QString time = toIsoUtc(timeMs).left(19) + QStringLiteral("+00:00");
    QString values;
    int n = 0;
    while (values.size() < valueBytes) {
        values
            += QStringLiteral(
                   R"(%1"attr_%2":[{"locale":"en_US","scope":"ecommerce","data":"Value %3 of the attribute, with some text"}])")
                   .arg(n ? QStringLiteral(",") : QString())
                   .arg(n)
                   .arg(rng.bounded(1000000));
        ++n;
    }
    QString resource;
    if (action.startsWith(u"product_model"))
        resource
            = QStringLiteral(
                  R"({"code":"model_%1","family":"clothing","family_variant":"clothing_size","parent":null,"categories":["master"],"values":{%2},"created":"%3","updated":"%3","associations":{},"quantified_associations":{}})")
                  .arg(sku, values, time);
    else if (action.endsWith(u"removed"))
        resource = QStringLiteral(R"({"identifier":"%1","uuid":"%2"})")
                       .arg(sku, QUuid::createUuid().toString(QUuid::WithoutBraces));
    else
        resource
            = QStringLiteral(
                  R"({"uuid":"%1","identifier":"%2","enabled":true,"family":"clothing","categories":["master_men","supplier_northwind"],"groups":[],"parent":null,"values":{%3},"created":"%4","updated":"%4","associations":{"X_SELL":{"groups":[],"products":[],"product_models":[]}},"quantified_associations":{}})")
                  .arg(QUuid::createUuid().toString(QUuid::WithoutBraces), sku, values, time);
    return QStringLiteral(
               R"({"action":"%1","event_id":"%2","event_datetime":"%3","author":"%4","author_type":"%5","pim_source":"https:\/\/acme-retail.cloud.akeneo.com","data":{"resource":%6}})")
        .arg(action, QUuid::createUuid().toString(QUuid::WithoutBraces), time, QString::fromLatin1(authors[who]),
             QString::fromLatin1(authorTypes[who]), resource)
        .toUtf8();
}

inline QByteArray akeneoBody(QRandomGenerator &rng, qint64 timeMs, int events, int valueBytes)
{
    QByteArray body = "{\"events\":[";
    for (int i = 0; i < events; ++i) {
        if (i)
            body += ',';
        body += akeneoEvent(rng, timeMs, valueBytes);
    }
    return body + "]}";
}

inline Delivery receivedDelivery(QByteArray body, qint64 receivedAtMs)
{
    Delivery d;
    d.origin = Origin::Receiver;
    d.receivedAtMs = receivedAtMs;
    d.method = "POST";
    d.path = "/";
    d.remote = QStringLiteral("127.0.0.1:40000");
    d.headers = {{"Content-Type", "application/json"},
                 {"User-Agent", "AkeneoPIM/7.0"},
                 {"X-Akeneo-Request-Timestamp", QByteArray::number(receivedAtMs / 1000)},
                 {"X-Akeneo-Request-Signature", QByteArray(64, 'a')}};
    d.body = std::move(body);
    d.bodySize = d.body.size();
    d.answeredStatus = 200;
    d.ackMs = 1.5;
    return d;
}

/**
 * The capture the filter and window benchmarks read: `total` events in deliveries of 10, 50 ms apart from
 * 2026-11-22T00:00Z, written into `path` unless it exists already (then it is reused as it is). Returns false,
 * with the reason on stderr, when the capture cannot be written.
 */
inline bool ensureCapture(const QString &path, int total)
{
    if (QFile::exists(path))
        return true;
    auto store = EventStore::open(path);
    if (!store) {
        std::fprintf(stderr, "%s\n", qPrintable(store.error()));
        return false;
    }
    QRandomGenerator rng(7);
    PayloadParser parser;
    const qint64 t0 = *parseIsoDateTime(std::string_view("2026-11-22T00:00:00Z"));
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < total / 10; ++i) {
        Delivery d = receivedDelivery(akeneoBody(rng, t0 + i * 50, 10, 60), t0 + i * 50);
        ParseResult r = parser.parse(d.body);
        d.format = r.format;
        d.events = std::move(r.events);
        store.value()->enqueue(std::move(d), true);
    }
    store.value()->flush(3600000);
    std::printf("built %d events in %.1f s\n", total, double(timer.elapsed()) / 1000.0);
    return true;
}

} // namespace pimscope::bench
