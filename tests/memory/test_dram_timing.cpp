// DRAM timing against closed forms: each figure below follows from the spec's numbers by hand.
#include <catch2/catch.hpp>

#include "models/memory/dram_channel.hpp"
#include "tests/memory/memory_harness.hpp"

using namespace memory_test;

TEST_CASE("dram: one read to a closed bank completes after tRCD + CL + burst") {
  const DramSpec s = tiny_spec();
  const ReplayResult r = replay_detailed(s, {{addr(s, 0, 0, 5, 0), false, 0}});
  // ACT at 0, RD at tRCD, data from RD + CL for BL/2 cycles.
  CHECK(r.cycles == s.tRCD + s.CL + s.burst_cycles());
  CHECK(r.stats.row_misses == 1);
  CHECK(r.stats.activates == 1);
}

TEST_CASE("dram: a second read to the open row is a row hit one tCCD_L later") {
  const DramSpec s = tiny_spec();
  const ReplayResult r = replay_detailed(s, {{addr(s, 0, 0, 5, 0), false, 0}, {addr(s, 0, 0, 5, 1), false, 0}});
  CHECK(r.stats.row_hits == 1);
  CHECK(r.stats.row_misses == 1);
  CHECK(r.cycles == s.tRCD + s.tCCD_L + s.CL + s.burst_cycles());
}

TEST_CASE("dram: a read to another row of the same bank pays PRE (after tRAS) + tRP + tRCD") {
  const DramSpec s = tiny_spec();
  const ReplayResult r = replay_detailed(s, {{addr(s, 0, 0, 5, 0), false, 0}, {addr(s, 0, 0, 6, 0), false, 0}});
  CHECK(r.stats.row_conflicts == 1);
  CHECK(r.stats.precharges == 1);
  // First ACT at 0; PRE no earlier than tRAS (RD at tRCD + tRTP is earlier); ACT tRP later, RD tRCD later.
  CHECK(r.cycles == s.tRAS + s.tRP + s.tRCD + s.CL + s.burst_cycles());
}

TEST_CASE("dram: tFAW limits a rank to four activates in its window") {
  DramSpec s = tiny_spec();
  s.bankgroups = 4;
  s.banks_per_group = 4;
  s.tFAW = 60;
  s.tRRD_S = s.tRRD_L = 2;
  std::vector<TraceRequest> t;
  for (int i = 0; i < 5; ++i) t.push_back({addr(s, i % 4, i / 4, 1, 0), false, 0});
  const ReplayResult r = replay_detailed(s, t);
  CHECK(r.stats.activates == 5);
  // The fifth ACT waits for tFAW after the first (at 0): its read completes at tFAW + tRCD + CL + burst.
  CHECK(r.cycles == s.tFAW + s.tRCD + s.CL + s.burst_cycles());
  s.tFAW = 0;  // without the window the five ACTs go tRRD apart
  const ReplayResult free = replay_detailed(s, t);
  CHECK(free.cycles < r.cycles);
}

TEST_CASE("dram: write-to-read turnaround waits tWTR_L after the write data in the same bank group") {
  const DramSpec s = tiny_spec();
  // Write then read, both to the open row of bank (0,0). The read is offered one cycle later, after the
  // WR has issued (at tRCD = 12), so the read must wait for the write data and tWTR_L.
  const ReplayResult r = replay_detailed(s, {{addr(s, 0, 0, 3, 0), true, 0}, {addr(s, 0, 0, 3, 1), false, 13}});
  // ACT 0, WR at tRCD, write data ends tRCD + CWL + burst; RD tWTR_L after that, data CL + burst later.
  const std::int64_t wr_end = s.tRCD + s.CWL + s.burst_cycles();
  CHECK(r.cycles == std::max<std::int64_t>(13, wr_end + s.tWTR_L) + s.CL + s.burst_cycles());
}

TEST_CASE("dram: refresh blocks the rank for tRFC") {
  DramSpec s = tiny_spec();
  s.refresh = true;
  s.tREFI = 1000;
  s.tRFC = 200;
  // A read issued just after the refresh falls due must wait until the refresh has finished.
  const ReplayResult r = replay_detailed(s, {{addr(s, 0, 0, 1, 0), false, 1001}});
  CHECK(r.stats.refreshes == 1);
  CHECK(r.cycles == 1000 + s.tRFC + s.tRCD + s.CL + s.burst_cycles());
  s.refresh = false;
  CHECK(replay_detailed(s, {{addr(s, 0, 0, 1, 0), false, 1001}}).cycles == 1001 + s.tRCD + s.CL + s.burst_cycles());
}

TEST_CASE("dram: closed-page policy precharges after the access, so the next access to the row misses") {
  DramSpec s = tiny_spec();
  s.open_page = false;
  const ReplayResult r = replay_detailed(s, {{addr(s, 0, 0, 5, 0), false, 0}, {addr(s, 0, 0, 5, 1), false, 200}});
  CHECK(r.stats.row_misses == 2);
  CHECK(r.stats.precharges == 2);
}

TEST_CASE("dram: FR-FCFS serves a ready row hit before an older row conflict") {
  const DramSpec s = tiny_spec();
  // Row 5 opens for the first read; the second (row 6, same bank) conflicts; the third hits row 5 and
  // must be served before the conflict closes the row.
  const ReplayResult r = replay_detailed(
      s, {{addr(s, 0, 0, 5, 0), false, 0}, {addr(s, 0, 0, 6, 0), false, 0}, {addr(s, 0, 0, 5, 1), false, 0}});
  CHECK(r.stats.row_hits == 1);
  CHECK(r.stats.row_conflicts == 1);
  CHECK(r.stats.activates == 2);
}

TEST_CASE("dram: the queue bounds the requests in flight (a full queue holds the driver)") {
  DramSpec s = tiny_spec();
  s.queue_size = 2;
  s.write_high_watermark = 2;
  s.write_low_watermark = 1;
  // All to different rows of one bank: each needs PRE/ACT. With a queue of 2 the last request enters late.
  std::vector<TraceRequest> t;
  for (int i = 0; i < 6; ++i) t.push_back({addr(s, 0, 0, i, 0), false, 0});
  const ReplayResult small = replay_detailed(s, t);
  s.queue_size = 32;
  s.write_high_watermark = 24;
  s.write_low_watermark = 8;
  const ReplayResult big = replay_detailed(s, t);
  CHECK(small.cycles == big.cycles);  // one bank serialises either way
  CHECK(small.avg_read_latency < big.avg_read_latency);  // but fewer wait inside the controller
}
