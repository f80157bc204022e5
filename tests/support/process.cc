#include "tests/support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace mcpwatch::test {

namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> MergedEnv(const std::vector<std::string>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string key = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const auto& x : extra) overridden = overridden || x.substr(0, x.find('=')) == key;
    if (!overridden) out.push_back(entry);
  }
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// RAII for the posix_spawn helper objects.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
    // Own process group, default signal dispositions and an empty mask for the child.
    posix_spawnattr_setflags(
        &attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t empty;
    sigemptyset(&empty);
    posix_spawnattr_setsigmask(&attr, &empty);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&defaults, sig);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

pid_t Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
            SpawnSetup& setup) {
  if (argv.empty()) throw std::runtime_error("empty argv");
  std::vector<std::string> args = argv;
  std::vector<std::string> envs = MergedEnv(env);
  auto c_args = CStrings(args);
  auto c_env = CStrings(envs);
  pid_t pid = -1;
  const int rc =
      posix_spawnp(&pid, args[0].c_str(), &setup.actions, &setup.attr, c_args.data(), c_env.data());
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                         const std::vector<std::string>& env) {
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    throw std::runtime_error("pipe failed");
  }
  pid_t pid = -1;
  {
    SpawnSetup setup;
    posix_spawn_file_actions_adddup2(&setup.actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&setup.actions, err_pipe[1], 2);
    try {
      pid = Spawn(argv, env, setup);
    } catch (...) {
      for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
      throw;
    }
  }
  close(out_pipe[1]);
  close(err_pipe[1]);

  ProcessResult result;
  const auto deadline = Clock::now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  while (open_fds > 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 && !result.timed_out) {
      result.timed_out = true;
      kill(-pid, SIGKILL);
    }
    const int wait_ms =
        result.timed_out ? 1000 : static_cast<int>(std::min<int64_t>(left.count(), 100));
    const int n = poll(fds, 2, wait_ms);
    if (n < 0 && errno != EINTR) break;
    if (n == 0 && result.timed_out) break;  // killed, but something still holds the pipes
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      char buf[65536];
      const ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    result.term_signal = WTERMSIG(status);
  } else if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  }
  return result;
}

Subprocess Subprocess::Start(const std::vector<std::string>& argv,
                             const std::vector<std::string>& env) {
  Subprocess proc;
  proc.dir_ = std::make_unique<TempDir>();
  SpawnSetup setup;
  posix_spawn_file_actions_addopen(&setup.actions, 1, proc.dir_->File("stdout").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&setup.actions, 2, proc.dir_->File("stderr").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  proc.pid_ = Spawn(argv, env, setup);
  return proc;
}

Subprocess::~Subprocess() {
  Terminate();
}

Subprocess::Subprocess(Subprocess&& other) noexcept
    : pid_(other.pid_), exit_code_(other.exit_code_), dir_(std::move(other.dir_)) {
  other.pid_ = -1;
}

Subprocess& Subprocess::operator=(Subprocess&& other) noexcept {
  if (this != &other) {
    Terminate();
    pid_ = other.pid_;
    exit_code_ = other.exit_code_;
    dir_ = std::move(other.dir_);
    other.pid_ = -1;
  }
  return *this;
}

void Subprocess::Terminate() {
  if (pid_ <= 0) return;
  if (!exit_code_) {
    kill(-pid_, SIGTERM);
    if (!Wait(std::chrono::seconds(3))) {
      kill(-pid_, SIGKILL);
      Reap(true);
    }
  }
  kill(-pid_, SIGKILL);  // stragglers left in the group
  pid_ = -1;
}

bool Subprocess::Reap(bool block) {
  if (exit_code_) return true;
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    exit_code_ = DecodeStatus(status);
    return true;
  }
  if (r < 0) exit_code_ = -1;  // not our child any more (already reaped elsewhere)
  return r < 0;
}

void Subprocess::Signal(int sig) {
  if (pid_ > 0 && !exit_code_) kill(pid_, sig);
}

std::optional<int> Subprocess::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (Reap(false)) return exit_code_;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

bool Subprocess::Running() {
  return pid_ > 0 && !Reap(false);
}

std::string Subprocess::Stdout() {
  return dir_ ? ReadFile(dir_->File("stdout")) : std::string();
}
std::string Subprocess::Stderr() {
  return dir_ ? ReadFile(dir_->File("stderr")) : std::string();
}

std::optional<std::string> Subprocess::WaitForLine(const std::string& regex,
                                                   std::chrono::milliseconds timeout) {
  const std::regex re(regex);
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const bool exited = !Running();
    const std::string out = Stdout();
    std::size_t start = 0;
    for (auto nl = out.find('\n'); nl != std::string::npos; nl = out.find('\n', start)) {
      const std::string line = out.substr(start, nl - start);
      start = nl + 1;
      std::smatch m;
      if (std::regex_search(line, m, re)) return m.size() > 1 ? m[1].str() : line;
    }
    if (exited || Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace mcpwatch::test
