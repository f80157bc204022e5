// The mcpwatch config file (DESIGN §4): the model with its defaults, and a strict loader that
// reports every mistake with its line. Loading is pure apart from reading the file; secrets are
// read only by ResolveBearerToken, at probe time.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "auth/auth_config.h"
#include "checks/probe_spec.h"
#include "checks/rate_limit_check.h"
#include "config/alerting_config.h"
#include "config/config_error.h"
#include "config/maintenance.h"

namespace mcpwatch {

// Absolute per-phase latency thresholds (cold start, and a run over them is "degraded").
// 0 = unset.
struct LatencyLimits {
  std::chrono::milliseconds total{5000};
  std::chrono::milliseconds initialize{0};
  std::chrono::milliseconds tools_list{0};
  std::chrono::milliseconds tool_call{0};
};

struct StorageConfig {
  std::chrono::milliseconds raw_retention{30LL * 24 * 3600 * 1000};
  std::chrono::milliseconds rollup_retention{400LL * 24 * 3600 * 1000};
  // Runs held in memory while the database cannot be written (full disk); beyond it new runs
  // are dropped and counted (docs/durability.md).
  int queue_capacity = 100'000;
};

struct SchedulerConfig {
  int max_inflight = 256;
  std::chrono::milliseconds jitter{1000};
};

struct DetectionConfig {
  std::chrono::milliseconds baseline_window{7LL * 24 * 3600 * 1000};
  int baseline_min_samples = 20;
  double spike_factor = 3.0;
  std::chrono::milliseconds spike_margin{250};
  LatencyLimits max_latency;
  int down_after = 2;  // soft-class failures among the last `window` runs to go down
  int window = 3;
  int hard_down_after = 1;  // hard classes: connection_refused, dns_error, tls_error, auth_failure
  int up_after = 2;
  int degraded_after = 2;  // latency spikes among the last `window` runs to go degraded
  std::chrono::milliseconds confirm_after{5000};
  int crash_loop_flips = 3;  // YAML crash_loop: {flips, window}
  std::chrono::milliseconds crash_loop_window{10 * 60 * 1000};
  std::vector<std::chrono::milliseconds> cert_expiry_warn{
      std::chrono::milliseconds{30LL * 24 * 3600 * 1000},
      std::chrono::milliseconds{14LL * 24 * 3600 * 1000},
      std::chrono::milliseconds{7LL * 24 * 3600 * 1000}};
  std::chrono::milliseconds deploy_regression_before{30 * 60 *
                                                     1000};  // YAML deploy_regression: {before,
  std::chrono::milliseconds deploy_regression_after{10 * 60 *
                                                    1000};  //                          after}
  // YAML rolling_deploy: {grace, migration_window} (issue 11). grace 0 = off: a drain is an
  // outage like any other.
  std::chrono::milliseconds rolling_deploy_grace{0};
  std::chrono::milliseconds migration_window{5 * 60 * 1000};
};

struct TargetConfig {
  std::string name;  // [A-Za-z0-9_.-]{1,64}; the `target` label everywhere
  // url, transport, headers ("Name: value" lines), timeout, tool_call, ca_file (absolute).
  // bearer_token stays empty here: see ResolvedSpec().
  ProbeSpec spec;
  std::string bearer_token_env;             // at most one of these two is set
  std::string bearer_token_file;            // absolute
  std::vector<std::string> secret_headers;  // header names whose values are redacted
  // OAuth (issue 13): names of the secret's variable or file, never the secret. Used by
  // `mcpwatch probe`, `mcpwatch auth login` and the daemon's token manager (app/token_manager.h).
  std::optional<AuthConfig> auth;
  std::chrono::milliseconds interval{60000};
  std::map<std::string, std::string> labels;
  LatencyLimits max_latency;  // detection.max_latency, overridden per key by defaults/target
  std::vector<MaintenanceWindow> maintenance;  // the target's own (Config::maintenance is global)
  // Opt-in burst against the declared rate limit (issue 11); nullopt: no check.
  std::optional<RateLimitSpec> rate_limit_check;
};

// `shard: {index, total}`: this instance probes the targets whose name hashes to `index`
// (HashMod(name, total), Prometheus' hashmod); every instance reads the same file.
struct ShardConfig {
  int index = 0;
  int total = 1;  // 1: no sharding
  bool enabled() const { return total > 1; }
  std::string ToString() const;  // "1/3"
  bool operator==(const ShardConfig&) const = default;
};

struct Config {
  std::string listen_host = "127.0.0.1";  // without brackets: "::1"
  int listen_port = 9464;
  std::string database;  // absolute (relative paths resolve against the config file's dir)
  std::string location;
  StorageConfig storage;
  SchedulerConfig scheduler;
  DetectionConfig detection;
  std::vector<MaintenanceWindow> maintenance;  // applies to every target
  ShardConfig shard;
  std::vector<TargetConfig> targets;  // this shard's (all of them without `shard`)
  std::size_t targets_in_file = 0;    // before the shard took its part
  AlertingConfig alerting;
  std::string source_path;   // absolute path of the file read ("" for ParseConfig of a buffer)
  std::string content_hash;  // SHA-256 hex of the file bytes: an unchanged file need not reload
};

// Reads and validates `path`. On failure returns every error found (never just the first).
tl::expected<Config, std::vector<ConfigError>> LoadConfig(const std::string& path);

// Same over text already in memory; `file_name` names it in errors and anchors relative paths
// (its directory; the current directory when it has none).
tl::expected<Config, std::vector<ConfigError>> ParseConfig(std::string_view yaml_text,
                                                           std::string_view file_name);

// Keys a reload cannot change in a running daemon (listen, database, location, shard): "" when
// `next` keeps them all, else which changed and from what to what, to refuse the reload with.
std::string RestartOnlyChange(const Config& running, const Config& next);

// Reads the target's bearer token now (env var or file, trailing newline trimmed). "" when the
// target has none. The error names the variable or file, never the value. Blocking (file read).
tl::expected<std::string, std::string> ResolveBearerToken(const TargetConfig& target);

// The target's spec with bearer_token filled in by ResolveBearerToken. Callers that must know
// about a missing token call ResolveBearerToken themselves; this leaves the token empty then.
ProbeSpec ResolvedSpec(const TargetConfig& target);

}  // namespace mcpwatch
