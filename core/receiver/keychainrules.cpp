#include "keychainrules.h"

#include "secrets/secretstore.h"

#include <QTimer>

#include <algorithm>

namespace pimscope {

QString secretKindName(SecretKind kind)
{
    switch (kind) {
    case SecretKind::Akeneo:
        return QStringLiteral("akeneo");
    case SecretKind::EventPlatform:
        return QStringLiteral("event-platform");
    case SecretKind::Quable:
        return QStringLiteral("quable");
    }
    return {};
}

Result<KeychainRule> parseKeychainRule(const QString &spec)
{
    using R = Result<KeychainRule>;
    const qsizetype eq = spec.indexOf(u'=');
    const qsizetype colon = spec.indexOf(u':', eq + 1);
    if (eq <= 0 || colon < 0 || !spec.startsWith(u'/'))
        return R::failure(
            QStringLiteral("a rule must be PREFIX=KIND:NAME with PREFIX starting with '/', not '%1'").arg(spec));
    KeychainRule rule;
    rule.prefix = spec.left(eq).toUtf8();
    const QString kind = spec.mid(eq + 1, colon - eq - 1);
    if (kind == u"akeneo")
        rule.kind = SecretKind::Akeneo;
    else if (kind == u"event-platform")
        rule.kind = SecretKind::EventPlatform;
    else if (kind == u"quable")
        rule.kind = SecretKind::Quable;
    else
        return R::failure(
            QStringLiteral("unknown kind '%1' in '%2' (akeneo, event-platform or quable)").arg(kind, spec));
    rule.names = spec.mid(colon + 1).split(u',', Qt::SkipEmptyParts);
    for (QString &n : rule.names)
        n = n.trimmed();
    rule.names.removeAll(QString());
    const qsizetype maxNames = rule.kind == SecretKind::EventPlatform ? 2 : 1;
    if (rule.names.isEmpty() || rule.names.size() > maxNames)
        return R::failure(QStringLiteral("%1: give %2 secret name(s)")
                              .arg(spec, maxNames == 2 ? QStringLiteral("one or two") : QStringLiteral("one")));
    return rule;
}

QString keychainRuleSpec(const KeychainRule &rule)
{
    return QString::fromUtf8(rule.prefix) + u'=' + secretKindName(rule.kind) + u':' + rule.names.join(u',');
}

QList<SignatureRule> signatureRules(const QList<KeychainRule> &wanted, const QHash<QString, QByteArray> &values)
{
    QList<SignatureRule> rules;
    for (const KeychainRule &k : wanted) {
        auto it = std::find_if(rules.begin(), rules.end(),
                               [&](const SignatureRule &r) { return r.pathPrefix == k.prefix; });
        if (it == rules.end()) {
            SignatureRule r;
            r.pathPrefix = k.prefix;
            r.name = k.names.join(u',');
            rules.append(r);
            it = rules.end() - 1;
        } else {
            it->name += u',' + k.names.join(u',');
        }
        switch (k.kind) {
        case SecretKind::Akeneo:
            it->akeneoSecret = values.value(k.names.first());
            break;
        case SecretKind::EventPlatform:
            for (const QString &n : k.names) {
                if (values.contains(n))
                    it->eventPlatformSecrets.append(values.value(n));
            }
            break;
        case SecretKind::Quable:
            it->quableAuthorization = values.value(k.names.first());
            break;
        }
    }
    return rules;
}

KeychainRuleLoader::KeychainRuleLoader(SecretStore *store, QList<KeychainRule> rules, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_rules(std::move(rules))
{
    for (const KeychainRule &k : m_rules) {
        for (const QString &n : k.names) {
            if (!m_names.contains(n))
                m_names.append(n);
        }
    }
}

void KeychainRuleLoader::start()
{
    m_outstanding = m_names.size();
    if (m_outstanding == 0) {
        QTimer::singleShot(0, this, [this] { Q_EMIT loaded(signatureRules(m_rules, m_values), m_failures); });
        return;
    }
    connect(m_store, &SecretStore::secretRead, this, [this](const QString &name, const QByteArray &value) {
        if (!m_names.contains(name) || m_values.contains(name))
            return;
        m_values.insert(name, value);
        answered();
    });
    connect(m_store, &SecretStore::secretFailed, this,
            [this](const QString &name, SecretStore::ErrorKind, const QString &message) {
                if (!m_names.contains(name))
                    return;
                m_failures.append(message);
                answered();
            });
    for (const QString &n : m_names)
        m_store->read(n);
}

void KeychainRuleLoader::answered()
{
    if (--m_outstanding == 0)
        Q_EMIT loaded(signatureRules(m_rules, m_values), m_failures);
}

} // namespace pimscope
