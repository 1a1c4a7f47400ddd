#pragma once

#include "model/delivery.h"
#include "signing/redactor.h"
#include "util/result.h"

#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace pimscope {

class StoreReader;
enum class FilterTarget;

/**
 * What an export can be written as:
 *  - jsonl: one JSON object per line (jsonlexport.h), events or deliveries;
 *  - csv: RFC 4180 (header row, CRLF, fields quoted when they hold a comma, quote, CR or LF), events or deliveries;
 *  - har: HAR 1.2, one entry per HTTP request (received, replayed, or logged by the PIM), for browser devtools;
 *  - akeneo-log: the PIM's own event-subscription log format, one line per delivery (what the importer reads).
 * har and akeneo-log write deliveries: asked for events, they write the deliveries that hold them.
 */
enum class ExportFormat { Jsonl, Csv, Har, AkeneoLog };

std::optional<ExportFormat> exportFormatFromName(QStringView name);
QString exportFormatName(ExportFormat format);
/** "jsonl", "csv", "har", "log". */
QString exportFileSuffix(ExportFormat format);
/** For a file dialog: "HAR 1.2 (*.har)". */
QString exportFileFilter(ExportFormat format);
QStringList exportFormatNames();
/** Whether the format writes deliveries whatever is asked (har, akeneo-log). */
bool exportsDeliveries(ExportFormat format);

struct ExportStats
{
    qint64 rows = 0; ///< events or deliveries (or HAR entries) written
    qint64 bytes = 0;
    bool cancelled = false;
};

/**
 * Writes the events or deliveries `ids` (of `what`) of a capture as `format`, a page at a time, to `sink` (false:
 * it could not write, the export fails). `progress(done, total)` after each page; false from it cancels (what was
 * written stays written, stats.cancelled). har and akeneo-log write the deliveries in the order of their ids
 * (the PIM's log is in time order, which their ids follow), the others in the order of `ids`.
 *
 * Headers leave redacted by `redactor` (the user's: Authorization, Proxy-Authorization and the headers they named
 * secret), values that are markers already left as they are. The receiver and the replayer store them redacted;
 * this is the second lock, for every export format, and the first for a header named secret after it was stored.
 */
Result<ExportStats> runExport(StoreReader &reader, ExportFormat format, FilterTarget what, const QList<qint64> &ids,
                              const HeaderRedactor &redactor, const std::function<bool(QByteArrayView)> &sink,
                              const std::function<bool(qint64 done, qint64 total)> &progress = {});

} // namespace pimscope
