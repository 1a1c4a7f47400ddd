#include "receiver.h"

#include "formats/payloadparser.h"
#include "forward/ackforwarder.h"
#include "forward/forwarder.h"
#include "model/senderprofile.h"
#include "store/eventstore.h"
#include "util/jsonwriter.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QEventLoop>
#include <QHash>
#include <QLoggingCategory>
#include <QPointer>
#include <QSemaphore>
#include <QTimer>

#include <algorithm>

#ifdef Q_OS_UNIX
#include <sys/resource.h>
#endif

namespace pimscope {

Q_DECLARE_LOGGING_CATEGORY(lcReceiver)

namespace {

QByteArray jsonAnswer(const char *key, const QString &value, qint64 id = 0, int events = -1)
{
    QByteArray out;
    JsonWriter w(out);
    w.beginObject();
    w.field(key, value);
    if (id > 0)
        w.field("delivery", id);
    if (events >= 0)
        w.field("events", events);
    w.endObject();
    return out;
}

} // namespace

/** Runs in the receiver thread: owns the HTTP server, the parser and the answers waiting for their commit. */
class Receiver::Worker : public QObject
{
public:
    Worker(Receiver *owner, DeliverySink *store, const ReceiverSettings &settings)
        : m_owner(owner)
        , m_store(store)
        , m_settings(settings)
        , m_verifier(settings.signatures)
    {
    }

    Result<quint16> listen()
    {
        m_adapter = new HttpServerAdapter(
            [this](IncomingRequest request, PendingAnswer answer) { handle(std::move(request), std::move(answer)); },
            m_settings.limits, this);
        connect(m_adapter, &HttpServerAdapter::refused, this, &Worker::storeRefused);
        connect(m_store, &DeliverySink::deliveriesStored, this, &Worker::onStored);
        connect(m_store, &DeliverySink::storeFailed, this, &Worker::onFailed);
        if (!m_settings.forwards.isEmpty()) {
            m_forwarder = new Forwarder(m_settings.forwardTimeoutMs, this);
            connect(m_store, &DeliverySink::forwardsStored, this, &Worker::onForwardsStored);
        }
        if (hasAckRule(m_settings.forwards)) {
            // Its queue lives in the store, beside the deliveries (on a server, this receiver's own).
            m_ack = new AckForwarder(m_store, m_settings.forwards, m_settings.forwardTimeoutMs, this);
            connect(m_ack, &AckForwarder::problem, this,
                    [this](const QString &message) { Q_EMIT m_owner->problem(message); });
            connect(m_ack, &AckForwarder::attempted, this, [this](const ConnectorAnswer &row) {
                QMetaObject::invokeMethod(
                    m_owner, [owner = m_owner, row] { Q_EMIT owner->forwarded(row); }, Qt::QueuedConnection);
            });
            // What an earlier run left queued is sent first (the PIM's new deliveries queue behind it).
            const auto left = m_ack->resume();
            if (!left)
                return Result<quint16>::failure(QStringLiteral("cannot resume the queued forwards: ") + left.error());
            if (*left > 0)
                Q_EMIT m_owner->problem(
                    QStringLiteral(
                        "%1 queued forwards wait for an ack rule covering their path (--forward ...,mode=ack)")
                        .arg(*left));
        }
        return m_adapter->listen(m_settings.address, m_settings.port, m_settings.tls);
    }

    void shutdown(int graceMs)
    {
        if (m_adapter)
            m_adapter->close(); // no new connections; answers owed go out as their commits arrive
        if (m_ack)
            m_ack->release(); // what is queued stays for the next run; what is in flight gets its answer below
        QElapsedTimer t;
        t.start();
        const auto owed = [this] {
            return !m_pending.isEmpty() || !m_forwarded.isEmpty() || (m_forwarder && m_forwarder->inFlight() > 0)
                || (m_ack && m_ack->inFlight() > 0); // (not the whole queue: what is queued stays for the next run)
        };
        while (owed() && t.elapsed() < graceMs) {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
            QThread::msleep(1);
        }
        if (m_forwarder && m_forwarder->inFlight() > 0) {
            // Recorded as failed, and the PIM told so, before the thread ends.
            m_forwarder->abortAll(QStringLiteral("the receiver stopped before the connector answered"));
            t.restart();
            while (!m_forwarded.isEmpty() && t.elapsed() < 2000) {
                QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
                QThread::msleep(1);
            }
        }
        flushNotes();
    }

private:
    struct Pending
    {
        PendingAnswer answer;
        int status = 200;
        QByteArray body;
        ReceivedDelivery summary;
        bool immediate = false; ///< no simulated delay (a sender answered 2xx always)
        std::optional<ForwardRequest> forward; ///< proxy mode: passed on to the connector once committed
        Format sender = Format::Unknown; ///< whose rules judge the connector's answer
        std::optional<AckForward> ack; ///< ack mode: queued with the delivery, handed to the queue once committed
    };

    void handle(IncomingRequest in, PendingAnswer answer)
    {
        if (m_settings.probes && in.method == "GET") {
            if (const QByteArray token = ProbeRegistry::tokenOf(in.path); !token.isEmpty()) {
                // A tunnel's check that came through the internet: answered, not stored.
                if (m_settings.probes->take(token))
                    answer.send(200, "pimscope-probe " + token, "text/plain");
                else
                    answer.send(404, "no such probe\n", "text/plain");
                return;
            }
        }
        if (in.method == "GET" && (in.path == "/" || in.path.startsWith("/?"))) {
            answer.send(200, "Pimscope receiver is running. Point a PIM's webhook at this URL with POST.\n",
                        "text/plain; charset=utf-8");
            return;
        }
        Delivery d;
        d.origin = Origin::Receiver;
        d.receivedAtMs = in.receivedAtMs;
        d.method = in.method;
        d.path = in.path;
        d.remote = in.remote;
        d.bodySize = in.body.size();

        ReceivedDelivery summary;
        summary.receivedAtMs = d.receivedAtMs;
        summary.method = d.method;
        summary.path = d.path;

        // Proxy mode: whatever Pimscope makes of the request is recorded; the connector answers it. Ack mode: Pimscope
        // answers as always, the forward is queued with the delivery, in its transaction.
        std::optional<ForwardRequest> forward;
        std::optional<ConnectorAnswer> queued;
        const ForwardRule *rule = forwardRuleFor(m_settings.forwards, in.path);
        if (rule) {
            const QUrl url = forwardUrl(*rule, in.path);
            if (rule->mode == ForwardMode::Proxy) {
                forward = ForwardRequest{url, rule->insecure, in.method, forwardHeaders(in.headers, url), in.body};
            } else {
                queued.emplace();
                queued->target = url.toString(QUrl::FullyEncoded);
                queued->ackMode = true;
                queued->state = ForwardState::Queued;
                queued->requestHeaders = forwardHeaders(in.headers, url);
            }
        }
        int status = m_settings.answerStatus;
        bool immediate = false;
        QByteArray body;
        Format sender = Format::Unknown;
        if (in.method != "POST") {
            status = 405;
            d.error
                = QStringLiteral("method %1 not allowed: PIMs POST their events").arg(QString::fromLatin1(in.method));
            body = jsonAnswer("error", d.error);
        } else {
            const SignatureCheck check = m_verifier.verify(in.path, in.headers, in.body, in.receivedAtMs);
            d.signature = check.verdict;
            d.signatureDetail = check.detail;
            // Only what the answer needs; the store reads the events' fields after the commit.
            ParseResult parsed = m_parser.parse(in.body, PayloadParser::Depth::Envelope);
            d.format = parsed.format;
            d.events = std::move(parsed.events);
            d.error = parsed.error;
            d.warnings = parsed.warnings;
            const bool badSignature = check.isBad();
            // Akeneo 5.0's Test button POSTs an empty body unsigned: a 401 would make the PIM's test fail.
            const bool testPost = d.format == Format::AkeneoTest;
            if (badSignature && !testPost && !m_settings.acceptInvalidSignature) {
                status = 401;
                body = jsonAnswer("error",
                                  QStringLiteral("signature %1: %2").arg(signatureName(check.verdict), check.detail));
            } else if (!d.error.isNull()) {
                status = 400;
                body = jsonAnswer("error", d.error);
            } else {
                body = jsonAnswer("status", QStringLiteral("stored"), 0, int(d.events.size()));
            }
            sender = senderOfRequest(d.format, in.headers);
            if (sender != Format::Unknown && m_settings.alwaysSucceedFor.contains(sender)) {
                // Stored with its verdicts as always; the answer keeps the subscription alive.
                status = 200;
                immediate = true;
                body = jsonAnswer("status", QStringLiteral("stored"), 0, int(d.events.size()));
            }
        }
        // Secrets are compared above; what is stored is redacted.
        d.headers = m_verifier.redactor().redacted(in.headers);
        d.body = std::move(in.body);
        if (!forward)
            d.answeredStatus = status; // else the status the connector's answer gives the PIM, recorded with its time
        summary.status = status;
        summary.format = d.format;
        summary.signature = d.signature;
        summary.eventCount = int(d.events.size());
        summary.error = d.error;
        std::optional<AckForward> ack;
        if (queued) {
            ack.emplace();
            ack->row = *queued;
            ack->method = d.method;
            ack->path = d.path;
            ack->body = d.body;
            ack->sender = sender;
            ack->receivedAtMs = d.receivedAtMs;
        }
        const quint64 ticket = m_store->enqueueIndexingLater(std::move(d), std::move(queued));
        m_pending.insert(ticket,
                         Pending{std::move(answer), status, std::move(body), std::move(summary), immediate,
                                 std::move(forward), sender, std::move(ack)});
    }

    void onStored(const QList<StoredDelivery> &stored)
    {
        for (const StoredDelivery &s : stored) {
            auto it = m_pending.find(s.ticket);
            if (it == m_pending.end())
                continue;
            Pending p = std::move(*it);
            m_pending.erase(it);
            p.summary.id = s.id;
            if (p.forward) {
                startForward(std::move(p));
                continue;
            }
            if (p.ack) {
                p.ack->row.deliveryId = s.id;
                m_ack->add(std::move(*p.ack));
                p.ack.reset();
            }
            if (p.status < 300 && p.body.startsWith("{\"status\""))
                p.body = jsonAnswer("status", QStringLiteral("stored"), s.id, p.summary.eventCount);
            answerLater(std::move(p));
        }
    }

    void onFailed(const QList<quint64> &tickets, const QString &error)
    {
        for (quint64 ticket : tickets) {
            if (auto it = m_forwarded.find(ticket); it != m_forwarded.end()) {
                // The delivery is stored; only the connector's answer could not be: passed on all the same.
                Pending p = std::move(*it);
                m_forwarded.erase(it);
                passOn(std::move(p));
                continue;
            }
            auto it = m_pending.find(ticket);
            if (it == m_pending.end())
                continue;
            Pending p = std::move(*it);
            m_pending.erase(it);
            // Never a 2xx for what was not stored.
            p.status = 503;
            p.body = jsonAnswer("error", QStringLiteral("not stored: ") + error);
            p.summary.status = 503;
            p.summary.error = QStringLiteral("not stored: ") + error;
            answerNow(std::move(p), false);
        }
        sayOnce(QStringLiteral("the capture could not store a delivery: ") + error);
    }

    /**
     * A problem, said once however often it happens in a row (a store that is down fails every request): said again
     * after 10 s with how many times it happened since.
     */
    void sayOnce(const QString &message)
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (message == m_lastProblem && now - m_lastProblemAtMs < 10'000) {
            ++m_problemRepeats;
            return;
        }
        QString said = message;
        if (message == m_lastProblem && m_problemRepeats > 0)
            said += QStringLiteral(" (%1 times more since it was last said)").arg(m_problemRepeats);
        m_lastProblem = message;
        m_lastProblemAtMs = now;
        m_problemRepeats = 0;
        Q_EMIT m_owner->problem(said);
    }

    /** Proxy mode, once the delivery is committed: to the connector, whose answer is committed then passed on. */
    void startForward(Pending p)
    {
        auto shared = std::make_shared<Pending>(std::move(p));
        ForwardRequest request = std::move(*shared->forward);
        shared->forward.reset();
        QString target = request.url.toString(QUrl::FullyEncoded);
        const qint64 sentAtMs = QDateTime::currentMSecsSinceEpoch();
        m_forwarder->send(
            std::move(request), [this, shared, target = std::move(target), sentAtMs](const HttpAnswer &answer) {
                Pending p = std::move(*shared);
                int &failures = m_failuresInARow[p.summary.path];
                ConnectorAnswer &c = p.summary.connector.emplace(connectorAnswerOf(answer, p.sender, failures));
                failures = c.verdict == ConnectorVerdict::Sent ? 0 : failures + 1;
                c.deliveryId = p.summary.id;
                c.target = target;
                c.attempts = 1;
                c.sentAtMs = sentAtMs;
                const quint64 ticket = m_store->recordForwards({c});
                m_forwarded.emplace(ticket, std::move(p));
            });
    }

    void onForwardsStored(const QList<quint64> &tickets)
    {
        for (quint64 ticket : tickets) {
            auto it = m_forwarded.find(ticket);
            if (it == m_forwarded.end())
                continue;
            Pending p = std::move(*it);
            m_forwarded.erase(it);
            passOn(std::move(p));
        }
    }

    /**
     * The connector's answer to the PIM: its status, headers (hop-by-hop ones dropped) and body (the first 64 KiB;
     * X-Pimscope-Truncated gives the whole size of a longer one), else 502 (504 when it did not answer in time) with
     * the reason.
     */
    void passOn(Pending p)
    {
        const ConnectorAnswer &c = *p.summary.connector;
        int status = 502;
        QByteArray body;
        Headers headers;
        if (c.error.isNull() && c.status) {
            status = *c.status;
            body = c.body;
            headers = passedOnHeaders(c.headers);
            if (c.bodySize > c.body.size())
                headers.append(Header{"X-Pimscope-Truncated", QByteArray::number(c.bodySize)});
        } else {
            if (c.endMs && *c.endMs >= m_forwarder->timeoutMs())
                status = 504;
            body = jsonAnswer("error", QStringLiteral("the connector at %1 gave no answer: %2").arg(c.target, c.error),
                              p.summary.id);
            headers = {Header{"Content-Type", "application/json"}};
        }
        p.summary.status = status;
        QPointer<Worker> self(this);
        p.answer.send(status, body, std::move(headers),
                      [self, summary = std::move(p.summary)](double ms, bool onTheWire) mutable {
                          summary.ackMs = ms;
                          if (!onTheWire) {
                              // The PIM stopped waiting (its own deadline) before the connector's answer came: it
                              // got nothing. What it would have got is recorded with the time it would have taken,
                              // so that the delivery is flagged slow and counted as its sender counts a timeout.
                              summary.error = QStringLiteral("the PIM closed the connection before the connector's "
                                                             "answer could be passed on (after %1 ms)")
                                                  .arg(ms, 0, 'f', 1);
                          }
                          const int passedOn = summary.status;
                          if (self)
                              self->noteAnswered(std::move(summary), true, passedOn);
                      });
    }

    void answerLater(Pending p)
    {
        if (m_settings.answerDelayMs <= 0 || p.immediate) {
            answerNow(std::move(p), true);
            return;
        }
        auto shared = std::make_shared<Pending>(std::move(p));
        QTimer::singleShot(m_settings.answerDelayMs, this, [this, shared] { answerNow(std::move(*shared), true); });
    }

    void answerNow(Pending p, bool stored)
    {
        QPointer<Worker> self(this);
        p.answer.send(p.status, p.body, "application/json",
                      [self, summary = p.summary, stored](double ms, bool onTheWire) mutable {
                          // Pimscope's own answer: stored with the delivery; its time only when it was written.
                          if (!onTheWire)
                              return;
                          summary.ackMs = ms;
                          if (self)
                              self->noteAnswered(std::move(summary), stored);
                      });
    }

    /**
     * Answer times go to the store, and answered deliveries to the Receiver's thread, once per pass of the event
     * loop rather than one by one: each hand-over to another thread is a wake-up, a system call.
     */
    void noteAnswered(ReceivedDelivery summary, bool stored, std::optional<int> passedOnStatus = std::nullopt)
    {
        if (stored)
            m_answerTimes.append(AnswerTime{summary.id, summary.ackMs, passedOnStatus});
        m_answered.append(std::move(summary));
        if (!m_notesQueued) {
            m_notesQueued = true;
            QMetaObject::invokeMethod(
                this, [this] { flushNotes(); }, Qt::QueuedConnection);
        }
    }

    void flushNotes()
    {
        m_notesQueued = false;
        if (!m_answerTimes.isEmpty())
            m_store->recordAnswers(std::exchange(m_answerTimes, {}));
        if (!m_answered.isEmpty()) {
            QMetaObject::invokeMethod(
                m_owner,
                [owner = m_owner, answered = std::exchange(m_answered, {})] {
                    for (const ReceivedDelivery &d : answered)
                        Q_EMIT owner->answered(d);
                },
                Qt::QueuedConnection);
        }
    }

    void storeRefused(const RefusedRequest &r)
    {
        Delivery d;
        d.origin = Origin::Receiver;
        d.receivedAtMs = r.receivedAtMs;
        d.method = r.method;
        d.path = r.path;
        d.remote = r.remote;
        d.headers = m_verifier.redactor().redacted(r.headers);
        d.bodySize = qMax<qint64>(r.declaredSize, 0);
        d.answeredStatus = r.status;
        d.ackMs = 0;
        d.error = r.error;
        m_store->enqueue(std::move(d), true);
        ReceivedDelivery summary;
        summary.receivedAtMs = r.receivedAtMs;
        summary.method = r.method;
        summary.path = r.path;
        summary.status = r.status;
        summary.error = r.error;
        noteAnswered(std::move(summary), false);
    }

    Receiver *m_owner;
    DeliverySink *m_store;
    QString m_lastProblem; ///< see sayOnce()
    qint64 m_lastProblemAtMs = 0;
    int m_problemRepeats = 0;
    ReceiverSettings m_settings;
    SignatureVerifier m_verifier;
    PayloadParser m_parser;
    HttpServerAdapter *m_adapter = nullptr;
    Forwarder *m_forwarder = nullptr;
    AckForwarder *m_ack = nullptr;
    QHash<quint64, Pending> m_pending;
    QHash<quint64, Pending> m_forwarded; ///< the connector answered; its answer's commit awaited, by ticket
    QHash<QByteArray, int> m_failuresInARow; ///< by receiving path: the connector's failures since its last success
    QList<AnswerTime> m_answerTimes;
    QList<ReceivedDelivery> m_answered;
    bool m_notesQueued = false;
};

void raiseOpenFileLimit()
{
#ifdef Q_OS_UNIX
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return;
    const rlim_t wanted = limit.rlim_max == RLIM_INFINITY ? rlim_t(65536) : std::min<rlim_t>(limit.rlim_max, 65536);
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
        limit.rlim_cur = wanted;
        (void)::setrlimit(RLIMIT_NOFILE, &limit); // at worst the limit stays as it was
    }
#endif
}

bool parseListenAddress(const QString &text, QHostAddress &address, quint16 &port)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon < 0)
        return false;
    QString host = text.left(colon);
    bool ok = false;
    const uint p = text.mid(colon + 1).toUInt(&ok);
    if (!ok || p > 65535)
        return false;
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    if (host.isEmpty() || host == u"localhost")
        address = QHostAddress::LocalHost;
    else if (!address.setAddress(host))
        return false;
    port = quint16(p);
    return true;
}

Receiver::Receiver(DeliverySink *store, ReceiverSettings settings, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_settings(std::move(settings))
{
    qRegisterMetaType<pimscope::ReceivedDelivery>();
    qRegisterMetaType<pimscope::RefusedRequest>();
    m_thread.setObjectName(QStringLiteral("pimscope-receiver"));
}

Receiver::~Receiver()
{
    stop();
}

Result<quint16> Receiver::start()
{
    m_thread.start();
    m_worker = new Worker(this, m_store, m_settings);
    m_worker->moveToThread(&m_thread);
    Result<quint16> result = Result<quint16>::failure(QString());
    QMetaObject::invokeMethod(
        m_worker, [this, &result] { result = m_worker->listen(); }, Qt::BlockingQueuedConnection);
    if (!result) {
        stop();
        return result;
    }
    m_port = *result;
    return result;
}

void Receiver::stop(int graceMs)
{
    if (!m_thread.isRunning())
        return;
    if (m_worker) {
        QMetaObject::invokeMethod(
            m_worker,
            [this, graceMs] {
                m_worker->shutdown(graceMs);
                delete m_worker;
                m_worker = nullptr;
            },
            Qt::BlockingQueuedConnection);
    }
    m_thread.quit();
    m_thread.wait();
}

QString Receiver::url() const
{
    const bool v6 = m_settings.address.protocol() == QAbstractSocket::IPv6Protocol;
    QString host = m_settings.address.toString();
    if (m_settings.address == QHostAddress::Any || m_settings.address == QHostAddress::AnyIPv4)
        host = QStringLiteral("0.0.0.0");
    if (v6)
        host = u'[' + host + u']';
    return QStringLiteral("%1://%2:%3/")
        .arg(m_settings.tls ? QStringLiteral("https") : QStringLiteral("http"), host)
        .arg(m_port);
}

} // namespace pimscope
