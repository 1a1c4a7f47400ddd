#include "connection.h"

#include "schema.h"

#include <QAtomicInteger>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>

#include <sqlite3.h>

#include <optional>
#include <thread>

namespace pimscope {

Q_LOGGING_CATEGORY(lcStore, "pimscope.store")

namespace {

/**
 * SQLite's process-wide settings, made once before its first use (sqlite3_config refuses them after; they then stay
 * as they were): no memory statistics, which would take one global mutex on every allocation of every connection
 * (a tenth of a bulk write's time, the writer and the readers contending for it).
 */
void configureSqlite()
{
    static const bool configured = [] { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK; }();
    Q_UNUSED(configured);
}

/** Creates an empty file readable and writable by its owner only (0600); false when it cannot. */
bool createPrivateFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        return false;
    return file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
}

QString uniqueConnectionName()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("pimscope-%1").arg(counter.fetchAndAddRelaxed(1));
}

// The first 16 bytes of every SQLite 3 database file.
constexpr char sqliteMagic[] = "SQLite format 3";

QString describe(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

/** application_id and user_version as SQLite sees them, WAL included, through a read-only connection. */
Result<std::pair<quint32, quint32>> readIdsThroughSqlite(const QString &path)
{
    using R = Result<std::pair<quint32, quint32>>;
    configureSqlite();
    const QString name = uniqueConnectionName();
    R result = R::failure(QString());
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (!db.open()) {
            result = R::failure(db.lastError().text());
        } else {
            QSqlQuery q(db);
            quint32 appId = 0;
            if (!q.exec(QStringLiteral("PRAGMA application_id")) || !q.next()) {
                result = R::failure(q.lastError().databaseText());
            } else {
                appId = q.value(0).toUInt();
                if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
                    result = R::failure(q.lastError().databaseText());
                else
                    result = R(std::pair(appId, q.value(0).toUInt()));
            }
        }
    }
    QSqlDatabase::removeDatabase(name);
    return result;
}

} // namespace

Result<void> Connection::inspect(const QString &path, bool allowMissing)
{
    const QFileInfo info(path);
    if (!info.exists()) {
        if (allowMissing)
            return {};
        return Result<void>::failure(QStringLiteral("%1: no such capture file").arg(describe(path)));
    }
    if (info.isDir())
        return Result<void>::failure(QStringLiteral("%1: is a directory, not a capture file").arg(describe(path)));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Result<void>::failure(QStringLiteral("%1: cannot read: %2").arg(describe(path), file.errorString()));
    const QByteArray head = file.read(100);
    if (head.isEmpty())
        return {}; // an empty file is a new capture, as SQLite itself treats it
    if (head.size() < 100 || !head.startsWith(QByteArrayView(sqliteMagic, sizeof sqliteMagic)))
        return Result<void>::failure(
            QStringLiteral("%1: not a Pimscope capture (not an SQLite database)").arg(describe(path)));
    // SQLite header: user_version at offset 60, application_id at 68, both big-endian 32-bit.
    auto be32 = [&head](int at) {
        return (quint32(quint8(head[at])) << 24) | (quint32(quint8(head[at + 1])) << 16)
            | (quint32(quint8(head[at + 2])) << 8) | quint32(quint8(head[at + 3]));
    };
    quint32 userVersion = be32(60);
    quint32 appId = be32(68);
    if (appId == 0 && QFileInfo::exists(path + QStringLiteral("-wal"))) {
        // A capture whose creation is still only in its write-ahead log (it is checkpointed right after
        // creation, but a crash can come first): ask SQLite, read-only.
        const auto ids = readIdsThroughSqlite(path);
        if (!ids)
            return Result<void>::failure(
                QStringLiteral("%1: corrupt or not a database: %2").arg(describe(path), ids.error()));
        appId = ids->first;
        userVersion = ids->second;
    }
    if (appId != quint32(schema::applicationId)) {
        return Result<void>::failure(
            QStringLiteral("%1: not a Pimscope capture (an SQLite database of another application)")
                .arg(describe(path)));
    }
    if (userVersion > quint32(schema::currentVersion)) {
        return Result<void>::failure(QStringLiteral("%1: written by a newer Pimscope (capture format %2, this version "
                                                    "reads up to %3); it was not modified")
                                         .arg(describe(path))
                                         .arg(userVersion)
                                         .arg(schema::currentVersion));
    }
    return {};
}

Result<std::unique_ptr<Connection>> Connection::open(const QString &path, Mode mode, const StoreOptions &options)
{
    using R = Result<std::unique_ptr<Connection>>;
    configureSqlite();
    const bool readOnly = mode == Mode::ReadOnly;
    if (auto r = inspect(path, !readOnly && options.createIfMissing); !r)
        return R::failure(r.error());
    bool createdFile = false;
    if (!readOnly) {
        const QFileInfo info(path);
        if (!info.exists()) {
            // Captures hold product data and request headers: a folder made for one, and a new capture file, are the
            // user's alone (0700, 0600). SQLite gives its -wal and -shm files the capture's own permissions.
            const QString folder = info.absolutePath();
            const bool folderExisted = QFileInfo::exists(folder);
            if (!QDir().mkpath(folder))
                return R::failure(QStringLiteral("%1: cannot create the folder").arg(describe(folder)));
            if (!folderExisted)
                QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
            if (!createPrivateFile(path))
                return R::failure(QStringLiteral("%1: cannot create the file").arg(describe(path)));
            createdFile = true;
        }
    }

    // Opening a WAL database creates its -wal and -shm files; if the file turns out to be unusable, remove
    // the ones this attempt created so that a refused file is left exactly as it was found.
    const QString sideFiles[] = {path + QStringLiteral("-wal"), path + QStringLiteral("-shm")};
    const bool sideFileExisted[] = {QFileInfo::exists(sideFiles[0]), QFileInfo::exists(sideFiles[1])};
    const bool fileExisted = !createdFile && QFileInfo::exists(path);
    std::unique_ptr<Connection> c(new Connection);
    std::optional<QSqlQuery> query;
    auto refuse = [&](const QString &message) {
        query.reset();
        c.reset();
        for (int i = 0; i < 2; ++i) {
            if (!sideFileExisted[i])
                QFile::remove(sideFiles[i]);
        }
        if (!fileExisted)
            QFile::remove(path);
        return R::failure(message);
    };
    c->m_name = uniqueConnectionName();
    c->m_path = path;
    c->m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), c->m_name);
    if (!c->m_db.isValid())
        return refuse(QStringLiteral("the Qt SQLite driver (QSQLITE) is not installed"));
    c->m_db.setDatabaseName(path);
    QString connectOptions = QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000;QSQLITE_ENABLE_REGEXP");
    if (readOnly)
        connectOptions += QStringLiteral(";QSQLITE_OPEN_READONLY");
    c->m_db.setConnectOptions(connectOptions);
    if (!c->m_db.open())
        return refuse(QStringLiteral("%1: cannot open: %2").arg(describe(path), c->m_db.lastError().text()));

    QSqlQuery &q = query.emplace(c->m_db);
    auto pragma = [&q](const QString &sql) { return q.exec(sql); };
    // Reading the schema proves the file is a readable database before anything is written to it.
    if (!pragma(QStringLiteral("SELECT count(*) FROM sqlite_schema")) || !q.next()) {
        return refuse(
            QStringLiteral("%1: corrupt or not a database: %2").arg(describe(path), q.lastError().databaseText()));
    }
    const int objects = q.value(0).toInt();
    q.finish();
    if (objects > 0) {
        if (!pragma(QStringLiteral("PRAGMA application_id")) || !q.next()
            || q.value(0).toInt() != schema::applicationId)
            return refuse(QStringLiteral("%1: not a Pimscope capture").arg(describe(path)));
        q.finish();
        // A valid header and id, but are our tables there and readable?
        if (!pragma(QStringLiteral("SELECT count(*) FROM deliveries WHERE id < 0"))
            || !pragma(QStringLiteral("SELECT count(*) FROM events WHERE id < 0"))) {
            return refuse(QStringLiteral("%1: corrupt capture: %2").arg(describe(path), q.lastError().databaseText()));
        }
        q.finish();
    } else if (readOnly) {
        return refuse(QStringLiteral("%1: empty file, not a Pimscope capture").arg(describe(path)));
    }

    if (readOnly) {
        pragma(QStringLiteral("PRAGMA query_only = ON"));
        query.reset();
        return {std::move(c)};
    }
    // 32 KiB pages (only settable in a new file): a typical body fits in one page instead of an overflow chain,
    // and the b-trees are shallower. Measured in bench_store: 1.5x the insert rate of the 4 KiB default.
    if (objects == 0)
        pragma(QStringLiteral("PRAGMA page_size = 32768"));
    if (!pragma(QStringLiteral("PRAGMA journal_mode = WAL")) || !q.next()
        || q.value(0).toString().compare(u"wal", Qt::CaseInsensitive) != 0) {
        return refuse(
            QStringLiteral("%1: cannot switch to WAL journal: %2").arg(describe(path), q.lastError().databaseText()));
    }
    q.finish();
    pragma(options.synchronousFull ? QStringLiteral("PRAGMA synchronous = FULL")
                                   : QStringLiteral("PRAGMA synchronous = NORMAL"));
    pragma(QStringLiteral("PRAGMA temp_store = MEMORY"));
    if (options.secureDelete)
        pragma(QStringLiteral("PRAGMA secure_delete = %1").arg(*options.secureDelete ? 1 : 0));
    // 64 MiB of page cache for the writer: index pages of random keys (event ids, uuids) stay in memory
    // instead of being read back from the WAL at every insert.
    pragma(QStringLiteral("PRAGMA cache_size = -%1").arg(cacheKiB));
    // The writer's checkpoints run on a thread of their own (see Checkpointer) every 64 MiB of WAL; a WAL file that
    // grew past 256 MiB is cut back after a checkpoint. Below that the file is reused as it is: truncating it at
    // every restart made ext4 allocate its blocks again (5% of the writer's time under load).
    pragma(QStringLiteral("PRAGMA journal_size_limit = 268435456"));
    int version = 0;
    if (pragma(QStringLiteral("PRAGMA user_version")) && q.next())
        version = q.value(0).toInt();
    q.finish();
    if (auto r = schema::migrate(c->m_db); !r)
        return refuse(QStringLiteral("%1: cannot prepare the capture: %2").arg(describe(path), r.error()));
    // A new or migrated capture: put the header (application id, schema version) into the main file at once,
    // so that the file identifies itself without its WAL. (Not at every open: a second connection, such as the
    // checkpointer's, would make the writer wait for it.)
    if (version != schema::currentVersion)
        pragma(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
    query.reset();
    return {std::move(c)};
}

Connection::~Connection()
{
    if (m_db.isOpen())
        m_db.close();
    m_db = QSqlDatabase();
    if (!m_name.isEmpty())
        QSqlDatabase::removeDatabase(m_name);
}

void pollWhenBusy(sqlite3 *handle, const std::chrono::milliseconds &limit)
{
    using Clock = std::chrono::steady_clock;
    sqlite3_busy_handler(
        handle,
        [](void *limitOf, int tries) -> int {
            thread_local Clock::time_point since;
            if (tries == 0)
                since = Clock::now();
            else if (Clock::now() - since >= *static_cast<const std::chrono::milliseconds *>(limitOf))
                return 0;
            std::this_thread::sleep_for(std::chrono::microseconds(100));
            return 1;
        },
        const_cast<void *>(static_cast<const void *>(&limit)));
}

} // namespace pimscope
