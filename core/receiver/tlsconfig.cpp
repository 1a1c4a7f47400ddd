#include "tlsconfig.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslKey>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace pimscope {

namespace {

Result<QByteArray> readFile(const QString &path, const char *option)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Result<QByteArray>::failure(
            QStringLiteral("cannot read %1 %2: %3").arg(QLatin1StringView(option), path, f.errorString()));
    return f.readAll();
}

/** Whether the PEM key is the private half of the PEM certificate's public key (std::nullopt: cannot tell). */
std::optional<bool> keyMatches(const QByteArray &certPem, const QByteArray &keyPem)
{
    std::unique_ptr<BIO, decltype(&BIO_free)> certBio(BIO_new_mem_buf(certPem.constData(), int(certPem.size())),
                                                      &BIO_free);
    std::unique_ptr<BIO, decltype(&BIO_free)> keyBio(BIO_new_mem_buf(keyPem.constData(), int(keyPem.size())),
                                                     &BIO_free);
    if (!certBio || !keyBio)
        return std::nullopt;
    std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr),
                                                     &X509_free);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
    if (!cert || !key)
        return std::nullopt;
    return X509_check_private_key(cert.get(), key.get()) == 1;
}

} // namespace

Result<QSslConfiguration> loadServerTls(const QString &certificatePath, const QString &keyPath)
{
    using R = Result<QSslConfiguration>;
    const auto certPem = readFile(certificatePath, "--tls-cert");
    if (!certPem)
        return R::failure(certPem.error());
    const auto keyPem = readFile(keyPath, "--tls-key");
    if (!keyPem)
        return R::failure(keyPem.error());
    const QList<QSslCertificate> chain = QSslCertificate::fromData(*certPem, QSsl::Pem);
    if (chain.isEmpty())
        return R::failure(QStringLiteral("--tls-cert %1 holds no PEM certificate").arg(certificatePath));
    QSslKey key(*keyPem, QSsl::Rsa, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(*keyPem, QSsl::Ec, QSsl::Pem);
    if (key.isNull())
        return R::failure(QStringLiteral("--tls-key %1 holds no unencrypted PEM private key (RSA or EC)").arg(keyPath));
    if (keyMatches(*certPem, *keyPem) == false)
        return R::failure(
            QStringLiteral("--tls-key %1 is not the private key of --tls-cert %2").arg(keyPath, certificatePath));
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setLocalCertificateChain(chain);
    config.setPrivateKey(key);
    config.setPeerVerifyMode(QSslSocket::VerifyNone);
    // HTTP/1.1 only: the guard reads HTTP/1.1 request heads, and QHttpServer 6.8 would speak HTTP/2 to a client
    // offering h2 through ALPN, past the guard's limits.
    config.setAllowedNextProtocols({QByteArray(QSslConfiguration::NextProtocolHttp1_1)});
    return config;
}

} // namespace pimscope
