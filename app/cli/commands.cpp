#include "commands.h"

#include "importcommand.h"
#include "receivecommand.h"
#include "replaycommand.h"
#include "secretcommand.h"
#include "sendcommand.h"
#include "servercommands.h"

#include "export/exporter.h"
#include "filter/filter.h"
#include "secrets/keychainsecretstore.h"
#include "store/eventstore.h"
#include "store/healthscan.h"
#include "store/sqlitestatement.h"
#include "store/storereader.h"
#include "util/jsonwriter.h"
#include "util/timeutil.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSocketNotifier>
#include <QSysInfo>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace pimscope::cli {

namespace {

struct Command
{
    const char *name;
    const char *summary;
    int (*run)(const QStringList &args);
};

int exportCommand(const QStringList &args);
int statsCommand(const QStringList &args);

constexpr Command commands[] = {
    {"receive", "capture what PIMs POST to a local HTTP(S) endpoint into the capture", &receiveCommand},
    {"import", "import Akeneo event-subscription log files into the capture and print what went wrong", &importCommand},
    {"replay", "send captured events to a URL, signed and paced like the PIM", &replayCommand},
    {"send", "compose an event (a template, a file, a captured one), sign it as its sender would and send it",
     &sendCommand},
    {"export", "write events or deliveries of a capture to stdout (jsonl, csv, har, akeneo-log)", &exportCommand},
    {"stats", "print counts, answer times and the busiest hour of a capture as one JSON object", &statsCommand},
    {"secret", "store or delete a secret in the OS keychain (value from stdin)", &secretCommand},
    {"follow", "copy a server's PostgreSQL store into the capture, and keep copying what its receivers commit",
     &followCommand},
    {"prune", "delete the deliveries older than N days, on a server's PostgreSQL store or in a capture", &pruneCommand},
};

void printError(const QString &message)
{
    std::fprintf(stderr, "pimscope: %s\n", qPrintable(message));
}

bool writeOut(QByteArrayView bytes)
{
    if (bytes.isEmpty())
        return true;
    return std::fwrite(bytes.constData(), 1, std::size_t(bytes.size()), stdout) == std::size_t(bytes.size());
}

int exportCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption(dbOption());
    parser.addOption(secretHeaderOption());
    parser.addOption({QStringLiteral("filter"), QStringLiteral("Only what matches this filter expression."),
                      QStringLiteral("EXPR")});
    parser.addOption({QStringLiteral("what"), QStringLiteral("events (default) or deliveries."),
                      QStringLiteral("events|deliveries"), QStringLiteral("events")});
    parser.addOption(
        {QStringLiteral("format"),
         QStringLiteral("Output format: jsonl (JSON lines), csv, har (HAR 1.2: the deliveries' requests) or akeneo-log "
                        "(the deliveries as lines of the PIM's event log)."),
         QStringLiteral("FORMAT"), QStringLiteral("jsonl")});
    if (const auto exit = parseCommandLine(parser, args, QStringLiteral("export")))
        return *exit;

    const QString what = parser.value(QStringLiteral("what"));
    if (what != u"events" && what != u"deliveries") {
        printError(QStringLiteral("export: --what must be events or deliveries, not '%1'").arg(what));
        return UsageError;
    }
    const auto format = exportFormatFromName(parser.value(QStringLiteral("format")));
    if (!format) {
        printError(QStringLiteral("export: unsupported --format '%1' (supported: %2)")
                       .arg(parser.value(QStringLiteral("format")), exportFormatNames().join(QStringLiteral(", "))));
        return UsageError;
    }
    const Filter filter = Filter::parse(parser.value(QStringLiteral("filter")));
    if (!filter.isValid()) {
        printError(QStringLiteral("export: invalid --filter: %1").arg(filter.error().message));
        return UsageError;
    }

    const auto redactor = redactorOf(parser);
    if (!redactor) {
        printError(QStringLiteral("export: %1").arg(redactor.error()));
        return UsageError;
    }
    auto reader = StoreReader::open(dbPath(parser));
    if (!reader) {
        printError(reader.error());
        return Failure;
    }
    if (const auto unindexed = reader.value()->unindexedDeliveries(); unindexed && *unindexed > 0) {
        std::fprintf(stderr,
                     "pimscope: export: warning: the events of %lld received deliveries are not indexed yet, and are "
                     "missing from this export (a receiver is still indexing them, or was stopped abruptly: "
                     "`pimscope receive` or the window indexes them when it opens the capture)\n",
                     static_cast<long long>(*unindexed));
    }
    const FilterTarget target = what == u"events" ? FilterTarget::Events : FilterTarget::Deliveries;
    const auto ids = reader.value()->matchingIds(filter, target);
    if (!ids) {
        printError(ids.error());
        return Failure;
    }
    bool writeFailed = false;
    const auto written
        = runExport(*reader.value(), *format, target, *ids, *redactor, [&writeFailed](QByteArrayView bytes) {
              writeFailed = !writeOut(bytes);
              return !writeFailed;
          });
    if (!written) {
        printError(writeFailed ? QStringLiteral("export: cannot write to standard output")
                               : QStringLiteral("export: %1").arg(written.error()));
        return Failure;
    }
    return std::fflush(stdout) == 0 ? Success : Failure;
}

void writeCounts(JsonWriter &w, const char *key, const QMap<QString, qint64> &counts)
{
    w.key(key);
    w.beginObject();
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
        const QByteArray k = it.key().toUtf8();
        w.key(k.constData());
        w.value(it.value());
    }
    w.endObject();
}

/** Each subscription's health by its sender's rules (see SubscriptionHealth), as `pimscope stats` prints it. */
void writeHealth(JsonWriter &w, const QList<SubscriptionHealth> &all)
{
    w.key("subscriptions");
    w.beginArray();
    for (const SubscriptionHealth &h : all) {
        static const char *const states[] = {"healthy", "at_risk", "cut_off"};
        w.beginObject();
        w.field("path", QString::fromUtf8(h.path));
        w.field("sender", formatName(h.sender));
        w.field("state", QString::fromLatin1(states[int(h.state())]));
        w.field("summary", h.meterText());
        w.field("requests", h.requests);
        w.field("failures", h.failures);
        w.field("throttled", h.throttled);
        w.field("failure_streak", h.failureStreak);
        w.field("longest_failure_streak", h.longestStreak);
        w.field("rolling_hour_requests", h.hourRequests);
        w.field("rolling_hour_success_rate", h.successRate() < 0 ? std::nullopt : std::optional(h.successRate()));
        w.field("events_per_second", h.eventsPerSecond > 0 ? std::optional(h.eventsPerSecond) : std::nullopt);
        w.field("first_at", toIsoUtc(h.firstAtMs));
        w.field("last_at", toIsoUtc(h.lastAtMs));
        w.field("cut_offs", h.cutOffs);
        w.field("platform_notice", h.notice); // the Event Platform's own notification webhook, null when none
        w.field("platform_notice_at", h.noticeAtMs ? toIsoUtc(h.noticeAtMs) : QString());
        w.key("last_cut_off");
        if (h.cutOffAtMs == 0) {
            w.null();
        } else {
            w.beginObject();
            w.field("at", toIsoUtc(h.cutOffAtMs));
            w.field("delivery_id", h.cutOffDeliveryId);
            w.field("reason", h.cutOffReason);
            w.field("said", h.cutOffSentence());
            w.field("still_cut_off", h.cutOff);
            w.endObject();
        }
        w.endObject();
    }
    w.endArray();
}

int statsCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption(dbOption());
    if (const auto exit = parseCommandLine(parser, args, QStringLiteral("stats")))
        return *exit;
    auto reader = StoreReader::open(dbPath(parser));
    if (!reader) {
        printError(reader.error());
        return Failure;
    }
    const auto stats = reader.value()->statistics();
    if (!stats) {
        printError(stats.error());
        return Failure;
    }
    const Statistics &s = *stats;
    QByteArray out;
    JsonWriter w(out);
    w.beginObject();
    w.field("deliveries", s.deliveries);
    w.field("events", s.events);
    w.field("unindexed_deliveries", s.unindexedDeliveries);
    writeCounts(w, "by_action", s.byAction);
    writeCounts(w, "by_origin", s.byOrigin);
    writeCounts(w, "by_format", s.byFormat);
    writeCounts(w, "by_log_level", s.byLogLevel);
    writeCounts(w, "by_log_message", s.byLogMessage);
    writeCounts(w, "by_flag", s.byFlag);
    writeCounts(w, "deliveries_by_flag", s.deliveriesByFlag);
    writeCounts(w, "by_signature", s.bySignature);
    w.key("ack_ms");
    w.beginObject();
    w.field("p50", s.ackMsP50);
    w.field("p99", s.ackMsP99);
    w.field("max", s.ackMsMax);
    w.endObject();
    w.field("max_deliveries_rolling_hour", s.maxDeliveriesRollingHour);
    w.field("max_rolling_hour_start", s.maxRollingHourStartMs ? toIsoUtc(*s.maxRollingHourStartMs) : QString());
    w.field("first_received_at", s.firstReceivedMs ? toIsoUtc(*s.firstReceivedMs) : QString());
    w.field("last_received_at", s.lastReceivedMs ? toIsoUtc(*s.lastReceivedMs) : QString());
    HealthTracker health;
    if (auto scanned = healthscan::scan(SqliteStatement::handle(reader.value()->db()), health); !scanned) {
        printError(scanned.error());
        return Failure;
    }
    writeHealth(w, health.all());
    w.endObject();
    out += '\n';
    return writeOut(out) && std::fflush(stdout) == 0 ? Success : Failure;
}

} // namespace

void printCommandError(const QString &command, const QString &message)
{
    std::fprintf(stderr, "pimscope: %s: %s\n", qPrintable(command), qPrintable(message));
}

std::optional<int> parseCommandLine(QCommandLineParser &parser, const QStringList &args, const QString &name,
                                    bool allowPositional)
{
    if (parser.applicationDescription().isEmpty())
        parser.setApplicationDescription(QStringLiteral("pimscope ") + name);
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help."));
    parser.addOption(help);
    QStringList argv = args;
    if (argv.size() > 1)
        argv.removeAt(1); // the command name
    if (!parser.parse(argv)) {
        printCommandError(name, parser.errorText());
        return UsageError;
    }
    if (parser.isSet(help)) {
        std::fputs(qPrintable(helpText(parser, args.value(0), name)), stdout);
        return Success;
    }
    if (!allowPositional && !parser.positionalArguments().isEmpty()) {
        printCommandError(name,
                          QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().constFirst()));
        return UsageError;
    }
    return std::nullopt;
}

QCommandLineOption dbOption()
{
    return {QStringLiteral("db"), QStringLiteral("The capture file (default: %1).").arg(EventStore::defaultPath()),
            QStringLiteral("PATH")};
}

QString dbPath(const QCommandLineParser &parser)
{
    const QString path = parser.value(QStringLiteral("db"));
    return path.isEmpty() ? EventStore::defaultPath() : path;
}

namespace {

/** The secret in the keychain under `name` (the command's own event loop runs meanwhile). */
Result<QByteArray> readKeychainSecret(const QString &name)
{
    KeychainSecretStore keychain;
    Result<QByteArray> result = Result<QByteArray>::failure(QStringLiteral("the keychain did not answer"));
    keychain.readOnce(name, &keychain, [&result](Result<QByteArray> r) {
        result = std::move(r);
        QCoreApplication::quit();
    });
    QCoreApplication::exec();
    return result;
}

} // namespace

Result<QByteArray> secretOf(const QCommandLineParser &parser, const QString &prefix)
{
    const QString env = prefix + QStringLiteral("secret-env");
    const QString name = prefix + QStringLiteral("secret-name");
    if (parser.isSet(env)) {
        const QString var = parser.value(env);
        QByteArray secret = qgetenv(var.toLocal8Bit().constData());
        if (secret.isEmpty())
            return Result<QByteArray>::failure(
                QStringLiteral("--%1: the environment variable %2 is empty or not set").arg(env, var));
        return secret;
    }
    if (parser.isSet(name)) {
        auto secret = readKeychainSecret(parser.value(name));
        if (!secret)
            return Result<QByteArray>::failure(QStringLiteral("--%1: ").arg(name) + secret.error());
        return secret;
    }
    return QByteArray();
}

void printLine(const QString &line)
{
    std::fputs(qPrintable(line + u'\n'), stdout);
    std::fflush(stdout);
}

bool twoStoresGiven(const QCommandLineParser &parser, const QString &command)
{
    if (!parser.isSet(QStringLiteral("db")) || !parser.isSet(QStringLiteral("store")))
        return false;
    printCommandError(command, QStringLiteral("--db and --store name two stores: give one"));
    return true;
}

QCommandLineOption secretHeaderOption()
{
    return {QStringLiteral("secret-header"),
            QStringLiteral("Also keep this header's value redacted, like Authorization. Repeatable."),
            QStringLiteral("NAME")};
}

Result<HeaderRedactor> redactorOf(const QCommandLineParser &parser)
{
    QList<QByteArray> names;
    for (const QString &name : parser.values(QStringLiteral("secret-header"))) {
        if (!HeaderRedactor::isHeaderName(name.toLatin1()))
            return Result<HeaderRedactor>::failure(
                QStringLiteral("--secret-header: '%1' is not a header name").arg(name));
        names.append(name.toLatin1());
    }
    return HeaderRedactor(names);
}

namespace {

int signalPipe[2] = {-1, -1};

void onSignal(int /*signal*/)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(signalPipe[1], &c, 1);
}

/** Watches the signal pipe; SIGINT and SIGTERM back to their default once it goes. */
class SignalWatch : public QSocketNotifier
{
public:
    using QSocketNotifier::QSocketNotifier;
    ~SignalWatch() override
    {
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
    }
    SignalWatch(const SignalWatch &) = delete;
    SignalWatch &operator=(const SignalWatch &) = delete;
};

} // namespace

Result<std::unique_ptr<QObject>> quitOnSignals()
{
    return onSignals(QCoreApplication::instance(), [] { QCoreApplication::quit(); });
}

Result<std::unique_ptr<QObject>> onSignals(QObject *context, std::function<void()> action)
{
    if (signalPipe[0] < 0 && ::pipe(signalPipe) != 0)
        return Result<std::unique_ptr<QObject>>::failure(QStringLiteral("cannot set up signal handling"));
    auto notifier = std::make_unique<SignalWatch>(signalPipe[0], QSocketNotifier::Read);
    QObject::connect(notifier.get(), &QSocketNotifier::activated, context, [action = std::move(action)] {
        char c = 0;
        [[maybe_unused]] const auto n = ::read(signalPipe[0], &c, 1);
        action();
    });
    struct sigaction handler = {};
    handler.sa_handler = onSignal;
    sigemptyset(&handler.sa_mask);
    sigaction(SIGINT, &handler, nullptr);
    sigaction(SIGTERM, &handler, nullptr);
    return {std::unique_ptr<QObject>(notifier.release())};
}

void setApplicationIdentity()
{
    QCoreApplication::setOrganizationName(QStringLiteral("pimscope"));
    QCoreApplication::setOrganizationDomain(QStringLiteral("pimscope.github.io"));
    QCoreApplication::setApplicationName(QStringLiteral("pimscope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PIMSCOPE_VERSION));
}

bool isHeadlessCommand(const char *argv1)
{
    for (const Command &c : commands) {
        if (std::strcmp(argv1, c.name) == 0)
            return true;
    }
    // A bare lowercase word that is not a file is a command, possibly misspelt: say so rather than open a window.
    const QString word = QString::fromLocal8Bit(argv1);
    static const QRegularExpression commandWord(QStringLiteral("^[a-z][a-z-]*$"));
    return commandWord.match(word).hasMatch() && !QFileInfo::exists(word);
}

QString versionText()
{
    return QStringLiteral("pimscope %1 (Qt %2 runtime, built with Qt %3, %4, %5)\n")
        .arg(QStringLiteral(PIMSCOPE_VERSION), QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
             QSysInfo::buildAbi(), QStringLiteral(__DATE__));
}

QString helpText(const QCommandLineParser &parser, const QString &program, const QString &command)
{
    QString text = parser.helpText();
    const QString usage = QStringLiteral("Usage: ") + program;
    if (text.startsWith(usage))
        text.replace(0, usage.size(),
                     command.isEmpty() ? QStringLiteral("Usage: pimscope")
                                       : QStringLiteral("Usage: pimscope ") + command);
    return text;
}

QString commandSummaries()
{
    QString lines;
    for (const Command &c : commands)
        lines += QStringLiteral("\n  %1  ").arg(QLatin1StringView(c.name), -7) + QLatin1StringView(c.summary);
    return lines;
}

int run(const QStringList &arguments)
{
    const QString name = arguments.value(1);
    for (const Command &c : commands) {
        if (name == QLatin1StringView(c.name))
            return c.run(arguments);
    }
    printError(QStringLiteral("unknown command '%1'; commands:%2").arg(name, commandSummaries()));
    return UsageError;
}

} // namespace pimscope::cli
