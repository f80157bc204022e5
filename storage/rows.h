// Reading a Query's rows without writing the Step() loop again. `read` (or `on_row`) is called
// with the query positioned on a row and reads its columns; it returns the row's value, or
// tl::expected<value, std::string> to stop at the first row it cannot read. The first SQLite
// error stops too, and is returned as it is.
#pragma once

#include <optional>
#include <string>
#include <tl/expected.hpp>
#include <type_traits>
#include <utility>
#include <vector>

#include "storage/database.h"

namespace mcpwatch::storage {

namespace detail {

template <typename T>
struct RowValue {
  using type = T;
};
template <typename T>
struct RowValue<tl::expected<T, std::string>> {
  using type = T;
};
// What `read` makes of one row, without the tl::expected around it.
template <typename Read>
using RowValueOf = typename RowValue<std::invoke_result_t<Read&, const Query&>>::type;

}  // namespace detail

// Calls `on_row(query)` for every row; `on_row` returns void or tl::expected<void, std::string>.
template <typename OnRow>
tl::expected<void, std::string> ForEachRow(Query& query, OnRow&& on_row) {
  while (true) {
    auto has = query.Step();
    if (!has) return tl::make_unexpected(has.error());
    if (!*has) return {};
    if constexpr (std::is_void_v<std::invoke_result_t<OnRow&, const Query&>>) {
      on_row(std::as_const(query));
    } else if (auto done = on_row(std::as_const(query)); !done) {
      return done;
    }
  }
}

// Every row, in the query's order.
template <typename Read>
tl::expected<std::vector<detail::RowValueOf<Read>>, std::string> CollectRows(Query& query,
                                                                             Read&& read) {
  std::vector<detail::RowValueOf<Read>> rows;
  auto done = ForEachRow(query, [&](const Query& row) -> tl::expected<void, std::string> {
    tl::expected<detail::RowValueOf<Read>, std::string> value = read(row);
    if (!value) return tl::make_unexpected(std::move(value.error()));
    rows.push_back(std::move(*value));
    return {};
  });
  if (!done) return tl::make_unexpected(std::move(done.error()));
  return rows;
}

// The first row, or nullopt when there is none; later rows are not stepped to.
template <typename Read>
tl::expected<std::optional<detail::RowValueOf<Read>>, std::string> FirstRow(Query& query,
                                                                            Read&& read) {
  auto has = query.Step();
  if (!has) return tl::make_unexpected(has.error());
  if (!*has) return std::optional<detail::RowValueOf<Read>>();
  tl::expected<detail::RowValueOf<Read>, std::string> value = read(std::as_const(query));
  if (!value) return tl::make_unexpected(std::move(value.error()));
  return std::optional<detail::RowValueOf<Read>>(std::move(*value));
}

}  // namespace mcpwatch::storage
