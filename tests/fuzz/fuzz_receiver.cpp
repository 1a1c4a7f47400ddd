// fuzz_receiver: the receiver's HTTP request path as a PIM's connection feeds it. Each input is the raw bytes a
// client writes on one loopback connection to a running Receiver (its own thread, the guarded QHttpServer, the
// signature check with a configured secret, the payload parser, a real capture file), after which the client
// closes its side and reads until the receiver closes the connection. Requests may be pipelined, cut short,
// chunked, oversized or garbage: nothing may crash, leak, or leave the connection hanging.
//
// The seeds (tests/data/http) hold requests signed with the secret below at a fixed time: the freshness check is
// off so that they verify, and the fuzzer starts from requests the receiver stores.
#include "formats/payloadparser.h"
#include "receiver/receiver.h"
#include "store/eventstore.h"

#include <QCoreApplication>
#include <QTemporaryDir>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

using namespace pimscope;

namespace {

std::unique_ptr<QCoreApplication> app;
std::unique_ptr<QTemporaryDir> dir;
std::unique_ptr<EventStore> store;
std::unique_ptr<Receiver> receiver;
quint16 port = 0;
QCoreApplication *leftToTheEnd = nullptr;

[[noreturn]] void fail(const char *what)
{
    std::fprintf(stderr, "fuzz_receiver: %s (errno %d)\n", what, errno);
    std::abort();
}

/** Writes everything, reading (and dropping) the answers meanwhile so that a pipelined input never deadlocks. */
void sendAll(int fd, const uint8_t *data, size_t size)
{
    size_t sent = 0;
    char sink[65536];
    while (sent < size) {
        pollfd p{fd, POLLOUT | POLLIN, 0};
        const int ready = ::poll(&p, 1, 10000);
        if (ready < 0 && errno == EINTR)
            continue; // libFuzzer's timer (SIGALRM) interrupts system calls
        if (ready <= 0)
            fail("the receiver neither read nor answered for 10 s");
        if (p.revents & POLLIN) {
            const ssize_t n = ::read(fd, sink, sizeof sink);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return; // the receiver closed (a refused request): the rest is not sent
        }
        if (p.revents & POLLOUT) {
            const ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return; // reset by the receiver
            sent += size_t(n);
        }
        if (p.revents & (POLLERR | POLLHUP))
            return;
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    app = std::make_unique<QCoreApplication>(*argc, *argv);
    dir = std::make_unique<QTemporaryDir>();
    auto opened = EventStore::open(dir->filePath(QStringLiteral("receiver.db")));
    if (!opened) {
        std::fprintf(stderr, "fuzz_receiver: %s\n", qPrintable(opened.error()));
        std::abort();
    }
    store = std::move(opened.value());
    ReceiverSettings settings;
    settings.port = 0;
    settings.limits.maxBodyBytes = 256 * 1024; // small, so that the 413 paths are reached by small inputs
    settings.limits.maxHeaderBytes = 8 * 1024;
    SignatureRule rule;
    rule.akeneoSecret = "3ha6eonoa9icsckw8kccos084w0c0000g08g40oo4kww0gc8w4";
    rule.eventPlatformSecrets = {"ep-primary-5f2c8a1d9e4b7f3a6c0d"};
    SignatureRule quable;
    quable.pathPrefix = "/quable";
    quable.quableAuthorization = "Bearer q-token-123";
    settings.signatures.rules = {quable, rule};
    settings.signatures.maxSkewMs = -1;
    receiver = std::make_unique<Receiver>(store.get(), settings);
    const auto started = receiver->start();
    if (!started) {
        std::fprintf(stderr, "fuzz_receiver: %s\n", qPrintable(started.error()));
        std::abort();
    }
    port = started.value();
    // Ended in this order (the receiver thread must not outlive the store) before the globals it uses go: exit
    // handlers run in reverse order, and Qt's were registered above. simdjson's (its implementations, which the
    // writer thread still parses with while the store flushes) are made now, by a first parse, for the same reason.
    (void)PayloadParser().parse("{\"events\":[]}");
    std::atexit([] {
        receiver->stop();
        receiver.reset();
        store->flush();
        store.reset();
        dir.reset();
        // The application object is left to the process's end, still referenced (not a leak): by now the exit
        // handlers of Qt 6.8's network library have run, and ~QCoreApplication would call into what they destroyed
        // (a crash in QObject::destroyed, seen on Debian 13). A program that ends main() first never meets this.
        leftToTheEnd = app.release();
    });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        fail("socket()");
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&to), sizeof to) != 0) {
        // Interrupted by a signal, the connection goes on by itself: wait for it, then ask how it went.
        if (errno != EINTR)
            fail("cannot connect to the receiver");
        pollfd p{fd, POLLOUT, 0};
        while (::poll(&p, 1, 10000) < 0 && errno == EINTR) { }
        int error = 0;
        socklen_t length = sizeof error;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0)
            fail("cannot connect to the receiver");
    }
    sendAll(fd, data, size);
    // The request ends here: the receiver sees the end of the stream and must close the connection, after
    // answering what was complete. Waiting for that keeps one input's work from piling onto the next.
    ::shutdown(fd, SHUT_WR);
    char sink[65536];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
        const auto left
            = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            fail("the receiver kept a half-closed connection open for 10 s");
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, int(left.count()));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            fail("poll()");
        if (ready == 0)
            continue; // the deadline is checked above
        const ssize_t n = ::read(fd, sink, sizeof sink);
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
            break;
    }
    ::close(fd);
    QCoreApplication::processEvents(); // what the receiver thread posted to this one (answered(), problem())
    return 0;
}
