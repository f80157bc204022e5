// Hostile servers: endless streams, a 1 GiB body, 100,000 events, JSON nested 100,000 deep,
// invalid UTF-8, an 8 MiB SSE line. Each probe must end by its deadline with a sensible class,
// and the mcpwatch process's peak RSS must stay under kMaxRssKb (documented in
// docs/failure-classes.md): the prober's byte, event and depth bounds hold on the wire.
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "tests/integration/probe/faults_support.h"

using namespace mcpwatch::test;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

// Peak resident set of one `mcpwatch probe` (kB). Measured: 15-22 MB on x86-64 Debian 12; the
// bound leaves room for allocator slack but fails if a response were buffered whole.
constexpr long kMaxRssKb = 64 * 1024;
constexpr auto kDeadline = "5s";
constexpr seconds kMustEndWithin{8};

struct Measured {
  ProbeOutcome probe;
  long peak_rss_kb = -1;
};

long VmHwmKb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// Runs `mcpwatch probe url --json --timeout 5s` and measures its peak RSS: with GNU time
// (exact, from wait4) when installed, else by polling /proc/<pid>/status VmHWM until it exits.
Measured ProbeMeasured(const std::string& url) {
  Measured m;
  const std::vector<std::string> args = {McpwatchBinary(), "probe",     url,
                                         "--json",         "--timeout", kDeadline};
  const auto start = std::chrono::steady_clock::now();
  if (access("/usr/bin/time", X_OK) == 0) {
    std::vector<std::string> argv = {"/usr/bin/time", "-f", "peak_rss_kb=%M"};
    argv.insert(argv.end(), args.begin(), args.end());
    m.probe.process = RunProcess(argv, seconds(30));
    auto at = m.probe.process.err.rfind("peak_rss_kb=");
    if (at != std::string::npos) m.peak_rss_kb = std::stol(m.probe.process.err.substr(at + 12));
  } else {
    Subprocess p = Subprocess::Start(args);
    while (p.Running()) {
      m.peak_rss_kb = std::max(m.peak_rss_kb, VmHwmKb(p.pid()));
      std::this_thread::sleep_for(milliseconds(10));
    }
    m.probe.process.exit_code = p.Wait(seconds(30)).value_or(-1);
    m.probe.process.out = p.Stdout();
    m.probe.process.err = p.Stderr();
  }
  m.probe.elapsed =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
  m.probe.j = nlohmann::json::parse(m.probe.process.out, nullptr, false);
  if (m.probe.j.is_discarded()) m.probe.j = nullptr;
  return m;
}

struct HostileCase {
  std::vector<std::string> fixture_flags;
  std::string cls;
  int exit_code;
  std::vector<std::string> error_parts;
};

}  // namespace

TEST_CASE("hostile servers end by the deadline with a class and bounded memory",
          "[faults][hostile]") {
  const std::vector<HostileCase> cases = {
      // Keep-alives and notifications every 5 ms, never the response: the deadline ends it.
      {{"--fault", "stream-forever"},
       "timeout",
       4,
       {"initialize", "no complete answer before the deadline"}},
      // A 1 GiB JSON body: cut at the 4 MiB body bound.
      {{"--fault", "huge-body"}, "protocol_error", 6, {"initialize", "exceeded 4194304 bytes"}},
      // 100,000 notifications before the response: cut at 10,000 events.
      {{"--fault", "many-events"},
       "protocol_error",
       6,
       {"initialize", "more than 10000 SSE events"}},
      // [[[[...]]]] 100,000 deep: refused at depth 128 without recursion.
      {{"--fault", "deep-json"}, "protocol_error", 6, {"initialize", "deeper than 128 levels"}},
      {{"--fault", "deep-json", "--response", "json"},
       "protocol_error",
       6,
       {"initialize", "deeper than 128 levels"}},
      // Invalid UTF-8 inside JSON strings is malformed JSON, and the report stays valid JSON.
      {{"--fault", "invalid-utf8"}, "protocol_error", 6, {"initialize", "UTF-8"}},
      {{"--fault", "invalid-utf8", "--response", "json"},
       "protocol_error",
       6,
       {"initialize", "UTF-8"}},
      // One 8 MiB SSE data line, never terminated: cut at the 4 MiB event bound.
      {{"--fault", "malformed-sse"}, "protocol_error", 6, {"initialize", "4194304 bytes"}},
      // A 64 MiB SSE event.
      {{"--fault", "oversize"}, "protocol_error", 6, {"initialize", "4194304 bytes"}},
  };
  for (const auto& c : cases) {
    Fixture fx(c.fixture_flags);
    Measured m = ProbeMeasured(fx.Url());
    INFO("fixture " << nlohmann::json(c.fixture_flags).dump() << ", " << m.probe.elapsed.count()
                    << " ms, peak RSS " << m.peak_rss_kb << " kB");
    ExpectVerdict(m.probe, c.cls, c.exit_code, c.error_parts);
    CHECK(m.probe.elapsed < kMustEndWithin);
    CHECK(m.peak_rss_kb > 0);
    CHECK(m.peak_rss_kb < kMaxRssKb);
  }
}

TEST_CASE("hostile: a healthy probe's peak RSS is the baseline the bound is judged against",
          "[faults][hostile]") {
  Fixture fx;
  Measured m = ProbeMeasured(fx.Url());
  INFO("peak RSS " << m.peak_rss_kb << " kB");
  ExpectVerdict(m.probe, "ok", 0, {});
  CHECK(m.peak_rss_kb > 0);
  CHECK(m.peak_rss_kb < kMaxRssKb / 2);
}
