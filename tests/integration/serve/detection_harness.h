// Helpers for the detection end-to-end tests: a detection: section for the daemon's config,
// per-target counters and state read from /metrics, stored events read through
// `mcpwatch events`, and fixtures that can be stopped and restarted on the same port.
#pragma once

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/serve/daemon_harness.h"

namespace mcpwatch::test {

// WriteConfig ends with the targets list, so a top-level section can follow it.
inline void AppendYaml(const std::string& config, const std::string& yaml) {
  std::ofstream(config, std::ios::app) << yaml << "\n";
}

inline std::string MetricsText(int daemon_port) {
  return HttpGet("http://127.0.0.1:" + std::to_string(daemon_port) + "/metrics").body;
}

// probe_mcp_runs_total of one target, by class (every class is pre-initialised to 0).
inline std::map<std::string, double> RunsByClass(const std::string& metrics,
                                                 const std::string& target) {
  std::map<std::string, double> out;
  std::istringstream in(metrics);
  std::string line;
  const std::string want_target = "target=\"" + target + "\"";
  while (std::getline(in, line)) {
    if (line.rfind("probe_mcp_runs_total{", 0) != 0) continue;
    if (line.find(want_target) == std::string::npos) continue;
    auto at = line.find("class=\"");
    if (at == std::string::npos) continue;
    at += 7;
    std::string cls = line.substr(at, line.find('"', at) - at);
    out[cls] = std::stod(line.substr(line.rfind(' ') + 1));
  }
  return out;
}

// Runs that failed (neither ok nor latency_spike).
inline double FailedRuns(const std::map<std::string, double>& by_class) {
  double n = 0;
  for (const auto& [cls, count] : by_class) {
    if (cls != "ok" && cls != "latency_spike") n += count;
  }
  return n;
}

inline double RunsOf(const std::map<std::string, double>& by_class, const std::string& cls) {
  auto it = by_class.find(cls);
  return it == by_class.end() ? 0 : it->second;
}

// The state whose probe_mcp_state series is 1, "" when none is.
inline std::string StateOf(const std::string& metrics, const std::string& target) {
  for (const char* state : {"unknown", "up", "degraded", "down", "maintenance"}) {
    if (Metric(metrics, "probe_mcp_state", {{"target", target}, {"state", state}}) == 1.0) {
      return state;
    }
  }
  return "";
}

// The daemon on `port` shows `target` up after at least `ok_runs` ok runs.
inline bool UpAfterOkRuns(int port, const std::string& target, double ok_runs = 2) {
  const std::string m = MetricsText(port);
  return StateOf(m, target) == "up" && RunsOf(RunsByClass(m, target), "ok") >= ok_runs;
}

// Stored events, newest first: objects with at, target, kind, details.
inline nlohmann::json StoredEvents(const std::string& config) {
  auto r =
      RunProcess({McpwatchBinary(), "events", "--config", config, "--json", "--limit", "10000"},
                 std::chrono::seconds(30));
  if (r.exit_code != 0) return nlohmann::json::array();
  auto parsed = nlohmann::json::parse(r.out, nullptr, false);
  return parsed.is_array() ? parsed : nlohmann::json::array();
}

inline std::vector<nlohmann::json> EventsOfKind(const nlohmann::json& events,
                                                const std::string& kind,
                                                const std::string& target = "") {
  std::vector<nlohmann::json> out;
  for (const auto& e : events) {
    const bool of_target = target.empty() || (e.contains("target") && e["target"] == target);
    if (e.value("kind", "") == kind && of_target) {
      out.push_back(e);
    }
  }
  return out;
}

// Polls `pred` every `period` until true or `timeout`; for checks that are costly to repeat
// (a child process, a large /metrics page).
inline bool PollUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout,
                      std::chrono::milliseconds period = std::chrono::milliseconds(250)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(period);
  }
}

// An mcp_fixture pinned to one port that can be stopped (SIGTERM, waited for) and started
// again there, like a process restarted by its supervisor.
class RestartableFixture {
 public:
  explicit RestartableFixture(std::vector<std::string> flags, int port = FreePort()) : port_(port) {
    Start(std::move(flags));
  }

  void Start(std::vector<std::string> flags) {
    flags.insert(flags.end(), {"--port", std::to_string(port_)});
    fixture_.emplace(std::move(flags));
  }
  void Stop() { fixture_.reset(); }
  bool running() const { return fixture_.has_value(); }
  int port() const { return port_; }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/mcp"; }

 private:
  int port_;
  std::optional<Fixture> fixture_;
};

}  // namespace mcpwatch::test
