#include "pgtarget.h"

#include <QUrl>
#include <QUrlQuery>

namespace pimscope {

namespace {

const QStringList kSslModes{QStringLiteral("disable"), QStringLiteral("allow"),     QStringLiteral("prefer"),
                            QStringLiteral("require"), QStringLiteral("verify-ca"), QStringLiteral("verify-full")};
const QStringList kParameters{QStringLiteral("sslmode"), QStringLiteral("sslrootcert"),
                              QStringLiteral("connect_timeout"), QStringLiteral("application_name")};

/** A libpq connection-string value: single-quoted, backslashes and quotes escaped. */
QByteArray quoted(const QByteArray &value)
{
    QByteArray out = "'";
    for (const char c : value) {
        if (c == '\'' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + '\'';
}

} // namespace

bool isPgUrl(const QString &text)
{
    return text.startsWith(QStringLiteral("postgresql://")) || text.startsWith(QStringLiteral("postgres://"));
}

Result<PgTarget> parsePgTarget(const QString &text)
{
    using R = Result<PgTarget>;
    if (!isPgUrl(text))
        return R::failure(
            QStringLiteral("'%1' is not a postgresql:// URL (postgresql://USER@HOST[:PORT]/DATABASE)").arg(text));
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid())
        return R::failure(QStringLiteral("'%1' is not a valid URL: %2").arg(text, url.errorString()));
    if (!url.password().isEmpty())
        return R::failure(QStringLiteral("no password in the URL (the process list and shell histories would show "
                                         "it): set PGPASSWORD, a line of ~/.pgpass, or keep it in the keychain "
                                         "with: pimscope secret set postgresql:%1@%2:%3%4")
                              .arg(url.userName(), url.host())
                              .arg(url.port(5432))
                              .arg(url.path()));
    PgTarget target;
    target.user = url.userName();
    target.host = url.host();
    target.port = url.port(5432);
    target.database = url.path().mid(1);
    if (target.user.isEmpty())
        return R::failure(QStringLiteral("'%1' names no user: postgresql://USER@HOST[:PORT]/DATABASE").arg(text));
    if (target.host.isEmpty())
        return R::failure(QStringLiteral("'%1' names no host: postgresql://USER@HOST[:PORT]/DATABASE").arg(text));
    if (target.database.isEmpty() || target.database.contains(u'/'))
        return R::failure(QStringLiteral("'%1' names no database: postgresql://USER@HOST[:PORT]/DATABASE").arg(text));
    if (target.port <= 0 || target.port > 65535)
        return R::failure(QStringLiteral("'%1': the port is not 1 to 65535").arg(text));
    const QUrlQuery query(url);
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (!kParameters.contains(key))
            return R::failure(QStringLiteral("unknown parameter '%1' in the URL (%2 are known)")
                                  .arg(key, kParameters.join(QStringLiteral(", "))));
        if (key == u"sslmode" && !kSslModes.contains(value))
            return R::failure(
                QStringLiteral("sslmode '%1' is not one of %2").arg(value, kSslModes.join(QStringLiteral(", "))));
        if (key == u"connect_timeout" && value.toInt() <= 0)
            return R::failure(QStringLiteral("connect_timeout '%1' is not a number of seconds").arg(value));
        target.parameters.append({key, value});
    }
    return target;
}

QString PgTarget::url() const
{
    QString text = QStringLiteral("postgresql://%1@%2%3/%4")
                       .arg(user, host.contains(u':') ? u'[' + host + u']' : host,
                            port == 5432 ? QString() : u':' + QString::number(port), database);
    QStringList query;
    for (const auto &[key, value] : parameters)
        query << key + u'=' + value;
    if (!query.isEmpty())
        text += u'?' + query.join(u'&');
    return text;
}

QString PgTarget::address() const
{
    return QStringLiteral("%1:%2").arg(host).arg(port);
}

QString PgTarget::secretName() const
{
    return QStringLiteral("postgresql:%1@%2:%3/%4").arg(user, host).arg(port).arg(database);
}

QByteArray PgTarget::connectionString(const QByteArray &password) const
{
    QByteArray s = "host=" + quoted(host.toUtf8()) + " port=" + QByteArray::number(port)
        + " user=" + quoted(user.toUtf8()) + " dbname=" + quoted(database.toUtf8());
    bool timeoutGiven = false;
    bool nameGiven = false;
    for (const auto &[key, value] : parameters) {
        s += ' ' + key.toUtf8() + '=' + quoted(value.toUtf8());
        timeoutGiven = timeoutGiven || key == u"connect_timeout";
        nameGiven = nameGiven || key == u"application_name";
    }
    if (!timeoutGiven)
        s += " connect_timeout=10";
    if (!nameGiven)
        s += " application_name='pimscope'";
    // A server that vanished without closing the connection (its machine gone, a network cut) is noticed within about
    // a minute, rather than the system's two hours: a follower waiting on LISTEN would not know otherwise.
    // tcp_user_timeout: data sent and never acknowledged (a pipeline to a host gone) fails within 60 s, where
    // keepalives (idle sockets only) would not help. Text is exchanged in UTF-8 whatever the database's encoding.
    s += " keepalives=1 keepalives_idle=30 keepalives_interval=10 keepalives_count=3 tcp_user_timeout=60000"
         " client_encoding=UTF8";
    if (!password.isEmpty())
        s += " password=" + quoted(password);
    return s;
}

bool passwordFromEnvironment()
{
    return !qEnvironmentVariableIsEmpty("PGPASSWORD") || !qEnvironmentVariableIsEmpty("PGPASSFILE");
}

} // namespace pimscope
