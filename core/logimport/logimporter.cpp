#include "logimporter.h"

#include "formats/logline.h"
#include "formats/phpjson.h"
#include "formats/platformlog.h"
#include "store/eventstore.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QUrl>

#include <deque>
#include <map>
#include <unordered_map>

namespace pimscope {

namespace {

/** A header value as a JSON string of a log line may hold it: PHP's json_encode, or plain JSON (raw UTF-8, "/"). */
QList<QByteArray> jsonForms(const QByteArray &value)
{
    QByteArray php;
    appendPhpJsonString(php, QString::fromUtf8(value));
    QByteArray plain = "\"";
    for (const char c : value) {
        if (c == '"' || c == '\\')
            plain += '\\';
        plain += c;
    }
    plain += '"';
    return plain == php ? QList<QByteArray>{php} : QList<QByteArray>{php, plain};
}

/**
 * The line with every secret header value of its context (those `redacted` changed) replaced by its marker; null
 * when there was none. The names of the headers that were found are added to `names`.
 */
QByteArray withSecretsRedacted(const QByteArray &line, const Headers &headers, const Headers &redacted,
                               QStringList &names)
{
    QByteArray out;
    for (qsizetype i = 0; i < headers.size() && i < redacted.size(); ++i) {
        if (headers[i].value == redacted[i].value || headers[i].value.isEmpty())
            continue;
        QByteArray marker;
        appendPhpJsonString(marker, QString::fromUtf8(redacted[i].value));
        for (const QByteArray &form : jsonForms(headers[i].value)) {
            if (!(out.isNull() ? line : out).contains(form))
                continue;
            if (out.isNull())
                out = line;
            out.replace(form, marker);
            if (!names.contains(QString::fromLatin1(headers[i].name)))
                names.append(QString::fromLatin1(headers[i].name));
        }
    }
    return out;
}

constexpr qint64 hourMs = qint64{3600} * 1000;

QString secondText(qint64 ms)
{
    return toIsoUtc(ms).left(19).replace(u'T', u' ');
}

QString hourText(qint64 ms)
{
    return toIsoUtc(ms).left(13).replace(u'T', u' ') + QStringLiteral(":00");
}

QString spanText(qint64 ms)
{
    const qint64 minutes = ms / 60000;
    if (minutes < 1)
        return QStringLiteral("%1 s").arg(ms / 1000);
    if (minutes < 60)
        return QStringLiteral("%1 min").arg(minutes);
    if (minutes < qint64{48} * 60)
        return QStringLiteral("%1 h %2 min").arg(minutes / 60).arg(minutes % 60);
    return QStringLiteral("%1 days %2 h").arg(minutes / 1440).arg(minutes % 1440 / 60);
}

/**
 * Queues an import's deliveries to the writer with back pressure: the writer is never more than a few hundred entries
 * behind (memory stays flat, and a delivery the receiver gets meanwhile waits for one small batch, not for the file).
 */
class Feeder
{
public:
    Feeder(EventStore &store, bool bulk)
        : m_store(store)
        , m_max(bulk ? 1024 : 256)
    {
    }

    void send(Delivery d)
    {
        m_inFlight.push_back(m_store.enqueue(std::move(d), true));
        if (m_inFlight.size() > m_max) {
            m_store.waitForTicket(m_inFlight[m_inFlight.size() - m_max / 2]);
            m_inFlight.erase(m_inFlight.begin(), m_inFlight.end() - qptrdiff(m_max / 2));
        }
    }
    /** Waits for everything queued. */
    void drain()
    {
        if (!m_inFlight.empty())
            m_store.waitForTicket(m_inFlight.back());
        m_inFlight.clear();
    }

private:
    EventStore &m_store;
    const std::size_t m_max;
    std::deque<quint64> m_inFlight;
};

/** Adds a problem to the summary (the first maxProblems are kept; all are counted). */
void addProblem(LogImportSummary &s, int line, const QString &message, bool error)
{
    ++s.problemCount;
    if (s.problems.size() < LogImportSummary::maxProblems)
        s.problems.append(LogProblem{line, message, error});
}

/** Records a whole import as finished (with what it covers), and its hours in the summary. */
void complete(EventStore &store, LogImportSummary &s, bool bulk, const std::map<qint64, LogHour> &hours)
{
    if (bulk)
        store.endBulk();
    store.waitForTicket(store.finishImport(s.record));
    for (const auto &[start, hour] : hours)
        s.hours.append(hour);
}

/** Takes out an import that failed or was cancelled: the failure to report, or the cancelled summary. */
Result<LogImportSummary> abandon(EventStore &store, LogImportSummary s, bool bulk, const QString &failure)
{
    store.waitForTicket(store.abortImport(s.record.id));
    if (bulk)
        store.waitForTicket(store.endBulk());
    if (!failure.isEmpty())
        return Result<LogImportSummary>::failure(failure);
    s.cancelled = true;
    return s;
}

} // namespace

std::optional<double> LogImportSummary::errorsPerHour() const
{
    if (!record.firstAtMs || !record.lastAtMs)
        return std::nullopt;
    const double hours = std::max(1.0, double(*record.lastAtMs - *record.firstAtMs) / double(hourMs));
    return double(errors()) / hours;
}

QList<LogHour> LogImportSummary::quotaHours() const
{
    QList<LogHour> out;
    for (const LogHour &h : hours) {
        if (h.quotaWarnings > 0)
            out.append(h);
    }
    return out;
}

std::optional<LogHour> LogImportSummary::slowestHour() const
{
    std::optional<LogHour> best;
    for (const LogHour &h : hours) {
        if (h.timeouts == 0)
            continue;
        // More timeouts, or as many out of fewer requests.
        if (!best || h.timeouts > best->timeouts
            || (h.timeouts == best->timeouts
                && qint64(h.timeouts) * best->requests > qint64(best->timeouts) * h.requests))
            best = h;
    }
    return best;
}

namespace {

void describeProblems(const LogImportSummary &s, int maxProblems, const QString &unit, const QString &units,
                      QStringList &out)
{
    if (s.problemCount > 0) {
        out << QStringLiteral("  problems: %L1 (%L2 malformed %3; every %4 is imported all the same)")
                   .arg(s.problemCount)
                   .arg(s.malformedLines)
                   .arg(s.malformedLines == 1 ? unit : units, unit);
        int shown = 0;
        for (const LogProblem &p : s.problems) {
            if (shown++ >= maxProblems)
                break;
            out << QStringLiteral("    line %1: %2%3")
                       .arg(p.line)
                       .arg(p.error ? QString() : QStringLiteral("note: "), p.message);
        }
        if (s.problemCount > shown)
            out << QStringLiteral("    ... and %L1 more").arg(s.problemCount - shown);
    }
}

void describePlatformImport(const LogImportSummary &s, int maxProblems, QStringList &out)
{
    const ImportRecord &r = s.record;
    out << QStringLiteral("%1: %L2 Event Platform log entries (%L3 added, %L4 imported before), %5")
               .arg(r.file)
               .arg(r.lines)
               .arg(r.added)
               .arg(s.alreadyThere())
               .arg(s.shape);
    const int errors = s.byLevel.value(LogLevel::Error);
    const int actions = s.byKind.value(LogMessage::PlatformAction);
    out << QStringLiteral("  by type: error %L1, action %L2").arg(errors).arg(actions);
    int failures = 0;
    QStringList reasons;
    for (auto it = s.failuresByReason.cbegin(); it != s.failuresByReason.cend(); ++it) {
        failures += it.value();
        reasons << QStringLiteral("%1 %L2")
                       .arg(it.key().isEmpty() ? QStringLiteral("(no reason)") : it.key())
                       .arg(it.value());
    }
    out << (failures == 0 ? QStringLiteral("  delivery failures: none")
                          : QStringLiteral("  delivery failures: %L1 (%2)").arg(failures).arg(reasons.join(u", ")));
    for (auto it = s.entriesBySubscription.cbegin(); it != s.entriesBySubscription.cend(); ++it) {
        const QString destination = s.destinations.value(it.key());
        out << QStringLiteral("  subscription %1: %L2 %3, %4")
                   .arg(it.key())
                   .arg(it.value())
                   .arg(it.value() == 1 ? QStringLiteral("entry") : QStringLiteral("entries"))
                   .arg(destination.isEmpty()
                            ? QStringLiteral("destination not named (paired with every Event Platform path)")
                            : QStringLiteral("destination ") + destination);
    }
    if (r.firstAtMs && r.lastAtMs)
        out << QStringLiteral("  span: %1 to %2 UTC (%3)")
                   .arg(secondText(*r.firstAtMs), secondText(*r.lastAtMs), spanText(*r.lastAtMs - *r.firstAtMs));
    if (r.errorFromMs && r.coversToMs)
        out << QStringLiteral("  covers the delivery failures of %1 to %2 UTC")
                   .arg(secondText(*r.errorFromMs), secondText(*r.coversToMs));
    else
        out << QStringLiteral("  covers no time completely (no error entries, or too short a span)");
    describeProblems(s, maxProblems, QStringLiteral("entry"), QStringLiteral("entries"), out);
}

} // namespace

QString describeImport(const LogImportSummary &s, int maxProblems)
{
    QStringList out;
    const ImportRecord &r = s.record;
    if (s.cancelled) {
        out << QStringLiteral("%1: cancelled after %L2 lines; nothing of it was kept").arg(r.file).arg(r.lines);
        return out.join(u'\n');
    }
    if (r.format == Format::AkeneoEventPlatform) {
        describePlatformImport(s, maxProblems, out);
        return out.join(u'\n');
    }
    out << QStringLiteral("%1: %L2 lines (%L3 added, %L4 imported before), %L5 events")
               .arg(r.file)
               .arg(r.lines)
               .arg(r.added)
               .arg(s.alreadyThere())
               .arg(s.eventsInFile);
    QStringList levels;
    for (const LogLevel l : {LogLevel::Error, LogLevel::Warning, LogLevel::Notice, LogLevel::Info}) {
        if (const int n = s.byLevel.value(l))
            levels << QStringLiteral("%1 %L2").arg(logLevelName(l)).arg(n);
    }
    if (!levels.isEmpty())
        out << QStringLiteral("  by level: ") + levels.join(QStringLiteral(", "));
    QStringList kinds;
    for (const LogMessage m :
         {LogMessage::RequestSent, LogMessage::EndpointError, LogMessage::Timeout, LogMessage::RateLimit,
          LogMessage::SameConnection, LogMessage::NotSentPermissions, LogMessage::Unknown}) {
        if (const int n = s.byKind.value(m))
            kinds << QStringLiteral("%1 %L2").arg(logMessageName(m)).arg(n);
    }
    if (!kinds.isEmpty())
        out << QStringLiteral("  by message: ") + kinds.join(QStringLiteral(", "));
    if (r.firstAtMs && r.lastAtMs)
        out << QStringLiteral("  span: %1 to %2 UTC (%3)")
                   .arg(secondText(*r.firstAtMs), secondText(*r.lastAtMs), spanText(*r.lastAtMs - *r.firstAtMs));
    if (s.errors() == 0) {
        out << QStringLiteral("  errors: none");
    } else if (const auto rate = s.errorsPerHour()) {
        QString line = QStringLiteral("  errors: %L1, %2 per hour").arg(s.errors()).arg(*rate, 0, 'f', 1);
        const LogHour *worst = nullptr;
        for (const LogHour &h : s.hours) {
            if (h.errors > 0 && (!worst || h.errors > worst->errors))
                worst = &h;
        }
        if (worst)
            line += QStringLiteral("; most in the hour of %1 UTC (%L2)")
                        .arg(hourText(worst->startMs))
                        .arg(worst->errors);
        out << line;
    }
    const QList<LogHour> quota = s.quotaHours();
    if (quota.isEmpty()) {
        out << QStringLiteral("  hourly quota: never reached");
    } else {
        QStringList hours;
        for (const LogHour &h : quota)
            hours << QStringLiteral("%1 (%L2)").arg(hourText(h.startMs)).arg(h.quotaWarnings);
        out << QStringLiteral("  hourly quota reached in the hours of (UTC): ") + hours.join(QStringLiteral(", "));
    }
    if (const auto slow = s.slowestHour())
        out << QStringLiteral("  slowest hour: %1 UTC, %L2 of %L3 requests not answered in time")
                   .arg(hourText(slow->startMs))
                   .arg(slow->timeouts)
                   .arg(slow->requests);
    else
        out << QStringLiteral("  timeouts: none");
    describeProblems(s, maxProblems, QStringLiteral("line"), QStringLiteral("lines"), out);
    return out.join(u'\n');
}

LogImporter::LogImporter(EventStore &store, HeaderRedactor redactor)
    : m_store(store)
    , m_redactor(std::move(redactor))
{
}

std::optional<qint64> LogImporter::downloadTimeFromName(const QString &fileName)
{
    static const QRegularExpression pattern(
        QStringLiteral("events_api_logs_(\\d{4})(\\d{2})(\\d{2})_(\\d{2})(\\d{2})(\\d{2})"));
    const auto m = pattern.match(fileName);
    if (!m.hasMatch())
        return std::nullopt;
    const QString text
        = QStringLiteral("%1/%2/%3 %4:%5:%6")
              .arg(m.captured(1), m.captured(2), m.captured(3), m.captured(4), m.captured(5), m.captured(6));
    const QByteArray bytes = text.toLatin1();
    return parseLogDateTime(std::string_view(bytes.constData(), size_t(bytes.size())));
}

Result<LogImportSummary> LogImporter::importFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Result<LogImportSummary>::failure(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    const QFileInfo info(path);
    if (info.isDir())
        return Result<LogImportSummary>::failure(QStringLiteral("cannot read %1: it is a folder").arg(path));
    return importDevice(file, info.fileName(), info.absoluteFilePath());
}

Result<LogImportSummary> LogImporter::importDevice(QIODevice &device, const QString &name, const QString &path)
{
    using R = Result<LogImportSummary>;
    m_cancel.store(false);
    LogImportSummary s;
    s.record.file = name;
    s.record.path = path;
    s.record.startedAtMs = QDateTime::currentMSecsSinceEpoch();
    const qint64 total = device.isSequential() ? 0 : device.size();
    s.bytes = total;
    if (looksLikePlatformLogs(device.peek(4096)))
        return importPlatformLogs(device, std::move(s));

    auto importId = m_store.beginImport(name, path, s.record.startedAtMs);
    if (!importId)
        return R::failure(importId.error());
    s.record.id = importId.value();
    const bool bulk = total >= bulkFromBytes;
    if (bulk)
        m_store.beginBulk();

    LogLineReader reader(&device);
    // Identical lines of one second (the same rate-limit warning twice, say) get different keys: the key of the
    // first, and how many identical ones came before. Lines of other seconds cannot be identical in a sorted log;
    // in an unsorted one, identical lines apart share a key, which is still right: the store skips a key only when
    // an earlier import has it.
    std::unordered_map<QByteArray, int> seen; // key of occurrence 0 -> identical lines so far, in this second
    QByteArray second;
    std::map<qint64, LogHour> hours;
    std::optional<qint64> oldestInfo, oldestError;
    std::optional<qint64> lastTime;
    std::vector<Delivery> undated; // lines without a date before the first dated one
    Feeder feeder(m_store, bulk);
    const auto problem = [&s](int line, const QString &message, bool error) { addProblem(s, line, message, error); };
    const auto send = [&feeder](Delivery d) { feeder.send(std::move(d)); };

    QByteArray raw;
    int number = 0;
    bool cut = false;
    qint64 lastProgress = 0;
    bool cancelled = false;
    while (reader.next(raw, number, cut)) {
        if (m_cancel.load(std::memory_order_relaxed)) {
            cancelled = true;
            break;
        }
        ++s.record.lines;
        if (!raw.startsWith(second) || second.isEmpty()) {
            second = raw.first(std::min<qsizetype>(raw.size(), 19));
            seen.clear();
        }
        const auto first = seen.try_emplace(logLineKey(raw, 0), 0);
        const int occurrence = first.second ? 0 : ++first.first->second;
        Delivery d;
        d.logKey = occurrence == 0 ? first.first->first : logLineKey(raw, occurrence);
        LogLine l = parseLogLine(std::move(raw), number);
        d.origin = Origin::Log;
        d.format = Format::Akeneo;
        d.logFile = name;
        d.logLine = number;
        d.importId = s.record.id;
        d.logLevel = l.level;
        d.logMessage = l.kind;
        d.error = l.error;
        if (cut)
            d.error = QStringLiteral("the line is longer than %1 MiB: only its first %1 MiB are kept")
                          .arg(LogLineReader::maxLineBytes >> 20);
        if (l.contextOffset >= 0) {
            LogContext c = m_parser.parseLogContext(l.raw, l.contextOffset);
            const Headers redacted = m_redactor.redacted(c.headers);
            // A secret the PIM wrote into the line (an Authorization header of the request it sent) is no more kept
            // in the stored line than in its headers: its marker replaces it there, and the line is read again (the
            // events' offsets moved). The line's key stays that of the line as the file has it.
            QStringList secretNames;
            if (QByteArray clean = withSecretsRedacted(l.raw, c.headers, redacted, secretNames); !clean.isNull()) {
                l = parseLogLine(std::move(clean), number);
                c = m_parser.parseLogContext(l.raw, l.contextOffset);
                c.warnings.prepend(
                    QStringLiteral("the value of %1 is redacted in the stored line: it is not the file's "
                                   "line byte for byte")
                        .arg(secretNames.join(QStringLiteral(", "))));
            }
            if (d.error.isEmpty())
                d.error = c.error;
            d.events = std::move(c.events);
            d.url = std::move(c.url);
            d.statusCode = c.statusCode;
            d.headers = redacted;
            d.warnings = std::move(c.warnings);
        }
        if (const qsizetype badByte = firstInvalidUtf8(l.raw); badByte >= 0 && d.error.isEmpty()) {
            // Akeneo writes UTF-8 (and its JSON escapes everything else): someone's editor re-encoded the file?
            d.warnings.prepend(
                QStringLiteral("invalid UTF-8 at column %1: the bytes are kept as they are").arg(badByte + 1));
        }
        if (!d.error.isEmpty()) {
            ++s.malformedLines;
            problem(number, d.error, true);
        }
        for (const QString &w : std::as_const(d.warnings))
            problem(number, w, false);
        d.body = std::move(l.raw);
        d.bodySize = d.body.size();
        s.eventsInFile += d.events.size();
        if (l.level)
            ++s.byLevel[*l.level];
        ++s.byKind[l.kind];

        if (l.timeMs) {
            const qint64 t = *l.timeMs;
            d.receivedAtMs = t;
            lastTime = t;
            s.record.firstAtMs = std::min(s.record.firstAtMs.value_or(t), t);
            s.record.lastAtMs = std::max(s.record.lastAtMs.value_or(t), t);
            if (l.level == LogLevel::Info || l.level == LogLevel::Notice)
                oldestInfo = std::min(oldestInfo.value_or(t), t);
            else if (l.level)
                oldestError = std::min(oldestError.value_or(t), t);
            LogHour &h = hours[t - t % hourMs];
            h.startMs = t - t % hourMs;
            const bool request = l.kind == LogMessage::RequestSent || l.kind == LogMessage::EndpointError
                || l.kind == LogMessage::Timeout;
            h.requests += request ? 1 : 0;
            h.errors += l.level == LogLevel::Error ? 1 : 0;
            h.timeouts += l.kind == LogMessage::Timeout ? 1 : 0;
            h.quotaWarnings += l.kind == LogMessage::RateLimit ? 1 : 0;
            for (Delivery &u : undated) {
                u.receivedAtMs = t;
                send(std::move(u));
            }
            undated.clear();
        } else if (lastTime) {
            d.receivedAtMs = *lastTime;
        } else {
            undated.push_back(std::move(d));
            if (undated.size() >= 1000) {
                // A long run of undated lines at the start: they take the time of the import.
                for (Delivery &u : undated) {
                    u.receivedAtMs = s.record.startedAtMs;
                    send(std::move(u));
                }
                undated.clear();
            }
            continue;
        }
        send(std::move(d));
        if (m_progress && (reader.position() - lastProgress >= (qint64(1) << 20) || s.record.lines % 1024 == 0)) {
            lastProgress = reader.position();
            m_progress(lastProgress, total);
        }
    }
    for (Delivery &u : undated) {
        u.receivedAtMs = s.record.startedAtMs;
        send(std::move(u));
    }
    const QString readError = cancelled ? QString() : reader.error();

    // Everything of the file is queued: wait for it, then keep it or take it out.
    feeder.drain();
    const ImportProgress progress = m_store.importProgress(s.record.id);
    if (!readError.isEmpty())
        return abandon(m_store, std::move(s), bulk,
                       QStringLiteral("cannot read %1 (line %2): %3; nothing of it was kept")
                           .arg(path)
                           .arg(number + 1)
                           .arg(readError));
    if (!progress.error.isEmpty())
        return abandon(m_store, std::move(s), bulk,
                       QStringLiteral("cannot store %1: %2; nothing of it was kept").arg(path, progress.error));
    if (cancelled)
        return abandon(m_store, std::move(s), bulk, QString());

    // What the file covers completely (see ImportRecord): the PIM keeps ERROR and WARNING lines for 72 h (from the
    // download, whose time the file's name gives), and only the last 100 INFO and NOTICE lines; the oldest line kept
    // of each group shows where that group is complete. The margins absorb the clocks of the PIM and this machine.
    ImportRecord &r = s.record;
    r.added = progress.added;
    r.events = progress.events;
    r.finishedAtMs = QDateTime::currentMSecsSinceEpoch();
    if (r.lastAtMs) {
        r.coversToMs = *r.lastAtMs - coverageMarginMs;
        if (oldestInfo)
            r.infoFromMs = *oldestInfo + coverageMarginMs;
        const auto downloaded = downloadTimeFromName(name);
        if (downloaded && *downloaded >= *r.lastAtMs)
            r.errorFromMs = *downloaded - errorRetentionMs + coverageMarginMs;
        else if (oldestError)
            r.errorFromMs = *oldestError + coverageMarginMs;
        if (r.infoFromMs && *r.infoFromMs > *r.coversToMs)
            r.infoFromMs.reset();
        if (r.errorFromMs && *r.errorFromMs > *r.coversToMs)
            r.errorFromMs.reset();
    }
    complete(m_store, s, bulk, hours);
    if (m_progress)
        m_progress(reader.position(), total);
    return s;
}

Result<LogImportSummary> LogImporter::importPlatformLogs(QIODevice &device, LogImportSummary s)
{
    // Read before anything is recorded: a file that cannot be read leaves nothing behind.
    const QByteArray bytes = device.readAll();
    if (bytes.isEmpty() && !device.atEnd())
        return Result<LogImportSummary>::failure(
            QStringLiteral("cannot read %1: %2; nothing of it was kept").arg(s.record.path, device.errorString()));
    s.bytes = bytes.size();
    const PlatformLogDocument doc = readPlatformLogs(bytes);
    s.shape = doc.shape;
    s.record.format = Format::AkeneoEventPlatform;

    auto importId = m_store.beginImport(s.record.file, s.record.path, s.record.startedAtMs);
    if (!importId)
        return Result<LogImportSummary>::failure(importId.error());
    s.record.id = importId.value();
    const bool bulk = s.bytes >= bulkFromBytes;
    if (bulk)
        m_store.beginBulk();

    // The destination of each subscription an entry names (its path pairs the entries with the captured traffic).
    for (const PlatformLogEntry &e : doc.entries) {
        if (!e.destination.isEmpty() && !e.subscriptionId.isEmpty() && !s.destinations.contains(e.subscriptionId))
            s.destinations.insert(e.subscriptionId, e.destination);
    }
    // An entry without a timestamp takes the time of the one before it (the first dated one's at the start).
    std::optional<qint64> lastTime;
    for (const PlatformLogEntry &e : doc.entries) {
        if (e.timeMs) {
            lastTime = e.timeMs;
            break;
        }
    }
    std::map<qint64, LogHour> hours;
    std::optional<qint64> oldestError;
    QHash<QByteArray, int> occurrences;
    Feeder feeder(m_store, bulk);
    for (const PlatformLogEntry &e : doc.entries) {
        if (m_cancel.load(std::memory_order_relaxed))
            return abandon(m_store, std::move(s), bulk, QString());
        ++s.record.lines;
        Delivery d;
        d.origin = Origin::Log;
        d.format = Format::AkeneoEventPlatform;
        d.logFile = s.record.file;
        d.logLine = e.line;
        d.importId = s.record.id;
        d.logLevel = e.level;
        d.logMessage = e.kind;
        d.statusCode = e.statusCode;
        d.error = e.error;
        d.warnings = e.warnings;
        const QString destination = s.destinations.value(e.subscriptionId);
        if (!destination.isEmpty()) {
            d.url = destination;
            d.path = receivingPath(QUrl(destination));
        }
        if (e.timeMs)
            lastTime = e.timeMs;
        d.receivedAtMs = lastTime.value_or(s.record.startedAtMs);
        const QByteArray key = platformLogKey(e, 0);
        const int occurrence = occurrences[key]++;
        d.logKey = occurrence == 0 ? key : platformLogKey(e, occurrence);
        if (e.error.isNull()) {
            Event event;
            event.action = e.operation;
            event.subjectType = QStringLiteral("subscription");
            event.subjectId = e.subscriptionId;
            event.payloadOffset = 0;
            event.payloadLength = e.raw.size();
            d.events.append(event);
            ++s.eventsInFile;
        } else {
            ++s.malformedLines;
            addProblem(s, e.line, QStringLiteral("entry %1: %2").arg(e.number).arg(e.error), true);
        }
        for (const QString &w : e.warnings)
            addProblem(s, e.line, QStringLiteral("entry %1: %2").arg(e.number).arg(w), false);
        d.body = e.raw;
        d.bodySize = d.body.size();
        if (e.level)
            ++s.byLevel[*e.level];
        ++s.byKind[e.kind];
        if (e.deliveryFailed())
            ++s.failuresByReason[e.errorReason.isNull() ? QString() : e.errorReason];
        if (!e.subscriptionId.isEmpty())
            ++s.entriesBySubscription[e.subscriptionId];
        if (e.timeMs) {
            const qint64 t = *e.timeMs;
            s.record.firstAtMs = std::min(s.record.firstAtMs.value_or(t), t);
            s.record.lastAtMs = std::max(s.record.lastAtMs.value_or(t), t);
            LogHour &h = hours[t - t % hourMs];
            h.startMs = t - t % hourMs;
            h.requests += e.deliveryFailed() ? 1 : 0;
            h.errors += e.level == LogLevel::Error ? 1 : 0;
            h.timeouts += e.kind == LogMessage::Timeout ? 1 : 0;
            if (e.level == LogLevel::Error)
                oldestError = std::min(oldestError.value_or(t), t);
        }
        feeder.send(std::move(d));
        if (m_progress && s.record.lines % 1024 == 0)
            m_progress(s.bytes * s.record.lines / qint64(std::max<std::size_t>(1, doc.entries.size())), s.bytes);
    }
    feeder.drain();
    const ImportProgress progress = m_store.importProgress(s.record.id);
    if (!progress.error.isEmpty()) {
        const QString failure
            = QStringLiteral("cannot store %1: %2; nothing of it was kept").arg(s.record.path, progress.error);
        return abandon(m_store, std::move(s), bulk, failure);
    }

    // What the file covers: the Logs API logs delivery errors only (no successes), an error at t in an entry
    // between t and 5 minutes later (its merge window). So from its oldest error entry to 5 minutes before its newest
    // entry, a delivery failure would have an entry, provided the export was not filtered (by type or subscription,
    // which the file cannot tell: the pairing by path narrows it, see filter/reconciliation.h). No errors at all: the
    // file may have been filtered to actions, and it claims nothing.
    ImportRecord &r = s.record;
    r.added = progress.added;
    r.events = progress.events;
    r.finishedAtMs = QDateTime::currentMSecsSinceEpoch();
    if (r.lastAtMs && oldestError) {
        r.coversToMs = *r.lastAtMs - platformMergeMs - coverageMarginMs;
        r.errorFromMs = *oldestError + coverageMarginMs;
        if (*r.errorFromMs > *r.coversToMs) {
            r.coversToMs.reset();
            r.errorFromMs.reset();
        }
    }
    complete(m_store, s, bulk, hours);
    if (m_progress)
        m_progress(s.bytes, s.bytes);
    return s;
}

} // namespace pimscope
