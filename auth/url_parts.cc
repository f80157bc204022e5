#include "auth/url_parts.h"

#include "base/ascii_lower.h"
#include "base/curl.h"

namespace mcpwatch {
namespace {

std::string Part(CURLU* u, CURLUPart part) {
  char* value = nullptr;
  if (curl_url_get(u, part, &value, 0) != CURLUE_OK || value == nullptr) return "";
  std::string out(value);
  curl_free(value);
  return out;
}

}  // namespace

tl::expected<UrlParts, std::string> SplitUrl(std::string_view url) {
  CurlUrl u(curl_url());
  if (!u) return tl::unexpected(std::string("out of memory"));
  std::string text(url);
  if (curl_url_set(u.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    return tl::unexpected(std::string("not a valid URL"));
  }
  UrlParts out;
  out.scheme = AsciiLower(Part(u.get(), CURLUPART_SCHEME));
  if (out.scheme != "http" && out.scheme != "https") {
    return tl::unexpected(std::string("not an http or https URL"));
  }
  out.host = AsciiLower(Part(u.get(), CURLUPART_HOST));
  if (out.host.empty()) return tl::unexpected(std::string("the URL has no host"));
  out.origin = out.scheme + "://" + out.host;
  if (std::string port = Part(u.get(), CURLUPART_PORT); !port.empty()) out.origin += ":" + port;
  out.path = Part(u.get(), CURLUPART_PATH);
  if (out.path == "/") out.path.clear();
  out.query = Part(u.get(), CURLUPART_QUERY);
  return out;
}

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "[::1]" || host == "::1" || host.substr(0, 4) == "127.";
}

std::string CheckEndpointUrl(std::string_view url, std::string_view what) {
  auto parts = SplitUrl(url);
  if (!parts) return std::string(what) + " is " + parts.error();
  if (parts->scheme == "http" && !IsLoopbackHost(parts->host)) {
    return std::string(what) + " is plain http to a host that is not loopback (https required)";
  }
  return "";
}

std::string WithoutQueryAndFragment(std::string_view url) {
  return std::string(url.substr(0, url.find_first_of("?#")));
}

std::string AppendQuery(std::string_view url, std::string_view query) {
  std::string out(url.substr(0, url.find('#')));
  if (query.empty()) return out;
  if (out.find('?') == std::string::npos) {
    out += '?';
  } else if (out.back() != '?' && out.back() != '&') {
    out += '&';
  }
  out += query;
  return out;
}

}  // namespace mcpwatch
