#include "server/status_page.h"

#include <cstdio>

#include "checks/probe_json.h"

namespace mcpwatch {

namespace {

std::string FormatUptime(const std::optional<double>& uptime) {
  if (!uptime) return "–";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", *uptime * 100.0);
  return buf;
}

std::string FormatP95(const std::optional<Micros>& p95) {
  if (!p95) return "–";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f ms", ToMs(*p95));
  return buf;
}

// Stored state names are one of ours; anything else is shown as unknown.
std::string_view StateColour(std::string_view state) {
  if (state == "up") return "#4c1";
  if (state == "degraded") return "#dfb317";
  if (state == "down") return "#e05d44";
  if (state == "maintenance") return "#007ec6";
  return "#9f9f9f";
}

std::string_view StateClass(std::string_view state) {
  for (std::string_view known : {"up", "degraded", "down", "maintenance"}) {
    if (state == known) return known;
  }
  return "unknown";
}

constexpr std::string_view kPageHead = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="30">
<title>mcpwatch status</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse}th,td{padding:.35rem .8rem;border-bottom:1px solid #ddd;text-align:left}
.up{color:#2a7a12}.degraded{color:#9a7a00}.down{color:#c0392b}.maintenance{color:#007ec6}
.unknown{color:#777}
</style></head><body>
<h1>mcpwatch status</h1>
)";

}  // namespace

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string RenderStatusPage(const std::vector<storage::TargetStatus>& targets,
                             std::chrono::system_clock::time_point now) {
  std::string html(kPageHead);
  html += "<p>" + EscapeHtml(std::to_string(targets.size())) + " targets · generated " +
          EscapeHtml(FormatTimestamp(now)) + "</p>\n";
  html +=
      "<table>\n<thead><tr><th>target</th><th>state</th><th>last class</th><th>last run</th>"
      "<th>uptime 24 h</th><th>p95 24 h</th></tr></thead>\n<tbody>\n";
  for (const storage::TargetStatus& t : targets) {
    const std::string last_class = t.last_class ? std::string(ToString(*t.last_class)) : "–";
    const std::string last_run = t.last_run_at ? FormatTimestamp(*t.last_run_at) : "never";
    html += "<tr><td>" + EscapeHtml(t.target) + "</td><td class=\"" +
            std::string(StateClass(t.state)) + "\">" + EscapeHtml(t.state) + "</td><td>" +
            EscapeHtml(last_class) + "</td><td>" + EscapeHtml(last_run) + "</td><td>" +
            EscapeHtml(FormatUptime(t.uptime_24h)) + "</td><td>" +
            EscapeHtml(FormatP95(t.p95_24h)) + "</td></tr>\n";
  }
  html += "</tbody>\n</table>\n</body></html>\n";
  return html;
}

std::string RenderBadge(const std::optional<storage::TargetStatus>& target) {
  std::string value = "not found";
  std::string_view colour = StateColour("unknown");
  if (target) {
    value = std::string(StateClass(target->state));
    if (target->uptime_24h) value += " " + FormatUptime(target->uptime_24h);
    colour = StateColour(target->state);
  }
  // Verdana 11 px averages about 6.5 px a character; the text is ours (state and digits).
  const int label_width = 36;
  const int value_width = 12 + static_cast<int>(value.size()) * 7;
  const int width = label_width + value_width;
  char svg[1024];
  std::snprintf(svg, sizeof svg,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"20\" "
                "role=\"img\" aria-label=\"mcp: %s\"><title>mcp: %s</title>"
                "<rect width=\"%d\" height=\"20\" fill=\"#555\"/>"
                "<rect x=\"%d\" width=\"%d\" height=\"20\" fill=\"%s\"/>"
                "<g fill=\"#fff\" font-family=\"Verdana,DejaVu Sans,sans-serif\" "
                "font-size=\"11\"><text x=\"6\" y=\"14\">mcp</text>"
                "<text x=\"%d\" y=\"14\">%s</text></g></svg>\n",
                width, EscapeHtml(value).c_str(), EscapeHtml(value).c_str(), label_width,
                label_width, value_width, std::string(colour).c_str(), label_width + 6,
                EscapeHtml(value).c_str());
  return svg;
}

}  // namespace mcpwatch
