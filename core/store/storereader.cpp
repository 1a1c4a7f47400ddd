#include "storereader.h"

#include "headercodec.h"

#include "filter/filter.h"
#include "filter/reconciliation.h"
#include "filter/sqlcompiler.h"
#include "util/textkey.h"

#include <QHash>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QVariant>

#include <algorithm>
#include <bit>
#include <cmath>
#include <deque>

namespace pimscope {

namespace {

template<typename T>
std::optional<T> optionalInt(const QVariant &v)
{
    return v.isNull() ? std::nullopt : std::optional<T>(T(v.toLongLong()));
}

template<typename E>
std::optional<E> optionalEnum(const QVariant &v)
{
    return v.isNull() ? std::nullopt : std::optional<E>(E(v.toInt()));
}

std::optional<double> optionalReal(const QVariant &v)
{
    return v.isNull() ? std::nullopt : std::optional<double>(v.toDouble());
}

QString nullableText(const QVariant &v)
{
    return v.isNull() ? QString() : v.toString();
}

QString placeholders(qsizetype n)
{
    QString s;
    s.reserve(n * 2);
    for (qsizetype i = 0; i < n; ++i)
        s += i ? QLatin1StringView(",?") : QLatin1StringView("?");
    return s;
}

// SQLite allows 32766 bound parameters; pages stay well below.
constexpr qsizetype pageSize = 2000;

template<typename Row>
QList<Row> inOrderOf(const QList<qint64> &ids, QHash<qint64, Row> &byId)
{
    QList<Row> rows;
    rows.reserve(ids.size());
    for (qint64 id : ids) {
        auto it = byId.find(id);
        if (it != byId.end())
            rows.append(std::move(*it));
    }
    return rows;
}

template<typename T>
Result<T> failure(const QSqlQuery &q, const char *what)
{
    return Result<T>::failure(QStringLiteral("cannot read %1: %2").arg(QLatin1StringView(what), q.lastError().text()));
}

const char eventColumns[]
    = "SELECT e.id, e.delivery_id, e.seq, e.origin, e.received_at, e.event_id, e.action, e.event_time, e.author, "
      "e.author_type, e.pim_source, e.subject_type, e.subject_id, e.subject_uuid, e.flags, d.format, d.signature, "
      "d.log_level, d.log_message, d.status_code, d.answered_status, d.ack_ms, "
      "substr(d.body, e.payload_offset + 1, e.payload_length), e.payload_offset, e.payload_length, e.attempt, "
      "e.retry_of, f.state, f.status, f.end_ms, f.verdict "
      "FROM events e JOIN deliveries d ON d.id = e.delivery_id LEFT JOIN forwards f ON f.delivery_id = d.id ";

/** The connector's columns (state, status, end_ms, verdict) from `first`: none when the delivery was not forwarded. */
std::optional<ConnectorSummary> connectorFromRow(const QSqlQuery &q, int first)
{
    if (q.value(first).isNull())
        return std::nullopt;
    ConnectorSummary c;
    c.state = ForwardState(q.value(first).toInt());
    c.status = optionalInt<int>(q.value(first + 1));
    c.ms = optionalReal(q.value(first + 2));
    c.verdict = optionalEnum<ConnectorVerdict>(q.value(first + 3));
    return c;
}

EventRecord eventFromRow(const QSqlQuery &q)
{
    EventRecord r;
    Event &e = r.event;
    e.id = q.value(0).toLongLong();
    e.deliveryId = q.value(1).toLongLong();
    e.seq = q.value(2).toInt();
    r.origin = Origin(q.value(3).toInt());
    r.receivedAtMs = q.value(4).toLongLong();
    e.eventId = nullableText(q.value(5));
    e.action = nullableText(q.value(6));
    e.eventTimeMs = optionalInt<qint64>(q.value(7));
    e.author = nullableText(q.value(8));
    e.authorType = nullableText(q.value(9));
    e.pimSource = nullableText(q.value(10));
    e.subjectType = nullableText(q.value(11));
    e.subjectId = nullableText(q.value(12));
    e.subjectUuid = nullableText(q.value(13));
    e.flags = Flags::fromInt(q.value(14).toInt());
    r.format = Format(q.value(15).toInt());
    r.signature = Signature(q.value(16).toInt());
    r.logLevel = optionalEnum<LogLevel>(q.value(17));
    r.logMessage = optionalEnum<LogMessage>(q.value(18));
    r.statusCode = optionalInt<int>(q.value(19));
    r.answeredStatus = optionalInt<int>(q.value(20));
    r.ackMs = optionalReal(q.value(21));
    r.payload = q.value(22).toByteArray();
    e.payloadOffset = q.value(23).toLongLong();
    e.payloadLength = q.value(24).toLongLong();
    e.attempt = q.value(25).toInt();
    e.retryOf = q.value(26).toLongLong(); // NULL: 0
    r.connector = connectorFromRow(q, 27);
    return r;
}

} // namespace

Result<std::unique_ptr<StoreReader>> StoreReader::open(const QString &path)
{
    auto c = Connection::open(path, Connection::Mode::ReadOnly);
    if (!c)
        return Result<std::unique_ptr<StoreReader>>::failure(c.error());
    std::unique_ptr<StoreReader> reader(new StoreReader);
    reader->m_connection = std::move(c.value());
    return {std::move(reader)};
}

StoreReader::~StoreReader() = default;

namespace {

Result<QList<qint64>> readIds(QSqlDatabase &db, const CompiledFilter &compiled, FilterTarget target,
                              const QString &orderBy = {}, bool descending = false)
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(filterIdsSql(compiled, target, orderBy, descending));
    for (const QVariant &v : compiled.bindings)
        q.addBindValue(v);
    if (!q.exec())
        return failure<QList<qint64>>(q, "the matching ids");
    QList<qint64> ids;
    while (q.next())
        ids.append(q.value(0).toLongLong());
    return ids;
}

} // namespace

Result<QList<qint64>> StoreReader::matchingIds(const Filter &filter, FilterTarget target, qint64 afterId, qint64 upToId)
{
    CompiledFilter compiled = filter.compile(target);
    const QString id = target == FilterTarget::Events ? QStringLiteral("e.id") : QStringLiteral("d.id");
    // A rowid range makes the query as cheap as the part of the capture it covers.
    if (afterId > 0) {
        compiled.where = u'(' + compiled.where + QStringLiteral(") AND ") + id + QStringLiteral(" > ?");
        compiled.bindings.append(afterId);
    }
    if (upToId > 0) {
        compiled.where = u'(' + compiled.where + QStringLiteral(") AND ") + id + QStringLiteral(" <= ?");
        compiled.bindings.append(upToId);
    }
    return readIds(db(), compiled, target);
}

Result<QList<qint64>> StoreReader::matchingAmong(const Filter &filter, FilterTarget target, const QList<qint64> &ids)
{
    QList<qint64> found;
    const QString id = target == FilterTarget::Events ? QStringLiteral("e.id") : QStringLiteral("d.id");
    for (qsizetype from = 0; from < ids.size(); from += pageSize) {
        const qsizetype n = std::min(pageSize, ids.size() - from);
        CompiledFilter compiled = filter.compile(target);
        compiled.where
            = u'(' + compiled.where + QStringLiteral(") AND ") + id + QStringLiteral(" IN (") + placeholders(n) + u')';
        for (qsizetype i = 0; i < n; ++i)
            compiled.bindings.append(ids[from + i]);
        auto part = readIds(db(), compiled, target);
        if (!part)
            return part;
        found += part.value();
    }
    return found;
}

Result<QList<FollowedServer>> StoreReader::followedServers()
{
    QSqlQuery q(db());
    if (!q.exec(QStringLiteral("SELECT s.store_id, s.url, s.last_rev, (SELECT count(*) FROM followed f WHERE f.server "
                               "= s.id) FROM followed_servers s ORDER BY s.id")))
        return failure<QList<FollowedServer>>(q, "the followed servers");
    QList<FollowedServer> servers;
    while (q.next())
        servers.append(FollowedServer{q.value(0).toString(), q.value(1).toString(), q.value(2).toLongLong(),
                                      q.value(3).toLongLong()});
    return servers;
}

Result<QString> StoreReader::selfAuthor()
{
    QSqlQuery q(db());
    if (!q.exec(QStringLiteral("SELECT value FROM settings WHERE key = 'self_author'")))
        return failure<QString>(q, "the own author");
    return q.next() ? q.value(0).toString() : QString();
}

Result<std::optional<EditSource>> StoreReader::editSource(qint64 deliveryId)
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral(
        "SELECT source_event, source_delivery, template, faults, hand_edited FROM edits WHERE delivery_id = ?"));
    q.addBindValue(deliveryId);
    if (!q.exec())
        return failure<std::optional<EditSource>>(q, "what a request was made from");
    if (!q.next())
        return {std::optional<EditSource>()};
    EditSource e;
    e.eventId = q.value(0).toLongLong();
    e.deliveryId = q.value(1).toLongLong();
    e.templateKey = nullableText(q.value(2));
    const QString faults = q.value(3).toString();
    if (!faults.isEmpty())
        e.faults = faults.split(u',');
    e.handEdited = q.value(4).toInt() != 0;
    return {std::optional<EditSource>(e)};
}

Result<ComposeSuggestions> StoreReader::composeSuggestions(int limit)
{
    ComposeSuggestions out;
    QSqlQuery q(db());
    q.setForwardOnly(true);
    // The latest events only: a bounded read however large the capture.
    const QString latest = QStringLiteral("(SELECT id, subject_type, subject_id, subject_uuid, author FROM events "
                                          "ORDER BY id DESC LIMIT 20000)");
    const std::pair<QString, QStringList *> columns[] = {
        {QStringLiteral("subject_id FROM %1 WHERE subject_type = 'product' AND subject_id IS NOT NULL "
                        "GROUP BY subject_id"),
         &out.identifiers},
        {QStringLiteral("subject_id FROM %1 WHERE subject_type NOT IN ('product', 'subscription') "
                        "AND subject_id IS NOT NULL GROUP BY subject_id"),
         &out.codes},
        {QStringLiteral("subject_uuid FROM %1 WHERE subject_uuid IS NOT NULL GROUP BY subject_uuid"), &out.uuids},
        {QStringLiteral("author FROM %1 WHERE author IS NOT NULL GROUP BY author"), &out.authors},
    };
    for (const auto &[select, list] : columns) {
        if (!q.exec(QStringLiteral("SELECT ") + select.arg(latest)
                    + QStringLiteral(" ORDER BY max(id) DESC LIMIT %1").arg(limit)))
            return failure<ComposeSuggestions>(q, "the capture's subjects and authors");
        while (q.next())
            list->append(q.value(0).toString());
    }
    return out;
}

Result<qint64> StoreReader::lastId(FilterTarget target)
{
    QSqlQuery q(db());
    if (!q.exec(target == FilterTarget::Events ? QStringLiteral("SELECT COALESCE(MAX(id), 0) FROM events")
                                               : QStringLiteral("SELECT COALESCE(MAX(id), 0) FROM deliveries"))
        || !q.next())
        return failure<qint64>(q, "the last id");
    return q.value(0).toLongLong();
}

const QMap<QString, QString> &StoreReader::sortExpressions(FilterTarget target)
{
    static const QMap<QString, QString> events = {
        {QStringLiteral("id"), QStringLiteral("e.id")},
        {QStringLiteral("received"), QStringLiteral("e.received_at")},
        {QStringLiteral("time"), QStringLiteral("e.event_time")},
        {QStringLiteral("action"), QStringLiteral("e.action")},
        {QStringLiteral("subject"), QStringLiteral("COALESCE(e.subject_id, e.subject_uuid)")},
        {QStringLiteral("author"), QStringLiteral("e.author")},
        {QStringLiteral("author_type"), QStringLiteral("e.author_type")},
        {QStringLiteral("pim_source"), QStringLiteral("e.pim_source")},
        {QStringLiteral("origin"), QStringLiteral("e.origin")},
        {QStringLiteral("delivery"), QStringLiteral("e.delivery_id")},
        {QStringLiteral("attempt"), QStringLiteral("e.attempt")},
        {QStringLiteral("flags"), QStringLiteral("e.flags")},
        {QStringLiteral("connector_status"),
         forwardColumnSql(QLatin1StringView("status"), QLatin1StringView("e.delivery_id"))},
        {QStringLiteral("connector_ms"),
         forwardColumnSql(QLatin1StringView("end_ms"), QLatin1StringView("e.delivery_id"))},
        {QStringLiteral("connector_verdict"),
         forwardColumnSql(QLatin1StringView("verdict"), QLatin1StringView("e.delivery_id"))},
    };
    static const QMap<QString, QString> deliveries = {
        {QStringLiteral("id"), QStringLiteral("d.id")},
        {QStringLiteral("received"), QStringLiteral("d.received_at")},
        {QStringLiteral("origin"), QStringLiteral("d.origin")},
        {QStringLiteral("method"), QStringLiteral("d.method")},
        {QStringLiteral("path"), QStringLiteral("d.path")},
        {QStringLiteral("format"), QStringLiteral("d.format")},
        {QStringLiteral("events"), QStringLiteral("d.event_count")},
        {QStringLiteral("status"), QStringLiteral("COALESCE(d.status_code, d.answered_status)")},
        {QStringLiteral("latency"), QStringLiteral("d.ack_ms")},
        {QStringLiteral("signature"), QStringLiteral("d.signature")},
        {QStringLiteral("remote"), QStringLiteral("d.remote")},
        {QStringLiteral("flags"), QStringLiteral("d.flags")},
        {QStringLiteral("error"), QStringLiteral("d.error")},
        {QStringLiteral("connector_status"), forwardColumnSql(QLatin1StringView("status"), QLatin1StringView("d.id"))},
        {QStringLiteral("connector_ms"), forwardColumnSql(QLatin1StringView("end_ms"), QLatin1StringView("d.id"))},
        {QStringLiteral("connector_verdict"),
         forwardColumnSql(QLatin1StringView("verdict"), QLatin1StringView("d.id"))},
    };
    return target == FilterTarget::Events ? events : deliveries;
}

Result<QList<qint64>> StoreReader::matchingIds(const Filter &filter, FilterTarget target, const QString &orderBy,
                                               bool descending)
{
    return readIds(db(), filter.compile(target), target, sortExpressions(target).value(orderBy), descending);
}

Result<qint64> StoreReader::countMatching(const Filter &filter, FilterTarget target)
{
    const CompiledFilter compiled = filter.compile(target);
    QSqlQuery q(db());
    q.prepare(filterCountSql(compiled, target));
    for (const QVariant &v : compiled.bindings)
        q.addBindValue(v);
    if (!q.exec() || !q.next())
        return failure<qint64>(q, "the match count");
    return q.value(0).toLongLong();
}

Result<QList<EventRecord>> StoreReader::events(const QList<qint64> &ids)
{
    QHash<qint64, EventRecord> byId;
    byId.reserve(ids.size());
    QSqlQuery q(db());
    q.setForwardOnly(true);
    for (qsizetype from = 0; from < ids.size(); from += pageSize) {
        const qsizetype n = std::min(pageSize, ids.size() - from);
        q.prepare(QLatin1StringView(eventColumns) + QStringLiteral("WHERE e.id IN (") + placeholders(n) + u')');
        for (qsizetype i = 0; i < n; ++i)
            q.addBindValue(ids[from + i]);
        if (!q.exec())
            return failure<QList<EventRecord>>(q, "events");
        while (q.next()) {
            EventRecord r = eventFromRow(q);
            byId.emplace(r.event.id, std::move(r));
        }
    }
    return inOrderOf(ids, byId);
}

namespace {

/** Runs a prepared query of eventColumns and reads its rows. */
Result<QList<EventRecord>> readEvents(QSqlQuery &q)
{
    if (!q.exec())
        return failure<QList<EventRecord>>(q, "events");
    QList<EventRecord> rows;
    while (q.next())
        rows.append(eventFromRow(q));
    return rows;
}

} // namespace

Result<QList<EventRecord>> StoreReader::eventsOfDelivery(qint64 deliveryId)
{
    QSqlQuery q(db());
    q.setForwardOnly(true);
    q.prepare(QLatin1StringView(eventColumns) + QStringLiteral("WHERE e.delivery_id = ? ORDER BY e.seq"));
    q.addBindValue(deliveryId);
    return readEvents(q);
}

Result<QList<EventRecord>> StoreReader::eventsOfDeliveries(const QList<qint64> &deliveryIds)
{
    QList<EventRecord> rows;
    QSqlQuery q(db());
    q.setForwardOnly(true);
    for (qsizetype from = 0; from < deliveryIds.size(); from += pageSize) {
        const qsizetype n = std::min(pageSize, deliveryIds.size() - from);
        q.prepare(QLatin1StringView(eventColumns) + QStringLiteral("WHERE e.delivery_id IN (") + placeholders(n)
                  + QStringLiteral(") ORDER BY e.delivery_id, e.seq"));
        for (qsizetype i = 0; i < n; ++i)
            q.addBindValue(deliveryIds[from + i]);
        auto page = readEvents(q);
        if (!page)
            return page;
        rows.append(std::move(*page));
    }
    return rows;
}

Result<QList<EventRecord>> StoreReader::eventsOfSubject(const QString &subjectType, const QString &subjectKey)
{
    // Through the events_subject index of the subject's key; the texts rule out another subject sharing it.
    QSqlQuery q(db());
    q.setForwardOnly(true);
    q.prepare(QLatin1StringView(eventColumns)
              + QStringLiteral("WHERE e.subject_key = ? AND e.subject_type = ? "
                               "AND (CASE WHEN e.subject_uuid <> '' THEN e.subject_uuid ELSE e.subject_id END) = ? "
                               "ORDER BY e.event_time IS NULL, e.event_time, e.id LIMIT 10000"));
    q.addBindValue(textkey::subject(subjectType, subjectKey));
    q.addBindValue(subjectType);
    q.addBindValue(subjectKey);
    return readEvents(q);
}

Result<QList<Delivery>> StoreReader::deliveries(const QList<qint64> &ids, bool withBody)
{
    QHash<qint64, Delivery> byId;
    byId.reserve(ids.size());
    QSqlQuery q(db());
    q.setForwardOnly(true);
    for (qsizetype from = 0; from < ids.size(); from += pageSize) {
        const qsizetype n = std::min(pageSize, ids.size() - from);
        q.prepare(QStringLiteral("SELECT d.id, d.origin, d.received_at, d.method, d.path, d.remote, d.headers, ")
                  + (withBody ? QStringLiteral("d.body") : QStringLiteral("NULL"))
                  + QStringLiteral(", d.body_size, d.format, d.signature, d.signature_detail, d.answered_status, "
                                   "d.ack_ms, d.event_count, d.error, d.warnings, d.log_level, d.log_message, "
                                   "d.status_code, d.url, d.log_file, d.log_line, d.flags, f.state, f.status, "
                                   "f.end_ms, f.verdict "
                                   "FROM deliveries d LEFT JOIN forwards f ON f.delivery_id = d.id WHERE d.id IN (")
                  + placeholders(n) + u')');
        for (qsizetype i = 0; i < n; ++i)
            q.addBindValue(ids[from + i]);
        if (!q.exec())
            return failure<QList<Delivery>>(q, "deliveries");
        while (q.next()) {
            Delivery d;
            int c = 0;
            d.id = q.value(c++).toLongLong();
            d.origin = Origin(q.value(c++).toInt());
            d.receivedAtMs = q.value(c++).toLongLong();
            const QVariant method = q.value(c++);
            d.method = method.isNull() ? QByteArray() : method.toString().toLatin1();
            const QVariant path = q.value(c++);
            d.path = path.isNull() ? QByteArray() : path.toByteArray();
            d.remote = nullableText(q.value(c++));
            d.headers = headercodec::decode(q.value(c++).toByteArray());
            d.body = q.value(c++).toByteArray();
            d.bodySize = q.value(c++).toLongLong();
            d.format = Format(q.value(c++).toInt());
            d.signature = Signature(q.value(c++).toInt());
            d.signatureDetail = nullableText(q.value(c++));
            d.answeredStatus = optionalInt<int>(q.value(c++));
            d.ackMs = optionalReal(q.value(c++));
            d.eventCount = q.value(c++).toInt();
            d.error = nullableText(q.value(c++));
            const QVariant warnings = q.value(c++);
            if (!warnings.isNull())
                d.warnings = warnings.toString().split(u'\n');
            d.logLevel = optionalEnum<LogLevel>(q.value(c++));
            d.logMessage = optionalEnum<LogMessage>(q.value(c++));
            d.statusCode = optionalInt<int>(q.value(c++));
            d.url = nullableText(q.value(c++));
            d.logFile = nullableText(q.value(c++));
            d.logLine = optionalInt<int>(q.value(c++));
            d.flags = Flags::fromInt(q.value(c++).toInt());
            d.connector = connectorFromRow(q, c);
            byId.emplace(d.id, std::move(d));
        }
    }
    return inOrderOf(ids, byId);
}

namespace {

/** How many events, and how many deliveries, carry each flag (two scans). */
bool readFlagCounts(QSqlQuery &q, QMap<QString, qint64> &events, QMap<QString, qint64> &deliveries)
{
    // Kept by the store's triggers (schema version 6): no scan. Column cN counts flag 1 << N.
    static_assert(std::size(allFlags) == 7 && quint32(allFlags[6]) == (1u << 6), "flag_counts has c0 to c6");
    if (!q.exec(QStringLiteral("SELECT target, c0, c1, c2, c3, c4, c5, c6 FROM flag_counts")))
        return false;
    while (q.next()) {
        QMap<QString, qint64> &out = q.value(0).toInt() == 0 ? events : deliveries;
        for (const Flag f : allFlags)
            out.insert(flagName(f), q.value(1 + std::countr_zero(quint32(f))).toLongLong());
    }
    return true;
}

/** The log lines by message kind, with their events (CaptureSummary::logLinesByMessage). */
bool readLogCounts(QSqlQuery &q, QMap<QString, qint64> &lines, QMap<QString, qint64> &events)
{
    if (!q.exec(QStringLiteral(
                    "SELECT log_message, count(*), sum(event_count) FROM deliveries WHERE import_id IS NOT NULL AND "
                    "origin = %1 GROUP BY log_message")
                    .arg(int(Origin::Log))))
        return false;
    while (q.next()) {
        const QString name = logMessageName(LogMessage(q.value(0).toInt()));
        lines.insert(name, q.value(1).toLongLong());
        events.insert(name, q.value(2).toLongLong());
    }
    return true;
}

/**
 * The reconciliation's counts (CaptureSummary::eventsByRecon), once a log was imported. The expression is only
 * evaluated for log events and for received events near the times the imports span (a received event further off
 * matches no log line and lies outside every window).
 */
bool readReconCounts(QSqlQuery &q, QMap<QString, qint64> &events, QMap<QString, qint64> &deliveries)
{
    if (!q.exec(
            QStringLiteral("SELECT min(min(COALESCE(error_from, first_at), COALESCE(info_from, first_at), first_at)), "
                           "max(last_at) FROM imports WHERE finished_at IS NOT NULL"))
        || !q.next())
        return false;
    if (q.value(0).isNull() || q.value(1).isNull())
        return true;
    const qint64 from = q.value(0).toLongLong() - 3'600'000;
    const qint64 to = q.value(1).toLongLong() + 3'600'000;
    q.finish();
    q.prepare(
        QStringLiteral("SELECT recon, count(*), count(DISTINCT delivery_id) FROM (SELECT %1 AS recon, e.delivery_id "
                       "FROM events e JOIN deliveries d ON d.id = e.delivery_id WHERE e.origin = %2 OR "
                       "(e.origin = %3 AND e.received_at BETWEEN ? AND ?)) WHERE recon IS NOT NULL GROUP BY recon")
            .arg(reconciliation::sql())
            .arg(int(Origin::Log))
            .arg(int(Origin::Receiver)));
    q.addBindValue(from);
    q.addBindValue(to);
    if (!q.exec())
        return false;
    while (q.next()) {
        const QString name = reconName(Recon(q.value(0).toInt()));
        events.insert(name, q.value(1).toLongLong());
        deliveries.insert(name, q.value(2).toLongLong());
    }
    return true;
}

} // namespace

Result<QPair<QStringList, QStringList>> StoreReader::knownValues()
{
    QPair<QStringList, QStringList> out;
    QSqlQuery q(db());
    q.setForwardOnly(true);
    for (const auto &[column, list] :
         {std::pair{QStringLiteral("action"), &out.first}, std::pair{QStringLiteral("author"), &out.second}}) {
        if (!q.exec(QStringLiteral(
                        "SELECT %1 FROM events WHERE %1 IS NOT NULL GROUP BY %1 ORDER BY count(*) DESC LIMIT 200")
                        .arg(column)))
            return failure<QPair<QStringList, QStringList>>(q, "the known values");
        while (q.next())
            list->append(q.value(0).toString());
    }
    return out;
}

namespace {

std::optional<double> p99(std::vector<double> &values)
{
    if (values.empty())
        return std::nullopt;
    std::sort(values.begin(), values.end());
    const auto k = std::size_t(std::ceil(0.99 * double(values.size())));
    return values[std::clamp<std::size_t>(k, 1, values.size()) - 1];
}

} // namespace

Result<CaptureSummary> StoreReader::summary(qint64 nowMs)
{
    CaptureSummary s;
    QSqlQuery q(db());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT count(*) FROM deliveries")) || !q.next())
        return failure<CaptureSummary>(q, "the summary");
    s.deliveries = q.value(0).toLongLong();
    q.finish();
    if (!q.exec(QStringLiteral("SELECT count(*) FROM events")) || !q.next())
        return failure<CaptureSummary>(q, "the summary");
    s.events = q.value(0).toLongLong();
    q.finish();
    if (!readFlagCounts(q, s.eventsByFlag, s.deliveriesByFlag))
        return failure<CaptureSummary>(q, "flag counts");
    if (!readLogCounts(q, s.logLinesByMessage, s.logEventsByMessage))
        return failure<CaptureSummary>(q, "the log lines");
    if (!readReconCounts(q, s.eventsByRecon, s.deliveriesByRecon))
        return failure<CaptureSummary>(q, "the reconciliation with the logs");
    // One row kept by triggers: nothing scanned.
    if (!q.exec(QStringLiteral("SELECT * FROM forward_counts WHERE id = 0")))
        return failure<CaptureSummary>(q, "the forwards' counts");
    if (q.next()) {
        const QSqlRecord record = q.record();
        for (int i = 1; i < record.count(); ++i)
            s.connector.insert(record.fieldName(i), q.value(i).toLongLong());
    }
    q.finish();
    // The last minute and the last hour, through the index on received_at.
    q.prepare(
        QStringLiteral("SELECT COALESCE(sum(event_count), 0) FROM deliveries WHERE received_at > ? AND origin = %1")
            .arg(int(Origin::Receiver)));
    q.addBindValue(nowMs - qint64{60} * 1000);
    if (!q.exec() || !q.next())
        return failure<CaptureSummary>(q, "the events per minute");
    s.eventsLastMinute = q.value(0).toLongLong();
    // The quota and the 500 ms are the Events API's: its requests only (the others' are in the subscriptions' health).
    q.prepare(QStringLiteral("SELECT ack_ms FROM deliveries WHERE received_at > ? AND origin = %1 AND format = %2 "
                             "ORDER BY ack_ms")
                  .arg(int(Origin::Receiver))
                  .arg(int(Format::Akeneo)));
    q.addBindValue(nowMs - qint64{3600} * 1000);
    if (!q.exec())
        return failure<CaptureSummary>(q, "the requests of the last hour");
    std::vector<double> acks;
    while (q.next()) {
        ++s.requestsLastHour;
        if (!q.value(0).isNull())
            acks.push_back(q.value(0).toDouble());
    }
    s.ackMsP99LastHour = p99(acks);
    q.finish();
    if (s.connector.value(QStringLiteral("forwarded")) > 0) {
        // Through the index on received_at, then each delivery's forward by its key.
        q.prepare(QStringLiteral("SELECT f.end_ms FROM deliveries d JOIN forwards f ON f.delivery_id = d.id "
                                 "WHERE d.received_at > ? AND d.origin = %1 AND f.end_ms IS NOT NULL")
                      .arg(int(Origin::Receiver)));
        q.addBindValue(nowMs - qint64{3600} * 1000);
        if (!q.exec())
            return failure<CaptureSummary>(q, "the connector's answers of the last hour");
        std::vector<double> times;
        while (q.next())
            times.push_back(q.value(0).toDouble());
        s.connectorMsP99LastHour = p99(times);
    }
    return s;
}

Result<qint64> StoreReader::unindexedDeliveries()
{
    QSqlQuery q(db());
    if (!q.exec(QStringLiteral("SELECT count(*) FROM deliveries WHERE indexed = 0")) || !q.next())
        return failure<qint64>(q, "the deliveries");
    return q.value(0).toLongLong();
}

namespace {

const char forwardColumns[]
    = "SELECT delivery_id, target, ack_mode, state, attempts, sent_at, first_byte_ms, end_ms, status, headers, body, "
      "body_size, error, verdict, twice, next_at, request_headers FROM forwards ";

ConnectorAnswer forwardRow(const QSqlQuery &q)
{
    ConnectorAnswer f;
    f.deliveryId = q.value(0).toLongLong();
    f.target = q.value(1).toString();
    f.ackMode = q.value(2).toInt() != 0;
    f.state = ForwardState(q.value(3).toInt());
    f.attempts = q.value(4).toInt();
    f.sentAtMs = optionalInt<qint64>(q.value(5));
    f.firstByteMs = optionalReal(q.value(6));
    f.endMs = optionalReal(q.value(7));
    f.status = optionalInt<int>(q.value(8));
    f.headers = headercodec::decode(q.value(9).toByteArray());
    f.body = q.value(10).toByteArray();
    f.bodySize = q.value(11).toLongLong();
    f.error = nullableText(q.value(12));
    f.verdict = optionalEnum<ConnectorVerdict>(q.value(13));
    f.possiblyTwice = q.value(14).toInt() != 0;
    f.nextAttemptAtMs = optionalInt<qint64>(q.value(15));
    f.requestHeaders = headercodec::decode(q.value(16).toByteArray());
    return f;
}

} // namespace

Result<QList<ConnectorAnswer>> StoreReader::forwards(const QList<qint64> &deliveryIds)
{
    QHash<qint64, ConnectorAnswer> byId;
    QSqlQuery q(db());
    q.setForwardOnly(true);
    for (qsizetype from = 0; from < deliveryIds.size(); from += pageSize) {
        const QList<qint64> page = deliveryIds.mid(from, pageSize);
        q.prepare(QLatin1StringView(forwardColumns)
                  + QStringLiteral("WHERE delivery_id IN (%1)").arg(placeholders(page.size())));
        for (qint64 id : page)
            q.addBindValue(id);
        if (!q.exec())
            return failure<QList<ConnectorAnswer>>(q, "the forwards");
        while (q.next()) {
            ConnectorAnswer f = forwardRow(q);
            const qint64 id = f.deliveryId;
            byId.emplace(id, std::move(f));
        }
    }
    return inOrderOf(deliveryIds, byId);
}

Result<QList<ConnectorAnswer>> StoreReader::forwardsIn(const QList<ForwardState> &states)
{
    QStringList values;
    for (ForwardState s : states)
        values << QString::number(int(s));
    QSqlQuery q(db());
    q.setForwardOnly(true);
    if (!q.exec(QLatin1StringView(forwardColumns)
                + QStringLiteral("WHERE state IN (%1) ORDER BY delivery_id").arg(values.join(u','))))
        return failure<QList<ConnectorAnswer>>(q, "the forwards");
    QList<ConnectorAnswer> out;
    while (q.next())
        out.append(forwardRow(q));
    return out;
}

Result<QList<ImportRecord>> StoreReader::imports()
{
    QSqlQuery q(db());
    q.setForwardOnly(true);
    if (!q.exec(
            QStringLiteral("SELECT id, file, path, started_at, finished_at, lines, added, events, first_at, last_at, "
                           "covers_to, info_from, error_from, format FROM imports ORDER BY id")))
        return failure<QList<ImportRecord>>(q, "the imports");
    const auto opt = [&q](int column) {
        const QVariant v = q.value(column);
        return v.isNull() ? std::nullopt : std::optional<qint64>(v.toLongLong());
    };
    QList<ImportRecord> out;
    while (q.next()) {
        ImportRecord r;
        r.id = q.value(0).toLongLong();
        r.file = q.value(1).toString();
        r.path = q.value(2).toString();
        r.startedAtMs = q.value(3).toLongLong();
        r.finishedAtMs = opt(4);
        r.lines = q.value(5).toInt();
        r.added = q.value(6).toInt();
        r.events = q.value(7).toLongLong();
        r.firstAtMs = opt(8);
        r.lastAtMs = opt(9);
        r.coversToMs = opt(10);
        r.infoFromMs = opt(11);
        r.errorFromMs = opt(12);
        r.format = Format(q.value(13).toInt());
        out.append(r);
    }
    return out;
}

Result<Statistics> StoreReader::statistics()
{
    Statistics s;
    QSqlQuery q(db());
    q.setForwardOnly(true);
    auto scalar = [&q](const QString &sql, qint64 &out) {
        if (!q.exec(sql) || !q.next())
            return false;
        out = q.value(0).toLongLong();
        return true;
    };
    // group: SELECT key, count ... GROUP BY key; `name` turns the stored key into the exported name.
    auto group = [&q](const QString &sql, QMap<QString, qint64> &out, auto name) {
        if (!q.exec(sql))
            return false;
        while (q.next()) {
            if (!q.value(0).isNull())
                out.insert(name(q.value(0)), q.value(1).toLongLong());
        }
        return true;
    };
    const auto asText = [](const QVariant &v) { return v.toString(); };
    bool ok = scalar(QStringLiteral("SELECT count(*) FROM deliveries"), s.deliveries)
        && scalar(QStringLiteral("SELECT count(*) FROM events"), s.events)
        && scalar(QStringLiteral("SELECT count(*) FROM deliveries WHERE indexed = 0"), s.unindexedDeliveries)
        && group(QStringLiteral("SELECT action, count(*) FROM events GROUP BY action"), s.byAction, asText)
        && group(QStringLiteral("SELECT origin, count(*) FROM deliveries GROUP BY origin"), s.byOrigin,
                 [](const QVariant &v) { return originName(Origin(v.toInt())); })
        && group(QStringLiteral("SELECT format, count(*) FROM deliveries GROUP BY format"), s.byFormat,
                 [](const QVariant &v) { return formatName(Format(v.toInt())); })
        && group(QStringLiteral("SELECT log_level, count(*) FROM deliveries GROUP BY log_level"), s.byLogLevel,
                 [](const QVariant &v) { return logLevelName(LogLevel(v.toInt())); })
        && group(QStringLiteral("SELECT log_message, count(*) FROM deliveries GROUP BY log_message"), s.byLogMessage,
                 [](const QVariant &v) { return logMessageName(LogMessage(v.toInt())); })
        && group(QStringLiteral("SELECT signature, count(*) FROM deliveries GROUP BY signature"), s.bySignature,
                 [](const QVariant &v) { return signatureName(Signature(v.toInt())); });
    if (!ok)
        return failure<Statistics>(q, "statistics");

    if (!readFlagCounts(q, s.byFlag, s.deliveriesByFlag))
        return failure<Statistics>(q, "flag counts");

    if (!q.exec(QStringLiteral("SELECT ack_ms FROM deliveries WHERE ack_ms IS NOT NULL ORDER BY ack_ms")))
        return failure<Statistics>(q, "answer times");
    std::vector<double> acks;
    while (q.next())
        acks.push_back(q.value(0).toDouble());
    if (!acks.empty()) {
        // Nearest-rank percentiles.
        auto rank = [&acks](double p) {
            const auto k = std::size_t(std::ceil(p / 100.0 * double(acks.size())));
            return acks[std::clamp<std::size_t>(k, 1, acks.size()) - 1];
        };
        s.ackMsP50 = rank(50);
        s.ackMsP99 = rank(99);
        s.ackMsMax = acks.back();
    }

    // PIM requests: what the receiver got, and the log lines that record a request (sent, error answer, timeout).
    if (!q.exec(QStringLiteral("SELECT received_at FROM deliveries WHERE origin = %1 OR (origin = %2 AND log_message "
                               "IN (%3, %4, %5)) ORDER BY received_at")
                    .arg(int(Origin::Receiver))
                    .arg(int(Origin::Log))
                    .arg(int(LogMessage::RequestSent))
                    .arg(int(LogMessage::EndpointError))
                    .arg(int(LogMessage::Timeout))))
        return failure<Statistics>(q, "receive times");
    std::deque<qint64> window;
    while (q.next()) {
        const qint64 t = q.value(0).toLongLong();
        window.push_back(t);
        while (window.front() <= t - qint64{3600} * 1000)
            window.pop_front();
        if (qint64(window.size()) > s.maxDeliveriesRollingHour) {
            s.maxDeliveriesRollingHour = qint64(window.size());
            s.maxRollingHourStartMs = window.front();
        }
    }
    if (!q.exec(QStringLiteral("SELECT min(received_at), max(received_at) FROM deliveries")) || !q.next())
        return failure<Statistics>(q, "the time span");
    s.firstReceivedMs = optionalInt<qint64>(q.value(0));
    s.lastReceivedMs = optionalInt<qint64>(q.value(1));
    return s;
}

} // namespace pimscope
