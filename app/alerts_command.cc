#include "app/alerts_command.h"

#include <filesystem>
#include <iostream>

#include "alerts/alerts_view.h"
#include "app/serve_command.h"

namespace mcpwatch {

std::function<int()> AddAlertsCommand(CLI::App& app) {
  struct Flags {
    std::string config = "mcpwatch.yaml";
    bool json = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("alerts", "Firing and pending alerts, undelivered notices");
  cmd->add_option("--config", f->config, "Config file")->capture_default_str();
  cmd->add_flag("--json", f->json, "Print JSON");
  return [f] {
    auto config = LoadConfigOrReport(f->config, "alerts");
    if (!config) return 2;
    if (!std::filesystem::exists(config->database)) {
      std::cerr << "mcpwatch alerts: no history at " << config->database
                << " (has `mcpwatch serve` run with this config?)\n";
      return 1;
    }
    auto view = alerts::ReadAlertsView(*config);
    if (!view) {
      std::cerr << "mcpwatch alerts: " << view.error() << "\n";
      return 1;
    }
    if (f->json) {
      std::cout << alerts::ToJson(*view).dump(2) << "\n";
    } else {
      std::cout << alerts::FormatText(*view);
    }
    return 0;
  };
}

}  // namespace mcpwatch
