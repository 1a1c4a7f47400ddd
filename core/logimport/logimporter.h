#pragma once

#include "formats/payloadparser.h"
#include "signing/redactor.h"
#include "store/records.h"
#include "util/result.h"

#include <QIODevice>
#include <QList>
#include <QMap>
#include <QString>

#include <atomic>
#include <functional>
#include <optional>

namespace pimscope {

class EventStore;

/** Something wrong with one line of an imported log: the line is imported all the same. */
struct LogProblem
{
    int line = 0;
    QString message;
    bool error = true; ///< false for a note (e.g. null entries skipped in an events array)
};

/** The lines of one clock hour (UTC) of a log, for the summary. */
struct LogHour
{
    qint64 startMs = 0;
    int requests = 0; ///< lines about a request: sent, endpoint error or timeout
    int errors = 0; ///< ERROR lines
    int timeouts = 0;
    int quotaWarnings = 0; ///< "maximum number of ... per hour has been reached"
};

/** What an import read and found (pimscope import prints it; the window shows it). */
struct LogImportSummary
{
    ImportRecord record; ///< file, path, lines, added, events added, first/last time, what the file covers
    qint64 bytes = 0;
    qint64 eventsInFile = 0; ///< events of every entry, added or there already
    QMap<LogLevel, int> byLevel;
    QMap<LogMessage, int> byKind;
    QList<LogHour> hours; ///< the hours with at least one line, in order
    /** Malformed lines and notes, in line order; at most maxProblems are kept (problemCount counts all). */
    QList<LogProblem> problems;
    int problemCount = 0;
    int malformedLines = 0; ///< lines with an error (a subset of the problems)
    bool cancelled = false;
    /** The Event Platform's log (its Logs API's JSON): how the file laid its entries out, and its failure reasons. */
    QString shape;
    QMap<QString, int> failuresByReason; ///< delivery failures by error_reason ("" when it has none)
    QMap<QString, int> entriesBySubscription;
    QMap<QString, QString> destinations; ///< subscription id -> destination URL, from the entries that name it

    int alreadyThere() const { return record.lines - record.added; }
    int errors() const { return byLevel.value(LogLevel::Error); }
    /** ERROR lines per hour over the span of the file (an hour at least). */
    std::optional<double> errorsPerHour() const;
    QList<LogHour> quotaHours() const;
    /** The hour with the most timeouts (the larger share of its requests on a tie); none without timeouts. */
    std::optional<LogHour> slowestHour() const;

    static constexpr int maxProblems = 10'000;
};

/** The summary as text for people, several lines, each malformed line with its number (up to `maxProblems`). */
QString describeImport(const LogImportSummary &summary, int maxProblems = LogImportSummary::maxProblems);

/**
 * Imports Akeneo event-subscription log files (FACTS.md 1.8), and the Event Platform's Logs API files (JSON: see
 * importPlatformLogs), into a capture: each non-blank line becomes a delivery
 * of origin `log` whose body is the line's exact bytes, received at the line's own time (UTC), with its level,
 * message kind, status code, endpoint URL, headers (secret values redacted as the receiver does), file name, line
 * number and the events of its context (slices of the line), flagged by the store like received ones.
 *
 * - Nothing is dropped: a line that is not well formed (no date, unknown level, cut short, a context that is not
 *   JSON, invalid UTF-8) is stored whole with its error, and reported with its number. A line without a date takes
 *   the time of the line before it (at the start of a file, of the first dated line).
 * - Importing a file again adds nothing: each line is keyed by SHA-256 of its bytes and of how many identical lines
 *   came before it in its file, and the store skips keys it has. Overlapping downloads of the same log merge.
 * - Atomic: the lines carry the import's id; a cancelled or failed import is taken out whole (and one left by a
 *   crashed process when the capture is next opened), so nothing half-imported remains.
 * - Streaming: the file is read a chunk at a time and at most a few hundred lines wait for the writer, so memory
 *   does not grow with the file. Large files (bulkFromBytes) defer the event indexes to the end of the import.
 *
 * Runs in the calling thread (a worker thread in the window); cancel() may be called from any thread.
 */
class LogImporter
{
public:
    /** `redactor`: the user's secret headers, whose values a line's context (and the stored line) must not keep. */
    explicit LogImporter(EventStore &store, HeaderRedactor redactor = HeaderRedactor());

    /** Called now and then with the bytes read so far and the total (0 when unknown). */
    void setProgressCallback(std::function<void(qint64 done, qint64 total)> callback)
    {
        m_progress = std::move(callback);
    }
    /** Stops the running import (it is taken out) at the next line. Thread-safe. */
    void cancel() { m_cancel.store(true); }

    /** Imports a file. Fails when it cannot be read or the capture cannot store it (then nothing of it is kept). */
    Result<LogImportSummary> importFile(const QString &path);
    /** The same from a device; `name` is the file name stored with each line, `path` the file's path. */
    Result<LogImportSummary> importDevice(QIODevice &device, const QString &name, const QString &path);

    /** Files at least this large drop the event indexes during the import and build them at its end. */
    static constexpr qint64 bulkFromBytes = qint64(32) << 20;
    /** Clock differences tolerated between the PIM and this machine at the edges of what a log covers. */
    static constexpr qint64 coverageMarginMs = 5'000;
    /** How long the PIM keeps ERROR and WARNING lines. */
    static constexpr qint64 errorRetentionMs = qint64{72} * 3600 * 1000;
    /** The Event Platform merges errors of a subscription with the same message within 5 minutes into one entry. */
    static constexpr qint64 platformMergeMs = qint64{5} * 60 * 1000;

    /** The time in an Akeneo download's name, events_api_logs_YYYYMMDD_HHMMSS.txt (taken as UTC). */
    static std::optional<qint64> downloadTimeFromName(const QString &fileName);

private:
    /**
     * The Event Platform's log (formats/platformlog.h), read whole (a Logs API export is 30 days of one subscriber's
     * entries): each entry a delivery of origin `log` and format Event Platform whose body is the entry's bytes, with
     * one event naming its operation and subscription (no event id: the entries have none), received at its
     * timestamp, its level (error or action), kind (timeout, endpoint error, platform action), status (error_code,
     * unless the failure was the transport's), destination URL and path (the subscription's, when an entry of the
     * file names it). Keys are the log id and timestamp (see platformLogKey), so that exports overlap and merge.
     */
    Result<LogImportSummary> importPlatformLogs(QIODevice &device, LogImportSummary s);

    EventStore &m_store;
    const HeaderRedactor m_redactor;
    std::function<void(qint64, qint64)> m_progress;
    std::atomic<bool> m_cancel = false;
    PayloadParser m_parser;
};

} // namespace pimscope
