#include "storage/run_row.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace mcpwatch::storage {

namespace {

void AppendNumber(std::string& out, double value) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  if (ec != std::errc()) {
    out += '0';
    return;
  }
  out.append(buffer, end);
}

void AppendInt(std::string& out, int64_t value) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, ec == std::errc() ? end : buffer);
}

}  // namespace

int64_t ToEpochMs(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TimePoint FromEpochMs(int64_t ms) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(ms)));
}

double ToMs(Micros d) {
  return static_cast<double>(d.count()) / 1000.0;
}

Micros FromMs(double ms) {
  return Micros(static_cast<int64_t>(std::llround(ms * 1000.0)));
}

RunRow ToRunRow(const ProbeResult& result, bool maintenance) {
  const Transcript& t = result.transcript;
  RunRow row;
  row.target = result.target;
  row.started_at = result.started_at;
  row.cls = result.verdict.cls;
  row.ok = result.Success();
  row.total = t.timings.total;
  row.error = result.verdict.error;
  row.diagnosis = result.verdict.diagnosis;
  row.transport = std::string(ToString(t.transport));
  row.protocol_version = t.protocol_version;
  row.server_name = t.server.name;
  row.server_version = t.server.version;
  row.tool_count = t.tool_count;
  row.tools_hash = t.tools_hash;
  row.dns = t.timings.dns;
  row.connect = t.timings.connect;
  row.tls = t.timings.tls;
  row.cert_not_after = t.cert_not_after;
  if (t.health) row.health_status = t.health->http_status;
  row.steps.reserve(t.steps.size());
  for (const StepRecord& s : t.steps) {
    row.steps.push_back(StepRow{.step = s.step,
                                .ok = s.Ok(),
                                .http_status = s.http_status,
                                .jsonrpc_code = s.jsonrpc_code,
                                .ttfb = s.ttfb,
                                .duration = s.duration});
  }
  row.maintenance = maintenance;
  return row;
}

std::string EncodeSteps(const std::vector<StepRow>& steps) {
  std::string out;
  out.reserve(2 + steps.size() * 44);
  out += '[';
  for (size_t i = 0; i < steps.size(); ++i) {
    const StepRow& s = steps[i];
    if (i > 0) out += ',';
    out += "[\"";
    out += ToString(s.step);  // a fixed identifier: nothing to escape
    out += s.ok ? "\",true," : "\",false,";
    AppendInt(out, s.http_status);
    out += ',';
    if (s.jsonrpc_code) {
      AppendInt(out, *s.jsonrpc_code);
    } else {
      out += "null";
    }
    out += ',';
    AppendNumber(out, ToMs(s.ttfb));
    out += ',';
    AppendNumber(out, ToMs(s.duration));
    out += ']';
  }
  out += ']';
  return out;
}

tl::expected<std::vector<StepRow>, std::string> DecodeSteps(std::string_view json) {
  try {
    const auto doc = nlohmann::json::parse(json);
    if (!doc.is_array()) return tl::make_unexpected(std::string("steps is not a JSON array"));
    std::vector<StepRow> steps;
    steps.reserve(doc.size());
    for (const auto& item : doc) {
      if (!item.is_array() || item.size() != 6) {
        return tl::make_unexpected(std::string("a step is not a 6-element array"));
      }
      const auto name = item[0].get<std::string>();
      const auto step = ParseStep(name);
      if (!step) return tl::make_unexpected("unknown step '" + name + "'");
      StepRow row;
      row.step = *step;
      row.ok = item[1].get<bool>();
      row.http_status = item[2].get<int>();
      if (!item[3].is_null()) row.jsonrpc_code = item[3].get<int64_t>();
      row.ttfb = FromMs(item[4].get<double>());
      row.duration = FromMs(item[5].get<double>());
      steps.push_back(row);
    }
    return steps;
  } catch (const nlohmann::json::exception& e) {
    return tl::make_unexpected("malformed steps JSON: " + std::string(e.what()));
  }
}

}  // namespace mcpwatch::storage
