// Bad input gives one-line errors naming file, line and key; `sparsim run configs/stc-*.yaml` simulates a
// transformer training step; and the three variants order as they must over a whole step.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "sim/errors.hpp"
#include "stc_test_util.hpp"
#include "workloads/library.hpp"

using namespace sparsim;
using namespace sparsim::stc;

namespace {
std::string error_of(const std::string& yaml) {
  try {
    (void)Config::from_text(yaml, "bad.yaml", {});
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("stc config errors name the file, line and key", "[stc][config]") {
  const std::string tiles = error_of("accelerator:\n  name: stc\n  kernel:\n    sparse_tiles: \"128x256\"\n");
  CHECK_THAT(tiles, Catch::Contains("bad.yaml:4") && Catch::Contains("accelerator.kernel.sparse_tiles") &&
                        Catch::Contains("128x256"));
  const std::string big = error_of("accelerator:\n  name: stc\n  sm:\n    smem_kib: 16\n");
  CHECK_THAT(big, Catch::Contains("accelerator.kernel.dense_tiles") && Catch::Contains("smem_kib"));
  const std::string mma =
      error_of("accelerator:\n  name: stc\n  sm:\n    mma_m: 128\n  kernel:\n    dense_tiles: \"64x64x64\"\n");
  CHECK_THAT(mma, Catch::Contains("bad.yaml:6") && Catch::Contains("mma_m"));
  // A tile whose accumulators or threads do not fit one SM is an error naming the resource's key.
  const std::string regs = error_of("accelerator:\n  name: stc\n  sm:\n    registers_kib: 64\n");
  CHECK_THAT(regs, Catch::Contains("accelerator.kernel.dense_tiles") && Catch::Contains("registers_kib") &&
                       Catch::Contains("128x256x64"));
  const std::string threads = error_of("accelerator:\n  name: stc\n  sm:\n    max_threads: 256\n");
  CHECK_THAT(threads, Catch::Contains("max_threads") && Catch::Contains("threads"));
  // The parameters reach the tiler.
  const StcParams p =
      stc_params_from(Config::from_text("accelerator:\n  name: stc\n  sm:\n    max_ctas: 8\n    registers_kib: 512\n"
                                        "    max_threads: 1024\n",
                                        "ok.yaml", {}));
  CHECK(p.machine.max_ctas_per_sm == 8);
  CHECK(p.machine.regs_bytes == 512 * 1024);
  CHECK(p.machine.max_threads == 1024);
  const std::string range = error_of("accelerator:\n  name: stc\n  sms: 0\n");
  CHECK_THAT(range, Catch::Contains("bad.yaml:3") && Catch::Contains("accelerator.sms"));
}

TEST_CASE("sparsim run simulates a transformer training step on every stc config", "[stc][run]") {
  for (const char* machine : {"a100", "h100", "h200"}) {
    const auto out = std::filesystem::temp_directory_path() / (std::string("stc_run_") + machine);
    std::filesystem::remove_all(out);
    const std::string cmd = std::string("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 ") + SPARSIM_BINARY + " run " +
                            SPARSIM_SOURCE_DIR + "/configs/stc-" + machine + ".yaml --out " + out.string() + " > " +
                            (out.string() + ".log") + " 2>&1";
    INFO(cmd);
    CHECK(std::system(cmd.c_str()) == 0);
    CHECK(std::filesystem::exists(out / "report.json"));
    CHECK(std::filesystem::exists(out / "layers.csv"));
  }
}

TEST_CASE("over a training step: sparse beats sparse-bp-dense beats dense, and WU gains nothing", "[stc][timing]") {
  Network net = load_network("llama7b-layer");
  for (auto& l : net.layers)
    if (l.kind == LayerKind::FullyConnected) l.sparsity.nm = NMPattern{2, 4};
  const TrainingStep step = expand_training_step(net, 1, {Phase::FF, Phase::BP, Phase::WU});
  GpuTop top("stc", testing::h200_params(), TimingMode::Fast, false, 1, stc_jobs(step), nullptr, nullptr);
  sc_core::sc_start();
  std::map<std::string, std::map<Phase, std::uint64_t>> cycles;
  for (const auto& r : top.results()) cycles[r.variant][r.phase] += r.cycles;
  auto total = [&](const std::string& v) { return cycles[v][Phase::FF] + cycles[v][Phase::BP] + cycles[v][Phase::WU]; };
  CHECK(total("sparse") < total("sparse-bp-dense"));
  CHECK(total("sparse-bp-dense") < total("dense"));
  // Same kernels; cycles differ a little with the state the HBM (open rows, refresh) carries over.
  CHECK(static_cast<double>(cycles["sparse-bp-dense"][Phase::BP]) ==
        Approx(static_cast<double>(cycles["dense"][Phase::BP])).epsilon(0.02));
  CHECK(static_cast<double>(cycles["sparse"][Phase::WU]) ==
        Approx(static_cast<double>(cycles["dense"][Phase::WU])).epsilon(0.02));
  // Never more than the ideal bound 3 / (2 * 0.5 + 1) = 1.5 for a step whose GEMMs are all 2:4 (attention
  // matmuls stay dense here, so less).
  CHECK(static_cast<double>(total("dense")) / static_cast<double>(total("sparse")) < 1.5);
}
