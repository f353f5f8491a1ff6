#include "models/transform/transform_unit.hpp"

#include <algorithm>

#include "sim/config/schema.hpp"

namespace sparsim::transform {

using sc_core::SC_NS;
using sc_core::sc_time;

std::vector<ParamSpec> winograd_params(long long default_lanes, long long min_lanes, bool default_overlap,
                                       const std::string& lanes_doc) {
  return {
      int_param(
          "accelerator.winograd.transform_adds_per_cycle", default_lanes, min_lanes, 1LL << 30, "adds/cycle",
          "Winograd transform unit: additions (or multiplications by transform constants) per cycle. " + lanes_doc),
      bool_param("accelerator.winograd.overlap", default_overlap,
                 "true: an op's Winograd transforms run beside its GEMM (the op ends when both are done); false: "
                 "before it (docs/winograd.md)."),
  };
}

TransformSpec transform_spec_from(const Config& cfg, int data_bytes) {
  TransformSpec s;
  s.lanes = cfg.i64("accelerator.winograd.transform_adds_per_cycle");
  s.overlap = cfg.boolean("accelerator.winograd.overlap");
  s.data_bytes = data_bytes;
  return s;
}

TransformUnit::TransformUnit(const TransformSpec& spec, StatsRegistry& registry)
    : spec_(spec),
      adds_(group_.add("adds", "additions of the Winograd transforms", spec.data_bytes == 4 ? "add_fp32" : "add_fp16")),
      const_mults_(group_.add("const_mults", "multiplications by Winograd transform constants (not +-1)",
                              spec.data_bytes == 4 ? "mult_fp32" : "mult_fp16")),
      busy_(group_.add("busy_cycles", "cycles the transform unit worked")),
      stall_(group_.add("stall_cycles", "cycles the datapath waited for the transform unit")) {
  registry.attach(group_);
}

std::uint64_t TransformUnit::cycles_for(std::int64_t adds, std::int64_t const_mults) const {
  const std::int64_t ops = adds + const_mults, lanes = std::max<std::int64_t>(1, spec_.lanes);
  return static_cast<std::uint64_t>((ops + lanes - 1) / lanes);
}

void TransformUnit::issue(std::int64_t adds, std::int64_t const_mults) {
  const std::uint64_t c = cycles_for(adds, const_mults);
  adds_ += static_cast<std::uint64_t>(adds);
  const_mults_ += static_cast<std::uint64_t>(const_mults);
  busy_ += c;
  busy_until_ = std::max(busy_until_, sc_core::sc_time_stamp()) + sc_time(static_cast<double>(c), SC_NS);
}

std::uint64_t TransformUnit::wait_done() {
  const sc_time now = sc_core::sc_time_stamp();
  if (busy_until_ <= now) return 0;
  const sc_time left = busy_until_ - now;
  sc_core::wait(left);
  const auto cycles = static_cast<std::uint64_t>(left / sc_time(1, SC_NS));
  stall_ += cycles;
  return cycles;
}

}  // namespace sparsim::transform
