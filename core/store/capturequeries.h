#pragma once

#include "records.h"

#include "filter/sqlcompiler.h"
#include "util/result.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QThread>

#include <functional>
#include <memory>
#include <mutex>

namespace pimscope {

class Filter;
class StoreReader;

/**
 * Read queries on a capture, run on a thread of their own so that a window never waits for SQLite: each
 * call returns at once and its answer is delivered later, in the thread of the `context` object, unless that
 * object was deleted meanwhile. The thread owns its own read-only connection (StoreReader).
 *
 * A query of a newer generation supersedes older ones of the same context: match() calls still queued behind a
 * newer one for the same object are skipped, and their answers never delivered.
 *
 * Besides the queries every view needs (ids, pages of rows, one delivery), run() takes any query of the caller's
 * own: the charts' figures (computeCharts), a replay plan (planReplay). This class knows neither.
 */
class CaptureQueries : public QObject
{
    Q_OBJECT
public:
    explicit CaptureQueries(QString path, QObject *parent = nullptr);
    ~CaptureQueries() override;

    /**
     * The ids (ascending) of what matches `filter` (filter language; empty: everything), or an error; with
     * `afterId`, only the ids above it (Matched::afterId says so).
     *
     * The capture is scanned in ranges of ids, each a task of its own on the query thread, so that the pages a
     * view asks for meanwhile are not held up by a long scan (a contains-anywhere filter reads every payload).
     * With `streamed`, each range's ids are delivered as soon as they are known (Matched::partial, ::continued,
     * ::progress); otherwise they are gathered and delivered once. cancel() stops a scan between two ranges.
     */
    struct Matched
    {
        quint64 generation = 0;
        qint64 afterId = 0;
        /** The ids cover the capture up to this id: a later look for new rows asks for the ids above it. */
        qint64 scannedTo = 0;
        QList<qint64> ids;
        QString error;
        bool partial = false; ///< streamed: more answers of this generation follow
        bool continued = false; ///< streamed: these ids follow those of the previous answer of this generation
        double progress = 1.0; ///< streamed: the share of the capture scanned so far
    };
    void match(quint64 generation, const QString &filter, FilterTarget target, QObject *context,
               std::function<void(Matched)> done, qint64 afterId = 0, bool streamed = false);
    /** Stops the match() of `context` that is running, if any, between two ranges: nothing more is delivered. */
    void cancel(const QObject *context);
    /** How long one range of a scan aims to take (the first is small, the next ones sized after it). */
    static constexpr int scanSliceMs = 50;
    /** The same sorted by `orderBy`, a name of StoreReader::sortExpressions(target) (empty: by id). */
    void matchSorted(quint64 generation, const QString &filter, FilterTarget target, const QString &orderBy,
                     bool descending, QObject *context, std::function<void(Matched)> done);
    /** The events of `ids`, in that order. */
    void events(const QList<qint64> &ids, QObject *context, std::function<void(Result<QList<EventRecord>>)> done);
    /** Deliveries without their bodies, in the order of `ids` (for tables). */
    void deliveries(const QList<qint64> &ids, QObject *context, std::function<void(Result<QList<Delivery>>)> done);
    /** One delivery with its body and headers. */
    void delivery(qint64 id, QObject *context, std::function<void(Result<Delivery>)> done);
    /** Every event of a delivery, in order. */
    void eventsOfDelivery(qint64 deliveryId, QObject *context, std::function<void(Result<QList<EventRecord>>)> done);

    /** Every event about one subject, in event-time order (StoreReader::eventsOfSubject). */
    void eventsOfSubject(const QString &subjectType, const QString &subjectKey, QObject *context,
                         std::function<void(Result<QList<EventRecord>>)> done);
    /** The actions and authors seen (StoreReader::knownValues). */
    void knownValues(QObject *context, std::function<void(Result<QPair<QStringList, QStringList>>)> done);
    /** The live figures at `nowMs`. */
    void summary(qint64 nowMs, QObject *context, std::function<void(Result<CaptureSummary>)> done);

    /**
     * For each of `ids`, the index of the first of `filters` it matches (ids that match none are left out):
     * the user's colouring rules on a page of rows. Invalid filters match nothing.
     */
    void firstMatching(const QStringList &filters, FilterTarget target, const QList<qint64> &ids, QObject *context,
                       std::function<void(Result<QHash<qint64, int>>)> done);

    /**
     * Runs `query` on the query thread, with its reader, and delivers its result to `done` in `context`'s thread
     * (nothing when `context` is gone by then; the capture's open error when it could not be opened).
     */
    template<typename T>
    void run(QObject *context, std::function<Result<T>(StoreReader &)> query, std::function<void(Result<T>)> done)
    {
        QPointer<QObject> guard(context);
        post([guard, done = std::move(done), query = std::move(query)](StoreReader *reader,
                                                                       const QString &openError) mutable {
            if (!guard)
                return;
            Result<T> result = reader ? query(*reader) : Result<T>::failure(openError);
            QMetaObject::invokeMethod(
                guard, [done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); },
                Qt::QueuedConnection);
        });
    }

    /** Blocks until every query asked so far has been answered (for tests). */
    void waitForIdle();

private:
    struct Scan;
    /** One range of a match() scan; posts the next one. */
    void scanStep(std::shared_ptr<Scan> scan, StoreReader *reader, const QString &openError);
    /** Runs `work` on the query thread, with the reader (null when the capture could not be opened). */
    void post(std::function<void(StoreReader *, const QString &openError)> work);

    QString m_path;
    QThread m_thread;
    QObject *m_worker = nullptr; ///< lives in m_thread
    std::unique_ptr<StoreReader> m_reader; ///< used in m_thread only
    QString m_openError;
    /** The latest match() generation asked for by each context: the older ones still queued are skipped. */
    std::mutex m_latestMutex;
    QHash<const QObject *, quint64> m_latestMatch;
    bool superseded(const QObject *context, quint64 generation);
    void supersede(const QObject *context, quint64 generation);
};

} // namespace pimscope
