// Starting `mcpwatch serve` in tests: a config in a temp dir, a free loopback port, and
// helpers to read what the daemon exposes.
#pragma once

#include <sqlite3.h>

#include <fstream>
#include <map>
#include <regex>
#include <string>

#include "tests/support/support.h"

namespace mcpwatch::test {

struct DaemonTarget {
  std::string name;
  std::string url;
  std::string extra;  // more YAML keys for this target, e.g. "tool_call: {name: fail}"
};

inline std::string WriteConfig(const TempDir& dir, int port, const std::vector<DaemonTarget>& targets,
                               const std::string& interval = "1s", const std::string& timeout = "800ms") {
  std::string path = dir.File("mcpwatch.yaml");
  std::ofstream f(path);
  f << "listen: 127.0.0.1:" << port << "\n"
    << "database: " << dir.File("history.db") << "\n"
    << "defaults: {interval: " << interval << ", timeout: " << timeout << "}\n"
    << "scheduler: {jitter: 0s}\n"
    << "targets:\n";
  for (const auto& t : targets) {
    f << "  - name: " << t.name << "\n    url: " << t.url << "\n";
    if (!t.extra.empty()) f << "    " << t.extra << "\n";
  }
  return path;
}

inline Subprocess StartDaemon(const std::string& config) {
  Subprocess p = Subprocess::Start({McpwatchBinary(), "serve", "--config", config});
  if (!p.WaitForLine("ready targets=", std::chrono::seconds(20))) {
    throw std::runtime_error("daemon did not become ready: " + p.Stdout() + p.Stderr());
  }
  return p;
}

// The value of one sample line of the Prometheus text format, e.g.
// Metric(text, "probe_success", {{"target","ok"}}).
inline std::optional<double> Metric(const std::string& text, const std::string& name,
                                    const std::map<std::string, std::string>& labels) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + "{", 0) != 0 && line.rfind(name + " ", 0) != 0) continue;
    bool all = true;
    for (const auto& [k, v] : labels) all = all && line.find(k + "=\"" + v + "\"") != std::string::npos;
    if (!all) continue;
    return std::stod(line.substr(line.rfind(' ') + 1));
  }
  return std::nullopt;
}

// Direct SQLite reads (read-only, like any other reader while the daemon writes).
inline std::map<std::string, std::map<std::string, int>> ClassCounts(const std::string& db_path) {
  std::map<std::string, std::map<std::string, int>> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return out;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT t.name, r.class, COUNT(*) FROM runs r JOIN targets t ON t.id = r.target_id "
                     "GROUP BY t.name, r.class",
                     -1, &st, nullptr);
  while (st != nullptr && sqlite3_step(st) == SQLITE_ROW) {
    out[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))]
       [reinterpret_cast<const char*>(sqlite3_column_text(st, 1))] = sqlite3_column_int(st, 2);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

inline std::string PragmaText(const std::string& db_path, const std::string& pragma) {
  sqlite3* db = nullptr;
  std::string result;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, pragma.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      result = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return result;
}

inline int TotalRuns(const std::string& db_path) {
  int n = 0;
  for (const auto& [t, classes] : ClassCounts(db_path))
    for (const auto& [c, k] : classes) n += k;
  return n;
}

// The sum of every sample of `name` in a /metrics text (all label sets).
inline double SumMetric(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string line;
  double sum = 0;
  while (std::getline(in, line)) {
    if (line.rfind(name + "{", 0) == 0 || line.rfind(name + " ", 0) == 0) {
      sum += std::stod(line.substr(line.rfind(' ') + 1));
    }
  }
  return sum;
}

inline int CountOccurrences(const std::string& text, const std::string& phrase) {
  int n = 0;
  for (size_t at = text.find(phrase); at != std::string::npos; at = text.find(phrase, at + 1)) ++n;
  return n;
}

// The number after ` key=` on the first log line containing `line_start`; UINT64_MAX if none.
inline uint64_t LogField(const std::string& log, const std::string& line_start,
                         const std::string& key) {
  std::smatch m;
  const std::regex re(line_start + "[^\n]* " + key + "=([0-9]+)");
  if (!std::regex_search(log, m, re)) return UINT64_MAX;
  return std::stoull(m[1]);
}

// started_at (ms since the epoch) of each target's stored runs, in the order they were inserted.
inline std::map<std::string, std::vector<int64_t>> RunStartsByTarget(const std::string& db_path) {
  std::map<std::string, std::vector<int64_t>> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return out;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT t.name, r.started_at FROM runs r JOIN targets t ON t.id = r.target_id "
                     "ORDER BY r.id",
                     -1, &st, nullptr);
  while (st != nullptr && sqlite3_step(st) == SQLITE_ROW) {
    out[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))].push_back(
        sqlite3_column_int64(st, 1));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

}  // namespace mcpwatch::test
