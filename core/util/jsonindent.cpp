#include "jsonindent.h"

namespace pimscope {

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

} // namespace

QByteArray indentJson(QByteArrayView json, int indent)
{
    QByteArray out;
    out.reserve(json.size() * 2);
    int depth = 0;
    const auto newline = [&] {
        out += '\n';
        out.append(qsizetype(depth) * indent, ' ');
    };
    const qsizetype n = json.size();
    for (qsizetype i = 0; i < n; ++i) {
        const char c = json[i];
        if (c == '"') {
            // A string, copied as it is up to its closing quote.
            const qsizetype start = i++;
            while (i < n && json[i] != '"')
                i += json[i] == '\\' ? 2 : 1;
            out.append(json.sliced(start, std::min(i, n - 1) - start + 1));
            continue;
        }
        if (isSpace(c))
            continue;
        if (c == '{' || c == '[') {
            qsizetype next = i + 1;
            while (next < n && isSpace(json[next]))
                ++next;
            if (next < n && json[next] == (c == '{' ? '}' : ']')) {
                out += c;
                out += json[next];
                i = next;
                continue;
            }
            out += c;
            ++depth;
            newline();
        } else if (c == '}' || c == ']') {
            depth = std::max(0, depth - 1);
            newline();
            out += c;
        } else if (c == ',') {
            out += c;
            newline();
        } else if (c == ':') {
            out += ": ";
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace pimscope
