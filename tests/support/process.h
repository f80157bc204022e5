#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/paths.h"

namespace mcpwatch::test {

struct ProcessResult {
  int exit_code = -1;   // -1 when killed by a signal
  int term_signal = 0;  // the signal that ended it, 0 if it exited
  std::string out;
  std::string err;
  bool timed_out = false;
};

// Runs argv to completion (stdin /dev/null, PATH lookup for argv[0]), capturing stdout/stderr,
// killing its process group with SIGKILL after `timeout`. `env` entries "K=V" are added to (or
// replace in) the inherited environment. Blocking.
ProcessResult RunProcess(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                         const std::vector<std::string>& env = {});

// A background child in its own process group; stdout/stderr go to files in a TempDir.
// Not thread-safe.
class Subprocess {
 public:
  // Throws std::runtime_error when the program cannot be started.
  static Subprocess Start(const std::vector<std::string>& argv,
                          const std::vector<std::string>& env = {});
  ~Subprocess();  // SIGTERM to the group, wait 3 s, then SIGKILL the group
  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&& other) noexcept;
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  // Waits until a stdout line matches `regex` (std::regex_search); returns the first capture
  // group, or the whole line when the regex has none. nullopt on timeout or if the process
  // exits without printing such a line.
  std::optional<std::string> WaitForLine(const std::string& regex,
                                         std::chrono::milliseconds timeout);
  void Signal(int sig);  // to the child only (not the group)
  // Exit code (128 + signal number when killed by a signal); nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  bool Running();
  std::string Stdout();
  std::string Stderr();

 private:
  Subprocess() = default;
  bool Reap(bool block);
  void Terminate();

  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::unique_ptr<TempDir> dir_;
};

}  // namespace mcpwatch::test
