// The flags of `pulseboard-hub`, parsed into HubOptions. Kept out of main() so tests check
// every flag and every refusal of a bad value without starting a process.
#pragma once

#include "HubServer.h"
#include "TokenAuth.h"

#include <QCommandLineParser>

namespace Pulseboard {

struct HubCommandLine
{
    // What main() should do after parsing.
    enum class Action { Serve, MintToken };

    void addTo(QCommandLineParser &parser) const;
    // False with a message a person can act on when a value is wrong.
    bool read(const QCommandLineParser &parser, HubOptions &options, QString &error);

    Action action = Action::Serve;
    QString mintSubject;
    qint64 mintTtlSecs = 3600;
    // --publish / --subscribe with --mint-token: the channel patterns the token grants.
    ChannelGrant mintPublish;
    ChannelGrant mintSubscribe;
};

} // namespace Pulseboard
