#pragma once
// Runs the sparsim binary as a user would and captures its exit status, stdout and stderr.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

struct CliResult {
  int status = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline CliResult run_sparsim(const std::string& args) {
  static int counter = 0;
  const auto dir = std::filesystem::temp_directory_path() / ("sparsim_cli_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto out = dir / ("out" + std::to_string(counter));
  const auto err = dir / ("err" + std::to_string(counter++));
  const std::string cmd = std::string(SPARSIM_BINARY) + " " + args + " >" + out.string() + " 2>" + err.string() + " </dev/null";
  const int raw = std::system(cmd.c_str());
  CliResult r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

inline std::string temp_dir(const std::string& name) {
  const auto d = std::filesystem::temp_directory_path() / ("sparsim_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d.string();
}

inline std::string write_file(const std::string& dir, const std::string& name, const std::string& text) {
  const auto p = std::filesystem::path(dir) / name;
  std::ofstream(p) << text;
  return p.string();
}
