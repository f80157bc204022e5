// Talking to the service manager (systemd's sd_notify protocol, with Type=notify): when the
// daemon is ready, when it stops, that its event loop still turns (the watchdog), and a one-line
// status for `systemctl status`. Every call is a cheap no-op when NOTIFY_SOCKET is unset, i.e.
// when nothing supervises us this way. Thread-safe (each call is one datagram).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace mcpwatch::supervisor {

// READY=1: migrations ran and the start-up restore finished; probing has begun.
void NotifyReady(std::string_view status);
// STOPPING=1: shutdown has begun (sent before draining).
void NotifyStopping(std::string_view status);
// STATUS=...: shown by `systemctl status`.
void NotifyStatus(std::string_view status);
// WATCHDOG=1: the event loop is alive.
void NotifyWatchdog();

// How often systemd expects WATCHDOG=1 (WATCHDOG_USEC, from WatchdogSec=), or nullopt when the
// watchdog is off or meant for another process (WATCHDOG_PID).
std::optional<std::chrono::microseconds> WatchdogInterval();

}  // namespace mcpwatch::supervisor
