// The probe event loop: one thread drives every HTTP exchange through libcurl's multi socket
// interface on epoll, plus one-shot timers. No thread per probe, and a hung target costs one
// idle socket, never a blocked thread.
//
// Thread-safety: everything except Post() and Stop() must be called on the loop thread (the
// thread inside Run() / RunUntil()). Post() and Stop() may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <tl/expected.hpp>

#include "base/curl.h"

namespace mcpwatch {

class EventLoop {
 public:
  using Clock = std::chrono::steady_clock;
  using TimerId = uint64_t;
  // Called on the loop thread when a transfer added with Add() finishes.
  using DoneFn = std::function<void(CURLcode)>;

  static tl::expected<std::unique_ptr<EventLoop>, std::string> Create(long max_idle_connections);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Starts a configured easy handle; `done` runs once, on the loop thread, when it finishes.
  // A transfer stopped with Remove() gets no callback.
  void Add(CURL* easy, DoneFn done);
  // Stops a transfer now (no callback). Safe to call for a handle that is not active.
  void Remove(CURL* easy);

  TimerId AddTimer(Clock::time_point when, std::function<void()> fn);
  void CancelTimer(TimerId id);

  void Post(std::function<void()> fn);  // any thread
  void Stop();                          // any thread: Run() returns soon after

  // Runs until Stop().
  void Run();
  // Runs until pred() is true (checked after every batch of events) or Stop().
  void RunUntil(const std::function<bool()>& pred);

  std::size_t active_transfers() const { return transfers_.size(); }

 private:
  EventLoop(CurlMulti multi, int epoll_fd, int wake_fd);
  void RunOnce();
  void DrainCompleted();
  void RunDueTimers();
  void RunPosted();
  int NextTimeoutMs() const;

  static int OnSocket(CURL* easy, curl_socket_t s, int what, void* userp, void* socketp);
  static int OnCurlTimer(CURLM* multi, long timeout_ms, void* userp);

  CurlMulti multi_;
  int epoll_fd_;
  int wake_fd_;
  bool stopping_ = false;
  std::unordered_map<CURL*, DoneFn> transfers_;
  // curl's own timeout, or time_point::max() when it wants none.
  Clock::time_point curl_deadline_ = Clock::time_point::max();
  std::multimap<Clock::time_point, TimerId> timer_order_;
  std::unordered_map<TimerId, std::pair<Clock::time_point, std::function<void()>>> timers_;
  TimerId next_timer_id_ = 1;

  std::mutex posted_mu_;  // guards posted_ and stop_requested_
  std::vector<std::function<void()>> posted_;
  bool stop_requested_ = false;
};

}  // namespace mcpwatch
