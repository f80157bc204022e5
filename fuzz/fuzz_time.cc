// Durations and instants as the config file and the API parameters spell them (base/duration.h,
// base/timestamp.h): the input is the text. Properties: what parses round-trips through the
// formatter (FormatDuration, FormatTimestamp) to the same value, and a refusal says why.
#include <cstdint>
#include <string_view>

#include "base/duration.h"
#include "base/timestamp.h"
#include "fuzz/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mcpwatch;
  using namespace std::chrono;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto d = ParseDuration(text)) {
    FUZZ_CHECK(d->count() >= 0);
    auto again = ParseDuration(FormatDuration(*d));
    FUZZ_CHECK(again && *again == *d);
  } else {
    FUZZ_CHECK(!d.error().empty());
  }

  if (auto t = ParseRfc3339(text)) {
    auto again = ParseRfc3339(FormatTimestamp(*t));
    FUZZ_CHECK(again && *again == floor<milliseconds>(*t));
  } else {
    FUZZ_CHECK(!t.error().empty());
  }

  if (auto offset = ParseUtcOffset(text)) FUZZ_CHECK(abs(*offset) < hours(24));
  return 0;
}
