// Automation: what scripts and tests need from a running dashboard, kept apart from the UI.
//  --screenshot FILE   grab the window once the charts hold data (plus a short settle), write
//                      FILE and FILE.json (state words, chart counts, plot rectangles), exit.
//  --print-state       a JSON line on stdout whenever the connection's words change.
//  --control           read commands on stdin: "grab FILE", "snapshot", "quit", and for the
//                      dialogs and popups the app's QML declares: "dialogs" (each one's name,
//                      type and visibility), "open NAME", "close NAME", "accept NAME [FILE]"
//                      (OK, a file dialog's Save with FILE picked); "find PREFIX" (items by
//                      objectName: where, shown or not, their words); "mouse move|click|
//                      doubleclick X Y", "mouse drag X1 Y1 X2 Y2"; "key SEQUENCE" (Ctrl+F,
//                      Escape: through the shortcuts, as typed); "labels": every
//                      visible text that does not fit its box (wider than itself, spilling
//                      out of the card or pill it sits on or out of the window, elided with no
//                      tooltip holding its words) and every two texts of one card that overlap.
//  --stats-interval MS the window's own frame rate and frame times (average, max, p50, p99 and
//                      a 1 ms histogram of the interval, so a benchmark can merge intervals
//                      into an exact run-wide percentile), the dashboard's queue depths and
//                      its message lag, as JSON lines on stdout.
#pragma once

#include "client/LineReader.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QQuickWindow;

namespace Pulseboard {

class Dashboard;

class Automation : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QString screenshotFile;
        int screenshotDelayMs = -1; // < 0: when data is on the charts, then settleMs
        int settleMs = 1200;
        int maxWaitMs = 20000; // grab anyway (and say so) after this long
        bool printState = false;
        bool control = false;
        int statsIntervalMs = 0;
    };

    Automation(Dashboard *dashboard, QQuickWindow *window, const Options &options, QObject *parent = nullptr);
    ~Automation() override;

    // Grabs the window into `file` (PNG) and `file`.json; returns the JSON written.
    QVariantMap grab(const QString &file, QString *error);

Q_SIGNALS:
    void quitRequested(int exitCode);

private:
    void printLine(const QVariantMap &map);
    void checkScreenshot();
    void controlCommand(const QString &line);
    // The window's geometry, the platform's name and the screen's size (the `snapshot` command).
    QVariantMap windowFacts() const;
    // The first object of the window named `name` (objectName), or null.
    QObject *findByName(const QString &name) const;
    void printFrameStats();
    QVariantList plotAreas() const;
    // Every Popup and Dialog declared by the app's own QML (not the style's internals), by objectName.
    QList<QObject *> dialogs() const;
    QVariantMap dialogCommand(const QString &verb, const QString &name);
    // The `labels` command: what does not fit, as a list of {problem, text, where, ...}.
    QVariantList labelProblems() const;
    // The `find PREFIX` command: items whose objectName starts with PREFIX, where they are and
    // the words shown in them.
    QVariantList findItems(const QString &prefix) const;
    // The `mouse` command: pointer events delivered to the window as the platform would.
    QVariantMap mouseCommand(const QStringList &args);
    // The `key` command: a key sequence (Ctrl+F, Escape) pressed and released as the platform
    // would deliver it, shortcuts first; the reply names the item with the keyboard then.
    QVariantMap keyCommand(const QString &sequence);

    QPointer<Dashboard> m_dashboard;
    QPointer<QQuickWindow> m_window;
    Options m_options;
    QTimer m_screenshotTimer;
    QElapsedTimer m_sinceStart;
    qint64 m_dataSeenAt = -1;
    QString m_lastStateLine;
    LineReader *m_control = nullptr;
    QTimer m_statsTimer;
};

} // namespace Pulseboard
