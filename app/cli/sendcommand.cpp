#include "sendcommand.h"

#include "commands.h"

#include "compose/composer.h"
#include "compose/eventtemplates.h"
#include "formats/payloadparser.h"
#include "model/senderprofile.h"
#include "replay/replayer.h"
#include "replay/replayplan.h"
#include "store/eventstore.h"
#include "store/storereader.h"
#include "util/printable.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>

#include <cstdio>

namespace pimscope::cli {

namespace {

constexpr int notASuccess = 3;
constexpr qsizetype answerShown = 2000; ///< bytes of each answer's body printed

void printSendError(const QString &message)
{
    printCommandError(QStringLiteral("send"), message);
}

/**
 * What --template, --file or --from-event gives, with the faults asked for. A failure says why; `unreadable` then
 * says whether a file or the capture could not be read (else what was asked cannot be composed: a usage error).
 */
Result<Composed> composedOf(const QCommandLineParser &parser, const QList<Fault> &faults, bool *unreadable,
                            EditSource *source)
{
    using R = Result<Composed>;
    const QStringList sets = parser.values(QStringLiteral("set"));
    if (parser.isSet(QStringLiteral("template"))) {
        QStringList problems;
        const auto found
            = findTemplate(loadTemplates(userTemplateDir(), &problems), parser.value(QStringLiteral("template")));
        for (const QString &p : std::as_const(problems))
            printSendError(QStringLiteral("warning: a template left out: ") + p);
        if (!found)
            return R::failure(QStringLiteral("--template: ") + found.error());
        ComposeRequest request;
        request.eventTemplate = *found;
        source->templateKey = found->key();
        request.faults = faults;
        request.nowMs = QDateTime::currentMSecsSinceEpoch();
        bool ok = true;
        request.batch = parser.isSet(QStringLiteral("batch")) ? parser.value(QStringLiteral("batch")).toInt(&ok) : 1;
        if (!ok)
            return R::failure(QStringLiteral("--batch: give a whole number from 1 to 1000"));
        for (const QString &set : sets) {
            const qsizetype eq = set.indexOf(u'=');
            if (eq <= 0)
                return R::failure(QStringLiteral("--set '%1': give KEY=VALUE").arg(set));
            request.values.insert(set.left(eq), set.mid(eq + 1));
        }
        auto composed = compose(request);
        if (!composed)
            return R::failure(composed.error());
        return composed;
    }
    if (!sets.isEmpty() || parser.isSet(QStringLiteral("batch")))
        return R::failure(QStringLiteral("--set and --batch fill a template: they go with --template"));
    if (parser.isSet(QStringLiteral("file"))) {
        QFile file(parser.value(QStringLiteral("file")));
        *unreadable = true;
        if (!file.open(QIODevice::ReadOnly))
            return R::failure(QStringLiteral("--file %1: %2").arg(file.fileName(), file.errorString()));
        *unreadable = false;
        QByteArray body = file.readAll();
        const ParseResult parsed = PayloadParser().parse(body, PayloadParser::Depth::Envelope);
        return composeBody(std::move(body), parsed.format, int(parsed.events.size()), faults);
    }
    bool ok = false;
    const qint64 id = parser.value(QStringLiteral("from-event")).toLongLong(&ok);
    if (!ok || id <= 0)
        return R::failure(QStringLiteral("--from-event: give an event's id (a whole number)"));
    *unreadable = true;
    auto reader = StoreReader::open(dbPath(parser));
    if (!reader)
        return R::failure(reader.error());
    const auto events = (*reader)->events({id});
    if (!events)
        return R::failure(events.error());
    if (events->isEmpty())
        return R::failure(QStringLiteral("--from-event: no event %1 in %2").arg(id).arg(dbPath(parser)));
    *unreadable = false;
    const EventRecord &e = events->first();
    source->eventId = e.event.id;
    source->deliveryId = e.event.deliveryId;
    // The event's own bytes, in its sender's envelope (the Events API's holds a list of events).
    QByteArray body = e.format == Format::Akeneo ? akeneoEnvelope({e.payload}) : e.payload;
    return composeBody(std::move(body), e.format, 1, faults);
}

} // namespace

int sendCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Compose an event (a template, a file, an event of the capture), sign it as its sender would and send it."));
    parser.addOption({QStringLiteral("to"), QStringLiteral("The target URL (http or https)."), QStringLiteral("URL")});
    parser.addOption({QStringLiteral("template"), QStringLiteral("A template, SENDER:TYPE (see --list-templates)."),
                      QStringLiteral("KEY")});
    parser.addOption(
        {QStringLiteral("file"), QStringLiteral("Send this file's bytes as the body."), QStringLiteral("BODY")});
    parser.addOption({QStringLiteral("from-event"),
                      QStringLiteral("Send this event of the capture, in its sender's envelope."),
                      QStringLiteral("ID")});
    parser.addOption(
        {QStringLiteral("set"),
         QStringLiteral("A template's value, KEY=VALUE (repeatable; {n}: the event's number in the batch). "
                        "Keys: %1.")
             .arg(composeKeys().join(QStringLiteral(", "))),
         QStringLiteral("KEY=VALUE")});
    parser.addOption({QStringLiteral("batch"),
                      QStringLiteral("Events API templates: this many events in the envelope (1 to 1000)."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("secret-env"),
                      QStringLiteral("Sign with the secret in this environment variable."), QStringLiteral("VAR")});
    parser.addOption({QStringLiteral("secret-name"), QStringLiteral("Sign with this secret of the OS keychain."),
                      QStringLiteral("NAME")});
    QStringList faultHelp;
    for (const QString &name : faultNames())
        faultHelp << name + QStringLiteral(" (") + faultDescription(*faultFromName(name)) + u')';
    parser.addOption({QStringLiteral("fault"),
                      QStringLiteral("A deliberate fault (repeatable): ") + faultHelp.join(QStringLiteral("; ")) + u'.',
                      QStringLiteral("NAME")});
    parser.addOption(
        {QStringLiteral("times"), QStringLiteral("Send it this many times (default 1)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("insecure"), QStringLiteral("Accept any TLS certificate.")});
    parser.addOption({QStringLiteral("list-templates"), QStringLiteral("Print the templates there are, and exit.")});
    parser.addOption(dbOption());
    if (auto exit = parseCommandLine(parser, args, QStringLiteral("send")))
        return *exit;
    const auto usage = [](const QString &message) {
        printSendError(message);
        return int(UsageError);
    };

    if (parser.isSet(QStringLiteral("list-templates"))) {
        QStringList problems;
        for (const EventTemplate &t : loadTemplates(userTemplateDir(), &problems))
            printLine(t.origin.startsWith(u':') ? t.key() : t.key() + QStringLiteral("  (") + t.origin + u')');
        for (const QString &p : std::as_const(problems))
            printSendError(QStringLiteral("warning: a template left out: ") + p);
        return Success;
    }
    const int sources = int(parser.isSet(QStringLiteral("template"))) + int(parser.isSet(QStringLiteral("file")))
        + int(parser.isSet(QStringLiteral("from-event")));
    if (sources != 1)
        return usage(QStringLiteral("give one of --template SENDER:TYPE, --file BODY, --from-event ID"));
    if (!parser.isSet(QStringLiteral("to")))
        return usage(QStringLiteral("--to URL is required"));
    const QUrl url(parser.value(QStringLiteral("to")), QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https") || url.host().isEmpty())
        return usage(QStringLiteral("--to: '%1' is not an http or https URL").arg(parser.value(QStringLiteral("to"))));
    if (parser.isSet(QStringLiteral("secret-env")) && parser.isSet(QStringLiteral("secret-name")))
        return usage(QStringLiteral("give --secret-env or --secret-name, not both"));
    QList<Fault> faults;
    for (const QString &name : parser.values(QStringLiteral("fault"))) {
        const auto f = faultFromName(name);
        if (!f)
            return usage(QStringLiteral("--fault: '%1' is not one of %2")
                             .arg(printableAscii(name.toUtf8(), 40), faultNames().join(QStringLiteral(", "))));
        if (!faults.contains(*f))
            faults.append(*f);
    }
    bool ok = true;
    const int times = parser.isSet(QStringLiteral("times")) ? parser.value(QStringLiteral("times")).toInt(&ok) : 1;
    if (!ok || times < 1 || times > 10000)
        return usage(QStringLiteral("--times: give a whole number from 1 to 10000"));

    bool unreadable = false;
    EditSource source;
    const auto composed = composedOf(parser, faults, &unreadable, &source);
    if (!composed) {
        printSendError(composed.error());
        return unreadable ? int(Failure) : int(UsageError);
    }
    ReplayTarget target;
    target.url = url;
    target.insecure = parser.isSet(QStringLiteral("insecure"));
    const SenderProfile &sender = senderProfile(composed->format);
    target.timeoutMs = int(sender.deadlineMs); // judged as its sender judges: within its deadline
    target.stopIfUnreachable = true;
    target.keepAnswerBytes = answerShown;
    auto secret = secretOf(parser);
    if (!secret) {
        printSendError(secret.error());
        return Failure;
    }
    target.secrets.primary = *secret;
    if (target.secrets.primary.isEmpty()) {
        if (faults.contains(Fault::Expired))
            return usage(QStringLiteral("expired signs with a timestamp 10 minutes old: give --secret-env or "
                                        "--secret-name"));
        printSendError(faults.contains(Fault::InvalidSignature)
                           ? QStringLiteral("warning: no secret: the request goes with a signature made up to be wrong")
                           : QStringLiteral("warning: no secret: the request goes unsigned; give --secret-env or "
                                            "--secret-name"));
    }

    auto store = EventStore::open(dbPath(parser));
    if (!store) {
        printSendError(store.error());
        return Failure;
    }
    ReplayRequest request;
    request.format = composed->format;
    request.body = composed->body;
    request.eventCount = composed->eventCount;
    request.eventIds = composed->eventIds;
    request.faults = composed->faults;
    for (const Fault f : faults)
        source.faults << faultName(f);
    if (source != EditSource())
        request.editSource = source; // what it was made from, stored with each result (the Compare tab shows it)
    printLine(QStringLiteral("POST %1  %2, %3, %4 bytes%5")
                  .arg(
                      url.toString(QUrl::RemoveUserInfo), formatName(request.format),
                      request.eventCount == 1 ? QStringLiteral("1 event")
                                              : QStringLiteral("%1 events").arg(request.eventCount),
                      QString::number(request.body.size()),
                      faults.isEmpty() ? QString() : QStringLiteral(", faults: ") + [&faults] {
                          QStringList names;
                          for (const Fault f : faults)
                              names << faultName(f);
                          return names.join(QStringLiteral(", "));
                      }()));

    Replayer replayer(target, QList<ReplayRequest>(times, request), store.value().get());
    int successes = 0;
    int failuresInARow = 0;
    QObject::connect(&replayer, &Replayer::requestFinished, [&](const ReplayResult &r) {
        const AnswerJudgement judged = judgeAnswer(r, request.format, failuresInARow);
        successes += judged.success ? 1 : 0;
        printLine(QStringLiteral("#%1  %2  %3 ms  %4")
                      .arg(r.index + 1)
                      .arg(r.status ? QString::number(*r.status) : QStringLiteral("---"))
                      .arg(r.latencyMs, 0, 'f', 1)
                      .arg(judged.wording));
        if (!r.error.isEmpty())
            printLine(QStringLiteral("    ") + r.error);
        for (const Header &h : r.answerHeaders)
            printLine(QStringLiteral("    < %1: %2").arg(printableAscii(h.name, 80), printableAscii(h.value, 200)));
        if (!r.answerBody.isEmpty())
            printLine(QStringLiteral("    ") + printableAscii(r.answerBody, answerShown));
    });
    QObject::connect(&replayer, &Replayer::finished, [] { QCoreApplication::quit(); });
    auto stopping = onSignals(&replayer, [&replayer] { replayer.cancel(); });
    if (!stopping) {
        printSendError(stopping.error());
        return Failure;
    }
    replayer.start();
    QCoreApplication::exec();
    stopping->reset();
    if (!store.value()->flush())
        printSendError(QStringLiteral("warning: what was sent could not all be stored in the capture"));
    const ReplaySummary &s = replayer.summary();
    if (s.unreachable) {
        printSendError(
            QStringLiteral("cannot reach %1: %2").arg(url.toString(QUrl::RemoveUserInfo), s.unreachableError));
        return Failure;
    }
    return successes == times && !s.cancelled ? int(Success) : notASuccess;
}

} // namespace pimscope::cli
