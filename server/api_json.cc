#include "server/api_json.h"

#include <algorithm>

#include "checks/probe_json.h"

namespace mcpwatch {

namespace {

using nlohmann::json;

template <typename T, typename F>
json OrNull(const std::optional<T>& value, F&& convert) {
  return value ? json(convert(*value)) : json(nullptr);
}

template <typename Row>
json ArrayOf(const std::vector<Row>& rows, json (*render)(const Row&)) {
  json out = json::array();
  for (const Row& row : rows) out.push_back(render(row));
  return out;
}

json TextOrNull(const std::string& text) {
  return text.empty() ? json(nullptr) : json(text);
}

json StepJson(const storage::StepRow& s) {
  return {{"name", ToString(s.step)},
          {"ok", s.ok},
          {"http_status", s.http_status == 0 ? json(nullptr) : json(s.http_status)},
          {"jsonrpc_code", OrNull(s.jsonrpc_code, [](int64_t c) { return c; })},
          {"ttfb_ms", ToMs(s.ttfb)},
          {"duration_ms", ToMs(s.duration)}};
}

}  // namespace

json StatusJson(const storage::TargetStatus& s) {
  return {{"target", s.target},
          {"state", s.state},
          {"state_since", OrNull(s.state_since, FormatTimestamp)},
          {"last_class", OrNull(s.last_class, [](FailureClass c) { return ToString(c); })},
          {"last_run_at", OrNull(s.last_run_at, FormatTimestamp)},
          {"runs_24h", s.runs_24h},
          {"uptime_24h", OrNull(s.uptime_24h, [](double u) { return u; })},
          {"p95_ms", OrNull(s.p95_24h, [](Micros p) { return ToMs(p); })},
          {"diagnosis", TextOrNull(s.diagnosis)}};
}

json RunJson(const storage::RunRow& r) {
  return {
      {"target", r.target},
      {"started_at", FormatTimestamp(r.started_at)},
      {"class", ToString(r.cls)},
      {"ok", r.cls == FailureClass::kOk},
      {"success", r.ok},
      {"total_ms", ToMs(r.total)},
      {"error", r.error},
      {"diagnosis", r.diagnosis},
      {"transport", TextOrNull(r.transport)},
      {"protocol_version", TextOrNull(r.protocol_version)},
      {"server", {{"name", r.server_name}, {"version", r.server_version}}},
      {"tools",
       {{"count", OrNull(r.tool_count, [](int c) { return c; })},
        {"schema_hash", TextOrNull(r.tools_hash)}}},
      {"steps", ArrayOf(r.steps, StepJson)},
      {"timings",
       {{"dns_ms", ToMs(r.dns)},
        {"connect_ms", ToMs(r.connect)},
        {"tls_ms", ToMs(r.tls)},
        {"total_ms", ToMs(r.total)}}},
      {"tls", {{"not_after", OrNull(r.cert_not_after, FormatTimestamp)}}},
      {"maintenance", r.maintenance},
      {"health", r.health_status ? json{{"status_code", *r.health_status}} : json(nullptr)},
  };
}

json EventJson(const storage::EventRecord& e) {
  json details = json::parse(e.details, nullptr, /*allow_exceptions=*/false);
  if (details.is_discarded()) details = json(e.details);  // keep what is stored, as text
  return {{"id", e.id},
          {"target", TextOrNull(e.target)},
          {"kind", e.kind},
          {"at", FormatTimestamp(e.at)},
          {"details", std::move(details)}};
}

json StatusesJson(const std::vector<storage::TargetStatus>& rows) {
  return ArrayOf(rows, StatusJson);
}

json RunsJson(const std::vector<storage::RunRow>& rows) {
  return ArrayOf(rows, RunJson);
}

json EventsJson(const std::vector<storage::EventRecord>& rows) {
  return ArrayOf(rows, EventJson);
}

std::vector<storage::TargetStatus> ConfiguredStatuses(std::vector<storage::TargetStatus> stored,
                                                      const std::vector<std::string>& names) {
  std::vector<storage::TargetStatus> shown;
  shown.reserve(names.size());
  for (const std::string& name : names) {
    auto it = std::find_if(stored.begin(), stored.end(),
                           [&](const storage::TargetStatus& s) { return s.target == name; });
    if (it != stored.end()) {
      shown.push_back(std::move(*it));
    } else {
      storage::TargetStatus never_probed;  // configured, not yet in the history
      never_probed.target = name;
      shown.push_back(std::move(never_probed));
    }
  }
  std::sort(shown.begin(), shown.end(),
            [](const auto& a, const auto& b) { return a.target < b.target; });
  return shown;
}

}  // namespace mcpwatch
