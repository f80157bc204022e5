#include "app/report.h"

#include <cstdio>
#include <string>

#include "checks/classifier.h"
#include "checks/health_check.h"
#include "checks/probe_json.h"

namespace mcpwatch {
namespace {

std::string Ms(Micros us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", ToMs(us));
  return buf;
}

std::string Pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string StepLine(const StepRecord& s, const ProbeSpec& spec, const Transcript& t) {
  std::string label(StepLabel(s.step, t.era));
  if (s.step == Step::kToolCall && spec.tool_call) label += " " + spec.tool_call->name;
  std::string line = "  " + Pad(label, 30) + Pad(s.Ok() ? "ok" : "FAIL", 6);
  line += Pad(s.http_status ? "HTTP " + std::to_string(s.http_status) : "-", 10);
  line += Pad("ttfb " + Ms(s.ttfb), 16) + Ms(s.duration);
  if (s.attempts > 1) line += "  (" + std::to_string(s.attempts) + " attempts)";
  if (s.step == Step::kToolsList && s.Ok() && t.tool_count) {
    line += "  " + std::to_string(*t.tool_count) + " tools, sha256 " + t.tools_hash.substr(0, 12);
  }
  return line;
}

}  // namespace

void PrintReport(std::ostream& out, const ProbeResult& r, const ProbeSpec& spec) {
  const Transcript& t = r.transcript;
  out << "mcpwatch probe " << r.url << "\n";
  out << "  transport   " << ToString(t.transport);
  if (!t.protocol_version.empty()) out << ", protocol " << t.protocol_version;
  if (t.era == ProtocolEra::kModern) out << " (modern: stateless, no handshake, ping or session)";
  out << "\n";
  if (!t.era_reason.empty()) {
    out << "  era         " << ToString(t.era) << ": " << t.era_reason;
    if (t.era_detection.count() > 0) out << " (detection " << Ms(t.era_detection) << ")";
    out << "\n";
  }
  if (!t.server.name.empty()) {
    out << "  server      " << t.server.name;
    if (!t.server.version.empty()) out << " " << t.server.version;
    if (!t.server.title.empty()) out << " (" << t.server.title << ")";
    out << "\n";
  }
  out << "  connection  dns " << Ms(t.timings.dns) << ", connect " << Ms(t.timings.connect);
  if (t.timings.tls.count() > 0) out << ", tls " << Ms(t.timings.tls);
  if (t.cert_not_after) out << ", certificate valid until " << FormatTimestamp(*t.cert_not_after);
  out << "\n";
  for (const StepRecord& s : t.steps) out << StepLine(s, spec, t) << "\n";
  out << "  total       " << Ms(t.timings.total) << "\n";
  if (t.health) {
    out << "  health      " << HealthAnswer(*t.health) << " in " << Ms(t.health->duration) << "\n";
  }
  out << "verdict: " << ToString(r.verdict.cls);
  if (!r.verdict.error.empty()) out << " - " << r.verdict.error;
  out << "\n";
  if (!r.verdict.diagnosis.empty()) out << "diagnosis: " << r.verdict.diagnosis << "\n";
}

}  // namespace mcpwatch
