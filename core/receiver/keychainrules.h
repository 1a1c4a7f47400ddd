#pragma once

#include "signatureverifier.h"

#include "util/result.h"

#include <QHash>
#include <QObject>
#include <QStringList>

namespace pimscope {

class SecretStore;

/** Which check a keychain rule's secrets are for. */
enum class SecretKind { Akeneo, EventPlatform, Quable };

/**
 * A signature rule whose secrets live in the OS keychain, by name: what the receive command's --verify and the
 * window's settings hold (never the values). Written "PREFIX=KIND:NAME[,NAME]", KIND one of akeneo,
 * event-platform (a primary and an optional secondary name) and quable (the expected Authorization value).
 */
struct KeychainRule
{
    QByteArray prefix = QByteArrayLiteral("/");
    SecretKind kind = SecretKind::Akeneo;
    QStringList names;

    bool operator==(const KeychainRule &) const = default;
};

/** Parses "PREFIX=KIND:NAME[,NAME]"; the error says what is wrong with it. */
Result<KeychainRule> parseKeychainRule(const QString &spec);
/** The text parseKeychainRule() reads back. */
QString keychainRuleSpec(const KeychainRule &rule);
/** "akeneo", "event-platform", "quable". */
QString secretKindName(SecretKind kind);

/**
 * Turns keychain rules into signature rules with the values read (by name); rules of one prefix are merged into
 * one. A name missing from `values` leaves that check unconfigured.
 */
QList<SignatureRule> signatureRules(const QList<KeychainRule> &wanted, const QHash<QString, QByteArray> &values);

/**
 * Reads the secrets that keychain rules name, without blocking: start() asks the store for each name once, and
 * loaded() comes when every answer is in, with the signature rules of what could be read and one message per
 * secret that could not (which never contains a value). Lives in the store's thread.
 */
class KeychainRuleLoader : public QObject
{
    Q_OBJECT
public:
    KeychainRuleLoader(SecretStore *store, QList<KeychainRule> rules, QObject *parent = nullptr);
    void start();

Q_SIGNALS:
    void loaded(const QList<pimscope::SignatureRule> &rules, const QStringList &failures);

private:
    void answered();

    SecretStore *m_store;
    QList<KeychainRule> m_rules;
    QStringList m_names;
    QHash<QString, QByteArray> m_values;
    QStringList m_failures;
    qsizetype m_outstanding = 0;
};

} // namespace pimscope
