#include "payloadparser.h"

#include "util/timeutil.h"
#include "util/utf8.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

// How the parser works
//
// 1. simdjson's DOM parser validates the whole body (grammar, UTF-8, depth) and builds a tape; the fields are
//    read from the tape. It is the only full pass over the body on the success path.
// 2. simdjson does not give byte positions, so a small scanner walks the (now known valid) text to find the
//    byte range of each event object: it only skips strings (memchr) and counts brackets, and it locates a
//    root member by its index in document order, which is the order simdjson's DOM iterates in.
// 3. Only when simdjson rejects a body does a strict, iterative JSON checker walk it again to find the first
//    problem and its position (line, column, byte), so that errors say exactly what is wrong and where.
//
// Akeneo Event Platform mapping (payload shape from Akeneo's "Available events" and "Concepts" pages,
// api.akeneo.com/event-platform/available-events.html and concepts.html; akeneo/pim-api-docs
// content/event-platform/*.md). A message is a CloudEvents 1.0 object:
//   {"specversion":"1.0","id":"018e32f9-…","type":"com.akeneo.pim.v1.product.updated","source":"pim",
//    "subject":"019256aa-…","time":"2024-02-22T17:31:00Z","datacontenttype":"application/json",
//    "dataschema":"https://…schema.json",
//    "data":{"product":{"uuid":"6a9f8486-…"},"author":{"identifier":"admin","type":"user"}}}
// - eventId = id, action = type, eventTimeMs = time, pimSource = source (always "pim" today).
// - author = data.author.identifier, authorType = data.author.type (user, api, job, system, unknown-user-type);
//   both null when data.author is absent (older messages do not carry it).
// - subjectType = the entity word after "com.akeneo.pim.vN." with '-' turned into '_' ("product",
//   "product_model", "attribute_option", "reference_entity_record", ...). That is also the key of the entity
//   object in data (data.product, data.product_model, data.attribute_option, ...).
// - subjectUuid = data.<entity>.uuid (products are identified by UUID only); subjectId = data.<entity>.code
//   (product models and most other entities), else .identifier, else .client_id (apps, connections).
// - The CloudEvents `subject` is not the product: Akeneo documents it as the subscription (PIM) the event
//   comes from, so it is not mapped; it stays in the raw bytes.
// A body that is a JSON array whose first element has "specversion" is a batch: each element is an event.
//
// Invalid JSON is Format::Unknown, except when the text starts like an Akeneo envelope ({"events") or a
// CloudEvent ({"specversion" or [{"specversion"): then the format is the one it started as, so that a
// truncated delivery of a known PIM still shows where it came from.

namespace pimscope {

namespace dom = simdjson::dom;

static_assert(PayloadParser::maxDepth == int(simdjson::DEFAULT_MAX_DEPTH), "the checker must agree with simdjson");

namespace {

constexpr std::string_view utf8Bom = "\xEF\xBB\xBF";
constexpr qsizetype akeneoMaxEvents = 10;

struct Span
{
    qsizetype begin = 0;
    qsizetype end = 0;
};

bool isJsonSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

QString number(qsizetype n)
{
    return QString::number(n);
}

QString toQString(std::string_view s)
{
    // Present but empty stays distinguishable from absent: empty, not null.
    if (s.empty())
        return QStringLiteral("");
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

/** A value shown inside a message: quoted, cut after 60 bytes. */
QString shownValue(std::string_view s)
{
    constexpr std::size_t shown = 60;
    if (s.size() <= shown)
        return u'"' + QString::fromUtf8(s.data(), qsizetype(s.size())) + u'"';
    return u'"' + QString::fromUtf8(s.data(), qsizetype(shown)) + QStringLiteral("...\"");
}

QString typeName(dom::element e)
{
    switch (e.type()) {
    case dom::element_type::ARRAY:
        return QStringLiteral("an array");
    case dom::element_type::OBJECT:
        return QStringLiteral("an object");
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE:
        return QStringLiteral("a number");
    case dom::element_type::STRING:
        return QStringLiteral("a string");
    case dom::element_type::BOOL:
        return QStringLiteral("a boolean");
    case dom::element_type::NULL_VALUE:
        return QStringLiteral("null");
    }
    return QStringLiteral("a value");
}

// ---------------------------------------------------------------------------------------------------------------
// Byte ranges inside text that simdjson has already validated (so no checks beyond staying inside the buffer).

qsizetype skipSpace(const char *p, qsizetype i, qsizetype n)
{
    while (i < n && isJsonSpace(p[i]))
        ++i;
    return i;
}

/** Whether a quote at p[quote] closes the string that opened at p[open]: not when an odd number of backslashes
 *  precede it. */
bool closesString(const char *p, qsizetype open, qsizetype quote)
{
    qsizetype b = quote;
    while (b > open + 1 && p[b - 1] == '\\')
        --b;
    return ((quote - b) & 1) == 0;
}

/** p[i] is an opening quote; returns the index after the closing one. */
qsizetype skipString(const char *p, qsizetype i, qsizetype n)
{
    // Most strings are short (keys, codes): look at a few bytes before paying for a memchr call.
    const qsizetype inlineEnd = std::min(n, i + 24);
    for (qsizetype j = i + 1; j < inlineEnd; ++j) {
        if (p[j] == '"' && closesString(p, i, j))
            return j + 1;
    }
    qsizetype from = inlineEnd;
    while (from < n) {
        const auto *q = static_cast<const char *>(std::memchr(p + from, '"', std::size_t(n - from)));
        if (!q)
            return n;
        const qsizetype quote = q - p;
        if (closesString(p, i, quote))
            return quote + 1;
        from = quote + 1;
    }
    return n;
}

/** Bytes the container scan stops at. */
constexpr auto scanStops = [] {
    std::array<bool, 256> stops{};
    for (const char c : {'"', '{', '}', '[', ']'})
        stops[uchar(c)] = true;
    return stops;
}();

qsizetype skipValue(const char *p, qsizetype i, qsizetype n)
{
    if (i >= n)
        return n;
    if (p[i] == '"')
        return skipString(p, i, n);
    if (p[i] != '{' && p[i] != '[') {
        while (i < n && !isJsonSpace(p[i]) && p[i] != ',' && p[i] != '}' && p[i] != ']')
            ++i;
        return i;
    }
    qsizetype depth = 0;
    while (i < n) {
        const char c = p[i];
        if (!scanStops[uchar(c)]) {
            ++i;
        } else if (c == '"') {
            i = skipString(p, i, n);
        } else {
            if (c == '{' || c == '[')
                ++depth;
            else if (--depth == 0)
                return i + 1;
            ++i;
        }
    }
    return n;
}

Span rootSpan(const char *p, qsizetype n)
{
    const qsizetype begin = skipSpace(p, 0, n);
    return {begin, skipValue(p, begin, n)};
}

/** p[i] is '{'; returns where the value of the index-th member (in document order) starts. */
qsizetype memberValue(const char *p, qsizetype i, qsizetype n, int index)
{
    i = skipSpace(p, i + 1, n);
    for (int k = 0; i < n && p[i] == '"'; ++k) {
        i = skipSpace(p, skipString(p, i, n), n); // at ':'
        i = skipSpace(p, i + 1, n);
        if (k == index)
            return i;
        i = skipSpace(p, skipValue(p, i, n), n); // at ',' or '}'
        i = skipSpace(p, i + 1, n);
    }
    return n;
}

/** p[i] is '['; the byte ranges of its elements. */
std::vector<Span> elementSpans(const char *p, qsizetype i, qsizetype n)
{
    std::vector<Span> spans;
    if (i >= n || p[i] != '[')
        return spans;
    i = skipSpace(p, i + 1, n);
    if (i < n && p[i] == ']')
        return spans;
    while (i < n) {
        const qsizetype end = skipValue(p, i, n);
        spans.push_back({i, end});
        i = skipSpace(p, end, n);
        if (i >= n || p[i] != ',')
            break;
        i = skipSpace(p, i + 1, n);
    }
    return spans;
}

// ---------------------------------------------------------------------------------------------------------------
// The error path: a strict JSON checker that finds the first problem and where it is.

QString hexByte(uchar c)
{
    return QStringLiteral("0x") + QString::number(c, 16).toUpper().rightJustified(2, u'0');
}

QString utf8Problem(const uchar *p, qsizetype i, qsizetype n)
{
    const uchar c = p[i];
    const QString hex = hexByte(c);
    if (c >= 0x80 && c <= 0xBF)
        return QStringLiteral("unexpected continuation byte %1").arg(hex);
    if (c == 0xC0 || c == 0xC1 || c >= 0xF5)
        return QStringLiteral("byte %1 never occurs in UTF-8 (Latin-1 or Windows-1252 text?)").arg(hex);
    const int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    for (int k = 1; k < len; ++k) {
        if (i + k >= n)
            return QStringLiteral("the %1-byte sequence starting with byte %2 is cut short by the end of the body")
                .arg(number(len), hex);
        if ((p[i + k] & 0xC0) != 0x80)
            return QStringLiteral("byte %1 is not followed by the continuation bytes of a %2-byte sequence "
                                  "(Latin-1 or Windows-1252 text?)")
                .arg(hex, number(len));
    }
    return QStringLiteral("overlong, surrogate or out-of-range sequence starting with byte %1").arg(hex);
}

struct Problem
{
    qsizetype offset = 0; ///< in the checked text
    QString what;
    bool utf8 = false;
};

class JsonChecker
{
public:
    JsonChecker(std::string_view text, std::vector<Span> *numbers)
        : m_p(reinterpret_cast<const uchar *>(text.data()))
        , m_n(qsizetype(text.size()))
        , m_numbers(numbers)
    {
    }

    /** Walks the whole text without recursion; the first problem, or nothing when the text is valid JSON. */
    std::optional<Problem> check()
    {
        enum class State { Value, FirstElement, FirstKey, Key, AfterValue };
        State state = State::Value;
        qsizetype i = 0;
        for (;;) {
            while (i < m_n && isJsonSpace(char(m_p[i])))
                ++i;
            switch (state) {
            case State::FirstElement:
                if (i < m_n && m_p[i] == ']') {
                    m_stack.pop_back();
                    ++i;
                    state = State::AfterValue;
                } else {
                    state = State::Value;
                }
                continue;
            case State::FirstKey:
                if (i < m_n && m_p[i] == '}') {
                    m_stack.pop_back();
                    ++i;
                    state = State::AfterValue;
                    continue;
                }
                [[fallthrough]];
            case State::Key: {
                if (i >= m_n)
                    return endOfInput();
                if (m_p[i] != '"')
                    return unexpected(i,
                                      state == State::FirstKey ? QStringLiteral("expected a string key or '}'")
                                                               : QStringLiteral("expected a string key"));
                auto end = string(i);
                if (!end)
                    return m_problem;
                i = *end;
                while (i < m_n && isJsonSpace(char(m_p[i])))
                    ++i;
                if (i >= m_n)
                    return endOfInput();
                if (m_p[i] != ':')
                    return unexpected(i, QStringLiteral("expected ':' after the object key"));
                ++i;
                state = State::Value;
                continue;
            }
            case State::Value: {
                if (i >= m_n)
                    return m_stack.empty() ? std::optional(Problem{i, QStringLiteral("no JSON value"), false})
                                           : endOfInput();
                const uchar c = m_p[i];
                if (c == '{' || c == '[') {
                    if (qsizetype(m_stack.size()) >= PayloadParser::maxDepth)
                        return Problem{i, QStringLiteral("nesting deeper than %1 levels").arg(PayloadParser::maxDepth),
                                       false};
                    m_stack.push_back({char(c), i});
                    ++i;
                    state = c == '{' ? State::FirstKey : State::FirstElement;
                    continue;
                }
                std::optional<qsizetype> end;
                if (c == '"')
                    end = string(i);
                else if (c == 't' || c == 'f' || c == 'n')
                    end = literal(i);
                else if (c == '-' || (c >= '0' && c <= '9'))
                    end = numberToken(i);
                else
                    return unexpected(i, QStringLiteral("expected a value"));
                if (!end)
                    return m_problem;
                i = *end;
                state = State::AfterValue;
                continue;
            }
            case State::AfterValue:
                if (m_stack.empty()) {
                    if (i < m_n)
                        return unexpected(i, QStringLiteral("expected nothing after the JSON value"));
                    return std::nullopt;
                }
                if (i >= m_n)
                    return endOfInput();
                if (m_stack.back().kind == '{') {
                    if (m_p[i] == ',') {
                        ++i;
                        state = State::Key;
                    } else if (m_p[i] == '}') {
                        m_stack.pop_back();
                        ++i;
                    } else {
                        return unexpected(i, QStringLiteral("expected ',' or '}' after an object member"));
                    }
                } else {
                    if (m_p[i] == ',') {
                        ++i;
                        state = State::Value;
                    } else if (m_p[i] == ']') {
                        m_stack.pop_back();
                        ++i;
                    } else {
                        return unexpected(i, QStringLiteral("expected ',' or ']' after an array element"));
                    }
                }
                continue;
            }
        }
    }

private:
    struct Open
    {
        char kind;
        qsizetype offset;
    };

    std::optional<Problem> endOfInput() const
    {
        const Open &open = m_stack.back();
        return Problem{
            m_n,
            QStringLiteral("unexpected end of the body; the %1 opened at byte %2 is not closed")
                .arg(open.kind == '{' ? QStringLiteral("object") : QStringLiteral("array"), number(open.offset)),
            false};
    }

    Problem unexpected(qsizetype i, const QString &expectation) const
    {
        const uchar c = m_p[i];
        QString found;
        if (c >= 0x21 && c < 0x7F) {
            found = u'\'' + QLatin1Char(char(c)) + u'\'';
        } else if (c >= 0x80) {
            const int len = utf8SequenceLength(m_p, i, m_n);
            if (!len)
                return Problem{i, utf8Problem(m_p, i, m_n), true};
            found = u'\'' + QString::fromUtf8(reinterpret_cast<const char *>(m_p + i), len) + u'\'';
        } else {
            found = QStringLiteral("byte ") + hexByte(c);
        }
        return Problem{i, QStringLiteral("unexpected %1; %2").arg(found, expectation), false};
    }

    std::optional<qsizetype> fail(qsizetype at, QString what, bool utf8 = false)
    {
        m_problem = Problem{at, std::move(what), utf8};
        return std::nullopt;
    }

    /** The code unit of \uXXXX at p[i] (the backslash), or -1. */
    int unicodeEscape(qsizetype i) const
    {
        if (m_n - i < 6 || m_p[i] != '\\' || m_p[i + 1] != 'u')
            return -1;
        int value = 0;
        for (int k = 2; k < 6; ++k) {
            const int h = hexDigitValue(char(m_p[i + k]));
            if (h < 0)
                return -1;
            value = value * 16 + h;
        }
        return value;
    }

    std::optional<qsizetype> string(qsizetype start)
    {
        qsizetype i = start + 1;
        for (;;) {
            if (i >= m_n)
                return fail(start, QStringLiteral("unterminated string"));
            const uchar c = m_p[i];
            if (c == '"')
                return i + 1;
            if (c == '\\') {
                if (i + 1 >= m_n)
                    return fail(start, QStringLiteral("unterminated string"));
                const uchar e = m_p[i + 1];
                if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
                    i += 2;
                    continue;
                }
                if (e != 'u')
                    return fail(i,
                                QStringLiteral("invalid escape sequence '\\%1' in a string")
                                    .arg(e >= 0x21 && e < 0x7F ? QString(QLatin1Char(char(e))) : hexByte(e)));
                const int unit = unicodeEscape(i);
                if (unit < 0)
                    return fail(i, QStringLiteral("invalid \\u escape in a string (four hex digits expected)"));
                if (unit >= 0xDC00 && unit <= 0xDFFF)
                    return fail(i,
                                QStringLiteral("lone low surrogate \\u%1 in a string").arg(unit, 4, 16, QChar(u'0')));
                if (unit >= 0xD800 && unit <= 0xDBFF) {
                    const int low = unicodeEscape(i + 6);
                    if (low < 0xDC00 || low > 0xDFFF)
                        return fail(i,
                                    QStringLiteral("high surrogate \\u%1 in a string is not followed by a low one")
                                        .arg(unit, 4, 16, QChar(u'0')));
                    i += 12;
                    continue;
                }
                i += 6;
                continue;
            }
            if (c < 0x20)
                return fail(i,
                            QStringLiteral("unescaped control character U+%1 in a string")
                                .arg(QString::number(c, 16).toUpper().rightJustified(4, u'0')));
            if (c >= 0x80) {
                const int len = utf8SequenceLength(m_p, i, m_n);
                if (!len)
                    return fail(i, utf8Problem(m_p, i, m_n), true);
                i += len;
                continue;
            }
            ++i;
        }
    }

    std::optional<qsizetype> literal(qsizetype start)
    {
        for (const std::string_view word :
             {std::string_view("true"), std::string_view("false"), std::string_view("null")}) {
            if (uchar(word.front()) != m_p[start])
                continue;
            const qsizetype available = std::min<qsizetype>(qsizetype(word.size()), m_n - start);
            if (std::memcmp(m_p + start, word.data(), std::size_t(available)) != 0)
                break;
            if (available < qsizetype(word.size()))
                return fail(m_n, QStringLiteral("unexpected end of the body inside '%1'").arg(QLatin1StringView(word)));
            return start + qsizetype(word.size());
        }
        return fail(start, QStringLiteral("invalid literal; expected true, false or null"));
    }

    std::optional<qsizetype> numberToken(qsizetype start)
    {
        auto digit = [this](qsizetype k) { return k < m_n && m_p[k] >= '0' && m_p[k] <= '9'; };
        qsizetype i = start;
        if (m_p[i] == '-')
            ++i;
        if (i < m_n && m_p[i] == '0') {
            ++i;
        } else if (digit(i)) {
            while (digit(i))
                ++i;
        } else {
            return fail(start, QStringLiteral("invalid number"));
        }
        if (i < m_n && m_p[i] == '.') {
            ++i;
            if (!digit(i))
                return fail(start, QStringLiteral("invalid number (digits expected after '.')"));
            while (digit(i))
                ++i;
        }
        if (i < m_n && (m_p[i] == 'e' || m_p[i] == 'E')) {
            ++i;
            if (i < m_n && (m_p[i] == '+' || m_p[i] == '-'))
                ++i;
            if (!digit(i))
                return fail(start, QStringLiteral("invalid number (digits expected in the exponent)"));
            while (digit(i))
                ++i;
        }
        if (m_numbers)
            m_numbers->push_back({start, i});
        return i;
    }

    const uchar *m_p;
    qsizetype m_n;
    std::vector<Span> *m_numbers;
    std::vector<Open> m_stack;
    Problem m_problem;
};

struct LineColumn
{
    qsizetype line = 1;
    qsizetype column = 1;
};

/** Line and column (in characters, both from 1) of a byte offset. */
LineColumn lineColumn(std::string_view text, qsizetype offset)
{
    LineColumn lc;
    offset = std::min(offset, qsizetype(text.size()));
    for (qsizetype i = 0; i < offset; ++i) {
        const auto c = uchar(text[std::size_t(i)]);
        if (c == '\n') {
            ++lc.line;
            lc.column = 1;
        } else if ((c & 0xC0) != 0x80) {
            ++lc.column;
        }
    }
    return lc;
}

QString describeProblem(std::string_view text, qsizetype base, const Problem &problem)
{
    const LineColumn lc = lineColumn(text, problem.offset);
    if (problem.utf8)
        return QStringLiteral("invalid UTF-8 at byte %1 (line %2, column %3): %4")
            .arg(number(base + problem.offset), number(lc.line), number(lc.column), problem.what);
    return QStringLiteral("invalid JSON at line %1, column %2 (byte %3): %4")
        .arg(number(lc.line), number(lc.column), number(base + problem.offset), problem.what);
}

/** What an invalid body started as (see the comment at the top). */
Format sniffFormat(std::string_view t)
{
    const auto n = qsizetype(t.size());
    const char *p = t.data();
    qsizetype i = skipSpace(p, 0, n);
    auto keyAt
        = [&](qsizetype at, std::string_view key) { return at < n && t.substr(std::size_t(at)).starts_with(key); };
    if (i < n && p[i] == '{') {
        i = skipSpace(p, i + 1, n);
        if (keyAt(i, "\"events\""))
            return Format::Akeneo;
        if (keyAt(i, "\"specversion\""))
            return Format::AkeneoEventPlatform;
    } else if (i < n && p[i] == '[') {
        i = skipSpace(p, i + 1, n);
        if (i < n && p[i] == '{' && keyAt(skipSpace(p, i + 1, n), "\"specversion\""))
            return Format::AkeneoEventPlatform;
    }
    return Format::Unknown;
}

/** Whether simdjson refuses the number token (it reads 64-bit integers and finite doubles only). */
bool numberOutOfRange(std::string_view token)
{
    const char *first = token.data();
    const char *last = first + token.size();
    if (token.find_first_of(".eE") == std::string_view::npos) {
        if (token.front() == '-') {
            std::int64_t v = 0;
            return std::from_chars(first, last, v).ec == std::errc::result_out_of_range;
        }
        std::uint64_t v = 0;
        return std::from_chars(first, last, v).ec == std::errc::result_out_of_range;
    }
    double d = 0;
    if (std::from_chars(first, last, d).ec != std::errc::result_out_of_range)
        return false;
    // from_chars reports underflow the same way, but simdjson reads tiny numbers as 0: only overflow counts.
    const std::size_t mantissaEnd = std::min(token.find_first_of("eE"), token.size());
    const std::string_view mantissa = token.substr(0, mantissaEnd);
    const std::size_t dot = std::min(mantissa.find('.'), mantissa.size());
    const std::size_t firstSignificant = mantissa.find_first_not_of("-0.");
    if (firstSignificant == std::string_view::npos)
        return false;
    // Decimal exponent of the first significant digit, plus the written exponent (clamped: only its sign matters
    // at these sizes).
    qint64 magnitude = firstSignificant < dot ? qint64(dot - firstSignificant) - 1 : -qint64(firstSignificant - dot);
    if (mantissaEnd < token.size()) {
        std::string_view exponent = token.substr(mantissaEnd + 1);
        if (!exponent.empty() && exponent.front() == '+')
            exponent.remove_prefix(1);
        qint64 e = 0;
        if (std::from_chars(exponent.data(), exponent.data() + exponent.size(), e).ec == std::errc::result_out_of_range)
            e = exponent.front() == '-' ? -100000 : 100000;
        magnitude += std::clamp<qint64>(e, -100000, 100000);
    }
    return magnitude > 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the fields.

/** Names a place in the payload for messages: events[3], [3] (an element of a root array) or the root object. */
struct Where
{
    const char *array = nullptr; ///< "events", "" for a root array, nullptr for the root object itself
    qsizetype index = 0;

    QString self() const
    {
        if (!array)
            return QStringLiteral("the body");
        if (index < 0)
            return QString::fromLatin1(array); // a member holding one object, e.g. a log context's event
        return QLatin1StringView(array) + u'[' + number(index) + u']';
    }
    QString path(const char *field) const
    {
        if (!array)
            return QString::fromLatin1(field);
        return self() + u'.' + QLatin1StringView(field);
    }
};

/**
 * Reads a member that should hold a string. JSON null gives a null QString (with a warning when nullIsOdd); any
 * other type gives a null QString and a warning naming the path and the type found. `raw` receives the text.
 */
QString readString(dom::element v, const Where &where, const char *field, QStringList &warnings,
                   std::string_view *raw = nullptr, bool nullIsOdd = true)
{
    std::string_view s;
    if (!v.get_string().get(s)) {
        if (raw)
            *raw = s;
        return toQString(s);
    }
    if (v.is_null()) {
        if (nullIsOdd)
            warnings << QStringLiteral("%1 is null, expected a string").arg(where.path(field));
        return {};
    }
    warnings << QStringLiteral("%1 is %2, expected a string").arg(where.path(field), typeName(v));
    return {};
}

/** Reads an object member; a warning when it has another type. */
std::optional<dom::object> readObject(dom::element v, const Where &where, const char *field, QStringList &warnings)
{
    dom::object o;
    if (!v.get_object().get(o))
        return o;
    warnings << QStringLiteral("%1 is %2, expected an object").arg(where.path(field), typeName(v));
    return std::nullopt;
}

void readTime(std::optional<std::string_view> text, const Where &where, const char *field, Event &e,
              QStringList &warnings)
{
    if (!text)
        return;
    e.eventTimeMs = parseIsoDateTime(*text);
    if (!e.eventTimeMs)
        warnings << QStringLiteral("%1 %2 is not an ISO-8601 date-time").arg(where.path(field), shownValue(*text));
}

/** Tracks which of a fixed set of members were seen, warning about duplicates (the first one is used). */
class Members
{
public:
    Members(const Where &where, QStringList &warnings)
        : m_where(where)
        , m_warnings(warnings)
    {
    }

    /** True the first time `bit` is seen. */
    bool first(unsigned bit, std::string_view key)
    {
        if (m_seen & bit) {
            m_warnings << QStringLiteral("%1 has a duplicate %2 member; the first one is used")
                              .arg(m_where.self(), shownValue(key));
            return false;
        }
        m_seen |= bit;
        return true;
    }
    bool seen(unsigned bit) const { return m_seen & bit; }
    void require(unsigned bit, const char *name)
    {
        if (!(m_seen & bit))
            m_warnings << QStringLiteral("%1 has no %2").arg(m_where.self(), QLatin1StringView(name));
    }

private:
    const Where &m_where;
    QStringList &m_warnings;
    unsigned m_seen = 0;
};

// Akeneo Events API --------------------------------------------------------------------------------------------

enum class AkeneoSubject { None, Product, ProductModel };

void readAkeneoResource(dom::element data, AkeneoSubject subject, const Where &where, Event &e, QStringList &warnings)
{
    const auto dataObject = readObject(data, where, "data", warnings);
    if (!dataObject)
        return;
    std::optional<dom::element> resource;
    for (const dom::key_value_pair member : *dataObject) {
        if (member.key == "resource") {
            resource = member.value;
            break;
        }
    }
    if (!resource) {
        warnings << QStringLiteral("%1 has no resource").arg(where.path("data"));
        return;
    }
    const auto object = readObject(*resource, where, "data.resource", warnings);
    if (!object || subject == AkeneoSubject::None)
        return;
    bool hasIdentifier = false;
    bool hasUuid = false;
    bool hasCode = false;
    for (const dom::key_value_pair member : *object) {
        if (subject == AkeneoSubject::Product) {
            if (member.key == "identifier" && !hasIdentifier) {
                hasIdentifier = true;
                e.subjectId = readString(member.value, where, "data.resource.identifier", warnings, nullptr, false);
            } else if (member.key == "uuid" && !hasUuid) {
                hasUuid = true;
                e.subjectUuid = readString(member.value, where, "data.resource.uuid", warnings, nullptr, false);
            }
        } else if (member.key == "code" && !hasCode) {
            hasCode = true;
            e.subjectId = readString(member.value, where, "data.resource.code", warnings);
        }
    }
    if (subject == AkeneoSubject::Product && e.subjectId.isNull() && e.subjectUuid.isNull() && !hasIdentifier
        && !hasUuid)
        warnings << QStringLiteral("%1 has neither identifier nor uuid").arg(where.path("data.resource"));
    if (subject == AkeneoSubject::ProductModel && !hasCode)
        warnings << QStringLiteral("%1 has no code").arg(where.path("data.resource"));
}

/** The members of an Akeneo event, in a request body or in a log context (bits for Members). */
enum AkeneoMember : unsigned {
    Action = 1u << 0,
    EventId = 1u << 1,
    DateTime = 1u << 2,
    LegacyDate = 1u << 3,
    Author = 1u << 4,
    AuthorType = 1u << 5,
    PimSource = 1u << 6,
    Data = 1u << 7,
    Identifier = 1u << 8, ///< log contexts: product_identifier, product_uuid, product_model_code
    Uuid = 1u << 9,
    ModelCode = 1u << 10,
};

/**
 * Reads the members every Akeneo event has (action, event_id, event_datetime, author, author_type); false for any
 * other key. `action` and `time` receive the raw texts.
 */
bool readAkeneoBase(const dom::key_value_pair &member, const Where &where, Members &members, Event &e,
                    std::string_view &action, std::optional<std::string_view> &time, QStringList &warnings)
{
    const std::string_view key = member.key;
    std::string_view raw;
    if (key == "action") {
        if (members.first(Action, key))
            e.action = readString(member.value, where, "action", warnings, &action);
    } else if (key == "event_id") {
        if (members.first(EventId, key))
            e.eventId = readString(member.value, where, "event_id", warnings);
    } else if (key == "event_datetime") {
        if (members.first(DateTime, key) && !readString(member.value, where, "event_datetime", warnings, &raw).isNull())
            time = raw;
    } else if (key == "author") {
        if (members.first(Author, key))
            e.author = readString(member.value, where, "author", warnings);
    } else if (key == "author_type") {
        if (members.first(AuthorType, key))
            e.authorType = readString(member.value, where, "author_type", warnings);
    } else {
        return false;
    }
    return true;
}

void readAkeneoEvent(dom::object object, const Where &where, Event &e, QStringList &warnings)
{
    Members members(where, warnings);
    std::string_view action;
    std::optional<std::string_view> time;
    std::optional<std::string_view> legacyTime;
    dom::element data;
    for (const dom::key_value_pair member : object) {
        const std::string_view key = member.key;
        std::string_view raw;
        if (readAkeneoBase(member, where, members, e, action, time, warnings))
            continue;
        if (key == "event_date") {
            // The pre-release name of event_datetime, still in Akeneo's quick-start sample.
            if (members.first(LegacyDate, key)
                && !readString(member.value, where, "event_date", warnings, &raw).isNull())
                legacyTime = raw;
        } else if (key == "pim_source") {
            if (members.first(PimSource, key))
                e.pimSource = readString(member.value, where, "pim_source", warnings);
        } else if (key == "data") {
            if (members.first(Data, key))
                data = member.value;
        }
    }
    members.require(Action, "action");
    members.require(EventId, "event_id");
    if (!members.seen(DateTime) && !members.seen(LegacyDate))
        members.require(DateTime, "event_datetime");
    members.require(Author, "author");
    members.require(AuthorType, "author_type");
    members.require(PimSource, "pim_source");
    if (members.seen(DateTime))
        readTime(time, where, "event_datetime", e, warnings);
    else
        readTime(legacyTime, where, "event_date", e, warnings);

    AkeneoSubject subject = AkeneoSubject::None;
    if (!e.action.isNull()) {
        constexpr std::string_view productActions[] = {"product.created", "product.updated", "product.removed"};
        constexpr std::string_view modelActions[]
            = {"product_model.created", "product_model.updated", "product_model.removed"};
        if (std::find(std::begin(productActions), std::end(productActions), action) != std::end(productActions)) {
            subject = AkeneoSubject::Product;
        } else if (std::find(std::begin(modelActions), std::end(modelActions), action) != std::end(modelActions)) {
            subject = AkeneoSubject::ProductModel;
        } else {
            warnings << QStringLiteral("%1 %2 is not an Akeneo Events API action")
                            .arg(where.path("action"), shownValue(action));
            if (action.starts_with("product_model."))
                subject = AkeneoSubject::ProductModel;
            else if (action.starts_with("product."))
                subject = AkeneoSubject::Product;
        }
    }
    if (subject == AkeneoSubject::Product)
        e.subjectType = QStringLiteral("product");
    else if (subject == AkeneoSubject::ProductModel)
        e.subjectType = QStringLiteral("product_model");

    if (members.seen(Data))
        readAkeneoResource(data, subject, where, e, warnings);
    else
        members.require(Data, "data");
}

// Akeneo Event Platform ----------------------------------------------------------------------------------------

/** "com.akeneo.pim.v1.product-model.deleted" -> "product_model"; empty when the type is not Akeneo's. */
std::string entityOfType(std::string_view type)
{
    constexpr std::string_view prefix = "com.akeneo.pim.v";
    if (!type.starts_with(prefix))
        return {};
    std::size_t i = prefix.size();
    const std::size_t digits = i;
    while (i < type.size() && type[i] >= '0' && type[i] <= '9')
        ++i;
    if (i == digits || i >= type.size() || type[i] != '.')
        return {};
    const std::size_t begin = i + 1;
    const std::size_t end = type.find('.', begin);
    if (end == std::string_view::npos || end == begin)
        return {};
    std::string entity(type.substr(begin, end - begin));
    std::replace(entity.begin(), entity.end(), '-', '_');
    return entity;
}

void readCloudEventData(dom::element data, const std::string &entity, const Where &where, Event &e,
                        QStringList &warnings)
{
    const auto object = readObject(data, where, "data", warnings);
    if (!object)
        return;
    std::optional<dom::element> author;
    std::optional<dom::element> subject;
    for (const dom::key_value_pair member : *object) {
        if (member.key == "author" && !author)
            author = member.value;
        else if (!entity.empty() && member.key == entity && !subject)
            subject = member.value;
    }
    if (author) {
        if (const auto authorObject = readObject(*author, where, "data.author", warnings)) {
            for (const dom::key_value_pair member : *authorObject) {
                if (member.key == "identifier" && e.author.isNull())
                    e.author = readString(member.value, where, "data.author.identifier", warnings);
                else if (member.key == "type" && e.authorType.isNull())
                    e.authorType = readString(member.value, where, "data.author.type", warnings);
            }
        }
    }
    if (entity.empty())
        return;
    const std::string path = "data." + entity;
    if (!subject) {
        warnings << QStringLiteral("%1 has no %2 object").arg(where.path("data"), shownValue(entity));
        return;
    }
    const auto subjectObject = readObject(*subject, where, path.c_str(), warnings);
    if (!subjectObject)
        return;
    QString code;
    QString identifier;
    QString clientId;
    for (const dom::key_value_pair member : *subjectObject) {
        if (member.key == "uuid" && e.subjectUuid.isNull())
            e.subjectUuid = readString(member.value, where, (path + ".uuid").c_str(), warnings, nullptr, false);
        else if (member.key == "code" && code.isNull())
            code = readString(member.value, where, (path + ".code").c_str(), warnings, nullptr, false);
        else if (member.key == "identifier" && identifier.isNull())
            identifier = readString(member.value, where, (path + ".identifier").c_str(), warnings, nullptr, false);
        else if (member.key == "client_id" && clientId.isNull())
            clientId = readString(member.value, where, (path + ".client_id").c_str(), warnings, nullptr, false);
    }
    e.subjectId = !code.isNull() ? code : !identifier.isNull() ? identifier : clientId;
}

void readCloudEvent(dom::object object, const Where &where, Event &e, QStringList &warnings)
{
    enum : unsigned {
        SpecVersion = 1u << 0,
        Id = 1u << 1,
        Type = 1u << 2,
        Source = 1u << 3,
        Time = 1u << 4,
        Data = 1u << 5,
    };
    Members members(where, warnings);
    std::string_view type;
    std::optional<std::string_view> time;
    dom::element data;
    for (const dom::key_value_pair member : object) {
        const std::string_view key = member.key;
        std::string_view raw;
        if (key == "specversion") {
            if (members.first(SpecVersion, key))
                readString(member.value, where, "specversion", warnings);
        } else if (key == "id") {
            if (members.first(Id, key))
                e.eventId = readString(member.value, where, "id", warnings);
        } else if (key == "type") {
            if (members.first(Type, key))
                e.action = readString(member.value, where, "type", warnings, &type);
        } else if (key == "source") {
            if (members.first(Source, key))
                e.pimSource = readString(member.value, where, "source", warnings);
        } else if (key == "time") {
            if (members.first(Time, key) && !readString(member.value, where, "time", warnings, &raw).isNull())
                time = raw;
        } else if (key == "data") {
            if (members.first(Data, key))
                data = member.value;
        }
    }
    members.require(SpecVersion, "specversion");
    members.require(Id, "id");
    members.require(Type, "type");
    members.require(Source, "source");
    members.require(Time, "time");
    readTime(time, where, "time", e, warnings);

    std::string entity;
    if (!e.action.isNull()) {
        entity = entityOfType(type);
        if (entity.empty())
            warnings << QStringLiteral("%1 %2 is not an Akeneo Event Platform type")
                            .arg(where.path("type"), shownValue(type));
        else
            e.subjectType = QString::fromStdString(entity);
    }
    if (members.seen(Data))
        readCloudEventData(data, entity, where, e, warnings);
    else
        members.require(Data, "data");
}

// Quable -------------------------------------------------------------------------------------------------------

/**
 * "https://acme.quable.com/api_1.php/documents/X" -> "https://acme.quable.com" (scheme, host and port, no user
 * info); null unless the URL is absolute. By hand rather than with QUrl: it is on the parsing hot path.
 */
QString originOf(std::string_view href)
{
    const std::size_t colon = href.find("://");
    if (colon == std::string_view::npos || colon == 0)
        return {};
    for (std::size_t i = 0; i < colon; ++i) {
        const char c = href[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alpha && (i == 0 || !((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')))
            return {};
    }
    const std::size_t authorityBegin = colon + 3;
    std::size_t authorityEnd = href.find_first_of("/?#", authorityBegin);
    if (authorityEnd == std::string_view::npos)
        authorityEnd = href.size();
    std::string_view authority = href.substr(authorityBegin, authorityEnd - authorityBegin);
    if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos)
        authority.remove_prefix(at + 1);
    if (authority.empty() || authority.front() == ':')
        return {};
    return (toQString(href.substr(0, colon)) + QStringLiteral("://") + toQString(authority)).toLower();
}

void readQuableResource(dom::element resource, const Where &where, Event &e, QStringList &warnings)
{
    const auto object = readObject(resource, where, "resource", warnings);
    if (!object)
        return;
    bool hasCode = false;
    bool hasType = false;
    std::optional<dom::element> links;
    for (const dom::key_value_pair member : *object) {
        if (member.key == "code" && !hasCode) {
            hasCode = true;
            e.subjectId = readString(member.value, where, "resource.code", warnings);
        } else if (member.key == "type" && !hasType) {
            hasType = true;
            e.subjectType = readString(member.value, where, "resource.type", warnings);
        } else if (member.key == "links" && !links) {
            links = member.value;
        }
    }
    if (!hasCode)
        warnings << QStringLiteral("%1 has no code").arg(where.path("resource"));
    if (!hasType)
        warnings << QStringLiteral("%1 has no type").arg(where.path("resource"));
    dom::array array;
    if (!links || links->get_array().get(array))
        return;
    for (const dom::element link : array) {
        dom::object linkObject;
        std::string_view rel;
        std::string_view href;
        if (!link.get_object().get(linkObject) && !linkObject["rel"].get(rel) && rel == "self"
            && !linkObject["href"].get(href)) {
            e.pimSource = originOf(href);
            return;
        }
    }
}

void readQuableEvent(dom::object object, const Where &where, Event &e, QStringList &warnings)
{
    enum : unsigned { Uuid = 1u << 0, Code = 1u << 1, CreatedAt = 1u << 2, CreatedBy = 1u << 3, Resource = 1u << 4 };
    Members members(where, warnings);
    std::optional<std::string_view> time;
    dom::element resource;
    for (const dom::key_value_pair member : object) {
        const std::string_view key = member.key;
        std::string_view raw;
        if (key == "uuid") {
            if (members.first(Uuid, key))
                e.eventId = readString(member.value, where, "uuid", warnings);
        } else if (key == "code") {
            if (members.first(Code, key))
                e.action = readString(member.value, where, "code", warnings);
        } else if (key == "created_at") {
            if (members.first(CreatedAt, key)
                && !readString(member.value, where, "created_at", warnings, &raw).isNull())
                time = raw;
        } else if (key == "created_by") {
            if (members.first(CreatedBy, key))
                e.author = readString(member.value, where, "created_by", warnings);
        } else if (key == "resource") {
            if (members.first(Resource, key))
                resource = member.value;
        }
    }
    members.require(CreatedBy, "created_by");
    readTime(time, where, "created_at", e, warnings);
    if (members.seen(Resource))
        readQuableResource(resource, where, e, warnings);
}

// Formats ------------------------------------------------------------------------------------------------------

QString describeUnknown(dom::element root)
{
    QString what;
    dom::object object;
    dom::array array;
    if (!root.get_object().get(object)) {
        QStringList keys;
        for (const dom::key_value_pair member : object) {
            if (keys.size() == 5) {
                keys << QStringLiteral("...");
                break;
            }
            keys << shownValue(member.key);
        }
        what = keys.isEmpty() ? QStringLiteral("an empty object")
                              : QStringLiteral("an object with keys %1").arg(keys.join(QStringLiteral(", ")));
    } else if (!root.get_array().get(array)) {
        const std::size_t size = array.size();
        what = size == 0 ? QStringLiteral("an empty array")
                         : QStringLiteral("an array of %1 element%2")
                               .arg(number(qsizetype(size)), size == 1 ? QString() : QStringLiteral("s"));
    } else {
        what = typeName(root);
    }
    return QStringLiteral("JSON of no known PIM format: %1").arg(what);
}

/** The parsed body: the JSON text given to simdjson (the body without a BOM) and its offset in the body. */
struct Text
{
    std::string_view json;
    qsizetype base = 0;
    bool inLogLine = false; ///< json is the context of a log line, which starts `base` bytes before it

    const char *data() const { return json.data(); }
    qsizetype size() const { return qsizetype(json.size()); }
};

/**
 * Parses `text` with simdjson (with `retained`, or with `oneShot` for a text larger than what it keeps; the root
 * lives as long as the parser used): the root, or false with `error` describing the problem and where.
 */
bool parseText(dom::parser &retained, std::optional<dom::parser> &oneShot, const Text &text, dom::element &root,
               QString &error, QStringList &warnings)
{
    dom::parser *parser = &retained;
    if (text.size() > PayloadParser::retainedCapacity)
        parser = &oneShot.emplace();

    simdjson::error_code code = parser->parse(text.data(), text.json.size()).get(root);
    if (code == simdjson::NUMBER_ERROR) {
        // Valid JSON that simdjson cannot hold (an integer beyond 64 bits, a double beyond its range): blank those
        // numbers out in a copy (same length, so every byte range stays the same) and parse the copy instead.
        std::vector<Span> numbers;
        if (!JsonChecker(text.json, &numbers).check()) {
            std::string copy(text.json);
            qsizetype blanked = 0;
            Span first;
            for (const Span &s : numbers) {
                if (!numberOutOfRange(text.json.substr(std::size_t(s.begin), std::size_t(s.end - s.begin))))
                    continue;
                if (blanked++ == 0)
                    first = s;
                copy[std::size_t(s.begin)] = '0';
                std::fill(copy.begin() + s.begin + 1, copy.begin() + s.end, ' ');
            }
            if (blanked && !(code = parser->parse(copy).get(root))) {
                const LineColumn lc = lineColumn(text.json, first.begin);
                warnings << QStringLiteral("number out of range at line %1, column %2 (byte %3): it exceeds 64-bit "
                                           "integers and doubles%4")
                                .arg(number(lc.line), number(lc.column), number(text.base + first.begin),
                                     blanked > 1 ? QStringLiteral(" (and %1 more)").arg(blanked - 1) : QString());
            }
        }
    }
    if (!code)
        return true;
    if (code == simdjson::MEMALLOC) {
        error = QStringLiteral("the body is too large to parse: out of memory (%1 bytes)").arg(number(text.size()));
    } else if (const auto problem = JsonChecker(text.json, nullptr).check()) {
        if (text.inLogLine) {
            // Where in the line: the context is its tail.
            const std::string_view line(text.json.data() - text.base, std::size_t(text.base) + text.json.size());
            const LineColumn lc = lineColumn(line, text.base + problem->offset);
            error = QStringLiteral("%1 in the context at column %2 (byte %3): %4")
                        .arg(problem->utf8 ? QStringLiteral("invalid UTF-8") : QStringLiteral("invalid JSON"),
                             number(lc.column), number(text.base + problem->offset), problem->what);
        } else {
            error = describeProblem(text.json, text.base, *problem);
        }
    } else {
        error = QStringLiteral("invalid JSON: %1").arg(QString::fromUtf8(simdjson::error_message(code)));
    }
    return false;
}

Event newEvent(qsizetype seq, Span span, const Text &text)
{
    Event e;
    e.seq = int(seq);
    e.payloadOffset = text.base + span.begin;
    e.payloadLength = span.end - span.begin;
    return e;
}

/** Collects the elements of an event array that are not objects: one is an error, as are several. */
struct NotObjects
{
    qsizetype count = 0;
    QString first;
    void add(const Where &where, dom::element element)
    {
        if (count++ == 0)
            first = QStringLiteral("%1 is %2, expected an object").arg(where.self(), typeName(element));
    }
    void report(ParseResult &r) const
    {
        if (count == 1)
            r.error = first;
        else if (count > 1)
            r.error = QStringLiteral("%1 (%2 elements are not objects)").arg(first, number(count));
    }
};

template<typename ReadEvent>
void readArray(dom::array array, const std::vector<Span> &spans, const Text &text, const char *arrayName,
               ReadEvent readEvent, ParseResult &r)
{
    const auto size = qsizetype(array.size());
    if (qsizetype(spans.size()) != size) {
        // Cannot happen for text simdjson accepted; never hand out wrong byte ranges if it does.
        r.error = QStringLiteral("internal error: could not locate the events in the body");
        return;
    }
    r.events.reserve(size);
    qsizetype index = 0;
    NotObjects notObjects;
    for (const dom::element element : array) {
        const Where where{arrayName, index};
        dom::object object;
        if (element.get_object().get(object)) {
            notObjects.add(where, element);
        } else {
            Event e = newEvent(index, spans[std::size_t(index)], text);
            readEvent(object, where, e, r.warnings);
            r.events.append(std::move(e));
        }
        ++index;
    }
    notObjects.report(r);
}

/** readArray() for PayloadParser::Depth::Envelope: the same events (their seq only) and the same error. */
void countArray(dom::array array, const char *arrayName, ParseResult &r)
{
    r.events.reserve(qsizetype(array.size()));
    qsizetype index = 0;
    NotObjects notObjects;
    for (const dom::element element : array) {
        if (element.is_object()) {
            Event e;
            e.seq = int(index);
            r.events.append(std::move(e));
        } else {
            notObjects.add(Where{arrayName, index}, element);
        }
        ++index;
    }
    notObjects.report(r);
}

void readAkeneoEnvelope(dom::object root, const Text &text, ParseResult &r, PayloadParser::Depth depth)
{
    r.format = Format::Akeneo;
    int eventsIndex = -1;
    int index = 0;
    dom::element events;
    for (const dom::key_value_pair member : root) {
        if (member.key == "events") {
            if (eventsIndex < 0) {
                eventsIndex = index;
                events = member.value;
            } else {
                r.warnings << QStringLiteral("duplicate \"events\" member; the first one is used");
            }
        } else {
            r.warnings << QStringLiteral("unexpected member %1 next to \"events\"").arg(shownValue(member.key));
        }
        ++index;
    }
    dom::array array;
    if (events.get_array().get(array)) {
        r.error = QStringLiteral("\"events\" is %1, expected an array").arg(typeName(events));
        return;
    }
    if (depth == PayloadParser::Depth::Envelope) {
        countArray(array, "events", r);
    } else {
        const Span rootValue = rootSpan(text.data(), text.size());
        const qsizetype arrayStart = memberValue(text.data(), rootValue.begin, text.size(), eventsIndex);
        readArray(array, elementSpans(text.data(), arrayStart, text.size()), text, "events", readAkeneoEvent, r);
    }
    const auto count = qsizetype(array.size());
    if (count == 0)
        r.warnings << QStringLiteral("\"events\" is empty");
    else if (count > akeneoMaxEvents)
        r.warnings << QStringLiteral("%1 events in one request; Akeneo sends at most %2")
                          .arg(number(count), number(akeneoMaxEvents));
}

template<typename ReadEvent>
void readSingle(dom::object root, const Text &text, ReadEvent readEvent, ParseResult &r)
{
    const Where where;
    Event e = newEvent(0, rootSpan(text.data(), text.size()), text);
    readEvent(root, where, e, r.warnings);
    r.events.append(std::move(e));
}

void readRoot(dom::element root, const Text &text, ParseResult &r, PayloadParser::Depth depth)
{
    dom::object object;
    if (!root.get_object().get(object)) {
        bool events = false, specVersion = false, type = false, uuid = false, code = false, createdAt = false,
             resource = false, action = false, eventId = false;
        for (const dom::key_value_pair member : object) {
            const std::string_view key = member.key;
            events |= key == "events";
            specVersion |= key == "specversion";
            type |= key == "type";
            uuid |= key == "uuid";
            code |= key == "code";
            createdAt |= key == "created_at";
            resource |= key == "resource";
            action |= key == "action";
            eventId |= key == "event_id";
        }
        if (events) {
            readAkeneoEnvelope(object, text, r, depth);
        } else if (specVersion && type) {
            r.format = Format::AkeneoEventPlatform;
            readSingle(object, text, readCloudEvent, r);
        } else if (uuid && code && createdAt && resource) {
            r.format = Format::Quable;
            readSingle(object, text, readQuableEvent, r);
        } else if (action && eventId) {
            r.format = Format::Akeneo;
            r.warnings << QStringLiteral("a single Akeneo event without the \"events\" envelope (pre-release format)");
            readSingle(object, text, readAkeneoEvent, r);
        } else {
            r.warnings << describeUnknown(root);
        }
        return;
    }
    dom::array array;
    if (!root.get_array().get(array)) {
        dom::object first;
        dom::element ignored;
        if (array.size() > 0 && !array.at(0).get_object().get(first) && !first["specversion"].get(ignored)) {
            r.format = Format::AkeneoEventPlatform;
            if (depth == PayloadParser::Depth::Envelope) {
                countArray(array, "", r);
            } else {
                const Span span = rootSpan(text.data(), text.size());
                readArray(array, elementSpans(text.data(), span.begin, text.size()), text, "", readCloudEvent, r);
            }
            return;
        }
    }
    r.warnings << describeUnknown(root);
}

// Akeneo log contexts ------------------------------------------------------------------------------------------

/** An event as a log context holds it (FACTS.md 1.8): the ids only, not the resource. */
void readLogEvent(dom::object object, const Where &where, Event &e, QStringList &warnings)
{
    Members members(where, warnings);
    std::string_view action;
    std::optional<std::string_view> time;
    for (const dom::key_value_pair member : object) {
        const std::string_view key = member.key;
        if (readAkeneoBase(member, where, members, e, action, time, warnings))
            continue;
        if (key == "product_identifier") {
            // null for a product without an identifier (recent versions): not odd.
            if (members.first(Identifier, key))
                e.subjectId = readString(member.value, where, "product_identifier", warnings, nullptr, false);
        } else if (key == "product_uuid") {
            if (members.first(Uuid, key))
                e.subjectUuid = readString(member.value, where, "product_uuid", warnings, nullptr, false);
        } else if (key == "product_model_code") {
            if (members.first(ModelCode, key))
                e.subjectId = readString(member.value, where, "product_model_code", warnings);
        }
    }
    readTime(time, where, "event_datetime", e, warnings);
    members.require(Action, "action");
    members.require(EventId, "event_id");
    if (members.seen(ModelCode) || e.action.startsWith(QLatin1StringView("product_model.")))
        e.subjectType = QStringLiteral("product_model");
    else if (members.seen(Identifier) || members.seen(Uuid) || e.action.startsWith(QLatin1StringView("product.")))
        e.subjectType = QStringLiteral("product");
}

void readHeaders(dom::element value, Headers &headers, QStringList &warnings)
{
    dom::object object;
    if (value.get_object().get(object)) {
        // PHP writes an empty map as [].
        dom::array empty;
        if (value.get_array().get(empty) || empty.size() != 0)
            warnings << QStringLiteral("headers is %1, expected an object").arg(typeName(value));
        return;
    }
    for (const dom::key_value_pair member : object) {
        const QByteArray name(member.key.data(), qsizetype(member.key.size()));
        std::string_view text;
        dom::array values;
        if (!member.value.get_string().get(text)) {
            headers.append(Header{name, QByteArray(text.data(), qsizetype(text.size()))});
        } else if (!member.value.get_array().get(values)) {
            for (const dom::element v : values) {
                if (!v.get_string().get(text))
                    headers.append(Header{name, QByteArray(text.data(), qsizetype(text.size()))});
                else
                    warnings << QStringLiteral("headers.%1 holds %2, expected strings")
                                    .arg(shownValue(member.key), typeName(v));
            }
        } else {
            warnings << QStringLiteral("headers.%1 is %2, expected an array of strings")
                            .arg(shownValue(member.key), typeName(member.value));
        }
    }
}

void readLogContext(dom::element root, const Text &text, LogContext &c)
{
    dom::object object;
    if (root.get_object().get(object)) {
        dom::array array;
        if (!root.get_array().get(array) && array.size() == 0)
            return; // PHP's empty context
        c.error = QStringLiteral("the context is %1, expected an object").arg(typeName(root));
        return;
    }
    const Span rootValue = rootSpan(text.data(), text.size());
    int index = -1;
    bool seenEvents = false, seenEvent = false;
    for (const dom::key_value_pair member : object) {
        ++index;
        const std::string_view key = member.key;
        if (key == "event_subscription_url") {
            // Kept as text: real files hold odd values (the documentation's sample glues two URLs together).
            c.url = readString(member.value, Where{}, "event_subscription_url", c.warnings);
        } else if (key == "status_code") {
            int64_t status = 0;
            std::string_view digits;
            if (!member.value.get_int64().get(status) && status >= 0 && status <= 999) {
                c.statusCode = int(status);
            } else if (!member.value.get_string().get(digits) && !digits.empty() && digits.size() <= 3
                       && std::all_of(digits.begin(), digits.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
                c.statusCode = toQString(digits).toInt();
            } else if (!member.value.is_null()) {
                c.warnings << QStringLiteral("status_code is %1, expected an HTTP status").arg(typeName(member.value));
            }
        } else if (key == "headers") {
            readHeaders(member.value, c.headers, c.warnings);
        } else if (key == "events" && !seenEvents) {
            seenEvents = true;
            dom::array array;
            if (member.value.get_array().get(array)) {
                c.warnings << QStringLiteral("events is %1, expected an array").arg(typeName(member.value));
                continue;
            }
            const qsizetype arrayStart = memberValue(text.data(), rootValue.begin, text.size(), index);
            const std::vector<Span> spans = elementSpans(text.data(), arrayStart, text.size());
            if (spans.size() != array.size()) {
                c.error = QStringLiteral("internal error: could not locate the events in the line");
                return;
            }
            qsizetype i = 0, nulls = 0;
            for (const dom::element element : array) {
                const Where where{"events", i};
                dom::object eventObject;
                if (!element.get_object().get(eventObject)) {
                    Event e = newEvent(i, spans[std::size_t(i)], text);
                    readLogEvent(eventObject, where, e, c.warnings);
                    c.events.append(std::move(e));
                } else if (element.is_null()) {
                    ++nulls;
                } else {
                    c.warnings << QStringLiteral("%1 is %2, expected an object").arg(where.self(), typeName(element));
                }
                ++i;
            }
            if (nulls)
                c.warnings << QStringLiteral("%1 of the %2 entries of events are null (skipped)")
                                  .arg(number(nulls), number(i));
            if (c.events.size() > akeneoMaxEvents)
                c.warnings << QStringLiteral("%1 events in one request; Akeneo sends at most %2")
                                  .arg(number(c.events.size()), number(akeneoMaxEvents));
        } else if (key == "event" && !seenEvent) {
            seenEvent = true;
            dom::object eventObject;
            if (member.value.get_object().get(eventObject)) {
                if (!member.value.is_null())
                    c.warnings << QStringLiteral("event is %1, expected an object").arg(typeName(member.value));
                continue;
            }
            const qsizetype start = memberValue(text.data(), rootValue.begin, text.size(), index);
            Event e
                = newEvent(qsizetype(c.events.size()), Span{start, skipValue(text.data(), start, text.size())}, text);
            readLogEvent(eventObject, Where{"event", -1}, e, c.warnings);
            c.events.append(std::move(e));
        }
    }
}

} // namespace

struct PayloadParser::Private
{
    dom::parser parser; // reused for bodies up to retainedCapacity
};

PayloadParser::PayloadParser()
    : m_d(std::make_unique<Private>())
{
}
PayloadParser::~PayloadParser() = default;
PayloadParser::PayloadParser(PayloadParser &&) noexcept = default;
PayloadParser &PayloadParser::operator=(PayloadParser &&) noexcept = default;

LogContext PayloadParser::parseLogContext(QByteArrayView line, qsizetype contextOffset)
{
    LogContext c;
    if (contextOffset < 0 || contextOffset >= line.size())
        return c;
    const QByteArrayView context = line.sliced(contextOffset);
    const Text text{std::string_view(context.data(), std::size_t(context.size())), contextOffset, true};
    if (text.json.size() > simdjson::SIMDJSON_MAXSIZE_BYTES) {
        c.error = QStringLiteral("the context is too large to parse (%1 bytes)").arg(number(context.size()));
        return c;
    }
    dom::element root;
    std::optional<dom::parser> oneShot;
    if (parseText(m_d->parser, oneShot, text, root, c.error, c.warnings))
        readLogContext(root, text, c);
    return c;
}

ParseResult PayloadParser::parse(QByteArrayView body, Depth depth)
{
    ParseResult r;
    if (std::all_of(body.begin(), body.end(), isJsonSpace)) {
        r.format = Format::AkeneoTest;
        return r;
    }

    Text text{std::string_view(body.data(), std::size_t(body.size())), 0};
    if (text.json.starts_with(utf8Bom)) {
        text.json.remove_prefix(utf8Bom.size());
        text.base = qsizetype(utf8Bom.size());
        r.warnings << QStringLiteral("the body starts with a UTF-8 byte order mark");
    }
    if (text.json.size() > simdjson::SIMDJSON_MAXSIZE_BYTES) {
        r.error = QStringLiteral("the body is too large to parse (%1 bytes)").arg(number(body.size()));
        return r;
    }

    dom::element root;
    std::optional<dom::parser> oneShot;
    if (!parseText(m_d->parser, oneShot, text, root, r.error, r.warnings)) {
        r.format = sniffFormat(text.json);
        return r;
    }
    readRoot(root, text, r, depth);
    return r;
}

} // namespace pimscope
