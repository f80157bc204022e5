// Writes for the other areas (detectors, state machine), meant to run on the writer thread:
//   writer.Submit([=](Database& db) { return InsertEvent(db, "shop", now, "deploy", json); });
// Targets are named; the targets row is created on first use.
#pragma once

#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "storage/database.h"
#include "storage/run_row.h"

namespace mcpwatch::storage {

// `target` may be empty for an event not about one target; `details` is a JSON object.
tl::expected<void, std::string> InsertEvent(Database& db, std::string_view target, TimePoint at,
                                            std::string_view kind, std::string_view details);

// Inserts a snapshot only when `hash` differs from the target's latest one; true if inserted.
tl::expected<bool, std::string> SaveSnapshotIfChanged(Database& db, std::string_view target,
                                                      std::string_view hash, std::string_view tools,
                                                      std::string_view server_version,
                                                      TimePoint seen);

// Marks the target's newest snapshot with `hash` as the accepted baseline; false if none.
tl::expected<bool, std::string> AcceptSnapshot(Database& db, std::string_view target,
                                               std::string_view hash);

tl::expected<void, std::string> SetTargetState(Database& db, std::string_view target,
                                               std::string_view state, TimePoint since,
                                               std::string_view details);

}  // namespace mcpwatch::storage
