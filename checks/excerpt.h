// Bounded, printable excerpts of text a server sent, for the messages of step records.
// Pure; never throws.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mcpwatch {

// A printable one-line excerpt of a body for error messages: control bytes become spaces, at
// most max_chars bytes then "...", trailing spaces dropped.
std::string Excerpt(std::string_view body, std::size_t max_chars = 200);

}  // namespace mcpwatch
