#include "filter/filter.h"
#include "filter/reconciliation.h"
#include "model/enums.h"
#include "store/schema.h"
#include "util/textkey.h"
#include "util/timeutil.h"

#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <functional>
#include <optional>

using namespace pimscope;
using namespace Qt::StringLiterals;

using Ids = QList<qint64>;

namespace {

qint64 iso(const char *text)
{
    const auto ms = parseIsoDateTime(std::string_view(text));
    if (!ms)
        qFatal("bad time in test: %s", text);
    return *ms;
}

QVariant nullable(const QString &s)
{
    return s.isNull() ? QVariant() : QVariant(s);
}

template<typename T>
QVariant nullable(const std::optional<T> &v)
{
    return v ? QVariant::fromValue(*v) : QVariant();
}

struct TestEvent
{
    qint64 id = 0;
    qint64 deliveryId = 0;
    QString eventId;
    QString action;
    std::optional<qint64> time;
    QString author;
    QString authorType;
    QString pimSource;
    QString subjectType;
    QString subjectId;
    QString subjectUuid;
    Flags flags;
    QByteArray payload;
};

struct TestDelivery
{
    qint64 id = 0;
    Origin origin = Origin::Receiver;
    qint64 received = 0;
    QString method;
    QString path;
    QString remote;
    QByteArray headers;
    QByteArray prefix; ///< body = prefix + payloads joined by separator + suffix
    QByteArray separator;
    QByteArray suffix;
    Format format = Format::Unknown;
    Signature signature = Signature::Unchecked;
    std::optional<int> answered;
    std::optional<double> ack;
    QString error;
    QString warnings;
    std::optional<LogLevel> level;
    std::optional<LogMessage> message;
    std::optional<int> statusCode;
    QString url;
    QString logFile;
    std::optional<int> logLine;
    Flags flags;
};

// The tables name the fields they set; the others keep their defaults (NULL), which GCC would warn about.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

// Akeneo payloads as the PIM's PHP json_encode writes them: "/" escaped as "\/".
const QList<TestEvent> &testEvents()
{
    static const QList<TestEvent> events = {
        {.id = 1,
         .deliveryId = 1,
         .eventId = u"6ad821d8-2468-4632-89d2-92e442c72313"_s,
         .action = u"product.created"_s,
         .time = iso("2026-11-22T10:04:58Z"),
         .author = u"julia"_s,
         .authorType = u"ui"_s,
         .pimSource = u"https://demo.akeneo.com"_s,
         .subjectType = u"product"_s,
         .subjectId = u"TSHIRT-RED-M"_s,
         .subjectUuid = u"a1b2c3d4-0000-0000-0000-000000000001"_s,
         .flags = {},
         .payload = R"({"action":"product.created","event_id":"6ad821d8-2468-4632-89d2-92e442c72313",)"
                    R"("event_datetime":"2026-11-22T10:04:58+00:00","author":"julia","author_type":"ui",)"
                    R"("pim_source":"https:\/\/demo.akeneo.com","data":{"resource":{"identifier":"TSHIRT-RED-M",)"
                    R"("uuid":"a1b2c3d4-0000-0000-0000-000000000001"}}})"},
        {.id = 2,
         .deliveryId = 1,
         .eventId = u"0b5e2c1a-0000-4000-8000-000000000002"_s,
         .action = u"product.updated"_s,
         .time = iso("2026-11-22T10:05:00Z"),
         .author = u"api_connector"_s,
         .authorType = u"api"_s,
         .pimSource = u"https://demo.akeneo.com"_s,
         .subjectType = u"product"_s,
         .subjectId = u"TSHIRT-BLUE-L"_s,
         .subjectUuid = u"a1b2c3d4-0000-0000-0000-000000000002"_s,
         .flags = {},
         .payload = R"({"action":"product.updated","event_id":"0b5e2c1a-0000-4000-8000-000000000002",)"
                    R"("event_datetime":"2026-11-22T10:05:00+00:00","author":"api_connector","author_type":"api",)"
                    R"("pim_source":"https:\/\/demo.akeneo.com","data":{"resource":{"identifier":"TSHIRT-BLUE-L",)"
                    R"("uuid":"a1b2c3d4-0000-0000-0000-000000000002"}}})"},
        {.id = 3,
         .deliveryId = 2,
         .eventId = u"6ad821d8-2468-4632-89d2-92e442c72313"_s,
         .action = u"product.removed"_s,
         .time = iso("2026-11-22T10:29:00Z"),
         .author = u"julia"_s,
         .authorType = u"ui"_s,
         .pimSource = u"https://demo.akeneo.com"_s,
         .subjectType = u"product"_s,
         .subjectId = u"TSHIRT-RED-M"_s,
         .subjectUuid = u"a1b2c3d4-0000-0000-0000-000000000001"_s,
         .flags = Flag::Duplicate | Flag::BadSignature | Flag::SlowAck | Flag::Error,
         .payload = R"({"action":"product.removed","event_id":"6ad821d8-2468-4632-89d2-92e442c72313",)"
                    R"("event_datetime":"2026-11-22T10:29:00+00:00","author":"julia","author_type":"ui",)"
                    R"("pim_source":"https:\/\/demo.akeneo.com","data":{"resource":{"identifier":"TSHIRT-RED-M",)"
                    R"("uuid":"a1b2c3d4-0000-0000-0000-000000000001"}}})"},
        {.id = 4,
         .deliveryId = 3,
         .eventId = u"0b5e2c1a-0000-4000-8000-000000000004"_s,
         .action = u"product_model.updated"_s,
         .time = iso("2026-11-22T11:14:00Z"),
         .author = u"system"_s,
         .authorType = u"system"_s,
         .pimSource = {},
         .subjectType = u"product_model"_s,
         .subjectId = u"MODEL-TSHIRT"_s,
         .subjectUuid = {},
         .flags = Flag::OutOfOrder | Flag::Error,
         .payload = R"({"action":"product_model.updated","event_id":"0b5e2c1a-0000-4000-8000-000000000004",)"
                    R"("event_datetime":"2026-11-22T11:14:00+00:00","author":"system","author_type":"system",)"
                    R"("data":{"resource":{"code":"MODEL-TSHIRT"}}})"},
        {.id = 5,
         .deliveryId = 4,
         .eventId = u"0b5e2c1a-0000-4000-8000-000000000005"_s,
         .action = u"product.updated"_s,
         .time = iso("2026-11-22T08:59:30Z"),
         .author = u"api_connector"_s,
         .authorType = u"api"_s,
         .pimSource = u"https://demo.akeneo.com"_s,
         .subjectType = u"product"_s,
         .subjectId = u"SHOE-42"_s,
         .subjectUuid = u"a1b2c3d4-0000-0000-0000-000000000005"_s,
         .flags = {},
         .payload = R"({"action":"product.updated","event_id":"0b5e2c1a-0000-4000-8000-000000000005",)"
                    R"("event_datetime":"2026-11-22T08:59:30+00:00","author":"api_connector","author_type":"api",)"
                    R"("pim_source":"https:\/\/demo.akeneo.com","data":{"resource":{"identifier":"SHOE-42",)"
                    R"("uuid":"a1b2c3d4-0000-0000-0000-000000000005"}}})"},
        {.id = 6,
         .deliveryId = 5,
         .eventId = u"0b5e2c1a-0000-4000-8000-000000000006"_s,
         .action = u"product.created"_s,
         .time = iso("2026-11-22T06:00:00Z"),
         .author = u"julia"_s,
         .authorType = u"ui"_s,
         .pimSource = u"https://demo.akeneo.com"_s,
         .subjectType = u"product"_s,
         .subjectId = u"SHOE-43"_s,
         .subjectUuid = u"a1b2c3d4-0000-0000-0000-000000000006"_s,
         .flags = Flag::Stale,
         .payload = R"({"action":"product.created","event_id":"0b5e2c1a-0000-4000-8000-000000000006",)"
                    R"("event_datetime":"2026-11-22T06:00:00+00:00","author":"julia","author_type":"ui",)"
                    R"("pim_source":"https:\/\/demo.akeneo.com","data":{"resource":{"identifier":"SHOE-43",)"
                    R"("uuid":"a1b2c3d4-0000-0000-0000-000000000006"}}})"},
        {.id = 7,
         .deliveryId = 6,
         .eventId = u"q-7777"_s,
         .action = u"document.update"_s,
         .time = iso("2026-11-22T11:59:00Z"),
         .author = u"marc@quable"_s,
         .authorType = {},
         .pimSource = {},
         .subjectType = u"document"_s,
         .subjectId = u"DOC-100%_A"_s,
         .subjectUuid = {},
         .flags = Flag::Error | Flag::SlowAck,
         .payload = R"({"uuid":"q-7777","code":"document.update","created_by":"marc@quable",)"
                    R"("created_at":"2026-11-22T11:59:00+00:00","resource":{"type":"document","code":"DOC-100%_A"},)"
                    R"("url":"http:\/\/quable.example.com\/api"})"},
        {.id = 8,
         .deliveryId = 8,
         .eventId = u"ep-8"_s,
         .action = u"com.akeneo.pim.v1.product.updated"_s,
         .time = std::nullopt,
         .author = {},
         .authorType = {},
         .pimSource = u"https://pim.example.com"_s,
         .subjectType = u"product"_s,
         .subjectId = {},
         .subjectUuid = u"c0ffee00-0000-0000-0000-000000000008"_s,
         .flags = Flag::BadSignature,
         .payload = R"({"specversion":"1.0","id":"ep-8","type":"com.akeneo.pim.v1.product.updated",)"
                    R"("source":"https:\/\/pim.example.com","data":{"product":)"
                    R"({"uuid":"c0ffee00-0000-0000-0000-000000000008"}}})"},
        {.id = 9,
         .deliveryId = 10,
         .eventId = u"0b5e2c1a-0000-4000-8000-000000000009"_s,
         .action = u"product.updated"_s,
         .time = iso("2026-11-22T14:59:00Z"),
         .author = u"connector"_s,
         .authorType = u"api"_s,
         .pimSource = {},
         .subjectType = u"product"_s,
         .subjectId = u"TSHIRT-RED-M"_s,
         .subjectUuid = {},
         .flags = Flag::Self,
         .payload = R"({"action":"product.updated","event_id":"0b5e2c1a-0000-4000-8000-000000000009",)"
                    R"("event_datetime":"2026-11-22T14:59:00+00:00","author":"connector","author_type":"api",)"
                    R"("data":{"resource":{"identifier":"TSHIRT-RED-M"}}})"},
    };
    return events;
}

const QList<TestDelivery> &testDeliveries()
{
    const QByteArray signedHeaders = "Content-Type: application/json\nX-Akeneo-Request-Signature: 0a1b2c\n";
    const QString connector = u"https://connector.example.com/hook"_s;
    const QString logFile = u"akeneo_events.log"_s;
    static const QList<TestDelivery> deliveries = {
        {.id = 1,
         .origin = Origin::Receiver,
         .received = iso("2026-11-22T10:05:00Z"),
         .method = u"POST"_s,
         .path = u"/hook/events"_s,
         .remote = u"10.0.0.5:40000"_s,
         .headers = signedHeaders,
         .prefix = R"({"events":[)",
         .separator = ",",
         .suffix = "]}",
         .format = Format::Akeneo,
         .signature = Signature::Valid,
         .answered = 200,
         .ack = 120.5},
        {.id = 2,
         .origin = Origin::Receiver,
         .received = iso("2026-11-22T10:30:00Z"),
         .method = u"POST"_s,
         .path = u"/hook/events"_s,
         .remote = u"10.0.0.5:40001"_s,
         .headers = signedHeaders,
         .prefix = R"({"events":[)",
         .separator = ",",
         .suffix = "]}",
         .format = Format::Akeneo,
         .signature = Signature::Invalid,
         .answered = 500,
         .ack = 750.0,
         .flags = Flag::Duplicate | Flag::BadSignature | Flag::SlowAck | Flag::Error},
        {.id = 3,
         .origin = Origin::Log,
         .received = iso("2026-11-22T11:15:00Z"),
         .prefix = "2026/11/22 11:15:00 ERROR Timeout sending to https://connector.example.com/hook ",
         .format = Format::Akeneo,
         .level = LogLevel::Error,
         .message = LogMessage::Timeout,
         .url = connector,
         .logFile = logFile,
         .logLine = 42,
         .flags = Flag::OutOfOrder | Flag::Error},
        {.id = 4,
         .origin = Origin::Log,
         .received = iso("2026-11-22T09:00:00Z"),
         .prefix = "2026/11/22 09:00:00 WARNING Rate limit reached by https://connector.example.com/hook ",
         .format = Format::Akeneo,
         .level = LogLevel::Warning,
         .message = LogMessage::RateLimit,
         .statusCode = 429,
         .url = connector,
         .logFile = logFile,
         .logLine = 7},
        {.id = 5,
         .origin = Origin::Log,
         .received = iso("2026-11-22T09:30:00Z"),
         .prefix = "2026/11/22 09:30:00 INFO Request sent to https://connector.example.com/hook ",
         .format = Format::Akeneo,
         .level = LogLevel::Info,
         .message = LogMessage::RequestSent,
         .statusCode = 200,
         .url = connector,
         .logFile = logFile,
         .logLine = 8,
         .flags = Flag::Stale},
        {.id = 6,
         .origin = Origin::Replay,
         .received = iso("2026-11-22T12:00:00Z"),
         .method = u"POST"_s,
         .path = u"/hook"_s,
         .headers = "Content-Type: application/json\n",
         .format = Format::Quable,
         .signature = Signature::Valid,
         .ack = 2000.0,
         .error = u"HTTP 503 Service Unavailable"_s,
         .message = LogMessage::EndpointError,
         .statusCode = 503,
         .url = u"http://localhost:8080/hook"_s,
         .flags = Flag::Error | Flag::SlowAck},
        {.id = 7,
         .origin = Origin::Receiver,
         .received = iso("2026-11-22T10:00:00Z"),
         .method = u"POST"_s,
         .path = u"/hook/events"_s,
         .remote = u"10.0.0.6:1234"_s,
         .headers = "Content-Type: application/json\n",
         .format = Format::AkeneoTest,
         .signature = Signature::Missing,
         .answered = 200,
         .ack = 3.0,
         .flags = Flag::BadSignature},
        {.id = 8,
         .origin = Origin::Receiver,
         .received = iso("2026-11-22T13:00:00Z"),
         .method = u"POST"_s,
         .path = u"/hook/events"_s,
         .remote = u"10.0.0.7:999"_s,
         .headers = "Content-Type: application/cloudevents+json\n",
         .format = Format::AkeneoEventPlatform,
         .signature = Signature::Expired,
         .answered = 200,
         .ack = 45.0,
         .warnings = u"unknown field 'foo'"_s,
         .flags = Flag::BadSignature},
        {.id = 9,
         .origin = Origin::Receiver,
         .received = iso("2026-11-22T14:00:00Z"),
         .method = u"PUT"_s,
         .path = u"/other"_s,
         .remote = u"10.0.0.8:1"_s,
         .headers = "X-Weird: it's \"quoted\"\n",
         .prefix = R"(not json: 100% _under_ back\slash 'quote' "dq")",
         .format = Format::Unknown,
         .answered = 400,
         .error = u"parse error: not JSON"_s,
         .flags = Flag::Error},
        {.id = 10,
         .origin = Origin::Log,
         .received = iso("2026-11-22T15:00:00Z"),
         .prefix = "2026/11/22 15:00:00 NOTICE Same connection ",
         .format = Format::Akeneo,
         .level = LogLevel::Notice,
         .message = LogMessage::SameConnection,
         .logFile = logFile,
         .logLine = 99,
         .flags = Flag::Self},
    };
    return deliveries;
}

#pragma GCC diagnostic pop

QList<const TestEvent *> eventsOf(qint64 deliveryId)
{
    QList<const TestEvent *> out;
    for (const TestEvent &e : testEvents()) {
        if (e.deliveryId == deliveryId)
            out.append(&e);
    }
    return out;
}

const TestDelivery &deliveryOf(const TestEvent &e)
{
    for (const TestDelivery &d : testDeliveries()) {
        if (d.id == e.deliveryId)
            return d;
    }
    qFatal("no delivery");
}

Ids allEventIds()
{
    Ids ids;
    for (const TestEvent &e : testEvents())
        ids.append(e.id);
    return ids;
}

Ids allDeliveryIds()
{
    Ids ids;
    for (const TestDelivery &d : testDeliveries())
        ids.append(d.id);
    return ids;
}

/** The fixed vocabulary of the SQL the compiler may write: anything else in a WHERE would be user text. */
bool onlyFixedVocabulary(const QString &where, QString *offending)
{
    static const QSet<QString> vocabulary = {
        u"AND"_s,
        u"OR"_s,
        u"IS"_s,
        u"NOT"_s,
        u"NULL"_s,
        u"IN"_s,
        u"LIKE"_s,
        u"ESCAPE"_s,
        u"REGEXP"_s,
        u"CAST"_s,
        u"AS"_s,
        u"TEXT"_s,
        u"substr"_s,
        u"COALESCE"_s,
        u"0"_s,
        u"1"_s,
        // The connector's fields: a lookup of the delivery's forward by its key.
        u"SELECT"_s,
        u"FROM"_s,
        u"WHERE"_s,
        u"forwards"_s,
        u"f"_s,
    };
    static const QRegularExpression column(u"^[edf]\\.[a-z_]+$"_s);
    static const QRegularExpression allowedChars(u"^[A-Za-z0-9_.,()?<>=& +]*$"_s);
    QString w = where;
    w.remove(u"ESCAPE '\\'"_s);
    // The reconciliation's expression is a constant of the code (no user text in it): one opaque column.
    w.replace(reconciliation::sql(), u"e.recon"_s);
    if (!allowedChars.match(w).hasMatch()) {
        *offending = w;
        return false;
    }
    static const QRegularExpression separators(u"[^A-Za-z0-9_.]+"_s);
    const QStringList words = w.split(separators, Qt::SkipEmptyParts);
    for (const QString &word : words) {
        if (!vocabulary.contains(word) && !column.match(word).hasMatch()) {
            *offending = word;
            return false;
        }
    }
    return true;
}

QString quoted(const QString &value)
{
    QString out = value;
    out.replace(u'\\', u"\\\\"_s);
    out.replace(u'"', u"\\\""_s);
    return u'"' + out + u'"';
}

QString asciiLower(const QString &s)
{
    QString out = s;
    for (QChar &c : out) {
        if (c.unicode() < 128)
            c = c.toLower();
    }
    return out;
}

} // namespace

class TestFilter : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QSqlDatabase m_db;

    QList<qint64> select(const QString &sql, const QVariantList &bindings, QString *error = nullptr)
    {
        QSqlQuery q(m_db);
        q.setForwardOnly(true);
        QList<qint64> ids;
        if (!q.prepare(sql)) {
            if (error)
                *error = q.lastError().text() + u" in "_s + sql;
            return {-1};
        }
        for (const QVariant &v : bindings)
            q.addBindValue(v);
        if (!q.exec()) {
            if (error)
                *error = q.lastError().text() + u" in "_s + sql;
            return {-1};
        }
        while (q.next())
            ids.append(q.value(0).toLongLong());
        return ids;
    }

    /** Runs the ids and the count query of a filter; checks they agree and that the SQL is well-formed. */
    bool matching(const Filter &f, FilterTarget target, Ids *ids, QString *error)
    {
        const CompiledFilter c = f.compile(target);
        QString offending;
        if (!onlyFixedVocabulary(c.where, &offending)) {
            *error = u"user text in SQL: "_s + offending;
            return false;
        }
        if (c.where.count(u'?') != c.bindings.size()) {
            *error = u"placeholder count differs from bindings: "_s + c.where;
            return false;
        }
        *ids = select(filterIdsSql(c, target), c.bindings, error);
        if (ids->size() == 1 && ids->front() == -1)
            return false;
        const Ids count = select(filterCountSql(c, target), c.bindings, error);
        if (count.size() != 1 || count.front() != ids->size()) {
            if (error->isEmpty())
                *error = u"count %1 but %2 ids"_s.arg(count.value(0)).arg(ids->size());
            return false;
        }
        Ids sorted = *ids;
        std::sort(sorted.begin(), sorted.end());
        sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
        if (sorted != *ids) {
            *error = u"ids not ascending and unique"_s;
            return false;
        }
        return true;
    }

    /** Pairs (delivery, event or 0) of the LEFT JOIN on which a compiled filter holds, encoded d * 1000 + e. */
    QSet<qint64> pairs(const Filter &f, QString *error)
    {
        const CompiledFilter c = f.compile(FilterTarget::Deliveries);
        QSqlQuery q(m_db);
        if (!q.prepare(u"SELECT d.id, e.id FROM deliveries d LEFT JOIN events e ON e.delivery_id = d.id WHERE ("_s
                       + c.where + u')')) {
            *error = q.lastError().text();
            return {};
        }
        for (const QVariant &v : c.bindings)
            q.addBindValue(v);
        if (!q.exec()) {
            *error = q.lastError().text();
            return {};
        }
        QSet<qint64> out;
        while (q.next())
            out.insert(q.value(0).toLongLong() * 1000 + q.value(1).toLongLong());
        return out;
    }

    void checkTablesIntact()
    {
        QCOMPARE(select(u"SELECT COUNT(*) FROM events"_s, {}), Ids{qint64(testEvents().size())});
        QCOMPARE(select(u"SELECT COUNT(*) FROM deliveries"_s, {}), Ids{qint64(testDeliveries().size())});
        QCOMPARE(
            select(u"SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'"_s, {}),
            Ids{11}); // with sqlite_sequence, flag_counts, forwards, forward_counts, followed_servers, followed, edits
    }

    void insertData()
    {
        QSqlQuery qd(m_db);
        QVERIFY(qd.prepare(
            u"INSERT INTO deliveries (id, origin, received_at, method, path, remote, headers, body, body_size, format, "
            "signature, answered_status, ack_ms, event_count, error, warnings, log_level, log_message, status_code, "
            "url, log_file, log_line, flags) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"_s));
        QSqlQuery qe(m_db);
        QVERIFY(qe.prepare(
            u"INSERT INTO events (id, delivery_id, seq, origin, received_at, event_id, action, event_time, author, "
            "author_type, pim_source, subject_type, subject_id, subject_uuid, flags, payload_offset, payload_length, "
            "event_key, subject_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"_s));
        for (const TestDelivery &d : testDeliveries()) {
            const QList<const TestEvent *> events = eventsOf(d.id);
            QByteArray body = d.prefix;
            QList<qsizetype> offsets;
            for (qsizetype i = 0; i < events.size(); ++i) {
                if (i)
                    body += d.separator;
                offsets.append(body.size());
                body += events[i]->payload;
            }
            body += d.suffix;
            const QVariantList values = {
                d.id,
                int(d.origin),
                d.received,
                nullable(d.method),
                nullable(d.path),
                nullable(d.remote),
                d.headers.isNull() ? QVariant() : QVariant(d.headers),
                QVariant(body),
                qint64(body.size()),
                int(d.format),
                int(d.signature),
                nullable(d.answered),
                nullable(d.ack),
                qint64(events.size()),
                nullable(d.error),
                nullable(d.warnings),
                d.level ? QVariant(int(*d.level)) : QVariant(),
                d.message ? QVariant(int(*d.message)) : QVariant(),
                nullable(d.statusCode),
                nullable(d.url),
                nullable(d.logFile),
                nullable(d.logLine),
                int(d.flags.toInt()),
            };
            for (const QVariant &v : values)
                qd.addBindValue(v);
            QVERIFY2(qd.exec(), qPrintable(qd.lastError().text()));
            for (qsizetype i = 0; i < events.size(); ++i) {
                const TestEvent &e = *events[i];
                const QVariantList ev = {
                    e.id,
                    e.deliveryId,
                    int(i),
                    int(d.origin),
                    d.received,
                    nullable(e.eventId),
                    nullable(e.action),
                    nullable(e.time),
                    nullable(e.author),
                    nullable(e.authorType),
                    nullable(e.pimSource),
                    nullable(e.subjectType),
                    nullable(e.subjectId),
                    nullable(e.subjectUuid),
                    int(e.flags.toInt()),
                    qint64(offsets[i]),
                    qint64(e.payload.size()),
                    nullable(textkey::eventIdOf(e.eventId)),
                    nullable(textkey::subjectOf(e.subjectType, e.subjectId, e.subjectUuid)),
                };
                for (const QVariant &v : ev)
                    qe.addBindValue(v);
                QVERIFY2(qe.exec(), qPrintable(qe.lastError().text()));
            }
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"tst_filter"_s);
        m_db.setDatabaseName(m_dir.filePath(u"capture.pimscope"_s));
        m_db.setConnectOptions(u"QSQLITE_ENABLE_REGEXP"_s);
        QVERIFY(m_db.open());
        const auto migrated = schema::migrate(m_db);
        QVERIFY2(migrated.ok(), qPrintable(migrated.error()));
        insertData();
        checkTablesIntact();
        // The payload slices really are the events' JSON.
        QCOMPARE(select(u"SELECT COUNT(*) FROM events e JOIN deliveries d ON d.id = e.delivery_id "
                        "WHERE substr(d.body, e.payload_offset + 1, 1) = CAST('{' AS BLOB)"_s,
                        {}),
                 Ids{9});
    }

    void cleanupTestCase()
    {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(u"tst_filter"_s);
    }

    void regexpOption()
    {
        // Qt's QSQLITE driver registers regexp(pattern, subject) (QRegularExpression, case-sensitive, cached)
        // only with this connection option; "X REGEXP P" calls regexp(P, X).
        QCOMPARE(select(u"SELECT 'TSHIRT-RED-M' REGEXP '^TSHIRT-[A-Z]+-M$'"_s, {}), Ids{1});
        QCOMPARE(select(u"SELECT 'tshirt' REGEXP 'TSHIRT'"_s, {}), Ids{0});
        QCOMPARE(select(u"SELECT 'tshirt' REGEXP '(?i)TSHIRT'"_s, {}), Ids{1});
        // A NULL subject reaches the function as "": the compiler guards with IS NOT NULL.
        QCOMPARE(select(u"SELECT NULL REGEXP '^$'"_s, {}), Ids{1});

        QSqlDatabase plain = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"tst_filter_plain"_s);
        plain.setDatabaseName(u":memory:"_s);
        QVERIFY(plain.open());
        {
            QSqlQuery q(plain);
            QVERIFY(!q.exec(u"SELECT 'a' REGEXP 'a'"_s));
            QVERIFY2(q.lastError().text().contains(u"REGEXP"_s, Qt::CaseInsensitive), qPrintable(q.lastError().text()));
        }
        plain.close();
        plain = QSqlDatabase();
        QSqlDatabase::removeDatabase(u"tst_filter_plain"_s);
    }

    void parseErrors_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("position");
        QTest::addColumn<QString>("message");
        auto row = [](const char *name, const QString &text, int position, const QString &message) {
            QTest::newRow(name) << text << position << message;
        };
        row("value missing", u"action == "_s, 10, u"expected a value after '==' at 10"_s);
        row("value missing before &&", u"action == && x"_s, 10, u"expected a value after '==' at 10"_s);
        row("unknown field", u"acton == x"_s, 0, u"unknown field 'acton' at 0 (did you mean 'action'?)"_s);
        row("unknown field no guess", u"zzzzzz == x"_s, 0, u"unknown field 'zzzzzz' at 0"_s);
        row("unterminated", u"action == \"abc"_s, 10, u"unterminated string starting at 10"_s);
        row("unterminated single", u"action == 'abc"_s, 10, u"unterminated string starting at 10"_s);
        row("missing paren", u"(action == x || x"_s, 17, u"expected ')' at 17"_s);
        row("leading &&", u"&& x"_s, 0, u"unexpected '&&' at 0"_s);
        row("leading or", u"or x"_s, 0, u"unexpected 'or' at 0"_s);
        row("trailing and", u"action == x and"_s, 15, u"expected an expression after 'and' at 15"_s);
        row("trailing ||", u"x ||"_s, 4, u"expected an expression after '||' at 4"_s);
        row("bang alone", u"!"_s, 1, u"expected an expression after '!' at 1"_s);
        row("empty parens", u"()"_s, 1, u"expected an expression after '(' at 1"_s);
        row("stray paren", u"a )"_s, 2, u"unexpected ')' at 2"_s);
        row("single =", u"action = x"_s, 7, u"unexpected '=' at 7 (did you mean '=='?)"_s);
        row("single &", u"a & b"_s, 2, u"unexpected '&' at 2 (did you mean '&&'?)"_s);
        row("single |", u"a | b"_s, 2, u"unexpected '|' at 2 (did you mean '||'?)"_s);
        row("unknown level", u"level == loud"_s, 9,
            u"unknown log level 'loud' at 9 (valid: ERROR, WARNING, NOTICE, INFO)"_s);
        row("unknown signature", u"signature == bogus"_s, 13,
            u"unknown signature 'bogus' at 13 (valid: valid, invalid, expired, missing, unchecked)"_s);
        row("unknown origin in set", u"origin in {log, nope}"_s, 16, u"unknown origin 'nope' at 16"_s);
        row("unknown message", u"message != late"_s, 11, u"unknown log message 'late' at 11"_s);
        row("unknown format", u"format == json"_s, 10, u"unknown format 'json' at 10"_s);
        row("ordered on origin", u"origin < log"_s, 7, u"'<' does not apply to 'origin' at 7"_s);
        row("ordered on flags", u"flags >= duplicate"_s, 6, u"'>=' does not apply to 'flags' at 6"_s);
        row("contains on number", u"status ~ 5"_s, 7, u"'~' does not apply to 'status' at 7"_s);
        row("matches on time", u"received matches 2026"_s, 9, u"'matches' does not apply to 'received' at 9"_s);
        row("== on text", u"text == x"_s, 5, u"'==' does not apply to 'text' at 5 (use '~' or 'matches')"_s);
        row("bad number", u"status == abc"_s, 10, u"expected a whole number for 'status' at 10, found 'abc'"_s);
        row("decimal status", u"status == 5.5"_s, 10, u"expected a whole number for 'status' at 10"_s);
        row("bad duration", u"latency > fast"_s, 10, u"bad duration 'fast' at 10"_s);
        row("bad duration unit", u"latency > 5y"_s, 10, u"bad duration '5y' at 10"_s);
        row("bad time", u"received >= yesterday"_s, 12, u"bad time 'yesterday' at 12"_s);
        row("bad time month", u"time < \"2026-13-01\""_s, 7, u"bad time '2026-13-01' at 7"_s);
        row("bad regex", u"action matches \"(unclosed\""_s, 25, u"invalid regular expression at 25"_s);
        row("bad regex on enum", u"level matches \"[\""_s, 16, u"invalid regular expression at 16"_s);
        row("unknown flag atom", u"flag:nope"_s, 5, u"unknown flag 'nope' at 5 (valid: duplicate, out_of_order"_s);
        row("empty flag atom", u"x || flag:"_s, 10, u"expected a flag name after 'flag:' at 10"_s);
        row("flag atom compared", u"flag:duplicate == x"_s, 15, u"unexpected '==' after 'flag:duplicate' at 15"_s);
        row("unknown flag value", u"flags == dupe"_s, 9, u"unknown flag 'dupe' at 9"_s);
        row("in without brace", u"action in x"_s, 10, u"expected '{' after 'in' at 10"_s);
        row("empty set", u"action in {}"_s, 11, u"expected a value after '{' at 11"_s);
        row("unclosed set", u"action in {a, b"_s, 15, u"expected '}' at 15"_s);
        row("operator in set", u"action in {a, &&}"_s, 14, u"expected a value or '}' at 14, found '&&'"_s);
        row("quoted field", u"\"action\" == x"_s, 0,
            u"expected a field name before '==' at 0, found a quoted string"_s);
        row("keyword alone", u"matches x"_s, 0, u"unexpected 'matches' at 0"_s);
        row("not before ==", u"action not == x"_s, 11, u"expected an expression after 'not' at 11"_s);
        row("injected field", u"action;DROP == x"_s, 0, u"unknown field 'action;DROP' at 0"_s);
        row("control char", u"action == \u0001"_s, 10, u"control character U+0001 at 10 is not allowed"_s);
        row("NUL in string", u"action == \"a"_s + QChar(0) + u"b\"", 12,
            u"control character U+0000 at 12 is not allowed"_s);
        row("too deep", QString(101, u'(') + u"x" + QString(101, u')'), 100,
            u"parentheses nested deeper than 100 levels at 100"_s);
        row("too long", QString(10001, u'a'), 10000, u"filter longer than 10000 characters at 10000"_s);
    }

    void parseErrors()
    {
        QFETCH(QString, text);
        QFETCH(int, position);
        QFETCH(QString, message);
        const Filter f = Filter::parse(text);
        QVERIFY2(!f.isValid(), qPrintable(text));
        QVERIFY2(f.error().message.contains(message), qPrintable(f.error().message));
        QCOMPARE(f.error().position, qsizetype(position));
        QVERIFY(f.error().length >= 0);
        QVERIFY(f.error().position + f.error().length <= text.size());
        QCOMPARE(f.compile(FilterTarget::Events).where, u"0"_s);
    }

    void validExpressions_data()
    {
        QTest::addColumn<QString>("text");
        const char *const valid[] = {
            "action == \"product.updated\" && author_type == \"api\"",
            "subject ~ \"TSHIRT\" || event_id == \"6ad821d8-2468-4632-89d2-92e442c72313\"",
            "level >= warning && !(message == timeout)",
            "status >= 500 || latency > 500ms",
            "flag:duplicate || flag:out_of_order",
            "signature == invalid",
            "origin == log",
            "received >= \"2026-11-22T10:00\" && received < \"2026-11-22T11:00\"",
            "TSHIRT",
            "action in {\"product.created\", \"product.removed\"}",
            "action IN {product.created product.removed,}",
            "Action == x AND NOT author == y OR Level == ERROR",
            "action !~ product && subject not matches \"^SKU-\\d+$\" and action not in {a}",
            "latency >= 1.5s && latency < 2m && ack_ms <= 1h || latency == 1d || latency > 250",
            "received > 1795000000000 || time >= \"2026-11-22T10:00:00+01:00\" || event_time < 2026-11-22",
            "café || text ~ 'l\\'été' || \"a \\\"quoted\\\" \\\\ word\"",
            "FLAG:Duplicate && flags ~ \"\" && flags matches \"^(stale|self)$\"",
            "!!!!x",
            "((((a))))",
            "   ",
            "",
            "url ~ \"http://x/y?z=1&w\" || path == /hook/events || remote == 10.0.0.5:40000",
            "headers ~ \"x-akeneo\" || body ~ \"{\" || payload matches \"\\\\/\"",
            "status in {200 201 204} || status_code != 500 || answered_status <= 299",
            "log_file == a.log && log_line > 3 && body_size < 100 && event_count >= 1 && seq == 0",
            "message ~ limit || format matches akeneo || signature ~ valid || origin !~ log",
        };
        for (const char *text : valid)
            QTest::newRow(text) << QString::fromUtf8(text);
    }

    void validExpressions()
    {
        QFETCH(QString, text);
        const Filter f = Filter::parse(text);
        QVERIFY2(f.isValid(), qPrintable(f.error().message));
        QCOMPARE(f.error().position, qsizetype(-1));
        QCOMPARE(f.isEmpty(), text.trimmed().isEmpty());
        for (const FilterTarget target : {FilterTarget::Events, FilterTarget::Deliveries}) {
            Ids ids;
            QString error;
            QVERIFY2(matching(f, target, &ids, &error), qPrintable(error));
        }
    }

    void emptyFilter()
    {
        const Filter f = Filter::parse(u"  "_s);
        QVERIFY(f.isValid());
        QVERIFY(f.isEmpty());
        QCOMPARE(f.compile(FilterTarget::Events).where, u"1"_s);
        QVERIFY(f.compile(FilterTarget::Events).bindings.isEmpty());
        QVERIFY(Filter().isValid() && Filter().isEmpty());
        QCOMPARE(filterIdsSql(Filter().compile(FilterTarget::Events), FilterTarget::Events),
                 u"SELECT e.id FROM events e WHERE (1) ORDER BY e.id"_s);
        QCOMPARE(filterCountSql(Filter().compile(FilterTarget::Deliveries), FilterTarget::Deliveries),
                 u"SELECT COUNT(*) FROM deliveries d WHERE (1)"_s);
    }

    void joins()
    {
        auto compiled = [](const char *text, FilterTarget target) {
            return Filter::parse(QString::fromUtf8(text)).compile(target);
        };
        QVERIFY(!compiled("action == x", FilterTarget::Events).usesDeliveries);
        QVERIFY(compiled("action == x", FilterTarget::Deliveries).usesEvents);
        QVERIFY(compiled("status == 200", FilterTarget::Events).usesDeliveries);
        QVERIFY(!compiled("status == 200", FilterTarget::Deliveries).usesEvents);
        QVERIFY(!compiled("origin == log && received > 5 && id == 1", FilterTarget::Events).usesDeliveries);
        QVERIFY(!compiled("origin == log && received > 5 && id == 1", FilterTarget::Deliveries).usesEvents);
        QVERIFY(!compiled("flag:error", FilterTarget::Events).usesDeliveries);
        QVERIFY(!compiled("flag:error", FilterTarget::Deliveries).usesEvents);
        QVERIFY(compiled("TSHIRT", FilterTarget::Events).usesDeliveries);
        QVERIFY(!compiled("TSHIRT", FilterTarget::Deliveries).usesEvents);
        QVERIFY(compiled("text matches x", FilterTarget::Deliveries).usesEvents);
        QVERIFY(!compiled("origin ~ zzz", FilterTarget::Deliveries).usesEvents);
        QCOMPARE(compiled("origin ~ zzz", FilterTarget::Events).where, u"0"_s);
        QCOMPARE(compiled("origin !~ zzz", FilterTarget::Events).where, u"1"_s);
        QCOMPARE(compiled("!(x || origin ~ zzz) && origin !~ zzz", FilterTarget::Events).where,
                 compiled("!x", FilterTarget::Events).where);

        const CompiledFilter e = compiled("status == 200", FilterTarget::Events);
        QCOMPARE(filterIdsSql(e, FilterTarget::Events),
                 u"SELECT e.id FROM events e JOIN deliveries d ON d.id = e.delivery_id WHERE ("_s + e.where
                     + u") ORDER BY e.id"_s);
        // A delivery without events can only match when the filter can hold with the event columns NULL.
        const CompiledFilter d = compiled("action != x", FilterTarget::Deliveries);
        QVERIFY(!d.needsEvent);
        QCOMPARE(filterIdsSql(d, FilterTarget::Deliveries),
                 u"SELECT DISTINCT d.id FROM deliveries d LEFT JOIN events e ON e.delivery_id = d.id WHERE ("_s
                     + d.where + u") ORDER BY d.id"_s);
        QCOMPARE(filterCountSql(d, FilterTarget::Deliveries),
                 u"SELECT COUNT(DISTINCT d.id) FROM deliveries d LEFT JOIN events e ON e.delivery_id = d.id WHERE ("_s
                     + d.where + u')');
        QCOMPARE(d.bindings, QVariantList{u"x"_s});
        const CompiledFilter inner = compiled("subject == x", FilterTarget::Deliveries);
        QVERIFY(inner.needsEvent);
        QCOMPARE(filterIdsSql(inner, FilterTarget::Deliveries),
                 u"SELECT DISTINCT d.id FROM deliveries d JOIN events e ON e.delivery_id = d.id WHERE ("_s + inner.where
                     + u") ORDER BY d.id"_s);
        QVERIFY(compiled("action == x && status == 200", FilterTarget::Deliveries).needsEvent);
        QVERIFY(compiled("payload ~ x || flag:duplicate && action in {a}", FilterTarget::Deliveries).needsEvent);
        QVERIFY(!compiled("action == x || status == 200", FilterTarget::Deliveries).needsEvent);
        QVERIFY(!compiled("text matches x", FilterTarget::Deliveries).needsEvent);
        QVERIFY(!compiled("!(action ~ x)", FilterTarget::Deliveries).needsEvent);
        QVERIFY(!compiled("action == x", FilterTarget::Events).needsEvent);
    }

    void likeEscaping()
    {
        QCOMPARE(filter::SqlCompiler::containsPattern(u"100%_a\\b"_s), u"%100\\%\\_a\\\\b%"_s);
        const CompiledFilter c = Filter::parse(u"payload ~ \"http://x\""_s).compile(FilterTarget::Events);
        QCOMPARE(c.bindings, (QVariantList{u"%http://x%"_s, u"%http:\\\\/\\\\/x%"_s}));
        const CompiledFilter plain = Filter::parse(u"action ~ \"a/b\""_s).compile(FilterTarget::Events);
        QCOMPARE(plain.bindings, QVariantList{u"%a/b%"_s});
    }

    void endToEnd_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<Ids>("events");
        QTest::addColumn<Ids>("deliveries");
        auto row = [](const char *text, const Ids &events, const Ids &deliveries) {
            QTest::newRow(text) << QString::fromUtf8(text) << events << deliveries;
        };
        row("", allEventIds(), allDeliveryIds());
        row("action == \"product.updated\" && author_type == \"api\"", {2, 5, 9}, {1, 4, 10});
        row("action == product.created", {1, 6}, {1, 5});
        row("action != product.updated", {1, 3, 4, 6, 7, 8}, {1, 2, 3, 5, 6, 7, 8, 9});
        row("!(action == product.updated)", {1, 3, 4, 6, 7, 8}, {1, 2, 3, 5, 6, 7, 8, 9});
        row("subject ~ \"TSHIRT\"", {1, 2, 3, 4, 9}, {1, 2, 3, 10});
        row("subject == \"a1b2c3d4-0000-0000-0000-000000000001\"", {1, 3}, {1, 2});
        row("subject != TSHIRT-RED-M", {2, 4, 5, 6, 7, 8}, {1, 3, 4, 5, 6, 7, 8, 9});
        row("event_id == \"6ad821d8-2468-4632-89d2-92e442c72313\"", {1, 3}, {1, 2});
        row("level >= warning", {4, 5}, {3, 4});
        row("level >= warning && !(message == timeout)", {5}, {4});
        row("!(message == timeout)", {1, 2, 3, 5, 6, 7, 8, 9}, {1, 2, 4, 5, 6, 7, 8, 9, 10});
        row("level == ERROR", {4}, {3});
        row("level < notice", {6}, {5});
        row("message in {timeout, rate_limit}", {4, 5}, {3, 4});
        row("message ~ limit", {5}, {4});
        row("level matches \"^(warn|err)\"", {4, 5}, {3, 4});
        row("status >= 500 || latency > 500ms", {3, 7}, {2, 6});
        row("status == 200", {1, 2, 6, 8}, {1, 5, 7, 8});
        row("status_code == 429 or level == error", {4, 5}, {3, 4});
        row("answered_status == 400", {}, {9});
        row("latency < 50", {8}, {7, 8});
        row("latency >= 2s", {7}, {6});
        row("flag:duplicate || flag:out_of_order", {3, 4}, {2, 3});
        row("flags ~ dup", {3}, {2});
        row("flags == slow_ack", {3, 7}, {2, 6});
        row("!flag:error", {1, 2, 5, 6, 8, 9}, {1, 4, 5, 7, 8, 10});
        row("flags in {stale, self}", {6, 9}, {5, 10});
        row("signature == invalid", {3}, {2});
        row("signature in {valid, expired}", {1, 2, 7, 8}, {1, 6, 8});
        row("origin == log", {4, 5, 6, 9}, {3, 4, 5, 10});
        row("origin != receiver", {4, 5, 6, 7, 9}, {3, 4, 5, 6, 10});
        row("format == akeneo-test || format == unknown", {}, {7, 9});
        row("format ~ akeneo", {1, 2, 3, 4, 5, 6, 8, 9}, {1, 2, 3, 4, 5, 7, 8, 10});
        row("origin ~ zzz", {}, {});
        row("origin !~ zzz", allEventIds(), allDeliveryIds());
        row("received >= \"2026-11-22T10:00\" && received < \"2026-11-22T11:00\"", {1, 2, 3}, {1, 2, 7});
        row("received >= 2026-11-22T12:00 && origin == receiver", {8}, {8, 9});
        row("event_time < \"2026-11-22T09:00\"", {5, 6}, {4, 5});
        row("time == 2026-11-22T10:04:58Z", {1}, {1});
        row("TSHIRT", {1, 2, 3, 4, 9}, {1, 2, 3, 10});
        row("TSHIRT RED", {1, 3, 9}, {1, 2, 10});
        row("'TSHIRT' and \"RED-M\"", {1, 3, 9}, {1, 2, 10});
        row("hook", {}, {1, 2, 3, 4, 5, 6, 7, 8});
        row("action in {\"product.created\", \"product.removed\"}", {1, 3, 6}, {1, 2, 5});
        row("action not in {product.created, product.removed}", {2, 4, 5, 7, 8, 9}, {1, 3, 4, 6, 7, 8, 9, 10});
        row("action == product.created && action == product.updated", {}, {});
        row("action == product.created || action == product.updated", {1, 2, 5, 6, 9}, {1, 4, 5, 10});
        row("subject ~ TSHIRT && status >= 500", {3}, {2});
        row("pim_source == \"https://demo.akeneo.com\"", {1, 2, 3, 5, 6}, {1, 2, 4, 5});
        row("payload ~ \"https://demo.akeneo.com\"", {1, 2, 3, 5, 6}, {1, 2, 4, 5});
        row("body ~ \"http://quable.example.com/api\"", {7}, {6});
        row("text ~ \"http://quable.example.com\"", {7}, {6});
        row("text ~ \"\\\\\"", {1, 2, 3, 5, 6, 7, 8}, {1, 2, 4, 5, 6, 8, 9});
        row("\"100%\"", {7}, {6, 9});
        row("subject ~ \"%\"", {7}, {6});
        row("subject ~ \"_\"", {7}, {6});
        row("text ~ \"_under_\"", {}, {9});
        row("method == PUT", {}, {9});
        row("method == POST && path ~ hook", {1, 2, 3, 7, 8}, {1, 2, 6, 7, 8});
        row("headers ~ \"x-akeneo-request-signature\"", {1, 2, 3}, {1, 2});
        row("headers ~ \"it's \\\"quoted\\\"\"", {}, {9});
        row("error ~ 503", {7}, {6});
        row("error == \"parse error: not JSON\"", {}, {9});
        row("warnings ~ foo", {8}, {8});
        row("url matches \"^https://connector\"", {4, 5, 6}, {3, 4, 5});
        row("action matches \"^product\\.(created|removed)$\"", {1, 3, 6}, {1, 2, 5});
        row("author matches \"^$\"", {}, {});
        row("!(author matches \"^j\")", {2, 4, 5, 7, 8, 9}, {1, 3, 4, 6, 7, 8, 9, 10});
        row("author_type == system", {4}, {3});
        row("subject_type == product_model", {4}, {3});
        row("remote ~ \"10.0.0.5\"", {1, 2, 3}, {1, 2});
        row("not (origin == log) and not flag:bad_signature", {1, 2, 7}, {1, 6, 9});
        row("event_count == 0", {}, {7, 9});
        row("delivery_id == 1", {1, 2}, {1});
        row("id in {3, 7}", {3, 7}, {3, 7});
        row("seq == 1", {2}, {1});
        row("log_line > 40", {4, 9}, {3, 10});
        row("log_file == akeneo_events.log && !(log_line in {7, 8})", {4, 9}, {3, 10});
    }

    void endToEnd()
    {
        QFETCH(QString, text);
        QFETCH(Ids, events);
        QFETCH(Ids, deliveries);
        const Filter f = Filter::parse(text);
        QVERIFY2(f.isValid(), qPrintable(f.error().message));
        Ids ids;
        QString error;
        QVERIFY2(matching(f, FilterTarget::Events, &ids, &error), qPrintable(error));
        QCOMPARE(ids, events);
        QVERIFY2(matching(f, FilterTarget::Deliveries, &ids, &error), qPrintable(error));
        QCOMPARE(ids, deliveries);
    }

    void injection()
    {
        const QStringList hostile = {
            u"x' OR 1=1 --"_s,
            u"\"); DROP TABLE events; --"_s,
            u"'; DELETE FROM deliveries; --"_s,
            u"' OR ''='"_s,
            u"1; SELECT 1"_s,
            u"%"_s,
            u"_"_s,
            u"\\"_s,
            u"%_\\"_s,
            u"\\' OR 1=1"_s,
            u"it's"_s,
            u"\"quoted\""_s,
            u"100%"_s,
            u"DOC-100%_A"_s,
            u"TSHIRT-RED-M"_s,
            u"ünïcødé ✓ 🙂"_s,
            u"`x`[y]?1:name@p$1"_s,
            u"NULL"_s,
            u"*/ /*"_s,
            u"a\\"_s,
            u"/hook"_s,
            u""_s,
        };
        using Getter = std::function<QString(const TestDelivery &, const TestEvent *)>;
        struct TextField
        {
            const char *name;
            Getter get;
            Getter second; // subject: subject_uuid
        };
        auto ev = [](QString TestEvent::*m) {
            return Getter([m](const TestDelivery &, const TestEvent *e) { return e ? e->*m : QString(); });
        };
        auto dl = [](QString TestDelivery::*m) {
            return Getter([m](const TestDelivery &d, const TestEvent *) { return d.*m; });
        };
        const QList<TextField> fields = {
            {"action", ev(&TestEvent::action), {}},
            {"event_id", ev(&TestEvent::eventId), {}},
            {"author", ev(&TestEvent::author), {}},
            {"author_type", ev(&TestEvent::authorType), {}},
            {"pim_source", ev(&TestEvent::pimSource), {}},
            {"subject_type", ev(&TestEvent::subjectType), {}},
            {"subject_id", ev(&TestEvent::subjectId), {}},
            {"subject_uuid", ev(&TestEvent::subjectUuid), {}},
            {"subject", ev(&TestEvent::subjectId), ev(&TestEvent::subjectUuid)},
            {"method", dl(&TestDelivery::method), {}},
            {"path", dl(&TestDelivery::path), {}},
            {"remote", dl(&TestDelivery::remote), {}},
            {"error", dl(&TestDelivery::error), {}},
            {"warnings", dl(&TestDelivery::warnings), {}},
            {"url", dl(&TestDelivery::url), {}},
            {"log_file", dl(&TestDelivery::logFile), {}},
        };
        const char *const ops[] = {"==", "!=", "~", "!~"};

        for (const TextField &field : fields) {
            for (const char *opName : ops) {
                const QLatin1StringView op(opName);
                for (const QString &value : hostile) {
                    const QString text = QLatin1StringView(field.name) + u' ' + op + u' ' + quoted(value);
                    const Filter f = Filter::parse(text);
                    QVERIFY2(f.isValid(), qPrintable(text + u": "_s + f.error().message));

                    auto holds = [&](const TestDelivery &d, const TestEvent *e) {
                        auto one = [&](const Getter &g) {
                            const QString v = g(d, e);
                            if (v.isNull())
                                return false;
                            if (op.startsWith(u'=') || op == u"!=")
                                return v == value;
                            return asciiLower(v).contains(asciiLower(value));
                        };
                        const bool positive = one(field.get) || (field.second && one(field.second));
                        return op.startsWith(u'!') ? !positive : positive;
                    };
                    Ids expectedEvents;
                    for (const TestEvent &e : testEvents()) {
                        if (holds(deliveryOf(e), &e))
                            expectedEvents.append(e.id);
                    }
                    Ids expectedDeliveries;
                    for (const TestDelivery &d : testDeliveries()) {
                        const QList<const TestEvent *> events = eventsOf(d.id);
                        bool any = events.isEmpty() && holds(d, nullptr);
                        for (const TestEvent *e : events)
                            any = any || holds(d, e);
                        if (any)
                            expectedDeliveries.append(d.id);
                    }

                    Ids ids;
                    QString error;
                    QVERIFY2(matching(f, FilterTarget::Events, &ids, &error), qPrintable(text + u": "_s + error));
                    QVERIFY2(ids == expectedEvents, qPrintable(text));
                    QVERIFY2(matching(f, FilterTarget::Deliveries, &ids, &error), qPrintable(text + u": "_s + error));
                    QVERIFY2(ids == expectedDeliveries, qPrintable(text));
                }
            }
        }
        checkTablesIntact();
    }

    void injectionEverywhere()
    {
        // Every field, every operator, hostile values in every value position (alone, in sets, as bare words):
        // either a positioned error or SQL of the fixed vocabulary that runs.
        const QStringList values = {
            u"\"x' OR 1=1 --\""_s,
            u"\"); DROP TABLE events; --\""_s,
            u"'\\' OR 1=1 --'"_s,
            u"x';DROP"_s,
            u"%"_s,
            u"\"_\""_s,
            u"\"\\\\\""_s,
            u"500ms"_s,
            u"2026-11-22T10:00"_s,
            u"ERROR"_s,
            u"duplicate"_s,
            u"\"(?i)x\""_s,
            u"\"ü🙂\""_s,
            u"-1"_s,
            u"9223372036854775807"_s,
            u"99999999999999999999"_s,
        };
        const QStringList ops = {u"=="_s, u"!="_s, u"~"_s, u"!~"_s, u"matches"_s, u"not matches"_s,
                                 u"<"_s,  u"<="_s, u">"_s, u">="_s, u"in"_s,      u"not in"_s};
        QStringList fields = Filter::fieldNames();
        fields << u"action;DROP"_s << u"e.action"_s << u"1=1"_s;
        int valid = 0;
        for (const QString &field : std::as_const(fields)) {
            for (const QString &op : ops) {
                for (const QString &value : values) {
                    const bool set = op.endsWith(u"in"_s);
                    const QString text
                        = field + u' ' + op + u' ' + (set ? QString(u'{' + value + u", " + value + u'}') : value);
                    const Filter f = Filter::parse(text);
                    if (!f.isValid()) {
                        QVERIFY2(f.error().position >= 0 && f.error().position <= text.size(), qPrintable(text));
                        QVERIFY(!f.error().message.isEmpty());
                        continue;
                    }
                    ++valid;
                    for (const FilterTarget target : {FilterTarget::Events, FilterTarget::Deliveries}) {
                        Ids ids;
                        QString error;
                        QVERIFY2(matching(f, target, &ids, &error), qPrintable(text + u": "_s + error));
                    }
                }
            }
        }
        QVERIFY(valid > 500);
        for (const QString &value : values) {
            const Filter f = Filter::parse(value);
            if (!f.isValid())
                continue;
            Ids ids;
            QString error;
            QVERIFY2(matching(f, FilterTarget::Deliveries, &ids, &error), qPrintable(value + u": "_s + error));
        }
        checkTablesIntact();
    }

    void fuzz()
    {
        QRandomGenerator rng(20261122);
        const QString alphabet = u"abcxyz019_-.:/@+ ()(){}{},!=~<>&|\"'\\ %*ü🙂\t"_s;
        const QStringList words = {
            u"action"_s,   u"subject"_s, u"level"_s,  u"flags"_s,      u"flag:error"_s, u"status"_s, u"latency"_s,
            u"received"_s, u"text"_s,    u"origin"_s, u"=="_s,         u"!="_s,         u"~"_s,      u"matches"_s,
            u"in"_s,       u"not"_s,     u"and"_s,    u"or"_s,         u"&&"_s,         u"||"_s,     u"!"_s,
            u"("_s,        u")"_s,       u"{"_s,      u"}"_s,          u","_s,          u"<"_s,      u">="_s,
            u"\"x\""_s,    u"'y'"_s,     u"500ms"_s,  u"2026-11-22"_s, u"warning"_s,    u"log"_s,    u"duplicate"_s,
            u"TSHIRT"_s,   u"\"(\""_s,   u"\""_s,     u"5"_s,
        };
        int executed = 0;
        for (int i = 0; i < 20000; ++i) {
            QString text;
            const int n = int(rng.bounded(1, 24));
            for (int k = 0; k < n; ++k) {
                if (i % 2)
                    text += alphabet.at(rng.bounded(int(alphabet.size())));
                else
                    text += words.at(rng.bounded(int(words.size()))) + u' ';
            }
            const Filter f = Filter::parse(text);
            if (!f.isValid()) {
                QVERIFY2(f.error().position >= 0 && f.error().position <= text.size(), qPrintable(text));
                QVERIFY2(f.error().message.contains(QString::number(f.error().position)), qPrintable(text));
                continue;
            }
            if (executed++ > 3000)
                continue;
            for (const FilterTarget target : {FilterTarget::Events, FilterTarget::Deliveries}) {
                Ids ids;
                QString error;
                QVERIFY2(matching(f, target, &ids, &error), qPrintable(text + u": "_s + error));
            }
        }
        QVERIFY(executed > 100);
        checkTablesIntact();
    }

    void deepInput()
    {
        for (const int depth : {100, 101, 5000, 10000}) {
            const QString text = QString(depth, u'(') + u"x" + QString(depth, u')');
            const Filter f = Filter::parse(text);
            QCOMPARE(f.isValid(), depth <= 100);
            const QString unbalanced = QString(depth, u'(');
            QVERIFY(!Filter::parse(unbalanced).isValid());
        }
        QVERIFY(!Filter::parse(QString(10000, u'(') + u"x" + QString(10000, u')')).isValid());
        QVERIFY(!Filter::parse(u"!("_s.repeated(3000) + u"x" + QString(3000, u')')).isValid());

        // Negations are iterative, long chains are split for SQLite: both stay valid and run.
        QStringList bigOnes = {
            QString(9999, u'!') + u"x",
            u"TSHIRT && "_s.repeated(900) + u"x",
            u"a/b || "_s.repeated(1400) + u"x",
            u"!(text matches \"a/b\") "_s.repeated(400),
        };
        for (const QString &text : std::as_const(bigOnes)) {
            const Filter f = Filter::parse(text);
            QVERIFY2(f.isValid(), qPrintable(f.error().message));
            for (const FilterTarget target : {FilterTarget::Events, FilterTarget::Deliveries}) {
                Ids ids;
                QString error;
                QVERIFY2(matching(f, target, &ids, &error), qPrintable(error.left(300)));
            }
        }
    }

    void nestingLimit()
    {
        // Alternating && and || with the heaviest comparison at the bottom: the deepest the parser accepts must
        // run in SQLite, one level more is refused with a position.
        // A wide variant (31 siblings per level) reaches SQLite's expression height limit first.
        const QString heavy = u"!(text matches \"a/b\")"_s;
        for (const int variant : {0, 1, 2}) {
            QString text = heavy;
            int accepted = 0;
            for (int level = 1; level < 200; ++level) {
                const QString op = level % 2 ? u" && "_s : u" || "_s;
                const QString sibling = variant == 0 ? u"x"_s
                    : variant == 1                   ? heavy
                                                     : QString(u"x"_s + op).repeated(30) + u"x";
                const QString next = level % 3 ? QString(u'(' + text + u')' + op + sibling)
                                               : QString(sibling + op + u'(' + text + u')');
                const Filter f = Filter::parse(next);
                if (!f.isValid()) {
                    QVERIFY2(f.error().message.contains(u"too deeply nested"_s)
                                 || f.error().message.contains(u"nested deeper"_s),
                             qPrintable(f.error().message));
                    QVERIFY(f.error().position >= 0 && f.error().position < next.size());
                    break;
                }
                text = next;
                accepted = level;
            }
            QVERIFY2(accepted >= (variant == 2 ? 25 : 50), qPrintable(QString::number(accepted)));
            const Filter f = Filter::parse(text);
            QVERIFY(f.isValid());
            for (const FilterTarget target : {FilterTarget::Events, FilterTarget::Deliveries}) {
                Ids ids;
                QString error;
                QVERIFY2(matching(f, target, &ids, &error), qPrintable(error.left(300)));
            }
        }
    }

    void booleanAlgebra()
    {
        // Random trees over comparisons: the SQL of the whole must equal the set algebra of its parts, on events
        // and on (delivery, event) pairs, in two-valued logic (a negation holds wherever its operand does not).
        const QStringList atoms = {
            u"action == product.updated"_s,
            u"subject ~ TSHIRT"_s,
            u"level >= warning"_s,
            u"flag:error"_s,
            u"status >= 500"_s,
            u"origin == receiver"_s,
            u"author matches \"^j\""_s,
            u"latency > 100ms"_s,
            u"\"\\\\/\""_s,
            u"event_time < 2026-11-22T10:30"_s,
            u"message in {timeout, request_sent}"_s,
            u"author_type != api"_s,
            u"hook"_s,
            u"subject != TSHIRT-RED-M"_s,
            u"url ~ connector"_s,
        };
        QHash<QString, QSet<qint64>> eventSets;
        QHash<QString, QSet<qint64>> pairSets;
        const Ids eventIds = allEventIds();
        const QSet<qint64> allEvents(eventIds.cbegin(), eventIds.cend());
        QSet<qint64> allPairs;
        for (const TestDelivery &d : testDeliveries()) {
            const auto events = eventsOf(d.id);
            if (events.isEmpty())
                allPairs.insert(d.id * 1000);
            for (const TestEvent *e : events)
                allPairs.insert(d.id * 1000 + e->id);
        }
        for (const QString &atom : atoms) {
            const Filter f = Filter::parse(atom);
            QVERIFY2(f.isValid(), qPrintable(atom));
            Ids ids;
            QString error;
            QVERIFY2(matching(f, FilterTarget::Events, &ids, &error), qPrintable(error));
            eventSets.insert(atom, QSet<qint64>(ids.cbegin(), ids.cend()));
            pairSets.insert(atom, pairs(f, &error));
            QVERIFY2(error.isEmpty(), qPrintable(error));
        }

        QRandomGenerator rng(42);
        struct Built
        {
            QString text;
            QSet<qint64> events;
            QSet<qint64> pairs;
        };
        std::function<Built(int)> build = [&](int depth) -> Built {
            const quint32 pick = rng.bounded(depth > 4 ? 1u : 4u);
            if (pick == 0) {
                const QString &atom = atoms.at(rng.bounded(int(atoms.size())));
                return {atom, eventSets.value(atom), pairSets.value(atom)};
            }
            if (pick == 1) {
                Built inner = build(depth + 1);
                const QString bang = rng.bounded(2) ? u"!"_s : u"not "_s;
                return {bang + u'(' + inner.text + u')', allEvents - inner.events, allPairs - inner.pairs};
            }
            const bool isAnd = pick == 2;
            Built out = build(depth + 1);
            out.text = u'(' + out.text;
            const int more = int(rng.bounded(1, 4));
            for (int i = 0; i < more; ++i) {
                Built next = build(depth + 1);
                const QString op = isAnd ? (rng.bounded(3) == 0 ? u" "_s : u" && "_s) : u" or "_s;
                out.text += op + u'(' + next.text + u')';
                if (isAnd) {
                    out.events &= next.events;
                    out.pairs &= next.pairs;
                } else {
                    out.events |= next.events;
                    out.pairs |= next.pairs;
                }
            }
            out.text += u')';
            return out;
        };
        for (int i = 0; i < 400; ++i) {
            const Built b = build(0);
            const Filter f = Filter::parse(b.text);
            QVERIFY2(f.isValid(), qPrintable(b.text + u": "_s + f.error().message));
            Ids ids;
            QString error;
            QVERIFY2(matching(f, FilterTarget::Events, &ids, &error), qPrintable(error));
            Ids expected(b.events.cbegin(), b.events.cend());
            std::sort(expected.begin(), expected.end());
            QVERIFY2(ids == expected, qPrintable(b.text));

            QVERIFY2(matching(f, FilterTarget::Deliveries, &ids, &error), qPrintable(error));
            QSet<qint64> deliveries;
            for (const qint64 p : b.pairs)
                deliveries.insert(p / 1000);
            expected = Ids(deliveries.cbegin(), deliveries.cend());
            std::sort(expected.begin(), expected.end());
            QVERIFY2(ids == expected, qPrintable(b.text));
        }
    }

    void fieldNames()
    {
        const QStringList names = Filter::fieldNames();
        for (const char *name : {"action", "subject", "level", "message", "status", "latency", "received", "text",
                                 "payload", "headers", "event_datetime", "time", "event_time", "flags"}) {
            QVERIFY2(names.contains(QLatin1StringView(name)), name);
        }
        QVERIFY(std::is_sorted(names.cbegin(), names.cend()));
        for (const QString &name : names) {
            const QString text = name + u" != \"\"";
            const Filter f = Filter::parse(text);
            // Every field parses with some operator; text only with ~.
            QVERIFY2(f.isValid() || Filter::parse(name + u" ~ x").isValid() || Filter::parse(name + u" != 0").isValid()
                         || Filter::parse(name + u" != 2026-01-01").isValid(),
                     qPrintable(name));
        }
    }
};

QTEST_GUILESS_MAIN(TestFilter)
#include "tst_filter.moc"
