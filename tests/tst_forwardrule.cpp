// The forwarding rules of `receive --forward PREFIX=URL[,mode=proxy|ack][,insecure][,concurrency=N]`: how a rule is
// read (every problem named), which rule a request's path takes, the URL it goes to and the headers it carries.

#include "forward/forwardrule.h"

#include <QTest>

using namespace pimscope;

class TestForwardRule : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parses_data();
    void parses();
    void refuses_data();
    void refuses();
    void longestPrefixOnSegmentBoundaries();
    void targetUrl_data();
    void targetUrl();
    void headers();
};

void TestForwardRule::parses_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QByteArray>("prefix");
    QTest::addColumn<QString>("target");
    QTest::addColumn<bool>("ack");
    QTest::addColumn<bool>("insecure");
    QTest::addColumn<int>("concurrency");
    QTest::addColumn<QString>("written");
    QTest::newRow("proxy by default") << "/akeneo=http://localhost:3000/hooks" << QByteArray("/akeneo")
                                      << "http://localhost:3000/hooks" << false << false << 1
                                      << "/akeneo=http://localhost:3000/hooks";
    QTest::newRow("trailing slash of the prefix")
        << "/akeneo/=https://dev.example.com/" << QByteArray("/akeneo") << "https://dev.example.com/" << false << false
        << 1 << "/akeneo=https://dev.example.com/";
    QTest::newRow("root") << "/=http://127.0.0.1:8080" << QByteArray("/") << "http://127.0.0.1:8080" << false << false
                          << 1 << "/=http://127.0.0.1:8080";
    QTest::newRow("ack, insecure, concurrency")
        << "/quable=https://10.0.0.5/q,mode=ack,insecure,concurrency=4" << QByteArray("/quable") << "https://10.0.0.5/q"
        << true << true << 4 << "/quable=https://10.0.0.5/q,mode=ack,insecure,concurrency=4";
    QTest::newRow("options in any order") << "/q=http://h/q,insecure,mode=proxy" << QByteArray("/q") << "http://h/q"
                                          << false << true << 1 << "/q=http://h/q,insecure";
    // A comma of the URL's own is written %2C (the options follow the first comma).
    QTest::newRow("comma in the query") << "/ep=http://h/in?tags=a%2Cb,mode=ack" << QByteArray("/ep")
                                        << "http://h/in?tags=a%2Cb" << true << false << 1
                                        << "/ep=http://h/in?tags=a%2Cb,mode=ack";
    QTest::newRow("IPv6 target") << "/a=http://[::1]:3000/x" << QByteArray("/a") << "http://[::1]:3000/x" << false
                                 << false << 1 << "/a=http://[::1]:3000/x";
}

void TestForwardRule::parses()
{
    QFETCH(QString, spec);
    const auto rule = parseForwardRule(spec);
    QVERIFY2(rule, qPrintable(rule.error()));
    QTEST(rule->prefix, "prefix");
    QTEST(rule->target.toString(QUrl::FullyEncoded), "target");
    QTEST(rule->mode == ForwardMode::Ack, "ack");
    QTEST(rule->insecure, "insecure");
    QTEST(rule->concurrency, "concurrency");
    QTEST(rule->spec(), "written");
    // What it writes reads back as the same rule.
    QCOMPARE(parseForwardRule(rule->spec()).value(), rule.value());
}

void TestForwardRule::refuses_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QString>("error");
    QTest::newRow("no =") << "http://localhost:3000"
                          << "is not PREFIX=URL";
    QTest::newRow("prefix not a path") << "akeneo=http://h/"
                                       << "the prefix 'akeneo' is not a path";
    QTest::newRow("prefix with a query") << "/a?x=http://h/"
                                         << "without a query or fragment";
    QTest::newRow("no URL") << "/a="
                            << "no target URL after '/a='";
    QTest::newRow("not http") << "/a=ftp://h/x"
                              << "'ftp://h/x' is not an http or https URL";
    QTest::newRow("no host") << "/a=http:///x"
                             << "is not an http or https URL";
    QTest::newRow("user info") << "/a=http://me:pw@h/x"
                               << "holds user info";
    QTest::newRow("fragment") << "/a=http://h/x#top"
                              << "has a fragment";
    QTest::newRow("unknown mode") << "/a=http://h/x,mode=mirror"
                                  << "mode=mirror: the mode is proxy or ack";
    QTest::newRow("concurrency 0") << "/a=http://h/x,mode=ack,concurrency=0"
                                   << "give a whole number from 1 to 64";
    QTest::newRow("concurrency 65") << "/a=http://h/x,mode=ack,concurrency=65"
                                    << "give a whole number from 1 to 64";
    QTest::newRow("concurrency in proxy mode") << "/a=http://h/x,concurrency=2"
                                               << "concurrency goes with mode=ack";
    QTest::newRow("unknown option") << "/a=http://h/x,insecrue"
                                    << "unknown option 'insecrue'";
}

void TestForwardRule::refuses()
{
    QFETCH(QString, spec);
    QFETCH(QString, error);
    const auto rule = parseForwardRule(spec);
    QVERIFY(!rule);
    QVERIFY2(rule.error().contains(error), qPrintable(rule.error()));
    // The password of a URL is never repeated in a message.
    QVERIFY(!rule.error().contains(QStringLiteral("pw@")));
}

void TestForwardRule::longestPrefixOnSegmentBoundaries()
{
    QList<ForwardRule> rules;
    for (const char *spec : {"/=http://all/", "/akeneo=http://akeneo/", "/akeneo/ep=http://ep/", "/akeneo=http://2nd/"})
        rules.append(parseForwardRule(QString::fromLatin1(spec)).value());
    const auto host = [&](const char *path) {
        const ForwardRule *r = forwardRuleFor(rules, path);
        return r ? r->target.host() : QString();
    };
    QCOMPARE(host("/akeneo"), QStringLiteral("akeneo")); // the first on a tie
    QCOMPARE(host("/akeneo/products?x=1"), QStringLiteral("akeneo"));
    QCOMPARE(host("/akeneo/ep"), QStringLiteral("ep"));
    QCOMPARE(host("/akeneo/ep/x"), QStringLiteral("ep"));
    QCOMPARE(host("/akeneo/epx"), QStringLiteral("akeneo"));
    QCOMPARE(host("/akeneox"), QStringLiteral("all"));
    QCOMPARE(host("/?akeneo"), QStringLiteral("all")); // the query is not the path
    rules.removeFirst();
    QCOMPARE(host("/quable"), QString()); // no rule: not forwarded
    QCOMPARE(forwardRuleFor({}, "/akeneo"), nullptr);
}

void TestForwardRule::targetUrl_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QString>("url");
    QTest::newRow("rest of the path appended, query kept")
        << "/akeneo=http://localhost:3000/hooks" << QByteArray("/akeneo/products?x=1")
        << "http://localhost:3000/hooks/products?x=1";
    QTest::newRow("the prefix itself") << "/akeneo=http://localhost:3000/hooks" << QByteArray("/akeneo")
                                       << "http://localhost:3000/hooks";
    QTest::newRow("target ending with a slash")
        << "/akeneo=http://h/hooks/" << QByteArray("/akeneo/p") << "http://h/hooks/p";
    QTest::newRow("target without a path") << "/akeneo=http://h:3000" << QByteArray("/akeneo") << "http://h:3000/";
    QTest::newRow("root prefix") << "/=https://h/in" << QByteArray("/a/b?c=d") << "https://h/in/a/b?c=d";
    QTest::newRow("both queries") << "/e=http://h/x?token=t1" << QByteArray("/e?id=2") << "http://h/x?token=t1&id=2";
    QTest::newRow("encoded bytes stay encoded")
        << "/q=http://h/q" << QByteArray("/q/a%20b%2Fc?v=%C3%A9") << "http://h/q/a%20b%2Fc?v=%C3%A9";
}

void TestForwardRule::targetUrl()
{
    QFETCH(QString, spec);
    QFETCH(QByteArray, request);
    const ForwardRule rule = parseForwardRule(spec).value();
    QTEST(forwardUrl(rule, request).toString(QUrl::FullyEncoded), "url");
}

void TestForwardRule::headers()
{
    const Headers received = {
        {"Host", "abc.trycloudflare.com"},
        {"Content-Type", "application/json"},
        {"Connection", "keep-alive, X-Hop"},
        {"X-Hop", "dropped: named by Connection"},
        {"Keep-Alive", "timeout=5"},
        {"Transfer-Encoding", "chunked"},
        {"Content-Length", "123"},
        {"Expect", "100-continue"},
        {"TE", "trailers"},
        {"Upgrade", "h2c"},
        {"Proxy-Authorization", "Basic cHJveHk6cHc="},
        {"X-Akeneo-Request-Timestamp", "1742306531"},
        {"X-Akeneo-Request-Signature", "d4582dd1"},
        {"Authorization", "Bearer quable-token"},
        {"X-Custom", "one"},
        {"x-custom", "two"},
    };
    const Headers expected = {
        {"Host", "localhost:3000"},
        {"Content-Type", "application/json"},
        {"X-Akeneo-Request-Timestamp", "1742306531"},
        {"X-Akeneo-Request-Signature", "d4582dd1"},
        {"Authorization", "Bearer quable-token"},
        {"X-Custom", "one"},
        {"x-custom", "two"},
    };
    QCOMPARE(forwardHeaders(received, QUrl(QStringLiteral("http://localhost:3000/hooks"))), expected);
    // Host: the default port is not written; an IPv6 address is in brackets; added first when the request had none.
    QCOMPARE(forwardHeaders({{"host", "x"}}, QUrl(QStringLiteral("https://dev.example.com:443/"))),
             Headers({{"host", "dev.example.com"}}));
    QCOMPARE(forwardHeaders({{"A", "1"}}, QUrl(QStringLiteral("http://[::1]:8080/"))),
             Headers({{"Host", "[::1]:8080"}, {"A", "1"}}));
}

QTEST_GUILESS_MAIN(TestForwardRule)
#include "tst_forwardrule.moc"
