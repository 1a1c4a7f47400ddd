#pragma once

#include "model/enums.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QtGlobal>

#include <array>
#include <map>
#include <utility>

namespace pimscope {

/**
 * How one sender's subscription (the Events API's event subscription, an Event Platform subscription, a Quable
 * webhook) stands with the answers its receiving path gave, judged by that sender's rules (model/senderprofile.h):
 * what the real sender would have done with the same answers.
 *
 * Choices where the documentation is silent (README, "Subscription health"):
 *  - the Event Platform's threshold suspension is predicted once the rolling hour holds at least
 *    minAnswersForRate answers that count (one failed request alone is not a rate);
 *  - a 429 does not count against its success rate (it does only for an event left undelivered over an hour, which a
 *    receiver cannot see); its throughput is modelled as halved by a 429 and raised by 1 event/s per 2xx, between
 *    1 and 100 events/s (the platform's own steps are not documented);
 *  - a cut-off lasts until the sender is seen delivering successfully again (someone re-enabled or resumed it).
 */
struct SubscriptionHealth
{
    enum class State : quint8 { Healthy, AtRisk, CutOff };
    static constexpr int minAnswersForRate = 10;

    QByteArray path; ///< the receiving URL path
    Format sender = Format::Unknown; ///< Akeneo (Events API), AkeneoEventPlatform or Quable
    qint64 firstAtMs = 0;
    qint64 lastAtMs = 0;
    qint64 requests = 0; ///< answered requests judged
    qint64 failures = 0; ///< of them, failed by the sender's rules
    qint64 throttled = 0; ///< answered 429
    int failureStreak = 0; ///< consecutive failures up to the last answer
    int longestStreak = 0;
    qint64 hourRequests = 0; ///< requests in the rolling hour up to lastAtMs
    qint64 hourCounted = 0; ///< of them, those the success rate counts (429 excluded)
    qint64 hourSuccesses = 0;
    double eventsPerSecond = 0; ///< the Event Platform's modelled delivery rate; 0 for the others

    bool cutOff = false; ///< disabled, suspended or out of quota now
    int cutOffs = 0; ///< how many times it was cut off
    qint64 cutOffAtMs = 0; ///< the last cut-off's moment (0: never)
    qint64 cutOffDeliveryId = 0; ///< the answer that caused it
    QString cutOffReason; ///< e.g. "3rd consecutive failure (500)", "answered 404"

    /** The Event Platform's own word: the last notification webhook about this subscription (empty: none). */
    QString notice; ///< e.g. "subscription.suspended.system: Success rate dropped below 90%"
    qint64 noticeAtMs = 0;

    State state() const;
    /** Successes over counted answers in the rolling hour; -1 when none counted. */
    double successRate() const;
    /** What the sender did or would do, in one sentence, e.g. "Quable would have disabled the webhook at …". */
    QString cutOffSentence() const;
    /** The state in a few words for a meter: "3 failures in a row", "success 86 % (last hour)", "1,234 / 4,000". */
    QString meterText() const;

    friend bool operator==(const SubscriptionHealth &, const SubscriptionHealth &) = default;
};

/**
 * Keeps every (path, sender)'s SubscriptionHealth up to date as answers are recorded, in constant time per answer
 * (the rolling hour is a ring of per-second counts), so that the window and the commands never rescan a capture.
 * Not thread-safe: the store's writer thread owns one (and a command that reads a capture fills its own).
 */
class HealthTracker
{
public:
    /**
     * An answered request of the receiver: `status` after `ackMs`, received at `atMs`. Formats that no subscription
     * sends (unknown bodies, the Events API's test call) are ignored. Returns whether this answer cut the
     * subscription off.
     */
    bool record(const QByteArray &path, Format format, qint64 deliveryId, qint64 atMs, int status, double ackMs);

    /**
     * An Event Platform notification webhook about the subscription whose destination is `path` (received at
     * `atMs`): suspended or revoked cuts it off (when the answers had not already), resumed ends that.
     */
    void notice(const QByteArray &path, qint64 deliveryId, qint64 atMs, const QString &type, const QString &reason);

    /** Every subscription seen, by path then sender. */
    QList<SubscriptionHealth> all() const;
    /** Whether anything changed since the last call (and resets it). */
    bool takeChanged();
    void clear();

private:
    struct Second
    {
        qint64 second = -1; ///< the epoch second the counts are for
        qint32 requests = 0;
        qint32 counted = 0;
        qint32 successes = 0;
    };
    struct Entry
    {
        SubscriptionHealth health;
        std::array<Second, 3600> ring{}; ///< the rolling hour, one slot per second
        qint64 lastSecond = -1; ///< the newest second recorded: the hour's end
    };
    static void slide(Entry &e, qint64 nowSecond);
    Entry &entry(const QByteArray &path, Format sender, qint64 atMs);

    std::map<std::pair<QByteArray, int>, Entry> m_entries;
    bool m_changed = false;
};

/**
 * A success rate (0 to 1) as a percentage with one decimal, rounded down: "86.3 %" (89.99 % never shows as the
 * threshold it is below).
 */
QString successPercent(double rate);

/**
 * The cut-offs not said yet, for saying each once as it happens (the window's banner, `receive`'s warnings): what the
 * health shown at each change holds beyond what was seen before.
 */
class NewCutOffs
{
public:
    /**
     * The sentences of the cut-offs in `health` beyond those seen before; none when `read` (the health of a capture
     * just opened: those happened before). Remembers them all.
     */
    QStringList update(const QList<SubscriptionHealth> &health, bool read);
    void clear() { m_seen.clear(); }

private:
    std::map<std::pair<QByteArray, int>, int> m_seen; ///< (path, sender) -> its cut-offs seen
};

} // namespace pimscope

Q_DECLARE_METATYPE(QList<pimscope::SubscriptionHealth>)
