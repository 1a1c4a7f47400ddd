// fuzz_payload: PayloadParser::parse() on any bytes, at both depths, with the contract of payloadparser.h checked:
// every event's byte slice lies inside the body and is a JSON object, a body of no known format has no events, a
// full parse agrees with the receiver's envelope parse on the format and the error, and the parser stays reusable
// from one body to the next.
#include "formats/payloadparser.h"

#include "fuzzcheck.h"

#include <QByteArrayView>

#include <cstdint>

using namespace pimscope;

namespace {

void check(bool condition, const char *what)
{
    fuzz::check(condition, "fuzz_payload", what);
}

} // namespace

PIMSCOPE_FUZZ_NO_INITIALIZE

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // One parser for every input, as the receiver keeps one: its retained buffers must not leak state between bodies.
    static PayloadParser parser;
    const QByteArrayView body(reinterpret_cast<const char *>(data), qsizetype(size));
    const ParseResult full = parser.parse(body, PayloadParser::Depth::Full);
    for (const Event &e : full.events) {
        check(e.payloadOffset >= 0 && e.payloadLength >= 0 && e.payloadOffset + e.payloadLength <= body.size(),
              "an event's slice is outside the body");
        if (e.payloadLength > 0) {
            check(body[e.payloadOffset] == '{', "an event's slice does not start an object");
            check(body[e.payloadOffset + e.payloadLength - 1] == '}', "an event's slice does not end an object");
        }
    }
    check(full.format != Format::Unknown || full.events.isEmpty(), "a body of unknown format has events");
    const ParseResult envelope = parser.parse(body, PayloadParser::Depth::Envelope);
    check(envelope.format == full.format, "the envelope parse found another format");
    check(envelope.ok() == full.ok(), "the envelope parse disagrees on the body's validity");
    if (full.ok())
        check(envelope.events.size() == full.events.size(), "the envelope parse found another number of events");
    return 0;
}
