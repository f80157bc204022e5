#include <catch2/catch.hpp>

#include "base/digest.h"

namespace mcpwatch {
namespace {

// Values computed independently (Python: int.from_bytes(md5(name).digest()[8:16], "big") % n),
// which is what Prometheus' hashmod relabel action computes for a label value.
TEST_CASE("HashMod is Prometheus' hashmod over the name", "[base][shard]") {
  struct Case {
    const char* value;
    uint64_t modulus;
    uint64_t expected;
  };
  for (const Case& c :
       {Case{"shop", 2, 1}, Case{"shop", 3, 0}, Case{"alpha", 7, 0}, Case{"beta", 7, 4},
        Case{"t3", 7, 6}, Case{"t11", 7, 5}, Case{"", 3, 1}, Case{"t7", 1, 0}}) {
    INFO(c.value << " mod " << c.modulus);
    CHECK(HashMod(c.value, c.modulus) == std::optional<uint64_t>(c.expected));
  }
  CHECK(HashMod("shop", UINT64_MAX) == std::optional<uint64_t>(124718604283123341ULL));
}

}  // namespace
}  // namespace mcpwatch
