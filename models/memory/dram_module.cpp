#include "models/memory/dram_module.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "sim/alloc_guard.hpp"

namespace sparsim::memory {

using sc_core::SC_PS;
using sc_core::sc_time;

namespace {
std::string action(const DramSpec& s, const char* what) { return "dram_" + s.energy_family() + "_" + what; }
}  // namespace

DramModule::DramModule(sc_core::sc_module_name name, const DramSpec& spec, TimingMode mode, StatsRegistry& registry,
                       double sim_ns_per_ns)
    : sc_module(name),
      spec_(spec),
      mode_(mode),
      map_(spec),
      tck_ps_(spec.tck_ns * sim_ns_per_ns * 1000.0),
      read_bytes_(stats.add("read_bytes", "bytes read from DRAM (whole bursts)", action(spec, "read_byte"))),
      write_bytes_(stats.add("write_bytes", "bytes written to DRAM (whole bursts)", action(spec, "write_byte"))),
      activates_(
          stats.add("activates", "row activations (ACT, with the PRE that closes the row)", action(spec, "activate"))),
      precharges_(stats.add("precharges", "precharges (PRE, auto-precharge and refresh closes)")),
      refreshes_(stats.add("refreshes", "refresh commands (per rank)", action(spec, "refresh"))),
      row_hits_(stats.add("row_hits", "bursts served from an open row")),
      row_misses_(stats.add("row_misses", "bursts that opened a row in a closed bank")),
      row_conflicts_(stats.add("row_conflicts", "bursts that had to close another open row first")),
      read_latency_(stats.add("read_latency_cycles", "sum of read-burst latencies, memory cycles")),
      busy_cycles_(stats.add("bus_busy_cycles", "memory cycles the data buses carried data, summed over channels")),
      occupancy_(stats.add("queue_occupancy_cycles", "sum over memory cycles of requests queued (detailed mode)")) {
  registry.attach(stats);
  const std::size_t n = static_cast<std::size_t>(spec.channels);
  for (std::size_t k = 0; k < n; ++k) sampled_list_.push_back(static_cast<int>(k));
  is_sampled_.assign(n, 1);
  if (mode == TimingMode::Detailed) {
    channels_.assign(n, DramChannel(spec));
    next_.assign(n, kNever);
    stepped_.assign(n, -1);
    SC_HAS_PROCESS(DramModule);
    SC_THREAD(controller);
  } else {
    fast_.assign(n, DramChannelFast(spec));
  }
}

i64 DramModule::now_cycle() const {
  const double ps =
      static_cast<double>(sc_core::sc_time_stamp().value()) * (sc_core::sc_get_time_resolution().to_seconds() * 1e12);
  // time_of() rounds a cycle's time to the kernel's resolution (1 ps): a time within 1 ps of a cycle
  // boundary is that cycle, anything later the next one.
  const double x = ps / tck_ps_;
  const double nearest = std::round(x);
  if (std::abs(x - nearest) * tck_ps_ <= 1.0) return static_cast<i64>(nearest);
  return static_cast<i64>(std::ceil(x));
}

sc_time DramModule::time_of(i64 cycle) const { return sc_time(static_cast<double>(cycle) * tck_ps_, SC_PS); }

std::uint64_t DramModule::block_bytes(const Block& b) const {
  const std::uint64_t burst = static_cast<std::uint64_t>(spec_.burst_bytes());
  const std::uint64_t capacity = static_cast<std::uint64_t>(spec_.capacity_bytes());
  if (b.row_bytes == 0 || b.rows == 0) return 0;
  const std::uint64_t base = b.base % capacity;
  if (base + (b.rows - 1) * b.pitch + b.row_bytes <= capacity) {
    // No wrap: a row's bursts depend only on its start's offset within a burst, which repeats with a
    // period of burst / gcd(pitch, burst) rows (1 when every row starts on a burst).
    const std::uint64_t period = std::min<std::uint64_t>(b.rows, burst / std::gcd(b.pitch % burst + burst, burst));
    std::uint64_t per_period = 0, rest = 0;
    const std::uint64_t full = b.rows / period, left = b.rows % period;
    for (std::uint64_t r = 0; r < period; ++r) {
      const std::uint64_t off = (base + r * b.pitch) % burst;
      const std::uint64_t n = (off + b.row_bytes + burst - 1) / burst;
      per_period += n;
      if (r < left) rest += n;
    }
    return (full * per_period + rest) * burst;
  }
  std::uint64_t n = 0;
  for_each_segment(b, [&](std::uint64_t begin, std::uint64_t end) { n += (end - begin + burst - 1) / burst; });
  return n * burst;
}

template <typename F>
void DramModule::for_each_segment(const Block& b, F&& f) const {
  if (b.row_bytes == 0) return;
  const std::uint64_t burst = static_cast<std::uint64_t>(spec_.burst_bytes());
  const std::uint64_t capacity = static_cast<std::uint64_t>(spec_.capacity_bytes());
  for (std::uint64_t r = 0; r < b.rows; ++r) {
    const std::uint64_t start = (b.base + r * b.pitch) % capacity;
    const std::uint64_t begin = start / burst * burst, end = start + b.row_bytes;
    if (end <= capacity) {
      f(begin, end);
    } else {  // wraps at the capacity
      f(begin, capacity);
      f(std::uint64_t{0}, std::min(end - capacity, capacity));
    }
  }
}

template <typename F>
void DramModule::for_each_burst(const Block& b, F&& f) const {
  const std::uint64_t burst = static_cast<std::uint64_t>(spec_.burst_bytes());
  bool more = true;
  for_each_segment(b, [&](std::uint64_t begin, std::uint64_t end) {
    for (std::uint64_t a = begin; more && a < end; a += burst) more = f(a);
  });
}

void DramModule::sample_channels(int n) {
  const int c = spec_.channels;
  if (n <= 0 || n >= c) return;
  sampled_list_.clear();
  std::fill(is_sampled_.begin(), is_sampled_.end(), 0);
  for (int i = 0; i < n; ++i) {
    sampled_list_.push_back(static_cast<int>(static_cast<i64>(i) * c / n));
    is_sampled_[static_cast<std::size_t>(sampled_list_.back())] = 1;
  }
  sampling_ = true;
  scale_ = static_cast<double>(c) / n;
}

// Walks the block run by run (bursts that share a channel), so a run on an unsampled channel costs one
// channel computation, not a decode per burst. Under channel sampling a long segment goes span by span of
// `channels` runs instead: a span holds each channel's run once, at an offset its rotation gives, so only
// the sampled channels' runs are visited.
void DramModule::pick_bursts(const Block& b, std::vector<Pick>& out) const {
  const int shift = map_.burst_shift();
  const std::uint64_t run = map_.run_bursts();
  const std::uint64_t channels = static_cast<std::uint64_t>(spec_.channels);
  // At most every burst of the block, in the share of the channels simulated.
  check_allocation(static_cast<double>(block_bytes(b) >> shift) * static_cast<double>(sampled_list_.size()) /
                       static_cast<double>(spec_.channels),
                   sizeof(Pick), "a DRAM transfer's burst list");
  std::vector<std::pair<std::uint64_t, int>> in_span;  // (offset of a sampled channel's run, channel)
  for_each_segment(b, [&](std::uint64_t begin, std::uint64_t end) {
    const std::uint64_t b0 = begin >> shift, b1 = (end + (1ULL << shift) - 1) >> shift;
    const std::uint64_t r0 = b0 / run, r1 = (b1 + run - 1) / run;  // the runs [r0, r1) it touches
    const auto emit = [&](std::uint64_t r, int ch) {
      for (std::uint64_t x = std::max(b0, r * run); x < std::min(b1, (r + 1) * run); ++x)
        out.push_back({x << shift, ch});
    };
    if (!sampling_ || r1 - r0 < 2 * channels) {
      for (std::uint64_t r = r0; r < r1; ++r) {
        const int ch = map_.channel_of_run(r);
        if (is_sampled_[static_cast<std::size_t>(ch)]) emit(r, ch);
      }
      return;
    }
    for (std::uint64_t u = r0 / channels; u * channels < r1; ++u) {
      // Run u * channels + o goes to channel (o + rotation) mod channels; the first run's channel is the rotation.
      const std::uint64_t rot = static_cast<std::uint64_t>(map_.channel_of_run(u * channels));
      in_span.clear();
      for (const int ch : sampled_list_)
        in_span.emplace_back((static_cast<std::uint64_t>(ch) + channels - rot) % channels, ch);
      std::sort(in_span.begin(), in_span.end());
      for (const auto& [o, ch] : in_span) {
        const std::uint64_t r = u * channels + o;
        if (r >= r0 && r < r1) emit(r, ch);
      }
    }
  });
}

// A read on an unsampled channel sees what the last sampled read saw; a write is posted (queued, then
// written: its data leaves the requester at once).
i64 DramModule::unsampled_latency(bool write) const {
  if (write) return spec_.CWL + spec_.burst_cycles();
  return std::max<i64>(spec_.idle_read_cycles(), recent_latency_);
}

void DramModule::skip_refreshes_to_now() {
  if (!started_) return;  // the schedule starts at the first transfer
  const i64 now = now_cycle();
  for (DramChannelFast& c : fast_) c.skip_refreshes_through(now);
}

DramStats DramModule::totals() const {
  DramStats t;
  for (const int k : sampled_list_) {  // the others never serve
    const std::size_t i = static_cast<std::size_t>(k);
    t += i < channels_.size() ? channels_[i].stats() : fast_[i].stats();
  }
  return t;
}

void DramModule::sync_counters() {
  const DramStats t = totals();
  // A simulated channel stands for scale_ channels (1 without sampling).
  const auto scaled = [&](std::uint64_t v) { return static_cast<std::uint64_t>(std::llround(v * scale_)); };
  activates_.value = scaled(t.activates);
  precharges_.value = scaled(t.precharges);
  refreshes_.value = scaled(t.refreshes);
  row_hits_.value = scaled(t.row_hits);
  row_misses_.value = scaled(t.row_misses);
  row_conflicts_.value = scaled(t.row_conflicts);
  read_latency_.value = scaled(t.read_latency_sum);
  busy_cycles_.value = scaled(t.busy_cycles);
  occupancy_.value = scaled(t.queue_occupancy_sum);
}

std::shared_ptr<DramModule::Transfer> DramModule::submit(const std::vector<Block>& blocks, DoneCallback on_done) {
  // Addresses wrap at the capacity, so any layout a model picks stays inside the device.
  const std::uint64_t capacity = static_cast<std::uint64_t>(spec_.capacity_bytes());
  auto t = std::make_shared<Transfer>();
  for (const Block& b : blocks) (b.write ? write_bytes_ : read_bytes_) += block_bytes(b);
  const i64 now = now_cycle();
  t->done_cycle = now;
  if (!started_) {
    for (DramChannel& c : channels_) c.start(now);
    for (DramChannelFast& c : fast_) c.start(now);
    started_ = true;
  }
  if (mode_ == TimingMode::Fast) {
    for (const Block& b : blocks) t->done_cycle = std::max(t->done_cycle, serve_fast(b, now));
    last_done_ = std::max(last_done_, t->done_cycle);
    sync_counters();
    if (on_done) on_done(time_of(t->done_cycle));
    return t;
  }
  t->requests.resize(blocks.size());
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    if (block_bytes(blocks[i]) == 0) continue;
    Request& r = t->requests[i];
    r.block = blocks[i];
    r.block.base %= capacity;
    r.submitted = now;
    if (use_picks()) {
      pick_bursts(r.block, r.picks);
      if (r.picks.empty()) r.row = r.block.rows;  // nothing simulated: admitted at once
    }
    r.owner = t.get();
    ++t->pending;
    active_.push_back(&r);
  }
  t->on_done = std::move(on_done);
  if (t->pending == 0 && t->on_done) t->on_done(time_of(t->done_cycle));
  if (t->pending > 0) {
    inflight_.push_back(t);
    kick_.notify(sc_core::SC_ZERO_TIME);
  }
  return t;
}

void DramModule::wait(const std::shared_ptr<Transfer>& t) {
  while (t->pending > 0) sc_core::wait(t->finished);
  const sc_time end = time_of(t->done_cycle);
  if (end > sc_core::sc_time_stamp()) sc_core::wait(end - sc_core::sc_time_stamp());
}

void DramModule::wait_idle() {
  if (mode_ == TimingMode::Fast) {
    const sc_time end = time_of(last_done_);
    if (end > sc_core::sc_time_stamp()) sc_core::wait(end - sc_core::sc_time_stamp());
    return;
  }
  while (!inflight_.empty()) sc_core::wait(idle_);
  const sc_time end = time_of(last_done_);
  if (end > sc_core::sc_time_stamp()) sc_core::wait(end - sc_core::sc_time_stamp());
}

// Per-channel admission puts a block's bursts in every channel queue at once, and an FR-FCFS controller
// serves the ones to an open row first. The fast channels place bursts in the order given, so the order
// given is that one: per channel, window by window of a queue's depth, grouped by bank and row (first
// occurrence first); channels interleaved window by window, so a steady-state sample spans all of them.
void DramModule::first_ready_order(std::vector<Pick>& picks) const {
  struct Key {
    std::uint64_t window;
    int channel, bank;
    i64 row;
    std::size_t first, index;  // first: position of the (bank, row) group's first burst in its window
  };
  std::vector<std::size_t> seen(static_cast<std::size_t>(spec_.channels), 0);
  std::vector<Key> keys(picks.size());
  // The first pick of each (window, channel, bank, row) group, by a hash of the four.
  struct GroupHash {
    std::size_t operator()(const std::tuple<std::uint64_t, int, int, i64>& g) const {
      std::uint64_t h = std::get<0>(g) * 0x9E3779B97F4A7C15ULL;
      h ^= (static_cast<std::uint64_t>(std::get<1>(g)) << 40) ^ (static_cast<std::uint64_t>(std::get<2>(g)) << 20);
      h ^= static_cast<std::uint64_t>(std::get<3>(g)) * 0xBF58476D1CE4E5B9ULL;
      return static_cast<std::size_t>(h ^ (h >> 29));
    }
  };
  std::unordered_map<std::tuple<std::uint64_t, int, int, i64>, std::size_t, GroupHash> group_first;
  group_first.reserve(picks.size());
  for (std::size_t i = 0; i < picks.size(); ++i) {
    const DramCoord c = map_.decode(picks[i].address);
    const std::uint64_t w = seen[static_cast<std::size_t>(c.channel)]++ / static_cast<std::uint64_t>(spec_.queue_size);
    const int bank = c.flat_bank(spec_);
    const std::size_t first = group_first.try_emplace({w, c.channel, bank, c.row}, i).first->second;
    keys[i] = {w, c.channel, bank, c.row, first, i};
  }
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    return std::tie(a.window, a.channel, a.first, a.index) < std::tie(b.window, b.channel, b.first, b.index);
  });
  std::vector<Pick> ordered;
  ordered.reserve(picks.size());
  for (const Key& k : keys) ordered.push_back(picks[k.index]);
  picks.swap(ordered);
}

// Fast mode: every burst of a block through the closed-form channels, except that a long block is a
// steady state: after a sample (64 bursts per simulated channel, at least 512) its remaining bursts are taken to
// go at the sample's steady rate, every channel skips ahead by that span (plus the refreshes falling in it) and the
// span's events are added in proportion. Returns the block's completion cycle.
i64 DramModule::serve_fast(const Block& b, i64 now) {
  // The sample must hold many bursts per channel, or its span is one latency rather than a rate.
  const std::uint64_t kSampleBursts =
      steady_sample_ > 0 ? steady_sample_ : std::max<std::uint64_t>(512, 64 * sampled_list_.size());
  std::uint64_t total = 0;
  std::vector<Pick>& picks = scratch_;
  picks.clear();
  if (use_picks()) {
    pick_bursts(b, picks);
    total = picks.size();
    // No burst on a sampled channel: it takes the latency the sampled channels' last burst saw.
    if (total == 0) return now + unsampled_latency(b.write);
    if (per_channel_) first_ready_order(picks);
  } else {
    total = block_bytes(b) / static_cast<std::uint64_t>(spec_.burst_bytes());
  }
  const bool skip = total > 2 * kSampleBursts;
  std::vector<DramStats> before;
  if (skip)
    for (const int k : sampled_list_) before.push_back(fast_[static_cast<std::size_t>(k)].stats());
  std::vector<i64>& completions = completions_scratch_;  // the sample's completion cycles
  completions.clear();
  // Bursts enter the channel queues in address order, each no earlier than the one before it (as in the
  // detailed mode's admission: a request waits at a burst whose channel queue is full).
  i64 done = now, admitted = now;
  std::uint64_t served = 0;
  // Returns whether to go on: a long block stops at the end of its sample.
  const auto serve = [&](std::uint64_t a) {
    if (skip && served == kSampleBursts) return false;
    const DramCoord c = map_.decode(a);
    // Per-channel admission: every burst reaches its channel now; in order: no earlier than the last.
    const i64 t = per_channel_ ? fast_[static_cast<std::size_t>(c.channel)].serve(c, b.write, now)
                               : fast_[static_cast<std::size_t>(c.channel)].serve(c, b.write, admitted, &admitted);
    if (!b.write) recent_latency_ = t - now;
    done = std::max(done, t);
    if (skip) completions.push_back(t);
    ++served;
    return true;
  };
  if (use_picks()) {
    for (const Pick& p : picks)
      if (!serve(p.address)) break;
  } else {
    for_each_burst(b, serve);
  }
  if (!skip) return done;
  // The steady rate is that of the fastest stretch of a quarter of the sample's bursts (completions in
  // time order). The sample's start holds a ramp (rows opening, queues filling, the wait behind traffic
  // ahead of the block) and any stretch may hold a refresh or a straggler; the rest of a long block keeps
  // the rate of a stretch with none of them. The skipped span's refreshes are added by the clock below.
  std::sort(completions.begin(), completions.end());
  const std::size_t stretch = std::max<std::size_t>(1, completions.size() / 4);
  i64 span = std::numeric_limits<i64>::max();
  for (std::size_t i = 0; i + stretch < completions.size(); ++i)
    span = std::min(span, completions[i + stretch] - completions[i]);
  span = std::max<i64>(1, span);
  i64 dt = static_cast<i64>(
      static_cast<double>(span) * static_cast<double>(total - served) / static_cast<double>(stretch) + 0.5);
  const double factor = static_cast<double>(total - served) / static_cast<double>(served);  // events
  const i64 refreshes = spec_.refresh ? (done + dt) / spec_.tREFI - done / spec_.tREFI : 0;
  dt += refreshes * spec_.tRFC;
  // The span's column accesses, shared among the channels as the sample's were, summing to the span's
  // bursts exactly.
  std::uint64_t seen = 0, given = 0;
  for (std::size_t i = 0; i < sampled_list_.size(); ++i) {  // unsampled channels never serve
    const std::size_t k = static_cast<std::size_t>(sampled_list_[i]);
    const DramStats& now_stats = fast_[k].stats();
    seen += (now_stats.reads + now_stats.writes) - (before[i].reads + before[i].writes);
    const std::uint64_t upto =
        static_cast<std::uint64_t>((static_cast<unsigned __int128>(total - served) * seen + served / 2) / served);
    DramStats events = now_stats.extrapolated(before[i], factor, upto - given);
    given = upto;
    events.refreshes = static_cast<std::uint64_t>(refreshes * spec_.ranks);
    fast_[k].advance(dt, done + dt, events);
  }
  return done + dt;
}

// Moves bursts of the waiting requests into their channels' queues, oldest request first, each
// request's bursts in address order; a request waits at its first burst whose queue is full.
void DramModule::admit(i64 now) {
  const std::uint64_t burst = static_cast<std::uint64_t>(spec_.burst_bytes());
  const std::uint64_t capacity = static_cast<std::uint64_t>(spec_.capacity_bytes());
  for (auto it = active_.begin(); it != active_.end();) {
    Request& r = **it;
    if (use_picks()) {  // each burst into its channel's queue when that has room (or in order)
      std::size_t kept = 0;
      bool blocked = false;
      for (std::size_t i = 0; i < r.picks.size(); ++i) {
        const Pick p = r.picks[i];
        const std::size_t k = static_cast<std::size_t>(p.channel);
        if (blocked || !channels_[k].can_accept(r.block.write)) {
          r.picks[kept++] = p;
          blocked = blocked || !per_channel_;
          continue;
        }
        channels_[k].enqueue({reinterpret_cast<std::uintptr_t>(&r), map_.decode(p.address), r.block.write, now});
        next_[k] = std::min(next_[k], stepped_[k] < now ? now : now + 1);
        ++r.outstanding;
      }
      r.picks.resize(kept);
      if (kept == 0) r.row = r.block.rows;
    }
    while (!use_picks()) {
      if (r.row >= r.block.rows) break;
      const std::uint64_t start = r.block.base + r.row * r.block.pitch;
      const std::uint64_t a = (start / burst * burst + r.offset) % capacity;
      const DramCoord c = map_.decode(a);
      const std::size_t k = static_cast<std::size_t>(c.channel);
      if (!channels_[k].can_accept(r.block.write)) break;
      channels_[k].enqueue({reinterpret_cast<std::uintptr_t>(&r), c, r.block.write, now});
      next_[k] = std::min(next_[k], stepped_[k] < now ? now : now + 1);
      ++r.outstanding;
      r.offset += burst;
      if (start / burst * burst + r.offset >= start + r.block.row_bytes) {
        ++r.row;
        r.offset = 0;
      }
    }
    if (r.row >= r.block.rows) {
      r.admitted = true;
      it = active_.erase(it);
      // Sampling: a block with no burst on a sampled channel takes the latency the last sampled burst saw.
      if (r.outstanding == 0) r.done_cycle = now + unsampled_latency(r.block.write);
      if (r.outstanding == 0) finish(r);
    } else {
      ++it;
    }
  }
}

void DramModule::finish(Request& r) {
  Transfer& t = *r.owner;
  t.done_cycle = std::max(t.done_cycle, r.done_cycle);
  last_done_ = std::max(last_done_, r.done_cycle);
  if (--t.pending > 0) return;
  t.finished.notify(sc_core::SC_ZERO_TIME);
  if (t.on_done) t.on_done(time_of(t.done_cycle));
  // The module holds the transfer until now (a caller may have dropped it); the caller's copy, if any,
  // keeps it alive for its wait().
  std::erase_if(inflight_, [&](const std::shared_ptr<Transfer>& p) { return p.get() == &t; });
  if (inflight_.empty()) idle_.notify(sc_core::SC_ZERO_TIME);
}

void DramModule::controller() {
  // A member, not a local: SystemC never unwinds a thread still waiting when the simulation ends, so a
  // local vector's buffer would leak (LeakSanitizer, scripts/sanitize.sh).
  std::vector<DramCompletion>& done = done_;
  for (;;) {
    const i64 now = now_cycle();
    admit(now);
    bool busy = !active_.empty();
    for (std::size_t k = 0; k < channels_.size(); ++k) {
      if (next_[k] <= now && stepped_[k] < now) {
        next_[k] = channels_[k].step(now, done);
        stepped_[k] = now;
      }
      if (channels_[k].idle()) next_[k] = kNever;  // an idle channel catches up on refresh when woken
      busy = busy || !channels_[k].idle();
    }
    for (const DramCompletion& d : done) {
      Request& r = *reinterpret_cast<Request*>(static_cast<std::uintptr_t>(d.tag));
      r.done_cycle = std::max(r.done_cycle, d.cycle);
      if (!r.block.write) recent_latency_ = d.cycle - r.submitted;
      if (--r.outstanding == 0 && r.admitted) finish(r);
    }
    if (!done.empty()) sync_counters();
    done.clear();
    if (!busy) {
      sc_core::wait(kick_);
      continue;
    }
    i64 to = kNever;
    for (i64 n : next_) to = std::min(to, n);
    to = std::max(to, now + 1);
    sc_core::wait(time_of(to) - sc_core::sc_time_stamp(), kick_);
  }
}

}  // namespace sparsim::memory
