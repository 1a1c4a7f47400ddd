#pragma once

#include <QByteArray>
#include <QByteArrayView>

/**
 * The MACs the PIMs sign with, and the comparison to check them: used by the receiver (verifying), replay and the
 * demo (signing). Pure functions, safe from any thread.
 */
namespace pimscope {

/** Lowercase hex HMAC-SHA256 of `data` under `key` (64 characters). */
QByteArray hmacSha256Hex(QByteArrayView key, QByteArrayView data);

/** Akeneo's X-Akeneo-Request-Signature: lowercase hex HMAC-SHA256(secret, timestamp + "." + body). */
QByteArray akeneoSignature(QByteArrayView secret, QByteArrayView timestamp, QByteArrayView body);

/**
 * True when both are byte-for-byte equal. Equal lengths: the time does not depend on the contents (no early exit).
 * Different lengths: false at once (lengths are not secret here: every compared value is a fixed-size MAC or a
 * configured token).
 */
bool constantTimeEquals(QByteArrayView a, QByteArrayView b);

} // namespace pimscope
