#include "server/probe_exposition.h"

#include "server/probe_values.h"
#include "server/text_exposition.h"

namespace mcpwatch {

namespace {

double Seconds(Micros us) {
  return static_cast<double>(us.count()) / 1e6;
}

void Single(std::string& out, std::string_view name, std::string_view help, double value) {
  AppendFamilyHeader(out, name, help, "gauge");
  AppendSample(out, name, {}, {}, value);
}

}  // namespace

std::string ProbeExposition(const ProbeResult& r, std::chrono::milliseconds timeout) {
  const Transcript& t = r.transcript;
  std::string out;
  Single(out, "probe_success", "1 if the MCP probe run passed every step", r.Success() ? 1 : 0);
  Single(out, "probe_duration_seconds", "Wall time of the probe run", Seconds(t.timings.total));
  Single(out, "probe_timeout_seconds", "Deadline of the probe run",
         std::chrono::duration<double>(timeout).count());

  std::array<double, detail::kGaugePhaseCount> values{};
  values[0] = Seconds(t.timings.dns);
  values[1] = Seconds(t.timings.connect);
  values[2] = Seconds(t.timings.tls);
  for (const StepRecord& s : t.steps) values[detail::GaugePhaseIndex(s.step)] = Seconds(s.duration);
  AppendFamilyHeader(out, "probe_mcp_duration_seconds",
                     "Duration of each phase of the run (0 when not reached)", "gauge");
  for (size_t i = 0; i < values.size(); ++i) {
    const LabelRef phase[] = {{"phase", detail::GaugePhaseName(i)}};
    AppendSample(out, "probe_mcp_duration_seconds", {}, phase, values[i]);
  }

  Single(out, "probe_mcp_tools", "Tools offered in tools/list", t.tool_count.value_or(0));
  Single(out, "probe_mcp_tools_hash", "First 48 bits of the SHA-256 of the canonical tool list",
         detail::ToolsHashNumber(t.tools_hash));
  AppendFamilyHeader(out, "probe_mcp_run_info", "The run's failure class, value 1", "gauge");
  const LabelRef cls[] = {{"class", ToString(r.verdict.cls)}};
  AppendSample(out, "probe_mcp_run_info", {}, cls, 1);
  if (t.cert_not_after) {
    Single(out, "probe_ssl_earliest_cert_expiry",
           "notAfter of the earliest-expiring certificate, unix seconds",
           std::chrono::duration<double>(t.cert_not_after->time_since_epoch()).count());
  }
  return out;
}

}  // namespace mcpwatch
