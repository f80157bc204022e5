#include "checks/deploy.h"

#include <algorithm>
#include <cstdio>

#include "checks/event.h"

namespace mcpwatch {
namespace {

using Micros = std::chrono::microseconds;

WindowStats Stats(std::vector<const RunSample*> runs) {
  WindowStats s;
  std::vector<int64_t> latencies;
  for (const RunSample* r : runs) {
    ++s.runs;
    if (r->success) {
      latencies.push_back(r->total.count());
    } else {
      ++s.failures;
    }
  }
  if (s.runs > 0) s.error_rate = static_cast<double>(s.failures) / s.runs;
  s.latency_samples = static_cast<int>(latencies.size());
  if (!latencies.empty()) {
    std::sort(latencies.begin(), latencies.end());
    const size_t mid = latencies.size() / 2;
    s.median = Micros(latencies.size() % 2 == 1 ? latencies[mid]
                                                : (latencies[mid - 1] + latencies[mid]) / 2);
  }
  return s;
}

std::string Percent(double rate) {
  return std::to_string(static_cast<int>(rate * 100.0 + 0.5)) + "%";
}

std::string Millis(Micros d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f ms", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

double Ms(Micros d) {
  return static_cast<double>(d.count()) / 1000.0;
}

nlohmann::json ToJson(const WindowStats& s) {
  return nlohmann::json{{"runs", s.runs},
                        {"failures", s.failures},
                        {"error_rate", s.error_rate},
                        {"median_ms", Ms(s.median)},
                        {"latency_samples", s.latency_samples}};
}

}  // namespace

nlohmann::json ToJson(const Deploy& d) {
  return nlohmann::json{
      {"at", FormatTimestamp(d.at)},        {"old_version", d.old_version},
      {"new_version", d.new_version},       {"old_tools_hash", d.old_tools_hash},
      {"new_tools_hash", d.new_tools_hash}, {"version_changed", d.VersionChanged()},
      {"tools_changed", d.ToolsChanged()}};
}

std::optional<Deploy> DeployDetector::Observe(std::string_view server_version,
                                              std::string_view tools_hash,
                                              std::chrono::system_clock::time_point at) {
  const std::string_view hash = tools_hash.empty() ? std::string_view(tools_hash_) : tools_hash;
  if (!seeded_) {
    Restore(server_version, hash);
    return std::nullopt;
  }
  if (server_version == version_ && hash == tools_hash_) return std::nullopt;
  Deploy d{at, version_, std::string(server_version), tools_hash_, std::string(hash)};
  version_ = d.new_version;
  tools_hash_ = d.new_tools_hash;
  return d;
}

std::optional<Deploy> DeployDetector::Observe(const ProbeResult& r) {
  if (!r.SurfaceKnown()) return std::nullopt;
  return Observe(r.transcript.server.version, r.transcript.tools_hash, r.started_at);
}

void DeployDetector::Restore(std::string_view server_version, std::string_view tools_hash) {
  version_ = server_version;
  tools_hash_ = tools_hash;
  seeded_ = true;
}

DeployRegression AssessDeployRegression(std::chrono::system_clock::time_point deploy_at,
                                        std::span<const RunSample> runs,
                                        const RegressionPolicy& policy) {
  std::vector<const RunSample*> before;
  std::vector<const RunSample*> after;
  for (const RunSample& r : runs) {
    if (r.at >= deploy_at - policy.before && r.at < deploy_at) before.push_back(&r);
    if (r.at >= deploy_at && r.at <= deploy_at + policy.after) after.push_back(&r);
  }
  DeployRegression out;
  out.before = Stats(std::move(before));
  out.after = Stats(std::move(after));
  const WindowStats& b = out.before;
  const WindowStats& a = out.after;
  if (a.runs < policy.min_after_runs || b.runs < policy.min_before_runs) {
    out.reason = "too few runs to judge (" + std::to_string(b.runs) + " before, " +
                 std::to_string(a.runs) + " after)";
    return out;
  }
  out.decided = true;
  const bool errors = a.error_rate - b.error_rate >= policy.error_rate_delta &&
                      a.error_rate >= policy.error_rate_factor * b.error_rate;
  const bool slower = a.latency_samples > 0 && b.latency_samples > 0 &&
                      Ms(a.median) >= policy.latency_factor * Ms(b.median) &&
                      a.median - b.median >= policy.latency_margin;
  std::string errors_text = "error rate " + Percent(b.error_rate) + " -> " + Percent(a.error_rate);
  std::string latency_text = "median latency " + Millis(b.median) + " -> " + Millis(a.median);
  out.regressed = errors || slower;
  if (errors && slower) {
    out.reason = errors_text + "; " + latency_text;
  } else if (errors) {
    out.reason = std::move(errors_text);
  } else if (slower) {
    out.reason = std::move(latency_text);
  } else {
    out.reason = "no regression: " + errors_text + ", " + latency_text;
  }
  return out;
}

nlohmann::json ToJson(const DeployRegression& r) {
  return nlohmann::json{{"regressed", r.regressed},
                        {"decided", r.decided},
                        {"reason", r.reason},
                        {"before", ToJson(r.before)},
                        {"after", ToJson(r.after)}};
}

}  // namespace mcpwatch
