#include "formats/quable.h"

namespace pimscope::parsing {

namespace {

/**
 * "https://acme.quable.com/api_1.php/documents/X" -> "https://acme.quable.com" (scheme, host and port, no user
 * info); null unless the URL is absolute. By hand rather than with QUrl: it is on the parsing hot path.
 */
QString originOf(std::string_view href)
{
    const std::size_t colon = href.find("://");
    if (colon == std::string_view::npos || colon == 0)
        return {};
    for (std::size_t i = 0; i < colon; ++i) {
        const char c = href[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alpha && (i == 0 || !((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')))
            return {};
    }
    const std::size_t authorityBegin = colon + 3;
    std::size_t authorityEnd = href.find_first_of("/?#", authorityBegin);
    if (authorityEnd == std::string_view::npos)
        authorityEnd = href.size();
    std::string_view authority = href.substr(authorityBegin, authorityEnd - authorityBegin);
    if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos)
        authority.remove_prefix(at + 1);
    if (authority.empty() || authority.front() == ':')
        return {};
    return (toQString(href.substr(0, colon)) + QStringLiteral("://") + toQString(authority)).toLower();
}

void readQuableResource(dom::element resource, const Where &where, Event &e, QStringList &warnings)
{
    const auto object = readObject(resource, where, "resource", warnings);
    if (!object)
        return;
    bool hasCode = false;
    bool hasType = false;
    std::optional<dom::element> links;
    for (const dom::key_value_pair member : *object) {
        if (member.key == "code" && !hasCode) {
            hasCode = true;
            e.subjectId = readString(member.value, where, "resource.code", warnings);
        } else if (member.key == "type" && !hasType) {
            hasType = true;
            e.subjectType = readString(member.value, where, "resource.type", warnings);
        } else if (member.key == "links" && !links) {
            links = member.value;
        }
    }
    if (!hasCode)
        warnings << QStringLiteral("%1 has no code").arg(where.path("resource"));
    if (!hasType)
        warnings << QStringLiteral("%1 has no type").arg(where.path("resource"));
    dom::array array;
    if (!links || links->get_array().get(array))
        return;
    for (const dom::element link : array) {
        dom::object linkObject;
        std::string_view rel;
        std::string_view href;
        if (!link.get_object().get(linkObject) && !linkObject["rel"].get(rel) && rel == "self"
            && !linkObject["href"].get(href)) {
            e.pimSource = originOf(href);
            return;
        }
    }
}

} // namespace

void readQuableEvent(dom::object object, const Where &where, Event &e, QStringList &warnings)
{
    enum : unsigned { Uuid = 1u << 0, Code = 1u << 1, CreatedAt = 1u << 2, CreatedBy = 1u << 3, Resource = 1u << 4 };
    Members members(where, warnings);
    std::optional<std::string_view> time;
    dom::element resource;
    for (const dom::key_value_pair member : object) {
        const std::string_view key = member.key;
        std::string_view raw;
        if (key == "uuid") {
            if (members.first(Uuid, key))
                e.eventId = readString(member.value, where, "uuid", warnings);
        } else if (key == "code") {
            if (members.first(Code, key))
                e.action = readString(member.value, where, "code", warnings);
        } else if (key == "created_at") {
            if (members.first(CreatedAt, key)
                && !readString(member.value, where, "created_at", warnings, &raw).isNull())
                time = raw;
        } else if (key == "created_by") {
            if (members.first(CreatedBy, key))
                e.author = readString(member.value, where, "created_by", warnings);
        } else if (key == "resource") {
            if (members.first(Resource, key))
                resource = member.value;
        }
    }
    members.require(CreatedBy, "created_by");
    readTime(time, where, "created_at", e, warnings);
    if (members.seen(Resource))
        readQuableResource(resource, where, e, warnings);
}

} // namespace pimscope::parsing
