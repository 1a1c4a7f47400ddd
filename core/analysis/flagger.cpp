#include "flagger.h"

#include "budgets.h"

namespace pimscope {

Flagger::Key Flagger::key(Origin origin, QStringView text)
{
    const auto o = quint64(origin);
    return {quint64(qHash(text, 0x9E3779B97F4A7C15ull + o)), quint64(qHash(text, 0xC2B2AE3D27D4EB4Full ^ (o << 32)))};
}

QString Flagger::subjectKey(const QString &subjectType, const QString &subjectId, const QString &subjectUuid)
{
    if (!subjectUuid.isEmpty())
        return subjectType + u'\x1f' + subjectUuid;
    if (!subjectId.isEmpty())
        return subjectType + u'\x1f' + subjectId;
    return {};
}

void Flagger::remember(Origin origin, const QString &eventId, const QString &subject, std::optional<qint64> eventTimeMs)
{
    if (!eventId.isEmpty())
        m_seenIds.insert(key(origin, eventId));
    if (!subject.isEmpty() && eventTimeMs) {
        const auto [it, inserted] = m_newestBySubject.try_emplace(key(origin, subject), *eventTimeMs);
        if (!inserted && it->second < *eventTimeMs)
            it->second = *eventTimeMs;
    }
}

Flags Flagger::deliveryFlags(const Delivery &d)
{
    Flags f;
    if (d.signature == Signature::Invalid || d.signature == Signature::Expired || d.signature == Signature::Missing)
        f |= Flag::BadSignature;
    if ((d.ackMs && *d.ackMs > budgets::ackBudgetMs(d.format)) || d.logMessage == LogMessage::Timeout)
        f |= Flag::SlowAck;
    const bool errorStatus = (d.answeredStatus && *d.answeredStatus >= 400) || (d.statusCode && *d.statusCode >= 400);
    const bool failedAttempt = d.logMessage == LogMessage::EndpointError || d.logMessage == LogMessage::Timeout;
    if (!d.error.isNull() || errorStatus || d.logLevel == LogLevel::Error || failedAttempt)
        f |= Flag::Error;
    return f;
}

Flags Flagger::flagEvent(const Delivery &d, const Event &e)
{
    Flags f = deliveryFlags(d);
    if (!e.eventId.isEmpty() && m_seenIds.count(key(d.origin, e.eventId)))
        f |= Flag::Duplicate;
    const QString subject = subjectKey(e.subjectType, e.subjectId, e.subjectUuid);
    if (!subject.isEmpty() && e.eventTimeMs) {
        const auto it = m_newestBySubject.find(key(d.origin, subject));
        if (it != m_newestBySubject.end() && *e.eventTimeMs < it->second)
            f |= Flag::OutOfOrder;
    }
    if (e.eventTimeMs && d.receivedAtMs - *e.eventTimeMs > budgets::staleAfterMs)
        f |= Flag::Stale;
    if (!m_selfAuthor.isEmpty() && e.author == m_selfAuthor)
        f |= Flag::Self;
    remember(d.origin, e.eventId, subject, e.eventTimeMs);
    return f;
}

void Flagger::clear()
{
    m_seenIds.clear();
    m_newestBySubject.clear();
}

} // namespace pimscope
