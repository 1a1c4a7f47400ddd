#pragma once

#include "secrets/secretstore.h"

#include <QHash>

namespace pimscope {

/**
 * SecretStore in memory, for the tests of components that use secrets. Same contract as the keychain store
 * (answers queued on the event loop, in order, Missing for an unknown name, remove() of an unknown name
 * succeeds), plus synchronous helpers to seed and inspect it and a switch that makes every request fail as
 * Unavailable. Not thread-safe: use it from its own thread.
 */
class MemorySecretStore final : public SecretStore
{
    Q_OBJECT
public:
    explicit MemorySecretStore(QObject *parent = nullptr);
    ~MemorySecretStore() override;

    void read(const QString &name) override;
    void write(const QString &name, const QByteArray &value) override;
    void remove(const QString &name) override;

    /** Seeds a value synchronously, without a signal. */
    void insert(const QString &name, const QByteArray &value);
    bool contains(const QString &name) const;
    /** The stored value; null when absent. */
    QByteArray value(const QString &name) const;
    int size() const;

    /** While set, every request fails with ErrorKind::Unavailable. */
    void setUnavailable(bool unavailable);

private:
    /** Runs `answer` from the event loop, or fails as Unavailable/Other instead; decided at call time. */
    template<typename Answer>
    void answerLater(const QString &name, Answer answer);

    QHash<QString, QByteArray> m_secrets;
    bool m_unavailable = false;
};

} // namespace pimscope
