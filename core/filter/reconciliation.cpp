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
              "(d.format = %1 AND EXISTS (SELECT 1 FROM imports i WHERE i.covers_to >= e.received_at AND "
              "(CASE WHEN d.answered_status BETWEEN 200 AND 299 AND COALESCE(d.ack_ms, 0) <= %2 THEN i.info_from "
              "ELSE i.error_from END) <= e.received_at))")
              .arg(int(Format::Akeneo))
              .arg(senderProfile(Format::Akeneo).deadlineMs);
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
    return QStringLiteral("(CASE WHEN e.origin = %1 THEN %2 WHEN e.origin = %3 AND e.event_id IS NOT NULL AND "
                          "d.log_message IN (%4, %5, %6) THEN %7 END)")
        .arg(n(Origin::Receiver), received, n(Origin::Log), n(LogMessage::RequestSent), n(LogMessage::EndpointError),
             n(LogMessage::Timeout), logged);
}

} // namespace

const QString &sql()
{
    static const QString text = build();
    return text;
}

} // namespace pimscope::reconciliation
