#include "lexer.h"

namespace pimscope::filter {

namespace {

bool isSpace(QChar c)
{
    return c == u' ' || c == u'\t' || c == u'\n' || c == u'\r' || c.isSpace();
}

bool isControl(QChar c)
{
    return c.unicode() < 0x20 || c.unicode() == 0x7f;
}

FilterError makeError(qsizetype position, qsizetype length, const QString &message)
{
    return FilterError{position, length, message};
}

} // namespace

QString Token::spelling(const QString &source) const
{
    if (kind == Kind::End)
        return QStringLiteral("end of the filter");
    return source.mid(position, length);
}

bool Lexer::isWordChar(QChar c)
{
    switch (c.unicode()) {
    case u'(':
    case u')':
    case u'{':
    case u'}':
    case u',':
    case u'!':
    case u'=':
    case u'~':
    case u'<':
    case u'>':
    case u'&':
    case u'|':
    case u'"':
    case u'\'':
        return false;
    default:
        return !isSpace(c) && !isControl(c);
    }
}

std::optional<QList<Token>> Lexer::tokenize(const QString &text, FilterError *error)
{
    QList<Token> tokens;
    const qsizetype n = text.size();
    qsizetype i = 0;
    auto fail = [error](qsizetype position, qsizetype length, const QString &message) {
        if (error)
            *error = makeError(position, length, message);
        return std::nullopt;
    };
    auto push = [&tokens](Token::Kind kind, qsizetype position, qsizetype length) {
        tokens.append(Token{kind, position, length, {}});
    };

    while (i < n) {
        const QChar c = text.at(i);
        const QChar next = i + 1 < n ? text.at(i + 1) : QChar();
        if (isSpace(c)) {
            ++i;
            continue;
        }
        if (isControl(c)) {
            // A control character is never meant; refusing it also keeps NULs away from LIKE and REGEXP.
            return fail(i, 1,
                        QStringLiteral("control character U+%1 at %2 is not allowed")
                            .arg(QString::number(c.unicode(), 16).toUpper().rightJustified(4, u'0'))
                            .arg(i));
        }
        switch (c.unicode()) {
        case u'(':
            push(Token::Kind::LParen, i++, 1);
            continue;
        case u')':
            push(Token::Kind::RParen, i++, 1);
            continue;
        case u'{':
            push(Token::Kind::LBrace, i++, 1);
            continue;
        case u'}':
            push(Token::Kind::RBrace, i++, 1);
            continue;
        case u',':
            push(Token::Kind::Comma, i++, 1);
            continue;
        case u'~':
            push(Token::Kind::Tilde, i++, 1);
            continue;
        case u'!':
            if (next == u'=') {
                push(Token::Kind::Ne, i, 2);
                i += 2;
            } else {
                push(Token::Kind::Not, i++, 1);
            }
            continue;
        case u'=':
            if (next != u'=')
                return fail(i, 1, QStringLiteral("unexpected '=' at %1 (did you mean '=='?)").arg(i));
            push(Token::Kind::Eq, i, 2);
            i += 2;
            continue;
        case u'<':
        case u'>': {
            const bool less = c == u'<';
            if (next == u'=') {
                push(less ? Token::Kind::Le : Token::Kind::Ge, i, 2);
                i += 2;
            } else {
                push(less ? Token::Kind::Lt : Token::Kind::Gt, i++, 1);
            }
            continue;
        }
        case u'&':
        case u'|': {
            if (next != c) {
                return fail(i, 1, QStringLiteral("unexpected '%1' at %2 (did you mean '%1%1'?)").arg(c).arg(i));
            }
            push(c == u'&' ? Token::Kind::And : Token::Kind::Or, i, 2);
            i += 2;
            continue;
        }
        case u'"':
        case u'\'': {
            const qsizetype start = i;
            // Not a null QString: "" must compare with the empty text, and the SQL driver binds a null one as NULL.
            QString value = QStringLiteral("");
            ++i;
            bool closed = false;
            while (i < n) {
                const QChar d = text.at(i);
                if (d == c) {
                    closed = true;
                    ++i;
                    break;
                }
                if (isControl(d) && d != u'\t') {
                    return fail(i, 1,
                                QStringLiteral("control character U+%1 at %2 is not allowed")
                                    .arg(QString::number(d.unicode(), 16).toUpper().rightJustified(4, u'0'))
                                    .arg(i));
                }
                if (d == u'\\' && i + 1 < n) {
                    const QChar e = text.at(i + 1);
                    if (e == u'"' || e == u'\'' || e == u'\\') {
                        value.append(e);
                        i += 2;
                        continue;
                    }
                }
                value.append(d);
                ++i;
            }
            if (!closed)
                return fail(start, n - start, QStringLiteral("unterminated string starting at %1").arg(start));
            tokens.append(Token{Token::Kind::String, start, i - start, value});
            continue;
        }
        default:
            break;
        }
        const qsizetype start = i;
        while (i < n && isWordChar(text.at(i)))
            ++i;
        tokens.append(Token{Token::Kind::Word, start, i - start, text.mid(start, i - start)});
    }
    push(Token::Kind::End, n, 0);
    return tokens;
}

} // namespace pimscope::filter
