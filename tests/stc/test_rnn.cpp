// Recurrent layers on the GPU model (docs/rnn.md): the kernel sequence of each phase, and what the
// simulation of that sequence shows: the per-step launches, structured gate-gradient sparsity shrinking BP.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>

#include "models/stc/rnn_kernels.hpp"
#include "stc_test_util.hpp"
#include "workloads/library.hpp"

using namespace sparsim;
using namespace sparsim::stc;

namespace {

GemmOp rnn_op(Phase phase, RnnCell cell, std::int64_t hidden, std::int64_t steps, std::int64_t batch,
              double gate_density = 1.0) {
  const Network net = parse_network_yaml(
      "name: r\nlayers:\n  - {name: r, type: " + std::string(rnn_cell_name(cell)) +
          ", input: " + std::to_string(hidden) + ", hidden: " + std::to_string(hidden) +
          ", steps: " + std::to_string(steps) + ", gate_gradient_density: " + std::to_string(gate_density) + "}\n",
      "r.yaml");
  for (const GemmOp& op : expand_training_step(net, batch, {phase}).ops) return op;
  throw std::logic_error("no op");
}

std::uint64_t cycles_of_job(const std::string& text, const std::string& variant) {
  std::istringstream is(text);
  for (std::string v, l, rest; is >> v >> l;) {
    std::uint64_t c = 0;
    is >> c;
    std::getline(is, rest);
    if (v == variant) return c;
  }
  return 0;
}

}  // namespace

TEST_CASE("rnn kernels: the standard algorithm's launches per phase") {
  const auto ff = rnn_kernels(rnn_op(Phase::FF, RnnCell::Lstm, 256, 10, 4), false, 2);
  REQUIRE(ff.size() == 3);
  CHECK(ff[0].what == "x_proj");
  CHECK((ff[0].shape.M == 1024 && ff[0].shape.N == 40 && ff[0].shape.K == 256));
  CHECK((ff[1].what == "h_step" && ff[1].repeat == 10 && ff[1].shape.N == 4 && ff[1].shape.K == 256));
  CHECK((ff[2].kind == RnnKernel::Kind::Pointwise && ff[2].repeat == 10));
  // LSTM cell: two pre-activation blocks and c in; h, c and the gates out.
  CHECK(ff[2].read_bytes == 2 * 1024 * 4 * 2 + 256 * 4 * 2);
  CHECK(ff[2].write_bytes == (256 + 1024 + 256) * 4 * 2);

  const auto bp = rnn_kernels(rnn_op(Phase::BP, RnnCell::Gru, 256, 10, 4), true, 2);
  std::vector<std::string> names;
  for (const auto& k : bp) names.push_back(k.what);
  CHECK(names == std::vector<std::string>{"cell_bp", "dh_step", "dx", "bias_grad"});
  CHECK(bp[1].shape.K == 3 * 256);
  CHECK(bp[1].shape.sparse);  // dense dG: W_h^T keeps its 2:4 groups

  const auto sparse_bp = rnn_kernels(rnn_op(Phase::BP, RnnCell::Lstm, 256, 10, 4, 0.25), true, 2);
  REQUIRE(sparse_bp.size() == 5);
  CHECK(sparse_bp[1].what == "threshold");
  CHECK(sparse_bp[2].shape.K == 256);     // a quarter of the 1024 gate rows
  CHECK(!sparse_bp[2].shape.sparse);      // gathered rows lose the 2:4 groups
  CHECK(kept_gate_rows(1024, 0.0) == 1);  // never empty
  CHECK(kept_gate_rows(1024, 0.001) == 2);

  const auto wu = rnn_kernels(rnn_op(Phase::WU, RnnCell::Rnn, 128, 5, 2), false, 2);
  REQUIRE(wu.size() == 2);
  CHECK((wu[0].shape.M == 128 && wu[0].shape.K == 10 && wu[0].shape.N == 128));
}

TEST_CASE("rnn on the GPU model: launches per step, and gate-gradient sparsity shrinks BP") {
  // The standard kernels at both densities (cuDNN would run this dense layer persistent).
  const StcParams p = testing::h200_params({"accelerator.rnn.dense_algorithm=standard"});
  const auto run = [&](double gate_density) {
    return testing::in_child([&] {
      GemmOp op = rnn_op(Phase::BP, RnnCell::Lstm, 1024, 16, 16, gate_density);
      op.layer = "bp";
      TrainingStep step;
      step.ops = {op};
      std::vector<StcJob> jobs;
      for (auto& j : stc_jobs(step))
        if (j.variant == "dense") jobs.push_back(j);
      return testing::simulate(p, TimingMode::Fast, jobs, false);
    });
  };
  const std::uint64_t dense = cycles_of_job(run(1.0), "dense");
  const std::uint64_t sparse = cycles_of_job(run(0.25), "dense");
  INFO("BP cycles at gate-gradient density 1.0: " << dense << ", at 0.25: " << sparse);
  // 16 steps x 2 kernels + dx + bias grad (+ 16 threshold kernels) each pay the launch at least.
  CHECK(dense > 34 * p.launch_cycles);
  CHECK(sparse > 50 * p.launch_cycles);
  CHECK(sparse < dense);
}

namespace {
// The fp16 cases of the H200 measurement and whether cuDNN ran a persistent kernel in them.
std::map<std::string, bool> measured_persistence() {
  std::ifstream in(std::string(SPARSIM_SOURCE_DIR) + "/bench/gpu/h200_rnn_kernels.csv");
  std::map<std::string, bool> out;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line.rfind("cell,", 0) == 0) continue;
    std::istringstream is(line);
    std::vector<std::string> f;
    for (std::string x; std::getline(is, x, ',');) f.push_back(x);
    if (f.size() < 8 || f[1] != "fp16") continue;
    const std::string key = f[0] + " " + f[2] + " " + f[3] + " " + f[4] + " " + f[5] + " " + f[6];
    const bool persistent = line.find("persist") != std::string::npos || line.find("lstm_tile") != std::string::npos ||
                            line.find("_bp_smallB") != std::string::npos ||
                            line.find("_bp_largeB") != std::string::npos;
    out[key] = out[key] || persistent;
  }
  return out;
}
}  // namespace

TEST_CASE("rnn: the persistent-algorithm rule picks what cuDNN ran on the H200") {
  const auto measured = measured_persistence();
  REQUIRE(measured.size() >= 40);
  int checked = 0;
  for (const auto& [key, persistent] : measured) {
    std::istringstream is(key);
    std::string cell, phase;
    std::int64_t hidden = 0, batch = 0, steps = 0, layers = 0;
    is >> cell >> hidden >> batch >> steps >> layers >> phase;
    RnnOp r;
    r.spec = RnnSpec{cell == "lstm"  ? RnnCell::Lstm
                     : cell == "gru" ? RnnCell::Gru
                                     : RnnCell::Rnn,
                     hidden, hidden, steps, layers};
    r.batch = batch;
    INFO(key);
    CHECK(cudnn_picks_persistent(r, Phase::FF, true) == persistent);
    ++checked;
  }
  CHECK(checked == static_cast<int>(measured.size()));
}

TEST_CASE("rnn: persistent kernels synchronize once per step and batch tile, and fall back when too big") {
  const auto run = [](const std::vector<std::string>& overrides, std::int64_t hidden, std::int64_t batch,
                      double density, const std::string& variant) {
    return testing::in_child([=] {
      GemmOp op = rnn_op(Phase::FF, RnnCell::Lstm, hidden, 8, batch);
      op.layer = "ff";
      op.a_density = density;
      TrainingStep step;
      step.ops = {op};
      std::vector<StcJob> jobs;
      for (auto& j : stc_jobs(step))
        if (j.variant == variant) jobs.push_back(j);
      GpuTop top("stc", testing::h200_params(overrides), TimingMode::Fast, false, 1, jobs, nullptr, nullptr);
      sc_core::sc_start();
      const JobResult& r = top.results().front();
      std::ostringstream os;
      os << r.cycles << " " << r.mapping["algorithm"].get<std::string>() << " "
         << (r.stall_cycles.count("grid_sync") ? r.stall_cycles.at("grid_sync") : 0);
      return os.str();
    });
  };
  const StcParams p = testing::h200_params();
  // cuDNN's rule: hidden 1024, batch 32 -> persistent; 8 steps x 2 tiles of 16 columns, one sync each.
  std::istringstream a(run({}, 1024, 32, 1.0, "dense"));
  std::uint64_t cycles = 0, sync = 0;
  std::string algo;
  a >> cycles >> algo >> sync;
  CHECK(algo == "persistent");
  CHECK(sync == 8 * 2 * p.grid_sync_cycles);
  // Forced standard: no synchronization, per-step launches instead.
  std::istringstream b(run({"accelerator.rnn.dense_algorithm=standard"}, 1024, 32, 1.0, "dense"));
  std::uint64_t std_cycles = 0, std_sync = 1;
  b >> std_cycles >> algo >> std_sync;
  CHECK(algo == "standard");
  CHECK(std_sync == 0);
  // Zhu et al.'s sparse persistent kernel at hidden 2304, batch 4, 30 % density against cuDNN's standard
  // kernels on the same layer; and with too little on-chip room it falls back to the standard kernels.
  std::istringstream c(run({"accelerator.rnn.sparse_algorithm=sparse_persistent"}, 2304, 4, 0.3, "sparse"));
  std::uint64_t sparse_cycles = 0;
  c >> sparse_cycles >> algo;
  CHECK(algo == "sparse_persistent");
  std::istringstream d(run({}, 2304, 4, 1.0, "dense"));
  std::uint64_t dense_cycles = 0;
  d >> dense_cycles >> algo;
  CHECK(algo == "standard");  // hidden 2304: PyTorch never asks for the persistent kernel
  INFO("sparse persistent " << sparse_cycles << " cycles, dense standard " << dense_cycles);
  CHECK(sparse_cycles * 2 < dense_cycles);
  std::istringstream e(
      run({"accelerator.rnn.sparse_algorithm=sparse_persistent", "accelerator.rnn.onchip_weight_kib=64"}, 2304, 4, 0.3,
          "sparse"));
  e >> cycles >> algo;
  CHECK(algo == "standard");
}
