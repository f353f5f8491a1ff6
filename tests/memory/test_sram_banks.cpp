// The banked SRAM scratchpad: bank mapping, arbitration policies and conflict counts of the detailed mode,
// and the fast mode's error against it (exact on lock-step patterns, a measured bound on random ones).
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <random>
#include <stdexcept>

#include "models/memory/sram_banks.hpp"

using namespace sparsim::memory;

namespace {

using Streams = std::vector<std::vector<SramAccess>>;

// 64 KB, 16 banks of 8-byte words, 4 ports: round numbers whose conflicts are easy to count.
SramSpec spec(const std::string& mapping, const std::string& arbiter) {
  SramSpec s;
  s.bytes = 64 * 1024;
  s.banks = 16;
  s.bank_width_bytes = 8;
  s.ports = 4;
  s.mapping = mapping;
  s.arbiter = arbiter;
  return s;
}

// `n` single-word reads per port at the addresses addr(port, i).
Streams streams(const SramSpec& s, i64 n, const std::function<std::uint64_t(int, i64)>& addr) {
  Streams out(static_cast<std::size_t>(s.ports));
  for (int p = 0; p < s.ports; ++p)
    for (i64 i = 0; i < n; ++i)
      out[static_cast<std::size_t>(p)].push_back(
          {addr(p, i), s.bank_width_bytes, false, static_cast<std::uint64_t>(i)});
  return out;
}

struct Run {
  i64 cycles = 0;
  SramStats stats;
  std::vector<SramCompletion> done;
};

Run structural(const SramSpec& s, const Streams& in) {
  SramBanks m(s);
  for (std::size_t p = 0; p < in.size(); ++p)
    for (const SramAccess& a : in[p]) m.enqueue(static_cast<int>(p), a);
  Run r;
  r.cycles = m.run_until_drained();
  r.stats = m.stats();
  r.done = m.take_completions();
  return r;
}

i64 total(const std::vector<i64>& v) {
  i64 t = 0;
  for (i64 x : v) t += x;
  return t;
}

// The ports of the completions, in grant order.
std::vector<int> order(const std::vector<SramCompletion>& done) {
  std::vector<int> ports;
  for (const auto& c : done) ports.push_back(c.port);
  return ports;
}

}  // namespace

TEST_CASE("sram banks: unit-stride words of P ports on different banks take words / P cycles") {
  for (const char* mapping : {"interleave", "xor"}) {
    INFO(mapping);
    const SramSpec s = spec(mapping, "round_robin");
    const i64 n = 64;  // words per port, port p reading words p, p + P, p + 2P, ...
    const Streams in = streams(s, n, [&](int p, i64 i) { return static_cast<std::uint64_t>((i * s.ports + p) * 8); });
    const Run r = structural(s, in);
    CHECK(r.cycles == n);
    CHECK(total(r.stats.conflict_cycles) == 0);
    CHECK(r.stats.words_read == n * s.ports);
    for (i64 busy : r.stats.bank_busy) CHECK(busy == n * s.ports / s.banks);
    CHECK(sram_fast_cycles(s, in) == r.cycles);
  }
}

TEST_CASE("sram banks: an access spanning words is split into one word per bank and cycle") {
  SramSpec s = spec("interleave", "round_robin");
  const Streams in = {{{4, 64, false, 7}}, {}, {}, {}};  // 64 bytes from byte 4: words 0..8, nine banks
  Run r = structural(s, in);
  CHECK(r.cycles == 9);
  CHECK(r.stats.words_read == 9);
  CHECK(r.stats.bytes_read == 64);
  REQUIRE(r.done.size() == 1);
  CHECK(r.done[0].tag == 7);
  s.words_per_port_per_cycle = 4;
  s.read_latency = 3;
  r = structural(s, in);
  CHECK(r.cycles == 2 + 3);  // grants in cycles 0, 1, 2, data 3 cycles after the last
  CHECK(sram_fast_cycles(s, in) == r.cycles);
}

TEST_CASE("sram banks: all ports on one bank are serialised with the closed-form conflict counts") {
  const i64 n = 10;
  for (const char* arbiter : {"fixed_priority", "round_robin", "oldest_first"}) {
    INFO(arbiter);
    const SramSpec s = spec("interleave", arbiter);
    const i64 P = s.ports;
    const Streams in = streams(s, n, [&](int p, i64 i) { return static_cast<std::uint64_t>((i * P + p) * 128); });
    const Run r = structural(s, in);
    CHECK(r.cycles == P * n);
    CHECK(r.stats.bank_busy[0] == P * n);
    CHECK(r.stats.max_queue_depth == n);
    CHECK(sram_fast_cycles(s, in) == r.cycles);
    for (i64 p = 0; p < P; ++p) {
      // Fixed priority (and oldest-first, whose ties go to the lower port): port p waits for the n words
      // of each lower port. Round robin: port p is first granted in cycle p, then once every P cycles.
      const i64 expected = std::string(arbiter) == "round_robin" ? p + (n - 1) * (P - 1) : p * n;
      CHECK(r.stats.conflict_cycles[static_cast<std::size_t>(p)] == expected);
    }
  }
}

TEST_CASE("sram banks: a tile column with pitch banks x width conflicts under interleave, not under xor") {
  // Rows of a row-major tile whose pitch is banks x width, dealt to the ports in turn (a transposed read):
  // every element of the column lies in one bank when banks interleave by word.
  const i64 n = 16;
  const auto column = [](const SramSpec& s) {
    const i64 pitch = static_cast<i64>(s.banks) * s.bank_width_bytes;
    return streams(s, n, [&, pitch](int p, i64 i) { return static_cast<std::uint64_t>((i * s.ports + p) * pitch); });
  };
  const SramSpec il = spec("interleave", "round_robin"), x = spec("xor", "round_robin");
  const Run a = structural(il, column(il)), b = structural(x, column(x));
  CHECK(a.cycles == n * il.ports);
  CHECK(total(a.stats.conflict_cycles) > 0);
  CHECK(b.cycles == n);
  CHECK(total(b.stats.conflict_cycles) == 0);
  CHECK(sram_fast_cycles(il, column(il)) == a.cycles);
  CHECK(sram_fast_cycles(x, column(x)) == b.cycles);
}

TEST_CASE("sram banks: each arbiter grants in its documented order") {
  // Port 1 queues two words of bank 0 in cycle 0, port 0 two more in cycle 1.
  const auto grants = [](const char* arbiter) {
    SramSpec s = spec("interleave", arbiter);
    s.ports = 2;
    SramBanks m(s);
    m.enqueue(1, {0, 8, false, 10});
    m.enqueue(1, {128, 8, false, 11});
    m.step();
    m.enqueue(0, {256, 8, false, 0});
    m.enqueue(0, {384, 8, false, 1});
    m.run_until_drained();
    return order(m.take_completions());
  };
  CHECK(grants("oldest_first") == std::vector<int>{1, 1, 0, 0});
  CHECK(grants("fixed_priority") == std::vector<int>{1, 0, 0, 1});
  CHECK(grants("round_robin") == std::vector<int>{1, 0, 1, 0});

  // Fixed priority starves port 1 while port 0 has work, round robin alternates.
  const auto port1_done = [](const char* arbiter) {
    SramSpec s = spec("interleave", arbiter);
    s.ports = 2;
    SramBanks m(s);
    for (std::uint64_t i = 0; i < 5; ++i) m.enqueue(0, {i * 128, 8, false, i});
    m.enqueue(1, {1024, 8, false, 99});
    m.run_until_drained();
    for (const auto& c : m.take_completions())
      if (c.port == 1) return c.cycle;
    return i64{-1};
  };
  CHECK(port1_done("fixed_priority") == 6);
  CHECK(port1_done("round_robin") == 2);
}

TEST_CASE("sram banks: fast mode over-estimates random addresses by 10 to 30 %") {
  // Random addresses: the detailed ports drift apart, the fast mode keeps them in lock step. The measured
  // errors (12 to 28 %) are printed; the bounds are them rounded outwards (docs/memory.md).
  std::mt19937_64 rng(7);  // raw engine output: the same numbers on every standard library
  for (const char* mapping : {"interleave", "xor"})
    for (const char* arbiter : {"round_robin", "fixed_priority", "oldest_first"})
      for (const i64 bytes : {i64{8}, i64{32}}) {
        const SramSpec s = spec(mapping, arbiter);
        Streams in = streams(s, 2000, [&](int, i64) {
          return rng() % static_cast<std::uint64_t>(s.bytes - bytes) / 4 * 4;  // 4-byte aligned
        });
        for (auto& stream : in)
          for (auto& a : stream) a.bytes = bytes;
        const i64 detailed = structural(s, in).cycles, fast = sram_fast_cycles(s, in);
        const double err = static_cast<double>(fast - detailed) / static_cast<double>(detailed);
        WARN(mapping << " " << arbiter << " " << bytes << " B: fast " << fast << " detailed " << detailed << " error "
                     << 100 * err << " %");
        CHECK(err > 0.10);  // the fast mode is pessimistic here: lock step forbids running ahead
        CHECK(err < 0.30);
      }
}

TEST_CASE("sram banks: check_sram_spec names the field of an impossible value") {
  const auto why = [](const std::function<void(SramSpec&)>& edit) {
    SramSpec s;
    edit(s);
    return check_sram_spec(s);
  };
  CHECK(why([](SramSpec&) {}) == "");
  CHECK(why([](SramSpec& s) { s.banks = 0; }).rfind("banks:", 0) == 0);
  CHECK(why([](SramSpec& s) { s.bank_width_bytes = 6; }).rfind("bank_width_bytes:", 0) == 0);
  CHECK(why([](SramSpec& s) { s.bytes = 1000; }).rfind("bytes:", 0) == 0);
  CHECK(why([](SramSpec& s) { s.ports = 0; }).rfind("ports:", 0) == 0);
  CHECK(why([](SramSpec& s) { s.mapping = "hash"; }).rfind("mapping:", 0) == 0);
  CHECK(why([](SramSpec& s) { s.arbiter = "lottery"; }).rfind("arbiter:", 0) == 0);
  CHECK(why([](SramSpec& s) { s.read_latency = 0; }).rfind("read_latency:", 0) == 0);
  CHECK(why([](SramSpec& s) {
          s.mapping = "xor";
          s.banks = 12;
          s.bytes = 12 * 8 * 64;
        }).rfind("banks:", 0) == 0);
  SramSpec bad;
  bad.banks = 0;
  CHECK_THROWS_AS(SramBanks{bad}, std::invalid_argument);
}
