// Helpers shared by the config unit tests.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace mcpwatch::testing {

// The errors ParseConfig reports for `yaml` (file name "t.yaml"), each as ToString() gives it;
// empty when the text is valid.
inline std::vector<std::string> ErrorsOf(std::string_view yaml) {
  std::vector<std::string> out;
  const auto config = ParseConfig(yaml, "t.yaml");
  if (!config) {
    for (const ConfigError& e : config.error()) out.push_back(ToString(e));
  }
  return out;
}

// ParseConfig that must succeed (the test fails with every error listed otherwise).
inline Config MustParse(std::string_view yaml,
                        std::string_view file_name = "/etc/mcpwatch/t.yaml") {
  auto config = ParseConfig(yaml, file_name);
  if (!config) {
    for (const ConfigError& e : config.error()) UNSCOPED_INFO(ToString(e));
  }
  REQUIRE(config.has_value());
  return std::move(*config);
}

}  // namespace mcpwatch::testing
