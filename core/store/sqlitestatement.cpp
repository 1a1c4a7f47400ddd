#include "sqlitestatement.h"

#include <QSqlDatabase>
#include <QSqlDriver>
#include <QVariant>

#include <sqlite3.h>

#include <cstring>

namespace pimscope {

sqlite3 *SqliteStatement::handle(const QSqlDatabase &db)
{
    const QVariant v = db.driver()->handle();
    if (!v.isValid() || std::strcmp(v.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(v.constData());
}

SqliteStatement::~SqliteStatement()
{
    if (m_stmt)
        sqlite3_finalize(m_stmt);
}

bool SqliteStatement::prepare(sqlite3 *db, const char *sql, std::span<const char *const> names)
{
    if (!prepare(db, sql))
        return false;
    const int count = sqlite3_bind_parameter_count(m_stmt);
    if (count != int(names.size())) {
        m_error = QStringLiteral("%1 parameters where %2 are named: %3")
                      .arg(count)
                      .arg(names.size())
                      .arg(QString::fromUtf8(sql));
        return false;
    }
    for (int i = 0; i < count; ++i) {
        const char *name = sqlite3_bind_parameter_name(m_stmt, i + 1);
        if (!name || std::strcmp(name, names[std::size_t(i)]) != 0) {
            m_error = QStringLiteral("parameter %1 is %2, not %3: %4")
                          .arg(i + 1)
                          .arg(QString::fromUtf8(name ? name : "unnamed"), QString::fromUtf8(names[std::size_t(i)]),
                               QString::fromUtf8(sql));
            return false;
        }
    }
    return true;
}

bool SqliteStatement::prepare(sqlite3 *db, const char *sql)
{
    m_db = db;
    m_error.clear();
    if (m_stmt) {
        sqlite3_finalize(m_stmt);
        m_stmt = nullptr;
    }
    return db && sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr) == SQLITE_OK;
}

void SqliteStatement::bindNull(int i)
{
    sqlite3_bind_null(m_stmt, i);
}

void SqliteStatement::bind(int i, qint64 v)
{
    sqlite3_bind_int64(m_stmt, i, v);
}

void SqliteStatement::bind(int i, double v)
{
    sqlite3_bind_double(m_stmt, i, v);
}

void SqliteStatement::bind(int i, const QString &text)
{
    if (text.isNull()) {
        sqlite3_bind_null(m_stmt, i);
        return;
    }
    // UTF-16 as it is: SQLite converts it while copying, with no allocation of ours. The QString outlives the
    // step that uses it only if the caller keeps it, so SQLite copies (TRANSIENT).
    sqlite3_bind_text16(m_stmt, i, text.utf16(), int(text.size() * 2), SQLITE_TRANSIENT);
}

void SqliteStatement::bindText(int i, const QByteArray &utf8)
{
    if (utf8.isNull()) {
        sqlite3_bind_null(m_stmt, i);
        return;
    }
    sqlite3_bind_text(m_stmt, i, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
}

void SqliteStatement::bindStaticText(int i, const char *utf8, qsizetype size)
{
    sqlite3_bind_text64(m_stmt, i, size ? utf8 : "", sqlite3_uint64(size), SQLITE_STATIC, SQLITE_UTF8);
}

void SqliteStatement::bindBlob(int i, const QByteArray &bytes)
{
    // An empty body is an empty blob, never NULL.
    sqlite3_bind_blob64(m_stmt, i, bytes.isEmpty() ? "" : bytes.constData(), sqlite3_uint64(bytes.size()),
                        SQLITE_STATIC);
}

bool SqliteStatement::exec()
{
    const int rc = sqlite3_step(m_stmt);
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
    return rc == SQLITE_DONE || rc == SQLITE_ROW;
}

bool SqliteStatement::existsRow(bool *ok)
{
    const int rc = sqlite3_step(m_stmt);
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
    *ok = rc == SQLITE_DONE || rc == SQLITE_ROW;
    return rc == SQLITE_ROW;
}

bool SqliteStatement::step(bool *ok)
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (ok)
        *ok = rc == SQLITE_DONE;
    sqlite3_reset(m_stmt);
    return false;
}

void SqliteStatement::reset()
{
    sqlite3_reset(m_stmt);
}

bool SqliteStatement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

qint64 SqliteStatement::int64(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

double SqliteStatement::real(int column) const
{
    return sqlite3_column_double(m_stmt, column);
}

QByteArray SqliteStatement::blob(int column) const
{
    const auto *p = static_cast<const char *>(sqlite3_column_blob(m_stmt, column));
    if (!p)
        return isNull(column) ? QByteArray() : QByteArray("");
    return {p, sqlite3_column_bytes(m_stmt, column)};
}

QString SqliteStatement::errorString() const
{
    if (!m_error.isEmpty())
        return m_error;
    return m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : QStringLiteral("no database");
}

} // namespace pimscope
