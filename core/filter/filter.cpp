#include "filter.h"

#include "parser.h"

#include <algorithm>

namespace pimscope {

namespace {

// Far above what the length limit allows (about 17 000), far below SQLite's 32 766.
constexpr qsizetype maxBindings = 30000;

QString fromWhere(const CompiledFilter &f, FilterTarget target)
{
    if (target == FilterTarget::Events) {
        return f.usesDeliveries ? QStringLiteral("FROM events e JOIN deliveries d ON d.id = e.delivery_id WHERE (")
                                : QStringLiteral("FROM events e WHERE (");
    }
    if (!f.usesEvents)
        return QStringLiteral("FROM deliveries d WHERE (");
    return f.needsEvent ? QStringLiteral("FROM deliveries d JOIN events e ON e.delivery_id = d.id WHERE (")
                        : QStringLiteral("FROM deliveries d LEFT JOIN events e ON e.delivery_id = d.id WHERE (");
}

} // namespace

Filter::Filter() = default;

Filter Filter::parse(const QString &text)
{
    Filter f;
    f.m_text = text;
    FilterError error;
    const filter::NodePtr tree = filter::Parser::parse(text, &error);
    if (!tree) {
        if (error.position < 0)
            error = FilterError{0, text.size(), QStringLiteral("invalid filter at 0")};
        f.m_error = error;
        return f;
    }
    filter::NodePtr normalized = filter::SqlCompiler::normalize(*tree);
    if (normalized->kind == filter::Node::Kind::Constant && normalized->constant && text.trimmed().isEmpty())
        return f;

    for (const FilterTarget target : {FilterTarget::Events, FilterTarget::Deliveries}) {
        filter::SqlCompiler::Metrics metrics;
        const CompiledFilter compiled = filter::SqlCompiler::compile(*normalized, target, &metrics);
        if (metrics.parserDepth > filter::SqlCompiler::maxParserDepth
            || metrics.height > filter::SqlCompiler::maxHeight) {
            f.m_error = FilterError{metrics.position, std::max<qsizetype>(1, metrics.length),
                                    QStringLiteral("filter too deeply nested for the database at %1 (simplify "
                                                   "the nesting of && and || around it)")
                                        .arg(metrics.position)};
            return f;
        }
        if (compiled.bindings.size() > maxBindings) {
            f.m_error = FilterError{0, text.size(), QStringLiteral("filter has too many values at 0")};
            return f;
        }
    }
    f.m_root = std::shared_ptr<const filter::Node>(std::move(normalized));
    return f;
}

bool Filter::isEmpty() const
{
    return m_text.trimmed().isEmpty();
}

bool Filter::asksFor(filter::Field field, std::optional<qint64> value) const
{
    using filter::CompareOp;
    using filter::Node;
    const auto visit = [field, value](const auto &self, const Node &node, bool negated) -> bool {
        if (node.kind == Node::Kind::Compare) {
            if (node.field != field || node.negated != negated)
                return false;
            if (node.op != CompareOp::Eq && node.op != CompareOp::In && node.op != CompareOp::Contains
                && node.op != CompareOp::Matches)
                return false;
            if (!value)
                return true;
            return std::any_of(node.values.cbegin(), node.values.cend(), [&value](const QVariant &v) {
                bool isNumber = false;
                const qint64 n = v.toLongLong(&isNumber);
                return isNumber && n == *value;
            });
        }
        const bool below = node.kind == Node::Kind::Not ? !negated : negated;
        for (const auto &child : node.children) {
            if (self(self, *child, below))
                return true;
        }
        return false;
    };
    return m_root && visit(visit, *m_root, false);
}

CompiledFilter Filter::compile(FilterTarget target) const
{
    if (!isValid()) {
        CompiledFilter none;
        none.where = QStringLiteral("0");
        return none;
    }
    if (!m_root)
        return {};
    return filter::SqlCompiler::compile(*m_root, target);
}

QStringList Filter::fieldNames()
{
    return filter::Parser::fieldNames();
}

QString Filter::quoted(const QString &value)
{
    QString out = value;
    out.replace(u'\\', QStringLiteral("\\\\"));
    out.replace(u'"', QStringLiteral("\\\""));
    return u'"' + out + u'"';
}

QString filterIdsSql(const CompiledFilter &f, FilterTarget target, const QString &orderBy, bool descending)
{
    const QString id = target == FilterTarget::Events ? QStringLiteral("e.id") : QStringLiteral("d.id");
    const QString direction = descending ? QStringLiteral(" DESC") : QString();
    QString order = QStringLiteral(") ORDER BY ");
    if (!orderBy.isEmpty() && orderBy != id)
        order += orderBy + direction + QStringLiteral(", ");
    order += id + direction;
    if (target == FilterTarget::Events)
        return QStringLiteral("SELECT e.id ") + fromWhere(f, target) + f.where + order;
    // DISTINCT over the join rather than EXISTS per delivery: measured as fast or faster in every case, and
    // an inner join (needsEvent) lets SQLite start from an events index (event_id, subject, action).
    if (f.usesEvents)
        return QStringLiteral("SELECT DISTINCT d.id ") + fromWhere(f, target) + f.where + order;
    return QStringLiteral("SELECT d.id ") + fromWhere(f, target) + f.where + order;
}

QString filterCountSql(const CompiledFilter &f, FilterTarget target)
{
    if (target == FilterTarget::Deliveries && f.usesEvents)
        return QStringLiteral("SELECT COUNT(DISTINCT d.id) ") + fromWhere(f, target) + f.where + u')';
    return QStringLiteral("SELECT COUNT(*) ") + fromWhere(f, target) + f.where + u')';
}

} // namespace pimscope
