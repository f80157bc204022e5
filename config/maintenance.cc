#include "config/maintenance.h"

namespace mcpwatch {
namespace {

bool InWindow(const MaintenanceWindow& w, std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  switch (w.kind) {
    case MaintenanceWindow::Kind::kOneOff: return now >= w.start && now < w.start + w.duration;
    case MaintenanceWindow::Kind::kWeekly: {
      // Work in "local" time (UTC shifted by the fixed offset) and look back over as many
      // days as the window can span, so a Saturday 23:00 + 2h window covers Sunday 00:30.
      const auto local = now + w.utc_offset;
      const auto today = floor<days>(local);
      const auto lookback = duration_cast<days>(w.duration + w.start_time).count() + 1;
      for (std::int64_t back = 0; back <= lookback; ++back) {
        const sys_days day = today - days{back};
        const unsigned weekday_bit = weekday{day}.c_encoding();
        if ((w.weekdays & (1U << weekday_bit)) == 0) continue;
        const auto opens = day + w.start_time;
        if (local >= opens && local < opens + w.duration) return true;
      }
      return false;
    }
  }
  return false;
}

}  // namespace

bool InMaintenance(const std::vector<MaintenanceWindow>& windows,
                   std::chrono::system_clock::time_point now) {
  for (const MaintenanceWindow& w : windows) {
    if (InWindow(w, now)) return true;
  }
  return false;
}

}  // namespace mcpwatch
