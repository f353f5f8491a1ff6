// The accumulator banks (an output buffer's read-modify-write pipelines): one read and one write per bank
// and cycle (or one access with a single port), round robin between the ports that share a bank, in-order
// pipelines of `depth` partial sums whose fullness refuses the next one.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "models/memory/accumulator_banks.hpp"

using namespace sparsim::memory;

namespace {
AccumulatorSpec spec(int banks, int ports, bool single = false) {
  AccumulatorSpec s;
  s.banks = banks;
  s.ports = ports;
  s.word_bytes = 4;
  s.single_port = single;
  s.depth = 4;
  return s;
}

// Every port tries to hand in one partial sum per cycle (port p's i-th at word i * ports + p, so port p
// stays on bank p mod banks) for `cycles` cycles; returns the sums taken per port.
std::vector<std::int64_t> offer_every_cycle(AccumulatorBanks& a, std::int64_t cycles, bool read = true) {
  const int ports = a.spec().ports;
  std::vector<std::int64_t> taken(static_cast<std::size_t>(ports), 0);
  for (std::int64_t t = 0; t < cycles; ++t) {
    for (int p = 0; p < ports; ++p)
      if (a.accepts(p)) {
        const auto i = static_cast<std::uint64_t>(taken[static_cast<std::size_t>(p)]++);
        a.push(p,
               (i * static_cast<std::uint64_t>(ports) * static_cast<std::uint64_t>(a.spec().banks) +
                static_cast<std::uint64_t>(p)) *
                   4,
               read);
      }
    a.step();
  }
  return taken;
}

void drain(AccumulatorBanks& a) {
  for (int guard = 0; !a.idle() && guard < 1000; ++guard) a.step();
  REQUIRE(a.idle());
}
}  // namespace

TEST_CASE("accumulator banks: a bank per port with a read and a write port takes a partial sum every cycle") {
  AccumulatorBanks a(spec(8, 8));
  const auto taken = offer_every_cycle(a, 100);
  for (auto n : taken) CHECK(n == 100);
  CHECK(a.stats().full_refusals == 0);
  CHECK(a.stats().conflict_cycles == 0);
  // A read-modify-write: read granted the cycle it arrives, its data back and written the next.
  for (int p = 0; p < 8; ++p) CHECK(a.pending(p) == 1);
  drain(a);
  CHECK(a.stats().reads == 800);
  CHECK(a.stats().writes == 800);
}

TEST_CASE("accumulator banks: two ports on one bank share its read and write ports") {
  AccumulatorBanks a(spec(4, 8));  // ports p and p + 4 share bank p mod 4
  const auto taken = offer_every_cycle(a, 1000);
  std::int64_t total = 0;
  for (auto n : taken) total += n;
  // One read-modify-write per bank and cycle: half of what the ports offer.
  CHECK(total == Approx(4 * 1000).epsilon(0.01));
  // Round robin: the two ports of a bank get turns in equal measure.
  for (int p = 0; p < 4; ++p)
    CHECK(std::abs(taken[static_cast<std::size_t>(p)] - taken[static_cast<std::size_t>(p + 4)]) <= 1);
  CHECK(a.stats().full_refusals > 0);
  CHECK(a.stats().conflict_cycles > 0);
}

TEST_CASE("accumulator banks: a single-ported bank serves a read-modify-write in two cycles, a write in one") {
  AccumulatorBanks rmw(spec(8, 8, true));
  std::int64_t total = 0;
  for (auto n : offer_every_cycle(rmw, 1000)) total += n;
  CHECK(total == Approx(8 * 1000 / 2).epsilon(0.01));
  AccumulatorBanks writes(spec(8, 8, true));
  total = 0;
  for (auto n : offer_every_cycle(writes, 1000, false)) total += n;
  CHECK(total == 8 * 1000);
  CHECK(writes.stats().reads == 0);
}

TEST_CASE("accumulator banks: a full pipeline refuses, and every sum taken is written once") {
  AccumulatorBanks a(spec(1, 4, true));  // four ports on one single-ported bank
  const auto taken = offer_every_cycle(a, 200);
  std::int64_t total = 0;
  for (auto n : taken) total += n;
  drain(a);
  CHECK(a.stats().writes == total);
  CHECK(a.stats().reads == total);
  // One bank access per cycle, two per sum: 100 sums done in 200 cycles, plus up to a pipeline's depth per
  // port taken and not yet done when the offers stop.
  CHECK(total >= 99);
  CHECK(total <= 100 + 4 * 4);
  for (int p = 0; p < 4; ++p) CHECK(a.pending(p) == 0);
  CHECK_THROWS_AS(
      [] {
        AccumulatorBanks full(spec(1, 1));
        for (int i = 0; i < 5; ++i) full.push(0, 0, true);
      }(),
      std::logic_error);
}

TEST_CASE("accumulator banks: an unsound spec is refused") {
  for (auto bad : {[] {
                     auto s = spec(0, 1);
                     return s;
                   }(),
                   [] {
                     auto s = spec(1, 0);
                     return s;
                   }(),
                   [] {
                     auto s = spec(1, 1);
                     s.word_bytes = 3;
                     return s;
                   }(),
                   [] {
                     auto s = spec(1, 1);
                     s.depth = 0;
                     return s;
                   }()}) {
    CHECK_FALSE(check_accumulator_spec(bad).empty());
    CHECK_THROWS_AS(AccumulatorBanks(bad), std::invalid_argument);
  }
}
