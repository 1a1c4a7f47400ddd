#include "export/jsonlexport.h"
#include "util/jsonindent.h"
#include "util/jsonwriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace pimscope;
using namespace Qt::StringLiterals;

class TestJsonWriter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void indentKeepsOrderAndBytes()
    {
        const QByteArray in = "{\"z\":1,\"a\":{\"url\":\"https:\\/\\/x.io\",\"e\":\"caf\\u00e9 \\\"q\\\" , : {\"},"
                              "\"empty\":[], \"o\" : { } ,\"n\":[1.50,2e3]}";
        const QByteArray want = "{\n"
                                "  \"z\": 1,\n"
                                "  \"a\": {\n"
                                "    \"url\": \"https:\\/\\/x.io\",\n"
                                "    \"e\": \"caf\\u00e9 \\\"q\\\" , : {\"\n"
                                "  },\n"
                                "  \"empty\": [],\n"
                                "  \"o\": {},\n"
                                "  \"n\": [\n"
                                "    1.50,\n"
                                "    2e3\n"
                                "  ]\n"
                                "}";
        QCOMPARE(indentJson(in, 2), want);
        // Indenting indented text changes nothing.
        QCOMPARE(indentJson(want, 2), want);
        // A truncated string is kept to its last byte.
        QCOMPARE(indentJson("{\"unterminated", 2), QByteArray("{\n  \"unterminated"));
    }

    void escapesEverything()
    {
        QByteArray out;
        JsonWriter w(out);
        w.beginObject();
        w.field("text",
                QStringLiteral("quote \" backslash \\ newline \n tab \t nul ") + QChar(0) + QStringLiteral(" é ✓"));
        w.field("null", QString());
        w.field("empty", QString(u""_s));
        w.field("n", qint64(-42));
        w.field("x", 0.1);
        w.field("inf", std::numeric_limits<double>::infinity());
        w.field("list", QStringList{QStringLiteral("a"), QStringLiteral("b")});
        w.key("nested");
        w.beginArray();
        w.beginArray();
        w.endArray();
        w.value(true);
        w.endArray();
        w.endObject();
        QJsonParseError error;
        const QJsonObject o = QJsonDocument::fromJson(out, &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(o.value(u"text").toString(),
                 QStringLiteral("quote \" backslash \\ newline \n tab \t nul ") + QChar(0) + QStringLiteral(" é ✓"));
        QVERIFY(o.value(u"null").isNull());
        QCOMPARE(o.value(u"empty").toString(), QString());
        QVERIFY(!o.value(u"empty").isNull());
        QCOMPARE(o.value(u"n").toInteger(), -42);
        QCOMPARE(o.value(u"x").toDouble(), 0.1);
        QVERIFY(o.value(u"inf").isNull());
        QCOMPARE(o.value(u"list").toArray().size(), 2);
        QCOMPARE(o.value(u"nested").toArray(), QJsonArray({QJsonArray(), true}));
        QVERIFY(!out.contains('\n'));
    }
    void rawCompactKeepsTokens()
    {
        const QByteArray pretty
            = "{\n  \"url\": \"https:\\/\\/a b\\\" }\",\n  \"n\" : [ 1 , 2 ],\r\n\t\"u\":\"\\u00e9\"\n}";
        QByteArray out;
        JsonWriter w(out);
        w.rawCompact(pretty);
        QCOMPARE(out, QByteArray("{\"url\":\"https:\\/\\/a b\\\" }\",\"n\":[1,2],\"u\":\"\\u00e9\"}"));
    }
    void deliveryWithBinaryBodyIsBase64()
    {
        Delivery d;
        d.id = 7;
        d.body = QByteArray("\xff\xfe binary", 9);
        d.bodySize = d.body.size();
        d.headers = {{"X-Latin1", "caf\xe9"}};
        QByteArray line;
        jsonl::appendDelivery(line, d);
        QVERIFY(line.endsWith('\n'));
        QCOMPARE(line.count('\n'), 1);
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        QVERIFY(o.value(u"body").isNull());
        QCOMPARE(QByteArray::fromBase64(o.value(u"body_base64").toString().toLatin1()), d.body);
        QCOMPARE(o.value(u"headers").toArray().at(0).toArray().at(1).toString(), QStringLiteral("café"));
    }
};

QTEST_GUILESS_MAIN(TestJsonWriter)
#include "tst_jsonwriter.moc"
