// bench_probe: full MCP probe runs (initialize → initialized → tools/list → tools/call echo →
// ping → DELETE) against one local mcp_fixture, driven by one EventLoop + Prober on the main
// thread with a fixed number of runs in flight. Scenario "healthy" measures runs/s, CPU per run
// (this process only: the fixture is another process), run duration and peak RSS; scenario
// "hung" repeats it while 500 runs against a `--fault hang` fixture sit in flight, to show that
// hung sessions do not slow healthy ones. Run by hand (see docs/benchmarks.md), never by ctest;
// traffic goes to 127.0.0.1 only and every loop is bounded in count and time.
#include <CLI/CLI.hpp>
#include <array>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/bench_stats.h"
#include "checks/classifier.h"
#include "prober/event_loop.h"
#include "prober/prober.h"
#include "tests/support/servers.h"

namespace mcpwatch::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Idle connections the loop keeps, as in the daemon (app/daemon.cc).
constexpr long kMaxIdleConnections = 64;
// Drain after the window: healthy runs finish in milliseconds; this only bounds a broken case.
constexpr auto kDrainLimit = std::chrono::seconds(30);

struct Options {
  std::size_t concurrency = 64;
  double duration_s = 10;
  double warmup_s = 1;
  long max_runs = 0;  // 0 = the whole duration
  std::string response = "both";
  std::size_t hung = 500;
  bool skip_hung = false;
  std::string expect_text;
};

struct ScenarioResult {
  std::string name;
  long runs = 0;
  double wall_s = 0;
  double cpu_s = 0;
  double fixture_cpu_s = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  long hwm_kb = 0;
  std::map<std::string, long> classes;
  std::size_t hung_inflight_at_end = 0;
  long hung_finished = 0;
  std::string load_before, load_after;
  // Per step: p50 and p99 of request → response complete, and p50 of time to first byte (ms).
  std::map<Step, std::array<double, 3>> steps;

  double RunsPerSecond() const { return wall_s > 0 ? static_cast<double>(runs) / wall_s : 0; }
  double CpuMicrosPerRun() const { return runs > 0 ? cpu_s * 1e6 / static_cast<double>(runs) : 0; }
};

ProbeSpec HealthySpec(const std::string& url, const Options& o) {
  ProbeSpec spec;
  spec.url = url;
  spec.transport = TransportChoice::kStreamableHttp;
  spec.timeout = std::chrono::seconds(10);
  spec.tool_call = ToolCallSpec{"echo", {{"message", "bench"}}, o.expect_text};
  return spec;
}

ProbeSpec HungSpec(const std::string& url) {
  ProbeSpec spec;
  spec.url = url;
  spec.transport = TransportChoice::kStreamableHttp;
  spec.timeout = std::chrono::seconds(30);
  spec.tool_call = ToolCallSpec{"echo", {{"message", "bench"}}, ""};
  return spec;
}

// One scenario on a fresh loop and prober; `hung_url` empty = no hung runs.
class Scenario {
 public:
  Scenario(const Options& o, std::string name, std::string url, std::string hung_url,
           pid_t fixture_pid)
      : o_(o), url_(std::move(url)), hung_url_(std::move(hung_url)), fixture_pid_(fixture_pid) {
    result_.name = std::move(name);
  }

  std::optional<ScenarioResult> Run() {
    auto loop = EventLoop::Create(kMaxIdleConnections);
    if (!loop) {
      std::fprintf(stderr, "event loop: %s\n", loop.error().c_str());
      return std::nullopt;
    }
    loop_ = loop->get();
    Prober prober(*loop_);
    prober_ = &prober;
    result_.load_before = LoadAverage();

    launching_ = true;
    if (!hung_url_.empty()) {
      for (std::size_t i = 0; i < o_.hung; ++i) LaunchHung();
    }
    for (std::size_t i = 0; i < o_.concurrency; ++i) LaunchHealthy();
    auto begin = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(o_.warmup_s));
    loop_->AddTimer(begin, [this] { BeginWindow(); });
    auto end = begin + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(o_.duration_s));
    loop_->AddTimer(end, [this] { EndWindow(); });
    loop_->RunUntil([this] {
      return (!launching_ && healthy_inflight_ == 0) ||
             (ended_ && Clock::now() - window_end_ > kDrainLimit);
    });
    if (healthy_inflight_ != 0) {
      std::fprintf(stderr, "%s: %zu healthy runs did not finish within the drain limit\n",
                   result_.name.c_str(), healthy_inflight_);
    }
    result_.load_after = LoadAverage();
    prober_ = nullptr;
    return result_;  // `prober` abandons the hung runs before `loop` goes
  }

 private:
  void LaunchHealthy() {
    ++healthy_inflight_;
    auto started = Clock::now();
    prober_->Start(HealthySpec(url_, o_), [this, started](Transcript t) {
      --healthy_inflight_;
      auto now = Clock::now();
      if (measuring_) {
        durations_ms_.push_back(std::chrono::duration<double, std::milli>(now - started).count());
        ++result_.classes[std::string(ToString(Classify(t, LatencyPolicy{}).cls))];
        ++result_.runs;
        for (const auto& rec : t.steps) {
          step_ms_[rec.step].push_back(
              std::chrono::duration<double, std::milli>(rec.duration).count());
          ttfb_ms_[rec.step].push_back(std::chrono::duration<double, std::milli>(rec.ttfb).count());
        }
        if (o_.max_runs > 0 && result_.runs >= o_.max_runs) EndWindow();
      }
      if (launching_) LaunchHealthy();
    });
  }

  void LaunchHung() {
    ++hung_inflight_;
    prober_->Start(HungSpec(hung_url_), [this](Transcript) {
      --hung_inflight_;
      ++result_.hung_finished;
      if (launching_) LaunchHung();  // keep the hung population constant
    });
  }

  void BeginWindow() {
    if (ended_) return;
    ResetPeakRss();
    measuring_ = true;
    window_start_ = Clock::now();
    cpu0_ = SelfCpuSeconds();
    fixture_cpu0_ = ProcessCpuSeconds(fixture_pid_);
    result_.hung_finished = 0;
  }

  void EndWindow() {
    if (ended_ || !measuring_) return;
    ended_ = true;
    measuring_ = false;
    launching_ = false;
    window_end_ = Clock::now();
    result_.wall_s = std::chrono::duration<double>(window_end_ - window_start_).count();
    result_.cpu_s = SelfCpuSeconds() - cpu0_;
    result_.fixture_cpu_s = ProcessCpuSeconds(fixture_pid_) - fixture_cpu0_;
    result_.hwm_kb = StatusKb("self", "VmHWM");
    result_.hung_inflight_at_end = hung_inflight_;
    result_.p50_ms = Percentile(durations_ms_, 0.50);
    result_.p99_ms = Percentile(durations_ms_, 0.99);
    result_.max_ms = Percentile(durations_ms_, 1.0);
    for (auto& [step, v] : step_ms_) {
      result_.steps[step] = {Percentile(v, 0.5), Percentile(v, 0.99),
                             Percentile(ttfb_ms_[step], 0.5)};
    }
  }

  const Options& o_;
  std::string url_, hung_url_;
  pid_t fixture_pid_;
  EventLoop* loop_ = nullptr;
  Prober* prober_ = nullptr;
  bool launching_ = false, measuring_ = false, ended_ = false;
  std::size_t healthy_inflight_ = 0, hung_inflight_ = 0;
  Clock::time_point window_start_, window_end_;
  double cpu0_ = 0, fixture_cpu0_ = 0;
  std::vector<double> durations_ms_;
  std::map<Step, std::vector<double>> step_ms_, ttfb_ms_;
  ScenarioResult result_;
};

void PrintResult(const ScenarioResult& r) {
  std::printf("\n== %s ==\n", r.name.c_str());
  std::printf("load average before/after: %s / %s\n", r.load_before.c_str(), r.load_after.c_str());
  std::printf("runs: %ld in %.2f s = %.0f runs/s\n", r.runs, r.wall_s, r.RunsPerSecond());
  std::printf("prober CPU: %.2f s = %.0f us/run (%.0f%% of one core)\n", r.cpu_s,
              r.CpuMicrosPerRun(), r.wall_s > 0 ? 100 * r.cpu_s / r.wall_s : 0);
  std::printf("fixture CPU: %.2f s = %.0f us/run\n", r.fixture_cpu_s,
              r.runs > 0 ? r.fixture_cpu_s * 1e6 / static_cast<double>(r.runs) : 0);
  std::printf("run duration: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", r.p50_ms, r.p99_ms,
              r.max_ms);
  std::printf("peak RSS (VmHWM): %.1f MiB\n", static_cast<double>(r.hwm_kb) / 1024);
  std::printf("steps (p50 / p99 duration, p50 ttfb, ms):");
  for (const auto& [step, q] : r.steps) {
    std::printf(" %s %.2f/%.2f/%.2f", std::string(ToString(step)).c_str(), q[0], q[1], q[2]);
  }
  std::printf("\n");
  std::printf("classes:");
  for (const auto& [cls, n] : r.classes) std::printf(" %s=%ld", cls.c_str(), n);
  std::printf("\n");
  if (r.hung_inflight_at_end > 0 || r.hung_finished > 0) {
    std::printf("hung runs in flight at the end: %zu (finished during the window: %ld)\n",
                r.hung_inflight_at_end, r.hung_finished);
  }
}

bool AllOk(const ScenarioResult& r) {
  return r.runs > 0 && r.classes.size() == 1 && r.classes.begin()->first == "ok";
}

int Main(int argc, char** argv) {
  Options o;
  CLI::App app{"bench_probe: full MCP probe runs per second against a local mcp_fixture"};
  app.add_option("--concurrency", o.concurrency, "healthy runs in flight")
      ->check(CLI::Range(1, 4096));
  app.add_option("--duration", o.duration_s, "measured seconds per scenario")
      ->check(CLI::Range(0.1, 600.0));
  app.add_option("--warmup", o.warmup_s, "unmeasured seconds first")->check(CLI::Range(0.0, 60.0));
  app.add_option("--runs", o.max_runs, "stop a scenario after this many runs (0 = duration)")
      ->check(CLI::Range(0L, 100000000L));
  app.add_option("--response", o.response, "fixture response mode")
      ->check(CLI::IsMember({"json", "sse", "both"}));
  app.add_option("--hung", o.hung, "hung runs in flight in the hung scenario")
      ->check(CLI::Range(1, 5000));
  app.add_flag("--no-hung", o.skip_hung, "skip the hung scenario");
  app.add_option("--expect-text", o.expect_text, "regex asserted on the echo result");
  CLI11_PARSE(app, argc, argv);

  std::printf("bench_probe: concurrency %zu, duration %.1f s, warmup %.1f s, nproc %ld\n",
              o.concurrency, o.duration_s, o.warmup_s, sysconf(_SC_NPROCESSORS_ONLN));
  std::vector<std::string> modes;
  if (o.response != "sse") modes.emplace_back("json");
  if (o.response != "json") modes.emplace_back("sse");

  std::optional<test::Fixture> hung;
  if (!o.skip_hung) hung.emplace(std::vector<std::string>{"--fault", "hang"});
  std::vector<ScenarioResult> results;
  for (const auto& mode : modes) {
    test::Fixture fixture({"--transport", "streamable-http", "--response", mode});
    Scenario healthy(o, "healthy, --response " + mode, fixture.Url(), "", fixture.process().pid());
    auto h = healthy.Run();
    if (!h) return 1;
    PrintResult(*h);
    results.push_back(*h);
    if (!hung) continue;
    Scenario with_hung(o, std::to_string(o.hung) + " hung + healthy, --response " + mode,
                       fixture.Url(), hung->Url(), fixture.process().pid());
    auto w = with_hung.Run();
    if (!w) return 1;
    PrintResult(*w);
    results.push_back(*w);
    std::printf("\nratio with hung / without (%s): runs/s %.2f, p99 %.2f, CPU/run %.2f\n",
                mode.c_str(), w->RunsPerSecond() / std::max(h->RunsPerSecond(), 1e-9),
                w->p99_ms / std::max(h->p99_ms, 1e-9),
                w->CpuMicrosPerRun() / std::max(h->CpuMicrosPerRun(), 1e-9));
  }

  std::printf(
      "\n| scenario | runs/s | CPU µs/run | fixture CPU µs/run | p50 ms | p99 ms | VmHWM MiB |"
      " classes |\n|---|---|---|---|---|---|---|---|\n");
  bool ok = true;
  for (const auto& r : results) {
    std::string classes;
    for (const auto& [cls, n] : r.classes) classes += cls + "=" + std::to_string(n) + " ";
    std::printf("| %s | %.0f | %.0f | %.0f | %.2f | %.2f | %.1f | %s|\n", r.name.c_str(),
                r.RunsPerSecond(), r.CpuMicrosPerRun(),
                r.runs > 0 ? r.fixture_cpu_s * 1e6 / static_cast<double>(r.runs) : 0, r.p50_ms,
                r.p99_ms, static_cast<double>(r.hwm_kb) / 1024, classes.c_str());
    ok = ok && AllOk(r);
  }
  if (!ok) std::printf("\nFAIL: some runs were not classified ok\n");
  return ok ? 0 : 2;
}

}  // namespace
}  // namespace mcpwatch::bench

int main(int argc, char** argv) {
  try {
    return mcpwatch::bench::Main(argc, argv);
  } catch (const std::exception& e) {  // a fixture that does not start
    std::fprintf(stderr, "bench_probe: %s\n", e.what());
    return 1;
  }
}
