#include "base/url.h"

#include <algorithm>
#include <optional>

#include "base/ascii_lower.h"
#include "base/curl.h"

namespace mcpwatch {
namespace {

std::optional<std::string> Part(CURLU* u, CURLUPart part) {
  char* out = nullptr;
  if (curl_url_get(u, part, &out, 0) != CURLUE_OK || out == nullptr) return std::nullopt;
  std::string s(out);
  curl_free(out);
  return s;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string CheckHttpUrl(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "it needs a scheme (http:// or https://)";
  const std::string scheme = AsciiLower(url.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") {
    return "scheme \"" + scheme + "\" is not supported (use http or https)";
  }
  const std::string_view rest = url.substr(scheme_end + 3);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) {
    return "credentials in URLs are refused (use headers, bearer_token_env or bearer_token_file)";
  }
  if (authority.empty() || authority.front() == ':') return "it has no host";
  if (std::any_of(url.begin(), url.end(),
                  [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; })) {
    return "it contains whitespace";
  }
  CurlUrl parsed(curl_url());
  const std::string text(url);
  if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    return "it is not a valid URL";
  }
  return "";
}

tl::expected<ProbeUrl, std::string> ParseProbeUrl(const std::string& url) {
  CurlUrl u(curl_url());
  if (!u) return tl::unexpected(std::string("out of memory"));
  if (curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return tl::unexpected("\"" + RedactUrl(url) + "\" is not a valid URL");
  }
  ProbeUrl out;
  out.scheme = AsciiLower(Part(u.get(), CURLUPART_SCHEME).value_or(""));
  if (out.scheme != "http" && out.scheme != "https") {
    return tl::unexpected("URL scheme must be http or https, not \"" + out.scheme + "\"");
  }
  out.host = Part(u.get(), CURLUPART_HOST).value_or("");
  if (out.host.empty()) return tl::unexpected(std::string("URL has no host"));
  std::string host = AsciiLower(out.host);
  if (EndsWith(host, ".")) host.pop_back();
  out.reserved_invalid = host == "invalid" || EndsWith(host, ".invalid");
  std::string path = Part(u.get(), CURLUPART_PATH).value_or("");
  if (EndsWith(path, "/")) path.pop_back();
  out.path_ends_with_sse = EndsWith(path, "/sse");
  out.has_credentials =
      Part(u.get(), CURLUPART_USER).has_value() || Part(u.get(), CURLUPART_PASSWORD).has_value();
  return out;
}

std::string RedactUrl(const std::string& url) {
  CurlUrl u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    // Unparsable: keep the scheme and host-ish prefix only.
    auto cut = url.find_first_of("@?#");
    return cut == std::string::npos ? url : url.substr(0, cut) + "…";
  }
  curl_url_set(u.get(), CURLUPART_USER, nullptr, 0);
  curl_url_set(u.get(), CURLUPART_PASSWORD, nullptr, 0);
  if (Part(u.get(), CURLUPART_QUERY)) curl_url_set(u.get(), CURLUPART_QUERY, "redacted", 0);
  return Part(u.get(), CURLUPART_URL).value_or(url);
}

}  // namespace mcpwatch
