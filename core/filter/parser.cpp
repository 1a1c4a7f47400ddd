#include "parser.h"

#include "lexer.h"
#include "model/enums.h"
#include "util/timeutil.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace pimscope::filter {

namespace {

enum class EnumKind : quint8 { None, Origin, Format, Signature, LogLevel, LogMessage, Recon, Verdict, ForwardState };

struct FieldSpec
{
    const char *name;
    Field field;
    ValueType type;
    EnumKind enumKind = EnumKind::None;
};

// The first entry of a field is its canonical name, the later ones its aliases.
constexpr FieldSpec fieldSpecs[] = {
    {"id", Field::Id, ValueType::Integer},
    {"delivery_id", Field::DeliveryId, ValueType::Integer},
    {"seq", Field::Seq, ValueType::Integer},
    {"origin", Field::Origin, ValueType::Enum, EnumKind::Origin},
    {"received_at", Field::ReceivedAt, ValueType::Time},
    {"received", Field::ReceivedAt, ValueType::Time},
    {"event_id", Field::EventId, ValueType::Text},
    {"action", Field::Action, ValueType::Text},
    {"event_datetime", Field::EventTime, ValueType::Time},
    {"event_time", Field::EventTime, ValueType::Time},
    {"time", Field::EventTime, ValueType::Time},
    {"author", Field::Author, ValueType::Text},
    {"author_type", Field::AuthorType, ValueType::Text},
    {"pim_source", Field::PimSource, ValueType::Text},
    {"subject_type", Field::SubjectType, ValueType::Text},
    {"subject_id", Field::SubjectId, ValueType::Text},
    {"subject_uuid", Field::SubjectUuid, ValueType::Text},
    {"subject", Field::Subject, ValueType::Text},
    {"flags", Field::Flags, ValueType::Flags},
    {"attempt", Field::Attempt, ValueType::Integer},
    {"retry_of", Field::RetryOf, ValueType::Integer},
    {"payload", Field::Payload, ValueType::Text},
    {"text", Field::Text, ValueType::AnyText},
    {"format", Field::Format, ValueType::Enum, EnumKind::Format},
    {"signature", Field::Signature, ValueType::Enum, EnumKind::Signature},
    {"log_level", Field::LogLevel, ValueType::Enum, EnumKind::LogLevel},
    {"level", Field::LogLevel, ValueType::Enum, EnumKind::LogLevel},
    {"log_message", Field::LogMessage, ValueType::Enum, EnumKind::LogMessage},
    {"message", Field::LogMessage, ValueType::Enum, EnumKind::LogMessage},
    {"status_code", Field::StatusCode, ValueType::Integer},
    {"status", Field::Status, ValueType::Integer},
    {"method", Field::Method, ValueType::Text},
    {"path", Field::Path, ValueType::Text},
    {"remote", Field::Remote, ValueType::Text},
    {"headers", Field::Headers, ValueType::Text},
    {"body", Field::Body, ValueType::Text},
    {"body_size", Field::BodySize, ValueType::Integer},
    {"answered_status", Field::AnsweredStatus, ValueType::Integer},
    {"ack_ms", Field::AckMs, ValueType::Duration},
    {"latency", Field::AckMs, ValueType::Duration},
    {"event_count", Field::EventCount, ValueType::Integer},
    {"error", Field::Error, ValueType::Text},
    {"warnings", Field::Warnings, ValueType::Text},
    {"signature_detail", Field::SignatureDetail, ValueType::Text},
    {"url", Field::Url, ValueType::Text},
    {"log_file", Field::LogFile, ValueType::Text},
    {"log_line", Field::LogLine, ValueType::Integer},
    {"recon", Field::Recon, ValueType::Enum, EnumKind::Recon},
    {"reconciliation", Field::Recon, ValueType::Enum, EnumKind::Recon},
    {"connector_status", Field::ConnectorStatus, ValueType::Integer},
    {"connector_ms", Field::ConnectorMs, ValueType::Duration},
    {"connector_verdict", Field::ConnectorVerdict, ValueType::Enum, EnumKind::Verdict},
    {"forward_state", Field::ForwardState, ValueType::Enum, EnumKind::ForwardState},
    {"connector_twice", Field::ConnectorTwice, ValueType::Integer},
};

const FieldSpec *findField(QStringView name)
{
    for (const FieldSpec &spec : fieldSpecs) {
        if (name.compare(QLatin1StringView(spec.name), Qt::CaseInsensitive) == 0)
            return &spec;
    }
    return nullptr;
}

struct EnumEntry
{
    QString name;
    qint64 value;
};

QList<EnumEntry> enumEntries(EnumKind kind)
{
    QList<EnumEntry> entries;
    auto add = [&entries](const QStringList &names, auto fromName) {
        for (const QString &name : names) {
            if (const auto v = fromName(name))
                entries.append({name, qint64(*v)});
        }
    };
    switch (kind) {
    case EnumKind::Origin:
        add(originNames(), [](QStringView n) { return originFromName(n); });
        break;
    case EnumKind::Format:
        add(formatNames(), [](QStringView n) { return formatFromName(n); });
        break;
    case EnumKind::Signature:
        add(signatureNames(), [](QStringView n) { return signatureFromName(n); });
        break;
    case EnumKind::LogLevel:
        add(logLevelNames(), [](QStringView n) { return logLevelFromName(n); });
        break;
    case EnumKind::LogMessage:
        add(logMessageNames(), [](QStringView n) { return logMessageFromName(n); });
        break;
    case EnumKind::Recon:
        add(reconNames(), [](QStringView n) { return reconFromName(n); });
        break;
    case EnumKind::Verdict:
        add(connectorVerdictNames(), [](QStringView n) { return connectorVerdictFromName(n); });
        break;
    case EnumKind::ForwardState:
        add(forwardStateNames(), [](QStringView n) { return forwardStateFromName(n); });
        break;
    case EnumKind::None:
        break;
    }
    return entries;
}

QList<EnumEntry> flagEntries()
{
    QList<EnumEntry> entries;
    for (Flag f : allFlags)
        entries.append({flagName(f), qint64(quint32(f))});
    return entries;
}

QString kindDescription(EnumKind kind)
{
    switch (kind) {
    case EnumKind::Origin:
        return QStringLiteral("origin");
    case EnumKind::Format:
        return QStringLiteral("format");
    case EnumKind::Signature:
        return QStringLiteral("signature");
    case EnumKind::LogLevel:
        return QStringLiteral("log level");
    case EnumKind::LogMessage:
        return QStringLiteral("log message");
    case EnumKind::Recon:
        return QStringLiteral("reconciliation");
    case EnumKind::Verdict:
        return QStringLiteral("connector verdict");
    case EnumKind::ForwardState:
        return QStringLiteral("forward state");
    case EnumKind::None:
        break;
    }
    return QStringLiteral("flag");
}

QString nameList(const QList<EnumEntry> &entries)
{
    QStringList names;
    for (const EnumEntry &e : entries)
        names.append(e.name);
    return names.join(QStringLiteral(", "));
}

int editDistance(QStringView a, QStringView b)
{
    std::vector<int> row(size_t(b.size()) + 1);
    for (size_t j = 0; j < row.size(); ++j)
        row[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int above = row[size_t(j)];
            const bool same = a[i - 1].toLower() == b[j - 1].toLower();
            row[size_t(j)] = std::min({above + 1, row[size_t(j - 1)] + 1, diagonal + (same ? 0 : 1)});
            diagonal = above;
        }
    }
    return row.back();
}

QString suggestField(QStringView name)
{
    if (name.size() > 40)
        return {};
    const char *best = nullptr;
    int bestDistance = std::numeric_limits<int>::max();
    for (const FieldSpec &spec : fieldSpecs) {
        const int d = editDistance(name, QString::fromLatin1(spec.name));
        if (d < bestDistance) {
            bestDistance = d;
            best = spec.name;
        }
    }
    const auto bestLength = qsizetype(qstrlen(best));
    if (bestDistance <= 2 && qsizetype(bestDistance) * 3 <= bestLength)
        return QString::fromLatin1(best);
    return {};
}

std::optional<qint64> parseInteger(const QString &text)
{
    bool ok = false;
    const qint64 v = text.toLongLong(&ok);
    return ok ? std::optional<qint64>(v) : std::nullopt;
}

/** Milliseconds of "500ms", "2s", "1.5m", "2h", "1d" or a plain number (milliseconds). */
std::optional<double> parseDuration(const QString &text)
{
    qsizetype i = 0;
    while (i < text.size() && (text[i].isDigit() || text[i] == u'.'))
        ++i;
    if (i == 0)
        return std::nullopt;
    bool ok = false;
    const double number = QStringView(text).first(i).toDouble(&ok);
    if (!ok || !std::isfinite(number))
        return std::nullopt;
    const QStringView unit = QStringView(text).sliced(i);
    double factor = 0;
    if (unit.isEmpty() || unit.compare(u"ms", Qt::CaseInsensitive) == 0)
        factor = 1;
    else if (unit.compare(u"s", Qt::CaseInsensitive) == 0)
        factor = 1000;
    else if (unit.compare(u"m", Qt::CaseInsensitive) == 0 || unit.compare(u"min", Qt::CaseInsensitive) == 0)
        factor = 60 * 1000;
    else if (unit.compare(u"h", Qt::CaseInsensitive) == 0)
        factor = 3600 * 1000;
    else if (unit.compare(u"d", Qt::CaseInsensitive) == 0)
        factor = 24 * 3600 * 1000;
    else
        return std::nullopt;
    return number * factor;
}

std::optional<qint64> parseTime(const QString &text)
{
    if (const auto ms = parseIsoDateTime(QStringView(text)))
        return ms;
    return parseInteger(text);
}

bool isKeyword(const Token &t, QLatin1StringView word)
{
    return t.kind == Token::Kind::Word && t.text.compare(word, Qt::CaseInsensitive) == 0;
}

class ParserImpl
{
public:
    ParserImpl(const QString &text, QList<Token> tokens)
        : m_text(text)
        , m_tokens(std::move(tokens))
    {
    }

    NodePtr parseFilter()
    {
        if (peek().kind == Token::Kind::End)
            return constant(true, 0);
        if (!startsUnary(peek()))
            return unexpected(peek());
        NodePtr root = parseOr();
        if (!root)
            return nullptr;
        if (peek().kind != Token::Kind::End)
            return unexpected(peek());
        return root;
    }

    const FilterError &error() const { return m_error; }

private:
    const Token &peek(qsizetype ahead = 0) const { return m_tokens.at(std::min(m_index + ahead, m_tokens.size() - 1)); }
    const Token &take() { return m_tokens.at(std::min(m_index++, m_tokens.size() - 1)); }

    NodePtr fail(qsizetype position, qsizetype length, const QString &message)
    {
        if (m_error.position < 0)
            m_error = FilterError{position, length, message};
        return nullptr;
    }

    NodePtr unexpected(const Token &t)
    {
        if (t.kind == Token::Kind::End)
            return fail(t.position, 0, QStringLiteral("unexpected end of the filter at %1").arg(t.position));
        return fail(t.position, t.length,
                    QStringLiteral("unexpected '%1' at %2").arg(t.spelling(m_text)).arg(t.position));
    }

    NodePtr expectedExpression(const Token &after)
    {
        const Token &t = peek();
        return fail(
            t.position, t.length,
            QStringLiteral("expected an expression after '%1' at %2").arg(after.spelling(m_text)).arg(t.position));
    }

    static NodePtr constant(bool value, qsizetype position)
    {
        auto node = std::make_unique<Node>();
        node->kind = Node::Kind::Constant;
        node->constant = value;
        node->position = position;
        return node;
    }

    static bool startsUnary(const Token &t)
    {
        switch (t.kind) {
        case Token::Kind::String:
        case Token::Kind::LParen:
        case Token::Kind::Not:
            return true;
        case Token::Kind::Word:
            return !isKeyword(t, QLatin1StringView("and")) && !isKeyword(t, QLatin1StringView("or"))
                && !isKeyword(t, QLatin1StringView("in")) && !isKeyword(t, QLatin1StringView("matches"));
        default:
            return false;
        }
    }

    static bool isOr(const Token &t) { return t.kind == Token::Kind::Or || isKeyword(t, QLatin1StringView("or")); }
    static bool isAnd(const Token &t) { return t.kind == Token::Kind::And || isKeyword(t, QLatin1StringView("and")); }
    static bool isNot(const Token &t) { return t.kind == Token::Kind::Not || isKeyword(t, QLatin1StringView("not")); }

    static NodePtr combine(Node::Kind kind, std::vector<NodePtr> children)
    {
        if (children.size() == 1)
            return std::move(children.front());
        auto node = std::make_unique<Node>();
        node->kind = kind;
        node->position = children.front()->position;
        const Node &last = *children.back();
        node->length = last.position + last.length - node->position;
        node->children = std::move(children);
        return node;
    }

    NodePtr parseOr()
    {
        std::vector<NodePtr> children;
        NodePtr first = parseAnd();
        if (!first)
            return nullptr;
        children.push_back(std::move(first));
        while (isOr(peek())) {
            const Token &op = take();
            if (!startsUnary(peek()))
                return expectedExpression(op);
            NodePtr next = parseAnd();
            if (!next)
                return nullptr;
            children.push_back(std::move(next));
        }
        return combine(Node::Kind::Or, std::move(children));
    }

    NodePtr parseAnd()
    {
        std::vector<NodePtr> children;
        NodePtr first = parseUnary();
        if (!first)
            return nullptr;
        children.push_back(std::move(first));
        for (;;) {
            if (isAnd(peek())) {
                const Token &op = take();
                if (!startsUnary(peek()))
                    return expectedExpression(op);
            } else if (!startsUnary(peek())) {
                break;
            }
            NodePtr next = parseUnary();
            if (!next)
                return nullptr;
            children.push_back(std::move(next));
        }
        return combine(Node::Kind::And, std::move(children));
    }

    NodePtr parseUnary()
    {
        // Negations are counted in a loop, not by recursion: "!!!!...x" cannot grow the stack.
        int negations = 0;
        qsizetype position = peek().position;
        while (isNot(peek())) {
            const Token &op = take();
            ++negations;
            if (!startsUnary(peek()))
                return expectedExpression(op);
        }
        NodePtr operand = parsePrimary();
        if (!operand || negations % 2 == 0)
            return operand;
        auto node = std::make_unique<Node>();
        node->kind = Node::Kind::Not;
        node->position = position;
        node->length = operand->position + operand->length - position;
        node->children.push_back(std::move(operand));
        return node;
    }

    NodePtr parsePrimary()
    {
        const Token &t = peek();
        switch (t.kind) {
        case Token::Kind::LParen: {
            if (m_depth >= Parser::maxDepth) {
                return fail(t.position, 1,
                            QStringLiteral("parentheses nested deeper than %1 levels at %2")
                                .arg(Parser::maxDepth)
                                .arg(t.position));
            }
            const Token &open = take();
            if (!startsUnary(peek()))
                return expectedExpression(open);
            ++m_depth;
            NodePtr inner = parseOr();
            --m_depth;
            if (!inner)
                return nullptr;
            const Token &close = peek();
            if (close.kind != Token::Kind::RParen) {
                return fail(close.position, close.length,
                            QStringLiteral("expected ')' at %1 (to close the '(' at %2)")
                                .arg(close.position)
                                .arg(open.position));
            }
            take();
            return inner;
        }
        case Token::Kind::Word:
        case Token::Kind::String:
            return parseTerm();
        default:
            return unexpected(t);
        }
    }

    /** The operator after a term, if any: its token count (1 or 2), the operator and whether it is negated. */
    struct Operator
    {
        int tokens = 0;
        CompareOp op = CompareOp::Eq;
        bool negated = false;
        const Token *token = nullptr; // the operator proper (after a "not")
    };

    Operator operatorAt(qsizetype ahead) const
    {
        const Token &t = peek(ahead);
        switch (t.kind) {
        case Token::Kind::Eq:
            return {1, CompareOp::Eq, false, &t};
        case Token::Kind::Ne:
            return {1, CompareOp::Eq, true, &t};
        case Token::Kind::Lt:
            return {1, CompareOp::Lt, false, &t};
        case Token::Kind::Le:
            return {1, CompareOp::Le, false, &t};
        case Token::Kind::Gt:
            return {1, CompareOp::Gt, false, &t};
        case Token::Kind::Ge:
            return {1, CompareOp::Ge, false, &t};
        case Token::Kind::Tilde:
            return {1, CompareOp::Contains, false, &t};
        default:
            break;
        }
        if (isKeyword(t, QLatin1StringView("matches")))
            return {1, CompareOp::Matches, false, &t};
        if (isKeyword(t, QLatin1StringView("in")))
            return {1, CompareOp::In, false, &t};
        if (isNot(t)) {
            Operator inner = operatorAt(ahead + 1);
            if (inner.tokens == 1
                && (inner.op == CompareOp::Contains || inner.op == CompareOp::Matches || inner.op == CompareOp::In)
                && !inner.negated) {
                inner.tokens = 2;
                inner.negated = true;
                return inner;
            }
        }
        return {};
    }

    NodePtr parseTerm()
    {
        const Token &term = take();
        const Operator op = operatorAt(0);

        if (term.kind == Token::Kind::Word && term.text.startsWith(QLatin1StringView("flag:"), Qt::CaseInsensitive)) {
            if (op.tokens > 0)
                return fail(op.token->position, op.token->length,
                            QStringLiteral("unexpected '%1' after '%2' at %3 (flag:NAME is a condition by itself)")
                                .arg(op.token->spelling(m_text), term.text)
                                .arg(op.token->position));
            return flagAtom(term);
        }
        if (op.tokens == 0) {
            auto node = compareNode(Field::Text, CompareOp::Contains, false, term.position, term.length);
            node->values.append(term.text);
            return node;
        }
        if (term.kind == Token::Kind::String)
            return fail(term.position, term.length,
                        QStringLiteral("expected a field name before '%1' at %2, found a quoted string")
                            .arg(op.token->spelling(m_text))
                            .arg(term.position));
        const FieldSpec *spec = findField(term.text);
        if (!spec) {
            QString message = QStringLiteral("unknown field '%1' at %2").arg(term.text).arg(term.position);
            if (const QString guess = suggestField(term.text); !guess.isEmpty())
                message += QStringLiteral(" (did you mean '%1'?)").arg(guess);
            return fail(term.position, term.length, message);
        }
        for (int i = 0; i < op.tokens; ++i)
            take();
        const Token &opToken = *op.token;

        QList<const Token *> values;
        if (op.op == CompareOp::In) {
            const Token &open = peek();
            if (open.kind != Token::Kind::LBrace)
                return fail(
                    open.position, open.length,
                    QStringLiteral("expected '{' after '%1' at %2").arg(opToken.spelling(m_text)).arg(open.position));
            take();
            for (;;) {
                const Token &v = peek();
                if (v.kind == Token::Kind::RBrace) {
                    if (values.isEmpty())
                        return fail(v.position, 1, QStringLiteral("expected a value after '{' at %1").arg(v.position));
                    take();
                    break;
                }
                if (v.kind == Token::Kind::Comma && !values.isEmpty()) {
                    take();
                    continue;
                }
                if (v.kind == Token::Kind::End)
                    return fail(v.position, 0,
                                QStringLiteral("expected '}' at %1 (to close the '{' at %2)")
                                    .arg(v.position)
                                    .arg(open.position));
                if (v.kind != Token::Kind::Word && v.kind != Token::Kind::String)
                    return fail(v.position, v.length,
                                QStringLiteral("expected a value or '}' at %1, found '%2'")
                                    .arg(v.position)
                                    .arg(v.spelling(m_text)));
                values.append(&take());
            }
        } else {
            const Token &v = peek();
            if (v.kind != Token::Kind::Word && v.kind != Token::Kind::String)
                return fail(
                    v.position, v.length,
                    QStringLiteral("expected a value after '%1' at %2").arg(opToken.spelling(m_text)).arg(v.position));
            values.append(&take());
        }
        const Token &last = *values.back();
        const qsizetype end = last.position + last.length + (op.op == CompareOp::In ? 1 : 0);
        return resolve(*spec, term, op, values, end);
    }

    static NodePtr compareNode(Field field, CompareOp op, bool negated, qsizetype position, qsizetype length)
    {
        auto node = std::make_unique<Node>();
        node->kind = Node::Kind::Compare;
        node->field = field;
        node->op = op;
        node->negated = negated;
        node->position = position;
        node->length = length;
        return node;
    }

    NodePtr flagAtom(const Token &term)
    {
        const QString name = term.text.mid(5);
        const qsizetype namePosition = term.position + 5;
        if (name.isEmpty())
            return fail(namePosition, 0,
                        QStringLiteral("expected a flag name after 'flag:' at %1 (valid: %2)")
                            .arg(namePosition)
                            .arg(nameList(flagEntries())));
        const auto flag = flagFromName(name);
        if (!flag)
            return fail(namePosition, name.size(),
                        QStringLiteral("unknown flag '%1' at %2 (valid: %3)")
                            .arg(name)
                            .arg(namePosition)
                            .arg(nameList(flagEntries())));
        auto node = compareNode(Field::Flags, CompareOp::HasAnyFlag, false, term.position, term.length);
        node->values.append(qint64(quint32(*flag)));
        return node;
    }

    NodePtr notApplicable(const Token &term, const Token &opToken, const char *hint)
    {
        return fail(opToken.position, opToken.length,
                    QStringLiteral("'%1' does not apply to '%2' at %3 (use %4)")
                        .arg(opToken.spelling(m_text), term.text)
                        .arg(opToken.position)
                        .arg(QLatin1StringView(hint)));
    }

    /** Position of a value's character `offset` (in its unescaped text) in the filter text, roughly. */
    static qsizetype valuePosition(const Token &v, qsizetype offset)
    {
        const qsizetype inner = v.kind == Token::Kind::String ? 1 : 0;
        return v.position + std::clamp<qsizetype>(inner + offset, 0, std::max<qsizetype>(0, v.length - 1));
    }

    bool checkRegex(const Token &v)
    {
        const QRegularExpression re(v.text);
        if (re.isValid())
            return true;
        const qsizetype at = valuePosition(v, re.patternErrorOffset());
        fail(at, 1, QStringLiteral("invalid regular expression at %1 (%2)").arg(at).arg(re.errorString()));
        return false;
    }

    /** Entries whose names match `v` for ~ (case-insensitive substring) or matches (case-insensitive regex). */
    std::optional<QList<EnumEntry>> matchNames(const QList<EnumEntry> &entries, CompareOp op, const Token &v)
    {
        QList<EnumEntry> found;
        if (op == CompareOp::Matches) {
            if (!checkRegex(v))
                return std::nullopt;
            const QRegularExpression re(v.text, QRegularExpression::CaseInsensitiveOption);
            for (const EnumEntry &e : entries) {
                if (re.match(e.name).hasMatch())
                    found.append(e);
            }
        } else {
            for (const EnumEntry &e : entries) {
                if (e.name.contains(v.text, Qt::CaseInsensitive))
                    found.append(e);
            }
        }
        return found;
    }

    NodePtr resolve(const FieldSpec &spec, const Token &term, const Operator &op, const QList<const Token *> &values,
                    qsizetype end)
    {
        const Token &opToken = *op.token;
        const bool ordered
            = op.op == CompareOp::Lt || op.op == CompareOp::Le || op.op == CompareOp::Gt || op.op == CompareOp::Ge;
        const bool textual = op.op == CompareOp::Contains || op.op == CompareOp::Matches;
        auto node = compareNode(spec.field, op.op, op.negated, term.position, end - term.position);

        switch (spec.type) {
        case ValueType::Text:
        case ValueType::AnyText:
            if (spec.type == ValueType::AnyText && !textual)
                return notApplicable(term, opToken, "'~' or 'matches'");
            for (const Token *v : values) {
                if (op.op == CompareOp::Matches && !checkRegex(*v))
                    return nullptr;
                node->values.append(v->text);
            }
            return node;

        case ValueType::Integer:
        case ValueType::Duration:
        case ValueType::Time:
            if (textual)
                return notApplicable(term, opToken, "==, !=, <, <=, >, >= or in");
            for (const Token *v : values) {
                QVariant value;
                if (spec.type == ValueType::Integer) {
                    if (const auto n = parseInteger(v->text))
                        value = *n;
                    else
                        return fail(v->position, v->length,
                                    QStringLiteral("expected a whole number for '%1' at %2, found '%3'")
                                        .arg(term.text)
                                        .arg(v->position)
                                        .arg(v->text));
                } else if (spec.type == ValueType::Duration) {
                    if (const auto ms = parseDuration(v->text))
                        value = *ms;
                    else
                        return fail(v->position, v->length,
                                    QStringLiteral("bad duration '%1' at %2 (use e.g. 500ms, 2s, 5m, 2h, 1d or "
                                                   "milliseconds)")
                                        .arg(v->text)
                                        .arg(v->position));
                } else {
                    if (const auto ms = parseTime(v->text))
                        value = *ms;
                    else
                        return fail(v->position, v->length,
                                    QStringLiteral("bad time '%1' at %2 (use an ISO date-time such as "
                                                   "2026-11-22T10:00 or 2026-11-22T10:00:00+01:00, UTC when no "
                                                   "zone is given, or epoch milliseconds)")
                                        .arg(v->text)
                                        .arg(v->position));
                }
                node->values.append(value);
            }
            return node;

        case ValueType::Enum: {
            const QList<EnumEntry> entries = enumEntries(spec.enumKind);
            if (ordered && spec.enumKind != EnumKind::LogLevel)
                return notApplicable(term, opToken, "==, !=, ~, matches or in");
            if (textual) {
                const auto found = matchNames(entries, op.op, *values.front());
                if (!found)
                    return nullptr;
                if (found->isEmpty()) {
                    auto none = constant(op.negated, node->position);
                    none->length = node->length;
                    return none;
                }
                node->op = CompareOp::In;
                for (const EnumEntry &e : *found)
                    node->values.append(e.value);
                return node;
            }
            for (const Token *v : values) {
                const auto it = std::find_if(entries.cbegin(), entries.cend(), [v](const EnumEntry &e) {
                    return e.name.compare(v->text, Qt::CaseInsensitive) == 0;
                });
                if (it == entries.cend())
                    return fail(v->position, v->length,
                                QStringLiteral("unknown %1 '%2' at %3 (valid: %4)")
                                    .arg(kindDescription(spec.enumKind), v->text)
                                    .arg(v->position)
                                    .arg(nameList(entries)));
                node->values.append(it->value);
            }
            return node;
        }

        case ValueType::Flags: {
            if (ordered)
                return notApplicable(term, opToken, "==, !=, ~, matches or in");
            const QList<EnumEntry> entries = flagEntries();
            qint64 mask = 0;
            if (textual) {
                const auto found = matchNames(entries, op.op, *values.front());
                if (!found)
                    return nullptr;
                for (const EnumEntry &e : *found)
                    mask |= e.value;
            } else {
                for (const Token *v : values) {
                    const auto flag = flagFromName(v->text);
                    if (!flag)
                        return fail(v->position, v->length,
                                    QStringLiteral("unknown flag '%1' at %2 (valid: %3)")
                                        .arg(v->text)
                                        .arg(v->position)
                                        .arg(nameList(entries)));
                    mask |= qint64(quint32(*flag));
                }
            }
            if (mask == 0) {
                auto none = constant(op.negated, node->position);
                none->length = node->length;
                return none;
            }
            node->op = CompareOp::HasAnyFlag;
            node->values = {mask};
            return node;
        }
        }
        return node;
    }

    const QString &m_text;
    QList<Token> m_tokens;
    qsizetype m_index = 0;
    int m_depth = 0;
    FilterError m_error;
};

} // namespace

NodePtr Parser::parse(const QString &text, FilterError *error)
{
    FilterError local;
    FilterError &err = error ? *error : local;
    if (text.size() > maxLength) {
        err = FilterError{maxLength, text.size() - maxLength,
                          QStringLiteral("filter longer than %1 characters at %1").arg(maxLength)};
        return nullptr;
    }
    auto tokens = Lexer::tokenize(text, &err);
    if (!tokens)
        return nullptr;
    ParserImpl impl(text, std::move(*tokens));
    NodePtr root = impl.parseFilter();
    if (!root)
        err = impl.error();
    return root;
}

QStringList Parser::fieldNames()
{
    QStringList names;
    for (const FieldSpec &spec : fieldSpecs)
        names.append(QString::fromLatin1(spec.name));
    names.sort();
    return names;
}

QString Parser::fieldName(Field field)
{
    for (const FieldSpec &spec : fieldSpecs) {
        if (spec.field == field)
            return QString::fromLatin1(spec.name);
    }
    return {};
}

} // namespace pimscope::filter
