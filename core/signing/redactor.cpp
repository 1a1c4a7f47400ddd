#include "redactor.h"

#include "hmac.h"

#include <QCryptographicHash>

namespace pimscope {

namespace {

constexpr QByteArrayView schemes[] = {"Basic", "Bearer", "Digest", "Negotiate", "Token"};

/** The scheme word `value` starts with, followed by one space and more (e.g. "Bearer "); empty when none. */
QByteArrayView schemePrefix(QByteArrayView value)
{
    const qsizetype space = value.indexOf(' ');
    if (space <= 0 || space + 1 >= value.size())
        return {};
    for (const QByteArrayView known : schemes) {
        if (known.compare(value.first(space), Qt::CaseInsensitive) == 0)
            return value.first(space + 1);
    }
    return {};
}

bool isLowerHex(QByteArrayView v)
{
    for (const char c : v) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

} // namespace

HeaderRedactor::HeaderRedactor(QList<QByteArray> secretHeaders, QByteArray key)
    : m_secretHeaders(std::move(secretHeaders))
    , m_key(std::move(key))
{
    for (QByteArray &name : m_secretHeaders)
        name = name.trimmed();
}

bool HeaderRedactor::isSecretHeader(QByteArrayView name) const
{
    if (QByteArrayView("Authorization").compare(name, Qt::CaseInsensitive) == 0
        || QByteArrayView("Proxy-Authorization").compare(name, Qt::CaseInsensitive) == 0)
        return true;
    for (const QByteArray &secretName : m_secretHeaders) {
        if (QByteArrayView(secretName).compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

QByteArray HeaderRedactor::marker(QByteArrayView value) const
{
    if (m_key.isEmpty()) {
        return QByteArrayLiteral("[redacted sha256:")
            + QCryptographicHash::hash(value, QCryptographicHash::Sha256).toHex().left(8) + ']';
    }
    return QByteArrayLiteral("[redacted hmac:") + hmacSha256Hex(m_key, value).left(8) + ']';
}

bool HeaderRedactor::isRedacted(QByteArrayView value)
{
    value = value.trimmed();
    value = value.sliced(schemePrefix(value).size());
    for (const QByteArrayView kind : {QByteArrayView("[redacted sha256:"), QByteArrayView("[redacted hmac:")}) {
        if (value.size() == kind.size() + 9 && value.startsWith(kind) && value.endsWith(']')
            && isLowerHex(value.sliced(kind.size(), 8)))
            return true;
    }
    return false;
}

bool HeaderRedactor::isHeaderName(QByteArrayView name)
{
    static constexpr QByteArrayView tokenPunctuation = "!#$%&'*+-.^_`|~";
    if (name.isEmpty())
        return false;
    for (const char c : name) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || tokenPunctuation.contains(c)))
            return false;
    }
    return true;
}

Headers HeaderRedactor::redacted(const Headers &headers) const
{
    Headers out = headers;
    for (Header &h : out) {
        if (!isSecretHeader(h.name) || isRedacted(h.value))
            continue;
        const QByteArrayView trimmed = QByteArrayView(h.value).trimmed();
        h.value = schemePrefix(trimmed).toByteArray() + marker(h.value);
    }
    return out;
}

} // namespace pimscope
