#pragma once
// One sweep at a time per output directory: an exclusive, non-blocking flock on DIR/.sweep.lock, held
// until the sweep ends (or its process dies: the kernel drops the lock, so a killed sweep never leaves a
// stale one). A second sweep on the same directory fails at once with an InputError naming the directory
// and the holder's pid, before it writes anything. Jobs of an emitted array (`sparsim sweep --run-point`)
// take no lock: they run side by side by design, each in its own private partial directory.
#include <string>

namespace sparsim::sweep {

class DirectoryLock {
 public:
  explicit DirectoryLock(const std::string& dir);
  ~DirectoryLock();
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace sparsim::sweep
