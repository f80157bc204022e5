// bench_scheduler: the scheduler at 10,000 targets, twice.
//   loop:   Scheduler + Prober on one EventLoop in this process, 10,000 targets over 4 local
//           mcp_fixture processes at a compressed interval (default 10 s = 1,000 runs/s) for
//           60 s: lag distribution (on_lag), runs/s, skips, CPU %, peak RSS.
//   daemon: the real `mcpwatch serve` with a generated 10,000-target config (interval 60 s)
//           for 90 s: start-up time to the "ready" line, VmRSS/VmHWM sampled every second,
//           CPU, the mcpwatch_scheduler_lag_seconds histogram from /metrics, clean SIGTERM.
//           --daemon-history N first fills the daemon's database with N ok runs per target
//           (one a minute over the last N minutes), so start-up restores a full history.
// Run by hand (docs/benchmarks.md), never by ctest; traffic goes to 127.0.0.1 only and every
// loop is bounded in count and time.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bench/bench_stats.h"
#include "checks/classifier.h"
#include "prober/event_loop.h"
#include "prober/prober.h"
#include "prober/scheduler.h"
#include "storage/migrations.h"
#include "storage/writer.h"
#include "tests/support/support.h"
#include "tests/unit/storage/test_data.h"

namespace mcpwatch::bench {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct Options {
  std::string mode = "both";
  std::size_t targets = 10000;
  std::size_t fixtures = 4;
  double interval_s = 10;
  double duration_s = 60;
  std::size_t max_inflight = 256;
  long jitter_ms = 1000;
  double daemon_duration_s = 90;
  long daemon_interval_s = 60;
  long daemon_history = 0;  // ok runs per target stored before the daemon starts
};

std::string TargetName(std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "t%05zu", i);
  return buf;
}

std::vector<test::Fixture> StartFixtures(std::size_t n) {
  std::vector<test::Fixture> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    out.emplace_back(
        std::vector<std::string>{"--transport", "streamable-http", "--response", "json"});
  }
  return out;
}

double FixturesCpu(std::vector<test::Fixture>& fixtures) {
  double sum = 0;
  for (auto& f : fixtures) sum += ProcessCpuSeconds(f.process().pid());
  return sum;
}

// ---- loop: Scheduler + Prober in this process -------------------------------------------

int RunLoop(const Options& o) {
  auto fixtures = StartFixtures(o.fixtures);
  std::vector<std::string> urls;
  for (const auto& f : fixtures) urls.push_back(f.Url());

  auto loop = EventLoop::Create(64);
  if (!loop) {
    std::fprintf(stderr, "event loop: %s\n", loop.error().c_str());
    return 1;
  }
  Prober prober(**loop);
  std::vector<double> lags_ms;
  std::map<std::string, long> classes;
  long results = 0, skipped_overlap = 0, skipped_cap = 0;
  std::unordered_map<std::string, std::string> url_of;
  for (std::size_t i = 0; i < o.targets; ++i) url_of[TargetName(i)] = urls[i % urls.size()];

  SchedulerHooks hooks;
  hooks.prepare = [&](const std::string& target) -> tl::expected<ProbeSpec, std::string> {
    ProbeSpec spec;
    spec.url = url_of.at(target);
    spec.transport = TransportChoice::kStreamableHttp;
    spec.timeout = seconds(5);
    spec.tool_call = ToolCallSpec{"echo", {{"message", "bench"}}, ""};
    return spec;
  };
  hooks.on_result = [&](const std::string&, std::chrono::system_clock::time_point, Transcript t) {
    ++results;
    ++classes[std::string(ToString(Classify(t, LatencyPolicy{}).cls))];
  };
  hooks.on_lag = [&](double s) { lags_ms.push_back(s * 1000); };
  hooks.on_skip = [&](SkipReason r) {
    ++(r == SkipReason::kOverlap ? skipped_overlap : skipped_cap);
  };
  SchedulerOptions options;
  options.max_inflight = o.max_inflight;
  options.jitter = milliseconds(o.jitter_ms);
  auto interval = milliseconds(static_cast<long>(o.interval_s * 1000));

  std::printf(
      "== loop: %zu targets, interval %.1f s (%.0f runs/s due), %zu fixtures (json), "
      "max_inflight %zu, jitter %ld ms, %.0f s ==\n",
      o.targets, o.interval_s, static_cast<double>(o.targets) / o.interval_s, o.fixtures,
      o.max_inflight, o.jitter_ms, o.duration_s);
  std::printf("load average before: %s\n", LoadAverage().c_str());
  ResetPeakRss();
  double cpu0 = SelfCpuSeconds(), fixtures_cpu0 = FixturesCpu(fixtures);
  auto t0 = Clock::now();
  LoopSchedulerHost host(**loop, prober);
  Scheduler scheduler(host, options, hooks);
  std::vector<ScheduledTarget> targets;
  for (std::size_t i = 0; i < o.targets; ++i) targets.push_back({TargetName(i), interval});
  scheduler.SetTargets(targets);
  double set_targets_ms = SecondsSince(t0) * 1000;

  auto window =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration_s));
  double wall = 0, cpu = 0;
  long results_in_window = 0;
  std::size_t max_waiting = 0, max_inflight = 0;
  (*loop)->AddTimer(t0 + window, [&] {
    wall = SecondsSince(t0);
    cpu = SelfCpuSeconds() - cpu0;
    results_in_window = results;
    scheduler.StopScheduling();
  });
  (*loop)->RunUntil([&] {
    max_waiting = std::max(max_waiting, scheduler.waiting());
    max_inflight = std::max(max_inflight, scheduler.inflight());
    // Runs in flight finish within their 5 s timeout; 30 s bounds a broken case.
    return (wall > 0 && scheduler.inflight() == 0) || Clock::now() - t0 > window + seconds(30);
  });
  double fixtures_cpu = FixturesCpu(fixtures) - fixtures_cpu0;
  long hwm = StatusKb("self", "VmHWM");

  std::printf("SetTargets(%zu): %.1f ms\n", o.targets, set_targets_ms);
  std::printf("runs finished in the window: %ld = %.0f runs/s\n", results_in_window,
              static_cast<double>(results_in_window) / wall);
  std::printf("lag: n=%zu", lags_ms.size());
  double p50 = Percentile(lags_ms, 0.5), p90 = Percentile(lags_ms, 0.9),
         p99 = Percentile(lags_ms, 0.99), p999 = Percentile(lags_ms, 0.999),
         max = Percentile(lags_ms, 1.0);
  std::printf(" p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms\n", p50, p90, p99,
              p999, max);
  std::printf("skipped: overlap %ld, inflight_cap %ld; max waiting %zu, max in flight %zu\n",
              skipped_overlap, skipped_cap, max_waiting, max_inflight);
  std::printf("CPU (this process): %.2f s = %.1f%% of one core = %.0f us/run\n", cpu,
              100 * cpu / wall,
              results_in_window > 0 ? cpu * 1e6 / static_cast<double>(results_in_window) : 0);
  std::printf("CPU (4 fixtures): %.2f s\n", fixtures_cpu);
  std::printf("peak RSS (VmHWM): %.1f MiB\n", static_cast<double>(hwm) / 1024);
  std::printf("classes:");
  for (const auto& [cls, n] : classes) std::printf(" %s=%ld", cls.c_str(), n);
  std::printf("\nload average after: %s\n", LoadAverage().c_str());
  bool ok = classes.size() == 1 && classes.begin()->first == "ok";
  if (!ok) std::printf("FAIL: some runs were not classified ok\n");
  return ok ? 0 : 2;
}

// ---- daemon: the real `mcpwatch serve` ---------------------------------------------------

std::string WriteDaemonConfig(const test::TempDir& dir, int port,
                              const std::vector<std::string>& urls, const Options& o) {
  std::string path = dir.File("mcpwatch.yaml");
  std::ofstream f(path);
  f << "listen: 127.0.0.1:" << port << "\n"
    << "database: " << dir.File("history.db") << "\n"
    << "defaults:\n  interval: " << o.daemon_interval_s
    << "s\n  timeout: " << std::min<long>(10'000, o.daemon_interval_s * 800)
    << "ms\n"  // below the interval
    << "  tool_call: {name: echo, arguments: {message: bench}}\n"
    << "scheduler: {max_inflight: " << o.max_inflight << ", jitter: " << o.jitter_ms << "ms}\n"
    << "targets:\n";
  for (std::size_t i = 0; i < o.targets; ++i) {
    f << "  - {name: " << TargetName(i) << ", url: \"" << urls[i % urls.size()] << "\"}\n";
  }
  return path;
}

// histogram_quantile() over one histogram's cumulative buckets (linear inside a bucket).
double HistogramQuantile(const std::vector<std::pair<double, double>>& buckets, double q) {
  if (buckets.empty() || buckets.back().second <= 0) return 0;
  double rank = q * buckets.back().second;
  double lower = 0, below = 0;
  for (const auto& [le, count] : buckets) {
    if (count >= rank) {
      if (std::isinf(le)) return lower;  // above the top finite bound
      return lower + (le - lower) * (count > below ? (rank - below) / (count - below) : 0);
    }
    lower = le;
    below = count;
  }
  return lower;
}

struct Scrape {
  std::vector<std::pair<double, double>> lag_buckets;  // (le, cumulative count)
  double lag_count = 0, lag_sum = 0;
  long success_1 = 0, success_0 = 0;
  std::map<std::string, double> self;  // a few mcpwatch_* samples by their full line name
  long samples = 0;
};

Scrape ParseMetrics(const std::string& text) {
  Scrape s;
  std::istringstream in(text);
  std::string line;
  auto value = [](const std::string& l) {
    return std::strtod(l.c_str() + l.rfind(' ') + 1, nullptr);
  };
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    ++s.samples;
    if (line.rfind("mcpwatch_scheduler_lag_seconds_bucket{", 0) == 0) {
      auto le = line.find("le=\"");
      std::string bound = line.substr(le + 4, line.find('"', le + 4) - le - 4);
      double b = bound == "+Inf" ? INFINITY : std::strtod(bound.c_str(), nullptr);
      s.lag_buckets.emplace_back(b, value(line));
    } else if (line.rfind("mcpwatch_scheduler_lag_seconds_count", 0) == 0) {
      s.lag_count = value(line);
    } else if (line.rfind("mcpwatch_scheduler_lag_seconds_sum", 0) == 0) {
      s.lag_sum = value(line);
    } else if (line.rfind("probe_success{", 0) == 0) {
      ++(value(line) == 1 ? s.success_1 : s.success_0);
    } else if (line.rfind("mcpwatch_runs_skipped_total", 0) == 0 ||
               line.rfind("mcpwatch_store_rows_", 0) == 0 ||
               line.rfind("mcpwatch_inflight_probes", 0) == 0) {
      s.self[line.substr(0, line.rfind(' '))] = value(line);
    }
  }
  return s;
}

std::string Tail(const std::string& text) {
  constexpr std::size_t kTail = 2000;
  return text.size() > kTail ? text.substr(text.size() - kTail) : text;
}

// The daemon's log without the per-run lines: start-up, ready, shutdown (with timestamps).
void PrintLogExcerpt(const std::string& log) {
  std::istringstream in(log);
  std::string line;
  long run_lines = 0;
  std::printf("daemon log (only the first 3 run/event lines shown):\n");
  while (std::getline(in, line)) {
    if (line.find(" run failed ") != std::string::npos ||
        line.find(" event ") != std::string::npos) {
      if (++run_lines <= 3) std::printf("  %s\n", line.substr(0, 200).c_str());
      continue;
    }
    std::printf("  %s\n", line.substr(0, 200).c_str());
  }
  std::printf("  (%ld run/event lines in all)\n", run_lines);
}

// N healthy runs per target, one a minute over the last N minutes (targets spread across each
// minute), written in time order through the daemon's own writer, which is then stopped cleanly
// (so the daemon's start-up skips quick_check, as after a clean shutdown). Each run has the
// steps JSON restore parses, including a tool call like the config's.
bool FillHistory(const std::string& path, const Options& o) {
  auto db = storage::OpenForWriting(path);
  if (!db) {
    std::fprintf(stderr, "opening %s: %s\n", path.c_str(), db.error().c_str());
    return false;
  }
  storage::WriterOptions options;
  options.retention_interval = std::chrono::minutes(0);
  auto writer = storage::HistoryWriter::Start(std::move(*db), options);
  std::vector<ProbeResult> templates;
  templates.reserve(o.targets);
  for (std::size_t i = 0; i < o.targets; ++i) {
    ProbeResult r = storage::testing::MakeResult(
        TargetName(i), {}, FailureClass::kOk, std::chrono::microseconds(15'000 + (i % 997) * 37));
    StepRecord call;
    call.step = Step::kToolCall;
    call.http_status = 200;
    call.ttfb = std::chrono::microseconds(1'100);
    call.duration = std::chrono::microseconds(2'200 + (i % 89) * 11);
    r.transcript.steps.insert(r.transcript.steps.end() - 2, call);  // before ping and close
    templates.push_back(std::move(r));
  }
  auto t0 = Clock::now();
  const auto now = std::chrono::system_clock::now();
  const auto spread = std::chrono::milliseconds(60'000 / static_cast<long>(o.targets));
  for (long k = 0; k < o.daemon_history; ++k) {
    const auto minute = now - std::chrono::minutes(o.daemon_history - k);
    for (std::size_t i = 0; i < o.targets; ++i) {
      ProbeResult& r = templates[i];
      r.started_at = minute + spread * static_cast<long>(i);
      while (!writer->Enqueue(r)) std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
  bool flushed = writer->Flush(std::chrono::minutes(30));
  writer->Stop();
  storage::WriterStats stats = writer->Stats();
  std::printf("history: %llu runs (%ld per target) written in %.1f s, %llu lost\n",
              static_cast<unsigned long long>(stats.rows_written), o.daemon_history,
              SecondsSince(t0), static_cast<unsigned long long>(stats.rows_lost));
  if (!flushed || stats.rows_lost > 0) {
    std::fprintf(stderr, "history: the writer did not commit every run\n");
    return false;
  }
  return true;
}

int RunDaemon(const Options& o) {
  auto fixtures = StartFixtures(o.fixtures);
  std::vector<std::string> urls;
  for (const auto& f : fixtures) urls.push_back(f.Url());
  test::TempDir dir;
  int port = test::FreePort();
  std::string config = WriteDaemonConfig(dir, port, urls, o);
  if (o.daemon_history > 0 && !FillHistory(dir.File("history.db"), o)) return 1;
  std::printf(
      "\n== daemon: mcpwatch serve, %zu targets, interval %ld s, %zu fixtures (json), "
      "%.0f s, %ld stored runs per target ==\n",
      o.targets, o.daemon_interval_s, o.fixtures, o.daemon_duration_s, o.daemon_history);
  std::printf("load average before: %s\n", LoadAverage().c_str());

  auto t0 = Clock::now();
  auto daemon = test::Subprocess::Start({test::McpwatchBinary(), "serve", "--config", config});
  auto ready = daemon.WaitForLine("ready targets=", seconds(300));
  double startup_s = SecondsSince(t0);
  if (!ready) {
    std::fprintf(stderr, "daemon did not become ready:\n%s%s\n", daemon.Stdout().c_str(),
                 daemon.Stderr().c_str());
    return 1;
  }
  std::string pid = std::to_string(daemon.pid());
  long rss_at_ready = StatusKb(pid, "VmRSS");
  double cpu_at_ready = ProcessCpuSeconds(daemon.pid());
  std::printf("start-up to \"ready\": %.3f s (RSS %.1f MiB, CPU %.2f s)\n", startup_s,
              static_cast<double>(rss_at_ready) / 1024, cpu_at_ready);

  long max_rss = rss_at_ready;
  std::vector<std::pair<int, long>> rss_series;  // (second, VmRSS KiB)
  auto duration = std::chrono::duration<double>(o.daemon_duration_s);
  auto ready_at = Clock::now();
  for (int second = 1; Clock::now() - ready_at < duration && daemon.Running(); ++second) {
    std::this_thread::sleep_until(ready_at + seconds(second));
    long rss = StatusKb(pid, "VmRSS");
    max_rss = std::max(max_rss, rss);
    rss_series.emplace_back(second, rss);
  }
  double cpu = ProcessCpuSeconds(daemon.pid()) - cpu_at_ready;
  double wall = SecondsSince(ready_at);
  long hwm = StatusKb(pid, "VmHWM");
  auto t_scrape = Clock::now();
  auto metrics =
      test::HttpGet("http://127.0.0.1:" + std::to_string(port) + "/metrics", seconds(120));
  double scrape_s = SecondsSince(t_scrape);
  Scrape s = ParseMetrics(metrics.body);

  std::printf("VmRSS every 10 s (MiB):");
  for (const auto& [second, kb] : rss_series) {
    if (second % 10 == 0) std::printf(" %d s=%.1f", second, static_cast<double>(kb) / 1024);
  }
  std::printf("\nVmRSS max sampled %.1f MiB, VmHWM %.1f MiB\n", static_cast<double>(max_rss) / 1024,
              static_cast<double>(hwm) / 1024);
  std::printf("CPU after ready: %.2f s over %.1f s = %.1f%% of one core\n", cpu, wall,
              100 * cpu / wall);
  std::printf("/metrics: HTTP %ld (curl code %d), %zu bytes, %ld samples, in %.2f s\n",
              metrics.status, metrics.curl_code, metrics.body.size(), s.samples, scrape_s);
  std::printf(
      "mcpwatch_scheduler_lag_seconds: count %.0f, mean %.2f ms, p50 %.2f ms, p90 %.2f ms,"
      " p99 %.2f ms (bucket-interpolated)\n",
      s.lag_count, s.lag_count > 0 ? 1000 * s.lag_sum / s.lag_count : 0,
      1000 * HistogramQuantile(s.lag_buckets, 0.5), 1000 * HistogramQuantile(s.lag_buckets, 0.9),
      1000 * HistogramQuantile(s.lag_buckets, 0.99));
  std::printf("lag buckets:");
  for (const auto& [le, n] : s.lag_buckets) std::printf(" le=%g:%.0f", le, n);
  std::printf("\nprobe_success: %ld targets 1, %ld targets 0\n", s.success_1, s.success_0);
  for (const auto& [name, v] : s.self) std::printf("%s %.0f\n", name.c_str(), v);

  auto fixtures_cpu = FixturesCpu(fixtures);
  daemon.Signal(SIGTERM);
  auto t_stop = Clock::now();
  auto code = daemon.Wait(seconds(60));
  std::printf("SIGTERM: exit code %s after %.2f s\n",
              code ? std::to_string(*code).c_str() : "none (timed out)", SecondsSince(t_stop));
  std::printf("CPU (4 fixtures, whole run): %.2f s\nload average after: %s\n", fixtures_cpu,
              LoadAverage().c_str());
  PrintLogExcerpt(daemon.Stdout());
  if (!code || *code != 0) {
    std::printf("FAIL: daemon did not exit 0\nstderr: %s\n", Tail(daemon.Stderr()).c_str());
    return 2;
  }
  return 0;
}

int Main(int argc, char** argv) {
  Options o;
  CLI::App app{"bench_scheduler: the scheduler and the daemon at 10,000 targets"};
  app.add_option("--mode", o.mode)->check(CLI::IsMember({"loop", "daemon", "both"}));
  app.add_option("--targets", o.targets)->check(CLI::Range(1, 100000));
  app.add_option("--fixtures", o.fixtures)->check(CLI::Range(1, 16));
  app.add_option("--interval", o.interval_s, "loop mode interval, seconds")
      ->check(CLI::Range(0.5, 600.0));
  app.add_option("--duration", o.duration_s, "loop mode seconds")->check(CLI::Range(1.0, 3600.0));
  app.add_option("--max-inflight", o.max_inflight)->check(CLI::Range(1, 100000));
  app.add_option("--jitter-ms", o.jitter_ms)->check(CLI::Range(0L, 60000L));
  app.add_option("--daemon-duration", o.daemon_duration_s, "seconds after ready")
      ->check(CLI::Range(1.0, 3600.0));
  app.add_option("--daemon-interval", o.daemon_interval_s, "seconds")->check(CLI::Range(1L, 3600L));
  app.add_option("--daemon-history", o.daemon_history,
                 "ok runs per target stored before the daemon starts (one a minute)")
      ->check(CLI::Range(0L, 100000L));
  CLI11_PARSE(app, argc, argv);
  std::printf("bench_scheduler: nproc %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
  int rc = 0;
  if (o.mode != "daemon") rc = std::max(rc, RunLoop(o));
  if (o.mode != "loop") rc = std::max(rc, RunDaemon(o));
  return rc;
}

}  // namespace
}  // namespace mcpwatch::bench

int main(int argc, char** argv) {
  try {
    return mcpwatch::bench::Main(argc, argv);
  } catch (const std::exception& e) {  // a fixture or temp dir that cannot be made
    std::fprintf(stderr, "bench_scheduler: %s\n", e.what());
    return 1;
  }
}
