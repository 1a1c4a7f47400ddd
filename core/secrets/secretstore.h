#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

#include "util/result.h"

#include <functional>

namespace pimscope {

/**
 * Named secrets (webhook secrets, expected Authorization values) kept outside the settings and the database.
 *
 * Asynchronous: read(), write() and remove() return at once and the outcome arrives later as exactly one signal
 * naming the secret, never before the call has returned (so a caller may connect after calling). Requests for
 * non-empty names are answered in the order they were made. Call them from the thread the store lives in; that
 * thread must run an event loop. No nested event loop is ever started.
 *
 * Values are never logged, and error messages never contain them. A missing entry is reported as
 * ErrorKind::Missing ("no secret named 'X' in the keychain"), distinct from an unreachable keychain
 * (ErrorKind::Unavailable). remove() succeeds whether or not the entry existed (keychain back-ends do not all tell).
 */
class SecretStore : public QObject
{
    Q_OBJECT
public:
    /** Why a request failed. */
    enum class ErrorKind {
        Missing, ///< no secret of that name
        Unavailable, ///< no keychain reachable (no session bus, no secret service, locked keyring without prompt)
        Denied, ///< the keychain refused access (e.g. the user declined)
        Other, ///< anything else, including an empty name
    };
    Q_ENUM(ErrorKind)

    using QObject::QObject;
    ~SecretStore() override;

    /** Asks for the value of `name`: secretRead() or secretFailed(). */
    virtual void read(const QString &name) = 0;
    /** Stores `value` (any bytes, NULs included) under `name`, replacing any: secretWritten() or secretFailed(). */
    virtual void write(const QString &name, const QByteArray &value) = 0;
    /** Deletes `name`: secretRemoved() (also when it did not exist) or secretFailed(). */
    virtual void remove(const QString &name) = 0;

    /**
     * Reads `name` once: `done` gets the value, or an error message, exactly once (unless `context` is destroyed
     * first), in the store's thread. Answers about other names are ignored.
     */
    void readOnce(const QString &name, QObject *context, std::function<void(Result<QByteArray>)> done);

    /** "missing", "unavailable", "denied", "other". */
    static QString errorKindName(ErrorKind kind);
    /** "no secret named 'NAME' in the keychain": the message of every Missing failure. */
    static QString missingMessage(const QString &name);

Q_SIGNALS:
    void secretRead(const QString &name, const QByteArray &value);
    void secretWritten(const QString &name);
    void secretRemoved(const QString &name);
    /** `message` is one line for the user; it names the secret but never contains a value. */
    void secretFailed(const QString &name, pimscope::SecretStore::ErrorKind kind, const QString &message);
};

} // namespace pimscope
