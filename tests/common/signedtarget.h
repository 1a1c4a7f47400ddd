#pragma once

// A connector under test for replays: Pimscope's own receiver on a loopback port, with a capture of its own,
// checking Akeneo signatures with one secret.

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
    {
        auto store = EventStore::open(capturePath);
        if (!store)
            qFatal("cannot open the target's capture: %s", qPrintable(store.error()));
        m_store = std::move(store.value());
        ReceiverSettings settings;
        settings.port = 0;
        SignatureRule rule;
        rule.akeneoSecret = akeneoSecret;
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
    std::unique_ptr<EventStore> m_store; // declared first: the receiver goes before its capture
    std::unique_ptr<Receiver> m_receiver;
};

} // namespace pimscope::test
