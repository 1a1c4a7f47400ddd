#include "secretcommand.h"

#include "commands.h"
#include "secrets/keychainsecretstore.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

#ifdef Q_OS_UNIX
#include <termios.h>
#include <unistd.h>
#endif

namespace pimscope::cli {

namespace {

void printSecretError(const QString &message)
{
    printCommandError(QStringLiteral("secret"), message);
}

/** Everything on stdin (binary), or one line typed with echo off when stdin is a terminal. */
QByteArray readValue(const QString &name)
{
    QByteArray value;
#ifdef Q_OS_UNIX
    if (::isatty(STDIN_FILENO)) {
        std::fprintf(stderr, "Value for secret '%s' (not echoed), then Enter: ", qPrintable(name));
        std::fflush(stderr);
        termios saved{};
        const bool restore = ::tcgetattr(STDIN_FILENO, &saved) == 0;
        if (restore) {
            termios silent = saved;
            silent.c_lflag &= ~tcflag_t(ECHO);
            ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent);
        }
        int c;
        while ((c = std::fgetc(stdin)) != EOF && c != '\n')
            value += char(c);
        if (restore)
            ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        std::fputc('\n', stderr);
        return value;
    }
#else
    Q_UNUSED(name);
#endif
    char buffer[4096];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, stdin)) > 0)
        value.append(buffer, qsizetype(n));
    if (value.endsWith("\r\n"))
        value.chop(2);
    else if (value.endsWith('\n'))
        value.chop(1);
    return value;
}

QString usage()
{
    return QStringLiteral("usage: pimscope secret set NAME | check NAME | delete NAME");
}

} // namespace

int secretCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("pimscope secret: store, check or delete a secret in the OS keychain (service \"%1\").\n"
                       "  set NAME     store the value read from standard input (one trailing newline removed)\n"
                       "  check NAME   print \"set\", or exit 1 when there is no such secret\n"
                       "  delete NAME  remove it (exit 1 when there is no such secret)")
            .arg(KeychainSecretStore::defaultService()));
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("set, check or delete"));
    parser.addPositionalArgument(QStringLiteral("name"), QStringLiteral("the secret's name, e.g. akeneo-staging"));
    if (const auto exit = parseCommandLine(parser, args, QStringLiteral("secret"), true))
        return *exit;
    const QStringList positional = parser.positionalArguments();
    const QString action = positional.value(0);
    if (action != u"set" && action != u"check" && action != u"delete") {
        printSecretError((action.isEmpty() ? QStringLiteral("missing action; ")
                                           : QStringLiteral("unknown action '%1'; ").arg(action))
                         + usage());
        return UsageError;
    }
    if (positional.size() != 2) {
        printSecretError(positional.size() < 2 ? QStringLiteral("%1: missing NAME; ").arg(action) + usage()
                                               : QStringLiteral("unexpected argument '%1'").arg(positional.at(2)));
        return UsageError;
    }
    const QString &name = positional.at(1);
    if (name.trimmed().isEmpty()) {
        printSecretError(QStringLiteral("empty NAME"));
        return UsageError;
    }

    QByteArray value;
    if (action == u"set") {
        value = readValue(name);
        if (value.isEmpty()) {
            printSecretError(QStringLiteral("set: empty value on standard input; nothing stored"));
            return UsageError;
        }
    }

    // The command's main loop: the one keychain answer ends it. No other event loop is involved.
    KeychainSecretStore store;
    int exitCode = Failure;
    const auto finish = [&exitCode](int code) {
        exitCode = code;
        QCoreApplication::exit(code);
    };
    QObject::connect(&store, &SecretStore::secretFailed, &store,
                     [&](const QString &, SecretStore::ErrorKind, const QString &message) {
                         printSecretError(message);
                         finish(Failure);
                     });
    QObject::connect(&store, &SecretStore::secretWritten, &store, [&] { finish(Success); });
    QObject::connect(&store, &SecretStore::secretRemoved, &store, [&] { finish(Success); });
    QObject::connect(&store, &SecretStore::secretRead, &store, [&](const QString &, const QByteArray &) {
        if (action == u"delete") {
            store.remove(name); // it exists: now delete it (removing alone would not tell a missing name)
            return;
        }
        std::fputs("set\n", stdout);
        finish(std::fflush(stdout) == 0 ? Success : Failure);
    });
    // Start from inside exec(), so that QCoreApplication::exit() always has a running loop to end.
    QMetaObject::invokeMethod(
        &store,
        [&] {
            if (action == u"set")
                store.write(name, value);
            else
                store.read(name);
        },
        Qt::QueuedConnection);
    QCoreApplication::exec();
    value.fill('\0');
    return exitCode;
}

} // namespace pimscope::cli
