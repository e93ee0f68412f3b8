// libFuzzer target for the Outbox journal reader (OutboxJournal::parse), under ASan and UBSan,
// checking the properties of OutboxJournalProperties.h.
#include "OutboxJournalProperties.h"

#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString broken = Pulseboard::Fuzz::checkOutboxJournal(
        QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (!broken.isEmpty()) {
        std::fprintf(stderr, "fuzz_outboxjournal: %s\n", broken.toUtf8().constData());
        std::abort();
    }
    return 0;
}
