#pragma once

#include "analysis/subscriptionhealth.h"
#include "replayplan.h"
#include "replaysigner.h"
#include "signing/redactor.h"

#include <QElapsedTimer>
#include <QObject>
#include <QUrl>

#include <memory>
#include <optional>
#include <vector>

class QTimer;

namespace pimscope {

class EventStore;
class HttpConnection;
struct HttpAnswer;
class PayloadParser;

/** Where and how to send. */
struct ReplayTarget
{
    QUrl url;
    ReplaySecrets secrets; ///< what the requests are signed with (replaysigner.h); none: unsigned
    double ratePerSecond = 0; ///< evenly spaced starts; 0: as fast as the concurrency allows
    int concurrency = 1; ///< requests in flight at most (1 keeps the order)
    int timeoutMs = 500; ///< a deadline for the whole request, as Akeneo's
    bool insecure = false; ///< accept any TLS certificate
    bool stopIfUnreachable = false; ///< stop when the first request gets no answer at all (the command's exit 1)
    /**
     * Behave as each request's sender would (model/senderprofile.h): its deadline instead of timeoutMs, its success
     * rule, its retries after a failure (their delays times retryScale, so that 5, 10, 20 minutes can be tried in
     * seconds), the Event Platform's rate halved by a 429 and raised by each 2xx (1 to 100 events/s, as
     * SubscriptionHealth models it), and a stop where the sender would cut the subscription off.
     */
    bool asSender = false;
    double retryScale = 1.0;
    HeaderRedactor redactor; ///< the user's secret headers: what is stored of each request is redacted by it
    /** Each answer's headers and the first this many bytes of its body, in its result (0: neither). */
    qsizetype keepAnswerBytes = 0;
};

/** How one request went, classified as the PIM would log it. */
struct ReplayResult
{
    int index = 0; ///< in the plan
    qint64 sentAtMs = 0; ///< UTC milliseconds since the epoch
    std::optional<int> status; ///< the HTTP status, when an answer came in time
    double latencyMs = 0; ///< until the answer (or the deadline, or the failure)
    QString error; ///< transport error, timeout, cancelled; null when none
    /**
     * RequestSent (an answer below 400), EndpointError (4xx, 5xx) or Timeout: as Akeneo logs any failure without an
     * answer (the deadline, a refused connection, DNS, TLS) as "failed to answer under N ms".
     */
    LogMessage kind = LogMessage::RequestSent;
    bool connectionFailed = false; ///< no answer because the connection failed (not the deadline); see `error`
    bool cancelled = false; ///< in flight when the replay was cancelled: sent, its answer never awaited
    int eventCount = 0;
    bool duplicate = false;
    int attempt = 1; ///< 2, 3, 4 for a sender's retries (ReplayTarget::asSender)
    Headers sentHeaders; ///< ReplayTarget::keepAnswerBytes: the request's headers as sent (signed, unredacted)
    Headers answerHeaders; ///< ReplayTarget::keepAnswerBytes: the answer's headers
    QByteArray answerBody; ///< ReplayTarget::keepAnswerBytes: its body's first bytes
    /** A 2xx answer within the deadline: what the command's exit status counts. */
    bool ok() const
    {
        return !cancelled && kind == LogMessage::RequestSent && status && *status >= 200 && *status < 300;
    }
};

/** How a request's sender judges one answer to it (pimscope send, Edit and send). */
struct AnswerJudgement
{
    bool success = false; ///< a success by the sender's rules (its statuses, within its deadline)
    QString wording; ///< "a success for the Events API", else the sender's verdict in words
};
/** `failuresInARow`: the sender's failures just before this answer (its disable or suspend rules); updated. */
AnswerJudgement judgeAnswer(const ReplayResult &result, Format format, int &failuresInARow);

/** How the PIM would log the result (request_sent, endpoint_error, timeout), or "cancelled". */
QString outcomeName(const ReplayResult &result);

struct ReplaySummary
{
    int planned = 0;
    int sent = 0;
    int ok = 0;
    int otherAnswers = 0; ///< answered in time, but not 2xx nor an error (1xx, a 3xx not followed)
    int endpointErrors = 0;
    int timeouts = 0; ///< no answer: the deadline passed, or the connection failed
    int connectionFailures = 0; ///< of the timeouts, those whose connection failed
    int cancelledInFlight = 0; ///< sent, but cancelled before the answer came
    qint64 events = 0;
    double elapsedMs = 0;
    bool cancelled = false;
    bool unreachable = false; ///< stopped because the first request got no answer (stopIfUnreachable)
    int retries = 0; ///< requests sent again as their sender retries (ReplayTarget::asSender)
    int delivered = 0; ///< planned requests that got a success by their sender's rules, retried or not (asSender)
    /** Where the sender would have cut the subscription off and the replay stopped, e.g. "Quable would have … 14". */
    QString cutOff;
    QString unreachableError;
    QList<double> latenciesMs; ///< of the answered requests
    double percentileMs(double p) const;
};

/**
 * "9 of 9 requests sent (31 events) in 0.1 s: 8 answered 2xx in time, 1 endpoint errors, 0 timeouts; latency ...",
 * with the other answers, the failed connections and the requests cancelled in flight when there are any.
 */
QString describeReplay(const ReplaySummary &summary);

/**
 * Sends a plan's requests to a target, paced, `concurrency` at a time (one kept-alive HTTP/1.1 connection per request
 * slot, all on this object's thread: see HttpConnection), signing each just before it goes (a fresh timestamp).
 * Redirects are not followed; TLS certificates are verified unless `insecure`. Each result is reported, and stored
 * (when a store is given) as a delivery of origin `replay`: the request as sent (secret header values redacted), the
 * status, the latency as ack_ms, and the PIM's log classification as its message kind and level, so that replays show
 * in the tables and diagnostics.
 *
 * An unpaced replay of more than bulkFrom requests stores its results as a bulk write (the event indexes are built at
 * its end), which halves what storing costs the machine while it sends.
 *
 * Lives in the thread that runs its event loop; start() returns at once, finished() comes once.
 */
class Replayer : public QObject
{
    Q_OBJECT
public:
    Replayer(ReplayTarget target, QList<ReplayRequest> requests, EventStore *store, QObject *parent = nullptr);
    ~Replayer() override;

    static constexpr int bulkFrom = 2000;
    /**
     * Paced: how late a start may be and still be made up (the next ones start as soon as they are due): the larger
     * of this and half an interval. Later than that, the schedule moves on from it (no burst to catch up).
     */
    static constexpr double catchUpMs = 100;

    void start();
    /**
     * Stops sending. The requests in flight are aborted: each is reported (cancelled) and stored, since it was sent
     * and the target may have taken it.
     */
    void cancel();
    bool isRunning() const { return m_running; }

    const ReplaySummary &summary() const { return m_summary; }

Q_SIGNALS:
    void requestFinished(const pimscope::ReplayResult &result);
    void progress(int done, int total);
    void finished(const pimscope::ReplaySummary &summary);

private:
    struct Slot
    {
        HttpConnection *connection = nullptr; ///< a child of the replayer
        bool busy = false;
        int index = -1;
        qint64 sentAtMs = 0;
        QElapsedTimer clock;
        QTimer *deadline = nullptr;
        Headers headers;
        int attempt = 1;
    };
    struct Retry
    {
        double dueMs; ///< from m_started
        int index;
        int attempt;
    };

    void pump();
    void send(Slot &slot, int index, int attempt);
    /** As the sender would (asSender): its retry, its rate, and whether it would cut the subscription off here. */
    void judgeAsSender(const ReplayResult &result);
    /** A slot's request is over: answered, or (answer null) its deadline passed. */
    void onDone(Slot &slot, const HttpAnswer *answer);
    /** Gives up the requests in flight: each is reported and stored as cancelled, `why` its error. */
    void abortInFlight(const QString &why);
    /** Counts, stores and reports a finished request. */
    void record(Slot &slot, const ReplayResult &result);
    /** A result for the slot's request, with what every result holds. */
    ReplayResult resultOf(const Slot &slot) const;
    void store(const ReplayResult &result, const Slot &slot);
    void finishIfDone();

    ReplayTarget m_target;
    QList<ReplayRequest> m_requests;
    EventStore *m_store = nullptr;
    std::vector<std::unique_ptr<Slot>> m_slots;
    QTimer *m_pacer = nullptr;
    QElapsedTimer m_started;
    /** The pacing schedule: request m_paceFrom + k is due at m_paceOriginMs + k / rate (ms from m_started). */
    double m_paceOriginMs = 0;
    int m_paceFrom = 0;
    double m_paceRate = 0; ///< the rate the schedule is for (the Event Platform's changes as it answers)
    int m_next = 0;
    bool m_running = false;
    bool m_stopping = false;
    ReplaySummary m_summary;
    std::unique_ptr<PayloadParser> m_parser;
    bool m_bulk = false; ///< a large replay stores its results as a bulk write
    // As the sender (asSender):
    std::vector<Retry> m_retries; ///< by due time
    HealthTracker m_health; ///< the subscription as each sender judges the answers
    double m_senderRate = 0; ///< the Event Platform's current rate (events/s); 0 until one of its requests goes
    std::vector<bool> m_delivered; ///< per planned request
};

} // namespace pimscope

Q_DECLARE_METATYPE(pimscope::ReplayResult)
Q_DECLARE_METATYPE(pimscope::ReplaySummary)
