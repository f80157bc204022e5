// mcpwatch: external uptime prober and persistence-failure detector for MCP servers.
#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>
#include <map>

#include "app/alerts_command.h"
#include "app/backup_command.h"
#include "app/login_command.h"
#include "app/probe_command.h"
#include "app/query_commands.h"
#include "app/schema_command.h"
#include "app/serve_command.h"
#include "base/version.h"

int main(int argc, char** argv) {
  CLI::App app{"mcpwatch: external uptime prober and persistence-failure detector for MCP servers"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "mcpwatch " + std::string(mcpwatch::kVersion));
  std::map<std::string, std::function<int()>> commands;
  commands["probe"] = mcpwatch::AddProbeCommand(app);
  commands["serve"] = mcpwatch::AddServeCommand(app);
  commands["check-config"] = mcpwatch::AddCheckConfigCommand(app);
  commands["status"] = mcpwatch::AddStatusCommand(app);
  commands["history"] = mcpwatch::AddHistoryCommand(app);
  commands["events"] = mcpwatch::AddEventsCommand(app);
  commands["schema"] = mcpwatch::AddSchemaCommand(app);
  commands["alerts"] = mcpwatch::AddAlertsCommand(app);
  commands["backup"] = mcpwatch::AddBackupCommand(app);
  commands["auth"] = mcpwatch::AddAuthCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;  // usage error (DESIGN §4)
  }
  for (CLI::App* sub : app.get_subcommands()) {
    auto it = commands.find(sub->get_name());
    if (it != commands.end()) return it->second();
  }
  return 2;
}
