// The tunnels a user asks for (`receive --tunnel`, the settings): each provider's spec read, every problem named, the
// spec written back as read, the URL known before the start where there is one, and the command line each runs.

#include "tunnel/tunnelspec.h"

#include <QTest>

using namespace pimscope;

class TestTunnelSpec : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void cloudflared();
    void ngrok();
    void ssh();
    void command();
    void problemsAreNamed_data();
    void problemsAreNamed();
    void specsReadBack_data();
    void specsReadBack();
};

namespace {

TunnelSpec parsed(const QString &text)
{
    const auto spec = parseTunnelSpec(text);
    if (!spec)
        qFatal("%s: %s", qPrintable(text), qPrintable(spec.error()));
    return *spec;
}

} // namespace

void TestTunnelSpec::cloudflared()
{
    const TunnelSpec quick = parsed(QStringLiteral("cloudflared"));
    QCOMPARE(quick.provider, TunnelProvider::Cloudflared);
    QCOMPARE(quick.program, QStringLiteral("cloudflared"));
    QVERIFY(!quick.knownUrl()); // a new trycloudflare.com URL at each start, read from its output
    QCOMPARE(tunnelArguments(quick, 8787),
             (QStringList{QStringLiteral("tunnel"), QStringLiteral("--no-autoupdate"), QStringLiteral("--url"),
                          QStringLiteral("http://127.0.0.1:8787")}));

    const TunnelSpec named
        = parsed(QStringLiteral("cloudflared,name=pimscope,hostname=hooks.example.com,program=/opt/cf/cloudflared"));
    QCOMPARE(named.program, QStringLiteral("/opt/cf/cloudflared"));
    QCOMPARE(named.knownUrl(), QUrl(QStringLiteral("https://hooks.example.com")));
    QCOMPARE(
        tunnelArguments(named, 8787),
        (QStringList{QStringLiteral("tunnel"), QStringLiteral("--no-autoupdate"), QStringLiteral("run"),
                     QStringLiteral("--url"), QStringLiteral("http://127.0.0.1:8787"), QStringLiteral("pimscope")}));
}

void TestTunnelSpec::ngrok()
{
    const TunnelSpec plain = parsed(QStringLiteral("ngrok"));
    QVERIFY(!plain.knownUrl());
    QCOMPARE(tunnelArguments(plain, 9000),
             (QStringList{QStringLiteral("http"), QStringLiteral("http://127.0.0.1:9000"), QStringLiteral("--log"),
                          QStringLiteral("stdout"), QStringLiteral("--log-format"), QStringLiteral("json")}));
    const TunnelSpec reserved = parsed(QStringLiteral("ngrok,domain=pim-hooks.ngrok.app"));
    QCOMPARE(reserved.knownUrl(), QUrl(QStringLiteral("https://pim-hooks.ngrok.app")));
    QVERIFY(tunnelArguments(reserved, 9000).contains(QStringLiteral("--url=https://pim-hooks.ngrok.app")));
}

void TestTunnelSpec::ssh()
{
    // The user's own server: its HTTPS front serves the forwarded port at the URL given; nothing runs there (-N).
    const TunnelSpec own = parsed(
        QStringLiteral("ssh:deploy@hooks.example.com:2222,remote-port=9001,url=https://hooks.example.com/pim"));
    QCOMPARE(own.sshTarget, QStringLiteral("deploy@hooks.example.com"));
    QCOMPARE(own.sshPort, 2222);
    QCOMPARE(own.remotePort, 9001);
    QCOMPARE(own.knownUrl(), QUrl(QStringLiteral("https://hooks.example.com/pim")));
    const QStringList args = tunnelArguments(own, 8787);
    QCOMPARE(args.back(), QStringLiteral("deploy@hooks.example.com"));
    QVERIFY(args.contains(QStringLiteral("-N")));
    QCOMPARE(args[args.indexOf(QStringLiteral("-R")) + 1], QStringLiteral("9001:127.0.0.1:8787"));
    QCOMPARE(args[args.indexOf(QStringLiteral("-p")) + 1], QStringLiteral("2222"));
    QVERIFY(args.contains(QStringLiteral("BatchMode=yes"))); // never a password prompt: there is no terminal
    QVERIFY(args.contains(QStringLiteral("ExitOnForwardFailure=yes")));

    // A public service (localhost.run): port 80 on its side, a session (no -N) where it prints the URL.
    const TunnelSpec service = parsed(QStringLiteral("ssh:nokey@localhost.run"));
    QCOMPARE(service.sshPort, 22);
    QCOMPARE(service.remotePort, 80);
    QVERIFY(!service.knownUrl());
    QVERIFY(!tunnelArguments(service, 8787).contains(QStringLiteral("-N")));
    QVERIFY(tunnelArguments(service, 8787).contains(QStringLiteral("80:127.0.0.1:8787")));

    // A key of its own (only that one offered) and a known_hosts file of its own.
    const TunnelSpec keyed
        = parsed(QStringLiteral("ssh:u@h.example.com,identity=/home/u/.ssh/pim_ed25519,known-hosts=/home/u/kh"));
    const QStringList keyedArgs = tunnelArguments(keyed, 8787);
    QCOMPARE(keyedArgs[keyedArgs.indexOf(QStringLiteral("-i")) + 1], QStringLiteral("/home/u/.ssh/pim_ed25519"));
    QVERIFY(keyedArgs.contains(QStringLiteral("IdentitiesOnly=yes")));
    QVERIFY(keyedArgs.contains(QStringLiteral("UserKnownHostsFile=/home/u/kh")));
    QCOMPARE(keyedArgs.back(), QStringLiteral("u@h.example.com"));
    QVERIFY(!parseTunnelSpec(QStringLiteral("ngrok,identity=/k")));
}

void TestTunnelSpec::command()
{
    const TunnelSpec c = parsed(QStringLiteral(
        "cmd:'/usr/local/bin/bore local {port} --to bore.pub',url-pattern=listening at (bore\\.pub:\\d{2,5})"));
    QCOMPARE(c.program, QStringLiteral("/usr/local/bin/bore"));
    QCOMPARE(tunnelArguments(c, 8787),
             (QStringList{QStringLiteral("local"), QStringLiteral("8787"), QStringLiteral("--to"),
                          QStringLiteral("bore.pub")}));
    QCOMPARE(c.urlPattern.pattern(), QStringLiteral("listening at (bore\\.pub:\\d{2,5})")); // its comma kept
    // Unquoted: the whole rest is the command.
    QCOMPARE(parsed(QStringLiteral("cmd:mytunnel --port {port}")).command, QStringLiteral("mytunnel --port {port}"));
}

void TestTunnelSpec::problemsAreNamed_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QString>("error");
    QTest::newRow("unknown provider") << "frp"
                                      << "unknown tunnel 'frp'";
    QTest::newRow("cloudflared target") << "cloudflared:x"
                                        << "cloudflared takes options after a comma";
    QTest::newRow("named without hostname") << "cloudflared,name=a"
                                            << "needs both name= and hostname=";
    QTest::newRow("bad hostname") << "cloudflared,name=a,hostname=https://x"
                                  << "is not a host name";
    QTest::newRow("bad domain") << "ngrok,domain=a b"
                                << "domain 'a b' is not a host name";
    QTest::newRow("ssh without user") << "ssh:example.com"
                                      << "ssh needs USER@HOST[:PORT]";
    QTest::newRow("ssh bad port") << "ssh:u@example.com:99999"
                                  << "'99999' is not an SSH port";
    QTest::newRow("ssh http url") << "ssh:u@h,remote-port=9001,url=http://h/x"
                                  << "is not an https:// URL";
    QTest::newRow("ssh url without port") << "ssh:u@h,url=https://h/x"
                                          << "needs remote-port=N";
    QTest::newRow("ssh bad remote port") << "ssh:u@h,remote-port=0"
                                         << "remote-port '0' is not a port";
    QTest::newRow("option of another") << "ngrok,hostname=x"
                                       << "unknown option 'hostname' for ngrok";
    QTest::newRow("not an option") << "ngrok,verbose"
                                   << "'verbose' is not an option";
    QTest::newRow("empty command") << "cmd:''"
                                   << "cmd needs a command";
    QTest::newRow("unclosed quote") << "cmd:'x {port}"
                                    << "the command has no closing '";
    QTest::newRow("bad pattern") << "cmd:'x',url-pattern=("
                                 << "is not a regular expression";
    QTest::newRow("after the quote") << "cmd:'x'y"
                                     << "options follow a comma";
}

void TestTunnelSpec::problemsAreNamed()
{
    QFETCH(QString, spec);
    QFETCH(QString, error);
    const auto r = parseTunnelSpec(spec);
    QVERIFY(!r);
    QVERIFY2(r.error().contains(error), qPrintable(r.error()));
}

void TestTunnelSpec::specsReadBack_data()
{
    QTest::addColumn<QString>("spec");
    for (const char *s :
         {"cloudflared", "cloudflared,name=pimscope,hostname=hooks.example.com", "cloudflared,program=/opt/cloudflared",
          "ngrok", "ngrok,domain=pim.ngrok.app", "ssh:nokey@localhost.run",
          "ssh:u@h.example.com:2222,remote-port=9001,url=https://h.example.com/p",
          "ssh:u@h.example.com,identity=/k/id_ed25519,known-hosts=/k/known_hosts",
          "cmd:'bore local {port} --to bore.pub',url-pattern=(bore\\.pub:\\d+)"})
        QTest::newRow(s) << QString::fromLatin1(s);
}

void TestTunnelSpec::specsReadBack()
{
    QFETCH(QString, spec);
    QCOMPARE(parsed(spec).spec(), spec);
}

QTEST_GUILESS_MAIN(TestTunnelSpec)
#include "tst_tunnelspec.moc"
