#include "replaychoices.h"

#include <QSettings>
#include <QUrl>

#include <algorithm>

namespace pimscope {

namespace {

template<typename Enum>
Enum enumValue(const QVariant &stored, Enum fallback, Enum last)
{
    bool ok = false;
    const int v = stored.toInt(&ok);
    return ok && v >= 0 && v <= int(last) ? Enum(v) : fallback;
}

} // namespace

ReplayChoices ReplayChoices::load(QSettings &settings)
{
    ReplayChoices c;
    settings.beginGroup(QStringLiteral("replay"));
    c.url = settings.value(QStringLiteral("url")).toString();
    c.secretSource
        = enumValue(settings.value(QStringLiteral("secretSource")), c.secretSource, SecretSource::Environment);
    c.secretName = settings.value(QStringLiteral("secretName")).toString();
    c.secondarySource = enumValue(settings.value(QStringLiteral("secondarySecretSource")), c.secondarySource,
                                  SecretSource::Environment);
    c.secondaryName = settings.value(QStringLiteral("secondarySecretName")).toString();
    c.timeoutMs = std::max(1, settings.value(QStringLiteral("timeoutMs"), c.timeoutMs).toInt());
    c.asReceived = settings.value(QStringLiteral("asReceived"), c.asReceived).toBool();
    c.batchSize = std::max(1, settings.value(QStringLiteral("batchSize"), c.batchSize).toInt());
    c.pacing = enumValue(settings.value(QStringLiteral("pacing")), c.pacing, Pacing::PerHour);
    c.rate = settings.value(QStringLiteral("rate"), c.rate).toDouble();
    c.concurrency = std::max(1, settings.value(QStringLiteral("concurrency"), c.concurrency).toInt());
    c.order = std::max(0, settings.value(QStringLiteral("order"), c.order).toInt());
    c.seed = settings.value(QStringLiteral("seed"), c.seed).toInt();
    c.duplicatesPercent = settings.value(QStringLiteral("duplicatesPercent"), c.duplicatesPercent).toDouble();
    settings.endGroup();
    return c;
}

void ReplayChoices::save(QSettings &settings) const
{
    settings.beginGroup(QStringLiteral("replay"));
    // Not a password the URL may carry (user:password@host): secrets are never saved.
    settings.setValue(QStringLiteral("url"), QUrl(url.trimmed()).toString(QUrl::RemoveUserInfo));
    settings.setValue(QStringLiteral("secretSource"), int(secretSource));
    settings.setValue(QStringLiteral("secretName"), secretName.trimmed());
    settings.setValue(QStringLiteral("secondarySecretSource"), int(secondarySource));
    settings.setValue(QStringLiteral("secondarySecretName"), secondaryName.trimmed());
    settings.remove(QStringLiteral("insecure")); // saved by earlier versions
    settings.setValue(QStringLiteral("timeoutMs"), timeoutMs);
    settings.setValue(QStringLiteral("asReceived"), asReceived);
    settings.setValue(QStringLiteral("batchSize"), batchSize);
    settings.setValue(QStringLiteral("pacing"), int(pacing));
    settings.setValue(QStringLiteral("rate"), rate);
    settings.setValue(QStringLiteral("concurrency"), concurrency);
    settings.setValue(QStringLiteral("order"), order);
    settings.setValue(QStringLiteral("seed"), seed);
    settings.setValue(QStringLiteral("duplicatesPercent"), duplicatesPercent);
    settings.endGroup();
}

} // namespace pimscope
