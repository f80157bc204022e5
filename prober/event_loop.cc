#include "prober/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <mutex>

namespace mcpwatch {

tl::expected<std::unique_ptr<EventLoop>, std::string> EventLoop::Create(long max_idle_connections) {
  EnsureCurlGlobalInit();
  CurlMulti multi(curl_multi_init());
  if (!multi) return tl::unexpected(std::string("curl_multi_init failed"));
  int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) return tl::unexpected(std::string("epoll_create1: ") + std::strerror(errno));
  int wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd < 0) {
    close(epoll_fd);
    return tl::unexpected(std::string("eventfd: ") + std::strerror(errno));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd;
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_fd, &ev);
  curl_multi_setopt(multi.get(), CURLMOPT_MAXCONNECTS, max_idle_connections);
  std::unique_ptr<EventLoop> loop(new EventLoop(std::move(multi), epoll_fd, wake_fd));
  curl_multi_setopt(loop->multi_.get(), CURLMOPT_SOCKETFUNCTION, &EventLoop::OnSocket);
  curl_multi_setopt(loop->multi_.get(), CURLMOPT_SOCKETDATA, loop.get());
  curl_multi_setopt(loop->multi_.get(), CURLMOPT_TIMERFUNCTION, &EventLoop::OnCurlTimer);
  curl_multi_setopt(loop->multi_.get(), CURLMOPT_TIMERDATA, loop.get());
  return loop;
}

EventLoop::EventLoop(CurlMulti multi, int epoll_fd, int wake_fd)
    : multi_(std::move(multi)), epoll_fd_(epoll_fd), wake_fd_(wake_fd) {}

EventLoop::~EventLoop() {
  for (auto& [easy, done] : transfers_) curl_multi_remove_handle(multi_.get(), easy);
  transfers_.clear();
  multi_.reset();  // closes cached connections while the epoll fd still exists
  close(wake_fd_);
  close(epoll_fd_);
}

void EventLoop::Add(CURL* easy, DoneFn done) {
  transfers_[easy] = std::move(done);
  curl_multi_add_handle(multi_.get(), easy);
}

void EventLoop::Remove(CURL* easy) {
  if (transfers_.erase(easy) > 0) curl_multi_remove_handle(multi_.get(), easy);
}

EventLoop::TimerId EventLoop::AddTimer(Clock::time_point when, std::function<void()> fn) {
  TimerId id = next_timer_id_++;
  timers_.emplace(id, std::make_pair(when, std::move(fn)));
  timer_order_.emplace(when, id);
  return id;
}

void EventLoop::CancelTimer(TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  auto [lo, hi] = timer_order_.equal_range(it->second.first);
  for (auto o = lo; o != hi; ++o) {
    if (o->second == id) {
      timer_order_.erase(o);
      break;
    }
  }
  timers_.erase(it);
}

void EventLoop::Post(std::function<void()> fn) {
  {
    std::lock_guard lock(posted_mu_);
    posted_.push_back(std::move(fn));
  }
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
}

void EventLoop::Stop() {
  {
    std::lock_guard lock(posted_mu_);
    stop_requested_ = true;
  }
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
}

void EventLoop::Run() {
  RunUntil([] { return false; });
}

void EventLoop::RunUntil(const std::function<bool()>& pred) {
  stopping_ = false;
  while (!stopping_ && !pred()) RunOnce();
}

int EventLoop::NextTimeoutMs() const {
  auto next = curl_deadline_;
  if (!timer_order_.empty()) next = std::min(next, timer_order_.begin()->first);
  if (next == Clock::time_point::max()) return 1000;
  auto now = Clock::now();
  if (next <= now) return 0;
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(next - now).count();
  return static_cast<int>(std::min<long long>(ms, 1000));
}

void EventLoop::RunOnce() {
  std::array<epoll_event, 256> events;
  int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), NextTimeoutMs());
  int running = 0;
  for (int i = 0; i < n; ++i) {
    const epoll_event& ev = events[static_cast<std::size_t>(i)];
    if (ev.data.fd == wake_fd_) {
      uint64_t drained;
      [[maybe_unused]] ssize_t r = read(wake_fd_, &drained, sizeof drained);
      continue;
    }
    int mask = 0;
    if (ev.events & EPOLLIN) mask |= CURL_CSELECT_IN;
    if (ev.events & EPOLLOUT) mask |= CURL_CSELECT_OUT;
    if (ev.events & (EPOLLERR | EPOLLHUP)) mask |= CURL_CSELECT_ERR;
    curl_multi_socket_action(multi_.get(), ev.data.fd, mask, &running);
  }
  if (curl_deadline_ <= Clock::now()) {
    curl_deadline_ = Clock::time_point::max();
    curl_multi_socket_action(multi_.get(), CURL_SOCKET_TIMEOUT, 0, &running);
  }
  DrainCompleted();
  RunDueTimers();
  RunPosted();
}

void EventLoop::DrainCompleted() {
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    CURLcode code = msg->data.result;
    auto it = transfers_.find(easy);
    curl_multi_remove_handle(multi_.get(), easy);
    if (it == transfers_.end()) continue;
    DoneFn done = std::move(it->second);
    transfers_.erase(it);
    done(code);  // may Add() the same handle again
  }
}

void EventLoop::RunDueTimers() {
  auto now = Clock::now();
  while (!timer_order_.empty() && timer_order_.begin()->first <= now) {
    TimerId id = timer_order_.begin()->second;
    timer_order_.erase(timer_order_.begin());
    auto it = timers_.find(id);
    if (it == timers_.end()) continue;
    auto fn = std::move(it->second.second);
    timers_.erase(it);
    fn();
  }
}

void EventLoop::RunPosted() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(posted_mu_);
    batch.swap(posted_);
    if (stop_requested_) {
      stopping_ = true;
      stop_requested_ = false;
    }
  }
  for (auto& fn : batch) fn();
}

int EventLoop::OnSocket(CURL*, curl_socket_t s, int what, void* userp, void*) {
  auto* self = static_cast<EventLoop*>(userp);
  if (what == CURL_POLL_REMOVE) {
    epoll_ctl(self->epoll_fd_, EPOLL_CTL_DEL, s, nullptr);
    return 0;
  }
  epoll_event ev{};
  ev.data.fd = s;
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) ev.events |= EPOLLIN;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) ev.events |= EPOLLOUT;
  if (epoll_ctl(self->epoll_fd_, EPOLL_CTL_MOD, s, &ev) != 0 && errno == ENOENT) {
    epoll_ctl(self->epoll_fd_, EPOLL_CTL_ADD, s, &ev);
  }
  return 0;
}

int EventLoop::OnCurlTimer(CURLM*, long timeout_ms, void* userp) {
  auto* self = static_cast<EventLoop*>(userp);
  self->curl_deadline_ = timeout_ms < 0 ? Clock::time_point::max()
                                        : Clock::now() + std::chrono::milliseconds(timeout_ms);
  return 0;
}

}  // namespace mcpwatch
