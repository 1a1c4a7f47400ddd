// The commands of a capture that lives on a server: follow (a server's PostgreSQL store copied into the local
// capture) and prune (retention, on the server or in a capture).

#include "servercommands.h"

#include "commands.h"
#include "storeoption.h"

#include "pgstore/pgconnection.h"
#include "pgstore/pgfollower.h"
#include "pgstore/pgschema.h"
#include "store/eventstore.h"
#include "util/timeutil.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>

#include <cstdio>

namespace pimscope::cli {

namespace {

void printFollowError(const QString &message)
{
    printCommandError(QStringLiteral("follow"), message);
}

void printPruneError(const QString &message)
{
    printCommandError(QStringLiteral("prune"), message);
}

} // namespace

int followCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("pimscope follow: copy a server's PostgreSQL store (what its receivers commit) into the local "
                       "capture, and keep copying; a capture that follows it already resumes where it stopped."));
    parser.addPositionalArgument(QStringLiteral("URL"),
                                 QStringLiteral("postgresql://USER@HOST[:PORT]/DB[?sslmode=...] (the password: the "
                                                "keychain's, pimscope secret set postgresql:USER@HOST:PORT/DB, else "
                                                "PGPASSWORD or ~/.pgpass)."));
    parser.addOption(dbOption());
    parser.addOption({QStringLiteral("since"),
                      QStringLiteral("A first copy only: from this server delivery id on, or from the deliveries "
                                     "received at or after this time (ISO 8601, UTC)."),
                      QStringLiteral("ID|TIME")});
    parser.addOption({QStringLiteral("once"), QStringLiteral("Stop once everything the server holds is copied.")});
    parser.addOption({QStringLiteral("progress"),
                      QStringLiteral("A line per batch committed: its changes, the change number, the lag (from its "
                                     "newest change's commit on the server to its commit here).")});
    if (const auto exit = parseCommandLine(parser, args, QStringLiteral("follow"), true))
        return *exit;
    if (parser.positionalArguments().size() != 1) {
        printFollowError(QStringLiteral("give the server's URL once: pimscope follow postgresql://USER@HOST/DB"));
        return UsageError;
    }
    const auto target = parsePgTarget(parser.positionalArguments().constFirst());
    if (!target) {
        printFollowError(target.error());
        return UsageError;
    }
    PgFollower::Options options;
    if (parser.isSet(QStringLiteral("since"))) {
        const QString since = parser.value(QStringLiteral("since"));
        bool isId = false;
        const qint64 id = since.toLongLong(&isId);
        if (isId && id > 0) {
            options.sinceId = id;
        } else if (const auto ms = parseIsoDateTime(QStringView(since))) {
            options.sinceMs = *ms;
        } else {
            printFollowError(QStringLiteral("--since takes a server delivery id (a positive number) or an ISO 8601 "
                                            "time such as 2026-12-01T00:00:00Z, not '%1'")
                                 .arg(since));
            return UsageError;
        }
    }
    const QByteArray password = storePassword(*target, QStringLiteral("follow"));
    auto capture = EventStore::open(dbPath(parser));
    if (!capture) {
        printFollowError(capture.error());
        return Failure;
    }
    PgFollower follower(capture->get(), *target, password, options);
    if (const auto started = follower.start(); !started) {
        printFollowError(started.error());
        return Failure;
    }
    const bool once = parser.isSet(QStringLiteral("once"));
    std::printf("Following %s (store %s) into %s\n", qPrintable(target->url()), qPrintable(follower.storeId()),
                qPrintable(capture->get()->path()));
    if (follower.resumed()) {
        std::printf("Resuming after change %lld\n", static_cast<long long>(follower.committedRev()));
        if (parser.isSet(QStringLiteral("since")))
            std::fprintf(stderr,
                         "pimscope: follow: warning: --since is for a first copy: this capture follows the "
                         "store already and resumes where it stopped\n");
    }
    std::fflush(stdout);
    int exitCode = Success;
    if (parser.isSet(QStringLiteral("progress")))
        QObject::connect(&follower, &PgFollower::copied, QCoreApplication::instance(),
                         [](qint64 changes, qint64 rev, double lagMs) {
                             std::printf("copied %lld changes up to change %lld, lag %.0f ms\n",
                                         static_cast<long long>(changes), static_cast<long long>(rev), lagMs);
                             std::fflush(stdout);
                         });
    QElapsedTimer sinceSaid;
    QObject::connect(&follower, &PgFollower::caughtUp, QCoreApplication::instance(),
                     [&follower, &sinceSaid, once](qint64 rev) {
                         // Said at most once a second while it keeps up with a busy server.
                         if (once || !sinceSaid.isValid() || sinceSaid.elapsed() >= 1000) {
                             std::printf("Caught up: %lld changes copied, at change %lld\n",
                                         static_cast<long long>(follower.copiedChanges()), static_cast<long long>(rev));
                             std::fflush(stdout);
                             sinceSaid.start();
                         }
                         if (once)
                             QCoreApplication::quit();
                     });
    QObject::connect(&follower, &PgFollower::connectionChanged, QCoreApplication::instance(),
                     [](bool up, const QString &message) {
                         if (up)
                             std::fprintf(stderr, "pimscope: follow: %s\n", qPrintable(message));
                         else
                             std::fprintf(stderr, "pimscope: follow: warning: %s: retrying\n", qPrintable(message));
                         std::fflush(stderr);
                     });
    QObject::connect(&follower, &PgFollower::failed, QCoreApplication::instance(), [&exitCode](const QString &message) {
        printFollowError(message);
        exitCode = Failure;
        QCoreApplication::quit();
    });
    const auto signals = quitOnSignals();
    if (!signals) {
        printFollowError(signals.error());
        return Failure;
    }
    QCoreApplication::exec();
    // Stopped by a signal: the batches read are committed before the exit, and a failure among them said in its code.
    if (!follower.finish())
        exitCode = Failure;
    return exitCode;
}

int pruneCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "pimscope prune: delete the deliveries received more than N days ago, on a server's PostgreSQL store (run by "
        "a timer there, never by a follower: a follower's capture keeps what it copied) or in a capture."));
    parser.addOption(storeOption(QStringLiteral("Prune")));
    parser.addOption(dbOption());
    parser.addOption(
        {QStringLiteral("keep-days"), QStringLiteral("Keep the deliveries of the last N days."), QStringLiteral("N")});
    if (const auto exit = parseCommandLine(parser, args, QStringLiteral("prune")))
        return *exit;
    if (twoStoresGiven(parser, QStringLiteral("prune")))
        return UsageError;
    bool ok = false;
    const int days = parser.value(QStringLiteral("keep-days")).toInt(&ok);
    if (!ok || days <= 0) {
        printPruneError(QStringLiteral("--keep-days N: the number of days to keep (1 or more)"));
        return UsageError;
    }
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const qint64 beforeMs = nowMs - qint64(days) * 24 * 3600 * 1000;
    if (!parser.isSet(QStringLiteral("store"))) {
        auto capture = EventStore::open(dbPath(parser));
        if (!capture) {
            printPruneError(capture.error());
            return Failure;
        }
        qint64 deliveries = 0;
        QObject::connect(
            capture->get(), &EventStore::pruned, QCoreApplication::instance(),
            [&deliveries](qint64 d, qint64) { deliveries += d; }, Qt::DirectConnection);
        Retention keep;
        keep.keepDays = days;
        const quint64 ticket = capture->get()->prune(keep, nowMs);
        if (!capture->get()->waitForTicket(ticket)) {
            printPruneError(QStringLiteral("the capture did not answer in time"));
            return Failure;
        }
        std::printf("Deleted %lld deliveries received before %s\n", static_cast<long long>(deliveries),
                    qPrintable(toIsoUtc(beforeMs)));
        return Success;
    }
    const auto target = parsePgTarget(parser.value(QStringLiteral("store")));
    if (!target) {
        printPruneError(QStringLiteral("--store: ") + target.error());
        return UsageError;
    }
    auto connection = PgConnection::open(*target, storePassword(*target, QStringLiteral("prune")));
    if (!connection) {
        printPruneError(connection.error());
        return Failure;
    }
    const auto info = inspectPgStore(**connection);
    if (!info) {
        printPruneError(info.error());
        return Failure;
    }
    if (info->version == 0) {
        printPruneError(QStringLiteral("the database %1 at %2 is not a Pimscope store yet: nothing to prune")
                            .arg(target->database, target->address()));
        return Failure;
    }
    // In slices of 10,000, each its own transaction: receivers writing meanwhile never wait long.
    qint64 deleted = 0;
    for (;;) {
        const auto slice = (*connection)
                               ->exec("DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE "
                                      "received_at_ms < $1 ORDER BY id LIMIT 10000)",
                                      {QByteArray::number(beforeMs)});
        if (!slice) {
            printPruneError(slice.error());
            return Failure;
        }
        deleted += slice->affected;
        if (slice->affected == 0)
            break;
    }
    std::printf("Deleted %lld deliveries received before %s from %s\n", static_cast<long long>(deleted),
                qPrintable(toIsoUtc(beforeMs)), qPrintable(target->url()));
    return Success;
}

} // namespace pimscope::cli
