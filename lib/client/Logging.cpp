#include "Logging.h"

Q_LOGGING_CATEGORY(lcNet, "pulseboard.net", QtInfoMsg)
Q_LOGGING_CATEGORY(lcOutbox, "pulseboard.outbox", QtInfoMsg)
