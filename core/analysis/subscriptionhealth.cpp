#include "subscriptionhealth.h"

#include "model/senderprofile.h"
#include "util/timeutil.h"

#include <QLocale>

#include <algorithm>

namespace pimscope {

namespace {

/** The sender whose subscription a format's requests belong to; Unknown for none. */
Format senderOf(Format format)
{
    switch (format) {
    case Format::Akeneo:
    case Format::AkeneoEventPlatform:
    case Format::Quable:
        return format;
    case Format::Unknown:
    case Format::AkeneoTest: // the Test button, not the subscription's traffic
        break;
    }
    return Format::Unknown;
}

QString thousands(qint64 n)
{
    return QLocale(QLocale::English).toString(n);
}

} // namespace

SubscriptionHealth::State SubscriptionHealth::state() const
{
    if (cutOff)
        return State::CutOff;
    const SenderProfile &profile = senderProfile(sender);
    if (profile.disableAfterFailures > 0 && failureStreak > 0)
        return State::AtRisk;
    if (profile.minSuccessRate > 0) {
        const double rate = successRate();
        if ((rate >= 0 && rate < 0.95) || (eventsPerSecond > 0 && eventsPerSecond < profile.maxEventsPerSecond))
            return State::AtRisk;
    }
    if (profile.requestsPerHour > 0 && hourRequests * 10 >= qint64(profile.requestsPerHour) * 8)
        return State::AtRisk;
    return State::Healthy;
}

double SubscriptionHealth::successRate() const
{
    return hourCounted > 0 ? double(hourSuccesses) / double(hourCounted) : -1.0;
}

QString SubscriptionHealth::cutOffSentence() const
{
    if (cutOffAtMs == 0)
        return {};
    const char *sentence = nullptr; // %1 path, %2 time, %3 reason, %4 request
    switch (sender) {
    case Format::Quable:
        sentence = "Quable would have disabled the webhook for %1 at %2 UTC (%3, request #%4): it stays disabled until "
                   "re-enabled by hand";
        break;
    case Format::AkeneoEventPlatform:
        sentence = "the Event Platform would have suspended the subscription for %1 at %2 UTC (%3, request #%4): "
                   "events are kept up to 10 days and replayed once it is resumed";
        break;
    case Format::Akeneo:
        sentence = "the Events API reached its hourly quota for %1 at %2 UTC (%3, request #%4): it sends nothing more "
                   "until the rolling hour has room";
        break;
    case Format::Unknown:
    case Format::AkeneoTest:
        return {};
    }
    return QString::fromLatin1(sentence)
        .arg(QString::fromUtf8(path), toTableUtc(cutOffAtMs), cutOffReason)
        .arg(cutOffDeliveryId);
}

QString SubscriptionHealth::meterText() const
{
    const SenderProfile &profile = senderProfile(sender);
    if (profile.disableAfterFailures > 0) {
        if (cutOff)
            return QStringLiteral("disabled (%1 failures in a row)").arg(failureStreak);
        return failureStreak == 1 ? QStringLiteral("1 failure in a row")
                                  : QStringLiteral("%1 failures in a row").arg(failureStreak);
    }
    if (profile.minSuccessRate > 0) {
        const double rate = successRate();
        QString text
            = rate < 0 ? QStringLiteral("no answer counted yet") : QStringLiteral("success ") + successPercent(rate);
        if (eventsPerSecond > 0 && eventsPerSecond < profile.maxEventsPerSecond)
            text += QStringLiteral(", throttled to %1/s").arg(qRound(eventsPerSecond));
        return cutOff ? QStringLiteral("suspended (%1)").arg(text) : text;
    }
    if (profile.requestsPerHour > 0)
        return QStringLiteral("%1 / %2 requests").arg(thousands(hourRequests), thousands(profile.requestsPerHour));
    return {};
}

void HealthTracker::slide(Entry &e, qint64 nowSecond)
{
    // The hour's counts are those of the slots whose second is in (lastSecond - size, lastSecond]; moving the end
    // to nowSecond takes out the seconds that leave: one slot per second of time passed, at most the whole ring.
    SubscriptionHealth &h = e.health;
    const auto size = qint64(e.ring.size());
    if (e.lastSecond < 0 || nowSecond - e.lastSecond >= size) {
        h.hourRequests = h.hourCounted = h.hourSuccesses = 0; // every slot is older (told apart by its second)
    } else {
        for (qint64 s = e.lastSecond + 1; s <= nowSecond; ++s) {
            Second &slot = e.ring[std::size_t(s % size)];
            if (slot.second == s - size) {
                h.hourRequests -= slot.requests;
                h.hourCounted -= slot.counted;
                h.hourSuccesses -= slot.successes;
            }
            slot = Second{};
        }
    }
    e.lastSecond = nowSecond;
}

bool HealthTracker::record(const QByteArray &path, Format format, qint64 deliveryId, qint64 atMs, int status,
                           double ackMs)
{
    const Format sender = senderOf(format);
    if (sender == Format::Unknown)
        return false;
    const SenderProfile &profile = senderProfile(sender);
    Entry &e = entry(path, sender, atMs);
    SubscriptionHealth &h = e.health;
    m_changed = true;
    h.lastAtMs = std::max(h.lastAtMs, atMs);

    // The rolling hour ends at the newest answer; one recorded late (answers are timed after the commit) still
    // counts while it is inside it.
    const qint64 second = atMs / 1000;
    if (second > e.lastSecond)
        slide(e, second);
    const bool ok = profile.isSuccess(status, ackMs);
    const bool throttledAnswer = status == 429 && profile.maxEventsPerSecond > 0;
    ++h.requests;
    if (second > e.lastSecond - qint64(e.ring.size())) {
        Second &slot = e.ring[std::size_t(second % qint64(e.ring.size()))];
        if (slot.second != second)
            slot = Second{second, 0, 0, 0};
        ++h.hourRequests;
        ++slot.requests;
        if (!throttledAnswer) {
            ++h.hourCounted;
            ++slot.counted;
            if (ok) {
                ++h.hourSuccesses;
                ++slot.successes;
            }
        }
    }
    if (!ok)
        ++h.failures;
    h.failureStreak = ok ? 0 : h.failureStreak + 1;
    h.longestStreak = std::max(h.longestStreak, h.failureStreak);
    if (profile.maxEventsPerSecond > 0) {
        if (throttledAnswer) {
            ++h.throttled;
            h.eventsPerSecond = std::max(double(profile.minEventsPerSecond), h.eventsPerSecond / 2);
        } else if (ok) {
            h.eventsPerSecond = std::min(double(profile.maxEventsPerSecond), h.eventsPerSecond + 1);
        }
    }

    // A success means the sender is delivering: re-enabled, resumed, or back within its quota.
    if (ok && h.cutOff && profile.requestsPerHour == 0)
        h.cutOff = false;
    if (profile.requestsPerHour > 0 && h.cutOff && h.hourRequests < profile.requestsPerHour)
        h.cutOff = false;
    if (h.cutOff)
        return false;
    QString reason;
    if (profile.disableAfterFailures > 0 && h.failureStreak >= profile.disableAfterFailures) {
        reason = QStringLiteral("3rd consecutive failure, answered %1 in %2 ms").arg(status).arg(qRound(ackMs));
        if (profile.disableAfterFailures != 3)
            reason.replace(0, 3, QString::number(profile.disableAfterFailures) + QStringLiteral("th"));
    } else if (profile.suspendOnNotFound && status == 404) {
        reason = QStringLiteral("answered 404");
    } else if (profile.suspendOnRedirect && status >= 300 && status < 400) {
        reason = QStringLiteral("answered %1, a redirect, which it never follows").arg(status);
    } else if (profile.minSuccessRate > 0 && !ok && h.hourCounted >= SubscriptionHealth::minAnswersForRate
               && h.successRate() < profile.minSuccessRate) {
        reason = QStringLiteral("success rate %1 over the rolling hour, %2 of %3 answers, below %4")
                     .arg(successPercent(h.successRate()))
                     .arg(h.hourSuccesses)
                     .arg(h.hourCounted)
                     .arg(QString::number(profile.minSuccessRate * 100) + QStringLiteral(" %"));
    } else if (profile.requestsPerHour > 0 && h.hourRequests >= profile.requestsPerHour) {
        reason = QStringLiteral("%1 requests in the rolling hour").arg(thousands(h.hourRequests));
    }
    if (reason.isEmpty())
        return false;
    h.cutOff = true;
    ++h.cutOffs;
    h.cutOffAtMs = atMs;
    h.cutOffDeliveryId = deliveryId;
    h.cutOffReason = reason;
    return true;
}

HealthTracker::Entry &HealthTracker::entry(const QByteArray &path, Format sender, qint64 atMs)
{
    auto [it, inserted] = m_entries.try_emplace({path, int(sender)});
    SubscriptionHealth &h = it->second.health;
    if (inserted) {
        h.path = path;
        h.sender = sender;
        h.firstAtMs = atMs;
        h.eventsPerSecond = senderProfile(sender).maxEventsPerSecond;
    }
    return it->second;
}

void HealthTracker::notice(const QByteArray &path, qint64 deliveryId, qint64 atMs, const QString &type,
                           const QString &reason)
{
    SubscriptionHealth &h = entry(path, Format::AkeneoEventPlatform, atMs).health;
    m_changed = true;
    h.notice = reason.isEmpty() ? type : type + QStringLiteral(": ") + reason;
    h.noticeAtMs = atMs;
    h.lastAtMs = std::max(h.lastAtMs, atMs);
    if (type == u"subscription.resumed") {
        h.cutOff = false;
    } else if ((type.startsWith(u"subscription.suspended") || type == u"subscription.revoked") && !h.cutOff) {
        h.cutOff = true;
        ++h.cutOffs;
        h.cutOffAtMs = atMs;
        h.cutOffDeliveryId = deliveryId;
        h.cutOffReason = QStringLiteral("its notification said %1").arg(h.notice);
    }
}

QList<SubscriptionHealth> HealthTracker::all() const
{
    QList<SubscriptionHealth> out;
    out.reserve(qsizetype(m_entries.size()));
    for (const auto &[key, e] : m_entries)
        out.append(e.health);
    return out;
}

bool HealthTracker::takeChanged()
{
    return std::exchange(m_changed, false);
}

void HealthTracker::clear()
{
    m_entries.clear();
    m_changed = true;
}

QString successPercent(double rate)
{
    return QStringLiteral("%1 %").arg(std::floor(rate * 1000) / 10, 0, 'f', 1);
}

QStringList NewCutOffs::update(const QList<SubscriptionHealth> &health, bool read)
{
    QStringList sentences;
    for (const SubscriptionHealth &h : health) {
        int &seen = m_seen[{h.path, int(h.sender)}];
        if (!read && h.cutOffs > seen)
            sentences << h.cutOffSentence();
        seen = h.cutOffs;
    }
    return sentences;
}

} // namespace pimscope
