#include "capturequeries.h"

#include "filter/filter.h"
#include "storereader.h"

#include <QMetaObject>
#include <QSemaphore>

namespace pimscope {

CaptureQueries::CaptureQueries(QString path, QObject *parent) : QObject(parent), m_path(std::move(path))
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
    QMetaObject::invokeMethod(m_worker, [this] { m_reader.reset(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void CaptureQueries::post(std::function<void(StoreReader *, const QString &)> work)
{
    QMetaObject::invokeMethod(m_worker, [this, work = std::move(work)] {
        if (!m_reader && m_openError.isEmpty()) {
            auto reader = StoreReader::open(m_path);
            if (reader)
                m_reader = std::move(reader.value());
            else
                m_openError = reader.error();
        }
        work(m_reader.get(), m_openError);
    }, Qt::QueuedConnection);
}

namespace {

/** Delivers `value` to `done` in the thread of `context`, unless it was deleted. */
template<typename T>
void deliver(QObject *context, std::function<void(T)> done, T value)
{
    QMetaObject::invokeMethod(context, [done = std::move(done), value = std::move(value)]() mutable {
        done(std::move(value));
    }, Qt::QueuedConnection);
}

} // namespace

void CaptureQueries::match(quint64 generation, const QString &filter, FilterTarget target, QObject *context,
                           std::function<void(Matched)> done, qint64 afterId)
{
    runMatch(generation, filter, context, std::move(done), afterId, [target, afterId](StoreReader &reader, const Filter &parsed) {
        return reader.matchingIds(parsed, target, afterId);
    });
}

void CaptureQueries::matchSorted(quint64 generation, const QString &filter, FilterTarget target, const QString &orderBy,
                                 bool descending, QObject *context, std::function<void(Matched)> done)
{
    runMatch(generation, filter, context, std::move(done), 0, [target, orderBy, descending](StoreReader &reader, const Filter &parsed) {
        return reader.matchingIds(parsed, target, orderBy, descending);
    });
}

void CaptureQueries::runMatch(quint64 generation, const QString &filter, QObject *context, std::function<void(Matched)> done,
                              qint64 afterId, std::function<Result<QList<qint64>>(StoreReader &, const Filter &)> query)
{
    {
        std::lock_guard lock(m_latestMutex);
        m_latestMatch[context] = generation;
    }
    QPointer<QObject> guard(context);
    post([this, generation, filter, guard, context, afterId, done = std::move(done), query = std::move(query)](
             StoreReader *reader, const QString &openError) {
        if (!guard || superseded(context, generation))
            return;
        Matched m;
        m.generation = generation;
        m.afterId = afterId;
        const Filter parsed = Filter::parse(filter);
        if (!reader) {
            m.error = openError;
        } else if (!parsed.isValid()) {
            m.error = parsed.error().message;
        } else if (auto ids = query(*reader, parsed)) {
            m.ids = std::move(ids.value());
        } else {
            m.error = ids.error();
        }
        if (guard)
            deliver<Matched>(guard, std::move(done), std::move(m));
    });
}

bool CaptureQueries::superseded(const QObject *context, quint64 generation)
{
    std::lock_guard lock(m_latestMutex);
    return generation < m_latestMatch.value(context);
}

template<typename T>
void CaptureQueries::ask(QObject *context, std::function<void(Result<T>)> done, std::function<Result<T>(StoreReader &)> query)
{
    QPointer<QObject> guard(context);
    post([guard, done = std::move(done), query = std::move(query)](StoreReader *reader, const QString &openError) {
        if (!guard)
            return;
        Result<T> result = reader ? query(*reader) : Result<T>::failure(openError);
        if (guard)
            deliver<Result<T>>(guard, std::move(done), std::move(result));
    });
}

void CaptureQueries::events(const QList<qint64> &ids, QObject *context,
                            std::function<void(Result<QList<EventRecord>>)> done)
{
    ask<QList<EventRecord>>(context, std::move(done), [ids](StoreReader &reader) { return reader.events(ids); });
}

void CaptureQueries::deliveries(const QList<qint64> &ids, QObject *context,
                                std::function<void(Result<QList<Delivery>>)> done)
{
    ask<QList<Delivery>>(context, std::move(done), [ids](StoreReader &reader) { return reader.deliveries(ids, false); });
}

void CaptureQueries::delivery(qint64 id, QObject *context, std::function<void(Result<Delivery>)> done)
{
    ask<Delivery>(context, std::move(done), [id](StoreReader &reader) -> Result<Delivery> {
        auto rows = reader.deliveries({id});
        if (!rows)
            return Result<Delivery>::failure(rows.error());
        if (rows->isEmpty())
            return Result<Delivery>::failure(QStringLiteral("delivery %1 is not in the capture").arg(id));
        return rows->first();
    });
}

void CaptureQueries::eventsOfDelivery(qint64 deliveryId, QObject *context,
                                      std::function<void(Result<QList<EventRecord>>)> done)
{
    ask<QList<EventRecord>>(context, std::move(done),
                            [deliveryId](StoreReader &reader) { return reader.eventsOfDelivery(deliveryId); });
}

void CaptureQueries::eventsOfSubject(const QString &subjectType, const QString &subjectKey, QObject *context,
                                     std::function<void(Result<QList<EventRecord>>)> done)
{
    ask<QList<EventRecord>>(context, std::move(done), [subjectType, subjectKey](StoreReader &reader) {
        return reader.eventsOfSubject(subjectType, subjectKey);
    });
}

void CaptureQueries::knownValues(QObject *context, std::function<void(Result<QPair<QStringList, QStringList>>)> done)
{
    ask<QPair<QStringList, QStringList>>(context, std::move(done), [](StoreReader &reader) { return reader.knownValues(); });
}

void CaptureQueries::summary(qint64 nowMs, QObject *context, std::function<void(Result<CaptureSummary>)> done)
{
    ask<CaptureSummary>(context, std::move(done), [nowMs](StoreReader &reader) { return reader.summary(nowMs); });
}

void CaptureQueries::waitForIdle()
{
    QSemaphore done;
    post([&done](StoreReader *, const QString &) { done.release(); });
    done.acquire();
}

} // namespace pimscope
