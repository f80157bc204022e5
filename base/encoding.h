// Byte encodings every layer needs: base64 (standard and URL-safe, RFC 4648) and percent
// encoding (RFC 3986 unreserved set kept). Pure functions; none throws.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mcpwatch {

// RFC 4648 §4 (`url_safe` false) or §5 (true); `pad` appends '=' to a multiple of four.
std::string Base64(std::string_view data, bool url_safe = false, bool pad = true);

// Standard or URL-safe base64, padding optional; nullopt when `text` is not base64.
std::optional<std::string> DecodeBase64(std::string_view text);

// base64url without padding (RFC 7515 §2): JWTs, PKCE challenges, JWK members.
inline std::string Base64Url(std::string_view data) {
  return Base64(data, true, false);
}

// Every byte outside ALPHA / DIGIT / "-" / "." / "_" / "~" as %XX.
std::string PercentEncode(std::string_view data, bool lower_hex = false);

// Reverses percent-encoding; with `plus_is_space` (application/x-www-form-urlencoded) '+' is a
// space. A malformed escape is kept literally.
std::string PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace mcpwatch
