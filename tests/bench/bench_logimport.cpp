// Log import speed (issue #5): a generated Akeneo event-subscription log of at least 500 MB (INFO and ERROR lines
// with 10 events each and realistic headers) imported by `pimscope import` into a new capture, against `jq -c .`
// merely parsing the JSON parts (the contexts) of the same file, in the same run; and the import's peak resident
// memory (target < 200 MB: the file is streamed).
//
//   bench_logimport [--mb N] [--keep DIR] PIMSCOPE_BINARY
//
// Prints the figures; the files go to a temporary folder (or DIR, kept for another run).

#include "util/timeutil.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <cstdio>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

QByteArray uuid(QRandomGenerator &r)
{
    QByteArray hex = QByteArray::number(r.generate64(), 16).rightJustified(16, '0')
        + QByteArray::number(r.generate64(), 16).rightJustified(16, '0');
    return hex.left(8) + '-' + hex.mid(8, 4) + "-4" + hex.mid(13, 3) + "-8" + hex.mid(17, 3) + '-' + hex.mid(20, 12);
}

QByteArray logTime(qint64 secondsSinceStart)
{
    const qint64 t = 1'795'340'800 + secondsSinceStart; // 2026-11-22T08:00:00Z
    return pimscope::toLogTimeUtc(t * 1000);
}

/** Writes the log and, beside it, its contexts one per line (what jq is given). */
bool generate(const QString &logPath, const QString &contextsPath, qint64 targetBytes)
{
    QFile log(logPath), contexts(contextsPath);
    if (!log.open(QIODevice::WriteOnly) || !contexts.open(QIODevice::WriteOnly))
        return false;
    QRandomGenerator r(5);
    static const char *const authors[] = {"julia", "peter", "erp_connector_0417", "magento_0001"};
    static const char *const actions[]
        = {"product.updated", "product.created", "product.removed", "product_model.updated"};
    QByteArray out, ctx;
    qint64 written = 0;
    for (qint64 line = 0; written < targetBytes; ++line) {
        const QByteArray time = logTime(line / 2);
        const bool error = line % 5 == 4;
        QByteArray events = "[";
        for (int i = 0; i < 10; ++i) {
            const char *action = actions[r.bounded(4)];
            const bool model = action[7] == '_';
            events += (i ? "," : "") + QByteArray("{\"action\":\"") + action + "\",\"event_id\":\"" + uuid(r)
                + "\",\"event_datetime\":\"" + QByteArray(time).replace('/', '-').replace(' ', 'T')
                + "+00:00\",\"author\":\"" + authors[r.bounded(4)] + "\",\"author_type\":\""
                + (r.bounded(2) ? "ui" : "api") + '"'
                + (model ? QByteArray(",\"product_model_code\":\"model_" + QByteArray::number(r.bounded(5000)) + '"')
                         : QByteArray(",\"product_identifier\":\"SKU-" + QByteArray::number(r.bounded(100000))
                                      + "\",\"product_uuid\":\"" + uuid(r) + '"'))
                + '}';
        }
        events += ']';
        QByteArray context;
        if (error) {
            context = "{\"event_subscription_url\":\"https:\\/\\/hooks.acme-retail.com\\/akeneo\\/"
                      "events\",\"status_code\":503,"
                      "\"headers\":{\"Host\":[\"hooks.acme-retail.com\"],\"Content-Type\":[\"application\\/json\"],"
                      "\"X-Akeneo-Request-Signature\":[\""
                + QByteArray::number(r.generate64(), 16).repeated(4).left(64) + "\"],\"X-Akeneo-Request-Timestamp\":[\""
                + QByteArray::number(1'795'340'800 + line / 2)
                + "\"],\"User-Agent\":[\"AkeneoPIM\\/v20261120\"]},\"events\":" + events + '}';
            out += time + " ERROR The endpoint returned an error. " + context + '\n';
        } else {
            context
                = "{\"event_subscription_url\":\"https:\\/\\/hooks.acme-retail.com\\/akeneo\\/"
                  "events\",\"status_code\":200,"
                  "\"headers\":{\"Date\":[\"Sun, 22 Nov 2026 08:00:00 GMT\"],\"Content-Type\":[\"application\\/json\"],"
                  "\"Content-Length\":[\"2\"],\"Connection\":[\"keep-alive\"],\"Server\":[\"nginx\\/"
                  "1.24.0\"]},\"events\":"
                + events + '}';
            out += time + " INFO The API event request was sent. " + context + '\n';
        }
        ctx += context + '\n';
        if (out.size() > (4 << 20)) {
            written += out.size();
            log.write(out);
            contexts.write(ctx);
            out.clear();
            ctx.clear();
        }
    }
    log.write(out);
    contexts.write(ctx);
    return true;
}

struct Run
{
    double seconds = 0;
    long maxRssKb = 0;
    int exitCode = -1;
};

/** Runs a command with stdout to /dev/null; its wall time and peak resident memory. */
Run run(const QStringList &args, const QString &stdinFile = QString())
{
    std::fflush(stdout);
    QElapsedTimer timer;
    timer.start();
    const pid_t pid = fork();
    if (pid == 0) {
        if (!stdinFile.isEmpty())
            (void)!freopen(stdinFile.toLocal8Bit().constData(), "r", stdin);
        (void)!freopen("/dev/null", "w", stdout);
        std::vector<QByteArray> bytes;
        for (const QString &a : args)
            bytes.push_back(a.toLocal8Bit());
        std::vector<char *> argv;
        for (QByteArray &b : bytes)
            argv.push_back(b.data());
        argv.push_back(nullptr);
        execvp(argv[0], argv.data());
        _exit(127);
    }
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    return Run{double(timer.nsecsElapsed()) / 1e9, usage.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    qint64 mb = 512;
    QString keep;
    while (!args.isEmpty() && args.front().startsWith(QStringLiteral("--"))) {
        const QString option = args.takeFirst();
        if (option == u"--mb" && !args.isEmpty())
            mb = args.takeFirst().toLongLong();
        else if (option == u"--keep" && !args.isEmpty())
            keep = args.takeFirst();
    }
    if (args.size() != 1) {
        std::fprintf(stderr, "usage: bench_logimport [--mb N] [--keep DIR] PIMSCOPE_BINARY\n");
        return 2;
    }
    const QString pimscope = args.front();
    QTemporaryDir tmp;
    const QDir dir(keep.isEmpty() ? tmp.path() : keep);
    QDir().mkpath(dir.path());
    const QString log = dir.filePath(QStringLiteral("events_api_logs_20261122_120000.txt"));
    const QString contexts = dir.filePath(QStringLiteral("contexts.jsonl"));
    if (!QFileInfo::exists(log) || QFileInfo(log).size() < mb << 20) {
        QElapsedTimer t;
        t.start();
        if (!generate(log, contexts, mb << 20)) {
            std::fprintf(stderr, "cannot write in %s\n", qPrintable(dir.path()));
            return 1;
        }
        std::printf("generated %s: %.0f MB in %.1f s\n", qPrintable(log), double(QFileInfo(log).size()) / 1e6,
                    t.elapsed() / 1000.0);
    }
    const double logMb = double(QFileInfo(log).size()) / 1e6;
    const double ctxMb = double(QFileInfo(contexts).size()) / 1e6;
    // Warm the page cache for both, so that neither pays for the disk.
    run({QStringLiteral("cat"), log});
    run({QStringLiteral("cat"), contexts});

    const Run jq = run({QStringLiteral("jq"), QStringLiteral("-c"), QStringLiteral(".")}, contexts);
    std::printf("jq -c . on the contexts (%.0f MB): %.2f s (%.0f MB/s), peak %ld MB, exit %d\n", ctxMb, jq.seconds,
                ctxMb / jq.seconds, jq.maxRssKb / 1024, jq.exitCode);
    const QString db = dir.filePath(QStringLiteral("import.db"));
    for (const char *suffix : {"", "-wal", "-shm"})
        QFile::remove(db + QLatin1StringView(suffix));
    const Run import = run({pimscope, QStringLiteral("import"), QStringLiteral("--db"), db, log});
    std::printf("pimscope import of the log (%.0f MB): %.2f s (%.0f MB/s), peak %ld MB, exit %d\n", logMb,
                import.seconds, logMb / import.seconds, import.maxRssKb / 1024, import.exitCode);
    std::printf("ratio: import takes %.2fx jq's time (target < 1); capture file %.0f MB\n", import.seconds / jq.seconds,
                double(QFileInfo(db).size()) / 1e6);
    for (const char *suffix : {"", "-wal", "-shm"})
        QFile::remove(db + QLatin1StringView(suffix));
    return import.exitCode == 0 && jq.exitCode == 0 ? 0 : 1;
}
