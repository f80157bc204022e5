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

// The tail every query command shares: read the rows, already the API's JSON array, from the
// config's history with `read`, then print them as JSON (--json) or with `print_table`.
// Returns the exit code: 1 when the history cannot be read.
template <typename Read, typename PrintTable>
int ReadAndPrint(const Config& config, const Common& c, const char* command, Read read,
                 PrintTable print_table) {
  auto reader = OpenHistory(config, command);
  if (!reader) return 1;
  auto rows = read(*reader);
  if (!rows) {
    std::cerr << "mcpwatch " << command << ": " << rows.error() << "\n";
    return 1;
  }
  if (c.json) {
    std::cout << rows->dump(2) << "\n";
  } else {
    print_table(*rows);
  }
  return 0;
}

// The start of the --since window, or nullopt after reporting a bad duration.
std::optional<Clock::time_point> SinceFlag(const std::string& since, const char* command) {
  auto back = ParseDuration(since);
  if (!back) {
    std::cerr << "mcpwatch " << command << ": --since: " << back.error() << "\n";
    return std::nullopt;
  }
  return Clock::now() - *back;
}

void PrintStatusTable(const json& rows) {
  std::cout << Pad("TARGET", 20) << Pad("STATE", 13) << Pad("LAST CLASS", 27) << Pad("LAST RUN", 26)
            << Pad("UPTIME 24H", 12) << "P95 24H\n";
  for (const auto& r : rows) {
    std::cout << Pad(r["target"], 20) << Pad(r["state"], 13)
              << Pad(r["last_class"].is_null() ? "-" : r["last_class"].get<std::string>(), 27)
              << Pad(r["last_run_at"].is_null() ? "never" : r["last_run_at"].get<std::string>(), 26)
              << Pad(r["uptime_24h"].is_null()
                         ? "-"
                         : Fixed(r["uptime_24h"].get<double>() * 100, "%.2f%%"),
                     12)
              << (r["p95_ms"].is_null() ? "-" : Fixed(r["p95_ms"].get<double>(), "%.1f ms"))
              << "\n";
    // The cause in one line under its row (issue 11).
    if (r["diagnosis"].is_string())
      std::cout << "  ↳ " << r["diagnosis"].get<std::string>() << "\n";
  }
}

int RunStatus(const Common& c) {
  auto config = LoadConfigOrReport(c.config, "status");
  if (!config) return 2;
  std::vector<std::string> names;
  for (const auto& t : config->targets) names.push_back(t.name);
  return ReadAndPrint(
      *config, c, "status",
      [&](storage::HistoryReader& history) {
        return history.Status(Clock::now()).map([&](std::vector<storage::TargetStatus> rows) {
          return StatusesJson(ConfiguredStatuses(std::move(rows), names));
        });
      },
      PrintStatusTable);
}

struct HistoryFlags : Common {
  std::string target;
  std::string since = "1h";
  int limit = 1000;
};

void PrintRunsTable(const json& runs, const HistoryFlags& f) {
  for (const auto& r : runs) {
    std::cout << r["started_at"].get<std::string>() << "  " << Pad(r["class"], 27)
              << Pad(Fixed(r["total_ms"].get<double>(), "%.1f ms"), 12)
              << r["error"].get<std::string>() << "\n";
  }
  if (runs.empty()) std::cout << "no runs of " << f.target << " in the last " << f.since << "\n";
}

int RunHistory(const HistoryFlags& f) {
  auto config = LoadConfigOrReport(f.config, "history");
  if (!config) return 2;
  auto since = SinceFlag(f.since, "history");
  if (!since) return 2;
  bool known = false;
  for (const auto& t : config->targets) known = known || t.name == f.target;
  if (!known) {
    std::cerr << "mcpwatch history: no target named \"" << f.target << "\" in " << f.config << "\n";
    return 2;
  }
  return ReadAndPrint(
      *config, f, "history",
      [&](storage::HistoryReader& history) {
        return history.History(f.target, *since, f.limit).map(RunsJson);
      },
      [&](const json& runs) { PrintRunsTable(runs, f); });
}

struct EventsFlags : Common {
  std::string target;
  std::string since = "30d";
  int limit = 1000;
};

// The event's summary, else its reason, else its whole details, as JSON text.
std::string EventSummary(const json& details) {
  if (!details.is_object()) return "";
  if (details.contains("summary")) return details["summary"].dump();
  if (details.contains("reason")) return details["reason"].dump();
  return details.dump();
}

void PrintEventsTable(const json& events, const EventsFlags& f) {
  for (const auto& e : events) {
    std::cout << e["at"].get<std::string>() << "  "
              << Pad(e["target"].is_null() ? "-" : e["target"].get<std::string>(), 20)
              << Pad(e["kind"], 18) << EventSummary(e["details"]).substr(0, 160) << "\n";
  }
  if (events.empty()) std::cout << "no events in the last " << f.since << "\n";
}

int RunEvents(const EventsFlags& f) {
  auto config = LoadConfigOrReport(f.config, "events");
  if (!config) return 2;
  auto since = SinceFlag(f.since, "events");
  if (!since) return 2;
  return ReadAndPrint(
      *config, f, "events",
      [&](storage::HistoryReader& history) {
        return history.Events(f.target, *since, f.limit).map(EventsJson);
      },
      [&](const json& events) { PrintEventsTable(events, f); });
}

}  // namespace

std::function<int()> AddStatusCommand(CLI::App& app) {
  auto c = std::make_shared<Common>();
  CLI::App* cmd =
      app.add_subcommand("status", "One row per target: state, last class, uptime, p95");
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
