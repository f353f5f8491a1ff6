#include "models/stc/sm.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace sparsim::stc {

using sc_core::sc_time_stamp;

namespace {
std::uint64_t now_cycles() { return static_cast<std::uint64_t>(sc_time_stamp() / sc_core::sc_time(1, sc_core::SC_NS)); }
}  // namespace

Slot::Slot(const sc_core::sc_module_name& name, int sm_index, int index, JobContext& job, const gemm::GpuMachine& m,
           Server& port, Server& smem, Server& fill, Server& rf, Server& tc, SharedMemory mem, Counter& macs)
    : sc_module(name),
      sm_index_(sm_index),
      index_(index),
      job_(job),
      m_(m),
      port_(port),
      smem_(smem),
      fill_(fill),
      rf_(rf),
      tc_(tc),
      mem_(mem),
      macs_(macs),
      ctas_("ctas", 2),
      free_("free", 32) {
  SC_HAS_PROCESS(Slot);
  SC_THREAD(load);
  SC_THREAD(consume);
}

void Slot::load() {
  for (;;) {
    sc_core::wait(job_.start);
    const gemm::KernelPlan& p = job_.plan;
    if (index_ >= p.ctas_per_sm) continue;
    int token = 0;
    while (free_.nb_read(token)) {
    }
    for (int s = 0; s < p.stages; ++s) free_.write(s);
    const gemm::GemmShape& g = job_.shape;
    const std::int64_t eb = m_.elem_bytes;
    for (std::int64_t k = 0;; ++k) {
      const std::int64_t cta = job_.next(sm_index_, index_, k);
      ctas_.write(cta);
      if (cta < 0) break;
      const gemm::CtaCoord cc = gemm::cta_coord(p, cta);
      const std::int64_t rows = gemm::cta_rows(p, g, cc), cols = gemm::cta_cols(p, g, cc);
      const std::int64_t chunks = gemm::cta_chunks(p, cc), w = job_.wave_of(cta);
      const std::uint64_t weight = job_.representative ? static_cast<std::uint64_t>(job_.stands_for(cta)) : 1;
      // Representative mode: the wave's CTAs share the L2 and HBM equally; this SM runs `mine` of them.
      std::int64_t share_mult = 1, share_den = 1;
      if (job_.representative) {
        share_mult = std::min<std::int64_t>(p.ctas_per_sm, (job_.in_wave(cta) + job_.sms - 1) / job_.sms);
        share_den = job_.in_wave(cta);
      }
      const std::vector<std::int64_t> group = job_.hbm_group(cta);
      for (std::int64_t kk = 0; kk < chunks; ++kk) {
        int s = 0;
        free_.read(s);
        Stage& st = stages_[static_cast<std::size_t>(s)];
        const std::int64_t k0 = (cc.split * p.chunks_per_split + kk) * p.tile.k;
        const std::int64_t kt = std::min<std::int64_t>(p.tile.k, g.K - k0);
        // Bytes that really come from memory (edge tiles are partial; TMA zero-fills the rest of the stage).
        const std::int64_t a_bytes = rows * kt * eb / (g.sparse ? 2 : 1) + (g.sparse ? rows * kt / 8 : 0);
        const std::int64_t b_bytes = kt * cols * eb;
        const auto a_miss = static_cast<std::int64_t>(
            std::llround(static_cast<double>(a_bytes) * job_.reuse.a_miss[static_cast<std::size_t>(w)]));
        const auto b_miss = static_cast<std::int64_t>(
            std::llround(static_cast<double>(b_bytes) * job_.reuse.b_miss[static_cast<std::size_t>(w)]));
        // HBM: the misses of every CTA this one issues for, at their tiles' addresses.
        const auto copies = static_cast<std::int64_t>(group.size());
        const Blocks a_hbm = job_.layout->a_chunk(group, k0, kt, a_miss * copies);
        const Blocks b_hbm = job_.layout->b_chunk(group, k0, kt, b_miss * copies);
        st.a.start({{mem_.hbm, m_.hbm_latency, 0, false, &a_hbm},
                    {mem_.l2, m_.l2_latency, a_bytes, false},
                    {&port_, 0, a_bytes, false},
                    {&fill_, 0, p.a_chunk_bytes + p.meta_chunk_bytes, true}},
                   weight, kPieceBytes, share_mult, share_den);
        st.b.start({{mem_.hbm, m_.hbm_latency, 0, false, &b_hbm},
                    {mem_.l2, m_.l2_latency, b_bytes, false},
                    {&port_, 0, b_bytes, false},
                    {&fill_, 0, p.b_chunk_bytes, true}},
                   weight, kPieceBytes, share_mult, share_den);
      }
    }
  }
}

void Slot::consume() {
  for (;;) {
    sc_core::wait(job_.start);
    const gemm::KernelPlan& p = job_.plan;
    if (index_ >= p.ctas_per_sm) continue;
    const gemm::GemmShape& g = job_.shape;
    const std::int64_t eb = m_.elem_bytes;
    std::int64_t ring = 0;
    for (;;) {
      std::int64_t cta = -1;
      ctas_.read(cta);
      if (cta < 0) break;
      const std::uint64_t cta_start = now_cycles();
      const gemm::CtaCoord cc = gemm::cta_coord(p, cta);
      const std::int64_t rows = gemm::cta_rows(p, g, cc), cols = gemm::cta_cols(p, g, cc);
      const std::int64_t chunks = gemm::cta_chunks(p, cc);
      const std::uint64_t weight = job_.representative ? static_cast<std::uint64_t>(job_.stands_for(cta)) : 1;
      std::int64_t share_mult = 1, share_den = 1;  // as in load()
      if (job_.representative) {
        share_mult = std::min<std::int64_t>(p.ctas_per_sm, (job_.in_wave(cta) + job_.sms - 1) / job_.sms);
        share_den = job_.in_wave(cta);
      }
      // The MMA always runs the whole tile: physical multiplies per chunk (half the logical K when sparse).
      const auto chunk_macs = static_cast<std::uint64_t>(p.tile.m) * p.tile.n * p.tile.k / (g.sparse ? 2 : 1);
      for (std::int64_t kk = 0; kk < chunks; ++kk, ++ring) {
        const int s = static_cast<int>(ring % p.stages);
        Stage& st = stages_[static_cast<std::size_t>(s)];
        const std::uint64_t t0 = now_cycles();
        st.a.wait_done();
        st.b.wait_done();
        const std::uint64_t t1 = now_cycles();
        job_.operand_wait += t1 - t0;
        read_.clear(weight);
        read_.add(&smem_, 0, p.smem_read_bytes);
        mma_.clear(weight);
        mma_.add(&tc_, 0, p.mma_cycles);
        read_.start();
        mma_.start();
        mma_.wait_done();
        read_.wait_done();
        const std::uint64_t took = now_cycles() - t1;
        if (took > static_cast<std::uint64_t>(p.mma_cycles))
          job_.smem_bound += took - static_cast<std::uint64_t>(p.mma_cycles);
        macs_ += chunk_macs * weight;
        free_.write(s);
      }
      // Epilogue: accumulators (fp32) out of the registers, staged in shared memory, stored to the L2
      // (fp32 partials under split-K); the HBM write-back is posted.
      const std::uint64_t t2 = now_cycles();
      const std::int64_t out_eb = p.split_k > 1 ? 4 : eb;
      const std::int64_t tile_out = static_cast<std::int64_t>(p.tile.m) * p.tile.n * out_eb;
      const std::int64_t valid_out = rows * cols * out_eb;
      epi_.clear(weight);
      epi_.add(&rf_, 0, static_cast<std::int64_t>(p.tile.m) * p.tile.n * 4);
      epi_.add(&smem_, 0, tile_out, true);
      epi_.start();
      epi_.wait_done();
      store_.start(
          {{&smem_, 0, tile_out, false}, {&port_, 0, valid_out, true}, {mem_.l2, m_.l2_latency, valid_out, true}},
          weight, kPieceBytes, share_mult, share_den);
      store_.wait_done();
      if (p.split_k == 1) {
        Flow& wb = writeback_[wb_next_++ % writeback_.size()];
        wb.wait_done();
        const Blocks c_hbm = job_.layout->c_tiles(job_.hbm_group(cta));
        wb.start({{mem_.hbm, m_.hbm_latency, 0, true, &c_hbm}}, weight, kPieceBytes, share_mult, share_den);
      }
      job_.epilogue += now_cycles() - t2;
      job_.cta_span(cta, cta_start, now_cycles());
    }
    for (Flow& wb : writeback_) wb.wait_done();  // the kernel ends when its output is written back
    job_.slot_end.push_back(now_cycles());
    if (--job_.slots_left == 0) job_.all_done.notify(sc_core::SC_ZERO_TIME);
  }
}

Sm::Sm(const sc_core::sc_module_name& name, int sm_index, JobContext& job, const gemm::GpuMachine& m, TimingMode mode,
       SharedMemory mem, SmCounters& c, int slots)
    : sc_module(name),
      port_("l2_port", m.l2_port_bytes_per_cycle, 1, mode, c.port_read, c.port_write, nullptr),
      smem_("smem", m.smem_bytes_per_cycle, 1, mode, c.smem_read, c.smem_write, nullptr),
      rf_("rf", m.rf_bytes_per_cycle, 1, mode, c.rf_read, nullptr, nullptr),
      tc_("tensor_core", 1, 1, mode, nullptr, nullptr, c.tc_busy) {
  if (m.smem_fill_bytes_per_cycle > 0)
    fill_ = std::make_unique<Server>("tma_fill", m.smem_fill_bytes_per_cycle, 1, mode, nullptr, c.smem_write, nullptr);
  Server& fill = fill_ ? *fill_ : smem_;
  for (int i = 0; i < slots; ++i)
    slots_.push_back(std::make_unique<Slot>(("slot" + std::to_string(i)).c_str(), sm_index, i, job, m, port_, smem_,
                                            fill, rf_, tc_, mem, *c.macs));
}

}  // namespace sparsim::stc
