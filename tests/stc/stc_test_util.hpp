#pragma once
// Helpers for the stc tests: SystemC elaborates one design per process, so a test that compares two
// designs (fast vs detailed, representative vs all SMs) runs each in a forked child and reads back text.
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/stc/gpu_top.hpp"
#include "models/stc/params.hpp"
#include "sim/config/config.hpp"
#include "tests/support/in_child.hpp"

namespace sparsim::stc::testing {

using sparsim::test_support::in_child;

inline StcParams h200_params(const std::vector<std::string>& overrides = {}) {
  const Config cfg = Config::load(std::string(SPARSIM_SOURCE_DIR) + "/configs/stc-h200.yaml", overrides);
  return stc_params_from(cfg);
}

inline GemmOp gemm_op(std::int64_t M, std::int64_t N, std::int64_t K, std::int64_t instances = 1) {
  GemmOp op;
  op.layer = std::to_string(M) + "x" + std::to_string(N) + "x" + std::to_string(K);
  op.M = M;
  op.N = N;
  op.K = K;
  op.instances = instances;
  op.a_nm = NMPattern{2, 4};
  op.a_density = 0.5;
  return op;
}

// Jobs of the "sparse" and "dense" variants for each op (FF phase).
inline std::vector<StcJob> sparse_and_dense(const std::vector<GemmOp>& ops) {
  TrainingStep step;
  step.ops = ops;
  std::vector<StcJob> out;
  for (auto& j : stc_jobs(step))
    if (j.variant != "sparse-bp-dense") out.push_back(j);
  return out;
}

// Simulates the jobs in this process (call once per process) and returns one line per job:
// "variant layer cycles" followed by every counter "block.name=value".
inline std::string simulate(const StcParams& p, TimingMode mode, const std::vector<StcJob>& jobs,
                            bool counters = true) {
  GpuTop top("stc", p, mode, false, 1, jobs, nullptr, nullptr);
  sc_core::sc_start();
  std::ostringstream os;
  for (const auto& r : top.results()) {
    os << r.variant << " " << r.layer << " " << r.cycles;
    if (counters)
      for (const auto& c : r.counters) os << " " << c.block << "." << c.name << "=" << c.value;
    os << "\n";
  }
  return os.str();
}

}  // namespace sparsim::stc::testing
