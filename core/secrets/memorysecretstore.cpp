#include "memorysecretstore.h"

namespace pimscope {

MemorySecretStore::MemorySecretStore(QObject *parent)
    : SecretStore(parent)
{
}

MemorySecretStore::~MemorySecretStore() = default;

template<typename Answer>
void MemorySecretStore::answerLater(const QString &name, Answer answer)
{
    if (m_unavailable) {
        QMetaObject::invokeMethod(
            this,
            [this, name] {
                Q_EMIT secretFailed(name, ErrorKind::Unavailable,
                                    QStringLiteral("keychain unavailable (memory store switched off)"));
            },
            Qt::QueuedConnection);
        return;
    }
    if (name.isEmpty()) {
        QMetaObject::invokeMethod(
            this, [this, name] { Q_EMIT secretFailed(name, ErrorKind::Other, QStringLiteral("empty secret name")); },
            Qt::QueuedConnection);
        return;
    }
    QMetaObject::invokeMethod(this, std::move(answer), Qt::QueuedConnection);
}

void MemorySecretStore::read(const QString &name)
{
    // The value is taken when the answer is delivered, so a write() made before this read() is seen.
    answerLater(name, [this, name] {
        const auto it = m_secrets.constFind(name);
        if (it == m_secrets.constEnd())
            Q_EMIT secretFailed(name, ErrorKind::Missing, missingMessage(name));
        else
            Q_EMIT secretRead(name, it.value());
    });
}

void MemorySecretStore::write(const QString &name, const QByteArray &value)
{
    answerLater(name, [this, name, value] {
        m_secrets.insert(name, value);
        Q_EMIT secretWritten(name);
    });
}

void MemorySecretStore::remove(const QString &name)
{
    answerLater(name, [this, name] {
        m_secrets.remove(name);
        Q_EMIT secretRemoved(name);
    });
}

void MemorySecretStore::insert(const QString &name, const QByteArray &value)
{
    m_secrets.insert(name, value);
}

bool MemorySecretStore::contains(const QString &name) const
{
    return m_secrets.contains(name);
}

QByteArray MemorySecretStore::value(const QString &name) const
{
    return m_secrets.value(name);
}

int MemorySecretStore::size() const
{
    return int(m_secrets.size());
}

void MemorySecretStore::setUnavailable(bool unavailable)
{
    m_unavailable = unavailable;
}

} // namespace pimscope
