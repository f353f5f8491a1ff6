// The memory limit's backstop as a user meets it (sim/alloc_guard.hpp): a run the up-front estimate passes
// but whose model would allocate more than run.max_memory_mb in one array exits 2 with one line.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "tests/cli/cli_runner.hpp"

TEST_CASE("a functional run whose operand would exceed the memory limit exits 2 with one line and no output") {
  const std::string dir = temp_dir("alloc_guard_cli");
  const std::string net =
      write_file(dir, "big.yaml", "name: big\nlayers:\n  - {name: fc, type: fc, cin: 16384, cout: 16384}\n");
  // The up-front estimate passes (a few jobs); the sat functional op's A operand (2 GiB of doubles) does not.
  const CliResult r = run_sparsim("run --set workload.network=" + net +
                                  " --set workload.batch=1 --set workload.phases=FF --functional"
                                  " --max-memory 1024 --out " +
                                  dir + "/out");
  INFO(r.err);
  CHECK(r.status == 2);
  CHECK(r.err.rfind("sparsim: error: run.max_memory_mb: a functional op's A operand would need about 2048 MiB", 0) ==
        0);
  CHECK(r.err.find('\n') == r.err.size() - 1);
  CHECK(!std::filesystem::exists(dir + "/out/report.json"));
}
