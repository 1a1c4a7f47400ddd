#pragma once

#include "model/delivery.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace pimscope {

/**
 * Replaces the values of secret-carrying headers by markers before anything is stored or written out: the receiver,
 * replay, log import and every export use the same one, built from the user's settings (the secret header names
 * they added), so that a header they named secret is redacted on every path.
 *
 * Secret headers: Authorization and Proxy-Authorization always, and `secretHeaders` (names compared
 * case-insensitively, surrounding whitespace ignored). Signature headers are not secrets (they are MACs of one body)
 * and stay. A value type, immutable: share or copy it freely between threads.
 */
class HeaderRedactor
{
public:
    /**
     * `key`: optional key for the short hash in markers. Empty: a marker holds a prefix of SHA-256(value) ("sha256:");
     * set: a prefix of HMAC-SHA256(key, value) ("hmac:"), so guessable tokens cannot be confirmed offline from a
     * capture file. Keep it stable (per installation) for markers to stay comparable.
     */
    explicit HeaderRedactor(QList<QByteArray> secretHeaders = {}, QByteArray key = {});

    /** True for Authorization, Proxy-Authorization and the configured secret headers (case-insensitive). */
    bool isSecretHeader(QByteArrayView name) const;

    /**
     * The headers in the same order, with the values of secret-carrying headers replaced by a marker, e.g.
     * "[redacted sha256:1a2b3c4d]" (8 hex digits of SHA-256 of the whole value, or of its HMAC under the key: equal
     * values give equal markers). A well-known scheme word (Basic, Bearer, Digest, Negotiate, Token) is kept:
     * "Bearer [redacted sha256:1a2b3c4d]". A value that is a marker already is left as it is.
     */
    Headers redacted(const Headers &headers) const;

    /** The marker redacted() puts in place of `value`. */
    QByteArray marker(QByteArrayView value) const;

    /** True when `value` holds a marker already (redacting it again would hash the marker). */
    static bool isRedacted(QByteArrayView value);

    /** True when `name` can be a header name: an HTTP token (RFC 9110), no spaces, colons or quotes. */
    static bool isHeaderName(QByteArrayView name);

    const QList<QByteArray> &secretHeaders() const { return m_secretHeaders; }

private:
    QList<QByteArray> m_secretHeaders;
    QByteArray m_key;
};

} // namespace pimscope
