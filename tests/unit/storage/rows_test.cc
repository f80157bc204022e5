#include "storage/rows.h"

#include <catch2/catch.hpp>

#include "tests/unit/scratch_dir.h"

namespace mcpwatch::storage {
namespace {

constexpr std::string_view kAscending = "SELECT n FROM numbers ORDER BY n";
constexpr std::string_view kDescending = "SELECT n FROM numbers ORDER BY n DESC";
constexpr std::string_view kOnlyTwo = "SELECT n FROM numbers WHERE n = 2";
constexpr std::string_view kNone = "SELECT n FROM numbers WHERE n > 9";

// A database with one table of three numbers: 1, 2, 3.
class Numbers {
 public:
  Numbers() {
    auto db = Database::Open(dir_.path() / "rows.db", OpenMode::kReadWrite);
    REQUIRE(db);
    REQUIRE(db->Exec("CREATE TABLE numbers(n INTEGER); INSERT INTO numbers VALUES (1), (2), (3);"));
    db_.emplace(std::move(*db));
  }

  Query Select(std::string_view sql) {
    auto q = db_->Prepare(sql);
    REQUIRE(q);
    return std::move(*q);
  }

 private:
  unit::ScratchDir dir_;
  std::optional<Database> db_;
};

using Ints = std::vector<int64_t>;
using MaybeInt = tl::expected<std::optional<int64_t>, std::string>;
const auto kTwoRefused = tl::make_unexpected(std::string("two is refused"));

tl::expected<int64_t, std::string> RefuseTwo(const Query& row) {
  if (row.Int(0) == 2) return kTwoRefused;
  return row.Int(0);
}

int64_t TimesTen(const Query& row) {
  return row.Int(0) * 10;
}

// Each block holds one Query at a time: two alive for the same SQL would share a statement.
TEST_CASE("CollectRows reads every row in order, or stops at the first refused one",
          "[storage][rows]") {
  Numbers numbers;
  {
    Query q = numbers.Select(kAscending);
    CHECK(CollectRows(q, TimesTen) == Ints{10, 20, 30});
  }
  {
    Query q = numbers.Select(kAscending);
    CHECK(CollectRows(q, RefuseTwo) == kTwoRefused);
  }
  {
    Query q = numbers.Select(kNone);
    CHECK(CollectRows(q, RefuseTwo) == Ints{});
  }
}

TEST_CASE("FirstRow reads only the first row, or nothing", "[storage][rows]") {
  Numbers numbers;
  {
    Query q = numbers.Select(kDescending);
    CHECK(FirstRow(q, RefuseTwo) == MaybeInt(3));  // 2 is never read
  }
  {
    Query q = numbers.Select(kOnlyTwo);
    CHECK(FirstRow(q, RefuseTwo) == kTwoRefused);
  }
  {
    Query q = numbers.Select(kNone);
    CHECK(FirstRow(q, RefuseTwo) == MaybeInt(std::nullopt));
  }
}

TEST_CASE("ForEachRow visits every row and passes SQLite's errors on", "[storage][rows]") {
  Numbers numbers;
  {
    int64_t sum = 0;
    Query q = numbers.Select(kAscending);
    REQUIRE(ForEachRow(q, [&](const Query& row) { sum += row.Int(0); }));
    CHECK(sum == 6);
  }
  {
    int visited = 0;
    Query q = numbers.Select(kAscending);
    auto refused = ForEachRow(q, [&](const Query& row) -> tl::expected<void, std::string> {
      ++visited;
      return RefuseTwo(row).map([](int64_t) {});
    });
    CHECK(refused == kTwoRefused);
    CHECK(visited == 2);
  }
  {
    // abs() of the smallest integer overflows when the row is computed, not when prepared.
    Query q = numbers.Select("SELECT abs(-9223372036854775807 - 1)");
    auto failed = ForEachRow(q, [](const Query&) {});
    REQUIRE_FALSE(failed);
    CHECK(failed.error().find("integer overflow") != std::string::npos);
  }
}

}  // namespace
}  // namespace mcpwatch::storage
