#include "app/supervisor.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <cstdint>
#include <string>

namespace mcpwatch::supervisor {

namespace {

// A status is one line: a newline would start another assignment in the datagram.
std::string OneLine(std::string_view status) {
  std::string line(status);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return line;
}

void Send(const std::string& state) {
  // 0 keeps NOTIFY_SOCKET in the environment: we notify again later (STOPPING, WATCHDOG).
  int r = sd_notify(0, state.c_str());
  if (r < 0) spdlog::warn("sd_notify failed state=\"{}\" errno={}", OneLine(state), -r);
}

}  // namespace

void NotifyReady(std::string_view status) {
  Send("READY=1\nSTATUS=" + OneLine(status));
}

void NotifyStopping(std::string_view status) {
  Send("STOPPING=1\nSTATUS=" + OneLine(status));
}

void NotifyStatus(std::string_view status) {
  Send("STATUS=" + OneLine(status));
}

void NotifyWatchdog() {
  Send("WATCHDOG=1");
}

std::optional<std::chrono::microseconds> WatchdogInterval() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(usec));
}

}  // namespace mcpwatch::supervisor
