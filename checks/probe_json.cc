#include "checks/probe_json.h"

#include <cmath>
#include <ctime>

namespace mcpwatch {

double ToMs(Micros us) {
  return std::round(static_cast<double>(us.count())) / 1000.0;
}

nlohmann::json ToJson(const ProbeResult& r) {
  const Transcript& t = r.transcript;
  nlohmann::json steps = nlohmann::json::array();
  for (const StepRecord& s : t.steps) {
    nlohmann::json step = {{"name", ToString(s.step)},
                           {"ok", s.Ok()},
                           {"http_status", s.http_status == 0 ? nlohmann::json(nullptr)
                                                              : nlohmann::json(s.http_status)},
                           {"jsonrpc_code", s.jsonrpc_code ? nlohmann::json(*s.jsonrpc_code)
                                                           : nlohmann::json(nullptr)},
                           {"ttfb_ms", ToMs(s.ttfb)},
                           {"duration_ms", ToMs(s.duration)}};
    if (!s.Ok()) {
      step["error"] = s.transport != TransportError::kNone
                          ? std::string(ToString(s.transport))
                          : (s.HttpOk() ? std::string(ToString(s.finding)) : "http_status");
    }
    if (s.attempts > 1) step["attempts"] = s.attempts;
    steps.push_back(std::move(step));
  }
  nlohmann::json j = {
      {"target", r.target},
      {"url", r.url},
      {"started_at", FormatTimestamp(r.started_at)},
      {"transport", ToString(t.transport)},
      // "modern": a stateless 2026-07-28 run, where initialized, ping and close do not exist.
      {"era", ToString(t.era)},
      {"era_reason", t.era_reason},
      {"protocol_version",
       t.protocol_version.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.protocol_version)},
      {"class", ToString(r.verdict.cls)},
      {"ok", r.verdict.cls == FailureClass::kOk},
      {"success", r.Success()},
      {"error", r.verdict.error},
      {"diagnosis", r.verdict.diagnosis},
      {"server",
       {{"name", t.server.name}, {"version", t.server.version}, {"title", t.server.title}}},
      {"tools",
       {{"count", t.tool_count ? nlohmann::json(*t.tool_count) : nlohmann::json(nullptr)},
        {"schema_hash",
         t.tools_hash.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.tools_hash)}}},
      {"steps", std::move(steps)},
      {"timings",
       {{"dns_ms", ToMs(t.timings.dns)},
        {"connect_ms", ToMs(t.timings.connect)},
        {"tls_ms", ToMs(t.timings.tls)},
        // server/discover's round trip before a legacy server's initialize (era detection).
        {"era_detection_ms", ToMs(t.era_detection)},
        {"total_ms", ToMs(t.timings.total)}}},
      {"tls",
       {{"not_after", t.cert_not_after ? nlohmann::json(FormatTimestamp(*t.cert_not_after))
                                       : nlohmann::json(nullptr)}}},
  };
  // The server's own health endpoint (health_url / --health-url), absent when not asked for.
  if (t.health) {
    j["health"] = {
        {"status_code", t.health->http_status},
        {"duration_ms", ToMs(t.health->duration)},
        {"retry_after", t.health->retry_after.empty() ? nlohmann::json(nullptr)
                                                      : nlohmann::json(t.health->retry_after)}};
  }
  return j;
}

}  // namespace mcpwatch
