// libFuzzer target for the protocol decoder: any bytes a peer may send go through decodeEnvelope,
// under ASan and UBSan, and must keep the properties of EnvelopeProperties.h.
#include "EnvelopeProperties.h"

#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString broken = Pulseboard::Fuzz::checkEnvelope(
        QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (!broken.isEmpty()) {
        std::fprintf(stderr, "fuzz_envelope: %s\n", broken.toUtf8().constData());
        std::abort();
    }
    return 0;
}
