#include "jsondiff.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

namespace pimscope {

namespace {

QString memberPath(const QString &parent, const QString &key)
{
    return jsonChildPath(parent, key, false);
}

void diff(const QJsonValue &a, const QJsonValue &b, const QString &path, QList<JsonChange> &out)
{
    if (a.isObject() && b.isObject()) {
        const QJsonObject oa = a.toObject();
        const QJsonObject ob = b.toObject();
        for (auto it = oa.begin(); it != oa.end(); ++it) {
            const QString p = memberPath(path, it.key());
            if (!ob.contains(it.key()))
                out.append({JsonChange::Removed, p, it.value(), QJsonValue(QJsonValue::Undefined)});
            else
                diff(it.value(), ob.value(it.key()), p, out);
        }
        for (auto it = ob.begin(); it != ob.end(); ++it) {
            if (!oa.contains(it.key()))
                out.append(
                    {JsonChange::Added, memberPath(path, it.key()), QJsonValue(QJsonValue::Undefined), it.value()});
        }
        return;
    }
    if (a.isArray() && b.isArray()) {
        const QJsonArray aa = a.toArray();
        const QJsonArray ab = b.toArray();
        const qsizetype common = std::min(aa.size(), ab.size());
        for (qsizetype i = 0; i < common; ++i)
            diff(aa.at(i), ab.at(i), jsonChildPath(path, QString::number(i), true), out);
        for (qsizetype i = common; i < aa.size(); ++i)
            out.append({JsonChange::Removed, jsonChildPath(path, QString::number(i), true), aa.at(i),
                        QJsonValue(QJsonValue::Undefined)});
        for (qsizetype i = common; i < ab.size(); ++i)
            out.append({JsonChange::Added, jsonChildPath(path, QString::number(i), true),
                        QJsonValue(QJsonValue::Undefined), ab.at(i)});
        return;
    }
    if (a != b)
        out.append({JsonChange::Changed, path, a, b});
}

} // namespace

QString jsonChildPath(const QString &parent, const QString &keyOrIndex, bool element)
{
    if (element)
        return parent + u'[' + keyOrIndex + u']';
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z_][A-Za-z0-9_\\-]*$"));
    if (plain.match(keyOrIndex).hasMatch())
        return parent.isEmpty() ? keyOrIndex : parent + u'.' + keyOrIndex;
    return parent + QStringLiteral("[") + compactJson(keyOrIndex) + QStringLiteral("]");
}

QList<JsonChange> jsonDiff(const QJsonValue &before, const QJsonValue &after)
{
    QList<JsonChange> out;
    diff(before, after, QString(), out);
    return out;
}

QString compactJson(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Undefined:
        return {};
    default: {
        // A scalar: wrap it in an array to let QJsonDocument quote and escape it, then unwrap.
        const QByteArray json = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
        return QString::fromUtf8(json.mid(1, json.size() - 2));
    }
    }
}

} // namespace pimscope
