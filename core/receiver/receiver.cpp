#include "receiver.h"

#include "formats/payloadparser.h"
#include "model/senderprofile.h"
#include "store/eventstore.h"
#include "util/jsonwriter.h"

#include <QCoreApplication>
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
    Worker(Receiver *owner, EventStore *store, const ReceiverSettings &settings)
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
        connect(m_store, &EventStore::deliveriesStored, this, &Worker::onStored);
        connect(m_store, &EventStore::storeFailed, this, &Worker::onFailed);
        return m_adapter->listen(m_settings.address, m_settings.port, m_settings.tls);
    }

    void shutdown(int graceMs)
    {
        if (m_adapter)
            m_adapter->close(); // no new connections; answers owed go out as their commits arrive
        QElapsedTimer t;
        t.start();
        while (!m_pending.isEmpty() && t.elapsed() < graceMs) {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
            QThread::msleep(1);
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
    };

    void handle(IncomingRequest in, PendingAnswer answer)
    {
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

        int status = m_settings.answerStatus;
        bool immediate = false;
        QByteArray body;
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
            const Format sender
                = senderOfRequest(d.format, !headerValue(in.headers, "X-Akeneo-Request-Signature").isNull(),
                                  !headerValue(in.headers, "X-AKENEO-SIGNATURE-PRIMARY").isNull());
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
        d.answeredStatus = status;
        summary.status = status;
        summary.format = d.format;
        summary.signature = d.signature;
        summary.eventCount = int(d.events.size());
        summary.error = d.error;
        const quint64 ticket = m_store->enqueueIndexingLater(std::move(d));
        m_pending.insert(ticket, Pending{std::move(answer), status, std::move(body), std::move(summary), immediate});
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
            if (p.status < 300 && p.body.startsWith("{\"status\""))
                p.body = jsonAnswer("status", QStringLiteral("stored"), s.id, p.summary.eventCount);
            answerLater(std::move(p));
        }
    }

    void onFailed(const QList<quint64> &tickets, const QString &error)
    {
        for (quint64 ticket : tickets) {
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
        Q_EMIT m_owner->problem(QStringLiteral("the capture could not store a delivery: ") + error);
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
        p.answer.send(p.status, p.body, "application/json", [self, summary = p.summary, stored](double ms) mutable {
            summary.ackMs = ms;
            if (self)
                self->noteAnswered(std::move(summary), stored);
        });
    }

    /**
     * Answer times go to the store, and answered deliveries to the Receiver's thread, once per pass of the event
     * loop rather than one by one: each hand-over to another thread is a wake-up, a system call.
     */
    void noteAnswered(ReceivedDelivery summary, bool stored)
    {
        if (stored)
            m_answerTimes.append(AnswerTime{summary.id, summary.ackMs});
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
    EventStore *m_store;
    ReceiverSettings m_settings;
    SignatureVerifier m_verifier;
    PayloadParser m_parser;
    HttpServerAdapter *m_adapter = nullptr;
    QHash<quint64, Pending> m_pending;
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

Receiver::Receiver(EventStore *store, ReceiverSettings settings, QObject *parent)
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
