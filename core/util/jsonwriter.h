#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>

namespace pimscope {

/**
 * A small streaming writer of compact JSON into a QByteArray, for exports where speed and exact bytes matter
 * (it can embed an already valid JSON text, such as an event's original bytes, without re-serialising it).
 * The caller is responsible for well-formed nesting; keys and strings are escaped here.
 */
class JsonWriter
{
public:
    explicit JsonWriter(QByteArray &out)
        : m_out(out)
    {
    }

    void beginObject()
    {
        separate();
        m_out += '{';
        m_first = true;
    }
    void endObject()
    {
        m_out += '}';
        m_first = false;
    }
    void beginArray()
    {
        separate();
        m_out += '[';
        m_first = true;
    }
    void endArray()
    {
        m_out += ']';
        m_first = false;
    }

    /** Writes `"key":` — the next call writes its value. */
    void key(const char *k);

    void null()
    {
        separate();
        m_out += "null";
    }
    void value(bool b)
    {
        separate();
        m_out += b ? "true" : "false";
    }
    void value(qint64 n)
    {
        separate();
        m_out += QByteArray::number(n);
    }
    void value(int n) { value(qint64(n)); }
    void value(double d);
    void value(const QString &s); ///< null QString -> null
    void value(QByteArrayView utf8);
    void value(const QByteArray &utf8) { value(QByteArrayView(utf8)); }
    void value(const QStringList &list);
    /** Embeds a text that is already valid JSON. */
    void raw(QByteArrayView json)
    {
        separate();
        m_out += json;
    }
    /**
     * Embeds valid JSON without its insignificant whitespace (so that it fits on one line); every token,
     * string escapes included, is kept byte for byte.
     */
    void rawCompact(QByteArrayView json);

    template<typename T>
    void value(const std::optional<T> &v)
    {
        if (v)
            value(*v);
        else
            null();
    }

    template<typename T>
    void field(const char *k, const T &v)
    {
        key(k);
        value(v);
    }
    void nullField(const char *k)
    {
        key(k);
        null();
    }

    static void escape(QByteArray &out, QByteArrayView utf8);

private:
    void separate()
    {
        if (m_afterKey) {
            m_afterKey = false;
            return;
        }
        if (!m_first)
            m_out += ',';
        m_first = false;
    }
    QByteArray &m_out;
    bool m_first = true;
    bool m_afterKey = false;
};

} // namespace pimscope
