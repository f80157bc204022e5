#include "auth/www_authenticate.h"

#include "base/ascii_lower.h"

namespace mcpwatch {
namespace {

bool IsTchar(char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~': return true;
    default: return false;
  }
}

bool IsToken68Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

// A cursor over the header; every reader stops at the end without reading past it.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek(std::size_t ahead = 0) const {
    return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0';
  }
  std::size_t pos() const { return pos_; }
  void Seek(std::size_t p) { pos_ = p; }
  void SkipSpaces() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t')) ++pos_;
  }
  void SkipSpacesAndCommas() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t' || Peek() == ',')) ++pos_;
  }
  std::string_view Token() {
    std::size_t start = pos_;
    while (!AtEnd() && IsTchar(Peek())) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  // A quoted-string with \-escapes; nullopt when unterminated.
  std::optional<std::string> Quoted() {
    ++pos_;  // the opening quote
    std::string out;
    while (!AtEnd()) {
      char c = s_[pos_++];
      if (c == '"') return out;
      if (c == '\\') {
        if (AtEnd()) return std::nullopt;
        c = s_[pos_++];
      }
      out += c;
    }
    return std::nullopt;
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

std::string At(const Reader& r) {
  return " at byte " + std::to_string(r.pos());
}

// After the scheme: a token68 ("abc==" followed by the end or a comma)?
bool LooksLikeToken68(const Reader& r) {
  std::size_t i = 0;
  while (IsToken68Char(r.Peek(i))) ++i;
  if (i == 0) return false;
  std::size_t j = i;
  while (r.Peek(j) == '=') ++j;
  std::size_t k = j;
  while (r.Peek(k) == ' ' || r.Peek(k) == '\t') ++k;
  const char next = r.Peek(k);
  // "name=value" is a parameter; "abc" alone or "abc=" / "abc==" before , or the end is token68.
  if (next != '\0' && next != ',') return false;
  return j > i || next == '\0' || next == ',';
}

}  // namespace

const std::string* AuthChallenge::Param(std::string_view name) const {
  for (const auto& [key, value] : params) {
    if (key == name) return &value;
  }
  return nullptr;
}

tl::expected<std::vector<AuthChallenge>, std::string> ParseWwwAuthenticate(
    std::string_view header) {
  if (header.size() > kMaxHeaderBytes) {
    return tl::unexpected("WWW-Authenticate is longer than " + std::to_string(kMaxHeaderBytes) +
                          " bytes");
  }
  std::vector<AuthChallenge> out;
  Reader r(header);
  r.SkipSpacesAndCommas();
  while (!r.AtEnd()) {
    std::string_view scheme = r.Token();
    if (scheme.empty()) return tl::unexpected("WWW-Authenticate: expected a scheme" + At(r));
    if (out.size() == kMaxChallenges) {
      return tl::unexpected("WWW-Authenticate holds more than " + std::to_string(kMaxChallenges) +
                            " challenges");
    }
    AuthChallenge challenge;
    challenge.scheme = AsciiLower(scheme);
    r.SkipSpaces();
    if (LooksLikeToken68(r)) {
      std::size_t start = r.pos();
      while (IsToken68Char(r.Peek()) || r.Peek() == '=') r.Seek(r.pos() + 1);
      challenge.token68 = std::string(header.substr(start, r.pos() - start));
    } else {
      // auth-params until the next token that is not followed by '=' (the next challenge).
      while (true) {
        r.SkipSpacesAndCommas();
        std::size_t param_start = r.pos();
        std::string_view name = r.Token();
        if (name.empty()) {
          if (r.AtEnd()) break;
          return tl::unexpected("WWW-Authenticate: expected a parameter name" + At(r));
        }
        r.SkipSpaces();
        if (r.Peek() != '=') {
          r.Seek(param_start);  // a new challenge's scheme
          break;
        }
        r.Seek(r.pos() + 1);
        r.SkipSpaces();
        std::string value;
        if (r.Peek() == '"') {
          auto quoted = r.Quoted();
          if (!quoted)
            return tl::unexpected(
                std::string("WWW-Authenticate: unterminated quoted "
                            "string"));
          value = std::move(*quoted);
        } else {
          std::string_view token = r.Token();
          if (token.empty()) {
            return tl::unexpected("WWW-Authenticate: parameter " + std::string(name) +
                                  " has no value" + At(r));
          }
          value = std::string(token);
        }
        if (challenge.params.size() == kMaxParams) {
          return tl::unexpected("WWW-Authenticate: a challenge holds more than " +
                                std::to_string(kMaxParams) + " parameters");
        }
        challenge.params.emplace_back(AsciiLower(name), std::move(value));
        r.SkipSpaces();
        if (!r.AtEnd() && r.Peek() != ',') {
          return tl::unexpected("WWW-Authenticate: expected ',' after a parameter" + At(r));
        }
      }
    }
    out.push_back(std::move(challenge));
    r.SkipSpacesAndCommas();
  }
  if (out.empty()) return tl::unexpected(std::string("WWW-Authenticate is empty"));
  return out;
}

std::optional<ResourceChallenge> ReadResourceChallenge(std::string_view header) {
  auto challenges = ParseWwwAuthenticate(header);
  if (!challenges) return std::nullopt;
  for (const auto& c : *challenges) {
    if (c.scheme != "bearer" && c.scheme != "dpop") continue;
    ResourceChallenge out;
    out.scheme = c.scheme;
    if (const auto* v = c.Param("resource_metadata")) out.resource_metadata = *v;
    if (const auto* v = c.Param("scope")) out.scope = *v;
    if (const auto* v = c.Param("error")) out.error = *v;
    if (const auto* v = c.Param("error_description")) out.error_description = *v;
    return out;
  }
  return std::nullopt;
}

}  // namespace mcpwatch
