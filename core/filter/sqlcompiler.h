#pragma once

#include "ast.h"

#include <QString>
#include <QVariantList>

namespace pimscope {

/** What a filter selects: events (one row per event) or deliveries (one row per request or log line). */
enum class FilterTarget { Events, Deliveries };

/**
 * A filter as SQL: a boolean expression over the table aliases `e` (events) and `d` (deliveries) and the
 * values of its positional `?` placeholders. No text of the user's is ever part of `where`: field names map
 * to fixed SQL through a fixed table and every value is a binding.
 */
struct CompiledFilter
{
    QString where = QStringLiteral("1"); ///< "1" for an empty filter
    QVariantList bindings; ///< values for the '?' placeholders in `where`, in order
    bool usesDeliveries = false; ///< Events target: `where` references d.* (JOIN deliveries d ON d.id = e.delivery_id)
    bool usesEvents = false; ///< Deliveries target: `where` references e.* (LEFT JOIN events e ON ...)
    /**
     * Deliveries target: `where` cannot hold with the event columns NULL, so a delivery without events never
     * matches and an inner JOIN gives the same deliveries while letting SQLite start from an events index.
     */
    bool needsEvent = false;
};

/**
 * A column of the forward of a delivery (schema v7's forwards table: one row per forwarded delivery, found by its
 * primary key), as an SQL expression; NULL when the delivery was not forwarded. `deliveryId` is the SQL of the
 * delivery's id ("d.id", "e.delivery_id"). The filter's connector fields and the tables' sort keys.
 */
QString forwardColumnSql(QLatin1StringView column, QLatin1StringView deliveryId);

namespace filter {

/**
 * Turns a parsed filter into SQL for SQLite (with the REGEXP function of Qt's QSQLITE driver, enabled by the
 * connection option "QSQLITE_ENABLE_REGEXP").
 *
 * The SQL keeps within SQLite's parser stack (100 entries in the SQLite builds Qt ships before 3.46) and its
 * expression depth (1000): negations are pushed down to the comparisons, nested and/or chains are flattened,
 * the most deeply nested operand of a chain comes first and chains longer than 32 are split in groups. The
 * estimates in Metrics let the parser refuse what would still not fit. Pure functions; thread-safe.
 */
class SqlCompiler
{
public:
    /** Estimated use of SQLite's parser stack and expression depth, and the operand that needs the most. */
    struct Metrics
    {
        int parserDepth = 0;
        int height = 0;
        qsizetype position = 0;
        qsizetype length = 0;
    };

    /** Largest Metrics::parserDepth and Metrics::height accepted (SQLite 3.40 takes up to 78 and 1000). */
    static constexpr int maxParserDepth = 60;
    static constexpr int maxHeight = 900;

    /**
     * Pushes negations down to the comparisons (two-valued logic: !x is true whenever x is not true), merges
     * nested and/or of the same kind and folds constants, so that a Constant can only remain as the root.
     */
    static NodePtr normalize(const Node &root);

    /** SQL of a normalized tree for `target`. */
    static CompiledFilter compile(const Node &normalized, FilterTarget target, Metrics *metrics = nullptr);

    /** `value` as a LIKE pattern that matches it anywhere, with ESCAPE '\'. */
    static QString containsPattern(const QString &value);
};

} // namespace filter
} // namespace pimscope
