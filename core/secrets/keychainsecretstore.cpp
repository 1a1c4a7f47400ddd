#include "keychainsecretstore.h"

#include <qt6keychain/keychain.h>

#ifdef Q_OS_LINUX
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusObjectPath>
#include <QDBusReply>
#include <QDBusVariant>
#endif

namespace pimscope {

namespace {

/**
 * Why the Secret Service (gnome-keyring, KeePassXC...) could not have answered, when QtKeychain only says "not
 * found" or fails: its default keyring is locked (and no unlock prompt could be shown) or there is none. Empty when
 * it looks usable, or when there is no Secret Service to ask (KWallet, other systems). A D-Bus round trip or two,
 * only on a failure.
 */
QString secretServiceProblem()
{
#ifdef Q_OS_LINUX
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected())
        return {};
    const QString serviceName = QStringLiteral("org.freedesktop.secrets");
    QDBusMessage readAlias
        = QDBusMessage::createMethodCall(serviceName, QStringLiteral("/org/freedesktop/secrets"),
                                         QStringLiteral("org.freedesktop.Secret.Service"), QStringLiteral("ReadAlias"));
    readAlias << QStringLiteral("default");
    const QDBusReply<QDBusObjectPath> alias = bus.call(readAlias, QDBus::Block, 2000);
    if (!alias.isValid())
        return {};
    if (alias.value().path() == u"/")
        return QStringLiteral("the keychain has no default keyring: create or unlock one (e.g. log in to a desktop "
                              "session, or open \"Passwords and Keys\") and try again");
    QDBusMessage get = QDBusMessage::createMethodCall(
        serviceName, alias.value().path(), QStringLiteral("org.freedesktop.DBus.Properties"), QStringLiteral("Get"));
    get << QStringLiteral("org.freedesktop.Secret.Collection") << QStringLiteral("Locked");
    const QDBusReply<QDBusVariant> locked = bus.call(get, QDBus::Block, 2000);
    if (locked.isValid() && locked.value().variant().toBool())
        return QStringLiteral("the keychain is locked and could not ask to be unlocked: unlock it (e.g. log in to a "
                              "desktop session, or open \"Passwords and Keys\") and try again");
#endif
    return {};
}

} // namespace

QString KeychainSecretStore::defaultService()
{
    return QStringLiteral("pimscope");
}

KeychainSecretStore::KeychainSecretStore(QObject *parent)
    : KeychainSecretStore(defaultService(), parent)
{
}

KeychainSecretStore::KeychainSecretStore(QString service, QObject *parent)
    : SecretStore(parent)
    , m_service(std::move(service))
{
}

KeychainSecretStore::~KeychainSecretStore() = default;

void KeychainSecretStore::read(const QString &name)
{
    if (name.isEmpty()) {
        failLater(name, ErrorKind::Other, QStringLiteral("empty secret name"));
        return;
    }
    start(new QKeychain::ReadPasswordJob(m_service), Operation::Read, name);
}

void KeychainSecretStore::write(const QString &name, const QByteArray &value)
{
    if (name.isEmpty()) {
        failLater(name, ErrorKind::Other, QStringLiteral("empty secret name"));
        return;
    }
    auto *job = new QKeychain::WritePasswordJob(m_service);
    job->setBinaryData(value);
    start(job, Operation::Write, name);
}

void KeychainSecretStore::remove(const QString &name)
{
    if (name.isEmpty()) {
        failLater(name, ErrorKind::Other, QStringLiteral("empty secret name"));
        return;
    }
    start(new QKeychain::DeletePasswordJob(m_service), Operation::Remove, name);
}

void KeychainSecretStore::start(QKeychain::Job *job, Operation operation, const QString &name)
{
    // The job has no parent and deletes itself after finished(): deleting it while the back-end's asynchronous
    // call is still running (as a child of a destroyed store would be) is not safe. With `this` as the
    // context, a destroyed store just stops listening.
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(name);
    connect(job, &QKeychain::Job::finished, this,
            [this, operation, name](QKeychain::Job *j) { finished(j, operation, name); });
    job->start();
}

void KeychainSecretStore::finished(QKeychain::Job *job, Operation operation, const QString &name)
{
    // Copy what is needed now (the job deletes itself), then emit from the event loop: some back-ends fail
    // synchronously inside start(), and the answer must never arrive before read()/write()/remove() returned.
    QKeychain::Error error = job->error();
    if (error == QKeychain::NoError || (operation == Operation::Remove && error == QKeychain::EntryNotFound)) {
        switch (operation) {
        case Operation::Read: {
            const QByteArray value = static_cast<QKeychain::ReadPasswordJob *>(job)->binaryData();
            QMetaObject::invokeMethod(
                this, [this, name, value] { Q_EMIT secretRead(name, value); }, Qt::QueuedConnection);
            break;
        }
        case Operation::Write:
            QMetaObject::invokeMethod(
                this, [this, name] { Q_EMIT secretWritten(name); }, Qt::QueuedConnection);
            break;
        case Operation::Remove:
            QMetaObject::invokeMethod(
                this, [this, name] { Q_EMIT secretRemoved(name); }, Qt::QueuedConnection);
            break;
        }
        return;
    }

    QString detail = job->errorString().trimmed();
    const QString what = operation == Operation::Read ? QStringLiteral("reading")
        : operation == Operation::Write               ? QStringLiteral("writing")
                                                      : QStringLiteral("deleting");
    if (error == QKeychain::EntryNotFound || error == QKeychain::OtherError) {
        // A locked keyring reads as "not found" through libsecret when no prompt can unlock it: it is unavailable,
        // for the reason the Secret Service gives.
        if (QString problem = secretServiceProblem(); !problem.isEmpty()) {
            error = QKeychain::OtherError;
            detail = std::move(problem);
        }
    }
    switch (error) {
    case QKeychain::EntryNotFound:
        failLater(name, ErrorKind::Missing, missingMessage(name));
        return;
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        failLater(name, ErrorKind::Denied,
                  QStringLiteral("access to the keychain denied (%1 '%2'): %3").arg(what, name, detail));
        return;
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
    case QKeychain::OtherError:
        failLater(name, ErrorKind::Unavailable,
                  QStringLiteral("keychain unavailable (%1 '%2'): %3").arg(what, name, detail));
        return;
    case QKeychain::NoError:
    case QKeychain::CouldNotDeleteEntry:
        break;
    }
    failLater(name, ErrorKind::Other, QStringLiteral("keychain error (%1 '%2'): %3").arg(what, name, detail));
}

void KeychainSecretStore::failLater(const QString &name, ErrorKind kind, const QString &message)
{
    QMetaObject::invokeMethod(
        this, [this, name, kind, message] { Q_EMIT secretFailed(name, kind, message); }, Qt::QueuedConnection);
}

} // namespace pimscope
