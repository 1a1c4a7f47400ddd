#pragma once

#include "store/records.h"

#include "util/result.h"

#include <QByteArray>
#include <QString>
#include <QtEndian>

#include <cstring>
#include <memory>
#include <optional>

struct pg_result;

namespace pimscope {

class PayloadParser;
class PgConnection;

/** One row of a binary result (bytes as they are, numbers in network order). */
class PgBinaryRow
{
public:
    PgBinaryRow(const pg_result *result, int row)
        : m_result(result)
        , m_row(row)
    {
    }
    bool isNull(int column) const;
    QByteArray bytes(int column) const;
    QString text(int column) const { return isNull(column) ? QString() : QString::fromUtf8(bytes(column)); }
    qint64 int64(int column) const { return integer<qint64>(column); }
    /** A smallint, integer or bigint. */
    int int32(int column) const;
    std::optional<int> optionalInt(int column) const
    {
        return isNull(column) ? std::nullopt : std::optional(int32(column));
    }
    std::optional<qint64> optionalInt64(int column) const
    {
        return isNull(column) ? std::nullopt : std::optional(int64(column));
    }
    std::optional<double> optionalDouble(int column) const;
    bool flag(int column) const;

private:
    int length(int column) const;
    const char *value(int column) const;
    template<typename T>
    T integer(int column) const
    {
        if (isNull(column) || length(column) != int(sizeof(T)))
            return 0;
        return qFromBigEndian<T>(value(column));
    }
    const pg_result *m_result;
    int m_row;
};

/** A query's result in binary (PQclear'ed when it goes). */
class PgBinaryResult
{
public:
    explicit PgBinaryResult(pg_result *result);
    ~PgBinaryResult();
    PgBinaryResult(PgBinaryResult &&other) noexcept;
    PgBinaryResult &operator=(PgBinaryResult &&) = delete;
    PgBinaryResult(const PgBinaryResult &) = delete;
    PgBinaryResult &operator=(const PgBinaryResult &) = delete;

    int rows() const;
    PgBinaryRow row(int i) const { return {m_result, i}; }

private:
    pg_result *m_result;
};

/**
 * Runs `sql` with text parameters ($1, $2, …) and reads its rows in binary; a failure in words (a lost connection
 * said so). Blocks until the server answers (PgConnection::cancel ends the wait).
 */
Result<PgBinaryResult> pgSelectBinary(PgConnection &connection, const char *sql, const QList<QByteArray> &parameters);

/**
 * "SELECT … FROM deliveries d LEFT JOIN forwards f ON f.delivery_id = d.id": a delivery with its connector's answer,
 * as a follower and a queue of forwards read them (the caller adds its WHERE): its id, change number, when it last
 * changed (`hasChangedAt`: the store's schema has changed_at; else when it was stored), and everything a capture holds
 * of it; `withBody` false reads an empty body instead of the bytes; `moreColumns` (", f.next_at, …") come after.
 */
QByteArray pgSelectDeliveries(bool hasChangedAt, bool withBody = true, const QByteArray &moreColumns = {});

/** The positions of pgSelectDeliveries' columns that a reader needs on their own. */
namespace pgcol {
enum : int { Id = 0, Rev = 1, ChangedAt = 3, Count = 31 }; ///< Count: how many; a query's own columns come after
} // namespace pgcol

/**
 * A row of pgSelectDeliveries as the delivery it is (its id on the server as remoteId and as the delivery's id) and
 * its connector's answer. With a parser, the body's events are read as the capture reads a receiver's.
 */
FollowedDelivery pgDeliveryOf(const PgBinaryRow &row, PayloadParser *parser);

} // namespace pimscope
