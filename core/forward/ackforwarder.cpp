#include "ackforwarder.h"

#include "model/senderprofile.h"
#include "store/deliverysink.h"

#include <QDateTime>

#include <algorithm>

namespace pimscope {

namespace {

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

AckForwarder::AckForwarder(DeliverySink *store, QList<ForwardRule> rules, int timeoutMs, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_forwarder(timeoutMs)
{
    for (ForwardRule &rule : rules) {
        if (rule.mode != ForwardMode::Ack)
            continue;
        auto q = std::make_unique<Queue>();
        q->rule = std::move(rule);
        q->resumeTimer = new QTimer(this);
        q->resumeTimer->setSingleShot(true);
        connect(q->resumeTimer, &QTimer::timeout, this, [this, queue = q.get()] {
            queue->paused = false;
            pump(*queue);
        });
        m_rules.append(q->rule);
        m_queues.push_back(std::move(q));
    }
    connect(m_store, &DeliverySink::forwardsStored, this, &AckForwarder::onMarked);
    connect(m_store, &DeliverySink::storeFailed, this, &AckForwarder::onFailed);
}

AckForwarder::~AckForwarder() = default;

AckForwarder::Queue *AckForwarder::queueFor(QByteArrayView path)
{
    const ForwardRule *rule = forwardRuleFor(m_rules, path);
    return rule ? m_queues[std::size_t(rule - m_rules.constData())].get() : nullptr;
}

std::deque<AckForward>::iterator AckForwarder::find(Queue &q, qint64 deliveryId)
{
    return std::find_if(q.items.begin(), q.items.end(),
                        [deliveryId](const AckForward &f) { return f.row.deliveryId == deliveryId; });
}

qsizetype AckForwarder::waiting() const
{
    qsizetype n = 0;
    for (const auto &q : m_queues)
        n += qsizetype(q->items.size());
    return n;
}

Result<ForwardBacklog *> AckForwarder::backlog()
{
    if (!m_reader) {
        auto reader = m_store->openBacklog();
        if (!reader)
            return Result<ForwardBacklog *>::failure(reader.error());
        m_reader = std::move(reader.value());
    }
    return m_reader.get();
}

Result<int> AckForwarder::resume()
{
    const auto reader = backlog();
    if (!reader)
        return Result<int>::failure(reader.error());
    auto rows = (*reader)->queuedForwards({ForwardState::Queued, ForwardState::Sending});
    if (!rows)
        return Result<int>::failure(rows.error());
    QList<qint64> ids;
    for (const ConnectorAnswer &row : std::as_const(*rows))
        ids.append(row.deliveryId);
    auto deliveries = (*reader)->forwardedDeliveries(ids, false);
    if (!deliveries)
        return Result<int>::failure(deliveries.error());
    QHash<qint64, const Delivery *> byId;
    for (const Delivery &d : std::as_const(*deliveries))
        byId.insert(d.id, &d);
    int left = 0;
    for (ConnectorAnswer &row : *rows) {
        const Delivery *d = byId.value(row.deliveryId);
        Queue *q = d && row.ackMode ? queueFor(d->path) : nullptr;
        if (!q) {
            ++left;
            continue;
        }
        AckForward f;
        // Sent before the stop, its outcome never recorded: the connector may have had it.
        row.possiblyTwice = row.possiblyTwice || row.state == ForwardState::Sending;
        row.state = ForwardState::Queued;
        row.target = forwardUrl(q->rule, d->path).toString(QUrl::FullyEncoded); // today's rule: a fixed port applies
        f.row = std::move(row);
        f.method = d->method;
        f.path = d->path;
        f.sender = senderOfRequest(d->format, d->headers);
        f.receivedAtMs = d->receivedAtMs;
        q->items.push_back(std::move(f));
    }
    for (const auto &q : m_queues)
        pump(*q);
    return left;
}

void AckForwarder::add(AckForward forward)
{
    Queue *q = queueFor(forward.path);
    if (!q)
        return;
    if (qsizetype(q->items.size()) >= bodiesInMemory) {
        forward.body.clear(); // read again from the store when its turn comes
        forward.bodyLoaded = false;
    } else {
        forward.bodyLoaded = true;
    }
    q->items.push_back(std::move(forward));
    pump(*q);
}

void AckForwarder::pump(Queue &q)
{
    if (q.paused || m_released)
        return;
    int ready = 0;
    bool unmarked = false;
    for (AckForward &f : q.items) {
        if (f.inFlight || f.marking)
            continue;
        if (!f.durable) {
            unmarked = true;
            break;
        }
        if (q.inFlight < q.rule.concurrency)
            send(q, f);
        else
            ++ready;
        if (ready >= sendingWindow / 2)
            break;
    }
    // The next ones marked Sending ahead of their turn, so that sending never waits for a commit in a steady flow.
    if (unmarked && ready < sendingWindow / 2 && q.marking == 0)
        markSending(q);
}

void AckForwarder::markSending(Queue &q)
{
    // The bodies not in memory are read first: nothing is marked, or sent, without its body.
    QList<AckForward *> bodiless;
    int window = 0;
    for (AckForward &f : q.items) {
        if (f.durable || f.marking || f.inFlight)
            continue;
        if (!f.bodyLoaded)
            bodiless.append(&f);
        if (++window >= sendingWindow)
            break;
    }
    if (!bodiless.isEmpty()) {
        if (auto r = loadBodies(bodiless); !r) {
            Q_EMIT problem(r.error() + QStringLiteral(" (tried again in 1 s)"));
            q.paused = true;
            q.resumeTimer->start(firstBackOffMs);
            return;
        }
        // A delivery deleted meanwhile (retention) took its forward with it: nothing to send.
        std::erase_if(q.items, [](const AckForward &f) { return f.gone; });
    }
    QList<ConnectorAnswer> rows;
    QList<qint64> ids;
    for (AckForward &f : q.items) {
        if (f.durable || f.marking || f.inFlight)
            continue;
        f.marking = true;
        f.row.state = ForwardState::Sending;
        rows.append(f.row);
        ids.append(f.row.deliveryId);
        if (rows.size() >= sendingWindow)
            break;
    }
    if (rows.isEmpty())
        return;
    q.marking = int(rows.size());
    m_marking.insert(m_store->recordForwards(std::move(rows)), {&q, ids});
}

Result<void> AckForwarder::loadBodies(QList<AckForward *> items)
{
    const auto reader = backlog();
    if (!reader)
        return Result<void>::failure(QStringLiteral("cannot read the bodies to forward: ") + reader.error());
    QList<qint64> ids;
    for (const AckForward *f : std::as_const(items))
        ids.append(f->row.deliveryId);
    auto deliveries = (*reader)->forwardedDeliveries(ids, true);
    if (!deliveries)
        return Result<void>::failure(QStringLiteral("cannot read the bodies to forward: ") + deliveries.error());
    QHash<qint64, QByteArray> bodies;
    for (const Delivery &d : std::as_const(*deliveries))
        bodies.insert(d.id, d.body);
    for (AckForward *f : std::as_const(items)) {
        const auto body = bodies.constFind(f->row.deliveryId);
        f->gone = body == bodies.cend();
        f->body = f->gone ? QByteArray() : *body;
        f->bodyLoaded = !f->gone;
    }
    return {};
}

void AckForwarder::onMarked(const QList<quint64> &tickets)
{
    settleMarking(tickets, true);
}

void AckForwarder::onFailed(const QList<quint64> &tickets, const QString &error)
{
    for (Queue *q : settleMarking(tickets, false)) {
        Q_EMIT problem(QStringLiteral("cannot record the forwards about to be sent (tried again in 1 s): ") + error);
        q->paused = true;
        q->resumeTimer->start(firstBackOffMs);
    }
}

QList<AckForwarder::Queue *> AckForwarder::settleMarking(const QList<quint64> &tickets, bool committed)
{
    QList<Queue *> queues;
    for (quint64 ticket : tickets) {
        const auto it = m_marking.constFind(ticket);
        if (it == m_marking.cend())
            continue;
        auto [q, ids] = *it;
        m_marking.erase(it);
        q->marking = 0;
        for (qint64 id : std::as_const(ids)) {
            if (const auto f = find(*q, id); f != q->items.end()) {
                f->marking = false;
                f->durable = committed;
            }
        }
        queues.append(q);
        if (committed)
            pump(*q);
    }
    return queues;
}

void AckForwarder::send(Queue &q, AckForward &f)
{
    f.inFlight = true;
    ++q.inFlight;
    f.row.sentAtMs = now();
    ForwardRequest request{QUrl(f.row.target), q.rule.insecure, f.method, f.row.requestHeaders, f.body};
    m_forwarder.send(std::move(request),
                     [this, queue = &q, id = f.row.deliveryId](const HttpAnswer &answer) { done(queue, id, answer); });
}

void AckForwarder::done(Queue *q, qint64 deliveryId, const HttpAnswer &answer)
{
    --q->inFlight;
    const auto f = find(*q, deliveryId);
    if (f == q->items.end())
        return;
    f->inFlight = false;
    ConnectorAnswer row = connectorAnswerOf(answer, f->sender, q->failuresInARow);
    row.deliveryId = deliveryId;
    row.target = f->row.target;
    row.ackMode = true;
    row.attempts = f->row.attempts + 1;
    row.sentAtMs = f->row.sentAtMs;
    row.possiblyTwice = f->row.possiblyTwice;
    const bool noAnswer = !answer.error.isNull();
    if (!noAnswer) {
        q->noAnswers = 0;
    } else if (now() - f->receivedAtMs >= giveUpAfterMs) {
        row.state = ForwardState::GivenUp;
        row.error = QStringLiteral("given up 24 h after the delivery came, after %1 attempts; the last one: %2")
                        .arg(row.attempts)
                        .arg(answer.error);
    } else {
        // Tried again once the connector may be back; until then the rule's queue waits (its order is kept).
        const int backOff = std::min(maxBackOffMs, firstBackOffMs << std::min(q->noAnswers, 6));
        ++q->noAnswers;
        row.state = ForwardState::Queued;
        row.nextAttemptAtMs = now() + backOff;
        row.requestHeaders = f->row.requestHeaders;
        f->row = row;
        f->durable = false; // its row says Queued again: marked Sending before the next attempt
        q->paused = true;
        q->resumeTimer->start(backOff);
        unmark(*q); // the rest waits too: a stop meanwhile must not make them "possibly received twice"
    }
    if (row.verdict)
        q->failuresInARow = *row.verdict == ConnectorVerdict::Sent ? 0 : q->failuresInARow + 1;
    if (row.state != ForwardState::Queued)
        q->items.erase(f); // nothing above touched the queue's items
    record(row);
    pump(*q);
}

void AckForwarder::unmark(Queue &q)
{
    // A marking still awaiting its commit marks nothing any more: its commit comes before this one.
    for (auto &[queue, ids] : m_marking) {
        if (queue == &q)
            ids.clear();
    }
    QList<ConnectorAnswer> rows;
    for (AckForward &f : q.items) {
        if (f.inFlight || !(f.durable || f.marking))
            continue;
        f.durable = false;
        f.marking = false;
        f.row.state = ForwardState::Queued;
        rows.append(f.row);
    }
    if (!rows.isEmpty())
        m_store->recordForwards(std::move(rows));
}

void AckForwarder::release()
{
    m_released = true;
    for (const auto &q : m_queues)
        unmark(*q);
}

void AckForwarder::record(const ConnectorAnswer &row)
{
    m_store->recordForwards({row});
    Q_EMIT attempted(row);
}

} // namespace pimscope
