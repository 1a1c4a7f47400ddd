#include "flagger.h"

#include "model/senderprofile.h"

namespace pimscope {

template<bool HasValue>
std::size_t Flagger::KeyTable<HasValue>::slotOf(quint64 key) const
{
    // The keys come out of a finalizer (and the salt keeps that): their low bits are as good as any.
    return std::size_t(key) & (m_keys.size() - 1);
}

template<bool HasValue>
void Flagger::KeyTable<HasValue>::grow()
{
    std::vector<quint64> keys(m_keys.empty() ? 1024 : m_keys.size() * 2, 0);
    std::vector<qint64> values(HasValue ? keys.size() : 0);
    std::swap(keys, m_keys);
    std::swap(values, m_values);
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (keys[i] == 0)
            continue;
        std::size_t s = slotOf(keys[i]);
        while (m_keys[s] != 0)
            s = (s + 1) & (m_keys.size() - 1);
        m_keys[s] = keys[i];
        if constexpr (HasValue)
            m_values[s] = values[i];
    }
}

template<bool HasValue>
qint64 *Flagger::KeyTable<HasValue>::insert(quint64 key, qint64 v, bool &inserted)
{
    if ((m_size + 1) * 10 > m_keys.size() * 7)
        grow();
    std::size_t s = slotOf(key);
    while (m_keys[s] != 0) {
        if (m_keys[s] == key) {
            inserted = false;
            if constexpr (HasValue)
                return &m_values[s];
            return nullptr;
        }
        s = (s + 1) & (m_keys.size() - 1);
    }
    inserted = true;
    ++m_size;
    m_keys[s] = key;
    if constexpr (HasValue) {
        m_values[s] = v;
        return &m_values[s];
    }
    return nullptr;
}

template<bool HasValue>
std::size_t Flagger::KeyTable<HasValue>::find(quint64 key) const
{
    if (m_keys.empty())
        return notFound;
    for (std::size_t s = slotOf(key); m_keys[s] != 0; s = (s + 1) & (m_keys.size() - 1)) {
        if (m_keys[s] == key)
            return s;
    }
    return notFound;
}

template<bool HasValue>
const qint64 *Flagger::KeyTable<HasValue>::findValue(quint64 key) const requires HasValue
{
    const std::size_t s = find(key);
    return s == notFound ? nullptr : &m_values[s];
}

template<bool HasValue>
bool Flagger::KeyTable<HasValue>::contains(quint64 key) const
{
    return find(key) != notFound;
}

template<bool HasValue>
void Flagger::KeyTable<HasValue>::clear()
{
    m_keys = {};
    m_values = {};
    m_size = 0;
}

quint64 Flagger::salted(Origin origin, qint64 key)
{
    // One key space per origin (duplicates are judged within one); 0 marks a free slot.
    const quint64 k = quint64(key) ^ (0x9E3779B97F4A7C15ull * (quint64(origin) + 1));
    return k == 0 ? 1 : k;
}

void Flagger::remember(Origin origin, std::optional<qint64> eventKey, std::optional<qint64> subjectKey,
                       std::optional<qint64> eventTimeMs)
{
    bool inserted = false;
    if (eventKey)
        m_seenIds.insert(salted(origin, *eventKey), 0, inserted);
    if (subjectKey && eventTimeMs) {
        qint64 *newest = m_newestBySubject.insert(salted(origin, *subjectKey), *eventTimeMs, inserted);
        if (!inserted && *newest < *eventTimeMs)
            *newest = *eventTimeMs;
    }
}

Flags Flagger::deliveryFlags(const Delivery &d)
{
    Flags f;
    if (d.signature == Signature::Invalid || d.signature == Signature::Expired || d.signature == Signature::Missing)
        f |= Flag::BadSignature;
    const SenderProfile &sender = senderProfile(d.format);
    if ((d.ackMs && *d.ackMs > sender.deadlineMs) || d.logMessage == LogMessage::Timeout)
        f |= Flag::SlowAck;
    // An answer the sender counts as failed: 400 and above for the Events API, anything but 2xx for the Event
    // Platform and Quable (a 3xx suspends an Event Platform subscription).
    const bool errorStatus = (d.answeredStatus && !sender.isSuccessStatus(*d.answeredStatus))
        || (d.statusCode && !sender.isSuccessStatus(*d.statusCode));
    const bool failedAttempt = d.logMessage == LogMessage::EndpointError || d.logMessage == LogMessage::Timeout;
    if (!d.error.isNull() || errorStatus || d.logLevel == LogLevel::Error || failedAttempt)
        f |= Flag::Error;
    return f;
}

Flags Flagger::flagEvent(const Delivery &d, const Event &e, std::optional<qint64> eventKey,
                         std::optional<qint64> subjectKey)
{
    Flags f = deliveryFlags(d);
    if (eventKey && m_seenIds.contains(salted(d.origin, *eventKey)))
        f |= Flag::Duplicate;
    if (subjectKey && e.eventTimeMs) {
        const qint64 *newest = m_newestBySubject.findValue(salted(d.origin, *subjectKey));
        if (newest && *e.eventTimeMs < *newest)
            f |= Flag::OutOfOrder;
    }
    // Only where the sender drops old events (the Events API, after 2 h).
    const qint64 staleAfterMs = senderProfile(d.format).staleAfterMs;
    if (staleAfterMs > 0 && e.eventTimeMs && d.receivedAtMs - *e.eventTimeMs > staleAfterMs)
        f |= Flag::Stale;
    if (!m_selfAuthor.isEmpty() && e.author == m_selfAuthor)
        f |= Flag::Self;
    remember(d.origin, eventKey, subjectKey, e.eventTimeMs);
    return f;
}

void Flagger::clear()
{
    m_seenIds.clear();
    m_newestBySubject.clear();
}

template class Flagger::KeyTable<false>;
template class Flagger::KeyTable<true>;

} // namespace pimscope
