#include "server/probe_exposition.h"

#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <sstream>

#include "server/probe_series.h"

namespace mcpwatch {

namespace {

double Seconds(Micros us) {
  return static_cast<double>(us.count()) / 1e6;
}

prometheus::Family<prometheus::Gauge>& Family(prometheus::Registry& r, const char* name,
                                              const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r);
}

void SetSingle(prometheus::Registry& r, const char* name, const char* help, double value) {
  Family(r, name, help).Add({}).Set(value);
}

}  // namespace

std::string ProbeExposition(const ProbeResult& r, std::chrono::milliseconds timeout) {
  const Transcript& t = r.transcript;
  prometheus::Registry registry;
  SetSingle(registry, "probe_success", "1 if the MCP probe run passed every step",
            r.Success() ? 1 : 0);
  SetSingle(registry, "probe_duration_seconds", "Wall time of the probe run",
            Seconds(t.timings.total));
  SetSingle(registry, "probe_timeout_seconds", "Deadline of the probe run",
            std::chrono::duration<double>(timeout).count());

  auto& phases = Family(registry, "probe_mcp_duration_seconds",
                        "Duration of each phase of the run (0 when not reached)");
  std::array<double, detail::kGaugePhaseCount> values{};
  values[0] = Seconds(t.timings.dns);
  values[1] = Seconds(t.timings.connect);
  values[2] = Seconds(t.timings.tls);
  for (const StepRecord& s : t.steps) values[detail::GaugePhaseIndex(s.step)] = Seconds(s.duration);
  for (size_t i = 0; i < values.size(); ++i) {
    phases.Add({{"phase", std::string(detail::GaugePhaseName(i))}}).Set(values[i]);
  }

  SetSingle(registry, "probe_mcp_tools", "Tools offered in tools/list", t.tool_count.value_or(0));
  SetSingle(registry, "probe_mcp_tools_hash",
            "First 48 bits of the SHA-256 of the canonical tool list",
            detail::ToolsHashNumber(t.tools_hash));
  Family(registry, "probe_mcp_run_info", "The run's failure class, value 1")
      .Add({{"class", std::string(ToString(r.verdict.cls))}})
      .Set(1);
  if (t.cert_not_after) {
    SetSingle(registry, "probe_ssl_earliest_cert_expiry",
              "notAfter of the earliest-expiring certificate, unix seconds",
              std::chrono::duration<double>(t.cert_not_after->time_since_epoch()).count());
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry.Collect());
  return out.str();
}

}  // namespace mcpwatch
