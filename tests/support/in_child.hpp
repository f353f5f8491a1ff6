#pragma once
// Runs a function in a forked child process and returns the text it returned. SystemC elaborates one
// design per process, so a test that compares two simulations (fast vs detailed mode, say) runs one of
// them in a child. An exception in the child comes back as "EXCEPTION <what>".
#include <sys/wait.h>
#include <unistd.h>

#include <exception>
#include <functional>
#include <string>

namespace sparsim::test_support {

inline std::string in_child(const std::function<std::string()>& fn) {
  int fds[2];
  if (pipe(fds) != 0) return "EXCEPTION pipe failed";
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    std::string out;
    try {
      out = fn();
    } catch (const std::exception& e) {
      out = std::string("EXCEPTION ") + e.what();
    }
    std::size_t off = 0;
    while (off < out.size()) {
      const ssize_t n = write(fds[1], out.data() + off, out.size() - off);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return text;
}

// Runs the sparsim binary with `args` and returns stdout and stderr together; `status` gets the raw
// wait status (WEXITSTATUS gives the exit code).
inline std::string run_sparsim_capture(const std::string& args, int& status) {
  const std::string cmd = std::string("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 ") + SPARSIM_BINARY + " " + args + " 2>&1";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) {
    status = -1;
    return out;
  }
  char buf[4096];
  while (fgets(buf, sizeof buf, p)) out += buf;
  status = pclose(p);
  return out;
}

}  // namespace sparsim::test_support
