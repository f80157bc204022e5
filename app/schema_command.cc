#include "app/schema_command.h"

#include <filesystem>
#include <iostream>

#include "app/serve_command.h"
#include "checks/probe_json.h"
#include "storage/database.h"
#include "storage/reader.h"
#include "storage/records.h"

namespace mcpwatch {
namespace {

using nlohmann::json;

struct SchemaFlags {
  std::vector<std::string> words;  // TARGET | accept TARGET
  std::string config = "mcpwatch.yaml";
  bool json = false;
};

json SnapshotJson(const std::optional<storage::SnapshotRecord>& s) {
  if (!s) return nullptr;
  json tools = json::parse(s->tools, nullptr, false);
  json names = json::array();
  if (tools.is_array()) {
    for (const auto& t : tools) names.push_back(t.value("name", ""));
  }
  return {{"hash", s->hash},          {"server_version", s->server_version},
          {"first_seen", FormatTimestamp(s->first_seen)}, {"accepted", s->accepted},
          {"tools", names}};
}

int Show(const Config& config, const std::string& target, bool as_json) {
  if (!std::filesystem::exists(config.database)) {
    std::cerr << "mcpwatch schema: no history at " << config.database << "\n";
    return 1;
  }
  auto reader = storage::HistoryReader::Open(config.database);
  if (!reader) {
    std::cerr << "mcpwatch schema: " << reader.error() << "\n";
    return 1;
  }
  auto latest = reader->LatestSnapshot(target);
  auto accepted = reader->AcceptedSnapshot(target);
  auto events = reader->Events(target, std::chrono::system_clock::time_point{}, 50);
  if (!latest || !accepted || !events) {
    std::cerr << "mcpwatch schema: cannot read the history of " << target << "\n";
    return 1;
  }
  json drift = nullptr;
  for (const auto& e : *events) {
    if (e.kind != "schema_drift") continue;
    drift = {{"at", FormatTimestamp(e.at)}, {"details", json::parse(e.details, nullptr, false)}};
    break;
  }
  json out = {{"target", target}, {"current", SnapshotJson(*latest)},
              {"accepted", SnapshotJson(*accepted)}, {"last_drift", drift}};
  if (as_json) {
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  if (out["current"].is_null()) {
    std::cout << target << ": no tool list recorded yet\n";
    return 0;
  }
  const json& cur = out["current"];
  std::cout << target << ": " << cur["tools"].size() << " tools, sha256 "
            << cur["hash"].get<std::string>().substr(0, 16) << ", server "
            << cur["server_version"].get<std::string>() << ", seen since "
            << cur["first_seen"].get<std::string>()
            << (cur["accepted"].get<bool>() ? " (accepted)" : " (not accepted)") << "\n";
  for (const auto& n : cur["tools"]) std::cout << "  " << n.get<std::string>() << "\n";
  if (!drift.is_null()) {
    std::cout << "last drift at " << drift["at"].get<std::string>() << ": "
              << drift["details"].value("summary", drift["details"].dump()) << "\n";
  }
  return 0;
}

int Accept(const Config& config, const std::string& target) {
  auto reader = storage::HistoryReader::Open(config.database);
  if (!reader) {
    std::cerr << "mcpwatch schema accept: " << reader.error() << "\n";
    return 1;
  }
  auto latest = reader->LatestSnapshot(target);
  if (!latest || !*latest) {
    std::cerr << "mcpwatch schema accept: no tool list recorded for " << target << "\n";
    return 1;
  }
  // A second writer next to a running daemon is safe in WAL mode: busy_timeout waits its turn.
  // The reader above checked the schema version; a plain connection is enough, and it leaves
  // the daemon's start-up integrity check and clean-shutdown marker alone (OpenForWriting would
  // run quick_check over the whole file while a daemon holds it, and mark it as open).
  auto db = storage::Database::Open(config.database, storage::OpenMode::kReadWrite);
  if (!db) {
    std::cerr << "mcpwatch schema accept: " << db.error() << "\n";
    return 1;
  }
  auto ok = storage::AcceptSnapshot(*db, target, (*latest)->hash);
  if (!ok || !*ok) {
    std::cerr << "mcpwatch schema accept: " << (ok ? "snapshot vanished" : ok.error()) << "\n";
    return 1;
  }
  std::cout << target << ": accepted schema " << (*latest)->hash.substr(0, 16) << " as baseline\n";
  return 0;
}

int RunSchema(const SchemaFlags& f) {
  bool accept = f.words.size() == 2 && f.words[0] == "accept";
  if (!(f.words.size() == 1 || accept)) {
    std::cerr << "mcpwatch schema: usage: mcpwatch schema [accept] TARGET --config FILE\n";
    return 2;
  }
  const std::string& target = f.words.back();
  auto config = LoadConfigOrReport(f.config, "schema");
  if (!config) return 2;
  bool known = false;
  for (const auto& t : config->targets) known = known || t.name == target;
  if (!known) {
    std::cerr << "mcpwatch schema: no target named \"" << target << "\" in " << f.config << "\n";
    return 2;
  }
  return accept ? Accept(*config, target) : Show(*config, target, f.json);
}

}  // namespace

std::function<int()> AddSchemaCommand(CLI::App& app) {
  auto f = std::make_shared<SchemaFlags>();
  CLI::App* cmd = app.add_subcommand(
      "schema", "Show a target's tool-list snapshot and last drift; `schema accept TARGET` "
                "makes the current schema the baseline");
  cmd->add_option("words", f->words, "[accept] TARGET")->required()->expected(1, 2);
  cmd->add_option("--config", f->config, "Config file")->capture_default_str();
  cmd->add_flag("--json", f->json, "Print JSON");
  return [f] { return RunSchema(*f); };
}

}  // namespace mcpwatch
