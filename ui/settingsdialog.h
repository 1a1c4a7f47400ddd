#pragma once

#include "settings/appsettings.h"

#include <QDialog>
#include <QHash>
#include <QMap>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableWidget;

class QPlainTextEdit;

namespace pimscope::ui {

/**
 * Edits AppSettings: the receiver (listen address, HTTPS files, body limit, the answer to simulate), its secrets
 * (which keychain names verify which path prefix; a value typed here is written to the keychain, never shown
 * again nor kept anywhere else), the capture (the connection's own author, retention), the colouring rules and
 * the theme. OK is refused, with the problems listed, while something is invalid.
 */
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit SettingsDialog(const AppSettings &settings, QWidget *parent = nullptr);

    /** The settings as edited. */
    AppSettings settings() const;
    /** The secret values typed in, by keychain name (to be written to the keychain). */
    QHash<QString, QByteArray> newSecrets() const;

    void accept() override;

    // For tests.
    QLineEdit *listenEdit() const { return m_listen; }
    QLineEdit *tlsCertificateEdit() const { return m_cert; }
    QLineEdit *tlsKeyEdit() const { return m_key; }
    QSpinBox *statusSpin() const { return m_status; }
    QSpinBox *delaySpin() const { return m_delay; }
    QSpinBox *bodyLimitSpin() const { return m_bodyLimit; }
    QCheckBox *acceptInvalidBox() const { return m_acceptInvalid; }
    /** The "Always answer 2xx to" box of a sender. */
    QCheckBox *alwaysSucceedBox(Format sender) const { return m_alwaysSucceed.value(sender); }
    QLineEdit *secretHeadersEdit() const { return m_secretHeaders; }
    QTableWidget *secretsTable() const { return m_secrets; }
    /** Adds a row to the secrets table: prefix, kind (0 Akeneo, 1 Event Platform primary, 2 secondary, 3 Quable). */
    void addSecretRow(const QString &prefix, int kind, const QString &name, const QString &value = {});
    QLineEdit *selfAuthorEdit() const { return m_selfAuthor; }
    QSpinBox *keepDaysSpin() const { return m_keepDays; }
    QSpinBox *keepMegabytesSpin() const { return m_keepMegabytes; }
    QComboBox *themeBox() const { return m_theme; }
    QTableWidget *colourTable() const { return m_colours; }
    void addColourRow(const QString &filter, const QString &colour);
    QLabel *problemsLabel() const { return m_problems; }
    /** The forwarding rules, one per line. */
    QPlainTextEdit *forwardRulesEdit() const { return m_forwardRules; }

private:
    QWidget *receiverPage(const AppSettings &s);
    QWidget *secretsPage(const AppSettings &s);
    QWidget *capturePage(const AppSettings &s);
    QWidget *forwardingPage(const AppSettings &s);
    QWidget *appearancePage(const AppSettings &s);
    static void moveRow(QTableWidget *table, int delta);

    QLineEdit *m_listen = nullptr;
    QLineEdit *m_cert = nullptr;
    QLineEdit *m_key = nullptr;
    QSpinBox *m_status = nullptr;
    QSpinBox *m_delay = nullptr;
    QLabel *m_answerRisks = nullptr; ///< what the simulated answers would make each sender do
    QSpinBox *m_bodyLimit = nullptr;
    QCheckBox *m_acceptInvalid = nullptr;
    QMap<Format, QCheckBox *> m_alwaysSucceed; ///< per sender
    QList<Format> alwaysSucceedFor() const;
    QLineEdit *m_secretHeaders = nullptr;
    QTableWidget *m_secrets = nullptr;
    QLineEdit *m_selfAuthor = nullptr;
    QSpinBox *m_keepDays = nullptr;
    QSpinBox *m_keepMegabytes = nullptr;
    QComboBox *m_theme = nullptr;
    QTableWidget *m_colours = nullptr;
    QLabel *m_problems = nullptr;
    QPlainTextEdit *m_forwardRules = nullptr;
};

} // namespace pimscope::ui
