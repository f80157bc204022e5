// Incremental, bounded parser for WHATWG server-sent events (text/event-stream), as used by
// MCP's Streamable HTTP and legacy HTTP+SSE transports. Pure byte processing, no I/O.
// Not thread-safe: one parser per stream, fed from one thread.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace mcpwatch::sse {

struct StreamEvent {
  std::string type;  // "" when no event: field (means "message")
  std::string data;  // data lines joined with '\n'
  std::string id;    // the last event id in force when dispatched

  bool operator==(const StreamEvent&) const = default;
};

struct Limits {
  std::size_t max_event_bytes = 8 * 1024 * 1024;  // data+line buffer bound per event
  std::size_t max_events = 100000;                // events per stream (after which: kTooManyEvents)
};

enum class Status { kOk, kEventTooLarge, kTooManyEvents };
std::string_view ToString(Status s);  // "ok" | "event_too_large" | "too_many_events"

class Parser {
 public:
  explicit Parser(Limits limits = {});

  // Feeds a chunk (any split, even mid-CRLF or mid-UTF-8). Calls on_event for each complete
  // event that had at least one data: line, INCLUDING empty-data (priming) events: the caller
  // decides to skip them. Returns the parser status; once not kOk it stays failed, drops its
  // buffers and ignores further input. Buffers at most ~max_event_bytes + one chunk.
  // The StreamEvent reference is valid only during the callback.
  Status Feed(std::string_view chunk, const std::function<void(const StreamEvent&)>& on_event);

  Status status() const { return status_; }
  const std::string& last_event_id() const { return last_event_id_; }  // persists (WHATWG)
  std::optional<int> retry_ms() const { return retry_ms_; }            // last valid retry: field
  std::size_t events() const { return events_; }                       // dispatched so far
  // Bytes held for the event in progress (partial line, data and type so far); bounded by
  // max_event_bytes while status() is kOk, 0 after a failure.
  std::size_t buffered_bytes() const { return line_.size() + data_.size() + type_.size(); }

 private:
  void FeedLines(std::string_view bytes, const std::function<void(const StreamEvent&)>& on_event);
  void ProcessLine(std::string_view line, const std::function<void(const StreamEvent&)>& on_event);
  void Dispatch(const std::function<void(const StreamEvent&)>& on_event);
  bool CheckBound();
  void Fail(Status s);

  Limits limits_;
  Status status_ = Status::kOk;
  bool bom_done_ = false;
  std::string bom_prefix_;   // bytes of a possible BOM seen at the very start of the stream
  bool pending_cr_ = false;  // the previous chunk ended in CR: a leading LF belongs to it
  std::string line_;         // the incomplete line carried over between chunks
  std::string data_;
  std::size_t data_lines_ = 0;
  std::string type_;
  std::string last_event_id_;
  std::optional<int> retry_ms_;
  std::size_t events_ = 0;
};

}  // namespace mcpwatch::sse
