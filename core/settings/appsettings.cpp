#include "appsettings.h"

#include "model/senderprofile.h"
#include "receiver/tlsconfig.h"

#include "filter/filter.h"

#include <QRegularExpression>
#include <QSettings>

namespace pimscope {

QString themeName(Theme theme)
{
    switch (theme) {
    case Theme::System:
        return QStringLiteral("system");
    case Theme::Light:
        return QStringLiteral("light");
    case Theme::Dark:
        return QStringLiteral("dark");
    }
    return {};
}

AppSettings AppSettings::load(QSettings &s)
{
    AppSettings a;
    const AppSettings defaults;
    a.listen = s.value(QStringLiteral("receiver/listen"), defaults.listen).toString();
    a.tlsCertificate = s.value(QStringLiteral("receiver/tlsCertificate")).toString();
    a.tlsKey = s.value(QStringLiteral("receiver/tlsKey")).toString();
    a.answerStatus = s.value(QStringLiteral("receiver/answerStatus"), defaults.answerStatus).toInt();
    a.answerDelayMs = s.value(QStringLiteral("receiver/answerDelayMs"), defaults.answerDelayMs).toInt();
    a.maxBodyBytes = s.value(QStringLiteral("receiver/maxBodyBytes"), defaults.maxBodyBytes).toLongLong();
    a.acceptInvalidSignature = s.value(QStringLiteral("receiver/acceptInvalidSignature"), false).toBool();
    a.alwaysSucceedFor = s.value(QStringLiteral("receiver/alwaysSucceedFor")).toStringList();
    // A rule that no longer parses (edited by hand) is dropped rather than guessed at.
    for (const QString &spec : s.value(QStringLiteral("receiver/secretRules")).toStringList()) {
        if (auto rule = parseKeychainRule(spec))
            a.secretRules.append(*rule);
    }
    a.secretHeaders = s.value(QStringLiteral("receiver/secretHeaders")).toStringList();
    a.forwardRules = s.value(QStringLiteral("receiver/forwardRules")).toStringList();
    a.selfAuthor = s.value(QStringLiteral("capture/selfAuthor")).toString();
    a.retention.keepDays = s.value(QStringLiteral("capture/keepDays"), 0).toInt();
    a.retention.keepBytes = s.value(QStringLiteral("capture/keepMegabytes"), 0).toLongLong() * 1024 * 1024;
    const QString theme = s.value(QStringLiteral("window/theme")).toString();
    a.theme = theme == u"dark" ? Theme::Dark : theme == u"light" ? Theme::Light : Theme::System;
    for (const QString &rule : s.value(QStringLiteral("window/colourRules")).toStringList()) {
        // "#rrggbb filter"
        const qsizetype space = rule.indexOf(u' ');
        if (space > 0)
            a.colourRules.append({rule.mid(space + 1), rule.left(space)});
    }
    return a;
}

void AppSettings::save(QSettings &s) const
{
    s.setValue(QStringLiteral("receiver/listen"), listen);
    s.setValue(QStringLiteral("receiver/tlsCertificate"), tlsCertificate);
    s.setValue(QStringLiteral("receiver/tlsKey"), tlsKey);
    s.setValue(QStringLiteral("receiver/answerStatus"), answerStatus);
    s.setValue(QStringLiteral("receiver/answerDelayMs"), answerDelayMs);
    s.setValue(QStringLiteral("receiver/maxBodyBytes"), maxBodyBytes);
    s.setValue(QStringLiteral("receiver/acceptInvalidSignature"), acceptInvalidSignature);
    s.setValue(QStringLiteral("receiver/alwaysSucceedFor"), alwaysSucceedFor);
    QStringList rules;
    for (const KeychainRule &r : secretRules)
        rules.append(keychainRuleSpec(r));
    s.setValue(QStringLiteral("receiver/secretRules"), rules);
    s.setValue(QStringLiteral("receiver/secretHeaders"), secretHeaders);
    s.setValue(QStringLiteral("receiver/forwardRules"), forwardRules);
    s.setValue(QStringLiteral("capture/selfAuthor"), selfAuthor);
    s.setValue(QStringLiteral("capture/keepDays"), retention.keepDays);
    s.setValue(QStringLiteral("capture/keepMegabytes"), retention.keepBytes / (qint64{1024} * 1024));
    s.setValue(QStringLiteral("window/theme"), themeName(theme));
    QStringList colours;
    for (const ColourRule &r : colourRules)
        colours.append(r.colour + u' ' + r.filter);
    s.setValue(QStringLiteral("window/colourRules"), colours);
}

QStringList AppSettings::problems() const
{
    QStringList p;
    QHostAddress address;
    quint16 port = 0;
    if (!parseListenAddress(listen, address, port))
        p << QStringLiteral("The listen address must be HOST:PORT, not '%1'.").arg(listen);
    if (tlsCertificate.isEmpty() != tlsKey.isEmpty())
        p << QStringLiteral("HTTPS needs both a certificate and its key.");
    if (answerStatus < 100 || answerStatus > 599)
        p << QStringLiteral("The answer status must be an HTTP status from 100 to 599.");
    if (answerDelayMs < 0 || answerDelayMs > 600'000)
        p << QStringLiteral("The answer delay must be from 0 to 600,000 ms.");
    if (maxBodyBytes < 0)
        p << QStringLiteral("The body limit cannot be negative.");
    for (const QString &name : alwaysSucceedFor) {
        if (!senderFromName(name))
            p << QStringLiteral("'%1' is not a sender: akeneo, akeneo-event-platform or quable.").arg(name);
    }
    for (const KeychainRule &r : secretRules) {
        if (auto back = parseKeychainRule(keychainRuleSpec(r)); !back)
            p << QStringLiteral("Secret rule: %1.").arg(back.error());
    }
    for (const QString &name : secretHeaders) {
        if (!HeaderRedactor::isHeaderName(name.toLatin1()))
            p << QStringLiteral("Secret header '%1': not a header name.").arg(name);
    }
    for (const QString &spec : forwardRules) {
        if (auto rule = parseForwardRule(spec); !rule)
            p << QStringLiteral("Forwarding rule '%1': %2.").arg(spec, rule.error());
    }
    static const QRegularExpression hexColour(QStringLiteral("^#[0-9a-fA-F]{6}$"));
    for (const ColourRule &r : colourRules) {
        const Filter f = Filter::parse(r.filter);
        if (!f.isValid() || f.isEmpty())
            p << QStringLiteral("Colouring rule '%1': %2.")
                     .arg(r.filter, f.isEmpty() ? QStringLiteral("no filter") : f.error().message);
        if (!hexColour.match(r.colour).hasMatch())
            p << QStringLiteral("Colouring rule '%1': the colour must be #rrggbb, not '%2'.").arg(r.filter, r.colour);
    }
    if (retention.keepDays < 0 || retention.keepBytes < 0)
        p << QStringLiteral("Retention limits cannot be negative.");
    return p;
}

HeaderRedactor AppSettings::redactor() const
{
    QList<QByteArray> names;
    for (const QString &name : secretHeaders)
        names.append(name.toLatin1());
    return HeaderRedactor(names);
}

Result<ReceiverSettings> AppSettings::receiverSettings() const
{
    using R = Result<ReceiverSettings>;
    if (const QStringList p = problems(); !p.isEmpty())
        return R::failure(p.join(u' '));
    ReceiverSettings r;
    parseListenAddress(listen, r.address, r.port);
    r.answerStatus = answerStatus;
    r.answerDelayMs = answerDelayMs;
    r.limits.maxBodyBytes = maxBodyBytes;
    r.acceptInvalidSignature = acceptInvalidSignature;
    for (const QString &name : alwaysSucceedFor)
        r.alwaysSucceedFor.append(*senderFromName(name)); // checked by problems()
    r.signatures.secretHeaders = redactor().secretHeaders();
    for (const QString &spec : forwardRules)
        r.forwards.append(*parseForwardRule(spec)); // checked by problems()
    if (!tlsCertificate.isEmpty()) {
        auto tls = loadServerTls(tlsCertificate, tlsKey);
        if (!tls)
            return R::failure(tls.error());
        r.tls = *tls;
    }
    return r;
}

} // namespace pimscope
