// The SSE stream parser (prober/sse_parser.h) as a hostile server drives it: any bytes, cut into
// chunks whose sizes come from the input (FuzzedDataProvider takes them from its end, so the
// seed streams at its front stay readable). Properties: the bounds hold after every chunk, a
// failed parser stays failed, and the events do not depend on where the chunks were cut.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fuzz/check.h"
#include "prober/sse_parser.h"

namespace {

using mcpwatch::sse::Limits;
using mcpwatch::sse::Parser;
using mcpwatch::sse::Status;
using mcpwatch::sse::StreamEvent;

struct Outcome {
  std::vector<StreamEvent> events;
  Status status = Status::kOk;
  std::string last_event_id;
  std::optional<int> retry_ms;
};

Outcome Finish(const Parser& parser, std::vector<StreamEvent> events) {
  return {std::move(events), parser.status(), parser.last_event_id(), parser.retry_ms()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  Limits limits;
  if (in.ConsumeBool()) {  // small bounds, so the input can reach them
    limits.max_event_bytes = in.ConsumeIntegralInRange<std::size_t>(1, 512);
    limits.max_events = in.ConsumeIntegralInRange<std::size_t>(1, 16);
  }
  std::vector<std::string> chunks;
  std::string whole;
  while (in.remaining_bytes() > 0) {
    chunks.push_back(in.ConsumeBytesAsString(in.ConsumeIntegralInRange<std::size_t>(0, 64)));
    whole += chunks.back();
  }

  Parser chunked(limits);
  std::vector<StreamEvent> events;
  for (const std::string& chunk : chunks) {
    const Status was = chunked.status();
    const Status now = chunked.Feed(chunk, [&](const StreamEvent& e) { events.push_back(e); });
    FUZZ_CHECK(now == chunked.status());
    FUZZ_CHECK(was == Status::kOk || now == was);  // once failed, stays failed
    FUZZ_CHECK(now == Status::kOk ? chunked.buffered_bytes() <= limits.max_event_bytes
                                  : chunked.buffered_bytes() == 0);
    FUZZ_CHECK(chunked.events() <= limits.max_events && chunked.events() == events.size());
  }
  const Outcome split = Finish(chunked, std::move(events));

  Parser at_once(limits);
  std::vector<StreamEvent> all;
  at_once.Feed(whole, [&](const StreamEvent& e) { all.push_back(e); });
  const Outcome one = Finish(at_once, std::move(all));
  FUZZ_CHECK(split.status == one.status);
  FUZZ_CHECK(split.events == one.events);
  if (one.status == Status::kOk) {
    FUZZ_CHECK(split.last_event_id == one.last_event_id && split.retry_ms == one.retry_ms);
  }
  return 0;
}
