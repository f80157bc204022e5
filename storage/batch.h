// Writes one batch of queued work in one BEGIN IMMEDIATE … COMMIT: run rows (plus their
// run_counts increments) and submitted writes, in queue order. Used by the writer thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <tl/expected.hpp>
#include <unordered_map>
#include <variant>
#include <vector>

#include "storage/database.h"
#include "storage/run_row.h"

namespace mcpwatch::storage {

// A write run in the writer's transaction (events, snapshots, state, outbox, alerts). It must
// touch only the database: if the batch commit fails it is run again with the retried batch.
// Returning an error (or throwing) rolls back that write alone and counts a write error.
using WriteFn = std::function<tl::expected<void, std::string>(Database&)>;

using WriteItem = std::variant<RunRow, WriteFn>;

struct BatchOutcome {
  int64_t runs_written = 0;
  int64_t writes_failed = 0;  // submitted writes that returned an error and were rolled back
};

class BatchCommitter {
 public:
  explicit BatchCommitter(Database& db) : db_(db) {}

  // All or nothing: on error the transaction is rolled back and the batch may be retried.
  tl::expected<BatchOutcome, std::string> Commit(const std::vector<WriteItem>& items);

 private:
  tl::expected<void, std::string> WriteAll(const std::vector<WriteItem>& items,
                                           BatchOutcome& outcome);
  tl::expected<int64_t, std::string> TargetId(const std::string& name, TimePoint first_seen);
  tl::expected<void, std::string> InsertRun(int64_t target_id, const RunRow& row);
  tl::expected<void, std::string> RunSubmitted(const WriteFn& fn, BatchOutcome& outcome);

  Database& db_;
  std::unordered_map<std::string, int64_t> target_ids_;   // committed targets only
  std::unordered_map<std::string, int64_t> pending_ids_;  // created in the open transaction
};

// Finds or creates the targets row for `name` (for submitted writes keyed by target name).
tl::expected<int64_t, std::string> FindOrCreateTarget(Database& db, std::string_view name,
                                                      TimePoint first_seen);

}  // namespace mcpwatch::storage
