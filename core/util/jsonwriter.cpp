#include "jsonwriter.h"

#include <cmath>

namespace pimscope {

void JsonWriter::key(const char *k)
{
    separate();
    escape(m_out, QByteArrayView(k));
    m_out += ':';
    m_afterKey = true;
}

void JsonWriter::rawCompact(QByteArrayView json)
{
    separate();
    m_out.reserve(m_out.size() + json.size());
    bool inString = false;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (inString) {
            m_out += c;
            if (c == '\\' && i + 1 < json.size())
                m_out += json[++i];
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
            m_out += c;
        } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
            m_out += c;
        }
    }
}

void JsonWriter::value(double d)
{
    separate();
    if (!std::isfinite(d)) {
        m_out += "null";
        return;
    }
    m_out += QByteArray::number(d, 'g', 15);
}

void JsonWriter::value(const QString &s)
{
    if (s.isNull()) {
        null();
        return;
    }
    separate();
    escape(m_out, s.toUtf8());
}

void JsonWriter::value(QByteArrayView utf8)
{
    separate();
    escape(m_out, utf8);
}

void JsonWriter::value(const QStringList &list)
{
    beginArray();
    for (const QString &s : list)
        value(s);
    endArray();
}

void JsonWriter::escape(QByteArray &out, QByteArrayView utf8)
{
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    for (const char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 15];
            } else {
                out += ch;
            }
        }
    }
    out += '"';
}

} // namespace pimscope
