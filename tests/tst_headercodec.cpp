#include "store/headercodec.h"

#include <QTest>

using namespace pimscope;

class TestHeaderCodec : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundTrip_data()
    {
        QTest::addColumn<Headers>("headers");
        QTest::newRow("none") << Headers{};
        QTest::newRow("wire order and duplicates")
            << Headers{{"Host", "x"}, {"X-A", "1"}, {"x-a", "2"}, {"Content-Type", "application/json"}};
        QTest::newRow("empty value") << Headers{{"X-Empty", ""}};
        QTest::newRow("colon in value") << Headers{{"Date", "Tue, 18 Mar 2025 08:00:41 GMT"},
                                                   {"X-Url", "http://a:1/b"}};
        QTest::newRow("hostile name and value")
            << Headers{{"Na:me\\with\nnewline", "va\\lue\r\nX-Injected: yes"}, {"", "no name"}};
        QTest::newRow("non-UTF-8 bytes") << Headers{{"X-Latin1", "caf\xe9"}, {"X-Bin", QByteArray("\x00\x01\xff", 3)}};
    }
    void roundTrip()
    {
        QFETCH(Headers, headers);
        const QByteArray blob = headercodec::encode(headers);
        QCOMPARE(headercodec::decode(blob), headers);
        // One line per header: nothing a header holds can break the framing.
        QCOMPARE(blob.count('\n'), headers.size());
    }
    void readableText()
    {
        QCOMPARE(headercodec::encode({{"Content-Type", "application/json"}, {"X-A", "1"}}),
                 QByteArray("Content-Type: application/json\nX-A: 1\n"));
    }
};

QTEST_GUILESS_MAIN(TestHeaderCodec)
#include "tst_headercodec.moc"
