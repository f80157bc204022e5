// Internal to config/: reading the documents of a YAML text, as YAML::LoadAll would, but
// without its endless loop. yaml-cpp 0.7 (Debian 12) never returns from LoadAll on some
// malformed text: after a stray ',' its parser yields empty documents without consuming
// anything, and LoadAll collects them until memory runs out (jbeder/yaml-cpp#1040, fixed
// upstream after 0.8.0). A config with such a typo hung `mcpwatch check-config` and the daemon.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

namespace mcpwatch::config_parse {

struct YamlDocuments {
  YAML::Node first;                     // Null when the text holds no document
  std::optional<YAML::Mark> second_at;  // where a second document's root is, if any
};

// The first document of `text` and whether a second one follows (a third is not looked for).
// Throws YAML::Exception on a syntax error, like LoadAll; a parser that stops moving forward is
// one ("unexpected ','").
YamlDocuments LoadDocuments(const std::string& text);

}  // namespace mcpwatch::config_parse
