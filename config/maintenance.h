// Maintenance windows: while one is open a target's failures do not count and do not page.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

namespace mcpwatch {

struct MaintenanceWindow {
  enum class Kind { kOneOff, kWeekly };
  Kind kind = Kind::kOneOff;
  std::chrono::system_clock::time_point start;  // kOneOff: the instant the window opens
  std::uint8_t weekdays = 0;                    // kWeekly: bit n = weekday n (0 = Sunday)
  std::chrono::minutes start_time{0};           // kWeekly: minutes after local midnight
  std::chrono::minutes utc_offset{0};           // kWeekly: the fixed offset of `timezone`
  std::chrono::milliseconds duration{0};        // > 0; weekly windows may cross midnight
};

// True when `now` lies in [opening, opening + duration) of any window. Pure.
bool InMaintenance(const std::vector<MaintenanceWindow>& windows,
                   std::chrono::system_clock::time_point now);

}  // namespace mcpwatch
