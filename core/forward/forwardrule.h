#pragma once

#include "model/delivery.h"
#include "util/result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QUrl>

namespace pimscope {

/**
 * How a forwarded delivery is answered to the PIM:
 *  - Proxy: the delivery is committed, forwarded, and the PIM gets the connector's own answer (or a 502 when none
 *    came at all), so that the connector is judged as the PIM judges it;
 *  - Ack: Pimscope answers the PIM itself once the delivery is committed, then forwards in arrival order, so that a
 *    connector being debugged never gets the subscription disabled or suspended.
 */
enum class ForwardMode { Proxy, Ack };

/** The connector a receiving path prefix's deliveries are forwarded to. */
struct ForwardRule
{
    QByteArray prefix; ///< normalised (pathprefix::normalised): "/" or "/a/b"
    QUrl target; ///< http or https, no user info, no fragment
    ForwardMode mode = ForwardMode::Proxy;
    bool insecure = false; ///< accept any TLS certificate from the connector
    int concurrency = 1; ///< ack mode: forwards in flight at most (1 keeps the arrival order)

    /** The rule as the command line writes it: "/akeneo=http://localhost:3000/hooks,mode=ack". */
    QString spec() const;
    friend bool operator==(const ForwardRule &, const ForwardRule &) = default;
};

/**
 * Reads `PREFIX=URL[,mode=proxy|ack][,insecure][,concurrency=N]` (`receive --forward`, the settings); a comma of the
 * URL is written %2C, so that a mistyped option is an error, not part of the URL. Every problem is named: a prefix that
 * is not a path, a URL that is not http(s), user info in it (the PIM's own Authorization header is passed on
 * untouched), a fragment, an unknown option, a concurrency outside 1 to 64 or given in proxy mode (where the PIM's
 * requests set it).
 */
Result<ForwardRule> parseForwardRule(const QString &spec);

/** Whether one of the rules forwards in ack mode (a queue of forwards is then kept in the store). */
bool hasAckRule(const QList<ForwardRule> &rules);

/** The rule with the longest prefix covering the request target's path (the first on a tie); null when none. */
const ForwardRule *forwardRuleFor(const QList<ForwardRule> &rules, QByteArrayView requestTarget);

/**
 * Where a request to `requestTarget` (path and query, as received) goes: the rest of its path after the rule's
 * prefix appended to the target's path, the target's query (if any) then the request's. E.g. prefix "/akeneo",
 * target "http://localhost:3000/hooks", request "/akeneo/products?x=1" -> "http://localhost:3000/hooks/products?x=1".
 */
QUrl forwardUrl(const ForwardRule &rule, QByteArrayView requestTarget);

/**
 * The headers a delivery is forwarded with: the PIM's, in their order, signature and Authorization headers untouched,
 * without the hop-by-hop ones (Connection and those it names, Keep-Alive, Proxy-Connection, Proxy-Authenticate,
 * Proxy-Authorization, TE, Trailer, Transfer-Encoding, Upgrade; RFC 9110 7.6.1) nor Expect (the body was read
 * already) nor Content-Length (the body is sent whole, its length set again), and Host set to the target's.
 */
Headers forwardHeaders(const Headers &received, const QUrl &target);

/**
 * The headers of a connector's answer as they are passed on to the PIM: in their order, without the hop-by-hop ones
 * (as above) nor Content-Length (the receiver sets it for the body it sends).
 */
Headers passedOnHeaders(const Headers &answer);

} // namespace pimscope
