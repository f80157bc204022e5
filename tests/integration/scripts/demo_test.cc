// scripts/demo starts three MCP fixtures and the daemon; however it ends (--duration elapsing,
// SIGINT, SIGTERM) it must leave none of them running. Every process a demo run starts inherits
// a marker in its environment, so the test finds them through /proc/<pid>/environ whatever
// their parent, process group or session, and SIGKILLs any left over so that a failing run
// leaves nothing behind either.
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <regex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "tests/support/support.h"

using namespace mcpwatch::test;
using namespace std::chrono_literals;

namespace {

constexpr char kEndLine[] = "demo: stopped everything it started";

// Live processes whose environment holds `entry` ("KEY=VALUE"). Processes of other users, and
// zombies (whose environment reads empty), are never matched.
std::vector<pid_t> ProcessesWithEnv(const std::string& entry) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& proc : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = proc.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(proc.path() / "environ", std::ios::binary);
    const std::string env((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t start = 0;
    for (auto end = env.find('\0'); end != std::string::npos; end = env.find('\0', start)) {
      if (env.compare(start, end - start, entry) == 0) {
        out.push_back(static_cast<pid_t>(std::stol(name)));
        break;
      }
      start = end + 1;
    }
  }
  return out;
}

// One run of scripts/demo against this build's binaries. The destructor stops the demo and its
// process group, SIGKILLs every process still carrying the run's marker and removes the demo's
// work directory, so a failed assertion leaves nothing running or on disk.
class DemoRun {
 public:
  explicit DemoRun(const std::vector<std::string>& args)
      : marker_("MCPWATCH_DEMO_TEST_RUN=" + std::to_string(getpid()) + "-" +
                std::to_string(std::chrono::steady_clock::now().time_since_epoch().count())) {
    std::vector<std::string> argv = {SourcePath("scripts/demo")};
    argv.insert(argv.end(), args.begin(), args.end());
    demo_.emplace(Subprocess::Start(argv, {"MCPWATCH_BUILD_DIR=" MCPWATCH_BINARY_DIR, marker_}));
  }

  ~DemoRun() {
    // A demo still running gets a chance to print its ending line, which names its work dir.
    if (demo_->Running()) {
      demo_->Signal(SIGTERM);
      demo_->Wait(4s);
    }
    const std::string out = demo_->Stdout();
    demo_.reset();  // SIGTERM, then SIGKILL, to the demo's process group
    for (auto deadline = std::chrono::steady_clock::now() + 3s;
         std::chrono::steady_clock::now() < deadline;) {
      const auto left = Processes();
      if (left.empty()) break;
      for (pid_t pid : left) kill(pid, SIGKILL);
      std::this_thread::sleep_for(50ms);
    }
    std::smatch work;
    if (std::regex_search(out, work, std::regex(R"((/tmp/mcpwatch-demo\.[A-Za-z0-9]+)/)"))) {
      std::error_code ec;
      std::filesystem::remove_all(work[1].str(), ec);
    }
  }

  DemoRun(const DemoRun&) = delete;
  DemoRun& operator=(const DemoRun&) = delete;

  Subprocess& demo() { return *demo_; }
  // The live processes of this run: the script itself and everything it started.
  std::vector<pid_t> Processes() const { return ProcessesWithEnv(marker_); }

 private:
  std::string marker_;
  std::optional<Subprocess> demo_;
};

// The script, three fixtures and the daemon.
constexpr std::size_t kDemoProcesses = 5;

void RequireBuilt() {
  // Without these the demo would configure and build on its own.
  REQUIRE(access(McpwatchBinary().c_str(), X_OK) == 0);
  REQUIRE(access(FixtureBinary().c_str(), X_OK) == 0);
}

}  // namespace

TEST_CASE("demo --duration stops every process it started", "[demo]") {
  RequireBuilt();
  DemoRun run({"--duration", "3"});
  REQUIRE(run.demo().WaitForLine("^demo: daemon ready", 15s));
  CHECK(run.Processes().size() >= kDemoProcesses);

  const auto code = run.demo().Wait(12s);
  INFO(run.demo().Stdout() << run.demo().Stderr());
  REQUIRE(code == 0);
  CHECK(run.demo().Stdout().find(kEndLine) != std::string::npos);
  CHECK(run.Processes().empty());
}

TEST_CASE("demo stopped by a signal mid-run stops every process it started", "[demo]") {
  RequireBuilt();
  const int sig = GENERATE(SIGINT, SIGTERM);
  DemoRun run({});
  REQUIRE(run.demo().WaitForLine("^demo: daemon ready", 15s));
  REQUIRE(run.Processes().size() >= kDemoProcesses);

  run.demo().Signal(sig);  // to the script alone, as `kill` would; Ctrl-C reaches the group
  const auto code = run.demo().Wait(12s);
  INFO("signal " << sig << "\n" << run.demo().Stdout() << run.demo().Stderr());
  REQUIRE(code == 128 + sig);
  CHECK(run.demo().Stdout().find(kEndLine) != std::string::npos);
  CHECK(run.Processes().empty());
}
