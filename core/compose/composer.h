#pragma once

#include "eventtemplates.h"

#include "model/delivery.h"
#include "model/enums.h"
#include "util/result.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace pimscope {

/**
 * Deliberate faults, one click (or one option) away. The body's are made by compose(); the headers' by the sending
 * side, after it signed the request (signingTime(), applyHeaderFaults()).
 */
enum class Fault {
    InvalidSignature, ///< the signature (Quable: the Authorization value) is not the right one
    Expired, ///< Events API: signed 10 minutes ago (receivers refuse timestamps older than 5 minutes)
    MissingSignature, ///< no signature header (Quable: no Authorization)
    OversizedBatch, ///< Events API: 11 events in one envelope (Akeneo sends at most 10)
    Truncated, ///< the body cut in half: not JSON any more
    WrongContentType, ///< Content-Type: text/plain
    StaleEventTime, ///< the event time 3 hours ago (Akeneo drops events older than 2 hours)
};

/** "invalid-signature", "expired", "missing-signature", "oversized-batch", "truncated", "wrong-content-type", "stale".
 */
QString faultName(Fault fault);
std::optional<Fault> faultFromName(const QString &name);
QStringList faultNames();
/** What the fault does, for the window's menu and the command's help. */
QString faultDescription(Fault fault);

/** What to compose: a template, the values the user set (composeKeys()), how many events, the faults. */
struct ComposeRequest
{
    EventTemplate eventTemplate;
    /** Values of the template's placeholders; "{n}" in a value is the event's number in the batch (1, 2, ...). */
    QMap<QString, QString> values;
    int batch = 1; ///< events in the Events API's envelope (1 to 1000); the other senders send one per request
    QList<Fault> faults;
    qint64 nowMs = 0; ///< the event time when not set (UTC ms)
};

/** A body ready to be signed and sent. */
struct Composed
{
    Format format = Format::Unknown;
    QByteArray body;
    int eventCount = 0;
    QStringList eventIds;
    QList<Fault> faults;
};

/**
 * The keys `values` may set, which are the templates' placeholders and the export's names: event_id, event_datetime,
 * author, author_type, pim_source, identifier, uuid, code, family.
 */
QStringList composeKeys();

/** The values compose() fills a template with when not set, for `format`, the event time `eventMs`. */
QMap<QString, QString> composeDefaults(Format format, qint64 eventMs);

/**
 * Fills the template once per event (a new event id and product uuid each, unless set), each value written as the
 * sender writes JSON strings (the Events API as PHP's json_encode: `/` as `\/`), and wraps Events API events in their
 * envelope. Defaults: the event time now (3 hours ago for StaleEventTime) in the sender's format, author "admin", the
 * sender's author type and PIM source, identifier "PIMSCOPE-{n}", code "pimscope_{n}", family "clothing".
 * Fails, naming the problem, on an unknown key, a placeholder the template has that no value fills, a batch out of
 * range or of more than one event for a sender that sends one per request, and a fault that does not apply to the
 * sender (a timestamp to expire, a batch to oversize: the Events API's).
 */
Result<Composed> compose(const ComposeRequest &request);

/**
 * A body given whole (a file, an event of the capture) with faults: only those that do not need a template (the
 * signature's, the Content-Type, truncated); an Events API body is `format` Akeneo (or Unknown, signed as one).
 */
Result<Composed> composeBody(QByteArray body, Format format, int eventCount, const QList<Fault> &faults);

/** When to sign a request with these faults: `nowSeconds`, or 10 minutes earlier for Expired. */
qint64 signingTime(const QList<Fault> &faults, qint64 nowSeconds);

/**
 * Whether the signer computes the header `name` for `format` (case-insensitive): the Events API's
 * X-Akeneo-Request-Signature and -Timestamp (those of a body of unknown shape too, signed as one), the Event Platform's
 * X-AKENEO-SIGNATURE-PRIMARY, -SECONDARY and -ALGORITHM, Quable's Authorization (the configured value).
 */
bool isSigningHeader(QByteArrayView name, Format format);

/** Whether the connection sets the header `name` itself (Host, Content-Length, Transfer-Encoding) or it is hop-by-hop.
 */
bool isConnectionHeader(QByteArrayView name);

/**
 * The headers of an edited request: the user's (`user`, in their order, duplicates kept; their signing and connection
 * headers left out), then the signing headers of `signedHeaders` (the signer's, for `format`).
 */
Headers withUserHeaders(const Headers &signedHeaders, const Headers &user, Format format);

/**
 * The signed headers of a request of `format`, with the header faults done: the signature changed (a request that
 * went unsigned gets a wrong one), removed, or the Content-Type made text/plain.
 */
void applyHeaderFaults(Headers &headers, Format format, const QList<Fault> &faults);

} // namespace pimscope
