// The YAML config loader (config/config.h ParseConfig, which LoadConfig reads files through):
// any text as a config file. Properties: it never throws, a refusal lists at least one error
// naming the file, and an accepted config holds what the loader promises.
#include <cstdint>
#include <string_view>

#include "config/config.h"
#include "config/target_rules.h"
#include "fuzz/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mcpwatch;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = ParseConfig(text, "/etc/mcpwatch/mcpwatch.yaml");
  if (!config) {
    FUZZ_CHECK(!config.error().empty());
    for (const ConfigError& e : config.error()) {
      FUZZ_CHECK(e.file == "/etc/mcpwatch/mcpwatch.yaml" && !e.message.empty());
    }
    return 0;
  }
  FUZZ_CHECK(config->content_hash.size() == 64);
  for (const TargetConfig& target : config->targets) {
    FUZZ_CHECK(IsTargetName(target.name));
    FUZZ_CHECK(target.spec.timeout.count() > 0 && target.spec.timeout < target.interval);
    FUZZ_CHECK(target.bearer_token_env.empty() || target.bearer_token_file.empty());
  }
  return 0;
}
