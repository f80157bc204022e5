#include "app/serve_command.h"

#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "app/daemon.h"
#include "config/config.h"

namespace mcpwatch {

std::optional<Config> LoadConfigOrReport(const std::string& path, const char* command) {
  auto config = LoadConfig(path);
  if (config) return std::move(*config);
  std::cerr << "mcpwatch " << command << ": " << config.error().size() << " error"
            << (config.error().size() == 1 ? "" : "s") << " in " << path << ":\n";
  for (const auto& e : config.error()) std::cerr << "  " << ToString(e) << "\n";
  return std::nullopt;
}

namespace {

int RunServe(const std::string& path) {
  // Signals are taken by this thread alone (sigwait); every thread started later inherits the
  // mask, so none is interrupted mid-write.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto config = LoadConfigOrReport(path, "serve");
  if (!config) return 2;
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  const Config started = *config;  // what a reload may not change (RestartOnlyChange)
  auto daemon = Daemon::Start(std::move(*config));
  if (!daemon) {
    std::cerr << "mcpwatch serve: " << daemon.error() << "\n";
    return 1;
  }
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig != SIGHUP) {
      spdlog::info("signal {} received", sig == SIGTERM ? "SIGTERM" : "SIGINT");
      break;
    }
    auto next = LoadConfig(path);
    if (!next) {
      for (const auto& e : next.error()) spdlog::error("reload rejected: {}", ToString(e));
      (*daemon)->ReloadFailed();
      continue;
    }
    if (const std::string why = RestartOnlyChange(started, *next); !why.empty()) {
      spdlog::error("reload rejected: {}", why);
      (*daemon)->ReloadFailed();
      continue;
    }
    (*daemon)->Reload(std::move(*next));
  }
  return (*daemon)->Shutdown();
}

}  // namespace

std::function<int()> AddServeCommand(CLI::App& app) {
  auto path = std::make_shared<std::string>("mcpwatch.yaml");
  CLI::App* cmd =
      app.add_subcommand("serve", "Run the monitor: scheduled probes, history, metrics");
  cmd->add_option("--config", *path, "Config file")->capture_default_str();
  return [path] { return RunServe(*path); };
}

std::function<int()> AddCheckConfigCommand(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("check-config", "Validate a config file; exit 2 on errors");
  cmd->add_option("file", *path, "Config file")->required();
  return [path] {
    auto config = LoadConfigOrReport(*path, "check-config");
    if (!config) return 2;
    const std::size_t n = config->targets_in_file;
    std::cout << *path << ": ok (" << n << " target" << (n == 1 ? "" : "s");
    if (config->shard.enabled()) {
      std::cout << "; shard " << config->shard.ToString() << " probes " << config->targets.size();
    }
    std::cout << ")\n";
    return 0;
  };
}

}  // namespace mcpwatch
