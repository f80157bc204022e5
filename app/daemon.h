// `mcpwatch serve`: the long-running monitor. Owns the threads and their order:
//   probe loop thread  — scheduler, prober, and everything that reacts to a finished run
//   storage writer     — the only write connection (storage::HistoryWriter)
//   HTTP workers       — civetweb (/metrics, /readyz, /api, /probe)
//   notifier           — alert deliveries from the SQLite outbox
// The main thread only waits for signals and calls Reload() / Shutdown().
#pragma once

#include <memory>
#include <string>

#include <tl/expected.hpp>

#include "config/config.h"

namespace mcpwatch {

class Daemon {
 public:
  // Opens and migrates the database, rebuilds state from history, starts every thread and
  // reports ready. An error says what failed and what to do.
  static tl::expected<std::unique_ptr<Daemon>, std::string> Start(Config config);
  ~Daemon();

  // Applies a new config (already validated); targets whose settings did not change keep
  // their schedule and state.
  void Reload(Config config);
  // Marks the last reload attempt (a failed one keeps the running config).
  void ReloadFailed();
  // Not ready → stop scheduling → drain runs in flight (bounded) → flush and checkpoint the
  // database → close. Returns the process exit code.
  int Shutdown();

  int http_port() const;

  struct Impl;

 private:
  explicit Daemon(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mcpwatch
