#include "models/sat/sat_top.hpp"

#include "models/memory/dram_params.hpp"
#include "models/transform/winograd_check.hpp"
#include "sim/timeline.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace sparsim::sat {

using sc_core::SC_NS;
using sc_core::sc_time;

namespace {
i64 now_cycles() { return static_cast<i64>(sc_core::sc_time_stamp() / sc_time(1, SC_NS)); }

// a + b, counter by counter (both from snapshots of one registry).
std::vector<CounterSample> sum(std::vector<CounterSample> a, const std::vector<CounterSample>& b) {
  for (std::size_t i = 0; i < a.size(); ++i) a[i].value += b[i].value;
  return a;
}
}  // namespace

SatTop::SatTop(sc_core::sc_module_name name, const RunContext& ctx, const Hw& hw, std::vector<Job> jobs)
    : sc_module(name),
      ctx_(ctx),
      hw_(hw),
      jobs_(std::move(jobs)),
      dram_("dram", memory::dram_spec_from_config(ctx.config), ctx.mode, registry_,
            ctx.config.f64("accelerator.clock_ghz")),
      mask_("mask_unit", hw, ctx.mode == TimingMode::Detailed, dram_, registry_),
      pe_(hw, ctx.mode == TimingMode::Detailed, registry_),
      loader_jobs_("loader_jobs", 1),
      ready_("ready", 2),
      free_slots_("free_glb_halves", 2),
      obuf_free_("free_obuf_halves", 2),
      store_q_("stores", 1) {
  // Shared with the offload extension's DMA engines (the design's and the baseline's: one DRAM).
  if (ctx.device_memory) ctx.device_memory->dram = &dram_;
  if (ctx.baseline_memory) ctx.baseline_memory->dram = &dram_;
  if (const WaveOptions w = wave_options(ctx.config, true); !w.path.empty()) {
    if (w.row0 >= hw.rows || w.col0 >= hw.cols)
      ctx.config.fail("run.trace_origin", "PE (" + std::to_string(w.row0) + ", " + std::to_string(w.col0) +
                                              ") is outside the " + std::to_string(hw.rows) + " x " +
                                              std::to_string(hw.cols) + " array");
    pe_.core().set_probe(w.pes, w.pes, w.row0, w.col0, ctx.functional);
    waves_ = std::make_unique<ArrayWaves>(w, pe_.core().signals);
    pe_.attach_waves(waves_.get(), [this] { return dram_.queued_requests(); });
  }
  for (const Job& j : jobs_)
    if (!transform_ && j.op->transform_adds + j.op->transform_const_mults > 0)
      transform_ = std::make_unique<transform::TransformUnit>(
          transform::transform_spec_from(ctx.config, static_cast<int>(hw.data_bytes)), registry_);
  reuse_jobs_ = ctx.mode == TimingMode::Fast && ctx.config.boolean("accelerator.sim.reuse_identical_gemms");
  reuse_min_cycles_ = ctx.config.i64("accelerator.sim.reuse_min_cycles");
  SC_HAS_PROCESS(SatTop);
  SC_THREAD(control);
  SC_THREAD(loader);
  SC_THREAD(storer);
}

// DRAM layout of an op: A (compressed weights, M rows of K positions), B (K rows of N), and the output /
// partial sums (M rows of N) in three regions a quarter of the memory apart, instances one after another.
// Convolutions keep B (FF, WU) or the output (BP) as the tensor, not its im2col form: those rows shrink by
// the tensor fraction. Addresses wrap at the memory's capacity.
SatTop::Layout SatTop::layout(const Job& j, i64 instance) const {
  const Problem& p = j.problem;
  const std::uint64_t quarter = static_cast<std::uint64_t>(dram_.spec().capacity_bytes()) / 4;
  const std::uint64_t acc = static_cast<std::uint64_t>(hw_.acc_bytes);
  Layout l;
  l.a_pitch = static_cast<std::uint64_t>(a_row_bytes(hw_, p.nm, p.K));
  l.b_pitch = static_cast<std::uint64_t>(scaled(p.N * hw_.data_bytes, p.b_dram_fraction));
  l.c_pitch = static_cast<std::uint64_t>(p.N) * acc;
  l.out_pitch = static_cast<std::uint64_t>(scaled(p.N * hw_.data_bytes, p.out_dram_fraction));
  const std::uint64_t i = static_cast<std::uint64_t>(instance);
  l.a = i * static_cast<std::uint64_t>(p.M) * l.a_pitch;
  l.b = quarter + i * static_cast<std::uint64_t>(p.K) * l.b_pitch;
  l.c = 2 * quarter + i * static_cast<std::uint64_t>(p.M) * std::max(l.c_pitch, l.out_pitch);
  return l;
}

void SatTop::loader() {
  for (;;) {
    Job* j = nullptr;
    loader_jobs_.read(j);
    const Problem& p = j->problem;
    const TileSequence seq(p, j->mapping);
    // Which store (counted from the job's start) last wrote each output block: a block whose run
    // resumes past k = 0 may reload its partial sums only after that spill has reached DRAM.
    std::vector<i64> last_store(static_cast<std::size_t>(p.instances * j->mapping.tm * j->mapping.tn), -1);
    i64 stores = 0;
    for (i64 g = 0; g < seq.size(); ++g) {
      const GlbTile t = seq.at(g);
      const std::size_t block = static_cast<std::size_t>((t.instance * j->mapping.tm + t.im) * j->mapping.tn + t.in);
      free_slots_.read();
      if (t.load_psum)
        while (stores_done_ < j->store_base + last_store[block] + 1) wait(store_done_);
      const Layout l = layout(*j, t.instance);
      std::vector<memory::DramModule::Block> loads;
      i64 glb_bytes = 0, obuf_bytes = 0;
      if (t.load_a) {
        const std::uint64_t row = static_cast<std::uint64_t>(a_row_bytes(hw_, p.nm, t.kl));
        loads.push_back({l.a + static_cast<std::uint64_t>(t.m0) * l.a_pitch +
                             static_cast<std::uint64_t>(a_row_bytes(hw_, p.nm, t.k0)),
                         static_cast<std::uint64_t>(t.ml), row, l.a_pitch, false});
        glb_bytes += a_bytes(hw_, p.nm, t.ml, t.kl);
      }
      if (t.load_b) {
        const i64 row = scaled(t.nl * hw_.data_bytes, p.b_dram_fraction);
        loads.push_back({l.b + static_cast<std::uint64_t>(t.k0) * l.b_pitch +
                             static_cast<std::uint64_t>(scaled(t.n0 * hw_.data_bytes, p.b_dram_fraction)),
                         static_cast<std::uint64_t>(t.kl), static_cast<std::uint64_t>(row), l.b_pitch, false});
        glb_bytes += t.kl * row;
      }
      if (t.load_psum) {
        const std::uint64_t row = static_cast<std::uint64_t>(t.nl * hw_.acc_bytes);
        loads.push_back(
            {l.c + static_cast<std::uint64_t>(t.m0) * l.c_pitch + static_cast<std::uint64_t>(t.n0 * hw_.acc_bytes),
             static_cast<std::uint64_t>(t.ml), row, l.c_pitch, false});
        obuf_bytes += t.ml * t.nl * hw_.acc_bytes;
      }
      const i64 load_start = now_cycles();
      dram_.transfer(loads);
      if (Timeline* tl = active_timeline())
        tl->slice("sat: DRAM loads", j->variant + " " + j->op->layer + " " + phase_name(j->op->phase), load_start,
                  now_cycles(), {{"tile", g}, {"glb_bytes", glb_bytes}, {"obuf_bytes", obuf_bytes}});
      pe_.glb_write_bytes += glb_bytes;
      pe_.obuf_write_bytes += obuf_bytes;
      if (t.run_end) last_store[block] = stores++;
      ready_.write(g);
    }
  }
}

void SatTop::storer() {
  for (;;) {
    const Store s = store_q_.read();
    const i64 start = now_cycles();
    dram_.transfer({s.block});
    if (Timeline* tl = active_timeline())
      tl->slice("sat: DRAM stores", s.block.write ? "store" : "load", start, now_cycles(),
                {{"bytes", s.block.rows * s.block.row_bytes}});
    obuf_free_.write(1);
    ++stores_done_;
    store_done_.notify(sc_core::SC_ZERO_TIME);
  }
}

void SatTop::run_job(Job& j) {
  const Problem& p = j.problem;
  const TileSequence seq(p, j.mapping);
  // Functional runs: every instance (conv group, batched GEMM) carries its own operands through the array
  // (a group's W from its own seed, the same in FF and BP), each checked against its dense reference.
  std::vector<std::unique_ptr<FunctionalOp>> f;
  if (ctx_.functional)
    for (i64 g = 0; g < p.instances; ++g) {
      const std::uint64_t seed = ctx_.seed * 0x9E3779B97F4A7C15ULL + j.op_index * 2 + (j.design ? 1 : 0) +
                                 static_cast<std::uint64_t>(g) * 0xBF58476D1CE4E5B9ULL;
      f.push_back(std::make_unique<FunctionalOp>(p.M, p.K, p.N, p.nm, seed, 16, layer_weights(j, g)));
    }
  j.store_base = stores_done_;
  loader_jobs_.write(&j);
  i64 issued = 0;
  auto waited = [&](i64 since) { pe_.stall_dram += now_cycles() - since; };
  for (i64 g = 0; g < seq.size(); ++g) {
    const GlbTile t = seq.at(g);
    i64 t0 = now_cycles();
    ready_.read();
    if (t.run_start) obuf_free_.read();
    waited(t0);
    const i64 tile_start = now_cycles();
    pe_.run_glb_tile(t, j.mapping.stationarity, p.nm,
                     f.empty() ? nullptr : f[static_cast<std::size_t>(t.instance)].get());
    if (Timeline* tl = active_timeline())
      tl->slice("sat: array", j.variant + " " + j.op->layer + " " + phase_name(j.op->phase), tile_start, now_cycles(),
                {{"tile", g}, {"of", seq.size()}, {"m0", t.m0}, {"k0", t.k0}, {"n0", t.n0}});
    free_slots_.write(1);
    if (t.run_end) {
      // Final outputs leave as the tensor (BP: dX, not its im2col form); partial-sum spills stay as they are.
      const Layout l = layout(j, t.instance);
      Store s;
      if (t.final_k) {
        const i64 row = scaled(t.nl * hw_.data_bytes, p.out_dram_fraction);
        s.block = {l.c + static_cast<std::uint64_t>(t.m0) * l.out_pitch +
                       static_cast<std::uint64_t>(scaled(t.n0 * hw_.data_bytes, p.out_dram_fraction)),
                   static_cast<std::uint64_t>(t.ml), static_cast<std::uint64_t>(row), l.out_pitch, true};
      } else {
        s.block = {
            l.c + static_cast<std::uint64_t>(t.m0) * l.c_pitch + static_cast<std::uint64_t>(t.n0 * hw_.acc_bytes),
            static_cast<std::uint64_t>(t.ml), static_cast<std::uint64_t>(t.nl * hw_.acc_bytes), l.c_pitch, true};
      }
      pe_.obuf_read_bytes += static_cast<i64>(s.block.rows * s.block.row_bytes);
      t0 = now_cycles();
      store_q_.write(s);
      waited(t0);
      ++issued;
    }
  }
  const i64 t0 = now_cycles();
  while (stores_done_ < j.store_base + issued) wait(store_done_);
  waited(t0);
  if (!f.empty()) {
    j.result.functional_checked = true;
    j.result.functional_pass = true;
    i64 columns = 0;
    for (const auto& op : f) {
      const double err = op->max_abs_error();
      j.result.functional_max_abs_error = std::max(j.result.functional_max_abs_error, err);
      j.result.functional_pass = j.result.functional_pass && err <= op->tolerance();
      columns += static_cast<i64>(op->cols.size());
    }
    j.result.mapping["functional_columns_checked"] = columns;
    j.result.mapping["functional_instances_checked"] = static_cast<i64>(f.size());
    // A Winograd op's values go through the array as the position GEMMs above; the transforms around them
    // are checked here against direct convolution on one channel of the layer.
    if (const Layer* l = layer_of(j); l && j.op->conv_algorithm != ConvAlgorithm::Direct) {
      const double err = transform::winograd_check_error(*l, j.op->conv_algorithm, weight_seed(j));
      j.result.mapping["winograd_functional_max_abs_error"] = err;
      j.result.functional_pass = j.result.functional_pass && err <= transform::kWinogradCheckTolerance;
    }
  }
}

const Layer* SatTop::layer_of(const Job& j) const {
  const auto& layers = ctx_.step.network.layers;
  if (j.op->layer_index < 0 || static_cast<std::size_t>(j.op->layer_index) >= layers.size()) return nullptr;
  const Layer& l = layers[static_cast<std::size_t>(j.op->layer_index)];
  return l.kind == LayerKind::MatMul ? nullptr : &l;
}

std::uint64_t SatTop::weight_seed(const Job& j, i64 group) const {
  return ctx_.seed * 0xD1B54A32D192ED03ULL + static_cast<std::uint64_t>(j.op->layer_index) +
         static_cast<std::uint64_t>(group) * kInstanceSeedStride;
}

// The A operand of FF and BP is the layer's W (transposed for BP), the same values in both phases and
// both variants, so the FF mask (along Cin) and the BP mask (along Cout) are ranked on one W.
LayerWeights SatTop::group_weights(const Job& j, i64 group) const {
  const Layer* l = layer_of(j);
  if (!l) return {};
  const i64 cin_g = l->kind == LayerKind::Conv ? l->cin / l->groups : l->cin;
  const i64 cout_g = l->kind == LayerKind::Conv ? l->cout / l->groups : l->cout;
  // A transposable mask is one mask for both phases, applied to W before the mask unit ranks it (whose
  // groups then hold N values or fewer, so it keeps exactly that mask).
  if (l->sparsity.transposable && j.design)
    return transposable_weights(weight_seed(j, group), j.problem.nm, cout_g, cin_g);
  return [seed = weight_seed(j, group)](i64 co, i64 c, i64 pos) { return layer_weight(seed, co, c, pos); };
}

// The A operand of FF and BP is the layer's W (transposed for BP), the same values in both phases and
// both variants, so the FF mask (along Cin) and the BP mask (along Cout) are ranked on one W.
std::function<double(i64, i64)> SatTop::layer_weights(const Job& j, i64 group) const {
  const Layer* l = layer_of(j);
  if (!l || !j.op->a_is_weight) return {};
  const i64 cin_g = l->cin / l->groups, cout_g = l->cout / l->groups, taps = l->kh * l->kw;
  const i64 red = l->kind == LayerKind::Conv ? cin_g * taps : l->cin;
  const i64 out = l->kind == LayerKind::Conv ? cout_g : l->cout;
  const i64 ci = l->kind == LayerKind::Conv ? cin_g : l->cin;
  const LayerWeights w = group_weights(j, group);
  if (j.op->phase == Phase::FF && j.problem.M == out && j.problem.K == red) return ff_operand(w, ci);
  if (j.op->phase == Phase::BP && j.problem.M == red && j.problem.K == out) return bp_operand(w, ci);
  return {};
}

void SatTop::attach_mask_values(Job& j) const {
  if (!ctx_.functional || ctx_.mode != TimingMode::Detailed || !j.mask.rank || !j.mask.nm.sparse()) return;
  const Layer* l = layer_of(j);
  const i64 cin_g = l ? (l->kind == LayerKind::Conv ? l->cin / l->groups : l->cin) : 0;
  // W of every group, in FF's layout (row co, column k = tap * cin_g + ci); a job without a layer (a
  // trace's GEMM) ranks values drawn from the job's seed.
  std::vector<std::function<double(i64, i64)>> groups;
  for (i64 g = 0; l && g < j.mask.instances; ++g) groups.push_back(ff_operand(group_weights(j, g), cin_g));
  auto values = std::make_shared<MaskValues>();
  const i64 cout = j.mask.cout;
  values->w = [groups = std::move(groups), cout, seed = weight_seed(j)](i64 row, i64 col) {
    return groups.empty() ? layer_weight(seed, row, col, 0)
                          : groups[static_cast<std::size_t>(row / cout)](row % cout, col);
  };
  j.mask.values = std::move(values);
}

void SatTop::check_mask_values(Job& j) {
  const MaskValues* v = j.mask.values.get();
  if (!v) return;
  const MaskJob& mj = j.mask;
  bool ff_ok = v->done, bp_ok = v->done;
  for (i64 row = 0; v->done && row < mj.instances * mj.cout; ++row) {  // along Cin: a row of W
    std::vector<double> w(static_cast<std::size_t>(mj.red));
    for (i64 k = 0; k < mj.red; ++k) w[static_cast<std::size_t>(k)] = v->w(row, k);
    const auto keep = nm_mask_by_sort(w, mj.nm);
    for (i64 k = 0; k < mj.red; ++k)
      ff_ok = ff_ok && v->ff[static_cast<std::size_t>(row * mj.red + k)] == (keep[static_cast<std::size_t>(k)] != 0);
  }
  for (i64 g = 0; v->done && g < mj.instances; ++g)  // along Cout: a column of one group's W
    for (i64 k = 0; k < mj.red; ++k) {
      std::vector<double> w(static_cast<std::size_t>(mj.cout));
      for (i64 co = 0; co < mj.cout; ++co) w[static_cast<std::size_t>(co)] = v->w(g * mj.cout + co, k);
      const auto keep = nm_mask_by_sort(w, mj.nm);
      for (i64 co = 0; co < mj.cout; ++co)
        bp_ok = bp_ok && v->bp[static_cast<std::size_t>((g * mj.cout + co) * mj.red + k)] ==
                             (keep[static_cast<std::size_t>(co)] != 0);
    }
  const bool ok = ff_ok && bp_ok && v->groups_ranked == mask_groups(mj);
  j.result.mapping["mask_unit_groups_ranked_with_values"] = v->groups_ranked;
  j.result.mapping["mask_unit_ff_mask_pass"] = ff_ok;
  j.result.mapping["mask_unit_bp_mask_pass"] = bp_ok;
  j.result.mapping["mask_functional_pass"] = j.result.mapping.value("mask_functional_pass", true) && ok;
  j.result.functional_pass = j.result.functional_pass && ok;
}

// Functional check of the mask unit's rank network on the layer's weights: both masks against sorting.
void SatTop::check_masks(Job& j) {
  const MaskJob& mj = j.mask;
  std::mt19937_64 rng(ctx_.seed * 0xD1B54A32D192ED03ULL + j.op_index);
  std::normal_distribution<double> dist(0.0, 1.0);
  const i64 rows = std::min<i64>(mj.cout, 64), cols = std::min<i64>(mj.red, 64);
  bool ok = true;
  // The layer's W (Cout x Cin*taps, k = tap * cin_g + ci) where the job is a layer's weight update.
  const Layer* l = layer_of(j);
  const auto w_of = l ? ff_weights(weight_seed(j), l->kind == LayerKind::Conv ? l->cin / l->groups : l->cin)
                      : std::function<double(i64, i64)>{};
  std::vector<double> w(static_cast<std::size_t>(rows * cols));
  for (i64 r = 0; r < rows; ++r)
    for (i64 c = 0; c < cols; ++c) w[static_cast<std::size_t>(r * cols + c)] = w_of ? w_of(r, c) : dist(rng);
  // (Detailed functional runs check the masks the unit itself produced instead: check_mask_values.)
  for (i64 r = 0; r < rows && !mj.values; ++r) {  // FF mask: groups along Cin (a row of W)
    std::vector<double> v(w.begin() + r * cols, w.begin() + (r + 1) * cols);
    ok = ok && nm_mask_by_rank(v, mj.nm) == nm_mask_by_sort(v, mj.nm);
  }
  for (i64 c = 0; c < cols && !mj.values; ++c) {  // BP mask: groups along Cout (a column of W, a row of W^T)
    std::vector<double> v;
    for (i64 r = 0; r < rows; ++r) v.push_back(w[r * cols + c]);
    ok = ok && nm_mask_by_rank(v, mj.nm) == nm_mask_by_sort(v, mj.nm);
  }
  // A transposable mask: N of every M along Cin (FF) and along Cout (BP) at once, in every full group.
  if (l && l->sparsity.transposable && mj.nm.sparse() && mj.nm.n < mj.nm.m) {
    const i64 cin_g = l->kind == LayerKind::Conv ? l->cin / l->groups : l->cin;
    const i64 cout_g = l->kind == LayerKind::Conv ? l->cout / l->groups : l->cout;
    const auto t = ff_operand(transposable_weights(weight_seed(j), mj.nm, cout_g, cin_g), cin_g);
    const i64 m = mj.nm.m, tr = std::min<i64>(cout_g, 64) / m * m, tc = std::min<i64>(cin_g, 64) / m * m;
    bool structured = true;
    for (i64 r0 = 0; r0 < tr; r0 += m)
      for (i64 c0 = 0; c0 < tc; c0 += m)
        for (i64 i = 0; i < m; ++i) {
          i64 in_row = 0, in_col = 0;
          for (i64 x = 0; x < m; ++x) {
            in_row += t(r0 + i, c0 + x) != 0.0;
            in_col += t(r0 + x, c0 + i) != 0.0;
          }
          structured = structured && in_row == mj.nm.n && in_col == mj.nm.n;
        }
    if (tr > 0 && tc > 0) {  // else no full group to check (Cout or Cin below M)
      j.result.mapping["transposable_mask_pass"] = structured;
      ok = ok && structured;
    }
  }
  j.result.mapping["mask_functional_pass"] = ok;
  j.result.functional_pass = j.result.functional_pass && ok;
}

void SatTop::finish_waves() {
  if (!waves_) return;
  if (waves_->sampled() == 0) {
    waves_->finish(false);
    ctx_.config.fail("run.trace_window", "no cycle of the array fell inside the window (the run ends at cycle " +
                                             std::to_string(now_cycles()) + ")");
  }
  waves_->finish(true);
}

void SatTop::control() {
  for (int i = 0; i < 2; ++i) {
    free_slots_.write(1);
    obuf_free_.write(1);
  }
  const std::size_t total = jobs_.size();
  i64 prev_end = now_cycles();
  for (std::size_t n = 0; n < total; ++n) {
    Job& j = jobs_[n];
    const auto before = registry_.snapshot();
    // The design's ops pass the gate, the baseline's (dense) theirs: both under the same policy.
    JobGate* const gate = j.design ? ctx_.gate : ctx_.baseline_gate;
    if (gate) {
      const i64 t0 = now_cycles();
      gate->before_job(j.op_index, *j.op);
      pe_.stall_gate += now_cycles() - t0;
    }
    // Winograd: the transform unit works on the op's tiles beside the GEMM (overlap) or before it.
    const bool transforms = transform_ && j.op->transform_adds + j.op->transform_const_mults > 0;
    // Masks on demand: the job waits while the mask unit reads W, ranks it and writes both compressed copies.
    if (j.mask_before || j.mask_after) attach_mask_values(j);
    if (j.mask_before) {
      const i64 t0 = now_cycles();
      mask_.submit(j.mask, j.op->layer);
      mask_.wait_idle();
      pe_.stall_mask += now_cycles() - t0;
      mask_cycles_ += mask_.rank_cycles(j.mask);
      if (ctx_.functional) check_masks(j);
    }
    // Fast mode: a job identical to one simulated before, beside the same mask-unit work, takes that one's
    // array part (docs/sat.md, "Identical jobs in fast mode", measures the error).
    const bool reusable =
        reuse_jobs_ && !gate && !transforms && !ctx_.functional && !active_timeline() && !j.mask_before;
    JobKey key;
    const JobMemo* twin = nullptr;
    if (reusable) {
      key = {j.design, j.problem, mask_.activity()};
      if (const auto hit = job_memo_.find(key); hit != job_memo_.end()) twin = &hit->second;
    }
    const i64 start = now_cycles();
    if (twin) {
      wait(sc_time(static_cast<double>(twin->cycles), SC_NS));
      dram_.skip_refreshes_to_now();  // the twin's counters hold the span's refreshes
      j.result.mapping["reused_from_job"] = twin->job;
    } else {
      if (transforms) {
        transform_->issue(j.op->transform_adds, j.op->transform_const_mults);
        if (!transform_->overlap()) transform_->wait_done();
      }
      run_job(j);
      if (transforms && transform_->overlap()) transform_->wait_done();
    }
    std::vector<CounterSample> after_array;
    if (reusable) after_array = registry_.snapshot();
    // Only a long job stands for its twins: a short one's time depends more on the DRAM state it starts in
    // (open rows, the refresh phase), which a twin does not share.
    if (reusable && !twin && now_cycles() - start >= reuse_min_cycles_)
      job_memo_.emplace(key, JobMemo{n, now_cycles() - start, StatsRegistry::difference(after_array, before)});
    if (j.mask_after) {
      const i64 t0 = now_cycles();
      mask_.submit(j.mask, j.op->layer);  // waits only while the unit is still busy with an earlier layer
      pe_.stall_mask += now_cycles() - t0;
      mask_cycles_ += mask_.rank_cycles(j.mask);
      if (ctx_.functional) check_masks(j);
    }
    const bool variant_ends = n + 1 == total || jobs_[n + 1].variant != j.variant;
    if (variant_ends) {
      // The step is over only when the last masks are written (the next step's FF needs them).
      const i64 t0 = now_cycles();
      mask_.wait_idle();
      pe_.stall_mask += now_cycles() - t0;
    }
    if (gate) gate->after_job(j.op_index, *j.op);
    const i64 end = now_cycles();
    JobResult& r = j.result;
    r.cycles = static_cast<std::uint64_t>(end - prev_end);
    prev_end = end;
    r.counters = twin ? sum(twin->counters, StatsRegistry::difference(registry_.snapshot(), after_array))
                      : StatsRegistry::difference(registry_.snapshot(), before);
    if (ctx_.progress)
      ctx_.progress->job_done(n + 1, total, j.variant + " " + j.op->layer + " " + phase_name(j.op->phase));
  }
  for (Job& j : jobs_) check_mask_values(j);  // (every mask job is done: the last variant waited for them)
  sc_core::sc_stop();
}

}  // namespace sparsim::sat
