#include "formats/json/spans.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace pimscope::parsing {

/** Whether a quote at p[quote] closes the string that opened at p[open]: not when an odd number of backslashes
 *  precede it. */
static bool closesString(const char *p, qsizetype open, qsizetype quote)
{
    qsizetype b = quote;
    while (b > open + 1 && p[b - 1] == '\\')
        --b;
    return ((quote - b) & 1) == 0;
}

/** p[i] is an opening quote; returns the index after the closing one. */
static qsizetype skipString(const char *p, qsizetype i, qsizetype n)
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

} // namespace pimscope::parsing
