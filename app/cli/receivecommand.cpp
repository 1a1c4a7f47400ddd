#include "receivecommand.h"

#include "model/senderprofile.h"

#include "commands.h"
#include "storeoption.h"

#include "pgstore/pgstore.h"
#include "receiver/keychainrules.h"
#include "receiver/receiver.h"
#include "receiver/tlsconfig.h"
#include "secrets/keychainsecretstore.h"
#include "store/eventstore.h"
#include "tunnel/tunnelkeeper.h"
#include "util/timeutil.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHash>
#include <QSysInfo>
#include <QTimer>

#include <cstdio>

namespace pimscope::cli {

namespace {

void printReceiveError(const QString &message)
{
    printCommandError(QStringLiteral("receive"), message);
}

/** "  -> connector 200 in 12.3 ms: sent" or "  -> connector: no answer (Connection refused): no_answer". */
QString connectorLine(const ConnectorAnswer &c)
{
    const QString verdict = c.verdict ? connectorVerdictName(*c.verdict) : QStringLiteral("unknown");
    if (c.error.isNull() && c.status)
        return QStringLiteral("  -> connector %1 in %2 ms: %3")
            .arg(*c.status)
            .arg(c.endMs.value_or(0), 0, 'f', 1)
            .arg(verdict);
    QString line = QStringLiteral("  -> connector: no answer (%1): %2").arg(c.error, verdict);
    if (c.state == ForwardState::Queued && c.nextAttemptAtMs)
        line += QStringLiteral(", tried again at %1").arg(toIsoUtc(*c.nextAttemptAtMs));
    else if (c.state == ForwardState::GivenUp)
        line += QStringLiteral(", given up");
    return line;
}

/**
 * Reads the secrets the rules name from the OS keychain (the command's own event loop runs meanwhile; the
 * receiver is not listening yet) and turns them into signature rules; any secret that cannot be read is an error.
 */
Result<QList<SignatureRule>> readKeychainRules(const QList<KeychainRule> &wanted)
{
    using R = Result<QList<SignatureRule>>;
    KeychainSecretStore keychain;
    KeychainRuleLoader loader(&keychain, wanted);
    R result = R::failure(QStringLiteral("the keychain did not answer"));
    QObject::connect(&loader, &KeychainRuleLoader::loaded, &loader,
                     [&](const QList<SignatureRule> &rules, const QStringList &failures) {
                         result = failures.isEmpty() ? R(rules) : R::failure(failures.first());
                         QCoreApplication::quit();
                     });
    loader.start();
    QCoreApplication::exec();
    return result;
}

} // namespace

int receiveCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("pimscope receive: capture what PIMs POST."));
    parser.addOption({QStringLiteral("listen"),
                      QStringLiteral("Address and port (default 127.0.0.1:8787; port 0: any free port)."),
                      QStringLiteral("HOST:PORT"), QStringLiteral("127.0.0.1:8787")});
    parser.addOption(dbOption());
    parser.addOption(storeOption(QStringLiteral("Commit to")));
    parser.addOption({QStringLiteral("secret-env"),
                      QStringLiteral("Verify Akeneo signatures with the secret in this environment variable."),
                      QStringLiteral("VAR")});
    parser.addOption({QStringLiteral("secret-name"),
                      QStringLiteral("Verify Akeneo signatures with the secret of this name in the OS keychain "
                                     "(store it with: pimscope secret set NAME)."),
                      QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("verify"),
                      QStringLiteral("Per path prefix, which signature to check with which keychain secrets: "
                                     "PREFIX=akeneo:NAME, PREFIX=event-platform:PRIMARY[,SECONDARY] or "
                                     "PREFIX=quable:NAME (the expected Authorization value). Repeatable; the "
                                     "longest matching prefix applies."),
                      QStringLiteral("PREFIX=KIND:NAME")});
    parser.addOption(secretHeaderOption());
    parser.addOption({QStringLiteral("accept-invalid-signature"),
                      QStringLiteral("Answer normally whatever the signature verdict.")});
    parser.addOption({QStringLiteral("status"),
                      QStringLiteral("Answer valid deliveries with this status (default 200)."), QStringLiteral("CODE"),
                      QStringLiteral("200")});
    parser.addOption({QStringLiteral("delay-ms"), QStringLiteral("Wait this long before answering (default 0)."),
                      QStringLiteral("N"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("always-2xx"),
                      QStringLiteral("Answer this sender's requests 200 at once whatever --status, --delay-ms and the "
                                     "verdicts (still recorded), so that capturing never gets its subscription cut "
                                     "off: akeneo, akeneo-event-platform, quable or all. Repeatable."),
                      QStringLiteral("SENDER")});
    parser.addOption({QStringLiteral("max-body"),
                      QStringLiteral("Refuse bodies over this many bytes with 413 (default 16 MiB)."),
                      QStringLiteral("BYTES"), QString::number(16 * 1024 * 1024)});
    parser.addOption(
        {QStringLiteral("forward"),
         QStringLiteral(
             "Forward what arrives under PREFIX to your connector at URL (the rest of the path appended, the "
             "query kept). mode=proxy (the default): the PIM gets the connector's answer, judged by the "
             "sender's rules and recorded. mode=ack: Pimscope answers the PIM, then forwards in arrival "
             "order (concurrency=N at once), kept in the store until the connector answers (retried "
             "with back-off, given up after 24 h; resumed at the next start). insecure: accept any TLS "
             "certificate. A comma of the URL is written %2C. Repeatable; the longest prefix applies."),
         QStringLiteral("PREFIX=URL[,mode=proxy|ack][,insecure][,concurrency=N]")});
    parser.addOption(
        {QStringLiteral("ack-queue"),
         QStringLiteral("With --store and mode=ack: the name of this receiver's queue of forwards on the server, which "
                        "it alone sends and resumes after a restart (default: this host's name and the port it "
                        "listens on; give each receiver of a store its own, the same across restarts)."),
         QStringLiteral("NAME")});
    parser.addOption(
        {QStringLiteral("tunnel"),
         QStringLiteral("Give the receiver a public HTTPS URL (a SaaS PIM calls only those): runs the tunnel program, "
                        "checks the URL end to end, prints 'Public URL https://...' and any change. cloudflared (a "
                        "quick tunnel; ,name=NAME,hostname=HOST for a named one), ngrok (,domain=DOMAIN: a reserved "
                        "one), ssh:USER@HOST[:PORT] (a public SSH tunnel service; ,remote-port=N,url=URL for your own "
                        "server's HTTPS front) or cmd:'COMMAND {port}' (,url-pattern=REGEX); ,program=PATH when the "
                        "program is not on the PATH."),
         QStringLiteral("SPEC")});
    parser.addOption(
        {QStringLiteral("tls-cert"), QStringLiteral("Serve HTTPS with this PEM certificate."), QStringLiteral("PEM")});
    parser.addOption(
        {QStringLiteral("tls-key"), QStringLiteral("The PEM private key of --tls-cert."), QStringLiteral("PEM")});
    if (const auto exit = parseCommandLine(parser, args, QStringLiteral("receive")))
        return *exit;

    ReceiverSettings settings;
    if (!parseListenAddress(parser.value(QStringLiteral("listen")), settings.address, settings.port)) {
        printReceiveError(
            QStringLiteral("--listen must be HOST:PORT, not '%1'").arg(parser.value(QStringLiteral("listen"))));
        return UsageError;
    }
    bool ok = false;
    settings.answerStatus = parser.value(QStringLiteral("status")).toInt(&ok);
    if (!ok || settings.answerStatus < 100 || settings.answerStatus > 599) {
        printReceiveError(QStringLiteral("--status must be an HTTP status from 100 to 599"));
        return UsageError;
    }
    settings.answerDelayMs = parser.value(QStringLiteral("delay-ms")).toInt(&ok);
    if (!ok || settings.answerDelayMs < 0) {
        printReceiveError(QStringLiteral("--delay-ms must be a number of milliseconds"));
        return UsageError;
    }
    settings.limits.maxBodyBytes = parser.value(QStringLiteral("max-body")).toLongLong(&ok);
    if (!ok || settings.limits.maxBodyBytes < 0) {
        printReceiveError(QStringLiteral("--max-body must be a number of bytes"));
        return UsageError;
    }
    settings.acceptInvalidSignature = parser.isSet(QStringLiteral("accept-invalid-signature"));
    for (const QString &name : parser.values(QStringLiteral("always-2xx"))) {
        const std::optional<Format> f = senderFromName(name);
        if (name == u"all") {
            settings.alwaysSucceedFor = {Format::Akeneo, Format::AkeneoEventPlatform, Format::Quable};
        } else if (f) {
            if (!settings.alwaysSucceedFor.contains(*f))
                settings.alwaysSucceedFor.append(*f);
        } else {
            printReceiveError(
                QStringLiteral("--always-2xx takes akeneo, akeneo-event-platform, quable or all, not '%1'").arg(name));
            return UsageError;
        }
    }
    const auto redactor = redactorOf(parser);
    if (!redactor) {
        printReceiveError(redactor.error());
        return UsageError;
    }
    settings.signatures.secretHeaders = redactor->secretHeaders();
    const int secretSources
        = int(parser.isSet(QStringLiteral("secret-env"))) + int(parser.isSet(QStringLiteral("secret-name")));
    if (secretSources > 1) {
        printReceiveError(QStringLiteral("give --secret-env or --secret-name, not both"));
        return UsageError;
    }
    if (parser.isSet(QStringLiteral("secret-env"))) {
        const QString var = parser.value(QStringLiteral("secret-env"));
        const QByteArray secret = qgetenv(var.toLocal8Bit().constData());
        if (secret.isEmpty()) {
            printReceiveError(QStringLiteral("--secret-env: the environment variable %1 is empty or not set").arg(var));
            return UsageError;
        }
        SignatureRule rule;
        rule.name = var;
        rule.akeneoSecret = secret;
        settings.signatures.rules.append(rule);
    }
    // Rules whose secrets come from the keychain: filled in below, before listening.
    QList<KeychainRule> keychainRules;
    if (parser.isSet(QStringLiteral("secret-name")))
        keychainRules.append({"/", SecretKind::Akeneo, {parser.value(QStringLiteral("secret-name"))}});
    for (const QString &spec : parser.values(QStringLiteral("verify"))) {
        auto rule = parseKeychainRule(spec);
        if (!rule) {
            printReceiveError(QStringLiteral("--verify: ") + rule.error());
            return UsageError;
        }
        keychainRules.append(*rule);
    }
    std::optional<TunnelSpec> tunnelSpec;
    if (parser.isSet(QStringLiteral("tunnel"))) {
        auto spec = parseTunnelSpec(parser.value(QStringLiteral("tunnel")));
        if (!spec) {
            printReceiveError(QStringLiteral("--tunnel: ") + spec.error());
            return UsageError;
        }
        tunnelSpec = *spec;
        settings.probes = std::make_shared<ProbeRegistry>();
    }
    for (const QString &spec : parser.values(QStringLiteral("forward"))) {
        auto rule = parseForwardRule(spec);
        if (!rule) {
            printReceiveError(QStringLiteral("--forward: ") + rule.error());
            return UsageError;
        }
        settings.forwards.append(*rule);
    }
    if (parser.isSet(QStringLiteral("tls-cert")) != parser.isSet(QStringLiteral("tls-key"))) {
        printReceiveError(QStringLiteral("--tls-cert and --tls-key go together"));
        return UsageError;
    }
    if (parser.isSet(QStringLiteral("tls-cert"))) {
        auto tls = loadServerTls(parser.value(QStringLiteral("tls-cert")), parser.value(QStringLiteral("tls-key")));
        if (!tls) {
            printReceiveError(tls.error());
            return Failure;
        }
        settings.tls = *tls;
    }

    if (!keychainRules.isEmpty()) {
        auto rules = readKeychainRules(keychainRules);
        if (!rules) {
            printReceiveError(rules.error());
            return Failure;
        }
        settings.signatures.rules += *rules;
    }

    // The desktop's capture (SQLite), or a server's PostgreSQL store (--store).
    std::unique_ptr<EventStore> capture;
    std::unique_ptr<PgStore> server;
    DeliverySink *store = nullptr;
    if (parser.isSet(QStringLiteral("ack-queue")) && !parser.isSet(QStringLiteral("store"))) {
        printReceiveError(QStringLiteral("--ack-queue names a queue on a server's store: it goes with --store"));
        return UsageError;
    }
    if (twoStoresGiven(parser, QStringLiteral("receive")))
        return UsageError;
    if (parser.isSet(QStringLiteral("store"))) {
        const auto target = parsePgTarget(parser.value(QStringLiteral("store")));
        if (!target) {
            printReceiveError(QStringLiteral("--store: ") + target.error());
            return UsageError;
        }
        PgStore::Options options;
        options.queue = parser.isSet(QStringLiteral("ack-queue"))
            ? parser.value(QStringLiteral("ack-queue")).trimmed()
            : QStringLiteral("%1:%2").arg(QSysInfo::machineHostName()).arg(settings.port);
        if (parser.isSet(QStringLiteral("ack-queue")) && options.queue.isEmpty()) {
            printReceiveError(QStringLiteral("--ack-queue needs a name"));
            return UsageError;
        }
        if (hasAckRule(settings.forwards) && settings.port == 0 && !parser.isSet(QStringLiteral("ack-queue"))) {
            // Its default name, HOST:PORT, would be every such receiver's on this host, and another at each start.
            printReceiveError(QStringLiteral("mode=ack with --store and a port chosen at random (--listen …:0) needs "
                                             "--ack-queue NAME: the name of this receiver's queue on the server, the "
                                             "same across restarts"));
            return UsageError;
        }
        auto opened = PgStore::open(*target, storePassword(*target, QStringLiteral("receive")), options);
        if (!opened) {
            printReceiveError(opened.error());
            return Failure;
        }
        server = std::move(*opened);
        store = server.get();
        QObject::connect(server.get(), &PgStore::available, QCoreApplication::instance(),
                         [](bool up, const QString &message) {
                             if (up)
                                 std::fprintf(stderr, "pimscope: receive: %s\n", qPrintable(message));
                             else
                                 std::fprintf(stderr,
                                              "pimscope: receive: warning: %s: requests are answered 503 until it "
                                              "can be written to again\n",
                                              qPrintable(message));
                             std::fflush(stderr);
                         });
    } else {
        auto opened = EventStore::open(dbPath(parser));
        if (!opened) {
            printReceiveError(opened.error());
            return Failure;
        }
        capture = std::move(*opened);
        store = capture.get();
    }
    Receiver receiver(store, settings);
    // One line per delivery; written out within 20 ms rather than one write per line (at thousands of deliveries
    // a second those writes were a tenth of the process's time).
    QTimer flushLines;
    flushLines.setSingleShot(true);
    flushLines.setInterval(20);
    QObject::connect(&flushLines, &QTimer::timeout, [] { std::fflush(stdout); });
    QObject::connect(
        &receiver, &Receiver::answered, QCoreApplication::instance(), [&flushLines](const ReceivedDelivery &d) {
            std::printf("%s %d %s %d events %.1f ms%s%s%s\n", qPrintable(toIsoUtc(d.receivedAtMs)), d.status,
                        qPrintable(formatName(d.format)), d.eventCount, d.ackMs, d.error.isEmpty() ? "" : "  ",
                        qPrintable(d.error), d.connector ? qPrintable(connectorLine(*d.connector)) : "");
            if (!flushLines.isActive())
                flushLines.start();
        });
    QObject::connect(
        &receiver, &Receiver::forwarded, QCoreApplication::instance(), [&flushLines](const ConnectorAnswer &c) {
            std::printf("forwarded delivery %lld (attempt %d%s)%s\n", static_cast<long long>(c.deliveryId), c.attempts,
                        c.possiblyTwice ? ", possibly received twice" : "", qPrintable(connectorLine(c)));
            if (!flushLines.isActive())
                flushLines.start();
        });
    QObject::connect(&receiver, &Receiver::problem, QCoreApplication::instance(),
                     [](const QString &message) { printReceiveError(message); });
    // The moment the answers given would have made a sender disable or suspend a subscription, said as it happens.
    NewCutOffs cutOffs;
    cutOffs.update(store->health(), true);
    QObject::connect(store, &DeliverySink::healthChanged, QCoreApplication::instance(),
                     [&cutOffs](const QList<SubscriptionHealth> &all, bool read) {
                         for (const QString &sentence : cutOffs.update(all, read))
                             std::fprintf(stderr, "pimscope: receive: warning: %s\n", qPrintable(sentence));
                         std::fflush(stderr);
                     });
    const auto port = receiver.start();
    if (!port) {
        printReceiveError(port.error());
        return Failure;
    }
    if (!settings.address.isLoopback())
        std::fprintf(stderr, "pimscope: receive: warning: listening on %s: the capture is reachable from the network\n",
                     qPrintable(settings.address.toString()));
    // Simulated answers that would get a real subscription cut off: said before the PIM sends anything.
    for (const QString &risk :
         risksOfAnswering(settings.answerStatus, settings.answerDelayMs, settings.alwaysSucceedFor))
        std::fprintf(stderr, "pimscope: receive: warning: --status %d --delay-ms %d: %s\n", settings.answerStatus,
                     settings.answerDelayMs, qPrintable(risk));
    // SIGINT/SIGTERM stop it cleanly from the moment it says it is ready (a signal right after that line would
    // otherwise end the process before its commits).
    const auto signals = quitOnSignals();
    if (!signals) {
        printReceiveError(signals.error());
        return Failure;
    }

    std::printf("Listening on %s\n", qPrintable(receiver.url()));
    if (server)
        std::printf("Storing to %s\n", qPrintable(server->location()));
    for (const ForwardRule &rule : settings.forwards)
        std::printf("Forwarding %s to %s (%s)\n", rule.prefix.constData(),
                    qPrintable(rule.target.toString(QUrl::FullyEncoded)),
                    rule.mode == ForwardMode::Proxy ? "proxy: the PIM gets the connector's answer"
                                                    : "ack: Pimscope answers, then forwards in order");
    std::fflush(stdout);

    // The tunnel: started from this (the main) thread, so that the kernel ends it with the process, however it ends.
    // ngrok's authtoken from the keychain (pimscope secret set ngrok-authtoken), when it holds one.
    std::unique_ptr<KeychainSecretStore> tunnelSecrets; // before the keeper that reads it: it goes after
    std::unique_ptr<TunnelKeeper> tunnel;
    if (tunnelSpec) {
        tunnel = std::make_unique<TunnelKeeper>(*tunnelSpec, *port, settings.probes, TunnelKeeper::Options{});
        tunnel->probe().useTestEnvironment();
        if (tunnelCredential(tunnelSpec->provider)) {
            tunnelSecrets = std::make_unique<KeychainSecretStore>();
            tunnel->setSecretStore(tunnelSecrets.get());
        }
        QObject::connect(tunnel.get(), &TunnelKeeper::said, QCoreApplication::instance(),
                         [&tunnel, pasteSaid = false](const QString &message, TunnelKeeper::Level level) mutable {
                             if (level == TunnelKeeper::Level::Info) {
                                 std::printf("%s\n", qPrintable(message));
                                 if (!pasteSaid && !tunnel->reachableUrl().isEmpty()) {
                                     pasteSaid = true;
                                     for (const QString &line : TunnelKeeper::wherePaste(tunnel->reachableUrl()))
                                         std::printf("  %s\n", qPrintable(line));
                                 }
                                 std::fflush(stdout);
                             } else {
                                 std::fprintf(stderr, "pimscope: receive: %s: %s\n",
                                              level == TunnelKeeper::Level::Error ? "error" : "warning",
                                              qPrintable(message));
                                 std::fflush(stderr);
                             }
                         });
        tunnel->start();
    }

    QCoreApplication::exec();
    if (tunnel)
        tunnel->stop();
    receiver.stop();
    store->flush();
    return Success;
}

} // namespace pimscope::cli
