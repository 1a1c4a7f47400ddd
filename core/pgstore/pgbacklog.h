#pragma once

#include "pgrows.h"
#include "pgtarget.h"

#include "store/forwardbacklog.h"

#include <memory>

namespace pimscope {

class PgConnection;

/**
 * One receiver's queue of ack-mode forwards in a server's PostgreSQL store (the forwards whose `queue` is its name),
 * read back when it starts and for the bodies of a long queue; on a connection of its own, from the receiver's thread.
 */
class PgBacklog : public ForwardBacklog
{
public:
    static Result<std::unique_ptr<PgBacklog>> open(const PgTarget &target, const QByteArray &password,
                                                   const QString &queue);
    ~PgBacklog() override;
    PgBacklog(const PgBacklog &) = delete;
    PgBacklog &operator=(const PgBacklog &) = delete;

    Result<QList<ConnectorAnswer>> queuedForwards(const QList<ForwardState> &states) override;
    Result<QList<Delivery>> forwardedDeliveries(const QList<qint64> &ids, bool withBody) override;

private:
    PgBacklog(PgTarget target, QByteArray password, QString queue);
    /** Runs a query, on a connection opened again first when the last one was lost (a server restarted meanwhile). */
    Result<PgBinaryResult> select(const QByteArray &sql, const QList<QByteArray> &parameters);

    PgTarget m_target;
    QByteArray m_password;
    QString m_queue;
    std::unique_ptr<PgConnection> m_connection;
};

} // namespace pimscope
