#include "headercodec.h"

namespace pimscope::headercodec {

namespace {

void append(QByteArray &out, const QByteArray &bytes, bool isName)
{
    for (const char c : bytes) {
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case ':':
            out += isName ? QByteArrayView("\\:") : QByteArrayView(":");
            break;
        default:
            out += c;
        }
    }
}

} // namespace

QByteArray encode(const Headers &headers)
{
    QByteArray out;
    qsizetype size = 0;
    for (const Header &h : headers)
        size += h.name.size() + h.value.size() + 3;
    out.reserve(size);
    for (const Header &h : headers) {
        append(out, h.name, true);
        out += ": ";
        append(out, h.value, false);
        out += '\n';
    }
    return out;
}

Headers decode(const QByteArray &blob)
{
    Headers headers;
    Header current;
    QByteArray *field = &current.name;
    for (qsizetype i = 0; i < blob.size(); ++i) {
        const char c = blob[i];
        if (c == '\\' && i + 1 < blob.size()) {
            const char n = blob[++i];
            *field += n == 'n' ? '\n' : n == 'r' ? '\r' : n;
        } else if (c == ':' && field == &current.name) {
            field = &current.value;
            if (i + 1 < blob.size() && blob[i + 1] == ' ')
                ++i;
        } else if (c == '\n') {
            headers.append(std::move(current));
            current = Header();
            field = &current.name;
        } else {
            *field += c;
        }
    }
    if (!current.name.isEmpty() || !current.value.isEmpty())
        headers.append(std::move(current));
    return headers;
}

} // namespace pimscope::headercodec
