#include "models/scnn/controller.hpp"

#include <algorithm>

#include "models/scnn/bp_data.hpp"
#include "models/scnn/weight_format.hpp"
#include "sim/errors.hpp"
#include "sim/timeline.hpp"
#include "workloads/layer_masks.hpp"

namespace sparsim::scnn {

namespace {

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  // SplitMix64 step: decorrelates the seeds of the per-layer generators.
  std::uint64_t z = a + 0x9E3779B97F4A7C15ULL * (b + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t cycles_of(const sc_core::sc_time& t) { return static_cast<std::uint64_t>(t.to_seconds() * 1e9 + 0.5); }
std::uint64_t now_cycles() { return cycles_of(sc_core::sc_time_stamp()); }

// Timeline tracks (sim/timeline.hpp); the variants run one after another, so they share them.
constexpr const char* kGridTrack = "scnn: PE grid";
constexpr const char* kLoadTrack = "scnn: DRAM loads";
constexpr const char* kStoreTrack = "scnn: DRAM stores";
constexpr const char* kStallTrack = "scnn: stalls";

// A DRAM transfer's slice, recorded when it completes (weights merge into bursts: one slice per group
// would be millions on large layers).
memory::DramModule::DoneCallback timeline_transfer(const char* track, std::string name, std::uint64_t bytes,
                                                   bool merge) {
  if (!active_timeline()) return {};
  const std::uint64_t start = now_cycles();
  return [track, name = std::move(name), bytes, merge, start](const sc_core::sc_time& at) {
    Timeline* tl = active_timeline();
    if (!tl) return;
    if (merge)  // a job's weight stream between two activation loads is one slice (busy cycles, bytes)
      tl->merge(track, name, start, cycles_of(at), std::uint64_t{1} << 40, bytes);
    else
      tl->slice(track, name, start, cycles_of(at), {{"bytes", bytes}});
  };
}

std::string module_name(const std::string& v) {
  std::string s = v;
  std::replace(s.begin(), s.end(), '-', '_');
  return s;
}

}  // namespace

std::vector<OpPlan> plan_ops(const TrainingStep& step, const ScnnParams& p) {
  std::vector<OpPlan> plans;
  const auto& layers = step.network.layers;
  for (std::size_t i = 0; i < step.ops.size(); ++i) {
    const GemmOp& op = step.ops[i];
    const Layer& l = layers[static_cast<std::size_t>(op.layer_index)];
    OpPlan plan;
    plan.op_index = i;
    plan.op = &op;
    plan.phase = op.phase;
    plan.fwd_shape = conv_shape_of(l);
    plan.instances = instances_of(l);
    plan.fwd_densities.weights = op.a_density;
    plan.fwd_densities.inputs = l.sparsity.activation_density;
    // The ReLU pattern of the outputs: the next layer's input density (1.0 after the last layer).
    const auto next = static_cast<std::size_t>(op.layer_index) + 1;
    plan.fwd_densities.outputs = next < layers.size() ? layers[next].sparsity.activation_density : 1.0;
    if (op.phase == Phase::FF) {
      plan.shape = plan.fwd_shape;
      plan.densities = plan.fwd_densities;
      plan.operand_density = plan.densities.inputs;
    } else if (op.phase == Phase::WU) {
      if (l.kind == LayerKind::MatMul)
        throw InputError("workload: layer '" + l.name +
                         "': the scnn WU extension covers convolution and fully connected layers only");
      // WU runs on the forward geometry: X (input-stationary) and dY (streamed) give dW (wu: sparse_grid.hpp).
      plan.shape = plan.fwd_shape;
      plan.gradient_density = op.a_density;
      const double dy = std::min(op.a_density, plan.fwd_densities.outputs);
      plan.densities.weights = dy;  // the streamed operand
      plan.densities.inputs = plan.fwd_densities.inputs;
      plan.densities.outputs = 1.0;  // dW is not rectified
      plan.operand_density = plan.densities.inputs;
    } else {
      if (l.kind == LayerKind::MatMul)
        throw InputError("workload: layer '" + l.name +
                         "': the scnn BP extension covers convolution and fully connected layers only");
      const auto t = bp_shape(plan.fwd_shape);
      if (!t)
        throw InputError("workload: layer '" + l.name +
                         "': the scnn BP transform needs a square kernel and pad <= kernel - 1");
      plan.shape = *t;
      plan.gradient_density = op.b_density;
      // dY lies inside the ReLU pattern of the outputs, so it is no denser than that pattern.
      const double dy = std::min(op.b_density, plan.fwd_densities.outputs);
      const ConvShape& f = plan.fwd_shape;
      plan.densities.weights = op.a_density;
      // Density of the dilated plane the IARAMs hold (the mapper sizes tiles by it).
      plan.densities.inputs = dy * static_cast<double>(f.Ho() * f.Wo()) / static_cast<double>(t->H * t->W);
      plan.densities.outputs = l.sparsity.activation_density;  // dX is zero where the input's ReLU was
      plan.operand_density = dy;
    }
    plan.mapping[0] = map_sparse(plan.shape, p.grid, plan.densities);
    plan.mapping[1] = map_dense(plan.shape, p.grid, plan.densities);
    for (auto& m : plan.mapping) m.kc = std::max<std::int64_t>(1, m.kc), m.groups = ceil_div(plan.shape.K, m.kc);
    if (op.phase == Phase::WU)
      for (auto& m : plan.mapping) {
        // One pass over the X plane (no row chunks); a group is one output-channel group of kc channels whose
        // partial dW (kc x R x S) fits the accumulators, times one input channel.
        const ConvShape& f = plan.shape;
        m.chunks = 1;
        m.kc = std::max<std::int64_t>(1, std::min(f.K, p.grid.acc_entries() / (f.R * f.S)));
        m.groups = ceil_div(f.K, m.kc) * f.C;
        m.acc_h = f.R;
        m.acc_w = f.S;
      }
    plans.push_back(plan);
  }
  // Activations stay on chip (OARAM becomes the next layer's IARAM) unless a layer is chunked: a chunked
  // layer reads its inputs from and writes its outputs to DRAM, and so do its neighbours. BP chains the same
  // way in reverse layer order (one layer's dX is the previous layer's dY); a phase starts from and ends in
  // DRAM.
  // WU ops (interleaved with BP, layer by layer) read the stashed forward inputs from DRAM and send dW
  // straight to DRAM; they leave the OARAMs holding dX alone, so the chain runs over the other ops.
  std::vector<OpPlan*> chain;
  for (auto& pl : plans)
    if (pl.phase == Phase::WU)
      pl.from_dram[0] = pl.from_dram[1] = pl.spill_out[0] = pl.spill_out[1] = true;
    else
      chain.push_back(&pl);
  for (int df = 0; df < 2; ++df)
    for (std::size_t i = 0; i < chain.size(); ++i) {
      OpPlan& pl = *chain[i];
      const bool chunked = pl.mapping[df].chunks > 1;
      const bool first = i == 0 || chain[i - 1]->phase != pl.phase;
      const bool last = i + 1 == chain.size() || chain[i + 1]->phase != pl.phase;
      pl.from_dram[df] = first || chunked || chain[i - 1]->spill_out[df];
      pl.spill_out[df] = last || chunked || chain[i + 1]->mapping[df].chunks > 1;
    }
  return plans;
}

std::shared_ptr<memory::DramModule::Transfer> Variant::submit(Stream s, std::uint64_t bytes,
                                                              memory::DramModule::DoneCallback on_done) {
  const std::uint64_t quarter = static_cast<std::uint64_t>(dram.spec().capacity_bytes()) / 4;
  std::uint64_t& at = cursor[static_cast<int>(s)];
  const std::uint64_t base = quarter * static_cast<std::uint64_t>(s) + at % quarter;
  at += bytes;
  return dram.submit({{base, 1, bytes, bytes, s == Stream::ActOut}}, std::move(on_done));
}

Variant::Variant(const std::string& n, const ScnnParams& p, TimingMode mode, int index)
    : name(n),
      stats(n, p),
      dram((module_name(n) + "_dram").c_str(), p.dram, mode, registry, p.clock_ghz),
      drain((module_name(n) + "_drain").c_str(), mode) {
  stats.attach(registry);
  if (index == 0)
    sparse = std::make_unique<SparseGrid>((module_name(n) + "_grid").c_str(), p, mode, stats);
  else
    dense = std::make_unique<DenseGrid>((module_name(n) + "_grid").c_str(), p, mode, stats, index == 2, index == 2);
}

ScnnTop::ScnnTop(sc_core::sc_module_name name, const RunContext& ctx, const ScnnParams& p, std::vector<OpPlan> plans)
    : sc_module(name), ctx_(ctx), p_(p), plans_(std::move(plans)), masks_(ctx.step.network, ctx.seed) {
  for (int v = 0; v < 3; ++v) variants_.push_back(std::make_unique<Variant>(kVariants[v], p, ctx.mode, v));
  // The design's DRAM is the run's device memory (the offload extension's DMA engine shares it).
  if (ctx.device_memory) ctx.device_memory->dram = &variants_.front()->dram;
  if (ctx.baseline_memory) ctx.baseline_memory->dram = &variants_[1]->dram;  // DCNN's, for its offload path
  SC_HAS_PROCESS(ScnnTop);
  SC_THREAD(run);
}

template <typename Grid>
void ScnnTop::run_instance(Variant& v, Grid& grid, const OpPlan& plan, const LayerData& data, int df,
                           std::map<std::string, std::uint64_t>& stalls) {
  VariantStats& st = v.stats;
  const PlaneMapping& m = plan.mapping[df];
  const bool sparse = df == 0;
  std::string job_name = v.name;
  job_name += " ";
  job_name += plan.op->layer;
  job_name += " ";
  job_name += phase_name(plan.phase);
  // A stall's slice: waits that touch merge (a slice per group would be millions on large layers).
  const auto stalled = [&](const char* cause, std::uint64_t from) {
    const std::uint64_t to = now_cycles();
    if (Timeline* tl = active_timeline(); tl && to > from) tl->merge(kStallTrack, cause, from, to, 0);
  };
  const auto wait_dram = [&](const std::shared_ptr<memory::DramModule::Transfer>& r) {
    const auto t0 = sc_core::sc_time_stamp();
    v.dram.wait(r);
    stalls["dram"] += static_cast<std::uint64_t>((sc_core::sc_time_stamp() - t0).to_seconds() * 1e9 + 0.5);
    stalled("dram wait", cycles_of(t0));
  };
  std::vector<std::uint64_t> wbytes;
  std::vector<WeightFormatBits> wfmt;  // FF / BP: the weight streams' value and index bits
  if (plan.phase == Phase::WU) {
    // dY of each output-channel group before its first input channel (compressed in SCNN, dense otherwise).
    if (sparse) {
      wbytes = sparse_wu_group_bytes(data, *wu_dy_, m, p_.grid);
    } else {
      const ConvShape& f = data.shape;
      for (std::int64_t k0 = 0; k0 < f.K; k0 += m.kc)
        for (std::int64_t c = 0; c < f.C; ++c)
          wbytes.push_back(c ? 0
                             : static_cast<std::uint64_t>(std::min(m.kc, f.K - k0) * f.Ho() * f.Wo()) *
                                   static_cast<std::uint64_t>((p_.grid.value_bits + 7) / 8));
    }
  } else if (sparse) {
    wfmt = group_weight_formats(data, m, p_.grid);
    for (const WeightFormatBits& f : wfmt) wbytes.push_back(f.bytes);
  } else {
    for (std::int64_t k0 = 0; k0 < data.shape.K; k0 += m.kc) {
      wbytes.push_back(
          static_cast<std::uint64_t>(std::min(m.kc, data.shape.K - k0) * data.shape.C * data.shape.R * data.shape.S) *
          static_cast<std::uint64_t>((p_.grid.value_bits + 7) / 8));
      WeightFormatBits f;  // dense: values only
      f.value_bits = wbytes.back() * 8;
      wfmt.push_back(f);
    }
  }
  const auto count_weights = [&](std::size_t g) {
    st.dram_weight_bytes += wbytes[g];
    if (g < wfmt.size()) {
      st.dram_weight_value_bits += wfmt[g].value_bits;
      st.dram_weight_index_bits += wfmt[g].index_bits;
    }
  };
  for (std::int64_t chunk = 0; chunk < m.chunks; ++chunk) {
    grid.load_chunk(data, m, chunk);
    if (plan.from_dram[df]) {
      const std::uint64_t in = grid.chunk_input_bytes();
      st.dram_act_read_bytes += in;
      if (sparse) st.iaram_write_bytes += in;
      // The IARAMs must be full before the first group starts.
      wait_dram(v.submit(Variant::Stream::ActIn, in, timeline_transfer(kLoadTrack, job_name + " inputs", in, false)));
    }
    const std::uint64_t chunk_start = now_cycles();
    auto wreq = v.submit(Variant::Stream::Weights, wbytes[0],
                         timeline_transfer(kLoadTrack, job_name + " weights", wbytes[0], true));
    count_weights(0);
    for (std::int64_t g = 0; g < m.groups; ++g) {
      wait_dram(wreq);
      if (g + 1 < m.groups) {  // prefetch the next group's weights (and re-read any IARAM overflow)
        // WU: group g + 1 needs only its input channel; the X overflow streams again once per channel group.
        const bool reread = plan.phase != Phase::WU || (g + 1) % data.shape.C == 0;
        const std::uint64_t over = reread ? grid.chunk_overflow_bytes() : 0;
        // The weights and the re-read overflow leave one stream (as before, one request).
        const std::uint64_t next = wbytes[static_cast<std::size_t>(g) + 1] + over;
        wreq =
            v.submit(Variant::Stream::Weights, next, timeline_transfer(kLoadTrack, job_name + " weights", next, true));
        count_weights(static_cast<std::size_t>(g) + 1);
        st.dram_act_read_bytes += over;
      }
      grid.load_group(data, m, g);
      const auto t0 = sc_core::sc_time_stamp();
      v.drain.acquire_buffer();
      stalls["drain"] += static_cast<std::uint64_t>((sc_core::sc_time_stamp() - t0).to_seconds() * 1e9 + 0.5);
      stalled("drain wait", cycles_of(t0));
      const GroupOutcome o = grid.run_group();
      v.drain.post(o.halo_cycles, o.ppu_cycles);
    }
    const auto t0 = sc_core::sc_time_stamp();
    v.drain.wait_idle();
    stalls["drain"] += static_cast<std::uint64_t>((sc_core::sc_time_stamp() - t0).to_seconds() * 1e9 + 0.5);
    stalled("drain wait", cycles_of(t0));
    if (Timeline* tl = active_timeline())
      tl->slice(kGridTrack, job_name, chunk_start, now_cycles(),
                {{"chunk", chunk}, {"of", m.chunks}, {"groups", m.groups}});
    if (plan.spill_out[df]) {  // written behind the next chunk's work
      const std::uint64_t out = grid.chunk_output_bytes();
      st.dram_act_write_bytes += out;
      if (plan.phase != Phase::WU) st.oaram_read_bytes += out;  // WU: dW leaves the reduction root for DRAM
      v.submit(Variant::Stream::ActOut, out, timeline_transfer(kStoreTrack, job_name + " outputs", out, false));
    }
  }
}

void ScnnTop::run() {
  const std::uint64_t seed = ctx_.seed;
  std::size_t done = 0;
  const std::size_t total = plans_.size() * 3;
  for (int vi = 0; vi < 3; ++vi) {
    Variant& v = *variants_[static_cast<std::size_t>(vi)];
    const int df = vi == 0 ? 0 : 1;
    for (const OpPlan& plan : plans_) {
      const GemmOp& op = *plan.op;
      const Layer& layer = ctx_.step.network.layers.at(static_cast<std::size_t>(op.layer_index));
      const Phase weight_phase = plan.phase == Phase::BP ? Phase::BP : Phase::FF;  // WU reads FF's weights
      // SCNN's ops pass the gate, DCNN's (the baseline) theirs: the same policy for both.
      JobGate* const gate = vi == 0 ? ctx_.gate : vi == 1 ? ctx_.baseline_gate : nullptr;
      // The gate's wait is part of the job's time, reported as its "gate" stall (as sat and stc do).
      const auto before = v.registry.snapshot();
      const auto start = sc_core::sc_time_stamp();
      std::map<std::string, std::uint64_t> stalls;
      if (gate) {
        gate->before_job(plan.op_index, op);
        stalls["gate"] = cycles_of(sc_core::sc_time_stamp() - start);
      }
      JobResult job;
      job.layer_index = op.layer_index;
      job.layer = op.layer;
      job.phase = op.phase;
      job.variant = v.name;
      // SCNN computes values in both modes; the dense baselines only through their detailed structure.
      const bool functional = ctx_.functional && (vi == 0 || ctx_.mode == TimingMode::Detailed);
      job.functional_checked = functional;
      job.functional_pass = functional;
      std::uint64_t max_iaram = 0;
      for (std::int64_t image = 0; image < ctx_.step.batch; ++image)
        for (std::int64_t inst = 0; inst < plan.instances; ++inst) {
          // Same masks for every variant: the generators depend only on the seed, layer, instance, image.
          Rng wrng(mix(mix(seed, static_cast<std::uint64_t>(op.layer_index)), static_cast<std::uint64_t>(inst)));
          Rng arng(mix(mix(mix(seed ^ 0xA5A5A5A5ULL, static_cast<std::uint64_t>(op.layer_index)),
                           static_cast<std::uint64_t>(inst)),
                       static_cast<std::uint64_t>(image)));
          LayerData fwd = OperandMasks::covers(layer)
                              ? make_layer_data(plan.fwd_shape, plan.fwd_densities,
                                                masks_.weights(op.layer_index, weight_phase, inst),
                                                masks_.inputs(op.layer_index, image, inst),
                                                masks_.outputs(op.layer_index, image, inst), wrng, arng, functional)
                              : make_layer_data(plan.fwd_shape, plan.fwd_densities, wrng, arng, functional);
          // FF weights pruned in whole blocks travel in the granularity's compressed format (SCNN only).
          if (plan.phase == Phase::FF && v.sparse)
            fwd.weight_granularity = weight_format_granularity(fwd.weights, fwd.shape, layer.sparsity.granularity);
          BpData bp;
          Gradient wu;
          // BP and WU of a layer draw the same dY (same seeds).
          Rng grng(mix(mix(mix(seed ^ 0x6D5A3C1FULL, static_cast<std::uint64_t>(op.layer_index)),
                           static_cast<std::uint64_t>(inst)),
                       static_cast<std::uint64_t>(image)));
          if (plan.phase == Phase::BP) {
            bp = make_bp_data(fwd, plan.shape, plan.densities, plan.gradient_density, grng);
            // The transposed, flipped weights keep whole kernels and kernel rows (a pruned filter becomes a
            // pruned input channel, which SCNN's own format already skips), so BP streams them in the
            // granularity's format too when its blocks are whole.
            if (v.sparse)
              bp.data.weight_granularity =
                  weight_format_granularity(bp.data.weights, bp.data.shape, layer.sparsity.granularity);
          }
          if (plan.phase == Phase::WU) wu = make_gradient(fwd, plan.gradient_density, grng);
          const bool is_wu = plan.phase == Phase::WU;
          wu_dy_ = is_wu ? &wu.dy : nullptr;
          const LayerData& data = plan.phase == Phase::BP ? bp.data : fwd;
          // Functional runs: the grid's outputs against a dense reference on the same masked values.
          const auto check_values = [&](const std::vector<std::int64_t>& got) {
            const auto ref = plan.phase == Phase::BP ? reference_conv_transpose(fwd, bp.dy_values)
                             : is_wu                 ? reference_weight_gradient(fwd, wu.dy_values)
                                                     : reference_conv(data);
            if (got.size() != ref.size()) {
              job.functional_pass = false;
              return;
            }
            for (std::size_t i = 0; i < ref.size(); ++i) {
              const double err = std::abs(static_cast<double>(ref[i] - got[i]));
              job.functional_max_abs_error = std::max(job.functional_max_abs_error, err);
              if (err != 0) job.functional_pass = false;
            }
          };
          if (v.sparse) {
            v.sparse->set_gradient(wu_dy_, is_wu ? &wu.dy_values : nullptr);
            v.sparse->begin_layer(data);
            run_instance(v, *v.sparse, plan, data, df, stalls);
            max_iaram = std::max(max_iaram, v.sparse->max_iaram_bytes());
            if (job.functional_checked) check_values(v.sparse->outputs());
          } else {
            v.dense->set_gradient(wu_dy_, is_wu ? &wu.dy_values : nullptr);
            v.dense->begin_layer(data);
            run_instance(v, *v.dense, plan, data, df, stalls);
            max_iaram = std::max(max_iaram, v.dense->max_iaram_bytes());
            if (job.functional_checked) check_values(v.dense->outputs());
          }
        }
      const auto t0 = sc_core::sc_time_stamp();
      v.dram.wait_idle();  // outputs written back before the job ends
      stalls["dram"] += static_cast<std::uint64_t>((sc_core::sc_time_stamp() - t0).to_seconds() * 1e9 + 0.5);
      if (Timeline* tl = active_timeline(); tl && now_cycles() > cycles_of(t0))
        tl->merge(kStallTrack, "dram wait", cycles_of(t0), now_cycles(), 0);
      if (v.sparse) v.sparse->flush_bytes();
      job.cycles = static_cast<std::uint64_t>((sc_core::sc_time_stamp() - start).to_seconds() * 1e9 + 0.5);
      job.counters = StatsRegistry::difference(v.registry.snapshot(), before);
      job.dense_macs = static_cast<std::uint64_t>(op.macs());
      job.peak_macs_per_cycle = static_cast<std::uint64_t>(p_.grid.pe_rows * p_.grid.pe_cols * p_.grid.F * p_.grid.I);
      std::uint64_t conflicts = 0, barrier = 0, weight_wait = 0;
      for (const auto& c : job.counters) {
        if (c.block == v.name + ".mult" && c.name == "weight_wait_pe_cycles") weight_wait = c.value;
        if (c.block == v.name + ".mult" && c.name == "multiplies") job.issued_macs = c.value;
        if (c.block == v.name + ".mult" && c.name == "conflict_pe_cycles") conflicts = c.value;
        if (c.block == v.name + ".mult" && c.name == "barrier_pe_cycles") barrier = c.value;
      }
      // PE-cycle stalls as whole-grid cycles (averaged over the PEs).
      const auto npe = static_cast<std::uint64_t>(p_.grid.pe_rows * p_.grid.pe_cols);
      stalls["bank_conflict"] = conflicts / npe;
      stalls["load_imbalance"] = barrier / npe;
      if (v.dense) stalls["weight_bus"] = weight_wait / npe;
      job.stall_cycles = stalls;
      job.mapping = plan.mapping[df].to_json();
      job.mapping["from_dram"] = plan.from_dram[df];
      job.mapping["spill_to_dram"] = plan.spill_out[df];
      job.mapping["max_iaram_bytes_per_pe"] = max_iaram;
      job.mapping["weight_mask"] = OperandMasks::covers(layer)
                                       ? weight_mask_source(ctx_.step.network, op.layer_index, weight_phase)
                                       : std::string("generated: uniform");
      job.mapping["activation_masks"] = OperandMasks::covers(layer) ? "generated: clustered" : "generated: uniform";
      job.mapping["densities"] = {
          {"weights", plan.densities.weights}, {"inputs", plan.densities.inputs}, {"outputs", plan.densities.outputs}};
      jobs_.push_back(std::move(job));
      if (gate) gate->after_job(plan.op_index, op);
      if (ctx_.progress) ctx_.progress->job_done(++done, total, v.name + " " + op.layer);
    }
  }
}

}  // namespace sparsim::scnn
