#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <utility>

namespace pimscope {

/**
 * A PostgreSQL store as the user names it: `postgresql://USER@HOST[:PORT]/DB[?sslmode=…]` (or `postgres://`). The
 * password is never in it (a command line is seen by every user of the machine and kept in shell histories): libpq
 * reads PGPASSWORD or the user's ~/.pgpass itself, and Pimscope gives the keychain's when there is one.
 */
struct PgTarget
{
    QString user;
    QString host;
    int port = 5432;
    QString database;
    /** libpq's connection parameters from the query (sslmode, sslrootcert, connect_timeout, application_name). */
    QList<std::pair<QString, QString>> parameters;

    /** The URL as given (normalised): what messages name and the keychain entry is keyed on. */
    QString url() const;
    /** "HOST:PORT", for messages. */
    QString address() const;
    /**
     * libpq's key=value connection string (values quoted), with `password` when not empty; a 10 s connect timeout
     * (unless the URL gives connect_timeout) and TCP keepalives (a vanished server noticed within about a minute).
     */
    QByteArray connectionString(const QByteArray &password = {}) const;
    /** The keychain entry of this store's password: "postgresql:USER@HOST:PORT/DB". */
    QString secretName() const;
};

/** Reads a postgresql:// URL; every problem named (a password in it included). */
Result<PgTarget> parsePgTarget(const QString &text);

/**
 * Whether libpq is given the password by the environment (PGPASSWORD or PGPASSFILE set: a server's systemd unit sets
 * PGPASSFILE), in which case the keychain is not asked.
 */
bool passwordFromEnvironment();

/** Whether `text` names a PostgreSQL store (postgresql:// or postgres://) rather than a SQLite file. */
bool isPgUrl(const QString &text);

} // namespace pimscope
