#include "timeutil.h"

#include <QDateTime>
#include <QTimeZone>

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

/** The civil date of a day count since 1970-01-01 (the inverse of daysFromCivil, Howard Hinnant's algorithm). */
void civilFromDays(qint64 z, qint64 &y, unsigned &m, unsigned &d)
{
    z += 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = unsigned(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = qint64(yoe) + era * 400 + (m <= 2 ? 1 : 0);
}

/** How formatUtc() writes: "yyyy<date>MM<date>dd<between>HH:mm:ss[.zzz]<suffix>". */
struct UtcStyle
{
    char dateSeparator;
    char between;
    bool milliseconds;
    const char *suffix;
};

QByteArray formatUtc(qint64 ms, const UtcStyle &style)
{
    constexpr qint64 msPerDay = 86'400'000;
    const qint64 days = ms >= 0 ? ms / msPerDay : -((-ms + msPerDay - 1) / msPerDay);
    const auto ofDay = int(ms - days * msPerDay);
    qint64 year = 0;
    unsigned month = 0, day = 0;
    civilFromDays(days, year, month, day);
    if (year < 1 || year > 9999) {
        // What QDateTime writes for such years (no year 0 there: 1 BC is -0001; a sign, more digits): through it.
        const QString pattern = QStringLiteral("yyyy%1MM%1dd%2HH:mm:ss%3")
                                    .arg(QChar::fromLatin1(style.dateSeparator), QChar::fromLatin1(style.between),
                                         style.milliseconds ? QStringLiteral(".zzz") : QString());
        QByteArray out = QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(pattern).toLatin1();
        return out + style.suffix;
    }
    char buf[32];
    char *p = buf;
    const auto put = [&p](unsigned value, int width) {
        for (int i = width - 1; i >= 0; --i) {
            p[i] = char('0' + value % 10);
            value /= 10;
        }
        p += width;
    };
    put(unsigned(year), 4);
    *p++ = style.dateSeparator;
    put(month, 2);
    *p++ = style.dateSeparator;
    put(day, 2);
    *p++ = style.between;
    put(unsigned(ofDay / 3'600'000), 2);
    *p++ = ':';
    put(unsigned(ofDay / 60'000 % 60), 2);
    *p++ = ':';
    put(unsigned(ofDay / 1000 % 60), 2);
    if (style.milliseconds) {
        *p++ = '.';
        put(unsigned(ofDay % 1000), 3);
    }
    QByteArray out(buf, p - buf);
    return out + style.suffix;
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

QDateTime utcDateTime(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch, QTimeZone::utc());
}

QString toIsoUtc(qint64 msSinceEpoch)
{
    return QString::fromLatin1(formatUtc(msSinceEpoch, {'-', 'T', true, "Z"}));
}

QString toTableUtc(qint64 msSinceEpoch)
{
    return QString::fromLatin1(formatUtc(msSinceEpoch, {'-', ' ', true, ""}));
}

QByteArray toLogTimeUtc(qint64 msSinceEpoch)
{
    return formatUtc(msSinceEpoch, {'/', ' ', false, ""});
}

QString toAtomUtc(qint64 msSinceEpoch)
{
    return QString::fromLatin1(formatUtc(msSinceEpoch, {'-', 'T', false, "+00:00"}));
}

} // namespace pimscope
