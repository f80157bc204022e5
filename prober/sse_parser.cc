#include "prober/sse_parser.h"

#include <utility>

namespace mcpwatch::sse {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr long kMaxRetryMs = 60L * 60L * 1000L;  // larger values are ignored, not clamped

// WHATWG: the value only counts when it is one or more ASCII digits.
std::optional<int> ParseRetry(std::string_view value) {
  if (value.empty()) return std::nullopt;
  long ms = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    ms = ms * 10 + (c - '0');
    if (ms > kMaxRetryMs) return std::nullopt;
  }
  return static_cast<int>(ms);
}

}  // namespace

std::string_view ToString(Status s) {
  switch (s) {
    case Status::kOk: return "ok";
    case Status::kEventTooLarge: return "event_too_large";
    case Status::kTooManyEvents: return "too_many_events";
  }
  return "unknown";
}

Parser::Parser(Limits limits) : limits_(limits) {}

Status Parser::Feed(std::string_view chunk, const std::function<void(const StreamEvent&)>& on_event) {
  if (status_ != Status::kOk) return status_;
  // The BOM may itself arrive split across chunks, so hold up to three leading bytes.
  while (!bom_done_ && !chunk.empty()) {
    if (chunk.front() == kBom[bom_prefix_.size()]) {
      bom_prefix_.push_back(chunk.front());
      chunk.remove_prefix(1);
      if (bom_prefix_.size() == kBom.size()) {
        bom_done_ = true;
        bom_prefix_.clear();
      }
    } else {
      bom_done_ = true;
      std::string held = std::exchange(bom_prefix_, std::string());
      FeedLines(held, on_event);
    }
  }
  if (status_ == Status::kOk && !chunk.empty()) FeedLines(chunk, on_event);
  return status_;
}

void Parser::FeedLines(std::string_view bytes, const std::function<void(const StreamEvent&)>& on_event) {
  std::size_t pos = 0;
  if (pending_cr_ && !bytes.empty()) {
    pending_cr_ = false;
    if (bytes.front() == '\n') pos = 1;
  }
  while (pos < bytes.size() && status_ == Status::kOk) {
    const std::size_t end = bytes.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) {
      // Check before copying, so one huge chunk is never buffered.
      if (buffered_bytes() + (bytes.size() - pos) > limits_.max_event_bytes) {
        Fail(Status::kEventTooLarge);
        return;
      }
      line_.append(bytes.substr(pos));
      return;
    }
    const std::string_view piece = bytes.substr(pos, end - pos);
    if (buffered_bytes() + piece.size() > limits_.max_event_bytes) {
      Fail(Status::kEventTooLarge);
      return;
    }
    if (line_.empty()) {
      ProcessLine(piece, on_event);
    } else {
      line_.append(piece);
      const std::string line = std::exchange(line_, std::string());
      ProcessLine(line, on_event);
    }
    pos = end + 1;
    if (bytes[end] == '\r') {
      if (pos < bytes.size()) {
        if (bytes[pos] == '\n') ++pos;
      } else {
        pending_cr_ = true;
      }
    }
  }
}

void Parser::ProcessLine(std::string_view line, const std::function<void(const StreamEvent&)>& on_event) {
  if (line.empty()) {
    Dispatch(on_event);
    return;
  }
  if (line.front() == ':') return;  // comment (keep-alive)
  std::string_view field = line;
  std::string_view value;
  if (const std::size_t colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (data_lines_ > 0) data_.push_back('\n');
    data_.append(value);
    ++data_lines_;
    CheckBound();
  } else if (field == "event") {
    type_.assign(value);
    CheckBound();
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) last_event_id_.assign(value);
  } else if (field == "retry") {
    if (auto ms = ParseRetry(value)) retry_ms_ = ms;
  }
  // Any other field is ignored (WHATWG).
}

void Parser::Dispatch(const std::function<void(const StreamEvent&)>& on_event) {
  if (data_lines_ == 0) {
    type_.clear();
    return;
  }
  if (events_ >= limits_.max_events) {
    Fail(Status::kTooManyEvents);
    return;
  }
  ++events_;
  const StreamEvent event{std::exchange(type_, std::string()), std::exchange(data_, std::string()),
                    last_event_id_};
  data_lines_ = 0;
  if (on_event) on_event(event);
}

bool Parser::CheckBound() {
  if (buffered_bytes() <= limits_.max_event_bytes) return true;
  Fail(Status::kEventTooLarge);
  return false;
}

void Parser::Fail(Status s) {
  status_ = s;
  // Release memory at once: a failed parser never dispatches again.
  std::string().swap(line_);
  std::string().swap(data_);
  std::string().swap(type_);
  data_lines_ = 0;
}

}  // namespace mcpwatch::sse
