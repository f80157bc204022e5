// Deploys (DESIGN §6): a new serverInfo.version or tool-list hash means someone shipped, and a
// deploy followed by clearly worse error rate or latency is a regression worth a page.
//
// Time: system_clock (run start times as stored). No clock is read here.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "checks/probe_result.h"

namespace mcpwatch {

struct Deploy {
  std::chrono::system_clock::time_point at{};  // the first run that saw the new values
  std::string old_version;
  std::string new_version;
  std::string old_tools_hash;
  std::string new_tools_hash;

  bool VersionChanged() const { return old_version != new_version; }
  bool ToolsChanged() const { return old_tools_hash != new_tools_hash; }
};

// {"at", "old_version", "new_version", "old_tools_hash", "new_tools_hash",
//  "version_changed", "tools_changed"}
nlohmann::json ToJson(const Deploy& d);

// Fed each run that measured the server (ProbeResult::SurfaceKnown); remembers the last
// (version, tools hash). Not thread-safe.
class DeployDetector {
 public:
  // A deploy when the version or the hash differs from the last seen values; nothing on the
  // first observation ever. An empty tools_hash means "not measured" and keeps the last hash.
  std::optional<Deploy> Observe(std::string_view server_version, std::string_view tools_hash,
                                std::chrono::system_clock::time_point at);

  // The same for a run: runs that did not measure the surface (!SurfaceKnown()) are ignored.
  std::optional<Deploy> Observe(const ProbeResult& r);

  // Resumes from stored values (the last successful run's), so a restart is not a deploy.
  void Restore(std::string_view server_version, std::string_view tools_hash);

  bool Seeded() const { return seeded_; }

 private:
  bool seeded_ = false;
  std::string version_;
  std::string tools_hash_;
};

// One run as the regression check needs it.
struct RunSample {
  std::chrono::system_clock::time_point at{};
  bool success = false;
  std::chrono::microseconds total{0};  // whole-run latency (used for successful runs only)
};

struct RegressionPolicy {
  std::chrono::seconds before{3600};  // compare [deploy - before, deploy)
  std::chrono::seconds after{1800};   // with [deploy, deploy + after]
  int min_after_runs = 3;
  int min_before_runs = 1;
  double error_rate_delta = 0.2;                     // after - before >= this ...
  double error_rate_factor = 2.0;                    // ... and after >= factor * before
  double latency_factor = 2.0;                       // median after >= factor * median before ...
  std::chrono::microseconds latency_margin{250000};  // ... and grew by at least this
};

struct WindowStats {
  int runs = 0;
  int failures = 0;
  double error_rate = 0.0;              // failures / runs (0 when no runs)
  std::chrono::microseconds median{0};  // median total latency of successful runs
  int latency_samples = 0;              // successful runs behind the median
};

struct DeployRegression {
  bool regressed = false;
  bool decided = false;  // false: too few runs in a window to judge (regressed is false too)
  std::string reason;    // "error rate 0% -> 60%" / "median latency 120 ms -> 900 ms" / why not
  WindowStats before;
  WindowStats after;
};

// Judges a deploy from runs around it (any order; runs outside both windows are ignored).
// Call it once the after-window has passed, or earlier for a provisional answer.
DeployRegression AssessDeployRegression(std::chrono::system_clock::time_point deploy_at,
                                        std::span<const RunSample> runs,
                                        const RegressionPolicy& policy = {});

// {"regressed", "reason", "before": {...}, "after": {...}} with latencies as *_ms.
nlohmann::json ToJson(const DeployRegression& r);

}  // namespace mcpwatch
