// libFuzzer target for SocketIoDialect's decoder (Engine.IO and Socket.IO packets, routes, acks,
// recovery offsets), under ASan and UBSan, checking the properties of SocketIoProperties.h.
#include "SocketIoProperties.h"

#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString broken = Pulseboard::Fuzz::checkSocketIo(
        QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (!broken.isEmpty()) {
        std::fprintf(stderr, "fuzz_socketio: %s\n", broken.toUtf8().constData());
        std::abort();
    }
    return 0;
}
