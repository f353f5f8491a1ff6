#pragma once
// Shared by the libFuzzer targets (tests/fuzz/fuzz_*.cpp, docs/reliability.md). Each target includes this
// header once. InputError is the parsers' normal way of rejecting bad input (the CLI exits 2); any other
// exception is an internal fault (exit 1), so it is printed and turned into a crash that libFuzzer records.
#include <unistd.h>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <systemc>

#include "sim/errors.hpp"

namespace sparsim::fuzz {

// Outcome counts of this process, for campaign reports (scripts/fuzz_campaign.sh): with SPARSIM_FUZZ_TALLY
// set to a file, the counts are appended to it at exit as "accepted N rejected M". Crashes, sanitizer
// reports, hangs and out-of-memory inputs end the process and are counted by libFuzzer's artifacts.
struct Tally {
  unsigned long long accepted = 0, rejected = 0;
  ~Tally() {
    if (const char* path = std::getenv("SPARSIM_FUZZ_TALLY"))
      if (std::FILE* f = std::fopen(path, "a")) {
        std::fprintf(f, "accepted %llu rejected %llu\n", accepted, rejected);
        std::fclose(f);
      }
  }
};
inline Tally& tally() {
  static Tally t;
  return t;
}

template <class F>
void run_guarded(F&& body) {
  try {
    body();
    ++tally().accepted;
  } catch (const InputError&) {
    // A rejection with a message: the expected outcome for bad input.
    ++tally().rejected;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "FUZZ FINDING: internal error (not InputError): %s\n", e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "FUZZ FINDING: unknown exception\n");
    std::abort();
  }
}

inline std::string as_text(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// For parsers that read a path: the input written to a scratch file of this process (one per target).
inline std::string scratch_file(const char* suffix, const std::uint8_t* data, std::size_t size) {
  static const std::string path =
      (std::filesystem::temp_directory_path() / ("sparsim-fuzz-" + std::to_string(::getpid()) + suffix)).string();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

}  // namespace sparsim::fuzz

// SystemC's library owns main() and needs sc_main; libFuzzer's main() is the executable's, so this never runs.
int sc_main(int, char*[]) { return 0; }

// Silence the SystemC banner before any static initialiser can start the kernel (as in sim/main.cpp).
__attribute__((constructor(101))) static void sparsim_fuzz_quiet_systemc() {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
}
