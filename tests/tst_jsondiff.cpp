#include "analysis/jsondiff.h"
#include "util/jsontree.h"

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
            json(
                R"({"identifier":"SKU-1","enabled":true,"values":{"name":[{"locale":"en_US","data":"Shirt"}],"old":1},"categories":["a","b"]})"),
            json(
                R"({"identifier":"SKU-1","enabled":false,"values":{"name":[{"locale":"en_US","data":"T-shirt"}],"new":"x"},"categories":["a"],"my key":null})"));
        // Members in alphabetical order, removals of an object before its additions.
        QCOMPARE(lines(changes),
                 QStringList({
                     QStringLiteral("- categories[1] \"b\""),
                     QStringLiteral("~ enabled true false"),
                     QStringLiteral("~ values.name[0].data \"Shirt\" \"T-shirt\""),
                     QStringLiteral("- values.old 1"),
                     QStringLiteral("+ values.new \"x\""),
                     QStringLiteral("+ [\"my key\"] null"),
                 }));
    }

    void treeKeepsTheTextsOrder()
    {
        const auto tree
            = parseJsonTree("{\"z\":1,\"a\":{\"url\":\"https:\\/\\/x.io\",\"e\":\"caf\\u00e9 \\ud83d\\ude00 "
                            "\\\"q\\\"\"},\"n\":[1.50,true,null,[]],\"empty\":{}}");
        QVERIFY(tree);
        QCOMPARE(tree->kind, JsonNode::Object);
        QStringList keys;
        for (const JsonNode &c : tree->children)
            keys << c.key;
        QCOMPARE(keys,
                 QStringList({QStringLiteral("z"), QStringLiteral("a"), QStringLiteral("n"), QStringLiteral("empty")}));
        QCOMPARE(tree->children[0].value, QStringLiteral("1"));
        QCOMPARE(tree->children[1].children[0].value, QStringLiteral("https://x.io"));
        QCOMPARE(tree->children[1].children[1].value, QString::fromUtf8("café 😀 \"q\""));
        const JsonNode &n = tree->children[2];
        QCOMPARE(n.kind, JsonNode::Array);
        QCOMPARE(n.children.size(), 4);
        QCOMPARE(n.children[0].value, QStringLiteral("1.50")); // as written
        QCOMPARE(n.children[1].kind, JsonNode::Bool);
        QCOMPARE(n.children[2].kind, JsonNode::Null);
        QCOMPARE(n.children[3].kind, JsonNode::Array);
        QCOMPARE(n.children[3].key, QStringLiteral("3"));
        QCOMPARE(tree->children[3].children.size(), 0);
        for (const char *bad : {"", "{", "{\"a\":}", "[1,]", "{\"a\":1} x", "\"\\x\"", "[tru]"})
            QVERIFY2(!parseJsonTree(bad), bad);
        QVERIFY(!parseJsonTree(QByteArray(QByteArray(2000, '[') + QByteArray(2000, ']')))); // too deep
    }

    void typeChangeIsOneChange()
    {
        QCOMPARE(lines(jsonDiff(json(R"({"a":{"b":1}})"), json(R"({"a":[1]})"))),
                 QStringList({QStringLiteral("~ a {\"b\":1} [1]")}));
    }
};

QTEST_GUILESS_MAIN(TestJsonDiff)
#include "tst_jsondiff.moc"
