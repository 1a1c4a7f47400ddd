#include "analysis/jsondiff.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace pimscope;

namespace {

QJsonValue json(const char *text)
{
    return QJsonDocument::fromJson(text).object();
}

QStringList lines(const QList<JsonChange> &changes)
{
    QStringList out;
    for (const JsonChange &c : changes) {
        const char sign = c.kind == JsonChange::Added ? '+' : c.kind == JsonChange::Removed ? '-' : '~';
        QStringList parts{QString(QChar::fromLatin1(sign)), c.path};
        for (const QJsonValue &v : {c.before, c.after}) {
            if (!v.isUndefined())
                parts << compactJson(v);
        }
        out << parts.join(u' ');
    }
    return out;
}

} // namespace

class TestJsonDiff : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sameDocumentsInAnotherOrder()
    {
        QVERIFY(jsonDiff(json(R"({"a":1,"b":{"c":[1,2]}})"), json(R"({"b":{"c":[1,2]},"a":1})")).isEmpty());
    }

    void changesAtTheirDeepestPath()
    {
        const auto changes = jsonDiff(
            json(R"({"identifier":"SKU-1","enabled":true,"values":{"name":[{"locale":"en_US","data":"Shirt"}],"old":1},"categories":["a","b"]})"),
            json(R"({"identifier":"SKU-1","enabled":false,"values":{"name":[{"locale":"en_US","data":"T-shirt"}],"new":"x"},"categories":["a"],"my key":null})"));
        // Members in alphabetical order, removals of an object before its additions.
        QCOMPARE(lines(changes), QStringList({
                                     QStringLiteral("- categories[1] \"b\""),
                                     QStringLiteral("~ enabled true false"),
                                     QStringLiteral("~ values.name[0].data \"Shirt\" \"T-shirt\""),
                                     QStringLiteral("- values.old 1"),
                                     QStringLiteral("+ values.new \"x\""),
                                     QStringLiteral("+ [\"my key\"] null"),
                                 }));
    }

    void typeChangeIsOneChange()
    {
        QCOMPARE(lines(jsonDiff(json(R"({"a":{"b":1}})"), json(R"({"a":[1]})"))),
                 QStringList({QStringLiteral("~ a {\"b\":1} [1]")}));
    }
};

QTEST_GUILESS_MAIN(TestJsonDiff)
#include "tst_jsondiff.moc"
