#pragma once

#include "tunneloutput.h"
#include "tunnelspec.h"

#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTimer>
#include <QUrl>

#include <memory>

namespace pimscope {

/**
 * A tunnel program run as Pimscope's child process, giving the receiver on 127.0.0.1:`localPort` a public URL: found on
 * the PATH (or at the spec's path), started, its output (stdout and stderr merged) kept in a log of its last lines and
 * read for the URL (TunnelUrlFinder), restarted with back-off when it exits. It dies with Pimscope, even when Pimscope
 * is killed: the kernel kills it when the thread that started it ends (PR_SET_PDEATHSIG, Linux), so start it from the
 * main thread. A command that starts programs of its own is responsible for them.
 *
 * What happens is said by signals: the URL found (urlFound; urlChanged when a restart brought another one: the PIM
 * must be given it), each line of output, and problems (problem), each naming what went wrong with the program's last
 * lines: missing (not restarted), exited, no URL within urlTimeoutMs.
 */
class Tunnel : public QObject
{
    Q_OBJECT
public:
    enum class State { Stopped, Starting, Up, Waiting };
    struct Options
    {
        int urlTimeoutMs = 30'000; ///< from the start to the URL in the output
        int firstBackOffMs = 1000; ///< before the first restart, doubling to maxBackOffMs
        int maxBackOffMs = 60'000;
        int stableAfterMs = 60'000; ///< up this long: the next restart waits firstBackOffMs again
        int keptLines = 500; ///< of output, in log()
        int shownLines = 8; ///< of output, in a problem's message
    };

    Tunnel(TunnelSpec spec, quint16 localPort, QObject *parent = nullptr);
    Tunnel(TunnelSpec spec, quint16 localPort, Options options, QObject *parent = nullptr);
    ~Tunnel() override;

    /** Starts the program (again, if stopped); a missing program is a problem() at once. */
    void start();
    /** Stops it (terminated, killed after 2 s) and stops restarting it. */
    void stop();
    /**
     * Gives the program a credential in its environment (ngrok's NGROK_AUTHTOKEN), from the next start on: never on
     * its command line (which any user of the machine sees) and never in the log (its value, should the program print
     * it, is shown as "[hidden]").
     */
    void setSecretEnvironment(const QString &variable, const QByteArray &value);

    State state() const { return m_state; }
    /** The public URL, once found (kept while a restart is pending: it may come back the same). */
    QUrl url() const { return m_url; }
    const TunnelSpec &spec() const { return m_spec; }
    /** The program's last lines of output, oldest first. */
    const QStringList &log() const { return m_log; }
    /** The program's process id while it runs (0 otherwise). */
    qint64 processId() const;
    /** How many times it was started. */
    int starts() const { return m_starts; }

Q_SIGNALS:
    void outputLine(const QString &line);
    /** The public URL is known (at each start). */
    void urlFound(const QUrl &url);
    /** A restart brought a URL other than the one before: whoever was given the old one must be given this one. */
    void urlChanged(const QUrl &previous, const QUrl &current);
    /** Something went wrong, in words (with the program's last lines); `retrying` when a restart is scheduled. */
    void problem(const QString &message, bool retrying);
    void stateChanged(pimscope::Tunnel::State state);

private:
    void launch();
    void onOutput();
    void onLine(const QString &line);
    void appendLog(QString line);
    void found(const QUrl &url);
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void onUrlTimeout();
    /** Ends the program, if it runs: terminated first when `gracefully` (killed after 2 s), else killed. */
    void endProcess(bool gracefully);
    /** This run cannot come up (`why`): the program killed, started again after the back-off. */
    void abandonRun(const QString &why);
    void scheduleRestart(const QString &why);
    void setState(State state);
    QString lastLines() const;

    TunnelSpec m_spec;
    QString m_secretVariable;
    QByteArray m_secretValue;
    quint16 m_localPort;
    Options m_options;
    std::unique_ptr<QProcess> m_process;
    std::unique_ptr<TunnelUrlFinder> m_finder;
    QTimer m_urlTimer;
    QTimer m_restartTimer;
    QElapsedTimer m_upSince;
    State m_state = State::Stopped;
    QUrl m_url;
    QStringList m_log;
    QByteArray m_partial; ///< output after the last newline
    int m_backOffMs = 0;
    int m_starts = 0;
    qsizetype m_runLines = 0; ///< lines of output of the current run
    bool m_stopping = false;
};

} // namespace pimscope
