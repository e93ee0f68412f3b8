// libFuzzer target for the MQTT 3.1.1 reader (Mqtt::MqttReader, decodePacket), under ASan and
// UBSan, checking the properties of MqttPacketProperties.h.
#include "MqttPacketProperties.h"

#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString broken =
        Pulseboard::Fuzz::checkMqtt(QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (!broken.isEmpty()) {
        std::fprintf(stderr, "fuzz_mqtt: %s\n", broken.toUtf8().constData());
        std::abort();
    }
    return 0;
}
