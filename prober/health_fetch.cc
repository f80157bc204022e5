#include "prober/health_fetch.h"

#include "checks/excerpt.h"

namespace mcpwatch {

namespace {
constexpr std::size_t kMaxHealthBody = 16 * 1024;  // health bodies are small; more is cut
}

std::unique_ptr<HealthFetch> HealthFetch::Start(EventLoop& loop, const std::string& url,
                                                EventLoop::Clock::time_point deadline,
                                                const std::string& ca_file, Done done) {
  std::unique_ptr<HealthFetch> fetch(new HealthFetch());
  fetch->done_ = std::move(done);
  auto exchange = HttpExchange::Create(loop);
  if (!exchange) {
    fetch->record_.transport = TransportError::kOther;
    fetch->record_.detail = Excerpt(exchange.error(), 300);
    fetch->done_(fetch->record_);
    return fetch;
  }
  fetch->exchange_ = std::move(*exchange);
  HttpRequest req;
  req.method = HttpRequest::Method::kGet;
  req.url = url;
  req.deadline = deadline;
  req.close_after = true;
  req.ca_file = ca_file;
  req.max_body_bytes = kMaxHealthBody;
  HealthFetch* self = fetch.get();
  fetch->exchange_->Start(req, {.on_head =
                                    [self](const HttpResponseHead& head) {
                                      self->record_.http_status = static_cast<int>(head.status);
                                      self->record_.retry_after = Excerpt(head.retry_after, 40);
                                    },
                                .on_data = [](std::string_view) { return true; },
                                .on_done =
                                    [self](const HttpOutcome& out) {
                                      HealthRecord& r = self->record_;
                                      if (r.http_status == 0)
                                        r.http_status = static_cast<int>(out.status);
                                      if (!out.oversize) r.transport = out.transport;
                                      if (r.transport != TransportError::kNone) {
                                        r.http_status = 0;
                                        r.detail = Excerpt(out.error, 300);
                                      }
                                      r.duration = out.total;
                                      self->done_(r);
                                    }});
  return fetch;
}

HealthFetch::~HealthFetch() {
  if (exchange_) exchange_->Cancel();
}

}  // namespace mcpwatch
