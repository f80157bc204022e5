#include "base/timestamp.h"

#include <catch2/catch.hpp>
#include <string>

namespace mcpwatch {
namespace {

using namespace std::chrono;

long long UnixMs(const system_clock::time_point& t) {
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

TEST_CASE("ParseRfc3339 takes the years system_clock can hold", "[timestamp]") {
  CHECK(UnixMs(*ParseRfc3339("1678-01-01T00:00:00Z")) == -9214560000000);
  CHECK(UnixMs(*ParseRfc3339("2261-12-31T23:59:59.999Z")) == 9214646399999);
  // With the largest offsets the instant still lies inside the clock's range.
  CHECK(ParseRfc3339("1678-01-01T00:00:00+23:59"));
  CHECK(ParseRfc3339("2261-12-31T23:59:59-23:59"));
}

TEST_CASE("ParseRfc3339 refuses years the clock cannot hold (fuzz_time)", "[timestamp]") {
  // The fuzzers' inputs: converting them to system_clock's nanoseconds overflowed (UBSan).
  for (const char* text :
       {"0026-12-01T03:00:00.05+01:00", "2826-12-01T02:00:00+01:00", "1677-12-31T23:59:59Z",
        "2262-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z"}) {
    CAPTURE(text);
    const auto t = ParseRfc3339(text);
    REQUIRE_FALSE(t);
    CHECK(t.error() == "\"" + std::string(text) +
                           "\" is not an RFC 3339 timestamp (the year must be from 1678 to "
                           "2261; e.g. 2026-12-01T02:00:00Z)");
  }
}

TEST_CASE("FormatTimestamp reads back through ParseRfc3339", "[timestamp]") {
  for (const char* text : {"1678-01-01T00:00:00.000Z", "1969-12-31T23:59:59.999Z",
                           "2026-12-01T02:00:00.123Z", "2261-12-31T23:59:59.999Z"}) {
    CAPTURE(text);
    CHECK(FormatTimestamp(*ParseRfc3339(text)) == text);
  }
}

}  // namespace mcpwatch
