#include "HubLogging.h"

Q_LOGGING_CATEGORY(lcHub, "pulseboard.hub", QtInfoMsg)
