// The fast mode is separate code (in-order, closed-form command times); its error against the detailed
// controller is measured here on a suite of traces with stated bounds, which fail if either side changes
// its behaviour beyond them. docs/memory.md has the table (bench/memory/fast_vs_detailed.sh).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "models/memory/dram_fast.hpp"
#include "tests/memory/memory_harness.hpp"

using namespace memory_test;

namespace {
double error(const ReplayResult& fast, const ReplayResult& detailed) {
  return std::abs(static_cast<double>(fast.cycles) - static_cast<double>(detailed.cycles)) /
         static_cast<double>(detailed.cycles);
}
}  // namespace

TEST_CASE("dram fast mode: identical on a single access and on a lone conflict") {
  const DramSpec s = tiny_spec();
  for (const auto& t :
       std::vector<std::vector<TraceRequest>>{{{addr(s, 0, 0, 5, 0), false, 0}},
                                              {{addr(s, 0, 0, 5, 0), false, 0}, {addr(s, 0, 0, 6, 0), false, 0}},
                                              {{addr(s, 0, 0, 5, 0), true, 0}}}) {
    CHECK(replay_fast(s, t).cycles == replay_detailed(s, t).cycles);
  }
}

TEST_CASE("dram fast mode: streaming within 1 % of the detailed controller on every preset (5 % on GPU presets)") {
  for (const std::string& name : dram_preset_names()) {
    DramSpec s = *dram_preset(name);
    // One channel of a GPU preset streams a page within one bank group (tCCD_L bound) while the next
    // page's ACT overlaps it: the fast mode reorders within its queue's depth as the controller does,
    // within 5 % (3.2 % on HBM3_H100; 25 % when it overtook at most eight requests).
    s.channels = 1;
    const double bound = s.hash_channels ? 0.05 : 0.01;
    INFO(name);
    for (bool write : {false, true}) {
      const auto t = sequential(s, 20000, write);
      const ReplayResult f = replay_fast(s, t), d = replay_detailed(s, t);
      INFO((write ? "writes" : "reads") << ": fast " << f.cycles << " detailed " << d.cycles);
      CHECK(error(f, d) < bound);
      CHECK(f.stats.activates == Approx(d.stats.activates).epsilon(0.05));
    }
  }
}

TEST_CASE("dram fast mode: random and mixed traces within the published bound (10 %)") {
  for (const char* name : {"DDR4_3200", "HBM2"}) {
    const DramSpec s = *dram_preset(name);
    for (double w : {0.0, 1.0 / 3}) {
      const auto t = random_trace(s, 20000, w, 3);
      const ReplayResult f = replay_fast(s, t), d = replay_detailed(s, t);
      INFO(name << " writes " << w << ": fast " << f.cycles << " detailed " << d.cycles);
      CHECK(error(f, d) < 0.10);
    }
  }
}

TEST_CASE("dram fast mode: a deeper queue lets random reads overtake more, in both modes") {
  // The fast mode's reorder window is the queue's depth: random reads on one HBM2 channel (bank-bound,
  // tRC 47 cycles) gain from a deeper queue as the FR-FCFS controller does, and stay close to it.
  DramSpec s = *dram_preset("HBM2");
  s.channels = 1;
  s.refresh = false;  // refresh is the fast mode's remaining difference on random traffic (docs/memory.md)
  const auto t = random_trace(s, 20000, 0.0, 5);
  std::int64_t fast_cycles[2] = {}, detailed_cycles[2] = {};
  int k = 0;
  for (int depth : {4, 32}) {
    s.queue_size = depth;
    s.write_high_watermark = depth * 3 / 4;
    s.write_low_watermark = depth / 4;
    const ReplayResult f = replay_fast(s, t), d = replay_detailed(s, t);
    INFO("queue " << depth << ": fast " << f.cycles << " detailed " << d.cycles);
    CHECK(error(f, d) < 0.03);
    fast_cycles[k] = f.cycles;
    detailed_cycles[k++] = d.cycles;
  }
  CHECK(fast_cycles[1] < 0.8 * static_cast<double>(fast_cycles[0]));
  CHECK(detailed_cycles[1] < 0.8 * static_cast<double>(detailed_cycles[0]));
}

namespace {
// Turns write buffering on and serves a read, then a write, both at cycle 0: the read keeps the read queue
// busy, so the write is held, not placed. Returns the read's completion.
std::int64_t read_then_held_write(DramChannelFast& ch, const DramSpec& s, const AddressMap& map) {
  ch.set_write_buffering(true);
  const std::int64_t read_done = ch.serve(map.decode(addr(s, 0, 0, 1, 0)), false, 0);
  CHECK(ch.serve(map.decode(addr(s, 1, 0, 2, 0)), true, 0) == DramChannelFast::kBuffered);
  return read_done;
}
}  // namespace

TEST_CASE("dram fast mode: a buffered write waits for a drain while reads are waiting") {
  DramSpec s = tiny_spec();
  s.queue_size = 8;
  s.write_high_watermark = 4;
  s.write_low_watermark = 1;
  const AddressMap map(s);
  DramChannelFast ch(s);
  const std::int64_t read_done = read_then_held_write(ch, s, map);
  // Reads that come while the first one waits overtake the held write.
  std::int64_t last_read = read_done;
  for (int i = 1; i < 3; ++i) last_read = std::max(last_read, ch.serve(map.decode(addr(s, 0, 0, 1, i)), false, 0));
  CHECK(ch.stats().writes == 0);
  // Three more writes reach the high watermark: the drain places all but the low watermark's one.
  for (int i = 1; i < 4; ++i) CHECK(ch.serve(map.decode(addr(s, 1, 1, 3, i)), true, 0) == DramChannelFast::kBuffered);
  CHECK(ch.stats().writes == 3);
  const std::int64_t writes_done = ch.flush_writes();
  CHECK(ch.stats().writes == 4);
  CHECK(writes_done > last_read);
  // Unbuffered (the DramModule's use), a write is placed and its completion returned at once.
  DramChannelFast plain(s);
  CHECK(plain.serve(map.decode(addr(s, 1, 0, 2, 0)), true, 0) > 0);
  CHECK(plain.stats().writes == 1);
}

TEST_CASE("dram fast mode: rate-limited streams are bounded by the issue rate in both modes") {
  const DramSpec s = *dram_preset("DDR4_3200");
  const auto t = sequential(s, 5000, false, 8);
  const ReplayResult f = replay_fast(s, t), d = replay_detailed(s, t);
  const std::int64_t last_issue = 4999 * 8;
  CHECK(d.cycles > last_issue);
  CHECK(d.cycles < last_issue + 200);
  CHECK(error(f, d) < 0.01);
}

TEST_CASE("dram fast mode: a held write drains when the reads run out, not at the next arrival") {
  // A write held behind a read is written once the read queue empties; a request arriving long after
  // (refreshes in between) must not drag it to its own time.
  DramSpec s = tiny_spec();
  s.refresh = true;
  s.tREFI = 2000;
  s.tRFC = 100;
  const AddressMap map(s);
  DramChannelFast ch(s);
  const std::int64_t read_done = read_then_held_write(ch, s, map);
  ch.serve(map.decode(addr(s, 0, 1, 3, 0)), false, 100000);
  CHECK(ch.stats().writes == 1);
  const std::int64_t write_done = ch.flush_writes();
  CHECK(write_done > read_done);
  CHECK(write_done < read_done + 200);
}
