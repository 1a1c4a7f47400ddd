#include "phpjson.h"

namespace pimscope {

namespace {

void appendUnicodeEscape(QByteArray &out, char16_t unit)
{
    static constexpr char hexDigits[] = "0123456789abcdef";
    out += "\\u";
    out += hexDigits[(unit >> 12) & 0xF];
    out += hexDigits[(unit >> 8) & 0xF];
    out += hexDigits[(unit >> 4) & 0xF];
    out += hexDigits[unit & 0xF];
}

} // namespace

void appendPhpJsonString(QByteArray &out, QStringView text)
{
    out += '"';
    for (const QChar qc : text) {
        const char16_t c = qc.unicode();
        switch (c) {
        case u'"':
            out += "\\\"";
            break;
        case u'\\':
            out += "\\\\";
            break;
        case u'/':
            out += "\\/";
            break;
        case u'\b':
            out += "\\b";
            break;
        case u'\f':
            out += "\\f";
            break;
        case u'\n':
            out += "\\n";
            break;
        case u'\r':
            out += "\\r";
            break;
        case u'\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20 || c > 0x7e)
                appendUnicodeEscape(out, c); // non-ASCII as UTF-16 units, surrogate pairs included, as PHP does
            else
                out += char(c);
        }
    }
    out += '"';
}

} // namespace pimscope
