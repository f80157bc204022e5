// Maintenance windows (weekly, one-off) and the RFC 3339 / offset parsers behind them.
#include "config/maintenance.h"

#include <catch2/catch.hpp>

#include "base/timestamp.h"
#include "tests/unit/config/config_test_util.h"

namespace mcpwatch {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;

system_clock::time_point At(const char* rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  REQUIRE(t.has_value());
  return *t;
}

TEST_CASE("ParseRfc3339 reads UTC instants", "[config][maintenance]") {
  struct Case {
    const char* text;
    long long unix_ms;
  };
  const Case cases[] = {
      {"2026-12-01T00:00:00Z", 1796083200000},
      {"2026-12-01t00:00:00z", 1796083200000},
      {"2026-12-01 00:00:00Z", 1796083200000},
      {"2026-12-01T02:00:00+02:00", 1796083200000},
      {"2026-11-30T19:30:00-04:30", 1796083200000},
      {"2026-12-01T00:00:00.25Z", 1796083200250},
      {"1970-01-01T00:00:00Z", 0},
      {"2028-02-29T12:00:00Z", 1835438400000},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    const auto t = ParseRfc3339(c.text);
    REQUIRE(t.has_value());
    CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count() ==
          c.unix_ms);
  }
  for (const char* bad : {"2026-12-01", "2026-12-01T00:00:00", "2026-02-30T00:00:00Z",
                          "2026-12-01T24:00:00Z", "2026-12-01T00:00:00+2", "12/01/2026", ""}) {
    INFO(bad);
    CHECK_FALSE(ParseRfc3339(bad).has_value());
  }
}

TEST_CASE("ParseUtcOffset accepts UTC and fixed offsets only", "[config][maintenance]") {
  CHECK(ParseUtcOffset("UTC") == 0min);
  CHECK(ParseUtcOffset("Z") == 0min);
  CHECK(ParseUtcOffset("+02:00") == 120min);
  CHECK(ParseUtcOffset("UTC-05:30") == -330min);
  CHECK_FALSE(ParseUtcOffset("Europe/Berlin").has_value());
  CHECK_FALSE(ParseUtcOffset("+2").has_value());
}

TEST_CASE("one-off windows cover [start, start + duration)", "[config][maintenance]") {
  MaintenanceWindow w;
  w.kind = MaintenanceWindow::Kind::kOneOff;
  w.start = At("2026-12-01T02:00:00Z");
  w.duration = 1h;
  const std::vector<MaintenanceWindow> windows{w};
  CHECK_FALSE(InMaintenance(windows, At("2026-12-01T01:59:59Z")));
  CHECK(InMaintenance(windows, At("2026-12-01T02:00:00Z")));
  CHECK(InMaintenance(windows, At("2026-12-01T02:59:59Z")));
  CHECK_FALSE(InMaintenance(windows, At("2026-12-01T03:00:00Z")));
  CHECK_FALSE(InMaintenance({}, At("2026-12-01T02:30:00Z")));
}

TEST_CASE("weekly windows, including across midnight and with offsets", "[config][maintenance]") {
  // Parsed from YAML so the weekday names, start_time and timezone paths are covered too.
  const Config c = testing::MustParse(
      "maintenance:\n"
      "  - {cron_weekdays: [sat], start_time: \"23:30\", duration: 1h}\n"
      "  - {cron_weekdays: [Monday, wed], start_time: \"03:00\", duration: 30m,"
      " timezone: \"+02:00\"}\n"
      "targets: []\n");
  REQUIRE(c.maintenance.size() == 2);
  struct Case {
    const char* now;  // 2026-11-28 is a Saturday
    bool in;
  };
  const Case cases[] = {
      {"2026-11-28T23:29:59Z", false},  // Saturday, just before
      {"2026-11-28T23:30:00Z", true},   // Saturday 23:30 opens
      {"2026-11-29T00:15:00Z", true},   // Sunday 00:15: still in Saturday's window
      {"2026-11-29T00:30:00Z", false},  // closed
      {"2026-11-29T23:45:00Z", false},  // Sunday 23:45 is not Saturday
      {"2026-12-05T23:59:00Z", true},   // next Saturday
      // Monday 03:00 at +02:00 is Monday 01:00 UTC.
      {"2026-11-30T01:00:00Z", true},
      {"2026-11-30T01:29:59Z", true},
      {"2026-11-30T01:30:00Z", false},
      {"2026-11-30T03:00:00Z", false},  // 03:00 UTC is 05:00 local
      {"2026-12-02T01:10:00Z", true},   // Wednesday
      {"2026-12-01T01:10:00Z", false},  // Tuesday
  };
  for (const Case& k : cases) {
    INFO(k.now);
    CHECK(InMaintenance(c.maintenance, At(k.now)) == k.in);
  }
}

TEST_CASE("an offset can move a weekly window to the previous UTC day", "[config][maintenance]") {
  // Sunday 01:00 at +03:00 is Saturday 22:00 UTC.
  const Config c = testing::MustParse(
      "targets:\n  - name: a\n    url: https://a.example/\n    maintenance:\n"
      "      - {cron_weekdays: [sun], start_time: \"01:00\", duration: 2h, timezone: UTC+03:00}\n");
  const auto& windows = c.targets[0].maintenance;
  CHECK(InMaintenance(windows, At("2026-11-28T22:00:00Z")));
  CHECK(InMaintenance(windows, At("2026-11-28T23:59:00Z")));
  CHECK_FALSE(InMaintenance(windows, At("2026-11-29T00:00:00Z")));
  CHECK_FALSE(InMaintenance(windows, At("2026-11-28T21:59:59Z")));
  CHECK(c.maintenance.empty());
}

TEST_CASE("weekly windows longer than a day span several days", "[config][maintenance]") {
  MaintenanceWindow w;
  w.kind = MaintenanceWindow::Kind::kWeekly;
  w.weekdays = 1U << 5;  // Friday
  w.start_time = 22h;
  w.duration = 50h;  // Friday 22:00 -> Monday 00:00
  const std::vector<MaintenanceWindow> windows{w};
  CHECK(InMaintenance(windows, At("2026-11-27T22:00:00Z")));
  CHECK(InMaintenance(windows, At("2026-11-29T23:59:59Z")));
  CHECK_FALSE(InMaintenance(windows, At("2026-11-30T00:00:00Z")));
  CHECK_FALSE(InMaintenance(windows, At("2026-11-27T21:00:00Z")));
}

}  // namespace
}  // namespace mcpwatch
