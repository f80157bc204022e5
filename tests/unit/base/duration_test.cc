#include "base/duration.h"

#include <catch2/catch.hpp>

namespace mcpwatch {
namespace {

using std::chrono::milliseconds;

TEST_CASE("ParseDuration accepts Prometheus-style durations", "[config][duration]") {
  struct Case {
    const char* text;
    long long ms;
  };
  const Case cases[] = {
      {"0", 0},
      {"500ms", 500},
      {"10s", 10'000},
      {"1m", 60'000},
      {"1h30m", 5'400'000},
      {"2d", 172'800'000},
      {"1w", 604'800'000},
      {"1w2d3h4m5s6ms", 604'800'000 + 172'800'000 + 10'800'000 + 240'000 + 5'000 + 6},
      {"0s", 0},
      {"90s", 90'000},
      {"1500ms", 1'500},
      {"36500d", 3'153'600'000'000},  // kMaxDuration
  };
  for (const Case& c : cases) {
    INFO(c.text);
    const auto parsed = ParseDuration(c.text);
    REQUIRE(parsed.has_value());
    CHECK(parsed->count() == c.ms);
  }
}

TEST_CASE("ParseDuration names the problem", "[config][duration]") {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"", "empty duration (use e.g. 10s)"},
      {"10", "\"10\" has no unit (use e.g. 10s)"},
      {"1h30", "\"1h30\": the last number has no unit"},
      {"-5s", "\"-5s\": negative durations are not allowed"},
      {"5x", "\"5x\": unknown unit \"x\" (use ms, s, m, h, d or w)"},
      {"1y", "\"1y\": unknown unit \"y\" (use ms, s, m, h, d or w)"},
      {"30m1h", "\"30m1h\": units must go from largest to smallest, each at most once"},
      {"1s1s", "\"1s1s\": units must go from largest to smallest, each at most once"},
      {"1.5s", "\"1.5s\": fractions are not allowed (use a smaller unit, e.g. 1500ms)"},
      {"1 s", "\"1 s\": spaces are not allowed (write e.g. 1h30m)"},
      {" 1s", "\" 1s\": spaces are not allowed (write e.g. 1h30m)"},
      {"s", "\"s\": expected a number before the unit"},
      {"99999999999999999999s", "\"99999999999999999999s\": too large"},
      {"9999999999999999w", "\"9999999999999999w\": too large"},
      {"36500d1ms", "\"36500d1ms\": too large (at most 36500d, about 100 years)"},
      // fuzz_api_request's `since`: `now - since` overflowed system_clock (UBSan).
      {"202688888888888s", "\"202688888888888s\": too large (at most 36500d, about 100 years)"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    const auto parsed = ParseDuration(c.text);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error() == c.message);
  }
}

TEST_CASE("FormatDuration is the inverse of ParseDuration", "[config][duration]") {
  struct Case {
    long long ms;
    const char* text;
  };
  const Case cases[] = {
      {0, "0s"},           {90'000, "1m30s"},     {1'500, "1s500ms"},
      {500, "500ms"},      {5'400'000, "1h30m"},  {1'209'600'000, "2w"},
      {-90'000, "-1m30s"}, {86'400'001, "1d1ms"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(FormatDuration(milliseconds{c.ms}) == c.text);
    if (c.ms >= 0) CHECK(ParseDuration(FormatDuration(milliseconds{c.ms})) == milliseconds{c.ms});
  }
}

}  // namespace
}  // namespace mcpwatch
