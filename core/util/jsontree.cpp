#include "jsontree.h"

#include "utf8.h"

namespace pimscope {

namespace {

class Reader
{
public:
    explicit Reader(QByteArrayView text)
        : m_text(text)
    {
    }

    std::optional<JsonNode> document()
    {
        JsonNode root;
        if (!value(root, 0))
            return std::nullopt;
        space();
        if (m_at != m_text.size())
            return std::nullopt;
        return root;
    }

private:
    void space()
    {
        while (m_at < m_text.size()
               && (m_text[m_at] == ' ' || m_text[m_at] == '\t' || m_text[m_at] == '\n' || m_text[m_at] == '\r'))
            ++m_at;
    }
    bool literal(const char *word, JsonNode::Kind kind, JsonNode &node)
    {
        const QByteArrayView w(word);
        if (!m_text.sliced(m_at).startsWith(w))
            return false;
        m_at += w.size();
        node.kind = kind;
        node.value = QString::fromLatin1(word);
        return true;
    }
    bool hex4(char16_t &out)
    {
        if (m_at + 4 > m_text.size())
            return false;
        int v = 0;
        for (int i = 0; i < 4; ++i) {
            const int h = hexDigitValue(m_text[m_at + i]);
            if (h < 0)
                return false;
            v = v * 16 + h;
        }
        m_at += 4;
        out = char16_t(v);
        return true;
    }
    bool string(QString &out)
    {
        ++m_at; // the opening quote
        QByteArray utf8;
        while (m_at < m_text.size() && m_text[m_at] != '"') {
            const char c = m_text[m_at++];
            if (c != '\\') {
                utf8 += c;
                continue;
            }
            if (m_at >= m_text.size())
                return false;
            const char e = m_text[m_at++];
            switch (e) {
            case '"':
            case '\\':
            case '/':
                utf8 += e;
                break;
            case 'b':
                utf8 += '\b';
                break;
            case 'f':
                utf8 += '\f';
                break;
            case 'n':
                utf8 += '\n';
                break;
            case 'r':
                utf8 += '\r';
                break;
            case 't':
                utf8 += '\t';
                break;
            case 'u': {
                char16_t units[2];
                if (!hex4(units[0]))
                    return false;
                int n = 1;
                if (QChar::isHighSurrogate(units[0]) && m_text.sliced(m_at).startsWith("\\u")) {
                    m_at += 2;
                    if (!hex4(units[1]))
                        return false;
                    n = 2;
                }
                utf8 += QString(reinterpret_cast<const QChar *>(units), n).toUtf8();
                break;
            }
            default:
                return false;
            }
        }
        if (m_at >= m_text.size())
            return false;
        ++m_at; // the closing quote
        out = QString::fromUtf8(utf8);
        return true;
    }
    bool value(JsonNode &node, int depth)
    {
        if (depth > 1024)
            return false;
        space();
        if (m_at >= m_text.size())
            return false;
        const char c = m_text[m_at];
        if (c == '{' || c == '[') {
            const bool object = c == '{';
            node.kind = object ? JsonNode::Object : JsonNode::Array;
            ++m_at;
            space();
            if (m_at < m_text.size() && m_text[m_at] == (object ? '}' : ']')) {
                ++m_at;
                return true;
            }
            for (;;) {
                JsonNode child;
                space();
                if (object) {
                    if (m_at >= m_text.size() || m_text[m_at] != '"' || !string(child.key))
                        return false;
                    space();
                    if (m_at >= m_text.size() || m_text[m_at++] != ':')
                        return false;
                } else {
                    child.key = QString::number(node.children.size());
                }
                if (!value(child, depth + 1))
                    return false;
                node.children.append(std::move(child));
                space();
                if (m_at >= m_text.size())
                    return false;
                const char next = m_text[m_at++];
                if (next == ',')
                    continue;
                return next == (object ? '}' : ']');
            }
        }
        if (c == '"') {
            node.kind = JsonNode::String;
            return string(node.value);
        }
        if (c == 't')
            return literal("true", JsonNode::Bool, node);
        if (c == 'f')
            return literal("false", JsonNode::Bool, node);
        if (c == 'n')
            return literal("null", JsonNode::Null, node);
        // A number, as written.
        const qsizetype start = m_at;
        while (m_at < m_text.size() && QByteArrayView("+-0123456789.eE").contains(m_text[m_at]))
            ++m_at;
        if (m_at == start)
            return false;
        node.kind = JsonNode::Number;
        node.value = QString::fromLatin1(m_text.sliced(start, m_at - start));
        return true;
    }

    QByteArrayView m_text;
    qsizetype m_at = 0;
};

} // namespace

std::optional<JsonNode> parseJsonTree(QByteArrayView json)
{
    return Reader(json).document();
}

} // namespace pimscope
