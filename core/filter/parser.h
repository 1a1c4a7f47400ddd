#pragma once

#include "ast.h"

#include <QString>
#include <QStringList>

namespace pimscope::filter {

/**
 * Parses a filter text into an AST (not normalized), checking everything that can be checked without data:
 * syntax, field names, operators per field type, values (enum and flag names, numbers, durations, times,
 * regular expressions). Every error names its position. Recursion is bounded by maxDepth and the input by
 * maxLength, so no input can exhaust the stack. Pure functions; thread-safe.
 *
 * Grammar (keywords and field names are case-insensitive):
 *   filter     := [ or ] END
 *   or         := and { ("||" | "or") and }
 *   and        := unary { [ "&&" | "and" ] unary }          -- juxtaposition is an implicit and
 *   unary      := { "!" | "not" } primary
 *   primary    := "(" or ")" | "flag:" NAME | WORD | STRING | WORD comparison
 *   comparison := ("==" | "!=" | "<" | "<=" | ">" | ">=") value
 *               | [ "!" | "not" ] ( "~" value | "matches" value | "in" "{" value { [","] value } [","] "}" )
 *   value      := WORD | STRING
 * A WORD or STRING not followed by a comparison is `text ~ value`.
 */
class Parser
{
public:
    static constexpr qsizetype maxLength = 10000; ///< QChars
    static constexpr int maxDepth = 100; ///< nested parentheses

    /** The AST of `text` (a true Constant for an empty text), or nullptr and *error. */
    static NodePtr parse(const QString &text, FilterError *error);

    /** Field names and aliases, sorted, for completion. */
    static QStringList fieldNames();

    /** The canonical name of a field, as exported. */
    static QString fieldName(Field field);
};

} // namespace pimscope::filter
