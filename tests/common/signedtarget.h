#pragma once

// A connector under test for replays: Pimscope's own receiver on a loopback port, with a capture of its own,
// checking Akeneo signatures with one secret, or as a rule says.

#include "stored.h"

#include "receiver/receiver.h"
#include "store/eventstore.h"

#include <QString>

#include <memory>

namespace pimscope::test {

class SignedTarget
{
public:
    SignedTarget(const QString &capturePath, const QByteArray &akeneoSecret)
        : SignedTarget(capturePath, akeneoRule(akeneoSecret))
    {
    }
    /** The same verifying with `rule` (e.g. the Event Platform's secrets). */
    SignedTarget(const QString &capturePath, const SignatureRule &rule)
    {
        auto store = EventStore::open(capturePath);
        if (!store)
            qFatal("cannot open the target's capture: %s", qPrintable(store.error()));
        m_store = std::move(store.value());
        ReceiverSettings settings;
        settings.port = 0;
        settings.signatures.rules = {rule};
        m_receiver = std::make_unique<Receiver>(m_store.get(), settings);
        if (const auto port = m_receiver->start(); !port)
            qFatal("the target's receiver did not start: %s", qPrintable(port.error()));
    }

    /** Where it listens, with `path` (e.g. "hook") after the root. */
    QString url(const char *path = "hook") const { return m_receiver->url() + QLatin1StringView(path); }
    /** What it stored, once every delivery it took is written. */
    QList<Delivery> received()
    {
        m_store->flush();
        return allDeliveries(m_store->reader());
    }

private:
    static SignatureRule akeneoRule(const QByteArray &secret)
    {
        SignatureRule rule;
        rule.akeneoSecret = secret;
        return rule;
    }

    std::unique_ptr<EventStore> m_store; // declared first: the receiver goes before its capture
    std::unique_ptr<Receiver> m_receiver;
};

} // namespace pimscope::test
