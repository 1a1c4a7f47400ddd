#include "hmac.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>

#include <openssl/evp.h>
#include <openssl/params.h>

#include <initializer_list>

namespace pimscope {

namespace {

/**
 * HMAC-SHA256 of the concatenated parts, lowercase hex. OpenSSL's SHA-256 uses the CPU's SHA extensions: about
 * 7x QMessageAuthenticationCode's speed on a 5 KB body (the receiver checks one per request).
 */
QByteArray hmacSha256HexOf(QByteArrayView key, std::initializer_list<QByteArrayView> parts)
{
    // Fetched once (thread-safe in C++11 and later); an EVP_MAC may be shared between threads.
    static EVP_MAC *const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    unsigned char out[EVP_MAX_MD_SIZE];
    size_t length = 0;
    EVP_MAC_CTX *ctx = hmac ? EVP_MAC_CTX_new(hmac) : nullptr;
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0), OSSL_PARAM_construct_end()};
    // A null key pointer would mean "keep the previous key" to OpenSSL: an empty key is passed as "".
    const char *keyBytes = key.data() ? key.data() : "";
    bool ok = ctx && EVP_MAC_init(ctx, reinterpret_cast<const unsigned char *>(keyBytes), size_t(key.size()), params);
    for (QByteArrayView part : parts)
        ok = ok && EVP_MAC_update(ctx, reinterpret_cast<const unsigned char *>(part.data()), size_t(part.size()));
    ok = ok && EVP_MAC_final(ctx, out, &length, sizeof out);
    EVP_MAC_CTX_free(ctx);
    if (!ok) {
        // Not expected with the system's libcrypto; Qt's implementation gives the same bytes.
        QMessageAuthenticationCode mac(QCryptographicHash::Sha256, key.toByteArray());
        for (QByteArrayView part : parts)
            mac.addData(part.data(), part.size());
        return mac.result().toHex();
    }
    return QByteArray::fromRawData(reinterpret_cast<const char *>(out), qsizetype(length)).toHex();
}

} // namespace

QByteArray hmacSha256Hex(QByteArrayView key, QByteArrayView data)
{
    return hmacSha256HexOf(key, {data});
}

QByteArray akeneoSignature(QByteArrayView secret, QByteArrayView timestamp, QByteArrayView body)
{
    return hmacSha256HexOf(secret, {timestamp, QByteArrayView("."), body});
}

bool constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

} // namespace pimscope
