#include "app/query_commands.h"

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "app/serve_command.h"
#include "base/duration.h"
#include "checks/probe_json.h"
#include "server/api_json.h"
#include "storage/reader.h"

namespace mcpwatch {
namespace {

using nlohmann::json;
using Clock = std::chrono::system_clock;

struct Common {
  std::string config = "mcpwatch.yaml";
  bool json = false;
};

void AddCommon(CLI::App* cmd, Common& c) {
  cmd->add_option("--config", c.config, "Config file (names the database)")->capture_default_str();
  cmd->add_flag("--json", c.json, "Print JSON");
}

std::optional<storage::HistoryReader> OpenHistory(const Config& config, const char* command) {
  if (!std::filesystem::exists(config.database)) {
    std::cerr << "mcpwatch " << command << ": no history at " << config.database
              << " (has `mcpwatch serve` run with this config?)\n";
    return std::nullopt;
  }
  auto reader = storage::HistoryReader::Open(config.database);
  if (!reader) {
    std::cerr << "mcpwatch " << command << ": " << reader.error() << "\n";
    return std::nullopt;
  }
  return std::move(*reader);
}

std::string Fixed(double v, const char* fmt) {
  char buf[32];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string Pad(std::string s, std::size_t w) {
  if (s.size() < w) s.append(w - s.size(), ' ');
  return s;
}

int RunStatus(const Common& c) {
  auto config = LoadConfigOrReport(c.config, "status");
  if (!config) return 2;
  auto reader = OpenHistory(*config, "status");
  if (!reader) return 1;
  auto rows = reader->Status(Clock::now());
  if (!rows) {
    std::cerr << "mcpwatch status: " << rows.error() << "\n";
    return 1;
  }
  std::vector<std::string> names;
  for (const auto& t : config->targets) names.push_back(t.name);
  json out = json::array();
  for (const auto& s : ConfiguredStatuses(std::move(*rows), names)) out.push_back(StatusJson(s));
  if (c.json) {
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << Pad("TARGET", 20) << Pad("STATE", 13) << Pad("LAST CLASS", 20)
            << Pad("LAST RUN", 26) << Pad("UPTIME 24H", 12) << "P95 24H\n";
  for (const auto& r : out) {
    std::cout << Pad(r["target"], 20) << Pad(r["state"], 13)
              << Pad(r["last_class"].is_null() ? "-" : r["last_class"].get<std::string>(), 20)
              << Pad(r["last_run_at"].is_null() ? "never" : r["last_run_at"].get<std::string>(), 26)
              << Pad(r["uptime_24h"].is_null() ? "-" : Fixed(r["uptime_24h"].get<double>() * 100, "%.2f%%"), 12)
              << (r["p95_ms"].is_null() ? "-" : Fixed(r["p95_ms"].get<double>(), "%.1f ms")) << "\n";
  }
  return 0;
}

struct HistoryFlags : Common {
  std::string target;
  std::string since = "1h";
  int limit = 1000;
};

int RunHistory(const HistoryFlags& f) {
  auto config = LoadConfigOrReport(f.config, "history");
  if (!config) return 2;
  auto since = ParseDuration(f.since);
  if (!since) {
    std::cerr << "mcpwatch history: --since: " << since.error() << "\n";
    return 2;
  }
  bool known = false;
  for (const auto& t : config->targets) known = known || t.name == f.target;
  if (!known) {
    std::cerr << "mcpwatch history: no target named \"" << f.target << "\" in " << f.config << "\n";
    return 2;
  }
  auto reader = OpenHistory(*config, "history");
  if (!reader) return 1;
  auto runs = reader->History(f.target, Clock::now() - *since, f.limit);
  if (!runs) {
    std::cerr << "mcpwatch history: " << runs.error() << "\n";
    return 1;
  }
  json out = json::array();
  for (const auto& r : *runs) out.push_back(RunJson(r));
  if (f.json) {
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  for (const auto& r : out) {
    std::cout << r["started_at"].get<std::string>() << "  " << Pad(r["class"], 20)
              << Pad(Fixed(r["total_ms"].get<double>(), "%.1f ms"), 12)
              << r["error"].get<std::string>() << "\n";
  }
  if (out.empty()) std::cout << "no runs of " << f.target << " in the last " << f.since << "\n";
  return 0;
}

struct EventsFlags : Common {
  std::string target;
  std::string since = "30d";
  int limit = 1000;
};

int RunEvents(const EventsFlags& f) {
  auto config = LoadConfigOrReport(f.config, "events");
  if (!config) return 2;
  auto since = ParseDuration(f.since);
  if (!since) {
    std::cerr << "mcpwatch events: --since: " << since.error() << "\n";
    return 2;
  }
  auto reader = OpenHistory(*config, "events");
  if (!reader) return 1;
  auto events = reader->Events(f.target, Clock::now() - *since, f.limit);
  if (!events) {
    std::cerr << "mcpwatch events: " << events.error() << "\n";
    return 1;
  }
  json out = json::array();
  for (const auto& e : *events) out.push_back(EventJson(e));
  if (f.json) {
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  for (const auto& e : out) {
    std::string summary;
    const json& d = e["details"];
    if (d.is_object()) {
      if (d.contains("summary")) summary = d["summary"].dump();
      else if (d.contains("reason")) summary = d["reason"].dump();
      else summary = d.dump();
    }
    std::cout << e["at"].get<std::string>() << "  "
              << Pad(e["target"].is_null() ? "-" : e["target"].get<std::string>(), 20)
              << Pad(e["kind"], 18) << summary.substr(0, 160) << "\n";
  }
  if (out.empty()) std::cout << "no events in the last " << f.since << "\n";
  return 0;
}

}  // namespace

std::function<int()> AddStatusCommand(CLI::App& app) {
  auto c = std::make_shared<Common>();
  CLI::App* cmd = app.add_subcommand("status", "One row per target: state, last class, uptime, p95");
  AddCommon(cmd, *c);
  return [c] { return RunStatus(*c); };
}

std::function<int()> AddHistoryCommand(CLI::App& app) {
  auto f = std::make_shared<HistoryFlags>();
  CLI::App* cmd = app.add_subcommand("history", "Runs of one target, newest first");
  cmd->add_option("target", f->target, "Target name")->required();
  cmd->add_option("--since", f->since, "How far back")->capture_default_str();
  cmd->add_option("--limit", f->limit, "At most this many runs")->check(CLI::Range(1, 10000));
  AddCommon(cmd, *f);
  return [f] { return RunHistory(*f); };
}

std::function<int()> AddEventsCommand(CLI::App& app) {
  auto f = std::make_shared<EventsFlags>();
  CLI::App* cmd = app.add_subcommand("events", "State changes, drift, deploys, ... newest first");
  cmd->add_option("--target", f->target, "Only this target");
  cmd->add_option("--since", f->since, "How far back")->capture_default_str();
  cmd->add_option("--limit", f->limit, "At most this many events")->check(CLI::Range(1, 10000));
  AddCommon(cmd, *f);
  return [f] { return RunEvents(*f); };
}

}  // namespace mcpwatch
