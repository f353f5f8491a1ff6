#include "models/sat/mask_unit.hpp"

namespace sparsim::sat {

MaskUnit::MaskUnit(sc_core::sc_module_name name, const Hw& hw, bool detailed, DramChannel& dram,
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
    // Read the updated dense W, row by row of Cout.
    DramRequest rd;
    rd.bursts = j.instances * block_bursts(hw_, j.cout, j.red * db);
    rd.bytes = j.instances * j.cout * j.red * db;
    dram_.submit(&rd);
    rd.wait_done(hw_.dram_latency);
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
    DramRequest ff, bp;
    ff.write = bp.write = true;
    ff.bursts = j.instances * block_bursts(hw_, j.cout, a_row_bytes(hw_, j.nm, j.red));
    ff.bytes = j.instances * a_bytes(hw_, j.nm, j.cout, j.red);
    bp.bursts = j.instances * block_bursts(hw_, j.red, a_row_bytes(hw_, j.nm, j.cout));
    bp.bytes = j.instances * a_bytes(hw_, j.nm, j.red, j.cout);
    dram_.submit(&ff);
    dram_.submit(&bp);
    ff.wait_done(hw_.dram_latency);
    bp.wait_done(hw_.dram_latency);
    busy_cycles_ += static_cast<i64>((sc_core::sc_time_stamp() - start) / sc_core::sc_time(1, sc_core::SC_NS));
    ++jobs_;
    ++finished_;
    idle_.notify(sc_core::SC_ZERO_TIME);
  }
}

}  // namespace sparsim::sat
