#pragma once

#include <QByteArray>
#include <QString>

#include <optional>
#include <span>

struct sqlite3;
struct sqlite3_stmt;
class QSqlDatabase;

namespace pimscope {

/**
 * A prepared statement on the raw SQLite handle behind a Qt Sql connection, for the writer's hot path: it
 * binds values without QVariant and steps without Qt Sql's result machinery (about 2x fewer instructions per
 * row). Owned by the thread that owns the connection; finalised on destruction, which must happen before the
 * connection is closed.
 */
class SqliteStatement
{
public:
    /** The sqlite3 handle of an open QSQLITE connection, or nullptr. */
    static sqlite3 *handle(const QSqlDatabase &db);

    SqliteStatement() = default;
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    /** Prepares `sql` (with '?' placeholders) on `db`; false with errorString() on failure. */
    bool prepare(sqlite3 *db, const char *sql);
    /**
     * Prepares `sql`, whose parameters are named (`:name`), and checks them against `names`: the statement has
     * exactly these parameters, the i-th of them numbered i + 1, so that code binding by an enum of the same order
     * binds each value to the parameter of its name. A mismatch fails the prepare with errorString() naming it.
     */
    bool prepare(sqlite3 *db, const char *sql, std::span<const char *const> names);

    // Parameters count from 1, as in SQLite.
    void bindNull(int i);
    void bind(int i, qint64 v);
    void bind(int i, int v) { bind(i, qint64(v)); }
    void bind(int i, double v);
    /** A null QString binds NULL. */
    void bind(int i, const QString &text);
    /** Bytes as TEXT (UTF-8); a null array binds NULL. The bytes are copied. */
    void bindText(int i, const QByteArray &utf8);
    /** UTF-8 text, not copied: it must stay alive until step() returns. */
    void bindStaticText(int i, const char *utf8, qsizetype size);
    /** Bytes as a BLOB; not copied: `bytes` must stay alive until step() returns. */
    void bindBlob(int i, const QByteArray &bytes);
    template<typename T>
    void bind(int i, const std::optional<T> &v)
    {
        if (v)
            bind(i, *v);
        else
            bindNull(i);
    }

    /** Runs the statement to completion (no result rows expected), then resets it. */
    bool exec();
    /** Runs it and reports whether it produced a row; then resets it. */
    bool existsRow(bool *ok);

    /**
     * Steps to the next result row (read it with isNull/int64/real/blob); false at the end, where the statement is
     * reset, or on an error, which `ok` (when given) reports.
     */
    bool step(bool *ok = nullptr);
    /** Ends the current run early (its rows not all read), so that it can be bound and run again. */
    void reset();
    bool isNull(int column) const;
    qint64 int64(int column) const;
    double real(int column) const;
    /** The column's bytes (a copy); null for NULL. */
    QByteArray blob(int column) const;

    QString errorString() const;

private:
    sqlite3 *m_db = nullptr;
    QString m_error; ///< a problem found by prepare() itself (not SQLite's)
    sqlite3_stmt *m_stmt = nullptr;
};

} // namespace pimscope
