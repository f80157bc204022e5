#include "storage/reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "storage/migrations.h"
#include "storage/percentile.h"
#include "storage/rows.h"

namespace mcpwatch::storage {

namespace {

constexpr std::chrono::hours kDay{24};

// Column list shared by every query returning RunRow (RowFrom reads it by position).
#define MCPWATCH_RUN_COLUMNS                                                                    \
  "r.id, t.name, r.started_at, r.class, r.ok, r.total_ms, r.error, r.diagnosis, r.transport, "  \
  "r.protocol_version, r.server_name, r.server_version, r.tool_count, r.tools_hash, r.dns_ms, " \
  "r.connect_ms, r.tls_ms, r.cert_not_after, r.steps, r.maintenance, r.health_status"

int ClampLimit(int limit) {
  return std::clamp(limit, 0, kMaxQueryLimit);
}

tl::expected<FailureClass, std::string> ClassFrom(const Query& q, int col) {
  const std::string name = q.Text(col);
  if (auto cls = ParseFailureClass(name)) return *cls;
  return tl::make_unexpected("unknown class '" + name + "' in the runs table");
}

tl::expected<std::vector<StepRow>, std::string> DecodeStoredSteps(std::string_view json);

tl::expected<RunRow, std::string> RowFrom(const Query& q) {
  RunRow row;
  row.id = q.Int(0);
  row.target = q.Text(1);
  row.started_at = FromEpochMs(q.Int(2));
  auto cls = ClassFrom(q, 3);
  if (!cls) return tl::make_unexpected(cls.error());
  row.cls = *cls;
  row.ok = q.Int(4) != 0;
  row.total = FromMs(q.Real(5));
  row.error = q.Text(6);
  row.diagnosis = q.Text(7);
  row.transport = q.Text(8);
  row.protocol_version = q.Text(9);
  row.server_name = q.Text(10);
  row.server_version = q.Text(11);
  if (auto count = q.OptInt(12)) row.tool_count = static_cast<int>(*count);
  row.tools_hash = q.Text(13);
  row.dns = FromMs(q.Real(14));
  row.connect = FromMs(q.Real(15));
  row.tls = FromMs(q.Real(16));
  if (auto not_after = q.OptInt(17)) row.cert_not_after = FromEpochMs(*not_after);
  auto steps = DecodeStoredSteps(q.Text(18));
  if (!steps) return tl::make_unexpected("run " + std::to_string(row.id) + ": " + steps.error());
  row.steps = std::move(*steps);
  row.maintenance = q.Int(19) != 0;
  if (auto health = q.OptInt(20)) row.health_status = static_cast<int>(*health);
  return row;
}

// Reads the steps JSON exactly as EncodeSteps writes it (no spaces, fixed element order) without
// building a JSON document: restoring baselines decodes about a million of these at start-up,
// and the document's allocations were most of that time. Anything else (another spelling of
// the same JSON, or damage) returns nullopt, and the caller falls back to DecodeSteps.
class StepsScanner {
 public:
  explicit StepsScanner(std::string_view text) : text_(text) {}

  std::optional<std::vector<StepRow>> Scan() {
    std::vector<StepRow> steps;
    if (!Eat('[')) return std::nullopt;
    if (Eat(']')) return AtEnd() ? std::optional(std::move(steps)) : std::nullopt;
    do {
      StepRow row;
      if (!ScanStep(row)) return std::nullopt;
      steps.push_back(row);
    } while (Eat(','));
    if (!Eat(']') || !AtEnd()) return std::nullopt;
    return steps;
  }

 private:
  bool ScanStep(StepRow& row) {
    if (!Eat('[') || !Eat('"')) return false;
    const size_t close = text_.find('"', pos_);
    if (close == std::string_view::npos) return false;
    auto step = ParseStep(text_.substr(pos_, close - pos_));
    if (!step) return false;
    row.step = *step;
    pos_ = close + 1;
    if (!Eat(',')) return false;
    if (EatWord("true")) {
      row.ok = true;
    } else if (EatWord("false")) {
      row.ok = false;
    } else {
      return false;
    }
    int64_t status = 0;
    if (!Eat(',') || !Int(status) || status < INT32_MIN || status > INT32_MAX || !Eat(',')) {
      return false;
    }
    row.http_status = static_cast<int>(status);
    if (!EatWord("null")) {
      int64_t code = 0;
      if (!Int(code)) return false;
      row.jsonrpc_code = code;
    }
    double ttfb = 0, duration = 0;
    if (!Eat(',') || !Number(ttfb) || !Eat(',') || !Number(duration) || !Eat(']')) return false;
    row.ttfb = FromMs(ttfb);
    row.duration = FromMs(duration);
    return true;
  }

  bool AtEnd() const { return pos_ == text_.size(); }
  bool Eat(char c) {
    if (pos_ >= text_.size() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  bool EatWord(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  bool Int(int64_t& value) {
    const char* begin = text_.data() + pos_;
    auto [end, ec] = std::from_chars(begin, text_.data() + text_.size(), value);
    if (ec != std::errc() || end == begin) return false;
    pos_ += static_cast<size_t>(end - begin);
    return true;
  }
  // A JSON number: starts with a digit or '-' (from_chars alone would also take "inf", "nan").
  bool Number(double& value) {
    if (pos_ >= text_.size() ||
        !(text_[pos_] == '-' || (text_[pos_] >= '0' && text_[pos_] <= '9'))) {
      return false;
    }
    const char* begin = text_.data() + pos_;
    auto [end, ec] = std::from_chars(begin, text_.data() + text_.size(), value);
    if (ec != std::errc() || !std::isfinite(value)) return false;
    pos_ += static_cast<size_t>(end - begin);
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

tl::expected<std::vector<StepRow>, std::string> DecodeStoredSteps(std::string_view json) {
  if (auto steps = StepsScanner(json).Scan()) return std::move(*steps);
  return DecodeSteps(json);
}

// The class, start and diagnosis of the target's newest run, into `status` (left alone when it
// has none).
tl::expected<void, std::string> ReadLastRun(Database& db, int64_t target_id, TargetStatus& status) {
  auto last = db.Prepare(
      "SELECT class, started_at, diagnosis FROM runs WHERE target_id = ? "
      "ORDER BY started_at DESC LIMIT 1");
  if (!last) return tl::make_unexpected(last.error());
  last->Bind(target_id);
  return ForEachRow(*last, [&](const Query& row) -> tl::expected<void, std::string> {
    auto cls = ClassFrom(row, 0);
    if (!cls) return tl::make_unexpected(cls.error());
    status.last_class = *cls;
    status.last_run_at = FromEpochMs(row.Int(1));
    if (!row.IsNull(2)) status.diagnosis = row.Text(2);
    return {};
  });
}

// runs_24h, uptime_24h and p95_24h of `status` from the target's runs in (from_ms, to_ms],
// maintenance runs left out. `latencies` is scratch space, reused across targets.
tl::expected<void, std::string> ReadDay(Database& db, int64_t target_id, int64_t from_ms,
                                        int64_t to_ms, std::vector<double>& latencies,
                                        TargetStatus& status) {
  auto window = db.Prepare(
      "SELECT ok, total_ms FROM runs WHERE target_id = ? AND started_at > ? "
      "AND started_at <= ? AND maintenance = 0");
  if (!window) return tl::make_unexpected(window.error());
  window->Bind(target_id).Bind(from_ms).Bind(to_ms);
  latencies.clear();
  int64_t runs = 0;
  auto read = ForEachRow(*window, [&](const Query& row) {
    ++runs;
    if (row.Int(0) != 0) latencies.push_back(row.Real(1));
  });
  if (!read) return read;
  status.runs_24h = runs;
  if (runs > 0) {
    status.uptime_24h = static_cast<double>(latencies.size()) / static_cast<double>(runs);
  }
  if (auto p95 = Percentile(latencies, 0.95)) status.p95_24h = FromMs(*p95);
  return {};
}

}  // namespace

tl::expected<HistoryReader, std::string> HistoryReader::Open(const std::filesystem::path& path) {
  auto db = OpenForReading(path);
  if (!db) return tl::make_unexpected(db.error());
  return HistoryReader(std::move(*db));
}

tl::expected<std::vector<RunRow>, std::string> HistoryReader::History(std::string_view target,
                                                                      TimePoint since, int limit) {
  auto q = db_.Prepare("SELECT " MCPWATCH_RUN_COLUMNS
                       " FROM runs r JOIN targets t ON t.id = r.target_id "
                       "WHERE t.name = ? AND r.started_at >= ? "
                       "ORDER BY r.started_at DESC, r.id DESC LIMIT ?");
  if (!q) return tl::make_unexpected(q.error());
  q->Bind(target).Bind(ToEpochMs(since)).Bind(ClampLimit(limit));
  return CollectRows(*q, RowFrom);
}

tl::expected<std::vector<TargetStatus>, std::string> HistoryReader::Status(TimePoint now) {
  if (auto begun = db_.Exec("BEGIN"); !begun) return tl::make_unexpected(begun.error());
  auto result = StatusInSnapshot(now);
  (void)db_.Exec("COMMIT");
  return result;
}

tl::expected<std::vector<TargetStatus>, std::string> HistoryReader::StatusInSnapshot(
    TimePoint now) {
  auto targets = db_.Prepare(
      "SELECT t.id, t.name, s.state, s.since FROM targets t "
      "LEFT JOIN target_state s ON s.target_id = t.id ORDER BY t.name");
  if (!targets) return tl::make_unexpected(targets.error());
  auto rows = CollectRows(*targets, [](const Query& row) {
    TargetStatus status;
    status.target = row.Text(1);
    if (!row.IsNull(2)) {
      status.state = row.Text(2);
      status.state_since = FromEpochMs(row.Int(3));
    }
    return std::pair(row.Int(0), std::move(status));
  });
  if (!rows) return tl::make_unexpected(rows.error());
  const int64_t to = ToEpochMs(now);
  const int64_t from = ToEpochMs(now - kDay);
  std::vector<double> latencies;
  for (auto& [id, status] : *rows) {
    if (auto read = ReadLastRun(db_, id, status); !read) return tl::make_unexpected(read.error());
    if (auto read = ReadDay(db_, id, from, to, latencies, status); !read) {
      return tl::make_unexpected(read.error());
    }
  }
  std::vector<TargetStatus> result;
  result.reserve(rows->size());
  for (auto& entry : *rows) result.push_back(std::move(entry.second));
  return result;
}

tl::expected<std::vector<RunCount>, std::string> HistoryReader::RunCounts() {
  auto q = db_.Prepare(
      "SELECT t.name, c.class, c.total FROM run_counts c JOIN targets t ON t.id = c.target_id "
      "ORDER BY t.name, c.class");
  if (!q) return tl::make_unexpected(q.error());
  return CollectRows(*q, [](const Query& row) -> tl::expected<RunCount, std::string> {
    auto cls = ClassFrom(row, 1);
    if (!cls) return tl::make_unexpected(cls.error());
    return RunCount{.target = row.Text(0), .cls = *cls, .total = row.Int(2)};
  });
}

tl::expected<std::vector<RunRow>, std::string> HistoryReader::LastRuns() {
  auto q = db_.Prepare("SELECT " MCPWATCH_RUN_COLUMNS
                       " FROM targets t JOIN runs r ON r.id = (SELECT id FROM runs "
                       "WHERE target_id = t.id ORDER BY started_at DESC, id DESC LIMIT 1) "
                       "ORDER BY t.name");
  if (!q) return tl::make_unexpected(q.error());
  return CollectRows(*q, RowFrom);
}

tl::expected<std::vector<LatencySample>, std::string> HistoryReader::SuccessfulLatencies(
    std::string_view target, TimePoint since, int limit) {
  // The newest `limit` samples, returned oldest first.
  auto q = db_.Prepare(
      "SELECT started_at, total_ms, steps FROM ("
      " SELECT r.started_at, r.total_ms, r.steps FROM runs r JOIN targets t ON t.id = r.target_id"
      " WHERE t.name = ? AND r.started_at >= ? AND r.class = 'ok'"
      " ORDER BY r.started_at DESC LIMIT ?) ORDER BY started_at");
  if (!q) return tl::make_unexpected(q.error());
  q->Bind(target).Bind(ToEpochMs(since)).Bind(ClampLimit(limit));
  return CollectRows(*q, [](const Query& row) -> tl::expected<LatencySample, std::string> {
    auto steps = DecodeStoredSteps(row.Text(2));
    if (!steps) return tl::make_unexpected(steps.error());
    return LatencySample{.started_at = FromEpochMs(row.Int(0)),
                         .total = FromMs(row.Real(1)),
                         .steps = std::move(*steps)};
  });
}

tl::expected<std::vector<FailureClass>, std::string> HistoryReader::RecentClasses(
    std::string_view target, TimePoint since, int limit) {
  auto q = db_.Prepare(
      "SELECT r.class FROM runs r JOIN targets t ON t.id = r.target_id "
      "WHERE t.name = ? AND r.started_at >= ? ORDER BY r.started_at DESC, r.id DESC LIMIT ?");
  if (!q) return tl::make_unexpected(q.error());
  q->Bind(target).Bind(ToEpochMs(since)).Bind(ClampLimit(limit));
  return CollectRows(*q, [](const Query& row) { return ClassFrom(row, 0); });
}

tl::expected<std::vector<EventRecord>, std::string> HistoryReader::Events(std::string_view target,
                                                                          TimePoint since,
                                                                          int limit) {
  auto q = target.empty()
               ? db_.Prepare(
                     "SELECT e.id, COALESCE(t.name, ''), e.at, e.kind, e.details FROM events e "
                     "LEFT JOIN targets t ON t.id = e.target_id WHERE e.at >= ? "
                     "ORDER BY e.at DESC, e.id DESC LIMIT ?")
               : db_.Prepare(
                     "SELECT e.id, t.name, e.at, e.kind, e.details FROM events e "
                     "JOIN targets t ON t.id = e.target_id WHERE t.name = ? AND e.at >= ? "
                     "ORDER BY e.at DESC, e.id DESC LIMIT ?");
  if (!q) return tl::make_unexpected(q.error());
  if (!target.empty()) q->Bind(target);
  q->Bind(ToEpochMs(since)).Bind(ClampLimit(limit));
  return CollectRows(*q, [](const Query& row) {
    return EventRecord{.id = row.Int(0),
                       .target = row.Text(1),
                       .at = FromEpochMs(row.Int(2)),
                       .kind = row.Text(3),
                       .details = row.Text(4)};
  });
}

tl::expected<std::vector<EventCount>, std::string> HistoryReader::EventCounts() {
  auto q = db_.Prepare(
      "SELECT COALESCE(t.name, ''), c.kind, c.total FROM "
      "(SELECT target_id, kind, COUNT(*) AS total FROM events GROUP BY target_id, kind) c "
      "LEFT JOIN targets t ON t.id = c.target_id ORDER BY 1, 2");
  if (!q) return tl::make_unexpected(q.error());
  return CollectRows(*q, [](const Query& row) {
    return EventCount{.target = row.Text(0), .kind = row.Text(1), .total = row.Int(2)};
  });
}

tl::expected<std::optional<SnapshotRecord>, std::string> HistoryReader::Snapshot(
    std::string_view sql, std::string_view target) {
  auto q = db_.Prepare(sql);
  if (!q) return tl::make_unexpected(q.error());
  q->Bind(target);
  return FirstRow(*q, [](const Query& row) {
    return SnapshotRecord{.id = row.Int(0),
                          .target = row.Text(1),
                          .hash = row.Text(2),
                          .tools = row.Text(3),
                          .server_version = row.Text(4),
                          .first_seen = FromEpochMs(row.Int(5)),
                          .accepted = row.Int(6) != 0};
  });
}

#define MCPWATCH_SNAPSHOT_QUERY(WHERE)                                                   \
  "SELECT s.id, t.name, s.hash, s.tools, s.server_version, s.first_seen, s.accepted "    \
  "FROM schema_snapshots s JOIN targets t ON t.id = s.target_id WHERE t.name = ? " WHERE \
  " ORDER BY s.id DESC LIMIT 1"

tl::expected<std::optional<SnapshotRecord>, std::string> HistoryReader::LatestSnapshot(
    std::string_view target) {
  return Snapshot(MCPWATCH_SNAPSHOT_QUERY(""), target);
}

tl::expected<std::optional<SnapshotRecord>, std::string> HistoryReader::AcceptedSnapshot(
    std::string_view target) {
  return Snapshot(MCPWATCH_SNAPSHOT_QUERY("AND s.accepted = 1"), target);
}

tl::expected<std::vector<TargetStateRecord>, std::string> HistoryReader::TargetStates() {
  auto q = db_.Prepare(
      "SELECT t.name, s.state, s.since, s.details FROM target_state s "
      "JOIN targets t ON t.id = s.target_id ORDER BY t.name");
  if (!q) return tl::make_unexpected(q.error());
  return CollectRows(*q, [](const Query& row) {
    return TargetStateRecord{.target = row.Text(0),
                             .state = row.Text(1),
                             .since = FromEpochMs(row.Int(2)),
                             .details = row.Text(3)};
  });
}

}  // namespace mcpwatch::storage
