#pragma once

#include "model/delivery.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <vector>

namespace pimscope {

/**
 * Computes the flags of deliveries and events as they are stored, keeping what it needs to know about the
 * events stored before (event ids seen, newest event time per subject) in memory.
 *
 * Duplicates and out-of-order are judged within one origin: an imported log line describing an event the
 * receiver also captured is the same event seen twice on purpose, not a duplicate delivery by the PIM (the
 * log reconciliation reports those pairs).
 *
 * Events are known by the 64-bit keys the capture stores (util/textkey.h: events.event_key and subject_key),
 * salted with the origin, in two open-addressing tables: about 16 bytes an event id and 24 a subject, no
 * allocation per event, one probe per lookup.
 *
 * Retry chains (issue #19): for a sender that retries (model/senderprofile.h), the table of event ids leads to the
 * event's latest chain: its first attempt's row id, its attempt count, when the last attempt came and whether its
 * answer failed. A redelivery that fits the schedule (the last answer failed, retries left, not later than twice the
 * scheduled delay plus a minute: the sender's queue and clock drift; earlier is accepted, as tests and scaled replays
 * retry in seconds) is the chain's next attempt, not a duplicate; anything else is a duplicate starting a chain of its
 * own (the Event Platform delivers at least once, and a redelivered event can fail and be retried again).
 *
 * Not thread-safe: owned by the store's writer thread, which fills it from the store when it opens.
 */
class Flagger
{
public:
    /**
     * Whose events are flagged `self`: one author, or several separated by commas (an Events API connection's user
     * name, the Event Platform's app client ids: its events carry the acting app's client_id as author).
     */
    void setSelfAuthor(const QString &author);
    const QString &selfAuthor() const { return m_selfAuthor; }
    /** The authors a self-author setting names (split at commas, trimmed, empty ones left out). */
    static QStringList selfAuthors(const QString &setting);

    /** Records an already stored event (when the store opens), by its stored keys. */
    void remember(Origin origin, std::optional<qint64> eventKey, std::optional<qint64> subjectKey,
                  std::optional<qint64> eventTimeMs);

    /** An already stored attempt of a sender that retries (when the store opens), in the order they were stored. */
    void rememberAttempt(Origin origin, qint64 eventKey, qint64 eventRowId, int attempt, qint64 receivedAtMs,
                         bool failed);

    /** The delivery's own flags: bad_signature, slow_ack, error. */
    static Flags deliveryFlags(const Delivery &d);

    /**
     * The flags of one event about to be stored in `d` (including the delivery's own flags), then records it.
     * The keys are the event's (textkey::eventIdOf and subjectOf).
     */
    Flags flagEvent(const Delivery &d, Event &e, std::optional<qint64> eventKey, std::optional<qint64> subjectKey);

    /** `e`, just flagged by flagEvent, is stored with this row id: a chain it starts is known by it. */
    void stored(const Event &e);

    /** The receiver's answer to a stored delivery took `ackMs`: past the sender's deadline, its attempt failed. */
    void answered(qint64 deliveryId, double ackMs, bool failedStatus = false);

    /** The attempt chains kept (for the tests and the benchmarks). */
    std::size_t chainCount() const { return m_chains.size(); }

    void clear();

private:
    /** Key -> value by linear probing over a power-of-two array of keys (0 marks a free slot), grown at 70% load. */
    class KeyTable
    {
    public:
        /** The slot of `key`, inserting it (with value `v`) when absent; `inserted` tells which. */
        qint64 *insert(quint64 key, qint64 v, bool &inserted);
        const qint64 *findValue(quint64 key) const;
        void clear();

    private:
        static constexpr std::size_t notFound = ~std::size_t(0);
        std::size_t slotOf(quint64 key) const;
        /** The slot holding `key`, or notFound. */
        std::size_t find(quint64 key) const;
        void grow();

        std::vector<quint64> m_keys;
        std::vector<qint64> m_values; ///< beside m_keys
        std::size_t m_size = 0;
    };

    /** The latest delivery chain of an event id, for a sender that retries. */
    struct Chain
    {
        qint64 firstEventId = 0; ///< row id of the first attempt, 0 until stored
        qint64 lastAtMs = 0; ///< when the last attempt was received
        qint32 attempt = 1;
        bool lastFailed = false;
    };
    static constexpr std::size_t noChain = ~std::size_t(0);

    static quint64 salted(Origin origin, qint64 key);
    /** The chain for the value slot of an event id, new or reset to a first attempt. */
    std::size_t startChain(qint64 *slot, qint64 atMs, bool failed);

    QString m_selfAuthor;
    QStringList m_selfAuthors;
    KeyTable m_seenIds; ///< value: index + 1 of the id's chain in m_chains, 0 for none
    KeyTable m_newestBySubject;
    std::vector<Chain> m_chains;
    std::size_t m_pendingChain = noChain; ///< the chain the last flagged event started, until stored()
    struct AwaitedAnswer
    {
        std::size_t chain;
        qint32 attempt;
        double deadlineMs;
    };
    QHash<qint64, AwaitedAnswer> m_awaitingAnswer; ///< receiver deliveries whose answer time is not known yet
};

} // namespace pimscope
