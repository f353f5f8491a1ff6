#pragma once
// Work done in a forked child process, its result text coming back through a pipe. SystemC elaborates one
// design per process, so a run that simulates a second design (the no-offload oracle, each record of a
// training trace) does it in a child. The child's input errors come back as InputError, anything else
// as std::runtime_error.
#include <sys/types.h>

#include <functional>
#include <string>

namespace sparsim {

class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();  // reaps a child that was never finished
  // Forks; the child runs `work` and exits. Call before anything is elaborated in this process.
  void start(const std::function<std::string()>& work);
  bool started() const { return pid_ > 0; }
  // Waits for the child and returns what `work` returned; `what` names the work in errors.
  std::string finish(const std::string& what);

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
};

}  // namespace sparsim
