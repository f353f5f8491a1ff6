#pragma once
// What the commands that hand work to a Python part of sparsim share (the ONNX importer, the training
// capture): shell quoting for std::system, environment overrides of the interpreter and script paths, and a
// scratch directory for the child's files that is removed however the call ends.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace sparsim {

// `s` in single quotes for /bin/sh, embedded quotes escaped.
inline std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The environment variable's value when set and not empty, else `fallback`.
inline std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

// A fresh directory under the system's temporary directory, unique to this process and call.
struct ScratchDir {
  std::filesystem::path path;
  explicit ScratchDir(const std::string& prefix) {
    static int counter = 0;
    path = std::filesystem::temp_directory_path() /
           (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
};

}  // namespace sparsim
