#include "tunnel.h"

#if defined(Q_OS_LINUX)
#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>
#endif

namespace pimscope {

Tunnel::Tunnel(TunnelSpec spec, quint16 localPort, QObject *parent)
    : Tunnel(std::move(spec), localPort, Options{}, parent)
{
}

Tunnel::Tunnel(TunnelSpec spec, quint16 localPort, Options options, QObject *parent)
    : QObject(parent)
    , m_spec(std::move(spec))
    , m_localPort(localPort)
    , m_options(options)
{
    m_urlTimer.setSingleShot(true);
    m_restartTimer.setSingleShot(true);
    connect(&m_urlTimer, &QTimer::timeout, this, &Tunnel::onUrlTimeout);
    connect(&m_restartTimer, &QTimer::timeout, this, &Tunnel::launch);
}

Tunnel::~Tunnel()
{
    stop();
}

qint64 Tunnel::processId() const
{
    return m_process ? m_process->processId() : 0;
}

void Tunnel::start()
{
    m_stopping = false;
    m_backOffMs = 0;
    if (!m_process && !m_restartTimer.isActive())
        launch();
}

void Tunnel::stop()
{
    m_stopping = true;
    m_urlTimer.stop();
    m_restartTimer.stop();
    endProcess(true);
    setState(State::Stopped);
}

void Tunnel::setSecretEnvironment(const QString &variable, const QByteArray &value)
{
    m_secretVariable = variable;
    m_secretValue = value;
}

void Tunnel::endProcess(bool gracefully)
{
    if (!m_process)
        return;
    std::unique_ptr<QProcess> p = std::move(m_process);
    p->disconnect(this);
    if (gracefully) {
        p->terminate();
        if (p->waitForFinished(2000))
            return;
    }
    p->kill();
    p->waitForFinished(2000);
}

void Tunnel::abandonRun(const QString &why)
{
    endProcess(false);
    m_urlTimer.stop();
    scheduleRestart(why);
}

void Tunnel::launch()
{
    m_urlTimer.stop();
    const Result<QString> program = locateTunnelProgram(m_spec);
    if (!program) {
        setState(State::Stopped);
        Q_EMIT problem(program.error(), false);
        return;
    }
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->setInputChannelMode(QProcess::ManagedInputChannel); // stdin: an empty pipe, never the terminal
    m_process->closeWriteChannel();
    m_process->setProgram(*program);
    m_process->setArguments(tunnelArguments(m_spec, m_localPort));
    if (!m_secretVariable.isEmpty() && !m_secretValue.isEmpty()) {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(m_secretVariable, QString::fromUtf8(m_secretValue));
        m_process->setProcessEnvironment(environment);
    }
#if defined(Q_OS_LINUX)
    // In the child, between fork and exec: killed with the thread that started it (Pimscope killed included); when
    // Pimscope went already, before this ran, the child goes at once.
    const pid_t parent = ::getpid();
    m_process->setChildProcessModifier([parent] {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent)
            ::_exit(1);
    });
#endif
    connect(m_process.get(), &QProcess::readyReadStandardOutput, this, &Tunnel::onOutput);
    connect(m_process.get(), &QProcess::finished, this, &Tunnel::onFinished);
    connect(m_process.get(), &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart && m_process)
            onFinished(-1, QProcess::CrashExit);
    });
    // Known before any output (the user's own server, a reserved domain): up once started; the probe checks it.
    connect(m_process.get(), &QProcess::started, this, [this] {
        if (const auto known = m_finder->atStart())
            found(*known);
    });
    m_finder = std::make_unique<TunnelUrlFinder>(m_spec);
    m_partial.clear();
    m_runLines = 0;
    ++m_starts;
    // The log says where each run starts, as a shell would show the command.
    appendLog(QStringLiteral("$ %1 %2").arg(*program, m_process->arguments().join(u' ')));
    setState(State::Starting);
    m_process->start();
    m_upSince.start();
    m_urlTimer.start(m_options.urlTimeoutMs);
}

void Tunnel::appendLog(QString line)
{
    if (!m_secretValue.isEmpty())
        line.replace(QString::fromUtf8(m_secretValue), QStringLiteral("[hidden]"));
    m_log.append(line);
    if (m_log.size() > m_options.keptLines)
        m_log.removeFirst();
    Q_EMIT outputLine(line);
}

void Tunnel::found(const QUrl &url)
{
    m_urlTimer.stop();
    const QUrl previous = m_url;
    m_url = url;
    setState(State::Up);
    Q_EMIT urlFound(m_url);
    if (!previous.isEmpty() && previous != m_url)
        Q_EMIT urlChanged(previous, m_url);
}

void Tunnel::onOutput()
{
    if (!m_process)
        return;
    m_partial += m_process->readAllStandardOutput();
    qsizetype start = 0;
    for (qsizetype nl = m_partial.indexOf('\n'); nl >= 0; nl = m_partial.indexOf('\n', start)) {
        QByteArray line = m_partial.mid(start, nl - start);
        if (line.endsWith('\r'))
            line.chop(1);
        start = nl + 1;
        onLine(QString::fromUtf8(line));
    }
    m_partial.remove(0, start);
}

void Tunnel::onLine(const QString &line)
{
    ++m_runLines;
    appendLog(line);
    if (!m_finder)
        return;
    if (m_state == State::Starting) {
        if (const auto url = m_finder->feed(line)) {
            found(*url);
            return;
        }
    }
    // It cannot come up, or went down (ngrok would retry a refused authtoken forever; ssh said why it ends): stopped,
    // started again later, the reason in the program's words.
    if (const auto refused = m_finder->problemIn(line); refused && m_process)
        abandonRun(*refused);
}

void Tunnel::onFinished(int exitCode, QProcess::ExitStatus status)
{
    if (!m_process)
        return;
    onOutput();
    if (!m_partial.isEmpty()) {
        onLine(QString::fromUtf8(m_partial));
        m_partial.clear();
    }
    if (!m_process)
        return; // its last lines said why it could not come up: stopped, its restart scheduled (onLine)
    const QString error = m_process->error() == QProcess::FailedToStart ? m_process->errorString() : QString();
    m_process.release()->deleteLater(); // its signals may still be on the stack
    m_urlTimer.stop();
    if (m_stopping)
        return;
    const QString why = !error.isEmpty() ? QStringLiteral("%1 could not start: %2").arg(m_spec.program, error)
        : status == QProcess::CrashExit  ? QStringLiteral("%1 crashed").arg(m_spec.program)
                                         : QStringLiteral("%1 exited with code %2").arg(m_spec.program).arg(exitCode);
    scheduleRestart(why);
}

void Tunnel::onUrlTimeout()
{
    if (!m_process || m_state != State::Starting)
        return;
    abandonRun(QStringLiteral("%1 printed no public URL within %2 s")
                   .arg(m_spec.program)
                   .arg(double(m_options.urlTimeoutMs) / 1000.0));
}

void Tunnel::scheduleRestart(const QString &why)
{
    // Up long enough: a fresh failure, the back-off starts over.
    if (m_state == State::Up && m_upSince.elapsed() >= m_options.stableAfterMs)
        m_backOffMs = 0;
    m_backOffMs = m_backOffMs == 0 ? m_options.firstBackOffMs : std::min(m_options.maxBackOffMs, m_backOffMs * 2);
    setState(State::Waiting);
    const QString lines = lastLines();
    Q_EMIT problem(QStringLiteral("%1; started again in %2 s.%3")
                       .arg(why)
                       .arg(double(m_backOffMs) / 1000.0)
                       .arg(lines.isEmpty() ? QStringLiteral(" It printed nothing.")
                                            : QStringLiteral(" Its last lines:\n") + lines),
                   true);
    m_restartTimer.start(m_backOffMs);
}

void Tunnel::setState(State state)
{
    if (state == m_state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

QString Tunnel::lastLines() const
{
    const qsizetype n = std::min<qsizetype>(m_runLines, m_options.shownLines); // this run's only
    return m_log.mid(std::max<qsizetype>(0, m_log.size() - n)).join(u'\n');
}

} // namespace pimscope
