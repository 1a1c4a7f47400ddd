#pragma once

#include "secrets/secretstore.h"

namespace QKeychain {
class Job;
}

namespace pimscope {

/**
 * SecretStore on the OS keychain through QtKeychain (Secret Service / gnome-keyring or KWallet on Linux, Keychain
 * on macOS, Credential Store on Windows), under one service name ("pimscope" by default).
 *
 * Each request runs as one QtKeychain job; QtKeychain queues them, so requests are answered in order. The jobs
 * delete themselves; destroying the store with requests pending drops their answers (no signal, no crash).
 * Lives in, and must be used from, a thread with a running event loop (the Secret Service back-end needs the
 * GLib-integrated dispatcher Qt uses by default on Linux). Failures map from QtKeychain's codes: EntryNotFound ->
 * Missing; NoBackendAvailable, NotImplemented and OtherError (D-Bus unreachable, no collection) -> Unavailable;
 * AccessDenied(ByUser) -> Denied; the rest -> Other. When a Secret Service answers "not found" or fails while its
 * default keyring is locked or missing (libsecret reads a locked keyring that no prompt could unlock as empty), the
 * failure is Unavailable and its message says so.
 */
class KeychainSecretStore final : public SecretStore
{
    Q_OBJECT
public:
    /** "pimscope". */
    static QString defaultService();

    explicit KeychainSecretStore(QObject *parent = nullptr);
    /** A store under another service name (tests, or a second profile). */
    explicit KeychainSecretStore(QString service, QObject *parent = nullptr);
    ~KeychainSecretStore() override;

    QString service() const { return m_service; }

    void read(const QString &name) override;
    void write(const QString &name, const QByteArray &value) override;
    void remove(const QString &name) override;

private:
    enum class Operation { Read, Write, Remove };
    void start(QKeychain::Job *job, Operation operation, const QString &name);
    void finished(QKeychain::Job *job, Operation operation, const QString &name);
    void failLater(const QString &name, ErrorKind kind, const QString &message);

    QString m_service;
};

} // namespace pimscope
