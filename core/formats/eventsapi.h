#pragma once

#include "formats/json/reading.h"

#include <optional>
#include <string_view>

// The Akeneo Events API (FACTS.md 1.3): `{"events":[...]}`, at most 10 events, each with event_id, action,
// event_datetime, author, author_type, pim_source and data.resource.

namespace pimscope::parsing {

constexpr qsizetype akeneoMaxEvents = 10;

/** The members of an Akeneo event, in a request body or in a log context (bits for Members). */
enum AkeneoMember : unsigned {
    Action = 1u << 0,
    EventId = 1u << 1,
    DateTime = 1u << 2,
    LegacyDate = 1u << 3,
    Author = 1u << 4,
    AuthorType = 1u << 5,
    PimSource = 1u << 6,
    Data = 1u << 7,
    Identifier = 1u << 8, ///< log contexts: product_identifier, product_uuid, product_model_code
    Uuid = 1u << 9,
    ModelCode = 1u << 10,
};

/**
 * Reads the members every Akeneo event has (action, event_id, event_datetime, author, author_type); false for any
 * other key. `action` and `time` receive the raw texts. Request bodies and log contexts share it.
 */
bool readAkeneoBase(const dom::key_value_pair &member, const Where &where, Members &members, Event &e,
                    std::string_view &action, std::optional<std::string_view> &time, QStringList &warnings);

/** One event object of an envelope (or a single pre-release event). */
void readAkeneoEvent(dom::object object, const Where &where, Event &e, QStringList &warnings);

/** A body `{"events":[...]}`: r.format, its events (read as deep as `depth` says) and what is odd about it. */
void readAkeneoEnvelope(dom::object root, const Text &text, ParseResult &r, PayloadParser::Depth depth);

} // namespace pimscope::parsing
