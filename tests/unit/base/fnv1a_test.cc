#include "base/fnv1a.h"

#include <catch2/catch.hpp>

namespace mcpwatch {
namespace {

TEST_CASE("Fnv1a gives the published FNV-1a 64 values", "[base]") {
  CHECK(Fnv1a("") == 0xcbf29ce484222325ULL);
  CHECK(Fnv1a("a") == 0xaf63dc4c8601ec8cULL);
  CHECK(Fnv1a("foobar") == 0x85944171f73967e8ULL);
}

TEST_CASE("Fnv1a chains: hashing the parts in turn is hashing the whole", "[base]") {
  CHECK(Fnv1a("bar", Fnv1a("foo")) == Fnv1a("foobar"));
  CHECK(Fnv1a("x", 42) != Fnv1a("x"));
}

}  // namespace
}  // namespace mcpwatch
