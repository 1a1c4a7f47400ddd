#include "formats/platformlog.h"

#include "formats/json/checker.h"
#include "formats/json/reading.h"
#include "formats/json/spans.h"
#include "formats/logline.h"
#include "util/timeutil.h"

#include <simdjson.h>

#include <array>

namespace pimscope {

namespace {

namespace dom = simdjson::dom;
using parsing::Span;

constexpr std::string_view bom = "\xEF\xBB\xBF";

QString str(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

/** The string member `key` of `object`, null when absent or not a string (then a warning, unless null). */
QString member(dom::object object, std::string_view key, QStringList &warnings)
{
    dom::element v;
    if (object.at_key(key).get(v))
        return {};
    std::string_view s;
    if (!v.get_string().get(s))
        return str(s);
    if (!v.is_null())
        warnings << QStringLiteral("%1 is %2, expected a string").arg(str(key), parsing::typeName(v));
    return {};
}

/**
 * Failure reasons of the transport, for which the platform logs 500 though the endpoint never answered (logs.md: "a
 * transport failure (timeout, DNS, TLS, connection refused, ...) is reported with a 500 error code"). The reasons are
 * a fixed set the page does not list whole: these words cover its examples and the failures it names.
 */
bool transportReason(const QString &reason)
{
    static const std::array words{
        QStringLiteral("timeout"),     QStringLiteral("refused"), QStringLiteral("dns"),
        QStringLiteral("tls"),         QStringLiteral("ssl"),     QStringLiteral("certificate"),
        QStringLiteral("unreachable"), QStringLiteral("reset"),   QStringLiteral("network")};
    for (const QString &w : words) {
        if (reason.contains(w, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

void readEntry(dom::element element, PlatformLogEntry &e)
{
    dom::object object;
    if (element.get_object().get(object)) {
        e.error = QStringLiteral("entry %1 is %2, expected an object").arg(e.number).arg(parsing::typeName(element));
        return;
    }
    QStringList &w = e.warnings;
    e.logId = member(object, "log_id", w);
    const QString type = member(object, "log_type", w);
    const QString timestamp = member(object, "timestamp", w);
    e.operation = member(object, "operation", w);
    e.subscriptionId = member(object, "subscription_id", w);
    e.errorType = member(object, "error_type", w);
    e.errorReason = member(object, "error_reason", w);
    if (dom::element code; !object.at_key("error_code").get(code) && !code.is_null()) {
        int64_t n = 0;
        std::string_view text;
        bool numeric = false;
        if (!code.get_int64().get(n) && n >= 0 && n < 1000)
            e.errorCode = int(n);
        else if (int status = 0; !code.get_string().get(text) && (status = str(text).toInt(&numeric), numeric))
            e.errorCode = status;
        else
            w << QStringLiteral("error_code is %1, expected an HTTP status").arg(parsing::typeName(code));
    }
    // The destination a subscription's action names: response.config.url (logs.md's action example).
    if (dom::element url; !element.at_pointer("/response/config/url").get(url)) {
        if (std::string_view s; !url.get_string().get(s))
            e.destination = str(s);
    }

    if (timestamp.isNull())
        e.error = QStringLiteral("entry %1 has no timestamp").arg(e.number);
    else if (!(e.timeMs = parseIsoDateTime(QStringView(timestamp))))
        e.error = QStringLiteral("entry %1 has a timestamp that is not RFC 3339: %2")
                      .arg(e.number)
                      .arg(parsing::shownValue(timestamp.toStdString()));
    if (e.logId.isNull())
        w << QStringLiteral("no log_id");
    if (e.subscriptionId.isNull())
        w << QStringLiteral("no subscription_id");
    if (type == u"error") {
        e.level = LogLevel::Error;
        if (e.operation == u"failed_to_deliver_event" || e.errorType == u"failed_delivery")
            e.kind = e.errorReason == u"destination_timeout" ? LogMessage::Timeout : LogMessage::EndpointError;
        if (e.deliveryFailed() && !transportReason(e.errorReason))
            e.statusCode = e.errorCode;
    } else if (type == u"action") {
        e.level = LogLevel::Info;
        e.kind = LogMessage::PlatformAction;
    } else if (!type.isNull()) {
        w << QStringLiteral("unknown log_type %1 (expected action or error)")
                 .arg(parsing::shownValue(type.toStdString()));
    } else {
        w << QStringLiteral("no log_type");
    }
}

/** Where an array of entries is in an object: the first member that holds one, at the root or one level down. */
struct Found
{
    dom::array array;
    qsizetype begin = -1; ///< where the array starts in the text
    QString name;
};

bool isEntry(dom::element e)
{
    dom::object o;
    return !e.get_object().get(o) && (!o.at_key("log_id").error() || !o.at_key("log_type").error());
}

std::optional<Found> findEntries(dom::object object, const char *p, qsizetype objectBegin, qsizetype n,
                                 const QString &prefix, int depth)
{
    std::optional<Found> empty; // an empty array: a page without entries, unless a member holds some
    int index = 0;
    for (const dom::key_value_pair m : object) {
        const QString name = prefix + str(m.key);
        dom::array array;
        if (!m.value.get_array().get(array)) {
            const bool entries = array.size() > 0 && isEntry(array.at(0).value_unsafe());
            if (entries || (array.size() == 0 && !empty)) {
                Found f{array, parsing::memberValue(p, objectBegin, n, index), name};
                if (entries)
                    return f;
                empty = f;
            }
        } else if (dom::object inner; depth == 0 && !m.value.get_object().get(inner)) {
            if (auto f = findEntries(inner, p, parsing::memberValue(p, objectBegin, n, index), n, name + u'.', 1);
                f && f->array.size() > 0)
                return f;
        }
        ++index;
    }
    return empty;
}

class Reader
{
public:
    Reader(const char *text, qsizetype size)
        : m_p(text)
        , m_n(size)
    {
    }

    PlatformLogDocument doc;

    /** Reads a valid JSON value `root` that starts at `begin`: an array, a page, or one entry. */
    void readValue(dom::element root, qsizetype begin, qsizetype end, bool line)
    {
        if (dom::array array; !root.get_array().get(array)) {
            shape(line, QStringLiteral("a list of entries"));
            readArray(array, begin);
            return;
        }
        dom::object object;
        if (!root.get_object().get(object) && !isEntry(root)) {
            if (const auto found = findEntries(object, m_p, begin, m_n, QString(), 0)) {
                shape(line, QStringLiteral("a page of the API (its \"%1\" array)").arg(found->name));
                readArray(found->array, found->begin);
                return;
            }
        }
        shape(line, QStringLiteral("one entry"));
        add(root, Span{begin, end});
        if (dom::object o; !root.get_object().get(o) && !isEntry(root))
            doc.entries.back().error
                = QStringLiteral("entry %1 is not a log entry: it has neither log_id nor log_type, and holds no "
                                 "array of them")
                      .arg(doc.entries.back().number);
    }

    void add(dom::element element, Span span)
    {
        PlatformLogEntry e = start(span);
        readEntry(element, e);
        doc.entries.push_back(std::move(e));
    }

    PlatformLogEntry &addBroken(Span span, const QString &error)
    {
        PlatformLogEntry e = start(span);
        e.error = error;
        doc.entries.push_back(std::move(e));
        return doc.entries.back();
    }

private:
    const char *m_p;
    qsizetype m_n;
    qsizetype m_lineAt = 0; ///< the offset m_line counts to
    int m_line = 1;

    void shape(bool line, const QString &what)
    {
        if (!line && doc.shape.isEmpty())
            doc.shape = what;
    }

    PlatformLogEntry start(Span span)
    {
        for (; m_lineAt < span.begin; ++m_lineAt)
            m_line += m_p[m_lineAt] == '\n' ? 1 : 0;
        PlatformLogEntry e;
        e.number = int(doc.entries.size()) + 1;
        e.line = m_line;
        e.raw = QByteArray(m_p + span.begin, span.end - span.begin);
        return e;
    }

    void readArray(dom::array array, qsizetype begin)
    {
        const std::vector<Span> spans = parsing::elementSpans(m_p, begin, m_n);
        std::size_t i = 0;
        for (const dom::element element : array) {
            if (i < spans.size())
                add(element, spans[i]);
            ++i;
        }
    }
};

} // namespace

bool looksLikePlatformLogs(QByteArrayView head)
{
    if (head.startsWith(QByteArrayView(bom.data(), qsizetype(bom.size()))))
        head = head.sliced(qsizetype(bom.size()));
    const qsizetype i = parsing::skipSpace(head.data(), 0, head.size());
    return i < head.size() && (head[i] == '{' || head[i] == '[');
}

PlatformLogDocument readPlatformLogs(const QByteArray &bytes)
{
    qsizetype base = bytes.startsWith(QByteArrayView(bom.data(), qsizetype(bom.size()))) ? qsizetype(bom.size()) : 0;
    const char *p = bytes.constData();
    const qsizetype n = bytes.size();
    Reader reader(p, n);
    dom::parser parser;
    dom::element root;
    const std::string_view whole(p + base, std::size_t(n - base));
    if (!parser.parse(whole.data(), whole.size()).get(root)) {
        const Span span = parsing::rootSpan(p + base, n - base);
        reader.readValue(root, base + span.begin, base + span.end, false);
        return std::move(reader.doc);
    }
    // Not one JSON text: JSON lines (pages or entries saved one per line), unless the first line is not JSON either.
    std::vector<Span> lines;
    for (qsizetype at = base; at < n;) {
        qsizetype end = at;
        while (end < n && p[end] != '\n')
            ++end;
        qsizetype b = parsing::skipSpace(p, at, end);
        qsizetype e = end;
        while (e > b && parsing::isJsonSpace(p[e - 1]))
            --e;
        if (e > b)
            lines.push_back(Span{b, e});
        at = end + 1;
    }
    const auto parseLine = [&](Span s) { return parser.parse(p + s.begin, std::size_t(s.end - s.begin)).get(root); };
    if (lines.empty() || (lines.size() > 1 && parseLine(lines.front()))) {
        const auto problem = parsing::checkJson(whole, nullptr);
        reader.addBroken(
            Span{base, n},
            lines.empty() ? QStringLiteral("the file is empty: no log entries")
                : problem
                ? QStringLiteral("not a Logs API file: %1").arg(parsing::describeProblem(whole, base, *problem))
                : QStringLiteral("not a Logs API file"));
        reader.doc.shape = lines.empty() ? QStringLiteral("empty") : QStringLiteral("not JSON");
        return std::move(reader.doc);
    }
    reader.doc.shape = QStringLiteral("JSON lines");
    for (const Span s : lines) {
        if (!parseLine(s)) {
            reader.readValue(root, s.begin, s.end, true);
            continue;
        }
        const std::string_view text(p + s.begin, std::size_t(s.end - s.begin));
        const auto problem = parsing::checkJson(text, nullptr);
        PlatformLogEntry &e = reader.addBroken(s, QString());
        e.error = problem ? QStringLiteral("line %1: %2").arg(e.line).arg(parsing::describeProblem(text, 0, *problem))
                          : QStringLiteral("line %1 is not JSON").arg(e.line);
    }
    return std::move(reader.doc);
}

QByteArray platformLogKey(const PlatformLogEntry &entry, int occurrence)
{
    // A log id names one entry, and a merged error entry moves its timestamp to its last occurrence: the id and the
    // timestamp together name what an export shows, however it is laid out (pretty-printed or not).
    if (!entry.logId.isEmpty() && entry.timeMs)
        return logEntryKey(entry.timeMs, QByteArray(entry.logId.toUtf8() + '\n' + toIsoUtc(*entry.timeMs).toUtf8()),
                           occurrence);
    return logEntryKey(entry.timeMs, entry.raw, occurrence);
}

} // namespace pimscope
