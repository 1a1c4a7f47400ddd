#include "chartqueries.h"

#include "storereader.h"

#include "filter/filter.h"
#include "filter/sqlcompiler.h"
#include "model/enums.h"
#include "model/senderprofile.h"

#include <QSqlError>
#include <QSqlQuery>

namespace pimscope {

namespace {

/** " AND e.id IN (...)" for a filter that is not empty; its bindings are added to `bindings`. */
QString restriction(const Filter &filter, FilterTarget target, QVariantList &bindings)
{
    if (filter.isEmpty())
        return {};
    const CompiledFilter compiled = filter.compile(target);
    bindings += compiled.bindings;
    return (target == FilterTarget::Events ? QStringLiteral(" AND e.id IN (") : QStringLiteral(" AND d.id IN ("))
        + filterIdsSql(compiled, target) + u')';
}

/** Prepares `sql`, binds `bindings` in order and runs it. */
bool run(QSqlQuery &q, const QString &sql, const QVariantList &bindings)
{
    q.prepare(sql);
    for (const QVariant &v : bindings)
        q.addBindValue(v);
    return q.exec();
}

/** Runs `sql` (rows: a time or NULL for no answer, a format) and adds its rows to `timings`. */
bool readTimings(QSqlQuery &q, const QString &sql, const QVariantList &bindings, ChartCounts::Timings &timings)
{
    if (!run(q, sql, bindings))
        return false;
    while (q.next()) {
        if (q.value(0).isNull()) {
            ++timings.unanswered;
            continue;
        }
        timings.ms.append(q.value(0).toDouble());
        timings.deadlinesMs.append(senderProfile(Format(q.value(1).toInt())).deadlineMs);
    }
    return true;
}

Result<ChartCounts> failure(const QSqlQuery &q, const char *what)
{
    return Result<ChartCounts>::failure(
        QStringLiteral("cannot read %1 for the charts: %2").arg(QLatin1StringView(what), q.lastError().text()));
}

/** The severity of an event as SQL, as severityOf() gives it for the table's tint (0 none ... 3 error). */
QString severitySql()
{
    const auto bits = [](Flags f) { return QString::number(uint(f)); };
    return QStringLiteral("CASE WHEN e.flags & %1 THEN 3 WHEN (e.flags & %2) OR d.log_level = %3 THEN 2 "
                          "WHEN e.flags & %4 THEN 1 ELSE 0 END")
        .arg(bits(Flag::Error | Flag::BadSignature), bits(Flag::SlowAck | Flag::Stale),
             QString::number(int(LogLevel::Warning)), bits(Flag::Duplicate | Flag::OutOfOrder));
}

} // namespace

Result<ChartCounts> readChartCounts(StoreReader &reader, const Filter &filter, ChartStack stack)
{
    ChartCounts counts;
    QSqlQuery q(reader.db());
    q.setForwardOnly(true);

    // Events per minute and stack key.
    QVariantList bindings;
    const QString key = stack == ChartStack::Action ? QStringLiteral("coalesce(e.action, '')") : severitySql();
    const QString perMinute = QStringLiteral("SELECT e.received_at / 60000, %1, count(*) FROM events e "
                                             "JOIN deliveries d ON d.id = e.delivery_id WHERE 1%2 GROUP BY 1, 2")
                                  .arg(key, restriction(filter, FilterTarget::Events, bindings));
    if (!run(q, perMinute, bindings))
        return failure(q, "events per minute");
    while (q.next())
        counts.events.append({q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toLongLong()});

    // Requests per minute: what the Events API sent (received, or logged as sent / failed), for its rolling hour's
    // quota (the Event Platform and Quable have none).
    bindings.clear();
    const QString requestsSql
        = QStringLiteral(
              "SELECT d.received_at / 60000, count(*) FROM deliveries d WHERE ((d.origin = %1 AND d.format = "
              "%6) OR (d.origin = %2 AND d.log_message IN (%3, %4, %5)))%7 GROUP BY 1")
              .arg(int(Origin::Receiver))
              .arg(int(Origin::Log))
              .arg(int(LogMessage::RequestSent))
              .arg(int(LogMessage::EndpointError))
              .arg(int(LogMessage::Timeout))
              .arg(int(Format::Akeneo))
              .arg(restriction(filter, FilterTarget::Deliveries, bindings));
    if (!run(q, requestsSql, bindings))
        return failure(q, "requests per minute");
    while (q.next())
        counts.requests.insert(q.value(0).toLongLong(), q.value(1).toLongLong());

    // Answer times of the received deliveries, and the connector's to the forwarded ones (those with an outcome; one
    // without a time had no answer).
    bindings.clear();
    const QString answers
        = QStringLiteral("SELECT d.ack_ms, d.format FROM deliveries d WHERE d.origin = %1 AND d.ack_ms IS NOT NULL%2")
              .arg(int(Origin::Receiver))
              .arg(restriction(filter, FilterTarget::Deliveries, bindings));
    if (!readTimings(q, answers, bindings, counts.answers))
        return failure(q, "answer times");
    bindings.clear();
    const QString connector
        = QStringLiteral("SELECT CASE WHEN f.status IS NOT NULL THEN f.end_ms END, d.format FROM "
                         "forwards f JOIN deliveries d ON d.id = f.delivery_id WHERE f.state >= %1%2")
              .arg(int(ForwardState::Answered))
              .arg(restriction(filter, FilterTarget::Deliveries, bindings));
    if (!readTimings(q, connector, bindings, counts.connector))
        return failure(q, "the connector's answer times");
    return counts;
}

Result<CaptureCharts> computeCharts(StoreReader &reader, const Filter &filter, ChartStack stack)
{
    auto counts = readChartCounts(reader, filter, stack);
    if (!counts)
        return Result<CaptureCharts>::failure(counts.error());
    return chartsFromCounts(*counts, stack);
}

} // namespace pimscope
