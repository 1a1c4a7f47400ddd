#pragma once

#include <QString>

class QSettings;

namespace pimscope {

/**
 * What the Replay dialog remembers between runs (group "replay" of the settings), read by the dialog and by "Copy
 * as cURL", which sends to the same target with the same secret. Never a secret's value, only where it comes from;
 * never a password the URL carried; never "accept any TLS certificate" (a choice for one replay).
 */
struct ReplayChoices
{
    /** Where the signing secret comes from (the values are the dialog's list order and what is stored). */
    enum class SecretSource { None = 0, Keychain = 1, Environment = 2 };
    /** How requests are paced (the dialog's list order and what is stored). */
    enum class Pacing { AsFastAsPossible = 0, AkeneoQuota = 1, PerSecond = 2, PerHour = 3 };

    QString url; ///< without user info
    SecretSource secretSource = SecretSource::None;
    QString secretName; ///< the keychain entry or the environment variable
    /** The Event Platform's secondary secret (X-AKENEO-SIGNATURE-SECONDARY), only beside a primary one. */
    SecretSource secondarySource = SecretSource::None;
    QString secondaryName;
    int timeoutMs = 500;
    bool asReceived = false; ///< false: rebatched into envelopes of batchSize events
    int batchSize = 10;
    Pacing pacing = Pacing::AsFastAsPossible;
    double rate = 10.0; ///< per second or per hour, as pacing says
    int concurrency = 1;
    int order = 0; ///< the dialog's order list index
    int seed = 0;
    double duplicatesPercent = 0.0;

    /** The remembered choices; out-of-range values (a hand-edited file) fall back to the defaults. */
    static ReplayChoices load(QSettings &settings);
    void save(QSettings &settings) const;

    bool operator==(const ReplayChoices &) const = default;
};

} // namespace pimscope
