#pragma once

#include <QtGlobal>

#include <vector>

// Byte ranges inside JSON text that simdjson has already validated. simdjson does not give byte positions, so this
// small scanner walks the valid text to find the exact bytes of each event: it only skips strings (memchr) and
// counts brackets, and it locates an object member by its index in document order, the order simdjson's DOM
// iterates in. No checks beyond staying inside the buffer: the text is known to be valid.

namespace pimscope::parsing {

struct Span
{
    qsizetype begin = 0;
    qsizetype end = 0;
};

inline bool isJsonSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

inline qsizetype skipSpace(const char *p, qsizetype i, qsizetype n)
{
    while (i < n && isJsonSpace(p[i]))
        ++i;
    return i;
}

/** p[i] starts a value; returns the index after it. */
qsizetype skipValue(const char *p, qsizetype i, qsizetype n);

/** The byte range of the root value of p[0, n): a scan of the whole value. */
Span rootSpan(const char *p, qsizetype n);

/** Where the root value of p[0, n) starts (no scan: when only the start is needed, do not pay for rootSpan()). */
inline qsizetype rootBegin(const char *p, qsizetype n)
{
    return skipSpace(p, 0, n);
}

/** p[i] is '{'; returns where the value of the index-th member (in document order) starts. */
qsizetype memberValue(const char *p, qsizetype i, qsizetype n, int index);

/** p[i] is '['; the byte ranges of its elements. */
std::vector<Span> elementSpans(const char *p, qsizetype i, qsizetype n);

} // namespace pimscope::parsing
