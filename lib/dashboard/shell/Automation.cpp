#include "Automation.h"

#include "Dashboard.h"
#include "dashboard/connection/ConnectionStatus.h"

#include <QColor>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QKeySequence>
#include <QMouseEvent>
#include <QQmlContext>
#include <QQmlEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSaveFile>
#include <QScreen>
#include <QSet>
#include <QUrl>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unistd.h>

// QtGui's own way in for a key as the platform delivers it (shortcut map first), exported for
// QTest (qtestkeyboard.h declares it the same way).
Q_GUI_EXPORT void qt_handleKeyEvent(QWindow *w, QEvent::Type t, int k, Qt::KeyboardModifiers mods,
                                    const QString &text = QString(), bool autorep = false, ushort count = 1);

namespace Pulseboard {

namespace {

// The `replay` command: the timeline of pulseboard --replay moved as its bar moves it; the reply
// carries where it is then.
QVariantMap replayCommand(Dashboard *dashboard, const QStringList &args)
{
    QVariantMap result{{QStringLiteral("event"), QStringLiteral("replay")}};
    ReplayController *replay = dashboard ? dashboard->replay() : nullptr;
    if (!replay) {
        result.insert(QStringLiteral("error"), QStringLiteral("not a replay (pulseboard --replay FILE)"));
        return result;
    }
    const QString verb = args.value(0);
    bool ok = true;
    const double number = args.value(1).toDouble(&ok);
    if (verb == QLatin1StringView("play") && args.size() == 1) {
        replay->play();
    } else if (verb == QLatin1StringView("pause") && args.size() == 1) {
        replay->pause();
    } else if (verb == QLatin1StringView("seek") && args.size() == 2 && ok) {
        replay->seek(number);
    } else if (verb == QLatin1StringView("speed") && args.size() == 2 && ok) {
        replay->setSpeed(number);
    } else if (verb == QLatin1StringView("next-gap") && args.size() == 1) {
        result.insert(QStringLiteral("jumped"), replay->nextGap());
    } else if (!verb.isEmpty()) {
        result.insert(QStringLiteral("error"),
                      QStringLiteral("replay takes play, pause, seek MS, speed X or next-gap, not '%1'")
                          .arg(args.join(QLatin1Char(' '))));
        return result;
    }
    result.insert(QStringLiteral("replay"), replay->snapshot());
    return result;
}

qreal effectiveOpacity(const QQuickItem *item)
{
    qreal opacity = 1;
    for (; item; item = item->parentItem())
        opacity *= item->opacity();
    return opacity;
}

// A Rectangle one can see (a colour or a border): the card, pill or row a text sits on.
bool isDrawnBox(const QQuickItem *item)
{
    if (!item->inherits("QQuickRectangle") || item->width() < 1 || item->height() < 1)
        return false;
    const QObject *pen = item->property("border").value<QObject *>();
    const bool border =
        pen && pen->property("width").toReal() > 0 && pen->property("color").value<QColor>().alpha() > 0;
    return border || item->property("color").value<QColor>().alpha() > 0;
}

// Where the drawn words of a Text are, in its own coordinates.
QRectF textContentRect(const QQuickItem *text)
{
    const qreal cw = text->property("contentWidth").toReal();
    const qreal ch = text->property("contentHeight").toReal();
    const qreal lp = text->property("leftPadding").toReal();
    const qreal rp = text->property("rightPadding").toReal();
    const qreal tp = text->property("topPadding").toReal();
    const qreal bp = text->property("bottomPadding").toReal();
    const int h = text->property("effectiveHorizontalAlignment").toInt();
    const int v = text->property("verticalAlignment").toInt();
    const qreal x = (h & Qt::AlignRight)     ? text->width() - rp - cw
                    : (h & Qt::AlignHCenter) ? lp + (text->width() - lp - rp - cw) / 2
                                             : lp;
    const qreal y = (v & Qt::AlignBottom)    ? text->height() - bp - ch
                    : (v & Qt::AlignVCenter) ? tp + (text->height() - tp - bp - ch) / 2
                                             : tp;
    return QRectF(x, y, cw, ch);
}

// A ToolTip attached to the text or to one of its near ancestors (the button or row it labels)
// that holds all its words.
bool toolTipHolds(const QQuickItem *text, const QString &words)
{
    int level = 0;
    for (const QQuickItem *item = text; item && level < 5; item = item->parentItem(), ++level) {
        for (const QObject *child : item->children()) {
            if (child->inherits("QQuickToolTipAttached") &&
                child->property("text").toString().contains(words.trimmed()))
                return true;
        }
    }
    return false;
}

// The QML files an item comes from, innermost first ("Metric.qml < HealthPanel.qml"), and the
// nearest objectName: enough to find it in the source.
QString whereIs(const QQuickItem *item)
{
    QStringList files;
    QString name;
    for (; item && files.size() < 3; item = item->parentItem()) {
        if (name.isEmpty() && !item->objectName().isEmpty())
            name = item->objectName();
        if (const QQmlContext *context = qmlContext(item)) {
            const QString file = context->baseUrl().fileName();
            if (!file.isEmpty() && !file.startsWith(QLatin1Char('q')) &&
                (files.isEmpty() || files.last() != file))
                files.append(file);
        }
    }
    QString where = files.join(QLatin1StringView(" < "));
    if (!name.isEmpty())
        where += QStringLiteral(" (in %1)").arg(name);
    return where;
}

QVariantMap rectMap(const QRectF &r)
{
    return {{QStringLiteral("x"), qRound(r.x())},
            {QStringLiteral("y"), qRound(r.y())},
            {QStringLiteral("width"), qRound(r.width())},
            {QStringLiteral("height"), qRound(r.height())}};
}

} // namespace

Automation::Automation(Dashboard *dashboard, QQuickWindow *window, const Options &options, QObject *parent)
    : QObject(parent), m_dashboard(dashboard), m_window(window), m_options(options)
{
    m_sinceStart.start();
    if (!options.screenshotFile.isEmpty()) {
        m_screenshotTimer.setInterval(100);
        connect(&m_screenshotTimer, &QTimer::timeout, this, &Automation::checkScreenshot);
        m_screenshotTimer.start();
    }
    if (options.printState) {
        auto print = [this] {
            QVariantMap snap = m_dashboard->snapshot();
            snap.insert(QStringLiteral("event"), QStringLiteral("state"));
            // Only the words matter here; counters would print a line per tick.
            QString key = snap.value(QStringLiteral("state")).toString() + QLatin1Char('|') +
                          snap.value(QStringLiteral("banner")).toString();
            for (const QVariant &source : snap.value(QStringLiteral("sources")).toList())
                key += QLatin1Char('|') + source.toMap().value(QStringLiteral("state")).toString() +
                       QLatin1Char('|') + source.toMap().value(QStringLiteral("banner")).toString();
            if (key == m_lastStateLine)
                return;
            m_lastStateLine = key;
            printLine(snap);
        };
        connect(dashboard->status(), &ConnectionStatus::changed, this, print);
        for (const DashboardSource *source : dashboard->sources())
            connect(source->status(), &ConnectionStatus::changed, this, print);
        print();
    }
    if (options.control) {
        // The longest command is "grab" with a file path: 64 KiB is far beyond any of them.
        m_control = new LineReader(64 * 1024, this);
        connect(m_control, &LineReader::lineRead, this,
                [this](const QByteArray &line) { controlCommand(QString::fromUtf8(line).trimmed()); });
        connect(m_control, &LineReader::lineTooLong, this, [this](qint64 lineNumber, qsizetype maxBytes) {
            printLine(
                {{QStringLiteral("event"), QStringLiteral("error")},
                 {QStringLiteral("error"), QStringLiteral("control line %1 is longer than %2 KiB: skipped")
                                               .arg(lineNumber)
                                               .arg(maxBytes / 1024)}});
        });
        // stdin closed: the controlling process is gone, so is the reason to run.
        connect(m_control, &LineReader::inputEnded, this, [this] { Q_EMIT quitRequested(0); });
        m_control->readFrom(STDIN_FILENO);
    }
    if (options.statsIntervalMs > 0) {
        m_statsTimer.setInterval(options.statsIntervalMs);
        connect(&m_statsTimer, &QTimer::timeout, this, &Automation::printFrameStats);
        m_statsTimer.start();
        m_dashboard->frames()->takeInterval(); // the interval starts now
    }
}

Automation::~Automation() = default;

void Automation::printLine(const QVariantMap &map)
{
    const QByteArray line =
        QJsonDocument(QJsonObject::fromVariantMap(map)).toJson(QJsonDocument::Compact) + '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fflush(stdout);
}

QVariantList Automation::plotAreas() const
{
    QVariantList areas;
    if (!m_window)
        return areas;
    // Visual children, not QObject children: delegates of views and repeaters are parented elsewhere.
    QList<QQuickItem *> items;
    QList<QQuickItem *> todo{m_window->contentItem()};
    while (!todo.isEmpty()) {
        QQuickItem *next = todo.takeLast();
        items.append(next);
        todo.append(next->childItems());
    }
    for (QQuickItem *item : std::as_const(items)) {
        if (!item->objectName().startsWith(QLatin1StringView("chart:")) || !item->isVisible() ||
            item->opacity() <= 0)
            continue;
        const QRectF plot = item->property("plotArea").toRectF();
        if (plot.isEmpty())
            continue;
        const QRectF scene = item->mapRectToScene(plot);
        if (scene.right() < 0 || scene.bottom() < 0 || scene.left() > m_window->width() ||
            scene.top() > m_window->height())
            continue;
        const qreal dpr = m_window->effectiveDevicePixelRatio();
        areas.append(QVariantMap{{QStringLiteral("name"), item->objectName().mid(6)},
                                 {QStringLiteral("x"), int(scene.x() * dpr)},
                                 {QStringLiteral("y"), int(scene.y() * dpr)},
                                 {QStringLiteral("width"), int(scene.width() * dpr)},
                                 {QStringLiteral("height"), int(scene.height() * dpr)}});
    }
    return areas;
}

QVariantMap Automation::grab(const QString &file, QString *error)
{
    QVariantMap snap = m_dashboard ? m_dashboard->snapshot() : QVariantMap();
    if (!m_window) {
        *error = QStringLiteral("no window");
        return snap;
    }
    const QImage image = m_window->grabWindow();
    QDir().mkpath(QFileInfo(file).absolutePath());
    if (image.isNull() || !image.save(file, "PNG")) {
        *error = QStringLiteral("cannot grab the window into %1").arg(file);
        return snap;
    }
    snap.insert(QStringLiteral("file"), QFileInfo(file).absoluteFilePath());
    snap.insert(QStringLiteral("imageWidth"), image.width());
    snap.insert(QStringLiteral("imageHeight"), image.height());
    snap.insert(QStringLiteral("plotAreas"), plotAreas());
    QSaveFile json(file + QStringLiteral(".json"));
    if (json.open(QIODevice::WriteOnly)) {
        json.write(QJsonDocument(QJsonObject::fromVariantMap(snap)).toJson());
        json.commit();
    }
    return snap;
}

void Automation::checkScreenshot()
{
    const qint64 elapsed = m_sinceStart.elapsed();
    bool due = false;
    if (m_options.screenshotDelayMs >= 0) {
        due = elapsed >= m_options.screenshotDelayMs;
    } else {
        const QVariantMap snap = m_dashboard->snapshot();
        const bool data = snap.value(QStringLiteral("chartPoints")).toInt() > 0;
        if (data && m_dataSeenAt < 0)
            m_dataSeenAt = elapsed;
        due = (m_dataSeenAt >= 0 && elapsed - m_dataSeenAt >= m_options.settleMs) ||
              elapsed >= m_options.maxWaitMs;
        if (due && m_dataSeenAt < 0)
            std::fprintf(stderr, "pulseboard: no chart data after %d ms; taking the screenshot anyway\n",
                         m_options.maxWaitMs);
    }
    if (!due)
        return;
    m_screenshotTimer.stop();
    QString error;
    QVariantMap result = grab(m_options.screenshotFile, &error);
    if (!error.isEmpty()) {
        std::fprintf(stderr, "pulseboard: %s\n", qPrintable(error));
        Q_EMIT quitRequested(1);
        return;
    }
    result.insert(QStringLiteral("event"), QStringLiteral("screenshot"));
    printLine(result);
    Q_EMIT quitRequested(0);
}

QVariantMap Automation::windowFacts() const
{
    // Where the window is, as the platform has it (xcb, offscreen...), and the screen it is on.
    QVariantMap facts{{QStringLiteral("platform"), QGuiApplication::platformName()}};
    if (!m_window)
        return facts;
    const QRect g = m_window->geometry();
    facts.insert(QStringLiteral("x"), g.x());
    facts.insert(QStringLiteral("y"), g.y());
    facts.insert(QStringLiteral("width"), g.width());
    facts.insert(QStringLiteral("height"), g.height());
    facts.insert(QStringLiteral("fullScreen"), m_window->visibility() == QWindow::FullScreen);
    if (const QScreen *screen = m_window->screen()) {
        facts.insert(QStringLiteral("screenWidth"), screen->geometry().width());
        facts.insert(QStringLiteral("screenHeight"), screen->geometry().height());
    }
    return facts;
}

void Automation::controlCommand(const QString &line)
{
    if (line == QLatin1StringView("quit")) {
        Q_EMIT quitRequested(0);
    } else if (line == QLatin1StringView("snapshot")) {
        QVariantMap snap = m_dashboard->snapshot();
        snap.insert(QStringLiteral("event"), QStringLiteral("snapshot"));
        snap.insert(QStringLiteral("window"), windowFacts());
        printLine(snap);
    } else if (line.startsWith(QLatin1StringView("grab "))) {
        QString error;
        QVariantMap result = grab(line.mid(5).trimmed(), &error);
        result.insert(QStringLiteral("event"), QStringLiteral("grab"));
        if (!error.isEmpty())
            result.insert(QStringLiteral("error"), error);
        printLine(result);
    } else if (line == QLatin1StringView("dialogs")) {
        QVariantList list;
        for (QObject *dialog : dialogs())
            list.append(
                QVariantMap{{QStringLiteral("name"), dialog->objectName()},
                            {QStringLiteral("type"), QString::fromLatin1(dialog->metaObject()->className())},
                            {QStringLiteral("visible"), dialog->property("visible").toBool()}});
        printLine({{QStringLiteral("event"), QStringLiteral("dialogs")}, {QStringLiteral("dialogs"), list}});
    } else if (line.startsWith(QLatin1StringView("find "))) {
        printLine({{QStringLiteral("event"), QStringLiteral("find")},
                   {QStringLiteral("prefix"), line.mid(5).trimmed()},
                   {QStringLiteral("items"), findItems(line.mid(5).trimmed())}});
    } else if (line.startsWith(QLatin1StringView("mouse "))) {
        printLine(mouseCommand(line.mid(6).trimmed().split(QLatin1Char(' '), Qt::SkipEmptyParts)));
    } else if (line.startsWith(QLatin1StringView("accept "))) {
        // `accept NAME [FILE]`: a dialog's OK (a file dialog's Save, FILE the file picked in it), as
        // a person pressing it: the dialog's own onAccepted does the rest.
        const QString rest = line.mid(7).trimmed();
        const qsizetype space = rest.indexOf(QLatin1Char(' '));
        const QString name = space < 0 ? rest : rest.left(space);
        const QString file = space < 0 ? QString() : rest.mid(space + 1).trimmed();
        QVariantMap result{{QStringLiteral("event"), QStringLiteral("accept")},
                           {QStringLiteral("name"), name}};
        QObject *target = nullptr;
        for (QObject *dialog : dialogs())
            if (dialog->objectName() == name)
                target = dialog;
        if (!target || !target->property("visible").toBool()) {
            result.insert(QStringLiteral("error"), QStringLiteral("no open dialog named '%1'").arg(name));
        } else if (!file.isEmpty() &&
                   (!QMetaObject::invokeMethod(target, "close") ||
                    !target->setProperty("selectedFile",
                                         QUrl::fromLocalFile(QFileInfo(file).absoluteFilePath())) ||
                    !QMetaObject::invokeMethod(target, "open"))) {
            // The dialog takes the file it shows as it opens: it is reopened on FILE, as if typed.
            result.insert(QStringLiteral("error"), QStringLiteral("'%1' takes no file").arg(name));
        } else if (!QMetaObject::invokeMethod(target, "accept")) {
            result.insert(QStringLiteral("error"), QStringLiteral("'%1' cannot be accepted").arg(name));
        } else {
            const QVariant picked = target->property("selectedFile");
            if (picked.isValid())
                result.insert(QStringLiteral("selectedFile"), picked.toUrl().toLocalFile());
        }
        printLine(result);
    } else if (line.startsWith(QLatin1StringView("open ")) || line.startsWith(QLatin1StringView("close "))) {
        const qsizetype space = line.indexOf(QLatin1Char(' '));
        printLine(dialogCommand(line.left(space), line.mid(space + 1).trimmed()));
    } else if (line == QLatin1StringView("labels")) {
        // A text whose words just changed has its old width until its layout is polished, before
        // the next frame: only what is still wrong a few frames later is said.
        const QVariantList first = labelProblems();
        QSet<QString> before;
        for (const QVariant &p : first)
            before.insert(p.toMap().value(QStringLiteral("key")).toString());
        if (m_window)
            m_window->update();
        QTimer::singleShot(150, this, [this, before] {
            QVariantList problems;
            for (const QVariant &p : labelProblems()) {
                QVariantMap problem = p.toMap();
                if (before.contains(problem.take(QStringLiteral("key")).toString()))
                    problems.append(problem);
            }
            printLine({{QStringLiteral("event"), QStringLiteral("labels")},
                       {QStringLiteral("window"), windowFacts()},
                       {QStringLiteral("problems"), problems}});
        });
    } else if (line.startsWith(QLatin1StringView("panel "))) {
        // Shows a panel by name (streams, health, channels, raw, console), as its rail item does.
        const QString name = line.mid(6).trimmed();
        const int index = m_window ? m_window->property("panelNames").toStringList().indexOf(name) : -1;
        QVariantMap result{{QStringLiteral("event"), QStringLiteral("panel")},
                           {QStringLiteral("name"), name}};
        if (index < 0 || !m_window->setProperty("current", index))
            result.insert(QStringLiteral("error"), QStringLiteral("no panel named '%1'").arg(name));
        printLine(result);
    } else if (line.startsWith(QLatin1StringView("text ")) || line.startsWith(QLatin1StringView("click "))) {
        // `text NAME VALUE` sets a field's text, `click NAME` presses a button: by objectName.
        const bool click = line.startsWith(QLatin1StringView("click "));
        const QString rest = line.mid(click ? 6 : 5).trimmed();
        const qsizetype space = rest.indexOf(QLatin1Char(' '));
        const QString name = click || space < 0 ? rest : rest.left(space);
        QVariantMap result{
            {QStringLiteral("event"), click ? QStringLiteral("click") : QStringLiteral("text")},
            {QStringLiteral("name"), name}};
        QObject *target = findByName(name);
        const bool done =
            target && (click ? QMetaObject::invokeMethod(target, "clicked")
                             : target->setProperty("text", space < 0 ? QString() : rest.mid(space + 1)));
        if (!done)
            result.insert(QStringLiteral("error"),
                          QStringLiteral("no control named '%1' that can do it").arg(name));
        printLine(result);
    } else if (line.startsWith(QLatin1StringView("key "))) {
        printLine(keyCommand(line.mid(4).trimmed()));
    } else if (line == QLatin1StringView("replay") || line.startsWith(QLatin1StringView("replay "))) {
        printLine(
            replayCommand(m_dashboard, line.mid(6).trimmed().split(QLatin1Char(' '), Qt::SkipEmptyParts)));
    } else if (!line.isEmpty()) {
        printLine({{QStringLiteral("event"), QStringLiteral("error")},
                   {QStringLiteral("error"),
                    QStringLiteral(
                        "unknown command '%1' (grab FILE, snapshot, labels, dialogs, open NAME, close NAME, "
                        "accept NAME [FILE], find PREFIX, mouse move|click|doubleclick X Y, mouse drag X1 Y1 "
                        "X2 Y2, "
                        "panel NAME, text NAME VALUE, click NAME, key SEQUENCE, replay play|pause|seek "
                        "MS|speed X|next-gap, quit)")
                        .arg(line)}});
    }
}

QVariantList Automation::labelProblems() const
{
    QVariantList problems;
    if (!m_window)
        return problems;
    constexpr qreal slack = 1.0; // sub-pixel rounding of text metrics
    const QRectF windowRect(0, 0, m_window->width(), m_window->height());
    struct Placed
    {
        const QQuickItem *text;
        QRectF words; // scene coordinates
    };
    QHash<const QQuickItem *, QList<Placed>> byBox;
    auto report = [&](const QString &problem, const QQuickItem *text, const QRectF &words,
                      const QString &detail) {
        problems.append(
            QVariantMap{{QStringLiteral("key"), QStringLiteral("%1 %2").arg(quintptr(text)).arg(problem)},
                        {QStringLiteral("problem"), problem},
                        {QStringLiteral("text"), text->property("text").toString()},
                        {QStringLiteral("where"), whereIs(text)},
                        {QStringLiteral("words"), rectMap(words)},
                        {QStringLiteral("detail"), detail}});
    };

    QList<QQuickItem *> todo{m_window->contentItem()};
    while (!todo.isEmpty()) {
        QQuickItem *item = todo.takeLast();
        if (!item->isVisible())
            continue; // nor are its children
        todo.append(item->childItems());
        if (!item->inherits("QQuickText") || effectiveOpacity(item) < 0.05)
            continue;
        const QString words = item->property("text").toString();
        if (words.trimmed().isEmpty() || item->width() <= 0 || item->height() <= 0)
            continue;
        const QRectF local = textContentRect(item);
        const QRectF scene = item->mapRectToScene(local);

        // Hidden by scrolling (a list's row scrolled out of view) is not seen; cut off sideways by
        // a view that cannot scroll sideways, or by any other clip, is. What the clips leave is
        // what is seen, and checked against its box and the window.
        const QQuickItem *box = nullptr;
        bool hidden = false;
        QStringList clippedBy;
        QRectF seen = scene;
        for (const QQuickItem *up = item->parentItem(); up; up = up->parentItem()) {
            if (!box && isDrawnBox(up))
                box = up;
            if (!up->clip())
                continue;
            const QRectF clipRect = up->mapRectToScene(QRectF(0, 0, up->width(), up->height()));
            const bool flickable = up->inherits("QQuickFlickable");
            const bool sideways =
                flickable && up->property("contentWidth").toReal() > up->width() + slack &&
                up->property("flickableDirection").toInt() != 2 /* Flickable.VerticalFlick */;
            const bool outSideways =
                scene.left() < clipRect.left() - slack || scene.right() > clipRect.right() + slack;
            const bool outUpDown =
                scene.top() < clipRect.top() - slack || scene.bottom() > clipRect.bottom() + slack;
            if (!clipRect.intersects(scene) &&
                (!flickable || !outSideways || sideways || scene.bottom() <= clipRect.top() ||
                 scene.top() >= clipRect.bottom())) {
                hidden = true; // scrolled away, or a clip meant to hide it
                break;
            }
            if ((outSideways && !sideways) || (outUpDown && !flickable))
                clippedBy.append(whereIs(up));
            seen = seen.intersected(clipRect);
        }
        if (hidden)
            continue;

        const bool truncated = item->property("truncated").toBool();
        if (truncated) {
            if (!toolTipHolds(item, words))
                report(QStringLiteral("elided"), item, scene,
                       QStringLiteral("cut to %1 px of the %2 px it needs, and no tooltip says it")
                           .arg(qRound(item->width()))
                           .arg(qRound(item->implicitWidth())));
        } else if (local.width() > item->width() + slack) {
            report(QStringLiteral("wider"), item, scene,
                   QStringLiteral("%1 px of words in a %2 px label")
                       .arg(qRound(local.width()))
                       .arg(qRound(item->width())));
        }
        if (!clippedBy.isEmpty())
            report(QStringLiteral("clipped"), item, scene,
                   QStringLiteral("cut off by %1").arg(clippedBy.join(QLatin1StringView(", "))));
        if (seen.isEmpty())
            continue; // all of it cut off: said above
        if (!windowRect.adjusted(-slack, -slack, slack, slack).contains(seen))
            report(QStringLiteral("offscreen"), item, scene,
                   windowRect.intersects(seen) ? QStringLiteral("partly outside the window")
                                               : QStringLiteral("outside the window"));
        if (box) {
            const QRectF boxRect = box->mapRectToScene(QRectF(0, 0, box->width(), box->height()));
            if (!boxRect.adjusted(-slack, -slack, slack, slack).contains(seen))
                report(QStringLiteral("spills"), item, scene,
                       QStringLiteral("out of its box %1 at %2,%3 %4x%5")
                           .arg(whereIs(box))
                           .arg(qRound(boxRect.x()))
                           .arg(qRound(boxRect.y()))
                           .arg(qRound(boxRect.width()))
                           .arg(qRound(boxRect.height())));
        }
        byBox[box].append({item, seen.intersected(windowRect)});
    }

    // Two texts on one card whose words cross.
    for (auto it = byBox.cbegin(); it != byBox.cend(); ++it) {
        const QList<Placed> &texts = it.value();
        for (qsizetype i = 0; i < texts.size(); ++i) {
            for (qsizetype j = i + 1; j < texts.size(); ++j) {
                const QRectF both = texts[i].words.intersected(texts[j].words);
                if (both.width() <= slack || both.height() <= slack)
                    continue;
                report(QStringLiteral("overlap"), texts[i].text, texts[i].words,
                       QStringLiteral("its words cross '%1' (%2) by %3x%4 px")
                           .arg(texts[j].text->property("text").toString(), whereIs(texts[j].text))
                           .arg(qRound(both.width()))
                           .arg(qRound(both.height())));
            }
        }
    }
    return problems;
}

QVariantList Automation::findItems(const QString &prefix) const
{
    QVariantList found;
    if (!m_window || prefix.isEmpty())
        return found;
    const QRectF windowRect(0, 0, m_window->width(), m_window->height());
    QList<QQuickItem *> todo{m_window->contentItem()};
    while (!todo.isEmpty()) {
        QQuickItem *item = todo.takeLast();
        todo.append(item->childItems());
        if (!item->objectName().startsWith(prefix))
            continue;
        const QRectF scene = item->mapRectToScene(QRectF(0, 0, item->width(), item->height()));
        // The words shown in it (its own, or its visible texts'): what a person reads there.
        QStringList texts;
        QList<QQuickItem *> inner{item};
        while (!inner.isEmpty()) {
            QQuickItem *next = inner.takeFirst();
            if (!next->isVisible())
                continue;
            if (next->inherits("QQuickText") && !next->property("text").toString().isEmpty())
                texts.append(next->property("text").toString());
            inner.append(next->childItems());
        }
        QVariantMap entry{{QStringLiteral("name"), item->objectName()},
                          {QStringLiteral("visible"), item->isVisible() && effectiveOpacity(item) > 0.05},
                          {QStringLiteral("inWindow"), windowRect.contains(scene)},
                          {QStringLiteral("rect"), rectMap(scene)},
                          {QStringLiteral("texts"), texts},
                          {QStringLiteral("activeFocus"), item->hasActiveFocus()}};
        const QVariant text = item->property("text");
        if (text.isValid())
            entry.insert(QStringLiteral("text"), text.toString());
        // A text's colour (what tells a replay from live, a warning from a fact).
        if (item->inherits("QQuickText"))
            entry.insert(QStringLiteral("color"), item->property("color").value<QColor>().name());
        // A chip's (Chip.qml) colour is its tint: its pill and its words are drawn in it.
        if (const QVariant tint = item->property("tint"); tint.canConvert<QColor>())
            entry.insert(QStringLiteral("tint"), tint.value<QColor>().name());
        found.append(entry);
    }
    return found;
}

QVariantMap Automation::mouseCommand(const QStringList &args)
{
    QVariantMap result{{QStringLiteral("event"), QStringLiteral("mouse")}};
    QList<qreal> numbers;
    for (qsizetype i = 1; i < args.size(); ++i) {
        bool ok = false;
        numbers.append(args[i].toDouble(&ok));
        if (!ok)
            numbers.clear();
    }
    const QString verb = args.value(0);
    result.insert(QStringLiteral("action"), verb);
    const bool drag = verb == QLatin1StringView("drag");
    if (!m_window || numbers.size() != (drag ? 4 : 2) ||
        !(drag || verb == QLatin1StringView("move") || verb == QLatin1StringView("click") ||
          verb == QLatin1StringView("doubleclick"))) {
        result.insert(
            QStringLiteral("error"),
            QStringLiteral("mouse move|click|doubleclick X Y, or mouse drag X1 Y1 X2 Y2 (window pixels)"));
        return result;
    }
    // Events as the platform delivers them to the window: a press, moves with the button down, a
    // release; hover is a move with no button.
    auto send = [this](QEvent::Type type, const QPointF &at, Qt::MouseButton button,
                       Qt::MouseButtons buttons) {
        QMouseEvent event(type, at, m_window->mapToGlobal(at), button, buttons, Qt::NoModifier);
        QCoreApplication::sendEvent(m_window, &event);
    };
    const QPointF from(numbers[0], numbers[1]);
    if (verb == QLatin1StringView("move")) {
        send(QEvent::MouseMove, from, Qt::NoButton, Qt::NoButton);
    } else if (verb == QLatin1StringView("click") || verb == QLatin1StringView("doubleclick")) {
        send(QEvent::MouseMove, from, Qt::NoButton, Qt::NoButton);
        send(QEvent::MouseButtonPress, from, Qt::LeftButton, Qt::LeftButton);
        send(QEvent::MouseButtonRelease, from, Qt::LeftButton, Qt::NoButton);
        if (verb == QLatin1StringView("doubleclick")) {
            send(QEvent::MouseButtonPress, from, Qt::LeftButton, Qt::LeftButton);
            send(QEvent::MouseButtonDblClick, from, Qt::LeftButton, Qt::LeftButton);
            send(QEvent::MouseButtonRelease, from, Qt::LeftButton, Qt::NoButton);
        }
    } else {
        const QPointF to(numbers[2], numbers[3]);
        send(QEvent::MouseMove, from, Qt::NoButton, Qt::NoButton);
        send(QEvent::MouseButtonPress, from, Qt::LeftButton, Qt::LeftButton);
        for (int step = 1; step <= 10; ++step)
            send(QEvent::MouseMove, from + (to - from) * step / 10.0, Qt::NoButton, Qt::LeftButton);
        send(QEvent::MouseButtonRelease, to, Qt::LeftButton, Qt::NoButton);
    }
    return result;
}

QVariantMap Automation::keyCommand(const QString &sequence)
{
    QVariantMap result{{QStringLiteral("event"), QStringLiteral("key")},
                       {QStringLiteral("sequence"), sequence}};
    const QKeySequence keys = QKeySequence::fromString(sequence, QKeySequence::PortableText);
    if (!m_window || keys.isEmpty() || keys[0].key() == Qt::Key_unknown) {
        result.insert(QStringLiteral("error"),
                      QStringLiteral("key SEQUENCE, as Qt writes one: Ctrl+F, Escape, Space, F11"));
        return result;
    }
    // Through the platform's way in (what QTest's key clicks use), so shortcuts see it first.
    for (int i = 0; i < keys.count(); ++i) {
        const QKeyCombination combination = keys[i];
        const Qt::KeyboardModifiers modifiers = combination.keyboardModifiers();
        const int key = int(combination.key());
        QString text;
        if (!(modifiers & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier)) && key >= 0x20 &&
            key < 0x7f)
            text = modifiers & Qt::ShiftModifier ? QString(QChar(key)) : QString(QChar(key)).toLower();
        qt_handleKeyEvent(m_window, QEvent::KeyPress, key, modifiers, text);
        qt_handleKeyEvent(m_window, QEvent::KeyRelease, key, modifiers, text);
    }
    // Where the keyboard is now: the item that has it, by objectName.
    const QQuickItem *focus = m_window->activeFocusItem();
    result.insert(QStringLiteral("focus"), focus ? focus->objectName() : QString());
    return result;
}

QObject *Automation::findByName(const QString &name) const
{
    if (!m_window || name.isEmpty())
        return nullptr;
    // Items hang off their visual parents, other objects off their QObject parents: walk both.
    QList<QObject *> todo{m_window->contentItem()};
    QSet<QObject *> seen;
    while (!todo.isEmpty()) {
        QObject *object = todo.takeLast();
        if (!object || seen.contains(object))
            continue;
        seen.insert(object);
        if (object->objectName() == name)
            return object;
        todo.append(object->children());
        if (auto *item = qobject_cast<QQuickItem *>(object)) {
            const QList<QQuickItem *> items = item->childItems();
            todo.append(QList<QObject *>(items.cbegin(), items.cend()));
        }
    }
    return nullptr;
}

QList<QObject *> Automation::dialogs() const
{
    QList<QObject *> found;
    if (!m_window)
        return found;
    // Popups hang off the item that declares them, dialogs off their QObject parent: walk both trees.
    QList<QObject *> todo{m_window.data(), m_window->contentItem()};
    QSet<QObject *> seen;
    while (!todo.isEmpty()) {
        QObject *object = todo.takeLast();
        if (!object || seen.contains(object))
            continue;
        seen.insert(object);
        todo.append(object->children());
        if (auto *item = qobject_cast<QQuickItem *>(object)) {
            const QList<QQuickItem *> items = item->childItems();
            todo.append(QList<QObject *>(items.cbegin(), items.cend()));
        }
        if (!object->inherits("QQuickPopup") && !object->inherits("QQuickAbstractDialog"))
            continue;
        // Declared in one of the app's own files, not inside a style's control (a ComboBox's list, a
        // ToolTip).
        const QQmlContext *context = qmlContext(object);
        if (context && context->baseUrl().toString().startsWith(QLatin1StringView("qrc:/Pulseboard/")))
            found.append(object);
    }
    std::sort(found.begin(), found.end(),
              [](const QObject *a, const QObject *b) { return a->objectName() < b->objectName(); });
    return found;
}

QVariantMap Automation::dialogCommand(const QString &verb, const QString &name)
{
    QVariantMap result{{QStringLiteral("event"), verb}, {QStringLiteral("name"), name}};
    QObject *target = nullptr;
    for (QObject *dialog : dialogs()) {
        if (dialog->objectName() == name) {
            target = dialog;
            break;
        }
    }
    if (!target) {
        result.insert(QStringLiteral("error"), QStringLiteral("no dialog or popup named '%1'").arg(name));
        return result;
    }
    // Popup and Dialog both have open() and close(); a dialog's close() is its reject().
    if (!QMetaObject::invokeMethod(target, verb == QLatin1StringView("open") ? "open" : "close"))
        result.insert(QStringLiteral("error"), QStringLiteral("'%1' cannot %2").arg(name, verb));
    result.insert(QStringLiteral("visible"), target->property("visible").toBool());
    return result;
}

void Automation::printFrameStats()
{
    const double seconds = m_options.statsIntervalMs / 1000.0;
    const FrameMeter::Interval frames = m_dashboard->frames()->takeInterval();
    QVariantMap hist;
    for (size_t ms = 0; ms < frames.hist.size(); ++ms)
        if (frames.hist[ms] > 0)
            hist.insert(QString::number(ms), frames.hist[ms]);
    QVariantMap line{{QStringLiteral("event"), QStringLiteral("frames")},
                     {QStringLiteral("fps"), frames.frames / seconds},
                     {QStringLiteral("frameMsAvg"), frames.frames > 0 ? frames.msSum / frames.frames : 0.0},
                     {QStringLiteral("frameMsMax"), frames.msMax},
                     {QStringLiteral("frameMsP50"), frames.percentile(0.50)},
                     {QStringLiteral("frameMsP99"), frames.percentile(0.99)},
                     {QStringLiteral("frameHist"), hist},
                     {QStringLiteral("frames"), frames.frames},
                     {QStringLiteral("renderer"), m_dashboard->frames()->renderer()}};
    const QVariantMap snap = m_dashboard->snapshot();
    line.insert(QStringLiteral("chartPoints"), snap.value(QStringLiteral("chartPoints")));
    // Several sources: the messages of all of them (each source's own are in the snapshot).
    double messages = snap.value(QStringLiteral("messages")).toDouble();
    if (snap.contains(QStringLiteral("sources"))) {
        messages = 0;
        for (const QVariant &source : snap.value(QStringLiteral("sources")).toList())
            messages += source.toMap().value(QStringLiteral("messages")).toDouble();
    }
    line.insert(QStringLiteral("messages"), messages);
    line.insert(QStringLiteral("storeBytes"), snap.value(QStringLiteral("storeBytes")));
    line.insert(QStringLiteral("queues"), m_dashboard->queueDepths());
    printLine(line);
}

} // namespace Pulseboard
