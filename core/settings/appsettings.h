#pragma once

#include "models/colourrule.h"
#include "receiver/keychainrules.h"
#include "receiver/receiver.h"
#include "store/records.h"

#include "util/result.h"

#include <QString>

class QSettings;

namespace pimscope {

/** The window's look: the platform's, or Pimscope's own light or dark palette. */
enum class Theme { System, Light, Dark };
QString themeName(Theme theme);

/**
 * What the settings dialog edits, kept in QSettings: how the receiver listens and answers, which keychain secrets
 * verify which paths (names only: the values stay in the keychain), the connection's own author (the self flag),
 * how much of a capture to keep, and the theme.
 */
struct AppSettings
{
    QString listen = QStringLiteral("127.0.0.1:8787");
    QString tlsCertificate; ///< PEM files; both empty: plain HTTP
    QString tlsKey;
    int answerStatus = 200;
    int answerDelayMs = 0;
    qint64 maxBodyBytes = qint64{16} * 1024 * 1024;
    bool acceptInvalidSignature = false;
    /** Senders always answered 200 at once (ReceiverSettings::alwaysSucceedFor), by format name. */
    QStringList alwaysSucceedFor;
    QList<KeychainRule> secretRules;
    QStringList secretHeaders; ///< header names whose values are redacted like Authorization (e.g. X-Api-Key)
    /** Forwarding to the connector: `PREFIX=URL[,mode=proxy|ack][,insecure][,concurrency=N]` each (parseForwardRule).
     */
    QStringList forwardRules;
    QString selfAuthor;
    Retention retention;
    Theme theme = Theme::System;
    QList<ColourRule> colourRules; ///< in order: the first that matches a row colours it

    static AppSettings load(QSettings &settings);
    void save(QSettings &settings) const;

    /** Why these settings cannot be used (each problem named), or an empty list. */
    QStringList problems() const;
    /**
     * The receiver's settings without the secrets (they come from the keychain, see KeychainRuleLoader): the
     * listen address parsed and the TLS files loaded; the error names what is wrong.
     */
    Result<ReceiverSettings> receiverSettings() const;
    /** The redactor of the secret headers named here: what the receiver, replay, import and exports redact. */
    HeaderRedactor redactor() const;

    bool operator==(const AppSettings &) const = default;
};

} // namespace pimscope
