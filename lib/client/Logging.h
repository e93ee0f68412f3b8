// Logging categories of the client library; enable with QT_LOGGING_RULES="pulseboard.*.debug=true".
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcNet)
Q_DECLARE_LOGGING_CATEGORY(lcOutbox)
