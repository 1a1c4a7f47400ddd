#include "capturequeries.h"

#include "filter/filter.h"
#include "storereader.h"

#include <QElapsedTimer>
#include <QMetaObject>
#include <QSemaphore>

namespace pimscope {

CaptureQueries::CaptureQueries(QString path, QObject *parent)
    : QObject(parent)
    , m_path(std::move(path))
{
    m_thread.setObjectName(QStringLiteral("pimscope-queries"));
    m_worker = new QObject;
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
    post([](StoreReader *, const QString &) {}); // opens the reader in the thread
}

CaptureQueries::~CaptureQueries()
{
    // The connection belongs to the query thread: close it there.
    QMetaObject::invokeMethod(
        m_worker, [this] { m_reader.reset(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void CaptureQueries::post(std::function<void(StoreReader *, const QString &)> work)
{
    QMetaObject::invokeMethod(
        m_worker,
        [this, work = std::move(work)] {
            if (!m_reader && m_openError.isEmpty()) {
                auto reader = StoreReader::open(m_path);
                if (reader)
                    m_reader = std::move(reader.value());
                else
                    m_openError = reader.error();
            }
            work(m_reader.get(), m_openError);
        },
        Qt::QueuedConnection);
}

namespace {

/** Delivers `value` to `done` in the thread of `context`, unless it was deleted. */
template<typename T>
void deliver(QObject *context, std::function<void(T)> done, T value)
{
    QMetaObject::invokeMethod(
        context, [done = std::move(done), value = std::move(value)]() mutable { done(std::move(value)); },
        Qt::QueuedConnection);
}

} // namespace

struct CaptureQueries::Scan
{
    quint64 generation = 0;
    QString filter;
    FilterTarget target = FilterTarget::Events;
    QPointer<QObject> guard;
    const QObject *context = nullptr;
    std::function<void(Matched)> done;
    bool streamed = false;
    qint64 afterId = 0; ///< the scan covers (afterId, lastId]
    qint64 lastId = -1; ///< read at the first step
    qint64 next = 0; ///< the ids up to this one are scanned
    qint64 slice = 16384;
    Filter parsed;
    QList<qint64> gathered;
};

void CaptureQueries::match(quint64 generation, const QString &filter, FilterTarget target, QObject *context,
                           std::function<void(Matched)> done, qint64 afterId, bool streamed)
{
    supersede(context, generation);
    auto scan = std::make_shared<Scan>();
    scan->generation = generation;
    scan->filter = filter;
    scan->target = target;
    scan->guard = context;
    scan->context = context;
    scan->done = std::move(done);
    scan->streamed = streamed;
    scan->afterId = afterId;
    scan->next = afterId;
    post([this, scan](StoreReader *reader, const QString &openError) { scanStep(scan, reader, openError); });
}

void CaptureQueries::scanStep(std::shared_ptr<Scan> scan, StoreReader *reader, const QString &openError)
{
    if (!scan->guard || superseded(scan->context, scan->generation))
        return;
    Matched m;
    m.generation = scan->generation;
    m.afterId = scan->afterId;
    const auto fail = [&](const QString &error) {
        m.error = error;
        deliver<Matched>(scan->guard, std::move(scan->done), std::move(m));
    };
    if (!reader)
        return fail(openError);
    if (scan->lastId < 0) {
        scan->parsed = Filter::parse(scan->filter);
        if (!scan->parsed.isValid())
            return fail(scan->parsed.error().message);
        const auto last = reader->lastId(scan->target);
        if (!last)
            return fail(last.error());
        scan->lastId = std::max(last.value(), scan->afterId);
    }
    const qint64 from = scan->next;
    const qint64 to = std::min(scan->lastId, from + scan->slice);
    QElapsedTimer took;
    took.start();
    auto ids = from < to ? reader->matchingIds(scan->parsed, scan->target, from, to)
                         : Result<QList<qint64>>(QList<qint64>{});
    if (!ids)
        return fail(ids.error());
    // The next range is sized to take about scanSliceMs (growing at most 8 times).
    const qint64 ms = std::max<qint64>(1, took.elapsed());
    const qint64 sized
        = ms >= scanSliceMs ? scan->slice * scanSliceMs / ms : scan->slice * std::min<qint64>(8, scanSliceMs / ms);
    scan->slice = std::clamp<qint64>(sized, 4096, qint64(1) << 24);
    scan->next = to;
    const bool finished = to >= scan->lastId;
    m.scannedTo = to;
    if (scan->streamed) {
        m.ids = std::move(ids.value());
        m.partial = !finished;
        m.continued = from > scan->afterId;
        const qint64 span = scan->lastId - scan->afterId;
        m.progress = span > 0 ? double(to - scan->afterId) / double(span) : 1.0;
    } else {
        scan->gathered += ids.value();
        if (finished)
            m.ids = std::move(scan->gathered);
    }
    if (!finished)
        post([this, scan](StoreReader *r, const QString &e) { scanStep(scan, r, e); });
    if (finished || scan->streamed)
        deliver<Matched>(scan->guard, finished ? std::move(scan->done) : scan->done, std::move(m));
}

void CaptureQueries::matchSorted(quint64 generation, const QString &filter, FilterTarget target, const QString &orderBy,
                                 bool descending, QObject *context, std::function<void(Matched)> done)
{
    supersede(context, generation);
    QPointer<QObject> guard(context);
    post([this, generation, filter, guard, context, target, orderBy, descending,
          done = std::move(done)](StoreReader *reader, const QString &openError) mutable {
        if (!guard || superseded(context, generation))
            return;
        Matched m;
        m.generation = generation;
        const Filter parsed = Filter::parse(filter);
        if (!reader) {
            m.error = openError;
        } else if (!parsed.isValid()) {
            m.error = parsed.error().message;
        } else if (auto ids = reader->matchingIds(parsed, target, orderBy, descending)) {
            m.ids = std::move(ids.value());
        } else {
            m.error = ids.error();
        }
        if (guard)
            deliver<Matched>(guard, std::move(done), std::move(m));
    });
}

void CaptureQueries::cancel(const QObject *context)
{
    std::lock_guard lock(m_latestMutex);
    if (auto it = m_latestMatch.find(context); it != m_latestMatch.end())
        ++it.value();
}

void CaptureQueries::supersede(const QObject *context, quint64 generation)
{
    std::lock_guard lock(m_latestMutex);
    m_latestMatch[context] = generation;
}

bool CaptureQueries::superseded(const QObject *context, quint64 generation)
{
    std::lock_guard lock(m_latestMutex);
    return generation < m_latestMatch.value(context);
}

void CaptureQueries::events(const QList<qint64> &ids, QObject *context,
                            std::function<void(Result<QList<EventRecord>>)> done)
{
    run<QList<EventRecord>>(
        context, [ids](StoreReader &reader) { return reader.events(ids); }, std::move(done));
}

void CaptureQueries::deliveries(const QList<qint64> &ids, QObject *context,
                                std::function<void(Result<QList<Delivery>>)> done)
{
    run<QList<Delivery>>(
        context, [ids](StoreReader &reader) { return reader.deliveries(ids, false); }, std::move(done));
}

void CaptureQueries::delivery(qint64 id, QObject *context, std::function<void(Result<Delivery>)> done)
{
    run<Delivery>(
        context,
        [id](StoreReader &reader) -> Result<Delivery> {
            auto rows = reader.deliveries({id});
            if (!rows)
                return Result<Delivery>::failure(rows.error());
            if (rows->isEmpty())
                return Result<Delivery>::failure(QStringLiteral("delivery %1 is not in the capture").arg(id));
            return rows->first();
        },
        std::move(done));
}

void CaptureQueries::eventsOfDelivery(qint64 deliveryId, QObject *context,
                                      std::function<void(Result<QList<EventRecord>>)> done)
{
    run<QList<EventRecord>>(
        context, [deliveryId](StoreReader &reader) { return reader.eventsOfDelivery(deliveryId); }, std::move(done));
}

void CaptureQueries::eventsOfSubject(const QString &subjectType, const QString &subjectKey, QObject *context,
                                     std::function<void(Result<QList<EventRecord>>)> done)
{
    run<QList<EventRecord>>(
        context,
        [subjectType, subjectKey](StoreReader &reader) { return reader.eventsOfSubject(subjectType, subjectKey); },
        std::move(done));
}

void CaptureQueries::knownValues(QObject *context, std::function<void(Result<QPair<QStringList, QStringList>>)> done)
{
    run<QPair<QStringList, QStringList>>(
        context, [](StoreReader &reader) { return reader.knownValues(); }, std::move(done));
}

void CaptureQueries::summary(qint64 nowMs, QObject *context, std::function<void(Result<CaptureSummary>)> done)
{
    run<CaptureSummary>(
        context, [nowMs](StoreReader &reader) { return reader.summary(nowMs); }, std::move(done));
}

void CaptureQueries::firstMatching(const QStringList &filters, FilterTarget target, const QList<qint64> &ids,
                                   QObject *context, std::function<void(Result<QHash<qint64, int>>)> done)
{
    run<QHash<qint64, int>>(
        context,
        [filters, target, ids](StoreReader &reader) -> Result<QHash<qint64, int>> {
            QHash<qint64, int> first;
            QList<qint64> left = ids;
            for (int i = 0; i < filters.size() && !left.isEmpty(); ++i) {
                const Filter f = Filter::parse(filters[i]);
                if (!f.isValid() || f.isEmpty())
                    continue;
                auto matched = reader.matchingAmong(f, target, left);
                if (!matched)
                    return Result<QHash<qint64, int>>::failure(matched.error());
                for (qint64 id : std::as_const(matched.value()))
                    first.insert(id, i);
                left.removeIf([&](qint64 id) { return first.contains(id); });
            }
            return first;
        },
        std::move(done));
}

void CaptureQueries::waitForIdle()
{
    QSemaphore done;
    post([&done](StoreReader *, const QString &) { done.release(); });
    done.acquire();
}

} // namespace pimscope
