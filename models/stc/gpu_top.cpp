#include "models/stc/gpu_top.hpp"

#include <algorithm>
#include <limits>
#include <random>
#include <string>

#include "models/stc/rnn_kernels.hpp"
#include "models/stc/sparse24.hpp"
#include "sim/energy.hpp"
#include "sim/timeline.hpp"

namespace sparsim::stc {

namespace {
std::uint64_t now_cycles() {
  return static_cast<std::uint64_t>(sc_core::sc_time_stamp() / sc_core::sc_time(1, sc_core::SC_NS));
}
}  // namespace

bool fits_24(const NMPattern& nm) {
  if (!nm.active()) return false;
  return nm.m % 4 == 0 ? nm.n <= 2 : (nm.m == 2 && nm.n <= 1);
}

std::vector<StcJob> stc_jobs(const TrainingStep& step) {
  std::vector<StcJob> jobs;
  for (const char* variant : {"sparse", "dense", "sparse-bp-dense"}) {
    const std::string v = variant;
    for (std::size_t i = 0; i < step.ops.size(); ++i) {
      const GemmOp& op = step.ops[i];
      StcJob j;
      j.op_index = i;
      j.op = op;
      j.variant = v;
      j.design = v == "sparse";
      const bool can = op.a_is_weight && fits_24(op.a_nm) && op.phase != Phase::WU;
      j.sparse = can && (v == "sparse" || (v == "sparse-bp-dense" && op.phase == Phase::FF));
      j.transposable = j.sparse && v == "sparse";
      jobs.push_back(j);
    }
  }
  return jobs;
}

GpuTop::GpuTop(const sc_core::sc_module_name& name, const StcParams& params, TimingMode mode, bool functional,
               std::uint64_t seed, std::vector<StcJob> jobs, JobGate* gate, Progress* progress, JobGate* baseline_gate)
    : sc_module(name),
      params_(params),
      functional_(functional),
      seed_(seed),
      jobs_(std::move(jobs)),
      gate_(gate),
      baseline_gate_(baseline_gate),
      progress_(progress) {
  reuse_gemms_ = params_.reuse_identical_gemms && mode == TimingMode::Fast;
  const gemm::GpuMachine& m = params_.machine;
  sm_counters_.macs = &tc_stats_.add(
      "macs", "tensor-core multiplies performed (a sparse MMA performs half of the logical ones)", "mac_fp16");
  sm_counters_.tc_busy =
      &tc_stats_.add("busy_cycles", "cycles the tensor-core pipes were busy, summed over simulated SMs");
  sm_counters_.smem_read = &smem_stats_.add("read_bytes", "shared-memory bytes read (MMA operands, tile stores)",
                                            sram_read_action(static_cast<std::uint64_t>(m.smem_bytes)));
  sm_counters_.smem_write =
      &smem_stats_.add("write_bytes", "shared-memory bytes written (TMA fills incl. zero fill, epilogue)",
                       sram_write_action(static_cast<std::uint64_t>(m.smem_bytes)));
  sm_counters_.rf_read =
      &rf_stats_.add("read_bytes", "accumulator bytes read from the register file by epilogues", "register_byte");
  sm_counters_.port_read = &noc_stats_.add("read_bytes", "bytes from the L2 to SMs", "crossbar_byte");
  sm_counters_.port_write = &noc_stats_.add("write_bytes", "bytes from SMs to the L2", "crossbar_byte");
  l2_read_ = &l2_stats_.add("read_bytes", "L2 bytes read", sram_read_action(static_cast<std::uint64_t>(m.l2_bytes)));
  l2_write_ =
      &l2_stats_.add("write_bytes", "L2 bytes written", sram_write_action(static_cast<std::uint64_t>(m.l2_bytes)));
  l2_busy_ = &l2_stats_.add("busy_cycles", "cycles the L2 bandwidth server was busy");
  for (StatGroup* g : {&tc_stats_, &smem_stats_, &rf_stats_, &noc_stats_, &l2_stats_}) registry_.attach(*g);

  l2_ = std::make_unique<Server>("l2", m.l2_bytes_per_cycle, 1, mode, l2_read_, l2_write_, l2_busy_, true);
  // One SystemC ns is one SM cycle, so DRAM nanoseconds scale by the clock.
  dram_ = std::make_unique<memory::DramModule>("hbm_dram", params_.dram, mode, registry_, params_.clock_ghz);
  dram_->sample_channels(params_.hbm_sampled_channels);
  dram_->admit_per_channel(true);  // the memory partitions take L2 misses independently
  hbm_ = std::make_unique<HbmStation>("hbm", *dram_);
  job_.representative = params_.sm_model == SmModel::Representative;
  job_.sms = m.sms;
  const int simulated = job_.representative ? 1 : m.sms;
  // As many slots as any plan of the menus can use: a plan with more resident CTAs than slots would
  // wait for ever for the slots it lacks (it did with four fixed slots, e.g. 6 resident 64x64 tiles).
  int slots = 1;
  for (const bool sparse : {false, true})
    for (const gemm::TileShape& t : sparse ? params_.sparse_tiles : params_.dense_tiles)
      slots = std::max(slots, gemm::resident_limit(t, sparse, m).ctas);
  for (int i = 0; i < simulated; ++i)
    sms_.push_back(std::make_unique<Sm>(("sm" + std::to_string(i)).c_str(), i, job_, params_.machine, mode,
                                        SharedMemory{l2_.get(), hbm_.get()}, sm_counters_, slots));
  for (const StcJob& j : jobs_)
    if (!transform_ && j.op.transform_adds + j.op.transform_const_mults > 0)
      transform_ = std::make_unique<transform::TransformUnit>(params_.winograd, registry_);
  SC_HAS_PROCESS(GpuTop);
  SC_THREAD(control);
}

const gemm::KernelPlan& GpuTop::plan_for(const gemm::GemmShape& g) {
  const auto key = std::make_tuple(g.M, g.N, g.K, g.instances, g.sparse);
  auto it = plans_.find(key);
  if (it == plans_.end()) {
    gemm::GpuMachine m = params_.machine;
    if (g.sparse) m.max_split_k = params_.sparse_max_split_k;
    it = plans_.emplace(key, gemm::plan_gemm(g, m, g.sparse ? params_.sparse_tiles : params_.dense_tiles)).first;
  }
  return it->second;
}

void GpuTop::hbm_transfer(const Blocks& blocks) {
  reduce_.clear(1);
  reduce_.add(hbm_.get(), params_.machine.hbm_latency, 0);
  reduce_.dram = blocks;
  reduce_.start();
  reduce_.wait_done();
}

// The job on the timeline: the kernel and its phases, its CTA waves, the wave tail, and the HBM traffic
// in at most kHbmBins slices (one per transfer would be millions).
void GpuTop::draw_job(Timeline& tl, const StcJob& sj, std::uint64_t t_gate, std::uint64_t t0, std::uint64_t t_main,
                      std::uint64_t t1) {
  constexpr std::uint64_t kHbmBins = 32;
  const gemm::KernelPlan& p = job_.plan;
  std::string name = sj.variant;
  name += " ";
  name += sj.op.layer;
  name += " ";
  name += phase_name(sj.op.phase);
  tl.slice("stc: kernels", name, t0, t1,
           {{"kernel", p.name}, {"ctas", p.ctas}, {"split_k", p.split_k}, {"waves", job_.wave_span.size()}});
  if (t0 > t_gate) tl.slice("stc: kernel phases", "gate wait", t_gate, t0);
  tl.slice("stc: kernel phases", "main loop", t0, t_main);
  if (t1 > t_main) tl.slice("stc: kernel phases", "split-K reduce", t_main, t1);
  for (std::size_t w = 0; w < job_.wave_span.size(); ++w) {
    const auto [s, e] = job_.wave_span[w];
    if (e < s) continue;
    std::string wave = "wave ";
    wave += std::to_string(w);
    tl.slice("stc: CTA waves", wave, s, e,
             {{"ctas", job_.in_wave(static_cast<std::int64_t>(w) * job_.reuse.wave_ctas)}});
  }
  if (!job_.slot_end.empty()) {
    const std::uint64_t first = *std::min_element(job_.slot_end.begin(), job_.slot_end.end());
    if (t_main > first) tl.slice("stc: stalls", "wave tail", first, t_main, {{"slots", job_.slot_end.size()}});
  }
  const auto traffic = hbm_->take_traffic();
  if (traffic.empty() || t1 <= t0) return;
  const std::uint64_t bin = (t1 - t0 + kHbmBins - 1) / kHbmBins;
  std::vector<HbmStation::Traffic> bins(kHbmBins);
  for (const auto& t : traffic) {
    const std::uint64_t at = static_cast<std::uint64_t>(std::max<std::int64_t>(t.done, 1)) - 1;
    const std::size_t i = std::min<std::size_t>(kHbmBins - 1, at > t0 ? (at - t0) / bin : 0);
    bins[i].read_bytes += t.read_bytes;
    bins[i].write_bytes += t.write_bytes;
  }
  for (std::size_t i = 0; i < kHbmBins; ++i) {
    const std::uint64_t bytes = bins[i].read_bytes + bins[i].write_bytes;
    if (bytes == 0) continue;
    const std::uint64_t s = t0 + i * bin, e = std::min(t1, s + bin);
    tl.slice(
        "stc: HBM traffic", "HBM", s, e,
        {{"read_bytes", bins[i].read_bytes},
         {"write_bytes", bins[i].write_bytes},
         {"bytes_per_cycle", static_cast<double>(bytes) / static_cast<double>(std::max<std::uint64_t>(1, e - s))}});
  }
}

void GpuTop::launch_kernel(KernelStalls& s) {
  if (params_.launch_cycles == 0) return;
  sc_core::wait(sc_core::sc_time(static_cast<double>(params_.launch_cycles), sc_core::SC_NS));
  s.launch += params_.launch_cycles;
}

void GpuTop::run_gemm(const gemm::GemmShape& g, KernelStalls& s, std::uint64_t* t_main, std::uint64_t* t_launched) {
  const gemm::GpuMachine& m = params_.machine;
  launch_kernel(s);
  if (t_launched) *t_launched = now_cycles();
  job_.shape = g;
  job_.plan = plan_for(g);
  job_.reuse = gemm::wave_reuse(job_.plan, g, m);
  job_.layout.emplace(job_.plan, g, m.elem_bytes);
  job_.next_cta = job_.plan.ctas_per_sm * static_cast<std::int64_t>(m.sms);  // after the first wave
  job_.operand_wait = job_.smem_bound = job_.epilogue = 0;
  job_.slot_end.clear();
  job_.wave_span.assign(
      active_timeline() ? static_cast<std::size_t>((job_.plan.ctas + job_.reuse.wave_ctas - 1) / job_.reuse.wave_ctas)
                        : 0,
      {std::numeric_limits<std::uint64_t>::max(), 0});
  const int slots = (job_.representative ? 1 : m.sms) * job_.plan.ctas_per_sm;
  job_.slots_left = slots;
  job_.start.notify(sc_core::SC_ZERO_TIME);
  sc_core::wait(job_.all_done);
  const std::uint64_t main_end = now_cycles();
  if (t_main) *t_main = main_end;
  const gemm::KernelPlan& p = job_.plan;
  if (p.split_k > 1) {  // reduce the fp32 partials held in the L2; what did not fit spills to HBM
    const std::int64_t partial = g.M * g.N * g.instances * 4 * p.split_k, out = g.M * g.N * g.instances * m.elem_bytes;
    const std::int64_t spill = std::max<std::int64_t>(0, partial - m.l2_bytes);
    if (spill > 0) {  // written out by the CTAs and read back by the reduction
      hbm_transfer(job_.layout->scratch(spill, true));
      hbm_transfer(job_.layout->scratch(spill, false));
    }
    reduce_.clear(1);
    reduce_.add(l2_.get(), m.l2_latency, partial);
    reduce_.add(l2_.get(), 0, out, true);
    reduce_.start();
    reduce_.wait_done();
    hbm_transfer(job_.layout->c_all());
  }
  std::uint64_t tail = 0;
  for (auto e : job_.slot_end) tail += main_end - std::min(main_end, e);
  const auto per_slot = [&](std::uint64_t v) { return v / static_cast<std::uint64_t>(slots); };
  s.operand_wait += per_slot(job_.operand_wait);
  s.smem_bound += per_slot(job_.smem_bound);
  s.epilogue += per_slot(job_.epilogue);
  s.tail += per_slot(tail);
}

void GpuTop::run_pointwise(std::int64_t read_bytes, std::int64_t write_bytes, KernelStalls& s) {
  const gemm::GpuMachine& m = params_.machine;
  const std::uint64_t t0 = now_cycles();
  launch_kernel(s);
  // The operands were written by the kernel before (or are a step's saved state): L2-resident while they
  // fit, so one L2 round trip for the loads, the stores behind them, and the kernel ends when the L2 has
  // taken the last store. What exceeds the L2 streams from and to the HBM.
  reduce_.clear(1);
  reduce_.add(l2_.get(), m.l2_latency, read_bytes);
  reduce_.add(l2_.get(), m.l2_latency, write_bytes, true);
  reduce_.start();
  reduce_.wait_done();
  const std::int64_t spill = std::max<std::int64_t>(0, read_bytes + write_bytes - m.l2_bytes);
  // The element-wise kernels' buffers (cuDNN's workspace and reserve) lie in a region of their own.
  const auto bytes = static_cast<std::uint64_t>(spill);
  if (spill > 0) hbm_transfer({{kRecurrentBuffersBase, 1, bytes, bytes, false}});
  s.pointwise += now_cycles() - t0 - (params_.launch_cycles);
}

RnnAlgorithm GpuTop::rnn_algorithm(const StcJob& sj, std::string& why) const {
  const RnnOp& r = *sj.op.rnn;
  if (sj.op.phase == Phase::WU) return RnnAlgorithm::Standard;
  const std::int64_t on_chip = params_.onchip_weight_bytes_per_sm * params_.machine.sms;
  const auto fits = [&](RnnAlgorithm a, double density) {
    const std::int64_t need = persistent_weight_bytes(r, a, density);
    if (need <= on_chip) return true;
    why = std::string(rnn_algorithm_name(a)) + ": its weights (" + std::to_string(need >> 10) +
          " KiB) do not fit on chip (" + std::to_string(on_chip >> 10) + " KiB), so the standard kernels run";
    return false;
  };
  // The design variant's pruned weights: 2:4 kernels in the standard algorithm, or the sparse persistent one.
  if (sj.design && params_.rnn_sparse_algorithm == "sparse_persistent" && sj.op.a_density < 1.0)
    return fits(RnnAlgorithm::SparsePersistent, sj.op.a_density) ? RnnAlgorithm::SparsePersistent
                                                                 : RnnAlgorithm::Standard;
  if (sj.sparse || params_.rnn_dense_algorithm == "standard") return RnnAlgorithm::Standard;
  // Structured gate-gradient sparsity shrinks the standard algorithm's per-step GEMMs (Zhu et al. ran it so).
  if (sj.op.phase == Phase::BP && r.gate_gradient_density < 1.0) {
    why = "gate-gradient sparsity runs on the standard kernels";
    return RnnAlgorithm::Standard;
  }
  const bool want =
      params_.rnn_dense_algorithm == "persistent" || cudnn_picks_persistent(r, sj.op.phase, params_.dtype == "fp16");
  return want && fits(RnnAlgorithm::Persistent, 1.0) ? RnnAlgorithm::Persistent : RnnAlgorithm::Standard;
}

void GpuTop::run_persistent(const RnnKernel& k, KernelStalls& s) {
  const gemm::GpuMachine& m = params_.machine;
  launch_kernel(s);
  // The resident weights come from the HBM once, at the start (each SM its share, all at once).
  const auto w = static_cast<std::uint64_t>(k.weight_bytes);
  const std::uint64_t t_load = now_cycles();
  hbm_transfer({{kPersistentWeightsBase, 1, w, w, false}});
  s.operand_wait += now_cycles() - t_load;
  const std::int64_t sms = m.sms, tile = params_.rnn_batch_tile;
  const std::int64_t rows_per_sm = (k.out_rows + sms - 1) / sms;
  const double rate = k.cuda_cores ? params_.cuda_fp16_fma_per_cycle : m.tc_macs_per_cycle;
  const auto wait_cycles = [](std::uint64_t c) {
    if (c > 0) sc_core::wait(sc_core::sc_time(static_cast<double>(c), sc_core::SC_NS));
  };
  for (std::int64_t t = 0; t < k.steps; ++t) {
    for (std::int64_t b0 = 0; b0 < k.batch; b0 += tile) {
      const std::int64_t cols = std::min(tile, k.batch - b0);
      // 1. Every SM must see the previous step's vector: one grid-wide synchronization.
      wait_cycles(params_.grid_sync_cycles);
      s.grid_sync += params_.grid_sync_cycles;
      // 2. Every SM gathers the whole vector through the L2 (all SMs' reads share it) and its own port.
      const std::int64_t gather = k.gather_bytes * cols;
      const std::uint64_t t0 = now_cycles();
      reduce_.clear(1);
      reduce_.add(l2_.get(), m.l2_latency, gather * sms);
      reduce_.start();
      reduce_.wait_done();
      const std::uint64_t port_done =
          t0 + static_cast<std::uint64_t>(m.l2_latency +
                                          (gather + m.l2_port_bytes_per_cycle - 1) / m.l2_port_bytes_per_cycle);
      if (now_cycles() < port_done) wait_cycles(port_done - now_cycles());
      s.operand_wait += now_cycles() - t0;  // the step waits for its vector
      // 3. Its rows against the resident weights (the non-zeros only, when sparse).
      const double macs = static_cast<double>(rows_per_sm * k.reduction * cols) * k.density;
      wait_cycles(static_cast<std::uint64_t>(std::ceil(macs / rate)));
      if (!k.cuda_cores) *sm_counters_.macs += static_cast<std::uint64_t>(macs) * static_cast<std::uint64_t>(sms);
      // 4. Its outputs (and the state kept for BP) back through the L2.
      const std::uint64_t t_write = now_cycles();
      reduce_.clear(1);
      reduce_.add(l2_.get(), m.l2_latency, k.step_write_bytes * cols / std::max<std::int64_t>(1, k.batch), true);
      reduce_.start();
      reduce_.wait_done();
      s.epilogue += now_cycles() - t_write;
    }
  }
}

void GpuTop::run_rnn(const StcJob& sj, KernelStalls& s, nlohmann::ordered_json& mapping) {
  std::string why;
  const RnnAlgorithm algorithm = rnn_algorithm(sj, why);
  const std::vector<RnnKernel> kernels = rnn_kernels(sj.op, sj.sparse, params_.machine.elem_bytes, algorithm);
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  std::int64_t launches = 0;
  for (const RnnKernel& k : kernels) {
    const std::uint64_t t0 = now_cycles();
    for (std::int64_t i = 0; i < k.repeat; ++i) {
      if (k.kind == RnnKernel::Kind::Gemm)
        run_gemm(k.shape, s, nullptr, nullptr);
      else if (k.kind == RnnKernel::Kind::Persistent)
        run_persistent(k, s);
      else
        run_pointwise(k.read_bytes, k.write_bytes, s);
    }
    launches += k.repeat;
    nlohmann::ordered_json e = {{"kernel", k.what}, {"launches", k.repeat}, {"cycles", now_cycles() - t0}};
    if (k.kind == RnnKernel::Kind::Persistent) {
      e["weight_bytes"] = k.weight_bytes;
      e["weight_density"] = k.density;
      e["datapath"] = k.cuda_cores ? "cuda_cores" : "tensor_cores";
    } else if (k.kind == RnnKernel::Kind::Gemm) {
      e["plan"] = plan_for(k.shape).name;
      e["shape"] = std::to_string(k.shape.M) + "x" + std::to_string(k.shape.N) + "x" + std::to_string(k.shape.K);
    } else {
      e["read_bytes"] = k.read_bytes;
      e["write_bytes"] = k.write_bytes;
    }
    list.push_back(std::move(e));
  }
  const RnnOp& r = *sj.op.rnn;
  mapping = {{"algorithm", rnn_algorithm_name(algorithm)},
             {"cell", rnn_cell_name(r.spec.cell)},
             {"steps", r.spec.steps},
             {"sparse", sj.sparse},
             {"transposable_mask", sj.transposable},
             {"gate_gradient_density", r.gate_gradient_density},
             {"kernel_launches", launches},
             {"kernels", std::move(list)},
             {"sm_model", job_.representative ? "representative" : "all"}};
  if (!why.empty()) mapping["algorithm_note"] = why;
}

void GpuTop::control() {
  const gemm::GpuMachine& m = params_.machine;
  for (std::size_t j = 0; j < jobs_.size(); ++j) {
    const StcJob& sj = jobs_[j];
    const GemmOp& op = sj.op;
    // A gate (the offload path) may hold the job; that wait is part of the job's time, reported as a stall.
    const std::uint64_t t_gate = now_cycles();
    // The design's ops pass its gate, the baseline's (dense) theirs: both under the same policy.
    JobGate* const gate = sj.design ? gate_ : sj.variant == "dense" ? baseline_gate_ : nullptr;
    if (gate) gate->before_job(sj.op_index, op);
    const std::uint64_t gate_wait = now_cycles() - t_gate;
    const auto before = registry_.snapshot();
    const std::uint64_t t0 = now_cycles();
    KernelStalls stalls;
    JobResult r;
    std::uint64_t transform_wait = 0;
    const bool transforms = transform_ && op.transform_adds + op.transform_const_mults > 0;
    std::uint64_t t_main = 0, t_gemm = 0, t_end_gemm = 0;
    gemm::GemmShape g{op.M, op.N, op.K, op.instances, sj.sparse};
    // Fast mode: a GEMM identical to one simulated before (same shape, sparsity and mask; its operands lie at
    // the same addresses, OperandLayout) takes that one's time and counters instead of being simulated again.
    const bool reusable = reuse_gemms_ && !op.rnn && !transforms && !gate && !active_timeline();
    const GemmKey key{op.M, op.N, op.K, op.instances, sj.sparse, sj.transposable};
    if (const auto hit = reusable ? gemm_memo_.find(key) : gemm_memo_.end(); hit != gemm_memo_.end()) {
      const GemmMemo& mm = hit->second;
      sc_core::wait(sc_core::sc_time(static_cast<double>(mm.result.cycles), sc_core::SC_NS));
      dram_->skip_refreshes_to_now();  // the twin's counters hold the span's refreshes
      r = mm.result;
      r.mapping["reused_from_job"] = mm.job;
    } else if (op.rnn) {
      run_rnn(sj, stalls, r.mapping);
    } else {
      // Winograd: the transform kernels run before the GEMM (or beside it, with accelerator.winograd.overlap).
      if (transforms) {
        transform_->issue(op.transform_adds, op.transform_const_mults);
        if (!transform_->overlap()) transform_wait += transform_->wait_done();
      }
      // The tiler's estimate is of the kernel's work: its error is taken from the end of the launch.
      run_gemm(g, stalls, &t_main, &t_gemm);
      t_end_gemm = now_cycles();
      if (transforms && transform_->overlap()) transform_wait += transform_->wait_done();
    }
    const std::uint64_t t1 = now_cycles();
    const bool reused = r.mapping.contains("reused_from_job");

    r.layer_index = op.layer_index;
    r.layer = op.layer;
    r.phase = op.phase;
    r.variant = sj.variant;
    r.cycles = t1 - t0 + gate_wait;
    r.dense_macs = static_cast<std::uint64_t>(op.macs());
    r.peak_macs_per_cycle = static_cast<std::uint64_t>(m.sms) * static_cast<std::uint64_t>(m.tc_macs_per_cycle);
    if (!reused) r.counters = StatsRegistry::difference(registry_.snapshot(), before);
    for (const auto& c : r.counters)
      if (c.block == "tensor_core" && c.name == "macs") r.issued_macs = c.value;
    if (!reused) {  // (a reused job holds its simulated twin's counters, stalls and mapping)
      r.stall_cycles["operand_wait"] = stalls.operand_wait;
      r.stall_cycles["smem_bandwidth"] = stalls.smem_bound;
      r.stall_cycles["epilogue"] = stalls.epilogue;
      r.stall_cycles["wave_tail"] = stalls.tail;
      if (stalls.launch > 0) r.stall_cycles["kernel_launch"] = stalls.launch;
      if (op.rnn) r.stall_cycles["elementwise_kernels"] = stalls.pointwise;
      if (stalls.grid_sync > 0) r.stall_cycles["grid_sync"] = stalls.grid_sync;
      if (gate_wait > 0) r.stall_cycles["gate"] = gate_wait;
      if (transforms) r.stall_cycles["winograd_transform"] = transform_wait;
      if (!op.rnn) {
        const gemm::KernelPlan& p = job_.plan;
        const std::int64_t waves = (p.ctas + job_.reuse.wave_ctas - 1) / job_.reuse.wave_ctas;
        r.mapping = {
            {"kernel", p.name},
            {"sparse", p.sparse},
            {"transposable_mask", sj.transposable},
            {"tile", std::to_string(p.tile.m) + "x" + std::to_string(p.tile.n) + "x" + std::to_string(p.tile.k)},
            {"stages", p.stages},
            {"ctas_per_sm", p.ctas_per_sm},
            {"max_resident_ctas", p.max_resident},
            {"resident_limit", p.resident_limit},
            {"split_k", p.split_k},
            {"ctas", p.ctas},
            {"waves", waves},
            {"sm_model", job_.representative ? "representative" : "all"},
            {"l2_miss_a_wave0", job_.reuse.a_miss.front()},
            {"l2_miss_b_wave0", job_.reuse.b_miss.front()},
            {"estimate_cycles", p.estimate_cycles},
            {"estimate_error", (p.estimate_cycles - static_cast<double>(t_end_gemm - t_gemm)) /
                                   static_cast<double>(std::max<std::uint64_t>(1, t_end_gemm - t_gemm))}};
      }
      // Only long kernels stand for their twins: a short one's time depends on what the DRAM was doing
      // when it started (open rows, refresh phase), which a twin does not share.
      if (reusable && t1 - t0 >= params_.reuse_min_cycles) gemm_memo_.emplace(key, GemmMemo{j, r});
    }
    if (functional_ && sj.sparse) {
      // Real values through the compressed operand on one tile of this GEMM's shape (capped in size).
      std::mt19937_64 rng(seed_ * 0x9E3779B97F4A7C15ULL + j);
      const int tm = static_cast<int>(std::clamp<std::int64_t>(op.M / 4 * 4, 4, 64));
      const int tk = static_cast<int>(std::clamp<std::int64_t>(op.K / 16 * 16, 16, 128));
      const int tn = static_cast<int>(std::clamp<std::int64_t>(op.N, 1, 32));
      const double err = check_sparse_tile(tm, tk, tn, sj.transposable, rng);
      r.functional_checked = true;
      r.functional_max_abs_error = err;
      r.functional_pass = err <= 1e-9;
    }
    if (Timeline* tl = active_timeline()) {
      if (op.rnn) {
        std::string name = sj.variant;
        name += " ";
        name += op.layer;
        name += " ";
        name += phase_name(op.phase);
        tl->slice("stc: kernels", name, t0, t1, {{"kernels", r.mapping["kernel_launches"]}});
      } else {
        draw_job(*tl, sj, t_gate, t0, t_main, t1);
      }
    }
    results_.push_back(std::move(r));
    if (gate) gate->after_job(sj.op_index, op);
    if (progress_) progress_->job_done(j + 1, jobs_.size(), sj.variant + " " + op.layer + " " + phase_name(op.phase));
  }
}

}  // namespace sparsim::stc
