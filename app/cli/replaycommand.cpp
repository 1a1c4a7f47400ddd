#include "replaycommand.h"

#include "commands.h"

#include "replay/replayer.h"
#include "replay/replaysigner.h"
#include "store/eventstore.h"
#include "util/timeutil.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>

#include <QLocale>

#include <cmath>
#include <cstdio>

namespace pimscope::cli {

namespace {

constexpr int anyFailed = 3;

void printReplayError(const QString &message)
{
    printCommandError(QStringLiteral("replay"), message);
}

} // namespace

int replayCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Send captured events to a URL, signed and paced like the PIM."));
    parser.addOption(dbOption());
    parser.addOption(secretHeaderOption());
    parser.addOption(
        {QStringLiteral("filter"),
         QStringLiteral("Send the events matching EXPR (default: all; earlier replays and imported log events "
                        "only when EXPR asks for their origin)."),
         QStringLiteral("EXPR")});
    parser.addOption({QStringLiteral("to"), QStringLiteral("The target URL (http or https)."), QStringLiteral("URL")});
    parser.addOption({QStringLiteral("secret-env"),
                      QStringLiteral("Sign with the secret in this environment variable."), QStringLiteral("VAR")});
    parser.addOption({QStringLiteral("secret-name"), QStringLiteral("Sign with this secret of the OS keychain."),
                      QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("secondary-secret-env"),
                      QStringLiteral("Event Platform messages: also sign with this environment variable's secret, as "
                                     "the subscription's secondary secret (X-AKENEO-SIGNATURE-SECONDARY)."),
                      QStringLiteral("VAR")});
    parser.addOption({QStringLiteral("secondary-secret-name"),
                      QStringLiteral("Event Platform messages: also sign with this keychain secret, as the "
                                     "subscription's secondary secret."),
                      QStringLiteral("NAME")});
    parser.addOption(
        {QStringLiteral("as-received"), QStringLiteral("Send each original delivery's exact body, one request each.")});
    parser.addOption({QStringLiteral("batch-size"),
                      QStringLiteral("Akeneo events per request when rebatching (default 10)."), QStringLiteral("N")});
    parser.addOption(
        {QStringLiteral("rps"), QStringLiteral("Requests per second, evenly spaced."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("per-hour"), QStringLiteral("Requests per hour, evenly spaced (Akeneo: 4000)."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("concurrency"),
                      QStringLiteral("Requests in flight at most (default 1, which keeps the order)."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("order"),
                      QStringLiteral("original, event-time, reverse or shuffle (default original)."),
                      QStringLiteral("ORDER")});
    parser.addOption(
        {QStringLiteral("seed"), QStringLiteral("Seed of shuffle and duplicates (default 0)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("duplicates"), QStringLiteral("Probability of sending a request twice (0 to 1)."),
                      QStringLiteral("P")});
    parser.addOption({QStringLiteral("timeout-ms"),
                      QStringLiteral("Deadline of each request (default 500, as Akeneo)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("insecure"), QStringLiteral("Accept any TLS certificate.")});
    parser.addOption({QStringLiteral("as-sender"),
                      QStringLiteral("Behave as each request's sender: its deadline and success rule, its retries "
                                     "after a failure, the Event Platform's rate slowed by 429s, and a stop where it "
                                     "would cut the subscription off.")});
    parser.addOption({QStringLiteral("retry-scale"),
                      QStringLiteral("With --as-sender: multiply the retry delays by this (0.001 makes 5 min 0.3 s)."),
                      QStringLiteral("FACTOR")});
    parser.addOption({QStringLiteral("dry-run"), QStringLiteral("Print what would be sent; send nothing.")});
    if (auto exit = parseCommandLine(parser, args, QStringLiteral("replay")))
        return *exit;

    const auto usage = [](const QString &message) {
        printReplayError(message);
        return int(UsageError);
    };
    // Whole numbers for counts; NaN and infinities are refused (toDouble accepts "nan").
    const auto number
        = [&parser](const QString &name, double min, double max, double fallback, bool *ok, bool integral = true) {
              if (!parser.isSet(name))
                  return fallback;
              bool valid = false;
              const double v = parser.value(name).toDouble(&valid);
              if (!valid || !std::isfinite(v) || v < min || v > max || (integral && v != std::floor(v))) {
                  *ok = false;
                  return fallback;
              }
              return v;
          };
    const QUrl url(parser.value(QStringLiteral("to")), QUrl::StrictMode);
    if (!parser.isSet(QStringLiteral("to")))
        return usage(QStringLiteral("--to URL is required"));
    if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https") || url.host().isEmpty())
        return usage(QStringLiteral("--to: '%1' is not an http or https URL").arg(parser.value(QStringLiteral("to"))));
    if (parser.isSet(QStringLiteral("secret-env")) && parser.isSet(QStringLiteral("secret-name")))
        return usage(QStringLiteral("give --secret-env or --secret-name, not both"));
    const bool secondary
        = parser.isSet(QStringLiteral("secondary-secret-env")) || parser.isSet(QStringLiteral("secondary-secret-name"));
    if (parser.isSet(QStringLiteral("secondary-secret-env")) && parser.isSet(QStringLiteral("secondary-secret-name")))
        return usage(QStringLiteral("give --secondary-secret-env or --secondary-secret-name, not both"));
    if (secondary && !parser.isSet(QStringLiteral("secret-env")) && !parser.isSet(QStringLiteral("secret-name")))
        return usage(QStringLiteral("a secondary secret goes with a primary one (--secret-env or --secret-name): the "
                                    "Event Platform always signs with its primary secret"));
    if (parser.isSet(QStringLiteral("rps")) && parser.isSet(QStringLiteral("per-hour")))
        return usage(QStringLiteral("give --rps or --per-hour, not both"));
    if (parser.isSet(QStringLiteral("as-received")) && parser.isSet(QStringLiteral("batch-size")))
        return usage(QStringLiteral("--batch-size rebatches: it cannot go with --as-received"));
    bool ok = true;
    ReplayPlanOptions plan;
    plan.mode = parser.isSet(QStringLiteral("as-received")) ? ReplayMode::AsReceived : ReplayMode::Rebatched;
    plan.batchSize = int(number(QStringLiteral("batch-size"), 1, 1000, 10, &ok));
    if (!ok)
        return usage(QStringLiteral("--batch-size: give a whole number from 1 to 1000"));
    plan.duplicates = number(QStringLiteral("duplicates"), 0, 1, 0, &ok, false);
    if (!ok)
        return usage(QStringLiteral("--duplicates: give a probability from 0 to 1"));
    plan.seed = quint64(number(QStringLiteral("seed"), 0, 9e15, 0, &ok));
    if (!ok)
        return usage(QStringLiteral("--seed: give a whole number of 0 or more"));
    if (parser.isSet(QStringLiteral("order"))) {
        const auto order = replayOrderFromName(parser.value(QStringLiteral("order")));
        if (!order)
            return usage(QStringLiteral("--order: '%1' is not one of original, event-time, reverse, shuffle")
                             .arg(parser.value(QStringLiteral("order"))));
        plan.order = *order;
    }
    ReplayTarget target;
    target.url = url;
    const auto redactor = redactorOf(parser);
    if (!redactor)
        return usage(redactor.error());
    target.redactor = *redactor;
    target.concurrency = int(number(QStringLiteral("concurrency"), 1, 256, 1, &ok));
    if (!ok)
        return usage(QStringLiteral("--concurrency: give a whole number from 1 to 256"));
    target.timeoutMs = int(number(QStringLiteral("timeout-ms"), 1, 3600000, 500, &ok));
    if (!ok)
        return usage(QStringLiteral("--timeout-ms: give a whole number of milliseconds from 1 to 3600000"));
    if (parser.isSet(QStringLiteral("rps")))
        target.ratePerSecond = number(QStringLiteral("rps"), 0.0001, 1e6, 0, &ok, false);
    else if (parser.isSet(QStringLiteral("per-hour")))
        target.ratePerSecond = number(QStringLiteral("per-hour"), 0.01, 1e9, 0, &ok, false) / 3600.0;
    if (!ok)
        return usage(QStringLiteral("--rps / --per-hour: give a positive rate"));
    target.insecure = parser.isSet(QStringLiteral("insecure"));
    target.asSender = parser.isSet(QStringLiteral("as-sender"));
    if (parser.isSet(QStringLiteral("retry-scale")) && !target.asSender)
        return usage(QStringLiteral("--retry-scale goes with --as-sender"));
    target.retryScale = number(QStringLiteral("retry-scale"), 0, 1000, 1, &ok, false);
    if (!ok)
        return usage(QStringLiteral("--retry-scale: give a factor from 0 to 1000"));
    if (target.asSender && parser.isSet(QStringLiteral("timeout-ms")))
        return usage(QStringLiteral("--timeout-ms cannot go with --as-sender (each sender's own deadline applies)"));
    target.stopIfUnreachable = true;
    const Filter filter = Filter::parse(parser.value(QStringLiteral("filter")));
    if (!filter.isValid())
        return usage(QStringLiteral("--filter: ") + filter.error().message);

    for (const auto &[prefix, secret] : {std::pair{QString(), &target.secrets.primary},
                                         std::pair{QStringLiteral("secondary-"), &target.secrets.secondary}}) {
        auto read = secretOf(parser, prefix);
        if (!read) {
            printReplayError(read.error());
            return Failure;
        }
        *secret = read.value();
    }

    StoreOptions existing;
    existing.createIfMissing = false; // a capture to replay from, not a new one
    auto store = EventStore::open(dbPath(parser), existing);
    if (!store) {
        printReplayError(store.error());
        return Failure;
    }
    auto planned = planReplay(store.value()->reader(), filter, {}, plan);
    if (!planned) {
        printReplayError(planned.error());
        return Failure;
    }
    const ReplayPlan &p = planned.value();
    for (const QString &warning : signingWarnings(p.requests, target.secrets))
        printReplayError(
            QStringLiteral("warning: ") + warning
            + (target.secrets.primary.isEmpty() ? QStringLiteral("; give --secret-env or --secret-name") : QString()));
    for (const QString &note : p.notes)
        printReplayError(QStringLiteral("note: ") + note);
    if (p.requests.isEmpty()) {
        printLine(p.notes.isEmpty()
                      ? QStringLiteral("nothing to send: no event matches")
                      : QStringLiteral("nothing to send: no event matches, or every one was left out (see the notes)"));
        return Success;
    }
    if (parser.isSet(QStringLiteral("dry-run"))) {
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        for (qsizetype i = 0; i < p.requests.size(); ++i) {
            const ReplayRequest &r = p.requests[i];
            // One multi-argument arg(): a URL's own %2F must not be taken for a placeholder.
            printLine(QStringLiteral("#%1 POST %2  %3 events, %4 bytes, %5%6")
                          .arg(QString::number(i + 1), url.toString(QUrl::RemoveUserInfo),
                               QString::number(r.eventCount), QLocale().toString(r.body.size()), formatName(r.format),
                               r.duplicate ? QStringLiteral(" (duplicate)") : QString()));
            for (const Header &h : replayHeaders(r, target.secrets, now))
                printLine(QStringLiteral("    %1: %2")
                              .arg(QString::fromLatin1(h.name),
                                   target.redactor.isSecretHeader(h.name) ? QStringLiteral("[secret]")
                                                                          : QString::fromLatin1(h.value)));
        }
        printLine(
            QStringLiteral("dry run: %L1 requests, %L2 events; nothing sent").arg(p.requests.size()).arg(p.events));
        return Success;
    }

    Replayer replayer(target, p.requests, store.value().get());
    QObject::connect(&replayer, &Replayer::requestFinished, [](const ReplayResult &r) {
        printLine(QStringLiteral("%1  %2  %3 ms  %4 events  %5%6%7%8")
                      .arg(toIsoUtc(r.sentAtMs), r.status ? QString::number(*r.status) : QStringLiteral("---"))
                      .arg(r.latencyMs, 7, 'f', 1)
                      .arg(r.eventCount, 3)
                      .arg(outcomeName(r), r.error.isEmpty() ? QString() : QStringLiteral(": ") + r.error,
                           r.duplicate ? QStringLiteral(" (duplicate)") : QString(),
                           r.attempt > 1 ? QStringLiteral(" (attempt %1)").arg(r.attempt) : QString()));
    });
    QObject::connect(&replayer, &Replayer::finished, [] { QCoreApplication::quit(); });

    // Ctrl+C stops sending; what was sent stays stored.
    auto stopping = onSignals(&replayer, [&replayer] { replayer.cancel(); });
    if (!stopping) {
        printReplayError(stopping.error());
        return Failure;
    }
    replayer.start();
    QCoreApplication::exec();
    stopping->reset(); // Ctrl+C ends the process again (while the results are stored, say)
    const ReplaySummary &s = replayer.summary();
    if (!store.value()->flush())
        printReplayError(QStringLiteral("warning: not every result could be stored in the capture"));
    if (s.unreachable) {
        printReplayError(
            QStringLiteral("cannot reach %1: %2").arg(url.toString(QUrl::RemoveUserInfo), s.unreachableError));
        return Failure;
    }
    printLine(describeReplay(s));
    if (target.asSender) // every request delivered in the end, and the subscription never cut off
        return s.delivered == s.planned && s.cutOff.isEmpty() && !s.cancelled ? int(Success) : anyFailed;
    return s.ok == s.planned && !s.cancelled ? int(Success) : anyFailed;
}

} // namespace pimscope::cli
