#include "replayer.h"

#include "net/httpconnection.h"
#include "replaysigner.h"

#include "formats/payloadparser.h"
#include "model/senderprofile.h"
#include "store/eventstore.h"

#include <QDateTime>
#include <QTimer>

#include <algorithm>
#include <cmath>

namespace pimscope {

double ReplaySummary::percentileMs(double p) const
{
    if (latenciesMs.isEmpty())
        return 0;
    QList<double> sorted = latenciesMs;
    std::sort(sorted.begin(), sorted.end());
    const auto rank = qsizetype(std::ceil(p / 100.0 * double(sorted.size()))) - 1;
    return sorted[std::clamp<qsizetype>(rank, 0, sorted.size() - 1)];
}

AnswerJudgement judgeAnswer(const ReplayResult &result, Format format, int &failuresInARow)
{
    const SenderProfile &sender = senderProfile(format);
    const std::optional<int> status = result.cancelled ? std::nullopt : result.status;
    const ConnectorVerdict verdict = sender.verdictOf(status, result.latencyMs, failuresInARow);
    AnswerJudgement out;
    out.success = status && sender.isSuccess(*status, result.latencyMs);
    failuresInARow = out.success ? 0 : failuresInARow + 1;
    out.wording = out.success ? QStringLiteral("a success for %1").arg(QLatin1StringView(sender.name))
                              : sender.verdictWording(verdict);
    return out;
}

QString outcomeName(const ReplayResult &result)
{
    return result.cancelled ? QStringLiteral("cancelled") : logMessageName(result.kind);
}

QString describeReplay(const ReplaySummary &s)
{
    QString answers = QStringLiteral("%L1 answered 2xx in time").arg(s.ok);
    if (s.otherAnswers)
        answers += QStringLiteral(", %L1 other answers (1xx, 3xx not followed)").arg(s.otherAnswers);
    answers += QStringLiteral(", %L1 endpoint errors, %L2 timeouts").arg(s.endpointErrors).arg(s.timeouts);
    if (s.connectionFailures)
        answers += QStringLiteral(" (%L1 of them failed to connect)").arg(s.connectionFailures);
    if (s.cancelledInFlight)
        answers += QStringLiteral(", %L1 cancelled before the answer").arg(s.cancelledInFlight);
    if (s.retries)
        answers += QStringLiteral("; %L1 retries, %L2 of %L3 delivered in the end")
                       .arg(s.retries)
                       .arg(s.delivered)
                       .arg(s.planned);
    QString text = QStringLiteral("%1%L2 of %L3 requests sent (%L4 events) in %5 s: %6; latency p50 %7 ms, p99 %8 ms")
                       .arg(s.cancelled ? QStringLiteral("cancelled: ") : QString())
                       .arg(s.sent)
                       .arg(s.planned)
                       .arg(s.events)
                       .arg(s.elapsedMs / 1000.0, 0, 'f', 1)
                       .arg(answers)
                       .arg(s.percentileMs(50), 0, 'f', 1)
                       .arg(s.percentileMs(99), 0, 'f', 1);
    if (!s.cutOff.isEmpty())
        text += QStringLiteral("; stopped: ") + s.cutOff;
    return text;
}

Replayer::Replayer(ReplayTarget target, QList<ReplayRequest> requests, EventStore *store, QObject *parent)
    : QObject(parent)
    , m_target(std::move(target))
    , m_requests(std::move(requests))
    , m_store(store)
{
    qRegisterMetaType<ReplayResult>();
    qRegisterMetaType<ReplaySummary>();
    m_summary.planned = int(m_requests.size());
    const int slots = std::clamp(m_target.concurrency, 1, 256);
    for (int i = 0; i < slots; ++i) {
        auto slot = std::make_unique<Slot>();
        Slot *s = slot.get();
        slot->connection = new HttpConnection(m_target.url, m_target.insecure, this);
        if (m_target.keepAnswerBytes > 0)
            slot->connection->keepAnswer(m_target.keepAnswerBytes);
        connect(slot->connection, &HttpConnection::answered, this,
                [this, s](const HttpAnswer &answer) { onDone(*s, &answer); });
        slot->deadline = new QTimer(this);
        slot->deadline->setSingleShot(true);
        slot->deadline->setTimerType(Qt::PreciseTimer);
        connect(slot->deadline, &QTimer::timeout, this, [this, s] {
            if (s->busy) {
                s->connection->abort();
                onDone(*s, nullptr);
            }
        });
        m_slots.push_back(std::move(slot));
    }
    m_pacer = new QTimer(this);
    m_pacer->setSingleShot(true);
    m_pacer->setTimerType(Qt::PreciseTimer);
    connect(m_pacer, &QTimer::timeout, this, &Replayer::pump);
}

Replayer::~Replayer()
{
    m_stopping = true;
    if (m_bulk && m_store)
        m_store->endBulk();
    for (auto &slot : m_slots)
        slot->connection->abort();
}

void Replayer::start()
{
    if (m_running)
        return;
    m_running = true;
    m_started.start();
    // Only unpaced: a paced replay may last hours, and without the event indexes the receiver's and the window's
    // lookups would scan the capture meanwhile.
    if (m_store && m_requests.size() > bulkFrom && m_target.ratePerSecond <= 0) {
        m_bulk = true;
        m_store->beginBulk();
    }
    QTimer::singleShot(0, this, &Replayer::pump);
}

void Replayer::cancel()
{
    if (!m_running || m_stopping)
        return;
    m_stopping = true;
    m_summary.cancelled = true;
    m_pacer->stop();
    abortInFlight(
        QStringLiteral("no answer awaited: the replay was cancelled (the target may have taken the request)"));
    // Once the caller is done: cancel() may come from a requestFinished handler, whose result is not recorded whole
    // yet.
    QMetaObject::invokeMethod(this, &Replayer::finishIfDone, Qt::QueuedConnection);
}

void Replayer::abortInFlight(const QString &why)
{
    for (auto &slot : m_slots) {
        if (!slot->busy)
            continue;
        slot->connection->abort();
        ReplayResult result = resultOf(*slot);
        result.cancelled = true;
        result.error = why;
        record(*slot, result);
    }
}

void Replayer::pump()
{
    if (m_stopping)
        return;
    for (;;) {
        auto free = std::find_if(m_slots.begin(), m_slots.end(), [](const auto &s) { return !s->busy; });
        if (free == m_slots.end())
            return; // a slot that finishes pumps again
        // A sender's retry that is due goes first; with nothing new left, wait for the next one.
        const double now = double(m_started.nsecsElapsed()) / 1e6;
        if (!m_retries.empty() && m_retries.front().dueMs <= now) {
            const Retry retry = m_retries.front();
            m_retries.erase(m_retries.begin());
            ++m_summary.retries;
            send(**free, retry.index, retry.attempt);
            continue;
        }
        if (m_next >= m_requests.size()) {
            if (!m_retries.empty())
                m_pacer->start(std::max(1, int(std::ceil(m_retries.front().dueMs - now))));
            break;
        }
        // The Event Platform adapts its rate to the answers (asSender): that rate, under the one asked for.
        double rate = m_target.ratePerSecond;
        if (m_target.asSender && m_requests[m_next].format == Format::AkeneoEventPlatform) {
            if (m_senderRate <= 0)
                m_senderRate = senderProfile(Format::AkeneoEventPlatform).maxEventsPerSecond;
            rate = rate > 0 ? std::min(rate, m_senderRate) : m_senderRate;
        }
        if (rate > 0) {
            // Evenly spaced starts from the first one: no burst at the start. Lateness up to the larger of
            // catchUpMs and half an interval (a late timer, a short stall of the target) is made up, so the rate
            // holds; a start later than that (the slots were busy with a slow target) moves the schedule on
            // instead of catching up with a burst.
            const double intervalMs = 1000.0 / rate;
            const double nowMs = now;
            if (m_next == 0 || rate != m_paceRate) {
                // The schedule starts with the first request, however late it goes, and again when the rate changes.
                m_paceOriginMs = m_next == 0 || m_paceRate <= 0
                    ? nowMs
                    : m_paceOriginMs + double(m_next - m_paceFrom) * 1000.0 / m_paceRate;
                m_paceFrom = m_next;
                m_paceRate = rate;
            }
            const double dueMs = m_paceOriginMs + double(m_next - m_paceFrom) * intervalMs;
            if (nowMs < dueMs) {
                double wakeMs = dueMs;
                if (!m_retries.empty())
                    wakeMs = std::min(wakeMs, m_retries.front().dueMs);
                m_pacer->start(std::max(1, int(std::ceil(wakeMs - nowMs)))); // (again: a retry may be due sooner)
                return;
            }
            if (nowMs - dueMs > std::max(intervalMs / 2, catchUpMs)) {
                m_paceOriginMs = nowMs;
                m_paceFrom = m_next;
            }
        }
        send(**free, m_next++, 1);
    }
    finishIfDone();
}

void Replayer::send(Slot &slot, int index, int attempt)
{
    const ReplayRequest &r = m_requests[index];
    slot.sentAtMs = QDateTime::currentMSecsSinceEpoch();
    slot.headers = replayHeaders(r, m_target.secrets, signingTime(r.faults, slot.sentAtMs / 1000));
    if (r.headers)
        slot.headers = withUserHeaders(slot.headers, *r.headers, r.format);
    applyHeaderFaults(slot.headers, r.format, r.faults);
    slot.index = index;
    slot.attempt = attempt;
    slot.busy = true;
    slot.clock.start();
    // As the sender: its own deadline (an answer later than it is a failure there, and retried).
    const int deadlineMs = m_target.asSender ? int(senderProfile(r.format).deadlineMs) : m_target.timeoutMs;
    slot.deadline->start(std::max(1, deadlineMs));
    slot.connection->post(slot.headers, r.body);
}

void Replayer::judgeAsSender(const ReplayResult &result)
{
    const ReplayRequest &r = m_requests[result.index];
    const SenderProfile &sender = senderProfile(r.format);
    const int status = result.status.value_or(0); // no answer at all: a failure for every sender
    const bool success = !result.cancelled && sender.isSuccess(status, result.latencyMs);
    if (m_delivered.empty())
        m_delivered.resize(std::size_t(m_requests.size()), false);
    if (success && !m_delivered[std::size_t(result.index)]) {
        m_delivered[std::size_t(result.index)] = true;
        ++m_summary.delivered;
    }
    if (!success && !result.cancelled && result.attempt <= sender.retries) {
        const double due = double(m_started.nsecsElapsed()) / 1e6
            + double(sender.retryDelaysMs[std::size_t(result.attempt - 1)]) * m_target.retryScale;
        const Retry retry{due, result.index, result.attempt + 1};
        m_retries.insert(std::upper_bound(m_retries.begin(), m_retries.end(), retry,
                                          [](const Retry &a, const Retry &b) { return a.dueMs < b.dueMs; }),
                         retry);
    }
    if (r.format == Format::AkeneoEventPlatform && m_senderRate > 0) {
        if (status == 429)
            m_senderRate = std::max(double(sender.minEventsPerSecond), m_senderRate / 2);
        else if (success)
            m_senderRate = std::min(double(sender.maxEventsPerSecond), m_senderRate + 1);
    }
    // Where the sender would cut the subscription off: the replay stops there, saying so.
    const QByteArray path = receivingPath(m_target.url);
    if (result.cancelled || !m_health.record(path, r.format, m_summary.sent, result.sentAtMs, status, result.latencyMs))
        return;
    QString reason;
    for (const SubscriptionHealth &h : m_health.all()) {
        if (h.path == path && h.sender == r.format)
            reason = h.cutOffReason;
    }
    const char *what = r.format == Format::Quable ? "Quable would have disabled the webhook"
        : r.format == Format::AkeneoEventPlatform ? "the Event Platform would have suspended the subscription"
                                                  : "the Events API would have stopped sending for the hour";
    m_summary.cutOff
        = QStringLiteral("%1 after request %2 (%3)").arg(QLatin1StringView(what)).arg(m_summary.sent).arg(reason);
    m_stopping = true;
    m_pacer->stop();
    m_retries.clear();
    abortInFlight(QStringLiteral("no answer awaited: the replay stopped where the sender would have cut the "
                                 "subscription off"));
}

ReplayResult Replayer::resultOf(const Slot &slot) const
{
    const ReplayRequest &r = m_requests[slot.index];
    ReplayResult result;
    result.index = slot.index;
    result.attempt = slot.attempt;
    result.sentAtMs = slot.sentAtMs;
    result.latencyMs = double(slot.clock.nsecsElapsed()) / 1e6;
    result.eventCount = r.eventCount;
    result.duplicate = r.duplicate;
    if (m_target.keepAnswerBytes > 0)
        result.sentHeaders = slot.headers;
    return result;
}

void Replayer::onDone(Slot &slot, const HttpAnswer *answer)
{
    if (!slot.busy)
        return;
    ReplayResult result = resultOf(slot);
    if (!answer) {
        result.kind = LogMessage::Timeout;
        result.error = QStringLiteral("no answer within %1 ms")
                           .arg(m_target.asSender ? int(senderProfile(m_requests[slot.index].format).deadlineMs)
                                                  : m_target.timeoutMs);
    } else if (answer->status && answer->error.isNull()) {
        result.status = answer->status;
        result.answerHeaders = answer->headers;
        result.answerBody = answer->body;
        result.kind = *result.status >= 400 ? LogMessage::EndpointError : LogMessage::RequestSent;
        if (*result.status >= 300 && *result.status < 400) {
            result.error
                = QStringLiteral("redirect not followed (Location: %1)")
                      .arg(answer->location.isEmpty() ? QStringLiteral("none") : QString::fromUtf8(answer->location));
        }
    } else {
        // Akeneo logs every failure without an answer (refused, DNS, TLS, closed) as a timeout.
        result.kind = LogMessage::Timeout;
        result.connectionFailed = true;
        result.error = answer->error;
    }
    result.attempt = slot.attempt;
    record(slot, result);
    if (m_target.asSender && !m_stopping)
        judgeAsSender(result);
    if (m_target.stopIfUnreachable && m_summary.sent == 1 && result.connectionFailed) {
        m_summary.unreachable = true;
        m_summary.unreachableError = result.error;
        m_stopping = true;
        m_pacer->stop();
        abortInFlight(QStringLiteral("no answer awaited: the replay stopped, the target cannot be reached"));
    }
    if (m_stopping)
        finishIfDone();
    else
        pump();
}

void Replayer::record(Slot &slot, const ReplayResult &result)
{
    slot.busy = false;
    slot.deadline->stop();
    ++m_summary.sent;
    m_summary.events += result.eventCount;
    if (result.cancelled)
        ++m_summary.cancelledInFlight;
    else if (result.ok())
        ++m_summary.ok;
    else if (result.kind == LogMessage::Timeout)
        ++m_summary.timeouts;
    else if (result.kind == LogMessage::EndpointError)
        ++m_summary.endpointErrors;
    else
        ++m_summary.otherAnswers;
    if (result.connectionFailed)
        ++m_summary.connectionFailures;
    if (result.status)
        m_summary.latenciesMs.append(result.latencyMs);
    store(result, slot);
    Q_EMIT requestFinished(result);
    Q_EMIT progress(m_summary.sent, int(m_requests.size()));
}

void Replayer::store(const ReplayResult &result, const Slot &slot)
{
    if (!m_store)
        return;
    const ReplayRequest &r = m_requests[result.index];
    Delivery d;
    d.origin = Origin::Replay;
    d.receivedAtMs = result.sentAtMs;
    d.method = QByteArrayLiteral("POST");
    d.path = receivingPath(m_target.url);
    // Never the URL's user info (a password): it would go to the capture and its exports.
    d.remote = m_target.url.port() > 0 ? QStringLiteral("%1:%2").arg(m_target.url.host()).arg(m_target.url.port())
                                       : m_target.url.host();
    d.headers = m_target.redactor.redacted(slot.headers);
    d.body = r.body;
    d.bodySize = r.body.size();
    d.statusCode = result.status;
    d.error = result.error;
    // A cancelled request has no answer time, nor an outcome the PIM would log.
    if (!result.cancelled) {
        d.ackMs = result.latencyMs;
        d.logMessage = result.kind;
        d.logLevel = result.kind == LogMessage::RequestSent ? LogLevel::Info : LogLevel::Error;
    }
    d.url = m_target.url.toString(QUrl::RemoveUserInfo);
    d.editSource = r.editSource;
    // Parsed here, so that the writer (which also serves the receiver) only writes.
    if (!m_parser)
        m_parser = std::make_unique<PayloadParser>();
    ParseResult parsed = m_parser->parse(d.body);
    d.format = parsed.format;
    d.events = std::move(parsed.events);
    d.warnings = std::move(parsed.warnings);
    if (d.error.isNull() && !parsed.error.isNull())
        d.error = parsed.error;
    m_store->enqueue(std::move(d), true);
}

void Replayer::finishIfDone()
{
    if (!m_running)
        return;
    const bool inFlight = std::any_of(m_slots.begin(), m_slots.end(), [](const auto &s) { return s->busy; });
    if (inFlight || (!m_stopping && (m_next < m_requests.size() || !m_retries.empty())))
        return;
    m_running = false;
    m_summary.elapsedMs = double(m_started.nsecsElapsed()) / 1e6;
    if (m_bulk) {
        m_bulk = false;
        m_store->endBulk();
    }
    Q_EMIT finished(m_summary);
}

} // namespace pimscope
