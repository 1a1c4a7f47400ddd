#pragma once

#include "model/delivery.h"

#include <QString>

#include <unordered_map>
#include <unordered_set>

namespace pimscope {

/**
 * Computes the flags of deliveries and events as they are stored, keeping what it needs to know about the
 * events stored before (event ids seen, newest event time per subject) in memory.
 *
 * Duplicates and out-of-order are judged within one origin: an imported log line describing an event the
 * receiver also captured is the same event seen twice on purpose, not a duplicate delivery by the PIM (the
 * log reconciliation reports those pairs).
 *
 * Not thread-safe: owned by the store's writer thread, which fills it from the store when it opens.
 */
class Flagger
{
public:
    void setSelfAuthor(const QString &author) { m_selfAuthor = author; }
    const QString &selfAuthor() const { return m_selfAuthor; }

    /** Records an already stored event (when the store opens). */
    void remember(Origin origin, const QString &eventId, const QString &subjectKey, std::optional<qint64> eventTimeMs);

    /** The delivery's own flags: bad_signature, slow_ack, error. */
    static Flags deliveryFlags(const Delivery &d);

    /** The flags of one event about to be stored in `d` (including the delivery's own flags), then records it. */
    Flags flagEvent(const Delivery &d, const Event &e);

    /** The key that identifies an event's subject across events: type and uuid, else type and id. */
    static QString subjectKey(const QString &subjectType, const QString &subjectId, const QString &subjectUuid);

    void clear();

private:
    /** A 128-bit key of an origin and a text: two independently seeded 64-bit hashes. */
    struct Key
    {
        quint64 a = 0;
        quint64 b = 0;
        friend bool operator==(const Key &, const Key &) = default;
    };
    struct KeyHash
    {
        std::size_t operator()(const Key &k) const noexcept { return std::size_t(k.a); }
    };
    static Key key(Origin origin, QStringView text);

    QString m_selfAuthor;
    // Ids and subjects are kept as 128-bit keys: a million of each take a few tens of MB, need no lookup in the
    // store (so the writer needs no index while it writes), and two different texts share a key with odds
    // of about 10^-27 in a capture of a million events.
    std::unordered_set<Key, KeyHash> m_seenIds;
    std::unordered_map<Key, qint64, KeyHash> m_newestBySubject;
};

} // namespace pimscope
