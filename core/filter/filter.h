#pragma once

#include "ast.h"
#include "sqlcompiler.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace pimscope {

/**
 * A filter expression of the filter language (see ARCHITECTURE.md, "The filter language"), parsed and checked
 * once, compiled to SQL with bound parameters for events or deliveries.
 *
 *     action == "product.updated" && author_type == api
 *     level >= warning && !(message == timeout)
 *     status >= 500 || latency > 500ms
 *     flag:duplicate || flag:out_of_order
 *     received >= "2026-11-22T10:00" && received < "2026-11-22T11:00"
 *     TSHIRT                               (a word alone: text ~ TSHIRT, anywhere in the event)
 *
 * Every check happens in parse(): syntax, field names, operators per field, values (enum and flag names,
 * numbers, durations, times, regular expressions) and size limits, each error with its position. A valid
 * filter always compiles. Comparisons use two-valued logic: a comparison with a NULL field is false, except
 * `!=`, `!~`, `not in` and `!` which are true whenever the positive form is not true.
 *
 * Filter is a cheap value (the parsed tree is shared and immutable): copy it across threads freely.
 */
class Filter
{
public:
    /** The empty filter: valid, matches everything. */
    Filter();

    /** Parses `text`. Never throws; check isValid(). */
    static Filter parse(const QString &text);

    bool isValid() const { return m_error.position < 0; }
    /** Whether the text holds no expression (only white space): it matches everything. */
    bool isEmpty() const;
    /** The first error of an invalid filter; position -1 for a valid one. */
    const FilterError &error() const { return m_error; }
    const QString &text() const { return m_text; }

    /**
     * Whether the filter asks for `field` to hold a value in a positive atom (==, in, ~ or matches, not negated
     * by != or !): `origin == replay`, `origin in {log, replay}` and `origin ~ rep` ask for origin replay,
     * `origin != live` does not. With `value` (an enum's or a number's), only an atom that accepts it counts.
     * Replay leaves out the origins `replay` and `log` unless the filter asks for them.
     */
    bool asksFor(filter::Field field, std::optional<qint64> value = std::nullopt) const;

    /** The SQL of a valid filter for `target`. An invalid filter compiles to a constant false ("0"). */
    CompiledFilter compile(FilterTarget target) const;

    /** Field names and aliases, sorted, for completion in the UI. */
    static QStringList fieldNames();

    /** `value` as a quoted string of the language ("…", with \ and " escaped), to build filters from values. */
    static QString quoted(const QString &value);

private:
    QString m_text;
    FilterError m_error;
    std::shared_ptr<const filter::Node> m_root; // normalized; null when invalid or empty
};

/**
 * The complete SELECT of the ids (ascending) of the rows that match a compiled filter, to be prepared with the
 * filter's bindings in order. `orderBy` (an SQL expression of the program's own, over `e` or `d`, never user text)
 * sorts them by something else, ties by id. On deliveries, a delivery matches when the expression holds for it paired
 * with one of its events, or for it alone (event fields NULL) when it has none.
 */
QString filterIdsSql(const CompiledFilter &f, FilterTarget target, const QString &orderBy = {},
                     bool descending = false);

/** The SELECT COUNT(*) of the rows that match a compiled filter, to be prepared with the filter's bindings. */
QString filterCountSql(const CompiledFilter &f, FilterTarget target);

} // namespace pimscope
