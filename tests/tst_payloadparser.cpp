#include "formats/payloadparser.h"

#include "testutil.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QStringDecoder>
#include <QTest>

using namespace pimscope;

namespace {

// Golden cases: one folder per case under tests/data/formats, holding `body` (the raw request body) and
// `expected.json`. PIMSCOPE_UPDATE_GOLDEN=1 rewrites expected.json from the parser's output; review the diff.
QString formatsDir()
{
    return QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/formats");
}

bool updateGolden()
{
    return qEnvironmentVariableIntValue("PIMSCOPE_UPDATE_GOLDEN") == 1;
}

QJsonValue nullable(const QString &s)
{
    return s.isNull() ? QJsonValue(QJsonValue::Null) : QJsonValue(s);
}

bool isUtf8(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder.decode(bytes);
    Q_UNUSED(text);
    return !decoder.hasError();
}

QByteArray payloadOf(const QByteArray &body, const Event &e)
{
    return body.mid(e.payloadOffset, e.payloadLength);
}

/** The event as golden files hold it. Short UTF-8 payloads are kept as text, others as their SHA-256. */
QJsonObject toJson(const Event &e, const QByteArray &body, bool bothPayloadForms = false)
{
    QJsonObject o;
    o.insert(QStringLiteral("seq"), e.seq);
    o.insert(QStringLiteral("event_id"), nullable(e.eventId));
    o.insert(QStringLiteral("action"), nullable(e.action));
    o.insert(QStringLiteral("event_datetime"), e.eventTimeMs ? QJsonValue(toIsoUtc(*e.eventTimeMs)) : QJsonValue());
    o.insert(QStringLiteral("author"), nullable(e.author));
    o.insert(QStringLiteral("author_type"), nullable(e.authorType));
    o.insert(QStringLiteral("pim_source"), nullable(e.pimSource));
    o.insert(QStringLiteral("subject_type"), nullable(e.subjectType));
    o.insert(QStringLiteral("subject_id"), nullable(e.subjectId));
    o.insert(QStringLiteral("subject_uuid"), nullable(e.subjectUuid));
    const QByteArray payload = payloadOf(body, e);
    const bool asText = payload.size() <= 400 && isUtf8(payload);
    if (asText || bothPayloadForms)
        o.insert(QStringLiteral("payload"), QString::fromUtf8(payload));
    if (!asText || bothPayloadForms)
        o.insert(QStringLiteral("payload_sha256"),
                 QString::fromLatin1(QCryptographicHash::hash(payload, QCryptographicHash::Sha256).toHex()));
    return o;
}

QJsonObject toJson(const ParseResult &r, const QByteArray &body)
{
    QJsonObject o;
    o.insert(QStringLiteral("format"), formatName(r.format));
    o.insert(QStringLiteral("error"), nullable(r.error));
    o.insert(QStringLiteral("warnings"), QJsonArray::fromStringList(r.warnings));
    QJsonArray events;
    for (const Event &e : r.events)
        events.append(toJson(e, body));
    o.insert(QStringLiteral("events"), events);
    return o;
}

QString compact(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

/**
 * Checks, independently of the parser, that every event's byte range lies in the body and holds one whole JSON
 * object (QJsonDocument reads it as an object, nothing before or after).
 */
void verifySlices(const ParseResult &r, const QByteArray &body)
{
    for (const Event &e : r.events) {
        QVERIFY(e.payloadOffset >= 0);
        QVERIFY(e.payloadLength > 0);
        QVERIFY(e.payloadOffset + e.payloadLength <= body.size());
        const QByteArray slice = payloadOf(body, e);
        QVERIFY2(slice.startsWith('{') && slice.endsWith('}'), slice.left(80).constData());
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(slice, &error);
        // Qt refuses numbers beyond doubles, which the parser accepts with a warning.
        if (error.error == QJsonParseError::IllegalNumber)
            continue;
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        QVERIFY(doc.isObject());
    }
}

/** Whether a JSON or UTF-8 error message names its line, column and byte. */
bool isPositionedError(const QString &error)
{
    static const QRegularExpression positioned(QStringLiteral(
        R"(^invalid (JSON at line \d+, column \d+ \(byte \d+\)|UTF-8 at byte \d+ \(line \d+, column \d+\)): .+)"));
    return positioned.match(error).hasMatch();
}

QByteArray sampleEvent(int i, const QString &identifier = {})
{
    return test::akeneoEvent(QStringLiteral("00000000-0000-4000-8000-%1").arg(i, 12, 10, QLatin1Char('0')),
                             QStringLiteral("product.updated"), QStringLiteral("2025-03-18T14:02:11+00:00"),
                             identifier.isNull() ? QStringLiteral("SKU-%1").arg(i) : identifier);
}

} // namespace

class TestPayloadParser : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void golden_data()
    {
        QTest::addColumn<QString>("dir");
        const QDir root(formatsDir());
        const QStringList cases = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        QVERIFY2(cases.size() >= 30, qPrintable(root.path()));
        for (const QString &name : cases)
            QTest::newRow(qPrintable(name)) << root.filePath(name);
    }

    void golden()
    {
        QFETCH(QString, dir);
        const QByteArray body = test::readFile(dir + QStringLiteral("/body"));
        PayloadParser parser;
        const ParseResult r = parser.parse(body);
        verifySlices(r, body);
        if (QTest::currentTestFailed())
            return;

        const QString expectedPath = dir + QStringLiteral("/expected.json");
        if (updateGolden()) {
            QFile out(expectedPath);
            QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
            out.write(QJsonDocument(toJson(r, body)).toJson(QJsonDocument::Indented));
            qInfo("updated %s", qPrintable(expectedPath));
        }

        QJsonParseError jsonError;
        const QJsonObject expected = QJsonDocument::fromJson(test::readFile(expectedPath), &jsonError).object();
        QVERIFY2(jsonError.error == QJsonParseError::NoError, qPrintable(jsonError.errorString()));
        const QString actual = compact(toJson(r, body));

        QCOMPARE(formatName(r.format), expected.value(QStringLiteral("format")).toString());
        const QJsonValue error = expected.value(QStringLiteral("error"));
        if (error.isNull())
            QVERIFY2(r.error.isNull(), qPrintable(r.error));
        else
            QVERIFY2(r.error.contains(error.toString()), qPrintable(r.error));

        const QJsonArray warnings = expected.value(QStringLiteral("warnings")).toArray();
        QVERIFY2(r.warnings.size() == warnings.size(), qPrintable(r.warnings.join(u'\n')));
        for (qsizetype i = 0; i < warnings.size(); ++i)
            QVERIFY2(r.warnings.at(i).contains(warnings.at(i).toString()), qPrintable(r.warnings.at(i)));

        const QJsonArray events = expected.value(QStringLiteral("events")).toArray();
        QVERIFY2(r.events.size() == events.size(), qPrintable(actual));
        for (qsizetype i = 0; i < events.size(); ++i) {
            const QJsonObject want = events.at(i).toObject();
            const QJsonObject got = toJson(r.events.at(i), body, true);
            QVERIFY2(want.contains(QStringLiteral("payload")) || want.contains(QStringLiteral("payload_sha256")),
                     "an expected event needs payload or payload_sha256");
            QCOMPARE(want.size(), 11);
            for (auto it = want.begin(); it != want.end(); ++it)
                QVERIFY2(got.value(it.key()) == it.value(),
                         qPrintable(
                             QStringLiteral("events[%1].%2: got %3").arg(QString::number(i), it.key(), compact(got))));
        }

        // The receiver's quick parse owes the same answer: format, error, the events' seq. Its warnings are the
        // full parse's without those about the events (in the same order).
        const ParseResult quick = parser.parse(body, PayloadParser::Depth::Envelope);
        QCOMPARE(quick.format, r.format);
        QCOMPARE(quick.error, r.error);
        QCOMPARE(quick.events.size(), r.events.size());
        for (qsizetype i = 0; i < r.events.size(); ++i) {
            QCOMPARE(quick.events[i].seq, r.events[i].seq);
        }
        qsizetype next = 0;
        for (const QString &w : quick.warnings) {
            while (next < r.warnings.size() && r.warnings[next] != w)
                ++next;
            QVERIFY2(next < r.warnings.size(),
                     qPrintable(QStringLiteral("a warning the full parse does not give: ") + w));
            ++next;
        }
    }

    void emptyAndNullStrings()
    {
        const QByteArray body
            = R"({"events":[{"action":"product.removed","event_id":"","event_datetime":"2025-03-18T14:02:11+00:00",)"
              R"("author":"","author_type":null,"pim_source":"x","data":{"resource":{"identifier":""}}}]})";
        PayloadParser parser;
        const ParseResult r = parser.parse(body);
        QVERIFY(r.ok());
        QCOMPARE(r.events.size(), 1);
        const Event &e = r.events.first();
        QVERIFY(!e.eventId.isNull() && e.eventId.isEmpty());
        QVERIFY(!e.author.isNull() && e.author.isEmpty());
        QVERIFY(!e.subjectId.isNull() && e.subjectId.isEmpty());
        QVERIFY(e.authorType.isNull());
        QVERIFY(e.subjectUuid.isNull());
        QCOMPARE(r.warnings, QStringList{QStringLiteral("events[0].author_type is null, expected a string")});
    }

    void offsets_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QList<QByteArray>>("payloads");
        QTest::addColumn<int>("format");

        const QByteArray e0 = sampleEvent(0);
        const QByteArray e1 = sampleEvent(1, QStringLiteral("a}\\\"]{\\\\"));
        const QByteArray e2 = sampleEvent(2, QStringLiteral("\\\\\\\\"));
        const QByteArray e3 = sampleEvent(3, QStringLiteral("{[\\\"\\\\\\\""));
        const auto akeneo = int(Format::Akeneo);
        QTest::newRow("compact") << test::akeneoBody({e0, e1, e2}) << QList<QByteArray>{e0, e1, e2} << akeneo;
        QTest::newRow("spaces and crlf") << QByteArray("\r\n { \"events\" :\r\n [\t" + e0 + " ,\n\n  " + e1 + "\n,\t"
                                                       + e3 + " ]\r\n}\r\n")
                                         << QList<QByteArray>{e0, e1, e3} << akeneo;
        QTest::newRow("events not first")
            << QByteArray("{\"meta\":{\"events\":[{\"a\":\"}\"}]},\"x\":\"\\\"\",\"events\":[" + e2 + "," + e0 + "]}")
            << QList<QByteArray>{e2, e0} << akeneo;
        QTest::newRow("escaped key") << QByteArray("{\"\\u0065vents\":[" + e1 + "]}") << QList<QByteArray>{e1}
                                     << akeneo;
        QTest::newRow("bom") << QByteArray("\xEF\xBB\xBF" + test::akeneoBody({e3})) << QList<QByteArray>{e3} << akeneo;
        QTest::newRow("no envelope") << QByteArray(" \n" + e1 + "\n") << QList<QByteArray>{e1} << akeneo;

        const QByteArray c0
            = "{\"specversion\":\"1.0\",\"id\":\"a\",\"type\":\"com.akeneo.pim.v1.product.deleted\","
              "\"source\":\"pim\",\"time\":\"2025-03-18T14:02:11Z\",\"data\":{\"product\":{\"uuid\":\"u-\\\"}\"}}}";
        const QByteArray c1 = "{ \"type\" : \"com.akeneo.pim.v1.product-model.created\", \"specversion\" : \"1.0\", "
                              "\"id\" : \"b\", \"source\" : \"pim\", \"time\" : \"2025-03-18T14:02:11Z\", "
                              "\"data\" : { \"product_model\" : { \"code\" : \"]\" } } }";
        const auto platform = int(Format::AkeneoEventPlatform);
        QTest::newRow("cloud events batch")
            << QByteArray("[" + c0 + ",\n  " + c1 + "  ]") << QList<QByteArray>{c0, c1} << platform;
        QTest::newRow("cloud event") << QByteArray("\t" + c1 + "\n") << QList<QByteArray>{c1} << platform;

        const QByteArray quable = test::sample("quable_example.json").trimmed();
        QTest::newRow("quable") << QByteArray("\n\n" + quable + "\n\n") << QList<QByteArray>{quable}
                                << int(Format::Quable);
    }

    void offsets()
    {
        QFETCH(QByteArray, body);
        QFETCH(QList<QByteArray>, payloads);
        QFETCH(int, format);
        PayloadParser parser;
        const ParseResult r = parser.parse(body);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(int(r.format), format);
        QCOMPARE(r.events.size(), payloads.size());
        for (qsizetype i = 0; i < payloads.size(); ++i) {
            QCOMPARE(r.events.at(i).seq, int(i));
            QCOMPARE(payloadOf(body, r.events.at(i)), payloads.at(i));
            // The payload sits where it was written, not merely somewhere with the same bytes.
            QCOMPARE(r.events.at(i).payloadOffset,
                     body.indexOf(payloads.at(i), i ? r.events.at(i - 1).payloadOffset + 1 : 0));
        }
        verifySlices(r, body);
    }

    void quableSource_data()
    {
        QTest::addColumn<QByteArray>("links");
        QTest::addColumn<QString>("pimSource"); // null: none
        auto self = [](const char *href) -> QByteArray {
            return "[{\"rel\":\"self\",\"href\":\"" + QByteArray(href) + "\"}]";
        };
        QTest::newRow("document") << self("https://maisonbois.quable.com/api_1.php/documents/X")
                                  << QStringLiteral("https://maisonbois.quable.com");
        QTest::newRow("case, user info, port, query") << self("HTTPS://user:secret@MaisonBois.Quable.com:8443/x?y#z")
                                                      << QStringLiteral("https://maisonbois.quable.com:8443");
        QTest::newRow("host only") << self("https://maisonbois.quable.com")
                                   << QStringLiteral("https://maisonbois.quable.com");
        QTest::newRow("query right after host")
            << self("https://maisonbois.quable.com?x=1") << QStringLiteral("https://maisonbois.quable.com");
        QTest::newRow("ipv6") << self("http://[::1]:8080/api") << QStringLiteral("http://[::1]:8080");
        QTest::newRow("escaped slashes") << self("https:\\/\\/maisonbois.quable.com\\/api")
                                         << QStringLiteral("https://maisonbois.quable.com");
        QTest::newRow("relative") << self("/api_1.php/documents/X") << QString();
        QTest::newRow("no scheme") << self("maisonbois.quable.com/api") << QString();
        QTest::newRow("empty scheme") << self("://maisonbois.quable.com") << QString();
        QTest::newRow("bad scheme") << self("1http://maisonbois.quable.com") << QString();
        QTest::newRow("empty host") << self("https:///api") << QString();
        QTest::newRow("only a port") << self("https://:443/api") << QString();
        QTest::newRow("other rel only") << QByteArray("[{\"rel\":\"parent\",\"href\":\"https://a.quable.com/x\"}]")
                                        << QString();
        QTest::newRow("self after other") << QByteArray("[{\"rel\":\"parent\",\"href\":\"https://a.quable.com/x\"},"
                                                        "{\"href\":\"https://b.quable.com/y\",\"rel\":\"self\"}]")
                                          << QStringLiteral("https://b.quable.com");
        QTest::newRow("href not a string") << QByteArray("[{\"rel\":\"self\",\"href\":42}]") << QString();
        QTest::newRow("links not an array")
            << QByteArray("{\"rel\":\"self\",\"href\":\"https://a.quable.com/x\"}") << QString();
    }

    void quableSource()
    {
        QFETCH(QByteArray, links);
        QFETCH(QString, pimSource);
        const QByteArray body = "{\"uuid\":\"9f2c7e41-3a8d-4b65-b0d7-1e6a5c93f8b2\",\"code\":\"document.update\","
                                "\"created_at\":\"2025-03-18T09:41:27+00:00\",\"created_by\":\"m.lefebvre\","
                                "\"resource\":{\"code\":\"SKU_1\",\"type\":\"document\",\"links\":"
            + links + "}}";
        PayloadParser parser;
        const ParseResult r = parser.parse(body);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.format, Format::Quable);
        QCOMPARE(r.events.size(), 1);
        QCOMPARE(r.events.first().pimSource, pimSource);
        QCOMPARE(r.events.first().pimSource.isNull(), pimSource.isNull());
        QVERIFY(r.warnings.isEmpty());
    }

    void sampleBatch()
    {
        const QByteArray body = test::sample("akeneo_batch_example.json");
        PayloadParser parser;
        const ParseResult r = parser.parse(body);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.format, Format::Akeneo);
        QCOMPARE(r.events.size(), 10);
        QVERIFY(r.warnings.isEmpty());
        // Each slice is exactly the object at events[i] of an independent parse.
        const QJsonArray events = QJsonDocument::fromJson(body).object().value(QStringLiteral("events")).toArray();
        for (qsizetype i = 0; i < r.events.size(); ++i)
            QCOMPARE(QJsonDocument::fromJson(payloadOf(body, r.events.at(i))).object(), events.at(i).toObject());
    }

    void errorPosition_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("error");
        QTest::newRow("literal on line 2")
            << QByteArray("{\n  \"a\": tru\n}")
            << QStringLiteral("invalid JSON at line 2, column 8 (byte 9): invalid literal");
        QTest::newRow("columns count characters")
            << QByteArray("{\"\xC3\xA9\":x}")
            << QStringLiteral("invalid JSON at line 1, column 6 (byte 6): unexpected 'x'");
        QTest::newRow("unterminated string")
            << QByteArray("{\"events\":[{\"a\":\"b")
            << QStringLiteral("invalid JSON at line 1, column 17 (byte 16): unterminated string");
        QTest::newRow("end inside object")
            << QByteArray("{\"events\":[]")
            << QStringLiteral("(byte 12): unexpected end of the body; the object opened at byte 0 is not closed");
        QTest::newRow("trailing comma") << QByteArray("[1,]")
                                        << QStringLiteral("(byte 3): unexpected ']'; expected a value");
        QTest::newRow("single quotes") << QByteArray("{'a':1}")
                                       << QStringLiteral("(byte 1): unexpected '''; expected a string key or '}'");
        QTest::newRow("bad escape") << QByteArray("[\"a\\x\"]")
                                    << QStringLiteral("(byte 3): invalid escape sequence '\\x'");
        QTest::newRow("lone surrogate") << QByteArray("[\"\\ud800\"]")
                                        << QStringLiteral("(byte 2): high surrogate \\ud800");
        QTest::newRow("leading zero") << QByteArray("[01]")
                                      << QStringLiteral("(byte 2): unexpected '1'; expected ',' or ']'");
        QTest::newRow("bare minus") << QByteArray("[-]") << QStringLiteral("(byte 1): invalid number");
        QTest::newRow("tab in string") << QByteArray("[\"a\tb\"]")
                                       << QStringLiteral("(byte 3): unescaped control character U+0009");
        QTest::newRow("stray continuation")
            << QByteArray("[\"a\x80\"]")
            << QStringLiteral("invalid UTF-8 at byte 3 (line 1, column 4): unexpected continuation byte 0x80");
        QTest::newRow("overlong") << QByteArray("[\"\xC0\xAF\"]") << QStringLiteral("invalid UTF-8 at byte 2");
        QTest::newRow("encoded surrogate")
            << QByteArray("[\"\xED\xA0\x80\"]")
            << QStringLiteral("invalid UTF-8 at byte 2 (line 1, column 3): overlong, surrogate");
        QTest::newRow("utf8 outside strings")
            << QByteArray("[\xC3\xA9]") << QStringLiteral("(byte 1): unexpected '\u00E9'");
        QTest::newRow("two documents") << QByteArray("{} {}")
                                       << QStringLiteral("(byte 3): unexpected '{'; expected nothing after");
        QTest::newRow("bom only") << QByteArray("\xEF\xBB\xBF") << QStringLiteral("(byte 3): no JSON value");
        QTest::newRow("bom offsets") << QByteArray("\xEF\xBB\xBF[x]")
                                     << QStringLiteral("line 1, column 2 (byte 4): unexpected 'x'");
    }

    void errorPosition()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, error);
        PayloadParser parser;
        const ParseResult r = parser.parse(body);
        QVERIFY2(r.error.contains(error), qPrintable(r.error));
        QVERIFY(r.events.isEmpty());
    }

    void hugeString()
    {
        PayloadParser parser;
        // A 1 MB value in an Akeneo event.
        const QString big(1 << 20, u'x');
        const QByteArray event = sampleEvent(7).replace("\"julia\"", QByteArray("\"" + big.toLatin1() + "\""));
        const QByteArray body = test::akeneoBody({sampleEvent(6), event});
        ParseResult r = parser.parse(body);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.events.size(), 2);
        QCOMPARE(r.events.at(1).author, big);
        QCOMPARE(payloadOf(body, r.events.at(1)), event);

        // 50 MB strings: valid, then cut short, then with a bad byte at the very end.
        QByteArray blob = "{\"blob\":\"" + QByteArray(50 << 20, 'y') + "\"}";
        r = parser.parse(blob);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.format, Format::Unknown);
        blob.chop(2);
        r = parser.parse(blob);
        QVERIFY2(r.error.contains(QStringLiteral("(byte 8): unterminated string")), qPrintable(r.error));
        blob += "\x01\"}";
        r = parser.parse(blob);
        QVERIFY2(r.error.contains(QStringLiteral("byte %1): unescaped control character U+0001").arg(blob.size() - 3)),
                 qPrintable(r.error));

        // The parser still works for small bodies afterwards.
        r = parser.parse(test::akeneoBody({sampleEvent(1)}));
        QVERIFY(r.ok());
        QCOMPARE(r.events.size(), 1);
    }

    void deepNesting_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("error"); // empty: accepted
        QTest::newRow("100000 open arrays")
            << QByteArray(100000, '[') << QStringLiteral("(byte 1024): nesting deeper than 1024 levels");
        QTest::newRow("100000 closed arrays") << QByteArray(QByteArray(100000, '[') + QByteArray(100000, ']'))
                                              << QStringLiteral("(byte 1024): nesting deeper than 1024 levels");
        QTest::newRow("100000 objects") << QByteArray("{\"a\":").repeated(100000)
                                        << QStringLiteral("(byte 5120): nesting deeper than 1024 levels");
        QTest::newRow("envelope then deep") << QByteArray("{\"events\":[{\"data\":" + QByteArray(100000, '['))
                                            << QStringLiteral("(byte 1040): nesting deeper than 1024 levels");
        QTest::newRow("1024 levels") << QByteArray(QByteArray(1024, '[') + QByteArray(1024, ']')) << QString();
        QTest::newRow("1025 levels") << QByteArray(QByteArray(1025, '[') + QByteArray(1025, ']'))
                                     << QStringLiteral("(byte 1024): nesting deeper than 1024 levels");
    }

    void deepNesting()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, error);
        PayloadParser parser;
        const ParseResult r = parser.parse(body);
        if (error.isEmpty()) {
            QVERIFY2(r.ok(), qPrintable(r.error));
            QCOMPARE(r.format, Format::Unknown);
        } else {
            QVERIFY2(r.error.contains(error), qPrintable(r.error));
        }
    }

    void truncatedBodies()
    {
        // Every strict prefix of a valid body is an error with a position, and an Akeneo one once "events" shows.
        const QByteArray body = test::sample("akeneo_batch_example.json").trimmed();
        const qsizetype eventsKeyEnd = body.indexOf("\"events\"") + 8;
        PayloadParser parser;
        for (qsizetype n = 1; n < body.size(); n += n < 200 ? 1 : 41) {
            const QByteArray prefix = body.left(n);
            const ParseResult r = parser.parse(prefix);
            QVERIFY2(isPositionedError(r.error), qPrintable(QString::number(n) + u' ' + r.error));
            QCOMPARE(r.format, n >= eventsKeyEnd ? Format::Akeneo : Format::Unknown);
            QVERIFY(r.events.isEmpty());
        }
    }

    void randomBytes()
    {
        // Whatever the bytes: no crash, byte ranges that hold whole objects, errors that say where, and nothing
        // accepted that Qt's own JSON parser refuses.
        QRandomGenerator random(20250318);
        PayloadParser parser;
        const QByteArray sample = test::sample("akeneo_batch_example.json");
        const QByteArray symbols = "{}[],:\"\\ \n0-.eEtfnulx\x80\xC3\xFF";
        for (int round = 0; round < 3000; ++round) {
            QByteArray body;
            if (round % 3 == 0) {
                body.resize(random.bounded(0, 300));
                for (char &c : body)
                    c = char(random.bounded(256));
            } else {
                body = sample;
                const int edits = random.bounded(1, 4);
                for (int k = 0; k < edits; ++k)
                    body[random.bounded(body.size())] = symbols.at(random.bounded(symbols.size()));
            }
            const ParseResult r = parser.parse(body);
            verifySlices(r, body);
            if (QTest::currentTestFailed())
                return;
            if (r.format == Format::AkeneoTest) // empty or whitespace: not JSON, but Akeneo's test request
                continue;
            if (r.error.startsWith(QStringLiteral("invalid "))) {
                QVERIFY2(isPositionedError(r.error), qPrintable(r.error));
                continue;
            }
            // Accepted: Qt's parser must agree. (Qt is more lenient, e.g. with raw control characters in strings, so
            // the other way round proves nothing.) Qt refuses scalar roots and numbers beyond doubles, which the
            // parser accepts (it blanks such numbers out for simdjson).
            QJsonParseError qtError;
            QJsonDocument::fromJson(body, &qtError);
            const QByteArray trimmed = body.trimmed();
            const bool scalarRoot = !trimmed.startsWith('{') && !trimmed.startsWith('[');
            QVERIFY2(
                qtError.error == QJsonParseError::NoError || qtError.error == QJsonParseError::IllegalNumber
                    || scalarRoot,
                qPrintable(qtError.errorString() + QStringLiteral(": ") + QString::fromLatin1(body.left(200).toHex())));
        }
    }

    void reuse()
    {
        PayloadParser parser;
        PayloadParser fresh;
        const QByteArray sample = test::sample("akeneo_batch_example.json");
        const QByteArray small = test::akeneoBody({sampleEvent(1)});
        QByteArray large = test::akeneoBody({sampleEvent(2, QString(3 << 20, u'z'))});
        QVERIFY(large.size() > PayloadParser::retainedCapacity);
        const QList<QByteArray> bodies{sample, small, large, small, "[", sample, "", large};
        for (const QByteArray &body : bodies) {
            const ParseResult a = parser.parse(body);
            const ParseResult b = PayloadParser().parse(body);
            QCOMPARE(compact(toJson(a, body)), compact(toJson(b, body)));
        }
        PayloadParser moved(std::move(fresh));
        QCOMPARE(moved.parse(small).events.size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestPayloadParser)
#include "tst_payloadparser.moc"
