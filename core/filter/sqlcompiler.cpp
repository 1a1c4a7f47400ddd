#include "sqlcompiler.h"

#include "reconciliation.h"
#include "util/textkey.h"

#include <QHash>
#include <QStringList>

#include <algorithm>

namespace pimscope::filter {

namespace {

// Costs of a comparison, measured with SQLite 3.40 for the largest one we emit (a negated `text matches` on
// deliveries, in the COUNT(DISTINCT) query): it still prepares inside 78 more parentheses, so parser depths are
// counted in parentheses beyond it (limit 78, SqlCompiler::maxParserDepth keeps a margin), and a flat chain of
// 988 of them is the longest SQLite takes (expression height 13 each). tst_filter checks both at the limits.
constexpr int atomParserDepth = 0;
constexpr int atomHeight = 14;
constexpr qsizetype maxChain = 32;

struct Column
{
    QLatin1StringView sql;
    bool refEvents = false;
    bool refDeliveries = false;
    bool json = false; ///< holds the PIM's JSON, where "/" may be written "\/"
};

constexpr Column ev(const char *sql)
{
    return Column{QLatin1StringView(sql), true, false, false};
}

constexpr Column dl(const char *sql)
{
    return Column{QLatin1StringView(sql), false, true, false};
}

/** A connector field: its column of the delivery's forward (the SQL kept for the program's life: Column is a view). */
Column forwardColumn(Field field)
{
    static const QHash<int, QByteArray> sql = [] {
        const auto of = [](const char *column) {
            return forwardColumnSql(QLatin1StringView(column), QLatin1StringView("d.id")).toLatin1();
        };
        return QHash<int, QByteArray>{{int(Field::ConnectorStatus), of("status")},
                                      {int(Field::ConnectorMs), of("end_ms")},
                                      {int(Field::ConnectorVerdict), of("verdict")},
                                      {int(Field::ForwardState), of("state")},
                                      {int(Field::ConnectorTwice), of("twice")}};
    }();
    return dl(sql.constFind(int(field))->constData()); // a reference into the table: value() would be a copy
}

constexpr Column payloadColumn{
    QLatin1StringView("CAST(substr(d.body, e.payload_offset + 1, e.payload_length) AS TEXT)"), true, true, true};
constexpr Column bodyColumn{QLatin1StringView("CAST(d.body AS TEXT)"), false, true, true};

/** The fixed SQL of a field: the only way anything but a placeholder gets into the WHERE clause. */
QList<Column> columnsFor(Field field, FilterTarget target, CompareOp op)
{
    const bool events = target == FilterTarget::Events;
    switch (field) {
    case Field::Id:
        return {events ? ev("e.id") : dl("d.id")};
    case Field::DeliveryId:
        return {events ? ev("e.delivery_id") : dl("d.id")};
    case Field::Seq:
        return {ev("e.seq")};
    case Field::Origin:
        return {events ? ev("e.origin") : dl("d.origin")};
    case Field::ReceivedAt:
        return {events ? ev("e.received_at") : dl("d.received_at")};
    case Field::EventId:
        return {ev("e.event_id")};
    case Field::Action:
        return {ev("e.action")};
    case Field::EventTime:
        return {ev("e.event_time")};
    case Field::Author:
        return {ev("e.author")};
    case Field::AuthorType:
        return {ev("e.author_type")};
    case Field::PimSource:
        return {ev("e.pim_source")};
    case Field::SubjectType:
        return {ev("e.subject_type")};
    case Field::SubjectId:
        return {ev("e.subject_id")};
    case Field::SubjectUuid:
        return {ev("e.subject_uuid")};
    case Field::Subject:
        return {ev("e.subject_id"), ev("e.subject_uuid")};
    case Field::Flags:
        return {events ? ev("e.flags") : dl("d.flags")};
    case Field::Attempt:
        return {ev("e.attempt")};
    case Field::RetryOf:
        return {ev("e.retry_of")};
    case Field::Payload:
        return {payloadColumn};
    case Field::Text:
        if (events)
            return {payloadColumn};
        // An event's payload is a slice of its delivery's body: a substring of the payload is one of the body.
        if (op == CompareOp::Contains)
            return {bodyColumn, dl("d.error"), dl("d.url"), dl("CAST(d.path AS TEXT)")};
        return {payloadColumn, bodyColumn, dl("d.error"), dl("d.url"), dl("CAST(d.path AS TEXT)")};
    case Field::Format:
        return {dl("d.format")};
    case Field::Signature:
        return {dl("d.signature")};
    case Field::LogLevel:
        return {dl("d.log_level")};
    case Field::LogMessage:
        return {dl("d.log_message")};
    case Field::StatusCode:
        return {dl("d.status_code")};
    case Field::Status:
        return {dl("COALESCE(d.status_code, d.answered_status)")};
    case Field::Method:
        return {dl("d.method")};
    case Field::Path:
        return {dl("CAST(d.path AS TEXT)")}; // stored as the request target's bytes (a BLOB never equals a text)
    case Field::Remote:
        return {dl("d.remote")};
    case Field::Headers:
        return {dl("CAST(d.headers AS TEXT)")};
    case Field::Body:
        return {bodyColumn};
    case Field::BodySize:
        return {dl("d.body_size")};
    case Field::AnsweredStatus:
        return {dl("d.answered_status")};
    case Field::AckMs:
        return {dl("d.ack_ms")};
    case Field::EventCount:
        return {dl("d.event_count")};
    case Field::Error:
        return {dl("d.error")};
    case Field::SignatureDetail:
        return {dl("d.signature_detail")};
    case Field::Warnings:
        return {dl("d.warnings")};
    case Field::Url:
        return {dl("d.url")};
    case Field::LogFile:
        return {dl("d.log_file")};
    case Field::LogLine:
        return {dl("d.log_line")};
    case Field::Recon: {
        static const QByteArray recon = reconciliation::sql().toLatin1();
        return {Column{QLatin1StringView(recon), true, true, false}};
    }
    case Field::ConnectorStatus:
    case Field::ConnectorMs:
    case Field::ConnectorVerdict:
    case Field::ForwardState:
    case Field::ConnectorTwice:
        return {forwardColumn(field)};
    }
    return {dl("NULL")};
}

QLatin1StringView comparison(CompareOp op)
{
    switch (op) {
    case CompareOp::Eq:
        return QLatin1StringView(" = ?");
    case CompareOp::Lt:
        return QLatin1StringView(" < ?");
    case CompareOp::Le:
        return QLatin1StringView(" <= ?");
    case CompareOp::Gt:
        return QLatin1StringView(" > ?");
    case CompareOp::Ge:
        return QLatin1StringView(" >= ?");
    default:
        return QLatin1StringView(" = ?");
    }
}

/** SQL text with its bindings and the estimated cost of parsing it, bottom-up. */
struct Piece
{
    QString sql;
    QVariantList bindings;
    int parserDepth = 0;
    int height = 0;
    qsizetype position = 0; ///< of the operand that needs the deepest parser stack
    qsizetype length = 0;
    bool needsEvent = false; ///< false whenever the event columns are NULL
};

NodePtr makeConstant(bool value, const Node &origin)
{
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::Constant;
    node->constant = value;
    node->position = origin.position;
    node->length = origin.length;
    return node;
}

NodePtr normalizeNode(const Node &node, bool negate)
{
    switch (node.kind) {
    case Node::Kind::Not:
        return normalizeNode(*node.children.front(), !negate);
    case Node::Kind::Constant:
        return makeConstant(node.constant != negate, node);
    case Node::Kind::Compare: {
        auto copy = std::make_unique<Node>();
        copy->kind = Node::Kind::Compare;
        copy->position = node.position;
        copy->length = node.length;
        copy->field = node.field;
        copy->op = node.op;
        copy->negated = node.negated != negate;
        copy->values = node.values;
        return copy;
    }
    case Node::Kind::And:
    case Node::Kind::Or:
        break;
    }
    // De Morgan holds in two-valued logic: not(a and b) = not a or not b, with "not" meaning "is not true".
    const Node::Kind kind = (node.kind == Node::Kind::And) != negate ? Node::Kind::And : Node::Kind::Or;
    const bool neutral = kind == Node::Kind::And; // the constant that can be dropped; the other one decides
    auto result = std::make_unique<Node>();
    result->kind = kind;
    result->position = node.position;
    result->length = node.length;
    for (const NodePtr &child : node.children) {
        NodePtr n = normalizeNode(*child, negate);
        if (n->kind == Node::Kind::Constant) {
            if (n->constant == neutral)
                continue;
            return makeConstant(!neutral, node);
        }
        if (n->kind == kind) {
            for (NodePtr &grandChild : n->children)
                result->children.push_back(std::move(grandChild));
        } else {
            result->children.push_back(std::move(n));
        }
    }
    if (result->children.empty())
        return makeConstant(neutral, node);
    if (result->children.size() == 1)
        return std::move(result->children.front());
    return result;
}

QString likeEscaped(const QString &value)
{
    QString out;
    out.reserve(value.size() + 8);
    for (const QChar c : value) {
        if (c == u'\\' || c == u'%' || c == u'_')
            out.append(u'\\');
        out.append(c);
    }
    return out;
}

class Emitter
{
public:
    explicit Emitter(FilterTarget target)
        : m_target(target)
    {
    }

    Piece emit(const Node &node)
    {
        switch (node.kind) {
        case Node::Kind::Constant:
            return Piece{node.constant ? QStringLiteral("1") : QStringLiteral("0"),
                         {},
                         atomParserDepth,
                         1,
                         node.position,
                         node.length,
                         !node.constant};
        case Node::Kind::Compare:
            return atom(node);
        case Node::Kind::And:
        case Node::Kind::Or: {
            std::vector<Piece> pieces;
            pieces.reserve(node.children.size());
            for (const NodePtr &child : node.children)
                pieces.push_back(emit(*child));
            return chain(std::move(pieces), node.kind == Node::Kind::And);
        }
        case Node::Kind::Not:
            break;
        }
        // Not nodes do not survive normalize(); treat one defensively as "is not true".
        Piece inner = emit(*node.children.front());
        inner.sql = u'(' + inner.sql + QStringLiteral(") IS NOT 1");
        inner.parserDepth += 1;
        inner.height += 1;
        inner.needsEvent = false;
        return inner;
    }

    bool refEvents() const { return m_refEvents; }
    bool refDeliveries() const { return m_refDeliveries; }

private:
    static Piece chain(std::vector<Piece> pieces, bool isAnd)
    {
        // The parser stack grows by one entry for an operand in first place, by three for any other: put the
        // deepest first. Stable, so that operands otherwise keep the order they were written in.
        std::stable_sort(pieces.begin(), pieces.end(),
                         [](const Piece &a, const Piece &b) { return a.parserDepth > b.parserDepth; });
        while (qsizetype(pieces.size()) > maxChain) {
            std::vector<Piece> groups;
            for (size_t i = 0; i < pieces.size(); i += size_t(maxChain)) {
                const size_t end = std::min(pieces.size(), i + size_t(maxChain));
                std::vector<Piece> group(std::make_move_iterator(pieces.begin() + qptrdiff(i)),
                                         std::make_move_iterator(pieces.begin() + qptrdiff(end)));
                groups.push_back(combine(std::move(group), isAnd));
            }
            pieces = std::move(groups);
            std::stable_sort(pieces.begin(), pieces.end(),
                             [](const Piece &a, const Piece &b) { return a.parserDepth > b.parserDepth; });
        }
        return combine(std::move(pieces), isAnd);
    }

    static Piece combine(std::vector<Piece> pieces, bool isAnd)
    {
        if (pieces.size() == 1)
            return std::move(pieces.front());
        const QLatin1StringView op = isAnd ? QLatin1StringView(" AND ") : QLatin1StringView(" OR ");
        const int k = int(pieces.size());
        Piece out;
        out.sql = QStringLiteral("(");
        out.parserDepth = -1;
        out.needsEvent = !isAnd;
        for (int i = 0; i < k; ++i) {
            Piece &p = pieces[size_t(i)];
            if (i > 0)
                out.sql += op;
            out.sql += p.sql;
            out.bindings += p.bindings;
            // "(" then the operand; or "(" expr AND then the operand. SQLite chains are left-deep trees.
            const int depth = p.parserDepth + (i == 0 ? 1 : 3);
            if (depth > out.parserDepth) {
                out.parserDepth = depth;
                out.position = p.position;
                out.length = p.length;
            }
            out.height = std::max(out.height, p.height + (i == 0 ? k - 1 : k - i));
            out.needsEvent = isAnd ? out.needsEvent || p.needsEvent : out.needsEvent && p.needsEvent;
        }
        out.sql += u')';
        return out;
    }

    Piece atom(const Node &node)
    {
        const QList<Column> columns = columnsFor(node.field, m_target, node.op);
        Piece out;
        out.position = node.position;
        out.length = node.length;
        out.parserDepth = atomParserDepth;
        out.height = atomHeight;
        // A positive comparison of columns that are all NULL without an event (the payload is too) is false.
        out.needsEvent = !node.negated;
        for (const Column &c : columns) {
            m_refEvents = m_refEvents || c.refEvents;
            m_refDeliveries = m_refDeliveries || c.refDeliveries;
            out.needsEvent = out.needsEvent && c.refEvents;
        }

        if (node.op == CompareOp::HasAnyFlag) {
            out.sql = u'(' + columns.front().sql + QStringLiteral(" & ?) ")
                + (node.negated ? QLatin1StringView("= 0") : QLatin1StringView("<> 0"));
            out.bindings = node.values;
            return out;
        }

        QStringList terms;
        if (node.op == CompareOp::Eq && node.negated) {
            // IS NOT: a NULL field differs from every value.
            for (const Column &c : columns) {
                terms.append(c.sql + QLatin1StringView(" IS NOT ?"));
                out.bindings.append(node.values.front());
            }
            out.sql = terms.size() == 1 ? terms.front() : QString(u'(' + terms.join(QLatin1StringView(" AND ")) + u')');
            return out;
        }

        for (const Column &c : columns) {
            switch (node.op) {
            case CompareOp::Eq:
            case CompareOp::Lt:
            case CompareOp::Le:
            case CompareOp::Gt:
            case CompareOp::Ge:
                terms.append(c.sql + comparison(node.op));
                out.bindings.append(node.values.front());
                break;
            case CompareOp::In: {
                QString list;
                for (qsizetype i = 0; i < node.values.size(); ++i) {
                    list += i ? QLatin1StringView(", ?") : QLatin1StringView("?");
                    out.bindings.append(node.values[i]);
                }
                terms.append(c.sql + QLatin1StringView(" IN (") + list + u')');
                break;
            }
            case CompareOp::Contains: {
                const QString value = node.values.front().toString();
                terms.append(c.sql + QLatin1StringView(" LIKE ? ESCAPE '\\'"));
                out.bindings.append(SqlCompiler::containsPattern(value));
                if (c.json && value.contains(u'/')) {
                    QString escaped = value;
                    escaped.replace(u'/', QLatin1StringView("\\/"));
                    terms.append(c.sql + QLatin1StringView(" LIKE ? ESCAPE '\\'"));
                    out.bindings.append(SqlCompiler::containsPattern(escaped));
                }
                break;
            }
            case CompareOp::Matches:
                // Qt's regexp() turns a NULL subject into "", which a pattern such as "^$" would match.
                terms.append(u'(' + c.sql + QLatin1StringView(" IS NOT NULL AND ") + c.sql
                             + QLatin1StringView(" REGEXP ?)"));
                out.bindings.append(node.values.front());
                break;
            case CompareOp::HasAnyFlag:
                break;
            }
        }
        out.sql = terms.size() == 1 ? terms.front() : QString(u'(' + terms.join(QLatin1StringView(" OR ")) + u')');
        if (node.field == Field::EventId && !node.negated && (node.op == CompareOp::Eq || node.op == CompareOp::In))
            keyedByEventId(node, out);
        if (node.negated)
            out.sql = u'(' + out.sql + QLatin1StringView(") IS NOT 1");
        return out;
    }

    /** The events_event_id index holds the ids' keys (util/textkey.h): look the keys up, then compare the texts. */
    static void keyedByEventId(const Node &node, Piece &out)
    {
        QVariantList keys;
        for (const QVariant &v : node.values) {
            const auto key = textkey::eventIdOf(v.toString());
            if (!key)
                return; // an empty id has no key: the texts alone decide
            keys.append(*key);
        }
        QString list;
        for (qsizetype i = 0; i < keys.size(); ++i)
            list += i ? QLatin1StringView(", ?") : QLatin1StringView("?");
        out.sql = QStringLiteral("(e.event_key IN (") + list + QStringLiteral(") AND ") + out.sql + u')';
        out.bindings = keys + out.bindings;
        out.height += 2;
        out.parserDepth += 1;
    }

    FilterTarget m_target;
    bool m_refEvents = false;
    bool m_refDeliveries = false;
};

} // namespace

NodePtr SqlCompiler::normalize(const Node &root)
{
    return normalizeNode(root, false);
}

CompiledFilter SqlCompiler::compile(const Node &normalized, FilterTarget target, Metrics *metrics)
{
    Emitter emitter(target);
    Piece piece = emitter.emit(normalized);
    CompiledFilter out;
    out.where = std::move(piece.sql);
    out.bindings = std::move(piece.bindings);
    if (target == FilterTarget::Events)
        out.usesDeliveries = emitter.refDeliveries();
    else
        out.usesEvents = emitter.refEvents();
    out.needsEvent = out.usesEvents && piece.needsEvent;
    if (metrics)
        *metrics = Metrics{piece.parserDepth, piece.height, piece.position, piece.length};
    return out;
}

QString SqlCompiler::containsPattern(const QString &value)
{
    return u'%' + likeEscaped(value) + u'%';
}

} // namespace pimscope::filter

namespace pimscope {

QString forwardColumnSql(QLatin1StringView column, QLatin1StringView deliveryId)
{
    return QStringLiteral("(SELECT f.%1 FROM forwards f WHERE f.delivery_id = %2)").arg(column, deliveryId);
}

} // namespace pimscope
