#include "reconciliation.h"

#include "model/senderprofile.h"

namespace pimscope::reconciliation {

namespace {

QString n(Origin o)
{
    return QString::number(int(o));
}
QString n(LogMessage m)
{
    return QString::number(int(m));
}
QString n(Recon r)
{
    return QString::number(int(r));
}

QString n(Format f)
{
    return QString::number(int(f));
}

/** SQL: the delivery `alias` was answered as `sender` counts a success (its status range, within its deadline). */
QString succeeded(Format sender, const char *alias)
{
    const SenderProfile &p = senderProfile(sender);
    return QStringLiteral("(%1.answered_status BETWEEN 200 AND %2 AND COALESCE(%1.ack_ms, 0) <= %3)")
        .arg(QLatin1StringView(alias), QString::number(p.successBelow - 1), QString::number(p.deadlineMs));
}

/**
 * The Event Platform's logs name no event (FACTS.md 1.12 AK-EP-LOGS): a delivery error entry is about a subscription
 * and a time, the last failure of its 5-minute merge window. So its entries and the captured Event Platform traffic
 * are paired by path (the destination's path, when the log names the subscription's destination; else any path) and
 * time:
 * - received, answered as the platform counts a failure (not 2xx, past 5 s, or not at all): logged_failed when an
 *   error entry lies between its receipt and 5 minutes after (plus the clock margin), else missing_from_log when an
 *   import of the platform's log covers its time (with an entry on its path, or entries that name no path);
 * - received and answered 2xx in time, yet an error entry lies within the answer's deadline of it that no failure the
 *   receiver saw in the entry's merge window accounts for: logged_failed (the platform saw a failure the receiver did
 *   not: a tunnel's own error or delay, say);
 * - an error entry: captured when the receiver got a request of the subscription that failed in the entry's window,
 *   or one within the deadline of the entry's time; not_captured when there is none though the receiver was
 *   capturing then (the platform's requests did not reach it: refused, timed out on the way, a wrong URL).
 */
std::pair<QString, QString> platform(const QString &capturing)
{
    const SenderProfile &ep = senderProfile(Format::AkeneoEventPlatform);
    const qint64 mergeMs = qint64{5} * 60 * 1000;
    const auto failed = [](const char *d) -> QString {
        return QStringLiteral("(%1.answered_status IS NULL OR NOT %2)")
            .arg(QLatin1StringView(d), succeeded(Format::AkeneoEventPlatform, d));
    };
    // An error entry of the subscription from `beforeMs` before the receipt to `afterMs` after it (and, when
    // `unexplained`, one that no failure the receiver saw in the entry's merge window accounts for).
    const auto entryWithin = [&](qint64 beforeMs, qint64 afterMs, bool unexplained) {
        const QString explained
            = QStringLiteral(" AND NOT EXISTS (SELECT 1 FROM deliveries r WHERE r.received_at BETWEEN l.received_at - "
                             "%1 AND l.received_at + %2 AND r.origin = %3 AND r.format = %4 AND (l.path IS NULL OR "
                             "r.path = l.path) AND %5)")
                  .arg(mergeMs + captureMarginMs)
                  .arg(captureMarginMs)
                  .arg(n(Origin::Receiver), n(Format::AkeneoEventPlatform), failed("r"));
        return QStringLiteral("EXISTS (SELECT 1 FROM deliveries l WHERE l.received_at BETWEEN e.received_at - %1 AND "
                              "e.received_at + %2 AND l.origin = %3 AND l.format = %4 AND l.log_message IN (%5, %6) "
                              "AND (l.path IS NULL OR l.path = d.path)%7)")
            .arg(beforeMs)
            .arg(afterMs)
            .arg(n(Origin::Log), n(Format::AkeneoEventPlatform), n(LogMessage::EndpointError), n(LogMessage::Timeout),
                 unexplained ? explained : QString());
    };
    const QString covered
        = QStringLiteral("EXISTS (SELECT 1 FROM imports i WHERE i.format = %1 AND i.error_from <= e.received_at AND "
                         "i.covers_to >= e.received_at AND EXISTS (SELECT 1 FROM deliveries l WHERE l.import_id = i.id "
                         "AND (l.path IS NULL OR l.path = d.path)))")
              .arg(n(Format::AkeneoEventPlatform));
    const QString received
        = QStringLiteral("(CASE WHEN NOT EXISTS (SELECT 1 FROM imports WHERE format = %1) THEN NULL WHEN %2 THEN "
                         "(CASE WHEN %3 THEN %4 WHEN %5 THEN %6 END) WHEN %7 THEN %4 END)")
              .arg(n(Format::AkeneoEventPlatform), failed("d"),
                   entryWithin(captureMarginMs, mergeMs + captureMarginMs, false), n(Recon::LoggedFailed), covered,
                   n(Recon::MissingFromLog), entryWithin(captureMarginMs, ep.deadlineMs + captureMarginMs, true));
    const QString logged
        = QStringLiteral("(CASE WHEN EXISTS (SELECT 1 FROM deliveries r WHERE r.received_at BETWEEN e.received_at - %1 "
                         "AND e.received_at + %2 AND r.origin = %3 AND r.format = %4 AND (d.path IS NULL OR r.path = "
                         "d.path) AND (%5 OR r.received_at >= e.received_at - %6)) THEN %7 WHEN %8 THEN %9 END)")
              .arg(mergeMs + captureMarginMs)
              .arg(captureMarginMs)
              .arg(n(Origin::Receiver), n(Format::AkeneoEventPlatform), failed("r"))
              .arg(ep.deadlineMs + captureMarginMs)
              .arg(n(Recon::Captured), capturing, n(Recon::NotCaptured));
    return {received, logged};
}

QString build()
{
    // The strongest log verdict about a received event: 3 failed, 2 sent, 1 not sent, 0 a line of another kind.
    const QString verdict
        = QStringLiteral("(SELECT max(CASE WHEN ld.log_message IN (%1, %2) THEN 3 WHEN ld.log_message = %3 THEN 2 "
                         "WHEN ld.log_message IN (%4, %5) THEN 1 ELSE 0 END) "
                         "FROM events l JOIN deliveries ld ON ld.id = l.delivery_id WHERE l.event_key = e.event_key "
                         "AND l.origin = %6 AND l.event_id = e.event_id)")
              .arg(n(LogMessage::EndpointError), n(LogMessage::Timeout), n(LogMessage::RequestSent),
                   n(LogMessage::SameConnection), n(LogMessage::NotSentPermissions), n(Origin::Log));
    // Received inside a window a log covers for the level the PIM would have written.
    const QString covered
        = QStringLiteral(
              "(d.format = %1 AND EXISTS (SELECT 1 FROM imports i WHERE i.format = %1 AND i.covers_to >= e.received_at "
              "AND (CASE WHEN %2 THEN i.info_from ELSE i.error_from END) <= e.received_at))")
              .arg(n(Format::Akeneo), succeeded(Format::Akeneo, "d"));
    const QString received
        = QStringLiteral("(CASE WHEN e.event_id IS NULL OR NOT EXISTS (SELECT 1 FROM imports) THEN NULL ELSE "
                         "(CASE %1 WHEN 3 THEN %2 WHEN 2 THEN %3 WHEN 1 THEN %4 WHEN 0 THEN NULL ELSE "
                         "(CASE WHEN %5 THEN %6 END) END) END)")
              .arg(verdict, n(Recon::LoggedFailed), n(Recon::LoggedSent), n(Recon::LoggedNotSent), covered,
                   n(Recon::MissingFromLog));
    const QString span
        = QStringLiteral("e.received_at BETWEEN (SELECT min(received_at) FROM deliveries WHERE origin = %1) + %2 "
                         "AND (SELECT max(received_at) FROM deliveries WHERE origin = %1) - %2")
              .arg(n(Origin::Receiver))
              .arg(captureMarginMs);
    const QString logged = QStringLiteral("(CASE WHEN EXISTS (SELECT 1 FROM events r WHERE r.event_key = e.event_key "
                                          "AND r.origin = %1 AND r.event_id = e.event_id) THEN %2 "
                                          "WHEN %3 THEN %4 END)")
                               .arg(n(Origin::Receiver), n(Recon::Captured), span, n(Recon::NotCaptured));
    const auto [platformReceived, platformLogged] = platform(span);
    return QStringLiteral("(CASE WHEN d.format = %1 THEN (CASE WHEN e.origin = %2 THEN %3 WHEN e.origin = %4 AND "
                          "d.log_message IN (%5, %6) THEN %7 END) "
                          "WHEN e.origin = %2 THEN %8 WHEN e.origin = %4 AND e.event_id IS NOT NULL AND "
                          "d.log_message IN (%9, %5, %6) THEN %10 END)")
        .arg(n(Format::AkeneoEventPlatform), n(Origin::Receiver), platformReceived, n(Origin::Log),
             n(LogMessage::EndpointError), n(LogMessage::Timeout), platformLogged, received, n(LogMessage::RequestSent),
             logged);
}

} // namespace

const QString &sql()
{
    static const QString text = build();
    return text;
}

} // namespace pimscope::reconciliation
