#include "models/sat/mask_unit.hpp"

namespace sparsim::sat {

MaskUnit::MaskUnit(sc_core::sc_module_name name, const Hw& hw, bool detailed, memory::DramModule& dram,
                   StatsRegistry& registry)
    : sc_module(name),
      hw_(hw),
      detailed_(detailed),
      dram_(dram),
      queue_("queue", 1),
      groups_(stats.add("groups", "N:M groups ranked (FF mask along Cin plus BP mask along Cout)")),
      compares_(
          stats.add("compares", "magnitude comparisons of the rank network (M(M-1)/2 per group)", "compare_int8")),
      busy_cycles_(stats.add("busy_cycles", "cycles the unit was reading, ranking or writing")),
      jobs_(stats.add("jobs", "layers whose masks were regenerated")) {
  registry.attach(stats);
  SC_HAS_PROCESS(MaskUnit);
  SC_THREAD(run);
}

i64 mask_rank_cycles(const Hw& hw, const MaskJob& j) {
  const i64 groups = j.instances * (j.cout * ceil_div(j.red, j.nm.m) + j.red * ceil_div(j.cout, j.nm.m));
  return ceil_div(groups, hw.mask_lanes) + hw.mask_latency;
}

i64 MaskUnit::rank_cycles(const MaskJob& j) const { return mask_rank_cycles(hw_, j); }

void MaskUnit::wait_idle() {
  while (finished_ < submitted_) sc_core::wait(idle_);
}

void MaskUnit::run() {
  for (;;) {
    const MaskJob j = queue_.read();
    const sc_core::sc_time start = sc_core::sc_time_stamp();
    const i64 db = hw_.data_bytes;
    // Read the updated dense W, row by row of Cout, from the last quarter of the memory (the masks'
    // region; the copies follow it).
    const std::uint64_t base = static_cast<std::uint64_t>(dram_.spec().capacity_bytes()) / 4 * 3;
    const std::uint64_t w_row = static_cast<std::uint64_t>(j.red * db),
                        rows = static_cast<std::uint64_t>(j.instances * j.cout);
    dram_.transfer({{base, rows, w_row, w_row, false}});
    // Rank both masks in the comparator lanes.
    const i64 groups = j.instances * (j.cout * ceil_div(j.red, j.nm.m) + j.red * ceil_div(j.cout, j.nm.m));
    const i64 cycles = rank_cycles(j);
    groups_ += groups;
    compares_ += groups * j.nm.m * (j.nm.m - 1) / 2;
    if (detailed_)
      for (i64 c = 0; c < cycles; ++c) sc_core::wait(sc_core::sc_time(1, sc_core::SC_NS));
    else
      sc_core::wait(sc_core::sc_time(static_cast<double>(cycles), sc_core::SC_NS));
    // Write the FF copy (rows of Cout, compressed along Cin) and the BP copy (rows of Cin*kh*kw,
    // compressed along Cout).
    const std::uint64_t ff_row = static_cast<std::uint64_t>(a_row_bytes(hw_, j.nm, j.red));
    const std::uint64_t bp_row = static_cast<std::uint64_t>(a_row_bytes(hw_, j.nm, j.cout));
    const std::uint64_t ff_base = base + rows * w_row, bp_base = ff_base + rows * ff_row;
    dram_.transfer({{ff_base, rows, ff_row, ff_row, true},
                    {bp_base, static_cast<std::uint64_t>(j.instances * j.red), bp_row, bp_row, true}});
    busy_cycles_ += static_cast<i64>((sc_core::sc_time_stamp() - start) / sc_core::sc_time(1, sc_core::SC_NS));
    ++jobs_;
    ++finished_;
    idle_.notify(sc_core::SC_ZERO_TIME);
  }
}

}  // namespace sparsim::sat
