#include "senderprofile.h"

#include <algorithm>

namespace pimscope {

namespace {

constexpr qint64 minute = qint64{60} * 1000;
constexpr qint64 hour = 60 * minute;

SenderProfile eventsApi()
{
    SenderProfile p;
    p.name = "Akeneo Events API";
    p.deadlineMs = 500.0;
    p.successBelow = 400;
    p.requestsPerHour = 4000;
    p.staleAfterMs = 2 * hour;
    return p;
}

SenderProfile eventPlatform()
{
    SenderProfile p;
    p.name = "Akeneo Event Platform";
    p.deadlineMs = 5000.0;
    p.successBelow = 300;
    p.retryDelaysMs = {5 * minute, 10 * minute, 20 * minute};
    p.retries = 3;
    p.suspendOnNotFound = true;
    p.suspendOnRedirect = true;
    p.minSuccessRate = 0.9;
    p.successWindowMs = hour;
    p.throttledCountsAfterMs = hour;
    p.minEventsPerSecond = 1;
    p.maxEventsPerSecond = 100;
    p.atLeastOnce = true;
    return p;
}

SenderProfile quable()
{
    SenderProfile p;
    p.name = "Quable";
    p.deadlineMs = 5000.0;
    p.successBelow = 300;
    p.retryDelaysMs = {5 * minute, 5 * minute, 0};
    p.retries = 2;
    p.disableAfterFailures = 3;
    return p;
}

QString ordinal(int n)
{
    const int lastTwo = n % 100;
    const char *suffix = "th";
    if (lastTwo < 11 || lastTwo > 13) {
        if (n % 10 == 1)
            suffix = "st";
        else if (n % 10 == 2)
            suffix = "nd";
        else if (n % 10 == 3)
            suffix = "rd";
    }
    return QString::number(n) + QLatin1StringView(suffix);
}

QString minutes(qint64 ms)
{
    return QString::number(ms / minute);
}

} // namespace

QString SenderProfile::verdictWording(ConnectorVerdict verdict) const
{
    const QString sender = QString::fromLatin1(name);
    switch (verdict) {
    case ConnectorVerdict::Sent:
        return QStringLiteral("%1 counts it as delivered (%2 within %3 ms)")
            .arg(sender, successWording())
            .arg(deadlineMs);
    case ConnectorVerdict::EndpointError:
        return QStringLiteral("an endpoint error: %1 counts only %2 as a success").arg(sender, successWording());
    case ConnectorVerdict::Timeout:
        return QStringLiteral("a timeout: %1 waits %2 ms for the answer").arg(sender).arg(deadlineMs);
    case ConnectorVerdict::NoAnswer:
        return QStringLiteral("no answer: %1 counts it as a failure").arg(sender);
    case ConnectorVerdict::WouldSuspend:
        return QStringLiteral("%1 would suspend the subscription (it does on a 404 or any 3xx)").arg(sender);
    case ConnectorVerdict::WouldDisable:
        return QStringLiteral("%1 would disable the webhook (failure %2 in a row)")
            .arg(sender)
            .arg(disableAfterFailures);
    }
    return {};
}

QString SenderProfile::successWording() const
{
    return successBelow <= 300 ? QStringLiteral("2xx") : QStringLiteral("below %1").arg(successBelow);
}

QString SenderProfile::retryScheduleWording() const
{
    if (retries == 0)
        return QStringLiteral("does not retry");
    const bool evenlySpaced = std::all_of(retryDelaysMs.begin(), retryDelaysMs.begin() + retries,
                                          [this](qint64 d) { return d == retryDelaysMs[0]; });
    if (evenlySpaced) {
        return QStringLiteral("retries %1, %2 min apart")
            .arg(retries == 2 ? QStringLiteral("twice") : QStringLiteral("%1 times").arg(retries),
                 minutes(retryDelaysMs[0]));
    }
    QStringList delays;
    for (int i = 0; i < retries; ++i)
        delays << minutes(retryDelaysMs[std::size_t(i)]);
    const QString last = delays.takeLast();
    return QStringLiteral("retries %1 and %2 min after each failed attempt")
        .arg(delays.join(QStringLiteral(", ")), last);
}

QString SenderProfile::retryWording() const
{
    if (retries == 0)
        return retryScheduleWording();
    if (disableAfterFailures > 0)
        return retryScheduleWording()
            + QStringLiteral(", and disables the webhook after %1 consecutive failures").arg(disableAfterFailures);
    return retryScheduleWording() + QStringLiteral(", then drops the event");
}

ConnectorVerdict SenderProfile::verdictOf(std::optional<int> status, double answerMs, int failuresBefore) const
{
    ConnectorVerdict verdict = ConnectorVerdict::EndpointError;
    if (answerMs > deadlineMs)
        verdict = ConnectorVerdict::Timeout;
    else if (!status)
        verdict = ConnectorVerdict::NoAnswer;
    else if ((suspendOnNotFound && *status == 404) || (suspendOnRedirect && *status >= 300 && *status < 400))
        return ConnectorVerdict::WouldSuspend;
    else if (isSuccessStatus(*status))
        return ConnectorVerdict::Sent;
    if (disableAfterFailures > 0 && failuresBefore + 1 >= disableAfterFailures)
        return ConnectorVerdict::WouldDisable;
    return verdict;
}

const SenderProfile &senderProfile(Format format)
{
    static const SenderProfile akeneo = eventsApi();
    static const SenderProfile platform = eventPlatform();
    static const SenderProfile q = quable();
    switch (format) {
    case Format::AkeneoEventPlatform:
        return platform;
    case Format::Quable:
        return q;
    case Format::Akeneo:
    case Format::AkeneoTest:
    case Format::Unknown:
        break;
    }
    return akeneo;
}

QStringList risksOfAnswering(int status, int delayMs, const QList<Format> &spared)
{
    QStringList risks;
    for (const Format f : {Format::Akeneo, Format::AkeneoEventPlatform, Format::Quable}) {
        const SenderProfile &p = senderProfile(f);
        if (p.isSuccess(status, delayMs) || spared.contains(f))
            continue;
        const QString why = !p.isSuccessStatus(status)
            ? QStringLiteral("%1 is a failure for it (success is %2)").arg(status).arg(p.successWording())
            : QStringLiteral("answering after %1 ms misses its %2 ms deadline").arg(delayMs).arg(p.deadlineMs);
        QString consequence;
        if ((p.suspendOnNotFound && status == 404) || (p.suspendOnRedirect && status >= 300 && status < 400))
            consequence = QStringLiteral("it suspends the subscription at the first such answer");
        else if (p.disableAfterFailures > 0)
            consequence = QStringLiteral("it %1: the webhook is disabled after the %2 request")
                              .arg(p.retryScheduleWording(), ordinal(p.disableAfterFailures));
        else if (p.minSuccessRate > 0)
            consequence = QStringLiteral("it %1, and suspends the subscription once under %2 % success in an hour")
                              .arg(p.retryScheduleWording())
                              .arg(p.minSuccessRate * 100);
        else
            consequence = QStringLiteral("it %1: the events are lost for the connector").arg(p.retryWording());
        risks << QStringLiteral("%1: %2; %3.").arg(QLatin1StringView(p.name), why, consequence);
    }
    return risks;
}

Format senderOfRequest(Format format, const Headers &headers)
{
    return senderOfRequest(format, !headerValue(headers, "X-Akeneo-Request-Signature").isNull(),
                           !headerValue(headers, "X-AKENEO-SIGNATURE-PRIMARY").isNull());
}

Format senderOfRequest(Format format, bool eventsApiSignature, bool eventPlatformSignature)
{
    switch (format) {
    case Format::Akeneo:
    case Format::AkeneoTest:
        return Format::Akeneo;
    case Format::AkeneoEventPlatform:
    case Format::Quable:
        return format;
    case Format::Unknown:
        break;
    }
    if (eventPlatformSignature)
        return Format::AkeneoEventPlatform;
    return eventsApiSignature ? Format::Akeneo : Format::Unknown;
}

bool isPlatformNotification(Format format, QStringView firstSubjectType)
{
    return format == Format::AkeneoEventPlatform && firstSubjectType == u"subscription";
}

std::optional<Format> senderFromName(QStringView name)
{
    const std::optional<Format> f = formatFromName(name);
    if (!f || *f == Format::Unknown || *f == Format::AkeneoTest)
        return std::nullopt;
    return f;
}

double shortestDeadlineMs()
{
    double shortest = senderProfile(Format::Akeneo).deadlineMs;
    for (const Format f : {Format::AkeneoEventPlatform, Format::Quable})
        shortest = std::min(shortest, senderProfile(f).deadlineMs);
    return shortest;
}

} // namespace pimscope
