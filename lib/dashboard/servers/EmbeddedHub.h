// EmbeddedHub: the hub this dashboard runs in its own process when it has no server of its own
// (no --url, or the switcher's first row). It owns the HubServer's lifetime: start() listens on
// loopback, stop() lets it say goodbye to its clients (1001) and deletes it once it stopped, or
// after its shutdown timeout at the latest, so a switch never waits for it. Unless told otherwise
// it lets in only clients sending no Origin (this app, the CLI) or a loopback one: a web page
// elsewhere that the user happens to open must not read or write it.
#pragma once

#include "hub/HubServer.h"

#include <QObject>
#include <QUrl>

#include <memory>

namespace Pulseboard {

class EmbeddedHub : public QObject
{
    Q_OBJECT

public:
    explicit EmbeddedHub(const HubOptions &options, QObject *parent = nullptr);
    ~EmbeddedHub() override;

    const HubOptions &options() const { return m_options; }
    // http(s)://127.0.0.1, localhost and [::1], any port: the Origins an embedded hub allows.
    static QStringList loopbackOrigins();
    bool isRunning() const { return m_hub != nullptr; }
    HubServer *server() const { return m_hub.get(); }
    QUrl url() const { return m_hub ? m_hub->url() : QUrl(); }

    // Starts it (a no-op when it runs). False with the reason in `error`.
    bool start(QString *error);
    // Shuts it down and lets it go: it is deleted once it stopped.
    void stop();
    // At quit: the running hub says goodbye to its clients but stays until this object goes.
    void shutdown();

Q_SIGNALS:
    void runningChanged(bool running);

private:
    HubOptions m_options;
    std::unique_ptr<HubServer> m_hub;
};

} // namespace Pulseboard
