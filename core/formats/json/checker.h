#pragma once

#include "formats/json/spans.h"

#include <QString>

#include <optional>
#include <string_view>
#include <vector>

// The error path: only when simdjson rejects a text does this strict, iterative JSON checker walk it again to find
// the first problem and its position (line, column, byte), so that errors say exactly what is wrong and where.

namespace pimscope::parsing {

struct Problem
{
    qsizetype offset = 0; ///< in the checked text
    QString what;
    bool utf8 = false;
};

/**
 * Walks the whole text without recursion (nesting up to PayloadParser::maxDepth): the first problem, or nothing
 * when the text is valid JSON. `numbers`, when given, receives the byte range of every number token.
 */
std::optional<Problem> checkJson(std::string_view text, std::vector<Span> *numbers);

struct LineColumn
{
    qsizetype line = 1;
    qsizetype column = 1;
};

/** Line and column (in characters, both from 1) of a byte offset. */
LineColumn lineColumn(std::string_view text, qsizetype offset);

/** "invalid JSON at line 3, column 7 (byte 41): ..." for a problem in `text`, which starts `base` bytes into the body.
 */
QString describeProblem(std::string_view text, qsizetype base, const Problem &problem);

/** Whether simdjson refuses the number token (it reads 64-bit integers and finite doubles only). */
bool numberOutOfRange(std::string_view token);

} // namespace pimscope::parsing
