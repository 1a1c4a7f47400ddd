#include "timeutil.h"

#include <QDateTime>

namespace pimscope {

namespace {

class Cursor
{
public:
    explicit Cursor(std::string_view s)
        : m_s(s)
    {
    }
    bool atEnd() const { return m_pos >= m_s.size(); }
    char peek() const { return atEnd() ? '\0' : m_s[m_pos]; }
    bool eat(char c)
    {
        if (peek() != c)
            return false;
        ++m_pos;
        return true;
    }
    bool digits(int count, int &out)
    {
        int v = 0;
        for (int i = 0; i < count; ++i) {
            const char c = peek();
            if (c < '0' || c > '9')
                return false;
            v = v * 10 + (c - '0');
            ++m_pos;
        }
        out = v;
        return true;
    }

private:
    std::string_view m_s;
    std::size_t m_pos = 0;
};

bool validDate(int y, int mo, int d)
{
    static constexpr int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days[mo - 1])
        return false;
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(mo == 2 && d == 29 && !leap);
}

qint64 toMs(int y, int mo, int d, int h, int mi, int s, int ms)
{
    return ((daysFromCivil(y, unsigned(mo), unsigned(d)) * 24 + h) * 60 + mi) * 60000 + qint64(s) * 1000 + ms;
}

} // namespace

std::optional<qint64> parseIsoDateTime(std::string_view text)
{
    Cursor c(text);
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
    if (!c.digits(4, y) || !c.eat('-') || !c.digits(2, mo) || !c.eat('-') || !c.digits(2, d) || !validDate(y, mo, d))
        return std::nullopt;
    if (c.atEnd())
        return toMs(y, mo, d, 0, 0, 0, 0);
    if (!c.eat('T') && !c.eat('t') && !c.eat(' '))
        return std::nullopt;
    if (!c.digits(2, h) || !c.eat(':') || !c.digits(2, mi) || h > 23 || mi > 59)
        return std::nullopt;
    if (c.eat(':')) {
        if (!c.digits(2, s) || s > 60)
            return std::nullopt;
        if (c.eat('.') || c.eat(',')) {
            int scale = 100;
            int n = 0;
            while (c.peek() >= '0' && c.peek() <= '9') {
                ms += (c.peek() - '0') * scale;
                scale /= 10;
                c.eat(c.peek());
                ++n;
            }
            if (n == 0)
                return std::nullopt;
        }
    }
    qint64 offsetMinutes = 0;
    if (c.eat('Z') || c.eat('z')) {
        // UTC
    } else if (c.peek() == '+' || c.peek() == '-') {
        const int sign = c.peek() == '-' ? -1 : 1;
        c.eat(c.peek());
        int oh = 0, om = 0;
        if (!c.digits(2, oh))
            return std::nullopt;
        c.eat(':');
        if (!c.atEnd() && !c.digits(2, om))
            return std::nullopt;
        if (oh > 23 || om > 59)
            return std::nullopt;
        offsetMinutes = qint64{sign} * (oh * 60 + om);
    }
    if (!c.atEnd())
        return std::nullopt;
    return toMs(y, mo, d, h, mi, s, ms) - offsetMinutes * 60000;
}

std::optional<qint64> parseIsoDateTime(QStringView text)
{
    if (text.size() > 64)
        return std::nullopt;
    char buf[64];
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t ch = text[i].unicode();
        if (ch > 127)
            return std::nullopt;
        buf[i] = char(ch);
    }
    return parseIsoDateTime(std::string_view(buf, std::size_t(text.size())));
}

std::optional<qint64> parseLogDateTime(std::string_view text)
{
    Cursor c(text);
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!c.digits(4, y) || !c.eat('/') || !c.digits(2, mo) || !c.eat('/') || !c.digits(2, d) || !c.eat(' ')
        || !c.digits(2, h) || !c.eat(':') || !c.digits(2, mi) || !c.eat(':') || !c.digits(2, s) || !c.atEnd())
        return std::nullopt;
    if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 60)
        return std::nullopt;
    return toMs(y, mo, d, h, mi, s, 0);
}

QString toIsoUtc(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch, Qt::UTC).toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"));
}

QString toTableUtc(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
}

} // namespace pimscope
