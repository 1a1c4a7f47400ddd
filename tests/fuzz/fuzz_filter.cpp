// fuzz_filter: any text through the filter language, and every filter it accepts run by SQLite. filter.h promises
// that every check happens in parse() and that a valid filter always compiles: here that means SQLite prepares and
// runs the SQL it compiles to, for events and for deliveries, against a capture holding the demo traffic (so that
// comparisons, regular expressions and the flags meet real rows). Values only ever reach SQLite as bindings.
#include "demo/demoevents.h"
#include "filter/filter.h"
#include "store/eventstore.h"
#include "store/storereader.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QTemporaryDir>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

using namespace pimscope;

namespace {

std::unique_ptr<QCoreApplication> app;
std::unique_ptr<QTemporaryDir> dir;
std::unique_ptr<StoreReader> reader;

[[noreturn]] void fail(const char *what, const QString &filter, const QString &detail)
{
    std::fprintf(stderr, "fuzz_filter: %s\n  filter: %s\n  %s\n", what, qPrintable(filter), qPrintable(detail));
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    app = std::make_unique<QCoreApplication>(*argc, *argv);
    dir = std::make_unique<QTemporaryDir>();
    const QString path = dir->filePath(QStringLiteral("filter.db"));
    {
        auto store = EventStore::open(path);
        if (!store) {
            std::fprintf(stderr, "fuzz_filter: %s\n", qPrintable(store.error()));
            std::abort();
        }
        for (Delivery &d : demo::demoDeliveries(QDateTime::currentMSecsSinceEpoch()))
            store.value()->enqueue(std::move(d));
        store.value()->flush();
    }
    auto opened = StoreReader::open(path);
    if (!opened) {
        std::fprintf(stderr, "fuzz_filter: %s\n", qPrintable(opened.error()));
        std::abort();
    }
    reader = std::move(opened.value());
    // Ended in this order before Qt's own globals go (they were created above, so their exit handlers run after).
    std::atexit([] {
        reader.reset();
        dir.reset();
        app.reset();
    });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const Filter filter = Filter::parse(text);
    if (!filter.isValid()) {
        if (filter.error().message.isEmpty())
            fail("an invalid filter has no error message", text, {});
        return 0;
    }
    if (!Filter::parse(filter.text()).isValid()) // parsing is deterministic: the same text again is valid again
        fail("a valid filter's text parsed again is invalid", text, {});
    for (const FilterTarget target : {FilterTarget::Events, FilterTarget::Deliveries}) {
        const auto ids = reader->matchingIds(filter, target);
        if (!ids)
            fail("SQLite refused a valid filter's query", text, ids.error());
        const auto count = reader->countMatching(filter, target);
        if (!count)
            fail("SQLite refused a valid filter's count", text, count.error());
        if (count.value() != ids.value().size())
            fail("the count and the ids of a filter disagree", text,
                 QStringLiteral("%1 counted, %2 ids").arg(count.value()).arg(ids.value().size()));
    }
    return 0;
}
