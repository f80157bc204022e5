// Retention and hourly rollups, in small steps so the writer thread can interleave them with
// probe batches: each Step() is one short transaction writing or deleting at most
// max_rows_per_transaction rows.
//
// Rollups: an hour is closed once `close_grace` has passed after its end; closing computes, per
// target, runs / successes / latency sum, min, max, p50, p95 over the hour's raw runs and the
// per-class counts. Runs in maintenance are counted apart (maintenance_runs) and left out of
// everything else, as they are out of the SLI; latency figures cover successful runs only.
// Raw runs are deleted in insertion order once older than raw_retention (never before their
// hour is rolled up); rollups once older than rollup_retention.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <tl/expected.hpp>

#include "storage/database.h"
#include "storage/run_row.h"

namespace mcpwatch::storage {

struct RetentionPolicy {
  std::chrono::hours raw_retention{24 * 30};
  std::chrono::hours rollup_retention{24 * 400};
  std::chrono::minutes close_grace{5};
  int max_rows_per_transaction = 5000;
};

struct RetentionReport {
  int64_t hours_closed = 0;
  int64_t rollups_written = 0;
  int64_t runs_deleted = 0;
  int64_t rollups_deleted = 0;
};

class RetentionJob {
 public:
  explicit RetentionJob(RetentionPolicy policy) : policy_(policy) {}

  // Does one bounded unit of work; true while more remains for this `now`.
  tl::expected<bool, std::string> Step(Database& db, TimePoint now);
  const RetentionReport& report() const { return report_; }

 private:
  tl::expected<bool, std::string> RollupStep(Database& db, TimePoint now);
  tl::expected<bool, std::string> DeleteRunsStep(Database& db, TimePoint now);
  tl::expected<bool, std::string> DeleteRollupsStep(Database& db, TimePoint now);
  tl::expected<std::optional<int64_t>, std::string> ClosedUntil(Database& db);

  RetentionPolicy policy_;
  RetentionReport report_;
  int64_t next_target_id_ = 0;  // rollup cursor inside the hour being closed
};

// Runs a whole pass to completion (tests, and `Stop()`-time maintenance).
tl::expected<RetentionReport, std::string> RunRetention(Database& db, const RetentionPolicy& policy,
                                                        TimePoint now);

}  // namespace mcpwatch::storage
