#include "checks/redaction.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <type_traits>
#include <utility>

#include "base/encoding.h"

namespace mcpwatch {

namespace {

constexpr std::string_view kCutMark = "...";  // what prober excerpts append where they cut

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "Bearer X" → "X" for scheme "bearer" (case-insensitive scheme, any spaces after it).
std::optional<std::string> AfterScheme(std::string_view value, std::string_view scheme) {
  if (value.size() <= scheme.size() || !EqualsIgnoreCase(value.substr(0, scheme.size()), scheme) ||
      value[scheme.size()] != ' ') {
    return std::nullopt;
  }
  std::string_view rest = Trim(value.substr(scheme.size()));
  if (rest.empty()) return std::nullopt;
  return std::string(rest);
}

std::string JsonEscaped(std::string_view data, bool ensure_ascii) {
  const std::string quoted =
      nlohmann::json(std::string(data))
          .dump(-1, ' ', ensure_ascii, nlohmann::json::error_handler_t::replace);
  return quoted.substr(1, quoted.size() - 2);
}

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  for (auto pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

void AddForms(const std::string& value, std::vector<std::string>& forms) {
  forms.push_back(value);
  for (bool url_safe : {false, true}) {
    for (bool pad : {false, true}) forms.push_back(Base64(value, url_safe, pad));
  }
  for (bool lower : {false, true}) forms.push_back(PercentEncode(value, lower));
  for (bool ascii : {false, true}) {
    std::string json = JsonEscaped(value, ascii);
    forms.push_back(ReplaceAll(json, "/", "\\/"));
    forms.push_back(std::move(json));
  }
}

// Where a form cut short at `cut` starts: the longest proper prefix of `form`, at least
// kMinSecretBytes long, that `text` ends with just before `cut`.
std::optional<std::size_t> CutFormStart(std::string_view text, std::size_t cut,
                                        std::string_view form) {
  const std::string_view head = text.substr(0, cut);
  for (std::size_t k = std::min(form.size() - 1, head.size()); k >= kMinSecretBytes; --k) {
    if (head.compare(head.size() - k, k, form, 0, k) == 0) return head.size() - k;
  }
  return std::nullopt;
}

// Text-free members: numbers, enums, flags, durations, time points, and optionals of those.
// Anything else must have its own ScrubField overload, so a new text member of a transcript
// type cannot slip past redaction: it stops this file compiling instead.
template <typename T>
concept Chrono = requires {
  typename T::rep;
  typename T::period;
};
template <typename T>
concept TextFree = std::is_arithmetic_v<T> || std::is_enum_v<T> || Chrono<T>;

template <TextFree T>
void ScrubField(const Redactor&, T&) {}
template <TextFree T>
void ScrubField(const Redactor&, std::optional<T>&) {}
void ScrubField(const Redactor& r, std::string& text);
void ScrubField(const Redactor& r, ServerInfo& s);
void ScrubField(const Redactor& r, RunTimings& t);
void ScrubField(const Redactor& r, StepRecord& rec);
void ScrubField(const Redactor& r, std::vector<StepRecord>& steps);
void ScrubField(const Redactor& r, std::optional<AuthProblem>& problem);

template <typename... Members>
void ScrubFields(const Redactor& r, Members&... members) {
  (ScrubField(r, members), ...);
}

void ScrubField(const Redactor& r, std::string& text) {
  r.ScrubInPlace(text);
}

// Each binding names every data member: adding one to these structs stops the build here.
void ScrubField(const Redactor& r, ServerInfo& s) {
  auto& [name, version, title] = s;
  ScrubFields(r, name, version, title);
}

void ScrubField(const Redactor& r, RunTimings& t) {
  auto& [dns, connect, tls, total] = t;
  ScrubFields(r, dns, connect, tls, total);
}

void ScrubField(const Redactor& r, StepRecord& rec) {
  auto& [step, transport, transport_detail, http_status, content_type, www_authenticate,
         retry_after, dpop_nonce, had_session, finding, jsonrpc_code, message, ttfb, duration,
         attempts] = rec;
  ScrubFields(r, step, transport, transport_detail, http_status, content_type, www_authenticate,
              retry_after, dpop_nonce, had_session, finding, jsonrpc_code, message, ttfb, duration,
              attempts);
}

void ScrubField(const Redactor& r, std::vector<StepRecord>& steps) {
  for (StepRecord& rec : steps) ScrubField(r, rec);
}

void ScrubField(const Redactor& r, std::optional<AuthProblem>& problem) {
  if (!problem) return;
  auto& [cls, message] = *problem;
  ScrubFields(r, cls, message);
}

}  // namespace

Redactor::Redactor(const std::vector<std::string>& secrets) {
  // A "Bearer X" or "Basic X" value is matched whole, but only X (and what it decodes to) may be
  // recognised cut short: "...Authorization: Bearer" at the end of a text is no secret.
  for (const std::string& secret : secrets) {
    std::vector<std::string> parts;
    if (auto token = AfterScheme(secret, "bearer")) parts.push_back(std::move(*token));
    if (auto credentials = AfterScheme(secret, "basic")) {
      parts.push_back(*credentials);
      if (auto decoded = DecodeBase64(*credentials)) {
        const std::size_t colon = decoded->find(':');
        if (colon != std::string::npos) parts.push_back(decoded->substr(colon + 1));
        parts.push_back(std::move(*decoded));
      }
    }
    if (secret.size() >= kMinSecretBytes) AddForms(secret, forms_);
    if (parts.empty() && secret.size() >= kMinSecretBytes) AddForms(secret, cut_forms_);
    for (const std::string& part : parts) {
      if (part.size() < kMinSecretBytes) continue;
      AddForms(part, forms_);
      AddForms(part, cut_forms_);
    }
  }
  for (std::vector<std::string>* list : {&forms_, &cut_forms_}) {
    std::erase_if(*list, [](const std::string& f) { return f.size() < kMinSecretBytes; });
    std::sort(list->begin(), list->end(), [](const std::string& a, const std::string& b) {
      return a.size() != b.size() ? a.size() > b.size() : a < b;
    });
    list->erase(std::unique(list->begin(), list->end()), list->end());
  }
}

std::string Redactor::Scrub(std::string_view text) const {
  std::vector<std::pair<std::size_t, std::size_t>> spans;  // [begin, end) of secret bytes
  for (const std::string& form : forms_) {
    for (auto pos = text.find(form); pos != std::string_view::npos;
         pos = text.find(form, pos + 1)) {
      spans.emplace_back(pos, pos + form.size());
    }
  }
  if (!cut_forms_.empty()) {
    std::vector<std::size_t> cuts = {text.size()};
    for (auto pos = text.find(kCutMark); pos != std::string_view::npos;
         pos = text.find(kCutMark, pos + 1)) {
      cuts.push_back(pos);
    }
    for (std::size_t cut : cuts) {
      for (const std::string& form : cut_forms_) {
        if (auto begin = CutFormStart(text, cut, form)) spans.emplace_back(*begin, cut);
      }
    }
  }
  if (spans.empty()) return std::string(text);
  std::sort(spans.begin(), spans.end());
  std::string out;
  out.reserve(text.size());
  std::size_t done = 0;  // bytes of `text` already copied or redacted
  for (std::size_t i = 0; i < spans.size();) {
    auto [begin, end] = spans[i];
    for (++i; i < spans.size() && spans[i].first <= end; ++i) end = std::max(end, spans[i].second);
    out.append(text.substr(done, begin - done));
    out.append(kRedactedMarker);
    done = end;
  }
  out.append(text.substr(done));
  return out;
}

void Redactor::ScrubInPlace(std::string& text) const {
  if (forms_.empty()) return;
  text = Scrub(text);
}

void Redact(Transcript& transcript, const Redactor& redactor) {
  if (redactor.empty()) return;
  auto& [transport, era, protocol_version, era_reason, era_detection, server, tool_count,
         tools_hash, tools_canonical, timings, cert_not_after, deadline_exceeded, auth_problem,
         steps, health] = transcript;
  if (health) {
    redactor.ScrubInPlace(health->detail);
    redactor.ScrubInPlace(health->retry_after);
  }
  // tools_hash stays as sent: a digest reveals nothing, drift detection compares it run to run,
  // and a short hex-looking secret must not mangle it.
  ScrubFields(redactor, transport, era, protocol_version, era_reason, era_detection, server,
              tool_count, tools_canonical, timings, cert_not_after, deadline_exceeded, auth_problem,
              steps);
  (void)tools_hash;
}

std::vector<std::string> SpecSecrets(const ProbeSpec& spec,
                                     const std::vector<std::string>& secret_header_names) {
  static constexpr std::array<std::string_view, 3> kAlwaysSecret = {
      "Authorization", "Proxy-Authorization", "Cookie"};
  std::vector<std::string> secrets;
  if (!spec.bearer_token.empty()) secrets.push_back(spec.bearer_token);
  for (const std::string& line : spec.headers) {
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string_view name = Trim(std::string_view(line).substr(0, colon));
    const std::string_view value = Trim(std::string_view(line).substr(colon + 1));
    const auto named = [&](std::string_view n) { return EqualsIgnoreCase(n, name); };
    if (value.empty() ||
        (std::none_of(kAlwaysSecret.begin(), kAlwaysSecret.end(), named) &&
         std::none_of(secret_header_names.begin(), secret_header_names.end(), named))) {
      continue;
    }
    secrets.emplace_back(value);
    if (!EqualsIgnoreCase(name, "Cookie")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const std::size_t end = std::min(rest.find(';'), rest.size());
      const std::string_view pair = rest.substr(0, end);
      if (const std::size_t eq = pair.find('='); eq != std::string_view::npos) {
        if (auto v = Trim(pair.substr(eq + 1)); !v.empty()) secrets.emplace_back(v);
      }
      rest.remove_prefix(std::min(end + 1, rest.size()));
    }
  }
  return secrets;
}

}  // namespace mcpwatch
