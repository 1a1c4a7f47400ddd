#include "eventstore.h"

#include "storereader.h"
#include "storewriter.h"

#include <QDir>
#include <QStandardPaths>

namespace pimscope {

QString EventStore::defaultPath()
{
    // GenericDataLocation + "pimscope", not AppDataLocation: the same file whatever the organisation name.
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
        .filePath(QStringLiteral("pimscope/capture.db"));
}

Result<std::unique_ptr<EventStore>> EventStore::open(const QString &path, const StoreOptions &options)
{
    using R = Result<std::unique_ptr<EventStore>>;
    qRegisterMetaType<QList<pimscope::StoredDelivery>>();
    qRegisterMetaType<QList<quint64>>();
    qRegisterMetaType<QList<pimscope::SubscriptionHealth>>();
    std::unique_ptr<EventStore> store(new EventStore);
    store->m_path = path;
    // The writer creates and migrates the file; only then can the reader open it read-only.
    store->m_writer = std::make_unique<StoreWriter>(path, options);
    if (auto r = store->m_writer->startWriting(); !r)
        return R::failure(r.error());
    auto reader = StoreReader::open(path);
    if (!reader)
        return R::failure(reader.error());
    store->m_reader = std::move(reader.value());
    connect(store->m_writer.get(), &StoreWriter::deliveriesStored, store.get(), &EventStore::deliveriesStored,
            Qt::DirectConnection);
    connect(store->m_writer.get(), &StoreWriter::storeFailed, store.get(), &EventStore::storeFailed,
            Qt::DirectConnection);
    connect(store->m_writer.get(), &StoreWriter::forwardsStored, store.get(), &EventStore::forwardsStored,
            Qt::DirectConnection);
    connect(store->m_writer.get(), &StoreWriter::followed, store.get(), &EventStore::followed, Qt::DirectConnection);
    connect(store->m_writer.get(), &StoreWriter::eventsIndexed, store.get(), &EventStore::eventsIndexed,
            Qt::DirectConnection);
    connect(store->m_writer.get(), &StoreWriter::pruned, store.get(), &EventStore::pruned, Qt::DirectConnection);
    connect(store->m_writer.get(), &StoreWriter::healthChanged, store.get(), &EventStore::healthChanged,
            Qt::DirectConnection);
    connect(store->m_writer.get(), &StoreWriter::importRemoved, store.get(), &EventStore::importRemoved,
            Qt::DirectConnection);
    return {std::move(store)};
}

EventStore::~EventStore()
{
    // The reader goes first: the last connection to close checkpoints the WAL into the file and removes it,
    // which a read-only connection cannot do.
    m_reader.reset();
    if (m_writer)
        m_writer->stop();
}

quint64 EventStore::enqueue(Delivery delivery, bool parsed)
{
    return m_writer->enqueue(std::move(delivery), parsed);
}

quint64 EventStore::enqueueIndexingLater(Delivery delivery, std::optional<ConnectorAnswer> forward)
{
    return m_writer->enqueueIndexingLater(std::move(delivery), std::move(forward));
}

quint64 EventStore::setSelfAuthor(const QString &author)
{
    return m_writer->setSelfAuthor(author);
}

quint64 EventStore::prune(Retention retention, qint64 nowMs)
{
    return m_writer->prune(retention, nowMs);
}

Result<qint64> EventStore::beginImport(const QString &file, const QString &path, qint64 startedAtMs)
{
    ImportRecord record;
    record.file = file;
    record.path = path;
    record.startedAtMs = startedAtMs;
    const quint64 ticket = m_writer->beginImport(std::move(record));
    if (!m_writer->waitForTicket(ticket, 30000))
        return Result<qint64>::failure(QStringLiteral("the capture did not record the import in time"));
    if (const qint64 id = m_writer->importId(ticket))
        return id;
    return Result<qint64>::failure(QStringLiteral("the capture could not record the import"));
}

quint64 EventStore::finishImport(ImportRecord record)
{
    return m_writer->finishImport(std::move(record));
}

ImportProgress EventStore::importProgress(qint64 importId)
{
    return m_writer->importProgress(importId);
}

quint64 EventStore::abortImport(qint64 importId)
{
    return m_writer->abortImport(importId);
}

quint64 EventStore::beginBulk()
{
    return m_writer->beginBulk();
}

quint64 EventStore::endBulk()
{
    return m_writer->endBulk();
}

quint64 EventStore::recordAnswer(qint64 deliveryId, double ackMs)
{
    return m_writer->recordAnswer(deliveryId, ackMs);
}

quint64 EventStore::recordAnswers(QList<AnswerTime> answers)
{
    return m_writer->recordAnswers(std::move(answers));
}

quint64 EventStore::follow(FollowBatch batch)
{
    return m_writer->follow(std::move(batch));
}

Result<QList<FollowedServer>> EventStore::followedServers()
{
    return m_reader->followedServers();
}

quint64 EventStore::recordForwards(QList<ConnectorAnswer> forwards)
{
    return m_writer->recordForwards(std::move(forwards));
}

bool EventStore::flush(int timeoutMs)
{
    return m_writer->waitForIdle(timeoutMs);
}

bool EventStore::waitForTicket(quint64 ticket, int timeoutMs)
{
    return m_writer->waitForTicket(ticket, timeoutMs);
}

Result<std::unique_ptr<ForwardBacklog>> EventStore::openBacklog() const
{
    auto reader = StoreReader::open(m_path);
    if (!reader)
        return Result<std::unique_ptr<ForwardBacklog>>::failure(reader.error());
    return {std::unique_ptr<ForwardBacklog>(std::move(*reader))};
}

QList<SubscriptionHealth> EventStore::health() const
{
    return m_writer->health();
}

} // namespace pimscope
