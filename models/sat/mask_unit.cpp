#include "models/sat/mask_unit.hpp"

#include <cmath>

#include "sim/timeline.hpp"

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
      jobs_(stats.add("jobs", "layers whose masks were regenerated")),
      dram_bytes_(stats.add("dram_bytes", "bytes the unit read and wrote in DRAM (W in, both compressed copies out)")) {
  registry.attach(stats);
  SC_HAS_PROCESS(MaskUnit);
  SC_THREAD(run);
}

// Groups the lanes rank for a job: every FF group (M along Cin) and BP group (M along Cout); none when the
// mask is unchanged (the copies are then re-compressed through the kept indices, data movement only).
i64 mask_groups(const MaskJob& j) {
  return j.rank ? j.instances * (j.cout * ceil_div(j.red, j.nm.m) + j.red * ceil_div(j.cout, j.nm.m)) : 0;
}

i64 mask_rank_cycles(const Hw& hw, const MaskJob& j) {
  const i64 groups = mask_groups(j);
  return ceil_div(groups, hw.mask_lanes) + hw.mask_latency;
}

i64 MaskUnit::rank_cycles(const MaskJob& j) const { return mask_rank_cycles(hw_, j); }

void MaskUnit::wait_idle() {
  while (!held_.empty()) sc_core::wait(idle_);
}

std::vector<i64> MaskUnit::activity() const {
  std::vector<i64> key;
  for (const MaskJob& j : held_) key.insert(key.end(), {j.cout, j.red, j.instances, j.nm.n, j.nm.m, j.rank ? 1 : 0});
  if (!held_.empty() && started_at_ >= 0)
    key.push_back(static_cast<i64>(sc_core::sc_time_stamp() / sc_core::sc_time(1, sc_core::SC_NS)) - started_at_);
  return key;
}

void MaskUnit::run() {
  for (;;) {
    const MaskJob j = queue_.read();
    const sc_core::sc_time start = sc_core::sc_time_stamp();
    started_at_ = static_cast<i64>(start / sc_core::sc_time(1, sc_core::SC_NS));
    const i64 groups = mask_groups(j);
    groups_ += groups;
    compares_ += groups * j.nm.m * (j.nm.m - 1) / 2;
    if (detailed_)
      run_detailed(j);
    else
      run_fast(j);
    busy_cycles_ += static_cast<i64>((sc_core::sc_time_stamp() - start) / sc_core::sc_time(1, sc_core::SC_NS));
    if (Timeline* tl = active_timeline())
      tl->slice("sat: mask unit", "masks " + j.layer,
                static_cast<std::uint64_t>(start / sc_core::sc_time(1, sc_core::SC_NS)),
                static_cast<std::uint64_t>(sc_core::sc_time_stamp() / sc_core::sc_time(1, sc_core::SC_NS)),
                {{"groups", groups}});
    ++jobs_;
    held_.pop_front();
    started_at_ = -1;
    idle_.notify(sc_core::SC_ZERO_TIME);
  }
}

std::shared_ptr<memory::DramModule::Transfer> MaskUnit::submit_traffic(const memory::DramModule::Block& b,
                                                                       memory::DramModule::DoneCallback on_done) {
  dram_bytes_ += static_cast<i64>(dram_.block_bytes(b));
  return dram_.submit({b}, std::move(on_done));
}

MaskUnit::Layout MaskUnit::layout(const MaskJob& j) const {
  // The updated dense W, row by row of Cout, in the last quarter of the memory (the masks' region); the
  // FF copy (rows of Cout, compressed along Cin) and the BP copy (rows of Cin*kh*kw, compressed along
  // Cout) follow it.
  Layout l;
  l.base = static_cast<std::uint64_t>(dram_.spec().capacity_bytes()) / 4 * 3;
  l.w_row = static_cast<std::uint64_t>(j.red * hw_.data_bytes);
  l.rows = static_cast<std::uint64_t>(j.instances * j.cout);
  l.ff_row = static_cast<std::uint64_t>(a_row_bytes(hw_, j.nm, j.red));
  l.bp_row = static_cast<std::uint64_t>(a_row_bytes(hw_, j.nm, j.cout));
  l.ff_base = l.base + l.rows * l.w_row;
  l.bp_base = l.ff_base + l.rows * l.ff_row;
  return l;
}

// Fast mode: the unit's pace in slices of whole chunks rather than cycle by cycle. The read of slice s+1
// overlaps the ranking of slice s (the two input buffers), and each slice's FF rows are written once it
// is ranked; then the pipeline depth and the BP copy, whose rows need every chunk. Slicing matters
// because the fast DRAM places a transfer's bursts whole when it is submitted: one transfer of the whole
// layer would take the channels ahead of every load the array issues meanwhile, while the real unit
// (and the detailed mode) reads at the pace its lanes rank, leaving the channels to the array between.
void MaskUnit::run_fast(const MaskJob& j) {
  const Layout l = layout(j);
  const i64 M = j.nm.m;
  const i64 rows = j.instances * j.cout;
  const i64 chunks = ceil_div(rows, M);
  const i64 chunk_bytes = std::max<i64>(1, M * static_cast<i64>(l.w_row));
  const i64 slice_rows = std::clamp<i64>(kFastSliceBytes / chunk_bytes, 1, chunks) * M;
  const i64 rank_total = rank_cycles(j) - hw_.mask_latency;
  auto ranked_by = [&](i64 row) { return rank_total * row / rows; };  // whole cycles, shares summing to the total
  auto read = [&](i64 row0) {
    const i64 n = std::min(slice_rows, rows - row0);
    return submit_traffic(
        {l.base + static_cast<std::uint64_t>(row0) * l.w_row, static_cast<std::uint64_t>(n), l.w_row, l.w_row, false});
  };
  std::vector<std::shared_ptr<memory::DramModule::Transfer>> writes;
  auto next = read(0);
  for (i64 row0 = 0; row0 < rows; row0 += slice_rows) {
    dram_.wait(next);
    if (row0 + slice_rows < rows) next = read(row0 + slice_rows);
    const i64 n = std::min(slice_rows, rows - row0);
    sc_core::wait(sc_core::sc_time(static_cast<double>(ranked_by(row0 + n) - ranked_by(row0)), sc_core::SC_NS));
    writes.push_back(submit_traffic({l.ff_base + static_cast<std::uint64_t>(row0) * l.ff_row,
                                     static_cast<std::uint64_t>(n), l.ff_row, l.ff_row, true}));
  }
  sc_core::wait(sc_core::sc_time(static_cast<double>(hw_.mask_latency), sc_core::SC_NS));
  writes.push_back(
      submit_traffic({l.bp_base, static_cast<std::uint64_t>(j.instances * j.red), l.bp_row, l.bp_row, true}));
  for (const auto& w : writes) dram_.wait(w);
}

// Detailed mode, the unit's structure cycle by cycle: W arrives in chunks of M rows of Cout (an input
// buffer of two chunks, the next one read while the lanes rank the current); a chunk holds its rows'
// FF groups (M along Cin) and one BP group per column (M along Cout); every cycle each comparator lane
// takes the next ranked-ready group; a chunk whose groups are all ranked leaves the pipeline
// `latency_cycles` later, its FF rows are written back at once and its BP groups go to the BP copy's
// output buffer, written when the layer is done (its rows need every chunk).
void MaskUnit::run_detailed(const MaskJob& j) {
  const Layout l = layout(j);
  const i64 M = j.nm.m;
  struct Chunk {
    i64 row0 = 0, rows = 0, groups = 0;
    std::shared_ptr<bool> arrived = std::make_shared<bool>(false);
  };
  std::vector<Chunk> chunks;
  for (i64 g = 0; g < j.instances; ++g)
    for (i64 r = 0; r < j.cout; r += M) {
      Chunk c;
      c.row0 = g * j.cout + r;
      c.rows = std::min(M, j.cout - r);
      c.groups = j.rank ? c.rows * ceil_div(j.red, M) + j.red : 0;
      chunks.push_back(c);
    }
  std::vector<std::shared_ptr<memory::DramModule::Transfer>> writes;
  std::size_t next_read = 0, ranking = 0;
  i64 left = chunks.empty() ? 0 : chunks[0].groups;
  // Values (functional runs): the chunk being ranked, M rows of W, in the input buffer; group x of a chunk
  // is FF group x (row x / ceil(red / M), its M columns) below rows * ceil(red / M), then BP group (its
  // column: the chunk's rows).
  MaskValues* const vals = j.values && j.rank && j.nm.sparse() ? j.values.get() : nullptr;
  const i64 ff_per_row = ceil_div(j.red, M);
  std::vector<double> buffer;
  std::size_t buffered = chunks.size();  // chunk the buffer holds
  if (vals) {
    vals->ff.assign(static_cast<std::size_t>(j.instances * j.cout * j.red), true);
    vals->bp.assign(vals->ff.size(), true);
  }
  auto rank_next = [&](const Chunk& c, i64 groups) {  // the lanes' groups of this cycle
    if (buffered != ranking) {
      buffer.resize(static_cast<std::size_t>(c.rows * j.red));
      for (i64 r = 0; r < c.rows; ++r)
        for (i64 k = 0; k < j.red; ++k) buffer[static_cast<std::size_t>(r * j.red + k)] = vals->w(c.row0 + r, k);
      buffered = ranking;
    }
    double v[64];
    i64 pos[64];
    for (i64 x = c.groups - left; x < c.groups - left + groups; ++x) {
      i64 size = 0;
      if (x < c.rows * ff_per_row) {  // along Cin: a row's M columns
        const i64 r = x / ff_per_row, k0 = x % ff_per_row * M;
        for (i64 k = k0; k < std::min(j.red, k0 + M); ++k, ++size) {
          v[size] = buffer[static_cast<std::size_t>(r * j.red + k)];
          pos[size] = (c.row0 + r) * j.red + k;
        }
        rank_group(v, pos, size, j.nm, vals->ff);
      } else {  // along Cout: the chunk's rows of one column
        const i64 k = x - c.rows * ff_per_row;
        for (i64 r = 0; r < c.rows; ++r, ++size) {
          v[size] = buffer[static_cast<std::size_t>(r * j.red + k)];
          pos[size] = (c.row0 + r) * j.red + k;
        }
        rank_group(v, pos, size, j.nm, vals->bp);
      }
      ++vals->groups_ranked;
    }
  };
  auto issue_reads = [&] {
    while (next_read < chunks.size() && next_read < ranking + 2) {  // two chunk buffers
      const Chunk& c = chunks[next_read++];
      const auto flag = c.arrived;
      submit_traffic({l.base + static_cast<std::uint64_t>(c.row0) * l.w_row, static_cast<std::uint64_t>(c.rows),
                      l.w_row, l.w_row, false},
                     [flag](const sc_core::sc_time&) { *flag = true; });
    }
  };
  issue_reads();
  while (ranking < chunks.size()) {
    Chunk& c = chunks[ranking];
    if (*c.arrived) {  // the lanes take this cycle's groups
      const i64 groups = std::min<i64>(hw_.mask_lanes, left);
      if (vals) rank_next(c, groups);
      left -= groups;
    }
    sc_core::wait(sc_core::sc_time(1, sc_core::SC_NS));
    if (left > 0 || !*c.arrived) continue;  // (an unranked chunk still waits for its data)
    // All groups of the chunk ranked: after the pipeline depth its FF rows go back to DRAM.
    writes.push_back(submit_traffic({l.ff_base + static_cast<std::uint64_t>(c.row0) * l.ff_row,
                                     static_cast<std::uint64_t>(c.rows), l.ff_row, l.ff_row, true}));
    if (++ranking < chunks.size()) left = chunks[ranking].groups;
    issue_reads();
  }
  sc_core::wait(sc_core::sc_time(static_cast<double>(hw_.mask_latency), sc_core::SC_NS));
  writes.push_back(
      submit_traffic({l.bp_base, static_cast<std::uint64_t>(j.instances * j.red), l.bp_row, l.bp_row, true}));
  for (const auto& w : writes) dram_.wait(w);
  if (vals) vals->done = true;
}

void MaskUnit::rank_group(const double* v, const i64* pos, i64 size, Nm nm, std::vector<bool>& mask) {
  for (i64 e = 0; e < size; ++e) {
    i64 beaten_by = 0;
    for (i64 o = 0; o < size; ++o)
      if (o != e && (std::abs(v[o]) > std::abs(v[e]) || (std::abs(v[o]) == std::abs(v[e]) && o < e))) ++beaten_by;
    mask[static_cast<std::size_t>(pos[e])] = beaten_by < nm.n;
  }
}

}  // namespace sparsim::sat
