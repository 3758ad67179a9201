// A `vocflow serve` child process on a free port, its output captured by a thread (so that a
// server logging a lot never blocks on a full pipe).
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <regex>
#include <string>
#include <thread>

namespace vocflow::testing {

class served {
 public:
  // A fresh folder named after `name` (removed at the end), or, with `keep_dir`, the folder
  // `name` as it is (a restart on the same data; left in place).
  explicit served(const std::string& name, bool keep_dir = false)
      : dir_(keep_dir ? std::filesystem::path{name}
                      : std::filesystem::temp_directory_path() / (name + std::to_string(getpid()))),
        owns_dir_(!keep_dir) {
    if (owns_dir_) std::filesystem::remove_all(dir_);
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 1);
      dup2(fds[1], 2);
      close(fds[0]);
      if (chdir(VOCFLOW_SOURCE_DIR) != 0) _exit(126);
      execl(VOCFLOW_BINARY, "vocflow", "serve", "--data", dir_.c_str(), "--port", "0", nullptr);
      _exit(127);
    }
    close(fds[1]);
    fd_ = fds[0];
    // Wait for the ready line (the process starting, not a timer).
    static const std::regex ready{"serving on (http://127.0.0.1:[0-9]+)"};
    std::smatch m;
    while (!std::regex_search(out_, m, ready)) {
      char buf[1024];
      auto n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) {
        ADD_FAILURE() << "serve ended before it was ready:\n" << out_;
        return;
      }
      out_.append(buf, static_cast<size_t>(n));
    }
    url_ = m[1];
    reader_ = std::thread{[this] {
      char buf[4096];
      for (ssize_t n; (n = ::read(fd_, buf, sizeof buf)) > 0;) {
        std::lock_guard lock{mutex_};
        out_.append(buf, static_cast<size_t>(n));
      }
    }};
  }
  // SIGTERM, then waits for the exit (and the end of its output); its exit status.
  int stop() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = 0;
    if (reader_.joinable()) reader_.join();
    close(fd_);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  ~served() {
    if (pid_) stop();
    if (owns_dir_) std::filesystem::remove_all(dir_);
  }
  const std::string& url() const { return url_; }
  std::string output() const {
    std::lock_guard lock{mutex_};
    return out_;
  }
  std::string dir() const { return dir_.string(); }
  pid_t pid() const { return pid_; }

 private:
  std::filesystem::path dir_;
  bool owns_dir_;
  pid_t pid_ = 0;
  int fd_ = -1;
  mutable std::mutex mutex_;
  std::string out_, url_;
  std::thread reader_;
};

}  // namespace vocflow::testing
