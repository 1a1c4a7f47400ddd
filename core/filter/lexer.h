#pragma once

#include "ast.h"

#include <QList>
#include <QString>

#include <optional>

namespace pimscope::filter {

/** One token of a filter text. */
struct Token
{
    enum class Kind : quint8 {
        End, ///< after the last token; position is the text length
        Word, ///< a bare word (keywords such as `and` and `in` are words too): text is as written
        String, ///< a single- or double-quoted string: text is unescaped
        LParen,
        RParen,
        LBrace,
        RBrace,
        Comma,
        Not, ///< !
        And, ///< &&
        Or, ///< ||
        Eq, ///< ==
        Ne, ///< !=
        Tilde,
        Lt,
        Le,
        Gt,
        Ge,
    };

    Kind kind = Kind::End;
    qsizetype position = 0;
    qsizetype length = 0;
    QString text;

    /** The token as it appears in the filter text, for messages. */
    QString spelling(const QString &source) const;
};

/**
 * Splits a filter text into tokens. Pure function of its input; no limits are checked here (the parser
 * checks the text length before lexing).
 *
 * A bare word is a run of characters that are neither white space nor one of `( ) { } , ! = ~ < > & | " '`.
 * Strings take \" \' and \\ as escapes; any other backslash stays as it is (so "\d+" is a regular expression).
 */
class Lexer
{
public:
    /** The tokens of `text` ending with an End token, or the first lexical error. */
    static std::optional<QList<Token>> tokenize(const QString &text, FilterError *error);

    /** Whether `c` can be part of a bare word. */
    static bool isWordChar(QChar c);
};

} // namespace pimscope::filter
