// bench_history_write: N synthetic ProbeResults for T targets through HistoryWriter into a
// fresh database; prints rows/s, batches, commit-time percentiles, peak RSS, bytes per row and
// the start-up quick_check time on the result.
//   bench_history_write [--rows N] [--targets T] [--dir DIR]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "storage/migrations.h"
#include "storage/writer.h"
#include "tests/unit/storage/test_data.h"

namespace {

using mcpwatch::FailureClass;
using mcpwatch::Micros;
using Clock = std::chrono::steady_clock;

long PeakRssKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double Ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double PercentileMs(std::vector<std::chrono::microseconds> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto index = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  return static_cast<double>(v[index].count()) / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mcpwatch::storage;
  long rows = 500'000;
  long targets = 10'000;
  std::filesystem::path dir = std::filesystem::path(MCPWATCH_BINARY_DIR) / "bench-history";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--rows") == 0) rows = std::stol(argv[i + 1]);
    if (std::strcmp(argv[i], "--targets") == 0) targets = std::stol(argv[i + 1]);
    if (std::strcmp(argv[i], "--dir") == 0) dir = argv[i + 1];
  }
  std::filesystem::remove_all(dir);
  const auto path = dir / "history.db";
  auto db = OpenForWriting(path);
  if (!db) {
    std::fprintf(stderr, "open failed: %s\n", db.error().c_str());
    return 1;
  }

  // Pre-build one result per target so the loop measures the writer, not test-data assembly.
  std::vector<mcpwatch::ProbeResult> templates;
  templates.reserve(static_cast<size_t>(targets));
  for (long t = 0; t < targets; ++t) {
    const FailureClass cls = t % 50 == 0 ? FailureClass::kToolError : FailureClass::kOk;
    templates.push_back(mcpwatch::storage::testing::MakeResult(
        "target-" + std::to_string(t), {}, cls, Micros(15'000 + (t % 997) * 37)));
  }

  std::vector<std::chrono::microseconds> commits;  // written on the writer thread only
  commits.reserve(4096);
  WriterOptions options;
  options.retention_interval = std::chrono::minutes(0);
  options.on_commit = [&commits](std::chrono::microseconds d) { commits.push_back(d); };
  auto writer = HistoryWriter::Start(std::move(*db), options);

  const auto base = std::chrono::system_clock::now() - std::chrono::hours(24);
  long full_retries = 0;
  const double cpu_start = CpuSeconds();
  const auto start = Clock::now();
  for (long i = 0; i < rows; ++i) {
    mcpwatch::ProbeResult& r = templates[static_cast<size_t>(i % targets)];
    r.started_at = base + std::chrono::milliseconds(i * 60'000 / targets);
    while (!writer->Enqueue(r)) {
      ++full_retries;  // never drop in the bench: wait for room, like a probe tick would
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
  const auto enqueued = Clock::now();
  if (!writer->Flush(std::chrono::minutes(10))) {
    std::fprintf(stderr, "flush failed\n");
    return 1;
  }
  const auto flushed = Clock::now();
  const double cpu = CpuSeconds() - cpu_start;
  writer->Stop();
  const WriterStats stats = writer->Stats();

  const auto reopen_start = Clock::now();
  auto reopened = OpenForWriting(path);
  const auto reopen_took = Clock::now() - reopen_start;
  if (!reopened) {
    std::fprintf(stderr, "reopen failed: %s\n", reopened.error().c_str());
    return 1;
  }
  const auto bytes = std::filesystem::file_size(path);
  const double seconds = std::chrono::duration<double>(flushed - start).count();

  std::printf("rows              %ld (%ld targets)\n", rows, targets);
  std::printf("rows_written      %llu\n", static_cast<unsigned long long>(stats.rows_written));
  std::printf("rows/s            %.0f (enqueue %.2f s, until committed %.2f s)\n",
              static_cast<double>(rows) / seconds, Ms(enqueued - start) / 1000.0, seconds);
  // On a shared machine wall time mostly measures the neighbours; CPU time is ours alone.
  std::printf("cpu               %.2f s for both threads = %.0f rows per CPU-second\n", cpu,
              static_cast<double>(rows) / cpu);
  std::printf("batches           %llu (avg %.0f rows)\n",
              static_cast<unsigned long long>(stats.batches),
              static_cast<double>(stats.rows_written) / static_cast<double>(stats.batches));
  std::printf("commit ms         p50 %.2f  p99 %.2f  max %.2f\n", PercentileMs(commits, 0.50),
              PercentileMs(commits, 0.99), PercentileMs(commits, 1.0));
  std::printf("queue-full waits  %ld (dropped counter %llu, write errors %llu)\n", full_retries,
              static_cast<unsigned long long>(stats.dropped),
              static_cast<unsigned long long>(stats.write_errors));
  std::printf("peak RSS          %.1f MiB (VmHWM)\n", static_cast<double>(PeakRssKb()) / 1024.0);
  std::printf("database          %.1f MiB, %.0f bytes/row\n",
              static_cast<double>(bytes) / (1024.0 * 1024.0),
              static_cast<double>(bytes) / static_cast<double>(rows));
  std::printf("reopen            %.0f ms (quick_check + migrations check)\n", Ms(reopen_took));
  return 0;
}
