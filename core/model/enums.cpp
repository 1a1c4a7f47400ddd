#include "enums.h"

#include <array>
#include <utility>

namespace pimscope {

namespace {

template<typename E, std::size_t N>
using NameTable = std::array<std::pair<E, const char *>, N>;

constexpr NameTable<Origin, 3> originTable{
    {{Origin::Receiver, "receiver"}, {Origin::Log, "log"}, {Origin::Replay, "replay"}}};
constexpr NameTable<Format, 5> formatTable{{{Format::Akeneo, "akeneo"},
                                            {Format::AkeneoTest, "akeneo-test"},
                                            {Format::AkeneoEventPlatform, "akeneo-event-platform"},
                                            {Format::Quable, "quable"},
                                            {Format::Unknown, "unknown"}}};
constexpr NameTable<Signature, 5> signatureTable{{{Signature::Valid, "valid"},
                                                  {Signature::Invalid, "invalid"},
                                                  {Signature::Expired, "expired"},
                                                  {Signature::Missing, "missing"},
                                                  {Signature::Unchecked, "unchecked"}}};
constexpr NameTable<LogLevel, 4> logLevelTable{{{LogLevel::Error, "ERROR"},
                                                {LogLevel::Warning, "WARNING"},
                                                {LogLevel::Notice, "NOTICE"},
                                                {LogLevel::Info, "INFO"}}};
constexpr NameTable<LogMessage, 8> logMessageTable{{{LogMessage::RequestSent, "request_sent"},
                                                    {LogMessage::EndpointError, "endpoint_error"},
                                                    {LogMessage::Timeout, "timeout"},
                                                    {LogMessage::RateLimit, "rate_limit"},
                                                    {LogMessage::SameConnection, "same_connection"},
                                                    {LogMessage::NotSentPermissions, "not_sent_permissions"},
                                                    {LogMessage::PlatformAction, "platform_action"},
                                                    {LogMessage::Unknown, "unknown"}}};
constexpr NameTable<Recon, 6> reconTable{{{Recon::LoggedSent, "logged_sent"},
                                          {Recon::LoggedFailed, "logged_failed"},
                                          {Recon::LoggedNotSent, "logged_not_sent"},
                                          {Recon::MissingFromLog, "missing_from_log"},
                                          {Recon::Captured, "captured"},
                                          {Recon::NotCaptured, "not_captured"}}};
constexpr NameTable<ForwardState, 5> forwardStateTable{{{ForwardState::Queued, "queued"},
                                                        {ForwardState::Sending, "sending"},
                                                        {ForwardState::Answered, "answered"},
                                                        {ForwardState::Failed, "failed"},
                                                        {ForwardState::GivenUp, "given_up"}}};
constexpr NameTable<ConnectorVerdict, 6> connectorVerdictTable{{{ConnectorVerdict::Sent, "sent"},
                                                                {ConnectorVerdict::EndpointError, "endpoint_error"},
                                                                {ConnectorVerdict::Timeout, "timeout"},
                                                                {ConnectorVerdict::NoAnswer, "no_answer"},
                                                                {ConnectorVerdict::WouldSuspend, "would_suspend"},
                                                                {ConnectorVerdict::WouldDisable, "would_disable"}}};
constexpr NameTable<Flag, 7> flagTable{{{Flag::Duplicate, "duplicate"},
                                        {Flag::OutOfOrder, "out_of_order"},
                                        {Flag::Stale, "stale"},
                                        {Flag::Self, "self"},
                                        {Flag::BadSignature, "bad_signature"},
                                        {Flag::SlowAck, "slow_ack"},
                                        {Flag::Error, "error"}}};

template<typename E, std::size_t N>
QString nameOf(const NameTable<E, N> &table, E value)
{
    for (const auto &[v, name] : table) {
        if (v == value)
            return QString::fromLatin1(name);
    }
    return {};
}

template<typename E, std::size_t N>
std::optional<E> valueOf(const NameTable<E, N> &table, QStringView name)
{
    for (const auto &[v, n] : table) {
        if (name.compare(QLatin1StringView(n), Qt::CaseInsensitive) == 0)
            return v;
    }
    return std::nullopt;
}

template<typename E, std::size_t N>
QStringList namesOf(const NameTable<E, N> &table)
{
    QStringList names;
    names.reserve(int(N));
    for (const auto &entry : table)
        names.append(QString::fromLatin1(entry.second));
    return names;
}

} // namespace

QString originName(Origin o)
{
    return nameOf(originTable, o);
}
std::optional<Origin> originFromName(QStringView name)
{
    return valueOf(originTable, name);
}
QStringList originNames()
{
    return namesOf(originTable);
}

QString formatName(Format f)
{
    return nameOf(formatTable, f);
}
std::optional<Format> formatFromName(QStringView name)
{
    return valueOf(formatTable, name);
}
QStringList formatNames()
{
    return namesOf(formatTable);
}

QString signatureName(Signature s)
{
    return nameOf(signatureTable, s);
}
std::optional<Signature> signatureFromName(QStringView name)
{
    return valueOf(signatureTable, name);
}
QStringList signatureNames()
{
    return namesOf(signatureTable);
}

QString logLevelName(LogLevel l)
{
    return nameOf(logLevelTable, l);
}
std::optional<LogLevel> logLevelFromName(QStringView name)
{
    return valueOf(logLevelTable, name);
}
QStringList logLevelNames()
{
    return namesOf(logLevelTable);
}

QString logMessageName(LogMessage m)
{
    return nameOf(logMessageTable, m);
}
std::optional<LogMessage> logMessageFromName(QStringView name)
{
    return valueOf(logMessageTable, name);
}
QStringList logMessageNames()
{
    return namesOf(logMessageTable);
}

QString reconName(Recon r)
{
    return nameOf(reconTable, r);
}
std::optional<Recon> reconFromName(QStringView name)
{
    return valueOf(reconTable, name);
}
QStringList reconNames()
{
    return namesOf(reconTable);
}

QString forwardStateName(ForwardState s)
{
    return nameOf(forwardStateTable, s);
}
std::optional<ForwardState> forwardStateFromName(QStringView name)
{
    return valueOf(forwardStateTable, name);
}
QStringList forwardStateNames()
{
    return namesOf(forwardStateTable);
}

QString connectorVerdictName(ConnectorVerdict v)
{
    return nameOf(connectorVerdictTable, v);
}
std::optional<ConnectorVerdict> connectorVerdictFromName(QStringView name)
{
    return valueOf(connectorVerdictTable, name);
}
QStringList connectorVerdictNames()
{
    return namesOf(connectorVerdictTable);
}

QString flagName(Flag f)
{
    return nameOf(flagTable, f);
}
std::optional<Flag> flagFromName(QStringView name)
{
    return valueOf(flagTable, name);
}
QStringList allFlagNames()
{
    return namesOf(flagTable);
}

QStringList flagNames(Flags flags)
{
    QStringList names;
    for (Flag f : allFlags) {
        if (flags.testFlag(f))
            names.append(flagName(f));
    }
    return names;
}

} // namespace pimscope
