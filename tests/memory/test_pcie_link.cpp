// The PCIe link: TLP overhead, latency, credit- and tag-limited throughput, DLLPs; fast against detailed.
#include <catch2/catch.hpp>

#include <functional>
#include <sstream>

#include "models/memory/pcie_link.hpp"
#include "tests/support/in_child.hpp"

using namespace sparsim::memory;
using sparsim::TimingMode;

namespace {
struct Op {
  bool read = false;
  std::uint64_t bytes = 0;
};

// Runs the ops back to back from one thread; returns "done_ns" per op (the data's arrival) and the stats.
struct Driver : sc_core::sc_module {
  Driver(sc_core::sc_module_name n, const PcieSpec& s, TimingMode m, std::vector<Op> o)
      : sc_module(n), link("link", s, m), ops(std::move(o)) {
    SC_HAS_PROCESS(Driver);
    SC_THREAD(run);
  }
  void run() {
    for (const Op& op : ops) done.push_back((op.read ? link.read(op.bytes) : link.write(op.bytes)).to_seconds() * 1e9);
  }
  PcieLink link;
  std::vector<Op> ops;
  std::vector<double> done;
};

std::string simulate(const PcieSpec& s, TimingMode m, const std::vector<Op>& ops) {
  Driver d("d", s, m, ops);
  sc_core::sc_start();
  std::ostringstream out;
  out.precision(12);
  for (double x : d.done) out << x << " ";
  for (const auto& c : d.link.stats.counters()) out << c.name << "=" << c.value << " ";
  return out.str();
}

std::vector<double> times(const std::string& s, std::size_t n) {
  std::istringstream in(s);
  std::vector<double> v(n);
  for (auto& x : v) in >> x;
  return v;
}

std::uint64_t stat(const std::string& s, const std::string& name) {
  const auto at = s.find(name + "=");
  return at == std::string::npos ? ~0ULL : std::stoull(s.substr(at + name.size() + 1));
}

// Both modes in one test: detailed in a child process (one SystemC design per process).
std::pair<std::string, std::string> both(const PcieSpec& s, const std::vector<Op>& ops) {
  const std::string d = sparsim::test_support::in_child([&] { return simulate(s, TimingMode::Detailed, ops); });
  return {simulate(s, TimingMode::Fast, ops), d};
}
}  // namespace

TEST_CASE("pcie: line rates of every generation (encoding included)") {
  PcieSpec s;
  s.lanes = 16;
  s.generation = 1;
  CHECK(s.bytes_per_ns() == Approx(4.0));  // 2.5 GT/s x 16 x 8/10 / 8
  s.generation = 3;
  CHECK(s.bytes_per_ns() == Approx(8.0 * 16 * 128.0 / 130.0 / 8));
  s.generation = 5;
  s.lanes = 16;
  CHECK(s.bytes_per_ns() == Approx(63.015).epsilon(0.001));
}

TEST_CASE("pcie: one small write arrives after its TLP's wire time plus the latency, in both modes") {
  PcieSpec s;
  const auto [fast, detailed] = both(s, {{false, 64}});
  const double expect = (64 + 24) / s.bytes_per_ns() + s.latency_ns;
  CHECK(times(detailed, 1)[0] == Approx(expect));
  CHECK(times(fast, 1)[0] == Approx(expect));
  CHECK(stat(detailed, "tlps_down") == 1);
  CHECK(stat(detailed, "dllps") == 1);
}

TEST_CASE("pcie: a large write streams at the TLP payload efficiency, one ACK per ack_every TLPs") {
  PcieSpec s;
  const std::uint64_t bytes = 4 << 20;
  const auto [fast, detailed] = both(s, {{false, bytes}});
  const double wire = (bytes + bytes / 256 * 24) / s.bytes_per_ns();
  CHECK(times(detailed, 1)[0] == Approx(wire + s.latency_ns).epsilon(0.01));
  CHECK(times(fast, 1)[0] == Approx(times(detailed, 1)[0]).epsilon(0.01));
  CHECK(stat(detailed, "tlps_down") == bytes / 256);
  CHECK(stat(detailed, "dllps") == bytes / 256 / 4);
  CHECK(stat(detailed, "wire_down_bytes") == bytes + bytes / 256 * 24);
}

TEST_CASE("pcie: few posted credits limit writes to credits per round trip") {
  PcieSpec s;
  s.posted_data_credits = 64;  // 1 KB in flight
  s.posted_header_credits = 4;
  const std::uint64_t bytes = 1 << 20;
  const auto [fast, detailed] = both(s, {{false, bytes}});
  // 1 KB per round trip of 2 x 500 ns, plus the four TLPs' wire time and the ACK coalescing: about
  // 1 GB/s, far below the 15 GB/s of the wire.
  const double bound = static_cast<double>(bytes) / 1024.0 * 2.0 * s.latency_ns;
  CHECK(times(detailed, 1)[0] > bound);
  CHECK(times(detailed, 1)[0] < 1.1 * bound);
  CHECK(stat(detailed, "credit_wait_ns") > 0);
  CHECK(times(fast, 1)[0] == Approx(times(detailed, 1)[0]).epsilon(0.05));
}

TEST_CASE("pcie: a read's first data comes back after a round trip") {
  PcieSpec s;
  const auto [fast, detailed] = both(s, {{true, 256}});
  const double one = 24 / s.bytes_per_ns() + 2 * s.latency_ns + (256 + 24) / s.bytes_per_ns();
  CHECK(times(fast, 1)[0] == Approx(one));
  CHECK(times(detailed, 1)[0] == Approx(one));  // the host's ACK DLLP takes the idle up wire before it
}

TEST_CASE("pcie: few read tags limit reads to tags x request size per round trip") {
  PcieSpec s;
  s.read_tags = 2;
  const std::uint64_t bytes = 256 << 10;
  const auto [fast, detailed] = both(s, {{true, bytes}});
  const double tag_bound = static_cast<double>(bytes) / (2.0 * 512) * 2 * s.latency_ns;  // 2 x 512 B per round trip
  CHECK(times(detailed, 1)[0] > tag_bound);
  CHECK(times(detailed, 1)[0] < 1.1 * tag_bound);
  CHECK(stat(detailed, "tag_wait_ns") > 0);
  CHECK(times(fast, 1)[0] == Approx(times(detailed, 1)[0]).epsilon(0.10));
}

TEST_CASE("pcie: reads and writes share the down wire, completions take the up wire") {
  PcieSpec s;
  const std::uint64_t bytes = 1 << 20;
  const auto [fast, detailed] = both(s, {{false, bytes}, {true, bytes}});
  CHECK(stat(detailed, "payload_up_bytes") == bytes);
  CHECK(stat(detailed, "payload_down_bytes") == bytes);
  CHECK(stat(detailed, "tlps_up") == bytes / 256);
  CHECK(stat(detailed, "tlps_down") == bytes / 256 + bytes / 512);
  const auto f = times(fast, 2), d = times(detailed, 2);
  CHECK(f[1] == Approx(d[1]).epsilon(0.02));
}

TEST_CASE("pcie: impossible link settings are refused with the field named") {
  PcieSpec s;
  s.lanes = 3;
  CHECK(check_pcie_spec(s).rfind("lanes:", 0) == 0);
  s = PcieSpec{};
  s.max_payload = 300;
  CHECK(check_pcie_spec(s).rfind("max_payload_bytes:", 0) == 0);
  s = PcieSpec{};
  s.posted_data_credits = 4;
  CHECK(check_pcie_spec(s).rfind("posted_data_credits:", 0) == 0);
  CHECK(check_pcie_spec(PcieSpec{}).empty());
}
