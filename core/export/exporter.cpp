#include "exporter.h"

#include "akeneologexport.h"
#include "csvexport.h"
#include "harexport.h"
#include "jsonlexport.h"

#include "filter/sqlcompiler.h"
#include "store/storereader.h"

#include <QHash>
#include <QSet>

#include <algorithm>

namespace pimscope {

namespace {

struct FormatInfo
{
    ExportFormat format;
    const char *name;
    const char *suffix;
    const char *title;
};

constexpr FormatInfo formats[] = {
    {ExportFormat::Jsonl, "jsonl", "jsonl", "JSON lines"},
    {ExportFormat::Csv, "csv", "csv", "CSV"},
    {ExportFormat::Har, "har", "har", "HAR 1.2"},
    {ExportFormat::AkeneoLog, "akeneo-log", "log", "Akeneo event log"},
};

const FormatInfo &info(ExportFormat format)
{
    return *std::find_if(std::begin(formats), std::end(formats),
                         [format](const FormatInfo &f) { return f.format == format; });
}

constexpr qsizetype pageSize = 500;

/** The delivery ids that hold the events `eventIds`, each once, in the order of their ids. */
Result<QList<qint64>> deliveriesOfEvents(StoreReader &reader, const QList<qint64> &eventIds)
{
    QSet<qint64> seen;
    QList<qint64> ids;
    for (qsizetype from = 0; from < eventIds.size(); from += pageSize) {
        const auto rows = reader.events(eventIds.mid(from, pageSize));
        if (!rows)
            return Result<QList<qint64>>::failure(rows.error());
        for (const EventRecord &r : *rows) {
            if (!seen.contains(r.event.deliveryId)) {
                seen.insert(r.event.deliveryId);
                ids.append(r.event.deliveryId);
            }
        }
    }
    return ids;
}

/** The forwards of these deliveries, by delivery id (the connector's answers go out redacted as they were stored). */
Result<QHash<qint64, ConnectorAnswer>> forwardsOf(StoreReader &reader, const QList<qint64> &deliveryIds)
{
    auto rows = reader.forwards(deliveryIds);
    if (!rows)
        return Result<QHash<qint64, ConnectorAnswer>>::failure(rows.error());
    QHash<qint64, ConnectorAnswer> byId;
    for (ConnectorAnswer &c : *rows) {
        const qint64 id = c.deliveryId;
        byId.emplace(id, std::move(c));
    }
    return byId;
}

const ConnectorAnswer *connectorOf(const QHash<qint64, ConnectorAnswer> &forwards, qint64 deliveryId)
{
    const auto it = forwards.constFind(deliveryId);
    return it == forwards.cend() ? nullptr : &*it;
}

} // namespace

std::optional<ExportFormat> exportFormatFromName(QStringView name)
{
    for (const FormatInfo &f : formats) {
        if (name == QLatin1StringView(f.name))
            return f.format;
    }
    return std::nullopt;
}

QString exportFormatName(ExportFormat format)
{
    return QString::fromLatin1(info(format).name);
}

QString exportFileSuffix(ExportFormat format)
{
    return QString::fromLatin1(info(format).suffix);
}

QString exportFileFilter(ExportFormat format)
{
    return QStringLiteral("%1 (*.%2)")
        .arg(QLatin1StringView(info(format).title), QLatin1StringView(info(format).suffix));
}

QStringList exportFormatNames()
{
    QStringList names;
    for (const FormatInfo &f : formats)
        names << QString::fromLatin1(f.name);
    return names;
}

bool exportsDeliveries(ExportFormat format)
{
    return format == ExportFormat::Har || format == ExportFormat::AkeneoLog;
}

Result<ExportStats> runExport(StoreReader &reader, ExportFormat format, FilterTarget what, const QList<qint64> &ids,
                              const HeaderRedactor &redactor, const std::function<bool(QByteArrayView)> &sink,
                              const std::function<bool(qint64, qint64)> &progress)
{
    ExportStats stats;
    QList<qint64> rows = ids;
    FilterTarget target = what;
    if (exportsDeliveries(format)) {
        if (what == FilterTarget::Events) {
            auto deliveries = deliveriesOfEvents(reader, ids);
            if (!deliveries)
                return Result<ExportStats>::failure(deliveries.error());
            rows = std::move(*deliveries);
        }
        std::sort(rows.begin(), rows.end());
        target = FilterTarget::Deliveries;
    }
    QByteArray out;
    auto flush = [&] {
        stats.bytes += out.size();
        const bool ok = out.isEmpty() || sink(out);
        out.clear();
        return ok;
    };
    const auto cannotWrite = [] { return Result<ExportStats>::failure(QStringLiteral("cannot write the export")); };

    if (format == ExportFormat::Csv)
        target == FilterTarget::Events ? csv::appendEventHeader(out) : csv::appendDeliveryHeader(out);
    else if (format == ExportFormat::Har)
        har::appendBegin(out);

    for (qsizetype from = 0; from < rows.size(); from += pageSize) {
        const QList<qint64> slice = rows.mid(from, pageSize);
        if (target == FilterTarget::Events) {
            const auto page = reader.events(slice);
            if (!page)
                return Result<ExportStats>::failure(page.error());
            QList<qint64> deliveryIds;
            for (const EventRecord &r : *page)
                deliveryIds.append(r.event.deliveryId);
            auto found = forwardsOf(reader, deliveryIds);
            if (!found)
                return Result<ExportStats>::failure(found.error());
            const QHash<qint64, ConnectorAnswer> forwards = std::move(*found);
            for (const EventRecord &r : *page) {
                const ConnectorAnswer *c = connectorOf(forwards, r.event.deliveryId);
                format == ExportFormat::Csv ? csv::appendEvent(out, r, c) : jsonl::appendEvent(out, r, c);
                ++stats.rows;
            }
        } else {
            auto page = reader.deliveries(slice);
            if (!page)
                return Result<ExportStats>::failure(page.error());
            auto found = forwardsOf(reader, slice);
            if (!found)
                return Result<ExportStats>::failure(found.error());
            const QHash<qint64, ConnectorAnswer> forwards = std::move(*found);
            QList<EventRecord> events;
            if (format == ExportFormat::AkeneoLog) {
                auto found = reader.eventsOfDeliveries(slice);
                if (!found)
                    return Result<ExportStats>::failure(found.error());
                events = std::move(*found);
            }
            qsizetype e = 0;
            for (Delivery &d : *page) {
                d.headers = redactor.redacted(d.headers);
                const ConnectorAnswer *c = connectorOf(forwards, d.id);
                switch (format) {
                case ExportFormat::Jsonl:
                    jsonl::appendDelivery(out, d, c);
                    ++stats.rows;
                    break;
                case ExportFormat::Csv:
                    csv::appendDelivery(out, d, c);
                    ++stats.rows;
                    break;
                case ExportFormat::Har:
                    if (har::isRequest(d)) {
                        har::appendEntry(out, d, stats.rows == 0, c);
                        ++stats.rows;
                    }
                    break;
                case ExportFormat::AkeneoLog: {
                    // The events come by delivery id, as the (sorted) deliveries do.
                    while (e < events.size() && events[e].event.deliveryId < d.id)
                        ++e;
                    const qsizetype begin = e;
                    while (e < events.size() && events[e].event.deliveryId == d.id)
                        ++e;
                    akeneolog::appendLine(out, d, events.mid(begin, e - begin), c);
                    ++stats.rows;
                    break;
                }
                }
            }
        }
        if (!flush())
            return cannotWrite();
        if (progress && !progress(std::min<qint64>(from + pageSize, rows.size()), rows.size())) {
            stats.cancelled = true;
            break;
        }
    }
    if (format == ExportFormat::Har)
        har::appendEnd(out); // also after a cancel: the file stays valid HAR
    if (!flush())
        return cannotWrite();
    return stats;
}

} // namespace pimscope
