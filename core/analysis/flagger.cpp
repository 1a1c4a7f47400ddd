#include "flagger.h"

#include "model/senderprofile.h"

namespace pimscope {

std::size_t Flagger::KeyTable::slotOf(quint64 key) const
{
    // The keys come out of a finalizer (and the salt keeps that): their low bits are as good as any.
    return std::size_t(key) & (m_keys.size() - 1);
}

void Flagger::KeyTable::grow()
{
    std::vector<quint64> keys(m_keys.empty() ? 1024 : m_keys.size() * 2, 0);
    std::vector<qint64> values(keys.size());
    std::swap(keys, m_keys);
    std::swap(values, m_values);
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (keys[i] == 0)
            continue;
        std::size_t s = slotOf(keys[i]);
        while (m_keys[s] != 0)
            s = (s + 1) & (m_keys.size() - 1);
        m_keys[s] = keys[i];
        m_values[s] = values[i];
    }
}

qint64 *Flagger::KeyTable::insert(quint64 key, qint64 v, bool &inserted)
{
    if ((m_size + 1) * 10 > m_keys.size() * 7)
        grow();
    std::size_t s = slotOf(key);
    while (m_keys[s] != 0) {
        if (m_keys[s] == key) {
            inserted = false;
            return &m_values[s];
        }
        s = (s + 1) & (m_keys.size() - 1);
    }
    inserted = true;
    ++m_size;
    m_keys[s] = key;
    m_values[s] = v;
    return &m_values[s];
}

std::size_t Flagger::KeyTable::find(quint64 key) const
{
    if (m_keys.empty())
        return notFound;
    for (std::size_t s = slotOf(key); m_keys[s] != 0; s = (s + 1) & (m_keys.size() - 1)) {
        if (m_keys[s] == key)
            return s;
    }
    return notFound;
}

const qint64 *Flagger::KeyTable::findValue(quint64 key) const
{
    const std::size_t s = find(key);
    return s == notFound ? nullptr : &m_values[s];
}

void Flagger::KeyTable::clear()
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

std::size_t Flagger::startChain(qint64 *slot, qint64 atMs, bool failed)
{
    std::size_t index = 0;
    if (*slot > 0) {
        index = std::size_t(*slot - 1);
    } else {
        index = m_chains.size();
        m_chains.emplace_back();
        *slot = qint64(index) + 1;
    }
    m_chains[index] = Chain{0, atMs, 1, failed};
    return index;
}

void Flagger::rememberAttempt(Origin origin, qint64 eventKey, qint64 eventRowId, int attempt, qint64 receivedAtMs,
                              bool failed)
{
    bool inserted = false;
    qint64 *slot = m_seenIds.insert(salted(origin, eventKey), 0, inserted);
    if (attempt <= 1 || *slot == 0) {
        m_chains[startChain(slot, receivedAtMs, failed)].firstEventId = eventRowId;
        return;
    }
    Chain &c = m_chains[std::size_t(*slot - 1)];
    c.attempt = attempt;
    c.lastAtMs = receivedAtMs;
    c.lastFailed = failed;
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

Flags Flagger::flagEvent(const Delivery &d, Event &e, std::optional<qint64> eventKey, std::optional<qint64> subjectKey)
{
    Flags f = deliveryFlags(d);
    const SenderProfile &sender = senderProfile(d.format);
    const bool failed = f.testFlag(Flag::Error) || f.testFlag(Flag::SlowAck);
    e.attempt = 1;
    e.retryOf = 0;
    m_pendingChain = noChain;
    std::size_t chain = noChain;
    if (eventKey) {
        bool inserted = false;
        qint64 *slot = m_seenIds.insert(salted(d.origin, *eventKey), 0, inserted);
        Chain *last = !inserted && *slot > 0 ? &m_chains[std::size_t(*slot - 1)] : nullptr;
        // The retry this would be: the scheduled delay after the last attempt, with room for the sender's queue.
        const auto fits = [&](const Chain &c) {
            if (!c.lastFailed || c.attempt > sender.retries)
                return false;
            const qint64 gap = d.receivedAtMs - c.lastAtMs;
            return gap >= 0 && gap <= sender.latestRetryAfterMs(c.attempt);
        };
        if (last && fits(*last)) {
            e.attempt = ++last->attempt;
            e.retryOf = last->firstEventId;
            last->lastAtMs = d.receivedAtMs;
            last->lastFailed = failed;
            chain = std::size_t(*slot - 1);
        } else {
            if (!inserted)
                f |= Flag::Duplicate;
            if (sender.retries > 0)
                m_pendingChain = chain = startChain(slot, d.receivedAtMs, failed);
        }
    }
    if (chain != noChain && d.origin == Origin::Receiver && !d.ackMs && d.id > 0) {
        // Whether the answer came in time is known once it is sent (answered()); bounded if answers never come.
        if (m_awaitingAnswer.size() > 100'000)
            m_awaitingAnswer.clear();
        m_awaitingAnswer.insert(d.id, AwaitedAnswer{chain, m_chains[chain].attempt, sender.deadlineMs});
    }
    if (subjectKey && e.eventTimeMs) {
        const qint64 *newest = m_newestBySubject.findValue(salted(d.origin, *subjectKey));
        if (newest && *e.eventTimeMs < *newest)
            f |= Flag::OutOfOrder;
    }
    // Only where the sender drops old events (the Events API, after 2 h).
    const qint64 staleAfterMs = senderProfile(d.format).staleAfterMs;
    if (staleAfterMs > 0 && e.eventTimeMs && d.receivedAtMs - *e.eventTimeMs > staleAfterMs)
        f |= Flag::Stale;
    if (!m_selfAuthors.isEmpty() && m_selfAuthors.contains(e.author))
        f |= Flag::Self;
    remember(d.origin, std::nullopt, subjectKey, e.eventTimeMs);
    return f;
}

void Flagger::setSelfAuthor(const QString &author)
{
    m_selfAuthor = author;
    m_selfAuthors = selfAuthors(author);
}

QStringList Flagger::selfAuthors(const QString &setting)
{
    QStringList out;
    for (const QString &part : setting.split(u',')) {
        const QString author = part.trimmed();
        if (!author.isEmpty() && !out.contains(author))
            out << author;
    }
    return out;
}

void Flagger::stored(const Event &e)
{
    if (m_pendingChain != noChain)
        m_chains[m_pendingChain].firstEventId = e.id;
    m_pendingChain = noChain;
}

void Flagger::answered(qint64 deliveryId, double ackMs, bool failedStatus)
{
    const auto it = m_awaitingAnswer.constFind(deliveryId);
    if (it == m_awaitingAnswer.cend())
        return;
    Chain &c = m_chains[it->chain];
    if ((ackMs > it->deadlineMs || failedStatus)
        && c.attempt == it->attempt) // (not if the next attempt came before this answer)
        c.lastFailed = true;
    m_awaitingAnswer.erase(it);
}

void Flagger::clear()
{
    m_seenIds.clear();
    m_newestBySubject.clear();
    m_chains = {};
    m_pendingChain = noChain;
    m_awaitingAnswer.clear();
}

} // namespace pimscope
