#pragma once
// The DRAM/HBM system as a SystemC block that every accelerator composes. Requesters call transfer()
// from their threads with a byte address and size; the block splits it into bursts, decodes each burst's
// channel, bank and row from its address, and serves them through the DramChannel controllers (detailed
// mode: command by command, a thread stepping only the cycles at which a command can issue) or the
// DramChannelFast closed form (fast mode). Several requesters' transfers share the channels, so loads,
// stores, mask traffic and DMA contend for banks, rows and buses.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include <systemc>

#include "models/memory/address_map.hpp"
#include "models/memory/dram_channel.hpp"
#include "models/memory/dram_fast.hpp"
#include "sim/accelerator.hpp"
#include "sim/stats.hpp"

namespace sparsim::memory {

class DramModule : public sc_core::sc_module {
 public:
  // `sim_ns_per_ns`: simulated SystemC ns per real ns (a model whose time unit is one cycle of a clock_ghz
  // clock passes clock_ghz), so DRAM timing in ns maps onto the model's clock.
  DramModule(sc_core::sc_module_name name, const DramSpec& spec, TimingMode mode, StatsRegistry& registry,
             double sim_ns_per_ns = 1.0);
  // A block of a row-major array in DRAM: `rows` rows of `row_bytes`, `pitch` bytes apart.
  struct Block {
    std::uint64_t base = 0, rows = 1, row_bytes = 0, pitch = 0;
    bool write = false;
  };
  class Transfer;
  // Starts moving the blocks and returns at once; wait() blocks the calling thread until every burst of
  // them has completed. The module keeps a transfer alive until it completes, waited for or not.
  // `on_done`, if given, is called with the completion time once every burst has completed (at once in
  // fast mode, where the time is known at submission; from the controller in detailed mode).
  using DoneCallback = std::function<void(const sc_core::sc_time&)>;
  std::shared_ptr<Transfer> submit(const std::vector<Block>& blocks, DoneCallback on_done = {});
  void wait(const std::shared_ptr<Transfer>& t);
  // Blocks until every transfer submitted so far has completed.
  void wait_idle();
  // submit() then wait().
  void transfer(const std::vector<Block>& blocks) { wait(submit(blocks)); }
  void transfer(std::uint64_t address, std::uint64_t bytes, bool write) {
    transfer({{address, 1, bytes, bytes, write}});
  }
  // Bytes a block moves (whole bursts).
  std::uint64_t block_bytes(const Block& b) const;
  const DramSpec& spec() const { return spec_; }
  // Requests waiting in the channels' queues now (detailed mode; waveforms).
  std::size_t queued_requests() const {
    std::size_t n = 0;
    for (const auto& c : channels_) n += c.queued();
    return n;
  }
  // Channel sampling, for systems too large to simulate burst by burst (a GPU's 100+ HBM channels under
  // the whole machine's traffic): only the bursts that map to `n` evenly spaced channels are simulated,
  // with all their real traffic, so row locality and queueing there are as in the full system; the other
  // channels are taken to behave alike (event counters are scaled by channels/n; bytes are counted
  // exactly). A block with no burst on a simulated channel takes the latency the last simulated burst saw.
  // Call before the first transfer; 0 or >= channels: all.
  void sample_channels(int n);
  // Admission of a block's bursts: in order (a burst waits while an earlier one's channel queue is full:
  // one DMA stream, DRAMSim3's driver) or per channel (each burst waits only for its own channel's queue:
  // a GPU's memory partitions take L2 misses independently).
  void admit_per_channel(bool on) { per_channel_ = on; }
  // Fast mode: bursts simulated before a long block's rest is taken as a steady state (0: the default,
  // 64 per simulated channel and at least 512). A requester of many mid-sized blocks (a DMA engine's
  // chunks) may lower it; docs/cdma.md measures what that costs.
  void set_steady_state_sample(std::uint64_t bursts) { steady_sample_ = bursts; }
  // Fast mode: a requester that stood for a span of traffic without simulating it (it took the counts of
  // an identical span simulated before, refreshes included) moves the refresh schedule past now, so the
  // span's refreshes are not counted a second time when the channels next serve.
  void skip_refreshes_to_now();
  // Totals over the channels so far (also mirrored into the "dram" StatGroup's counters).
  DramStats totals() const;

  StatGroup stats{"dram"};

 private:
  // A burst to simulate and its channel (sampling, per-channel admission).
  struct Pick {
    std::uint64_t address;
    int channel;
  };
  // One block in flight; its bursts enter the channel queues in order as they have room.
  struct Request {
    Block block;
    std::uint64_t row = 0, offset = 0;  // next burst not yet in a channel queue
    std::uint64_t outstanding = 0;      // bursts queued but not completed
    i64 done_cycle = 0;
    i64 submitted = 0;
    bool admitted = false;
    std::vector<Pick> picks;  // sampling or per-channel admission: the bursts not yet admitted
    Transfer* owner = nullptr;
  };

 public:
  class Transfer {
    friend class DramModule;
    std::vector<Request> requests;
    std::uint64_t pending = 0;  // requests not yet completed (detailed mode)
    i64 done_cycle = 0;         // completion of the last burst known so far
    sc_core::sc_event finished;
    DoneCallback on_done;
  };

 private:
  void controller();  // detailed mode
  void admit(i64 now);
  void finish(Request& r);
  i64 serve_fast(const Block& b, i64 now);
  // Bursts of a block: f(address) for each, row by row, until f returns false.
  template <typename F>
  void for_each_burst(const Block& b, F&& f) const;
  // The bursts of a block on simulated channels, in address order.
  void pick_bursts(const Block& b, std::vector<Pick>& out) const;
  bool use_picks() const { return sampling_ || per_channel_; }
  void first_ready_order(std::vector<Pick>& picks) const;
  i64 unsampled_latency(bool write) const;
  // Row segments of a block as [begin, end) byte ranges inside the device (split where they wrap).
  template <typename F>
  void for_each_segment(const Block& b, F&& f) const;
  void sync_counters();
  i64 now_cycle() const;
  sc_core::sc_time time_of(i64 cycle) const;

  DramSpec spec_;
  TimingMode mode_;
  AddressMap map_;
  std::vector<DramChannel> channels_;
  std::vector<DramChannelFast> fast_;
  std::vector<i64> next_, stepped_;
  std::deque<Request*> active_;                      // requests with bursts not yet admitted, oldest first
  std::vector<std::shared_ptr<Transfer>> inflight_;  // detailed mode: submitted, not yet completed
  i64 last_done_ = 0;                                // fast mode: the latest completion submitted
  bool started_ = false;                             // powered up at the first transfer
  std::vector<int> sampled_list_;                    // channels simulated (all unless sample_channels())
  std::vector<char> is_sampled_;
  bool sampling_ = false, per_channel_ = false;
  double scale_ = 1.0;                    // channels per simulated channel
  std::vector<Pick> scratch_;             // serve_fast's picks
  std::vector<i64> completions_scratch_;  // serve_fast's sample completions
  std::uint64_t steady_sample_ = 0;
  i64 recent_latency_ = 0;  // submission to completion of the last sampled read
  sc_core::sc_event idle_;
  sc_core::sc_event kick_;
  std::vector<DramCompletion> done_;
  double tck_ps_;
  Counter &read_bytes_, &write_bytes_, &activates_, &precharges_, &refreshes_, &row_hits_, &row_misses_,
      &row_conflicts_, &read_latency_, &busy_cycles_, &occupancy_;
};

}  // namespace sparsim::memory
