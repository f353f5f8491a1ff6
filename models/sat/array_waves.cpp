#include "models/sat/array_waves.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace sparsim::sat {

namespace {
std::string temp_base(const std::string& path) {
  const std::filesystem::path p(path);
  std::string name = ".";  // (built step by step: GCC 12 warns falsely on one concatenation here)
  name += p.stem().string();
  name += ".partial";
  return (p.parent_path() / name).string();
}
}  // namespace

ArrayWaves::ArrayWaves(const WaveOptions& o, const ArraySignals& signals) : o_(o), temp_(temp_base(o.path)) {
  file_ = sc_core::sc_create_vcd_trace_file(temp_.c_str());
  file_->set_time_unit(1, sc_core::SC_PS);  // the kernel's resolution: DRAM clocks are not whole ns
  const auto pes = static_cast<std::size_t>(signals.rows * signals.cols);
  valid_ = std::make_unique<bool[]>(pes);
  step_.assign(pes, -1);
  fifo_.assign(signals.fifo_fill.size(), 0);
  if (signals.values) {
    weight_.assign(signals.pe_weight.size(), 0.0);
    act_.assign(signals.pe_act.size(), 0.0);
    psum_.assign(pes, 0.0);
    carries_ = std::make_unique<bool[]>(pes);
  }
  for (std::int64_t r = 0; r < signals.rows; ++r)
    for (std::int64_t c = 0; c < signals.cols; ++c) {
      const auto i = static_cast<std::size_t>(r * signals.cols + c);
      std::string pe = "array.pe_";
      pe += std::to_string(signals.row0 + r);
      pe += "_";
      pe += std::to_string(signals.col0 + c);
      sc_core::sc_trace(file_, valid_[i], pe + ".valid");
      sc_core::sc_trace(file_, step_[i], pe + ".step");
      if (!signals.values) continue;
      sc_core::sc_trace(file_, carries_[i], pe + ".carries_values");
      sc_core::sc_trace(file_, psum_[i], pe + ".psum");
      for (std::int64_t q = 0; q < signals.multipliers; ++q) {
        const auto k = i * static_cast<std::size_t>(signals.multipliers) + static_cast<std::size_t>(q);
        sc_core::sc_trace(file_, weight_[k], pe + ".weight_" + std::to_string(q));
        sc_core::sc_trace(file_, act_[k], pe + ".act_" + std::to_string(q));
      }
    }
  for (std::size_t l = 0; l < fifo_.size(); ++l)
    sc_core::sc_trace(file_, fifo_[l], "edge.lane_" + std::to_string(signals.fifo_lanes[l]) + ".fifo_fill");
  sc_core::sc_trace(file_, grants_, "glb.bank_grants");
  sc_core::sc_trace(file_, stalled_, "array.stalled");
  sc_core::sc_trace(file_, weight_load_, "array.weight_preload");
  sc_core::sc_trace(file_, dram_queue_, "dram.queued_requests");
}

ArrayWaves::~ArrayWaves() { finish(false); }

void ArrayWaves::sample(const ArraySignals& s, std::size_t dram_queue) {
  for (std::size_t i = 0; i < step_.size(); ++i) {
    valid_[i] = s.pe_valid[i] != 0;
    step_[i] = s.pe_valid[i] ? s.pe_step[i] : -1;
  }
  if (carries_) {
    // (copied in place: sc_trace holds the elements' addresses)
    std::copy(s.pe_weight.begin(), s.pe_weight.end(), weight_.begin());
    std::copy(s.pe_act.begin(), s.pe_act.end(), act_.begin());
    std::copy(s.pe_psum.begin(), s.pe_psum.end(), psum_.begin());
    for (std::size_t i = 0; i < psum_.size(); ++i) carries_[i] = s.pe_carries[i] != 0;
  }
  for (std::size_t l = 0; l < fifo_.size(); ++l) fifo_[l] = s.fifo_fill[l];
  grants_ = s.bank_grants;
  stalled_ = s.stalled;
  weight_load_ = s.weight_load;
  dram_queue_ = dram_queue;
  ++sampled_;
}

void ArrayWaves::finish(bool ok) {
  if (finished_) return;
  finished_ = true;
  sc_core::sc_close_vcd_trace_file(file_);
  const std::string written = temp_ + ".vcd";
  std::error_code ec;
  if (ok)
    std::filesystem::rename(written, o_.path, ec);
  else
    std::filesystem::remove(written, ec);
}

}  // namespace sparsim::sat
