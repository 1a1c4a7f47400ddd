#include "formats/json/checker.h"

#include "formats/payloadparser.h"
#include "util/utf8.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <system_error>

namespace pimscope::parsing {

namespace {

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
                .arg(QString::number(len), hex);
        if ((p[i + k] & 0xC0) != 0x80)
            return QStringLiteral("byte %1 is not followed by the continuation bytes of a %2-byte sequence "
                                  "(Latin-1 or Windows-1252 text?)")
                .arg(hex, QString::number(len));
    }
    return QStringLiteral("overlong, surrogate or out-of-range sequence starting with byte %1").arg(hex);
}

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
        return Problem{m_n,
                       QStringLiteral("unexpected end of the body; the %1 opened at byte %2 is not closed")
                           .arg(open.kind == '{' ? QStringLiteral("object") : QStringLiteral("array"),
                                QString::number(open.offset)),
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

} // namespace

std::optional<Problem> checkJson(std::string_view text, std::vector<Span> *numbers)
{
    return JsonChecker(text, numbers).check();
}

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
            .arg(QString::number(base + problem.offset), QString::number(lc.line), QString::number(lc.column),
                 problem.what);
    return QStringLiteral("invalid JSON at line %1, column %2 (byte %3): %4")
        .arg(QString::number(lc.line), QString::number(lc.column), QString::number(base + problem.offset),
             problem.what);
}

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

} // namespace pimscope::parsing
