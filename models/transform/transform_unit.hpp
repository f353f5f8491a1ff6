#pragma once
// The Winograd transform unit, shared by the accelerators that run Winograd-lowered convolutions (sat,
// stc): a bank of `lanes` adders between the buffers and the GEMM datapath that performs the input,
// weight, output and gradient transforms of an op (GemmOp::transform_adds, ::transform_const_mults; a
// multiplication by a transform constant takes a lane slot like an addition). It is one resource: an
// op's transforms take ceil((adds + constant multiplications) / lanes) cycles, after whatever the unit
// still has in hand. With `overlap` the transforms run beside the op's GEMM (a pipelined unit streaming
// transformed tiles into the array: the op ends when both are done); without, before it (separate
// transform kernels, as a GPU's non-fused Winograd runs them). See docs/winograd.md.
#include <cstdint>
#include <string>
#include <vector>

#include <systemc>

#include "sim/config/config.hpp"
#include "sim/stats.hpp"

namespace sparsim::transform {

struct TransformSpec {
  std::int64_t lanes = 1;  // additions (or constant multiplications) per cycle
  bool overlap = true;
  int data_bytes = 2;  // 4: fp32 adders, else fp16
};

// accelerator.winograd.* of a model, with its defaults and the doc of the default throughput.
std::vector<ParamSpec> winograd_params(long long default_lanes, long long min_lanes, bool default_overlap,
                                       const std::string& lanes_doc);
TransformSpec transform_spec_from(const Config& cfg, int data_bytes);

class TransformUnit {
 public:
  TransformUnit(const TransformSpec& spec, StatsRegistry& registry);
  TransformUnit(const TransformUnit&) = delete;
  TransformUnit& operator=(const TransformUnit&) = delete;

  bool overlap() const { return spec_.overlap; }
  std::uint64_t cycles_for(std::int64_t adds, std::int64_t const_mults) const;
  // Issues an op's transforms now (from a SystemC thread); returns at once.
  void issue(std::int64_t adds, std::int64_t const_mults);
  // Waits in the calling thread until every issued transform is done; returns the cycles waited, which
  // are also counted as the datapath's stall.
  std::uint64_t wait_done();

 private:
  TransformSpec spec_;
  StatGroup group_{"winograd_transform"};
  Counter& adds_;
  Counter& const_mults_;
  Counter& busy_;
  Counter& stall_;
  sc_core::sc_time busy_until_ = sc_core::SC_ZERO_TIME;
};

}  // namespace sparsim::transform
