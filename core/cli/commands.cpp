#include "commands.h"

#include <QCoreApplication>
#include <QSysInfo>
#include <QTextStream>

#include <cstring>

namespace pimscope::cli {

void setApplicationIdentity()
{
    QCoreApplication::setOrganizationName(QStringLiteral("pimscope"));
    QCoreApplication::setOrganizationDomain(QStringLiteral("pimscope.github.io"));
    QCoreApplication::setApplicationName(QStringLiteral("pimscope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PIMSCOPE_VERSION));
}

bool isHeadlessCommand(const char *argv1)
{
    for (const char *name : {"export", "stats"}) {
        if (std::strcmp(argv1, name) == 0)
            return true;
    }
    return false;
}

QString versionText()
{
    return QStringLiteral("pimscope %1 (Qt %2 runtime, built with Qt %3, %4, %5)\n")
        .arg(QStringLiteral(PIMSCOPE_VERSION), QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
             QSysInfo::buildAbi(), QStringLiteral(__DATE__));
}

int run(const QStringList &arguments)
{
    QTextStream(stderr) << "pimscope: unknown command " << arguments.value(1) << '\n';
    return UsageError;
}

} // namespace pimscope::cli
