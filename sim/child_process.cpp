#include "sim/child_process.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "sim/errors.hpp"

namespace sparsim {

ChildProcess::~ChildProcess() {
  if (fd_ >= 0) ::close(fd_);
  if (pid_ > 0) {
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

void ChildProcess::start(const std::function<std::string()>& work) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  std::fflush(nullptr);  // nothing buffered is written twice
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(fds[0]);
    // 'R' + the result, 'E' + an input error's message, 'X' + any other failure.
    std::string text;
    try {
      text = "R";
      text += work();
    } catch (const InputError& e) {
      text = "E";
      text += e.what();
    } catch (const std::exception& e) {
      text = "X";
      text += e.what();
    }
    for (std::size_t done = 0; done < text.size();) {
      const ssize_t n = ::write(fds[1], text.data() + done, text.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    ::close(fds[1]);
    ::_exit(0);
  }
  ::close(fds[1]);
  pid_ = pid;
  fd_ = fds[0];
}

std::string ChildProcess::finish(const std::string& what) {
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd_);
  fd_ = -1;
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  if (!text.empty() && text[0] == 'E') throw InputError(text.substr(1));
  if (text.empty() || text[0] != 'R' || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string why = what;
    why += " failed: ";
    why += text.size() > 1 ? text.substr(1) : std::string("no answer from its process");
    throw std::runtime_error(why);
  }
  return text.substr(1);
}

}  // namespace sparsim
