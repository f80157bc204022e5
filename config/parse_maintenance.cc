// maintenance: lists (global and per target).
#include <algorithm>
#include <array>

#include "base/ascii_lower.h"
#include "base/timestamp.h"
#include "config/sections.h"

namespace mcpwatch::config_parse {
namespace {

constexpr std::array<std::string_view, 7> kShortDays{"sun", "mon", "tue", "wed",
                                                     "thu", "fri", "sat"};
constexpr std::array<std::string_view, 7> kLongDays{"sunday",   "monday", "tuesday", "wednesday",
                                                    "thursday", "friday", "saturday"};
constexpr std::chrono::milliseconds kWeek{7LL * 24 * 3600 * 1000};

// Bit index (0 = Sunday) of a weekday name, or -1.
int WeekdayBit(std::string_view name) {
  const std::string text = AsciiLower(name);
  for (std::size_t i = 0; i < kShortDays.size(); ++i) {
    if (text == kShortDays[i] || text == kLongDays[i]) return static_cast<int>(i);
  }
  return -1;
}

// "HH:MM" -> minutes after midnight, or -1.
int ParseClock(std::string_view text) {
  const auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  if (text.size() != 5 || text[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4)) {
    return -1;
  }
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  return hours < 24 && minutes < 60 ? hours * 60 + minutes : -1;
}

void ParseWeekly(const YAML::Node& item, MaintenanceWindow& w, YamlReader& reader,
                 const std::string& where) {
  w.kind = MaintenanceWindow::Kind::kWeekly;
  std::vector<std::string> days;
  if (!item["start_time"].IsDefined()) {
    reader.Error(item, "weekly maintenance window " + where + " needs start_time (e.g. \"03:00\")");
  }
  if (reader.ReadStringList(item, "cron_weekdays", days, where)) {
    if (days.empty()) reader.Error(item["cron_weekdays"], "cron_weekdays " + where + " is empty");
    for (const std::string& day : days) {
      const int bit = WeekdayBit(day);
      if (bit < 0) {
        reader.Error(item["cron_weekdays"], "unknown weekday \"" + day + "\" " + where +
                                                " (use mon, tue, wed, thu, fri, sat, sun)");
      } else {
        w.weekdays = static_cast<std::uint8_t>(w.weekdays | (1U << bit));
      }
    }
  }
  std::string clock;
  if (reader.ReadString(item, "start_time", clock, where)) {
    const int minutes = ParseClock(clock);
    if (minutes < 0) {
      reader.Error(item["start_time"], "start_time \"" + clock + "\" " + where +
                                           " must be HH:MM (24-hour), e.g. \"03:00\"");
    }
    w.start_time = std::chrono::minutes{std::max(minutes, 0)};
  }
  std::string zone = "UTC";
  if (reader.ReadString(item, "timezone", zone, where)) {
    auto offset = ParseUtcOffset(zone);
    if (offset) {
      w.utc_offset = *offset;
    } else {
      reader.Error(item["timezone"], offset.error() + " " + where);
    }
  }
  if (w.duration > kWeek) {
    reader.Error(item["duration"],
                 "a weekly maintenance window " + where + " cannot last longer than a week");
  }
}

}  // namespace

void ParseMaintenanceList(const YAML::Node& node, std::vector<MaintenanceWindow>& out,
                          YamlReader& reader, std::string_view where) {
  if (!reader.IsList(node, "maintenance " + std::string(where))) return;
  std::vector<MaintenanceWindow> windows;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    const std::string item_where =
        "in maintenance[" + std::to_string(i) + "] " + std::string(where);
    if (!reader.IsMap(item, "a maintenance window")) continue;
    reader.CheckKeys(item, {"start", "duration", "cron_weekdays", "start_time", "timezone"},
                     item_where);
    MaintenanceWindow w;
    if (!item["duration"].IsDefined()) {
      reader.Error(item, "maintenance window " + item_where + " needs a duration");
    } else if (reader.ReadDuration(item, "duration", w.duration, item_where) &&
               w.duration.count() <= 0) {
      reader.Error(item["duration"], "duration " + item_where + " must be more than 0");
    }
    const bool one_off = item["start"].IsDefined();
    const bool weekly = item["cron_weekdays"].IsDefined();
    if (one_off == weekly) {
      reader.Error(item, "maintenance window " + item_where +
                             " needs either start (one-off, RFC 3339) or cron_weekdays with"
                             " start_time (weekly), not " +
                             (one_off ? "both" : "neither"));
      continue;
    }
    if (weekly) {
      ParseWeekly(item, w, reader, item_where);
    } else {
      for (std::string_view key : {"start_time", "timezone"}) {
        if (item[std::string(key)].IsDefined()) {
          reader.Error(item[std::string(key)], std::string(key) + " " + item_where +
                                                   " is for weekly windows (with cron_weekdays)");
        }
      }
      std::string start;
      if (reader.ReadString(item, "start", start, item_where)) {
        auto instant = ParseRfc3339(start);
        if (instant) {
          w.start = *instant;
        } else {
          reader.Error(item["start"], "bad start " + item_where + ": " + instant.error());
        }
      }
    }
    windows.push_back(w);
  }
  out = std::move(windows);
}

}  // namespace mcpwatch::config_parse
