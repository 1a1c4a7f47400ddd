#pragma once

#include <QByteArrayView>
#include <QString>

namespace pimscope {

/**
 * Bytes from the wire shown in a message: printable ASCII as it is, any other byte as '?', at most `max` characters
 * (then "…").
 */
inline QString printableAscii(QByteArrayView bytes, qsizetype max)
{
    QString s;
    for (qsizetype i = 0; i < bytes.size() && i < max; ++i) {
        const auto c = uchar(bytes[i]);
        s += c >= 0x20 && c < 0x7f ? QChar(char16_t(c)) : QChar(u'?');
    }
    if (bytes.size() > max)
        s += QChar(0x2026);
    return s;
}

} // namespace pimscope
