// FUZZ_CHECK(cond): a property every input must keep. A failure prints the condition and
// aborts, which libFuzzer reports as a crash and saves the input (like ASan/UBSan findings).
#pragma once

#include <cstdio>
#include <cstdlib>

namespace mcpwatch::fuzz {

[[noreturn]] inline void PropertyFailed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: property failed: %s\n", file, line, condition);
  std::abort();
}

}  // namespace mcpwatch::fuzz

#define FUZZ_CHECK(cond) \
  ((cond) ? static_cast<void>(0) : ::mcpwatch::fuzz::PropertyFailed(#cond, __FILE__, __LINE__))
