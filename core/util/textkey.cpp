#include "textkey.h"

#include <QByteArray>

namespace pimscope::textkey {

namespace {

constexpr quint64 fnvOffset = 0xcbf29ce484222325ull;
constexpr quint64 fnvPrime = 0x100000001b3ull;

struct Hasher
{
    quint64 h = fnvOffset;

    void add(uchar byte) { h = (h ^ byte) * fnvPrime; }

    void add(QByteArrayView utf8)
    {
        for (const char c : utf8)
            add(uchar(c));
    }

    void add(QStringView text)
    {
        // ASCII (nearly every id) is hashed as it is; anything else through its UTF-8 form, as SQLite stores it.
        for (const QChar c : text) {
            if (c.unicode() >= 0x80) {
                add(QByteArrayView(text.toUtf8()));
                return;
            }
        }
        for (const QChar c : text)
            add(uchar(c.unicode()));
    }

    qint64 finish() const
    {
        quint64 z = h;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return qint64(z ^ (z >> 31));
    }
};

} // namespace

qint64 of(QByteArrayView utf8)
{
    Hasher h;
    h.add(utf8);
    return h.finish();
}

qint64 of(QStringView text)
{
    Hasher h;
    h.add(text);
    return h.finish();
}

qint64 subject(QStringView subjectType, QStringView subjectKeyText)
{
    Hasher h;
    h.add(subjectType);
    h.add(uchar(0x1f));
    h.add(subjectKeyText);
    return h.finish();
}

std::optional<qint64> subjectOf(QStringView subjectType, QStringView subjectId, QStringView subjectUuid)
{
    if (!subjectUuid.isEmpty())
        return subject(subjectType, subjectUuid);
    if (!subjectId.isEmpty())
        return subject(subjectType, subjectId);
    return std::nullopt;
}

std::optional<qint64> eventIdOf(QStringView eventId)
{
    if (eventId.isEmpty())
        return std::nullopt;
    return of(eventId);
}

} // namespace pimscope::textkey
