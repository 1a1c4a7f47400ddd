#pragma once

#include "model/delivery.h"
#include "replayplan.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace pimscope {

/** "Pimscope/<version> (replay)": the User-Agent of every replayed request. */
QByteArray replayUserAgent();

/** What a replay signs with. */
struct ReplaySecrets
{
    /** Akeneo's and the Event Platform's (primary) HMAC key, Quable's Authorization value; empty: unsigned. */
    QByteArray primary;
    /**
     * The Event Platform subscription's secondary secret (`config.secret.secondary`, for rotating secrets): a second
     * signature, X-AKENEO-SIGNATURE-SECONDARY, beside the primary one; empty: none, as the platform when not set.
     */
    QByteArray secondary;
};

/**
 * The headers of a replayed request, signed as the PIM signs it (no primary secret: unsigned):
 *  - Akeneo Events API (and bodies of unknown shape): X-Akeneo-Request-Timestamp (`nowSeconds`) and
 *    X-Akeneo-Request-Signature, the lowercase hex HMAC-SHA256 of "timestamp.body";
 *  - Event Platform: X-AKENEO-SIGNATURE-PRIMARY, the hex HMAC-SHA256 of the body with the primary secret,
 *    X-AKENEO-SIGNATURE-SECONDARY, the same with the secondary secret when there is one (not for a notification
 *    webhook, signed with its one notification secret), and X-AKENEO-SIGNATURE-ALGORITHM: HmacSHA256
 *    (akeneo/pim-api-docs content/event-platform/concepts.md, "HMAC signature for webhook payloads");
 *  - Quable: the primary secret is the configured Authorization value, sent as it is.
 * Always Content-Type: application/json and the replay User-Agent.
 */
Headers replayHeaders(Format format, QByteArrayView body, const ReplaySecrets &secrets, qint64 nowSeconds,
                      bool notification = false);
/** The headers of one planned request (its format, body, and whether it is a notification webhook). */
Headers replayHeaders(const ReplayRequest &request, const ReplaySecrets &secrets, qint64 nowSeconds);

/**
 * What the user should know about how a plan's requests are signed: unsigned without a secret; a secret that serves
 * both as an HMAC key (Akeneo, Event Platform) and as Quable's Authorization value when the plan mixes them; a
 * secondary secret that signs none of them (no Event Platform message among them).
 */
QStringList signingWarnings(const QList<ReplayRequest> &requests, const ReplaySecrets &secrets);

/**
 * A bash (or zsh, ksh) command line that sends `body` with `headers` to `url` with curl, as the replayer does: POST,
 * no redirects followed, --max-time from `timeoutMs`. A secret header's value is written only when `showSecrets`;
 * otherwise the command reads it from the environment variable PIMSCOPE_AUTHORIZATION (and says so).
 * Bodies are quoted with $'...' (bytes that are not printable ASCII as \xHH; not POSIX sh, hence bash) and sent with
 * --data-raw (a body starting with '@' is not a file name); a body with a NUL byte, which no shell string can hold,
 * is written with printf into curl's standard input instead.
 */
QString curlCommand(const QUrl &url, const Headers &headers, const QByteArray &body, int timeoutMs, bool showSecrets);

} // namespace pimscope
