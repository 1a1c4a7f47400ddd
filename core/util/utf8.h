#pragma once

#include <QByteArrayView>
#include <QtGlobal>

namespace pimscope {

/** The value of a hexadecimal digit (either case), or -1. */
constexpr int hexDigitValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/**
 * Length of the valid UTF-8 sequence that starts at p[i] (a byte >= 0x80), or 0 when it is not valid:
 * strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF). `n` is the length of p.
 */
inline int utf8SequenceLength(const uchar *p, qsizetype i, qsizetype n)
{
    const uchar c = p[i];
    int len = 0;
    char32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n - i < len)
        return 0;
    for (int k = 1; k < len; ++k) {
        if ((p[i + k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)))
        return 0;
    if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))
        return 0;
    return len;
}

/** Where the first byte that is not strict UTF-8 (as utf8SequenceLength) is, from 0; -1 when all are. */
inline qsizetype firstInvalidUtf8(QByteArrayView bytes)
{
    const auto *p = reinterpret_cast<const uchar *>(bytes.data());
    const qsizetype n = bytes.size();
    for (qsizetype i = 0; i < n;) {
        if (p[i] < 0x80) {
            ++i;
            continue;
        }
        const int len = utf8SequenceLength(p, i, n);
        if (len == 0)
            return i;
        i += len;
    }
    return -1;
}

/** Whether the bytes are valid UTF-8 (strict, as utf8SequenceLength). */
inline bool isValidUtf8(QByteArrayView bytes)
{
    return firstInvalidUtf8(bytes) < 0;
}

} // namespace pimscope
