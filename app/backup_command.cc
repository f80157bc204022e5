#include "app/backup_command.h"

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/serve_command.h"
#include "storage/backup.h"

namespace mcpwatch {
namespace {

struct BackupFlags {
  std::string dest;
  std::string config = "mcpwatch.yaml";
  bool force = false;
  bool json = false;
};

int RunBackup(const BackupFlags& f) {
  auto config = LoadConfigOrReport(f.config, "backup");
  if (!config) return 2;
  auto done = storage::BackupHistory(config->database, f.dest, {.replace = f.force});
  if (!done) {
    std::cerr << "mcpwatch backup: " << done.error() << "\n";
    return 1;
  }
  if (f.json) {
    std::cout << nlohmann::json{{"source", config->database},
                                {"dest", f.dest},
                                {"bytes", done->bytes},
                                {"runs", done->runs},
                                {"schema_version", done->schema_version},
                                {"integrity_check", "ok"},
                                {"took_ms", done->took.count()}}
                     .dump()
              << "\n";
  } else {
    std::cout << "mcpwatch backup: " << config->database << " -> " << f.dest << ": " << done->bytes
              << " bytes, " << done->runs << " runs, schema " << done->schema_version
              << ", integrity_check ok, " << done->took.count() << " ms\n";
  }
  return 0;
}

}  // namespace

std::function<int()> AddBackupCommand(CLI::App& app) {
  auto f = std::make_shared<BackupFlags>();
  CLI::App* cmd = app.add_subcommand(
      "backup", "Copy the history to DEST while the daemon runs: consistent, verified, atomic");
  cmd->add_option("dest", f->dest, "Backup file to write")->required();
  cmd->add_option("--config", f->config, "Config file (names the database)")->capture_default_str();
  cmd->add_flag("--force", f->force, "Replace DEST if it exists");
  cmd->add_flag("--json", f->json, "Print JSON");
  return [f] { return RunBackup(*f); };
}

}  // namespace mcpwatch
