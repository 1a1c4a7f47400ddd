#pragma once

#include "model/delivery.h"

#include <QString>

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
 * Not thread-safe: owned by the store's writer thread, which fills it from the store when it opens.
 */
class Flagger
{
public:
    void setSelfAuthor(const QString &author) { m_selfAuthor = author; }
    const QString &selfAuthor() const { return m_selfAuthor; }

    /** Records an already stored event (when the store opens), by its stored keys. */
    void remember(Origin origin, std::optional<qint64> eventKey, std::optional<qint64> subjectKey,
                  std::optional<qint64> eventTimeMs);

    /** The delivery's own flags: bad_signature, slow_ack, error. */
    static Flags deliveryFlags(const Delivery &d);

    /**
     * The flags of one event about to be stored in `d` (including the delivery's own flags), then records it.
     * The keys are the event's (textkey::eventIdOf and subjectOf).
     */
    Flags flagEvent(const Delivery &d, const Event &e, std::optional<qint64> eventKey,
                    std::optional<qint64> subjectKey);

    void clear();

private:
    /** Linear probing over a power-of-two array of keys (0 marks a free slot), grown at 70% load. */
    template<bool HasValue>
    class KeyTable
    {
    public:
        /** The slot of `key`, inserting it (with value `v`) when absent; `inserted` tells which. */
        qint64 *insert(quint64 key, qint64 v, bool &inserted);
        const qint64 *findValue(quint64 key) const requires HasValue;
        bool contains(quint64 key) const;
        void clear();

    private:
        static constexpr std::size_t notFound = ~std::size_t(0);
        std::size_t slotOf(quint64 key) const;
        /** The slot holding `key`, or notFound. */
        std::size_t find(quint64 key) const;
        void grow();

        std::vector<quint64> m_keys;
        std::vector<qint64> m_values; ///< beside m_keys when HasValue
        std::size_t m_size = 0;
    };

    static quint64 salted(Origin origin, qint64 key);

    QString m_selfAuthor;
    KeyTable<false> m_seenIds;
    KeyTable<true> m_newestBySubject;
};

} // namespace pimscope
