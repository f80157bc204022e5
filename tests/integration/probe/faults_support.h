// Shared by the faults_*_test.cc and hostile_test.cc suites: run `mcpwatch probe URL --json`
// as a real process against a loopback server and check the verdict it prints.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/support.h"

namespace mcpwatch::test {

// `mcpwatch probe` flags that call the fixture's echo tool.
inline const std::vector<std::string> kEchoFlags = {"--tool", "echo", "--args",
                                                    R"({"message":"hi"})"};

// `a` followed by `b`: flags for RunProbe.
inline std::vector<std::string> With(std::vector<std::string> a,
                                     const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

struct ProbeOutcome {
  ProcessResult process;
  nlohmann::json j;  // the --json object; null when stdout was not JSON
  std::chrono::milliseconds elapsed{0};

  std::string Class() const { return j.is_object() ? j.value("class", "") : ""; }
  std::string Error() const { return j.is_object() ? j.value("error", "") : ""; }
  std::string Diagnosis() const { return j.is_object() ? j.value("diagnosis", "") : ""; }
  // The step object named `name` ("initialize", "tool_call", ...), or null.
  nlohmann::json Step(const std::string& name) const {
    if (!j.is_object()) return nullptr;
    for (const auto& s : j["steps"]) {
      if (s["name"] == name) return s;
    }
    return nullptr;
  }
};

// `mcpwatch probe url --json args...`, killed after `limit`.
inline ProbeOutcome RunProbe(const std::string& url, const std::vector<std::string>& args = {},
                             std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  std::vector<std::string> argv = {McpwatchBinary(), "probe", url, "--json"};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto start = std::chrono::steady_clock::now();
  ProbeOutcome o;
  o.process = RunProcess(argv, limit);
  o.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  o.j = nlohmann::json::parse(o.process.out, nullptr, false);
  if (o.j.is_discarded()) o.j = nullptr;
  return o;
}

// The verdict contract of one run: class, exit code (DESIGN §4), and every `parts` substring
// in the error (the step and the cause).
inline void ExpectVerdict(const ProbeOutcome& o, const std::string& cls, int exit_code,
                          const std::vector<std::string>& parts) {
  INFO("stdout: " << o.process.out << "\nstderr: " << o.process.err);
  REQUIRE(o.j.is_object());
  CHECK(o.Class() == cls);
  CHECK(o.process.exit_code == exit_code);
  CHECK(o.j["ok"] == (cls == "ok"));
  for (const auto& part : parts) CHECK_THAT(o.Error(), Catch::Contains(part));
}

}  // namespace mcpwatch::test
