// Allocations whose size follows the workload are checked against run.max_memory_mb before they are made
// (sim/alloc_guard.hpp), and an input error raised inside a SystemC process keeps its kind through
// sc_start (sim/kernel_run.hpp): exit 2 with one line, not an internal error or a bad_alloc.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>

#include <systemc>

#include "sim/alloc_guard.hpp"
#include "sim/errors.hpp"
#include "sim/kernel_run.hpp"
#include "workloads/mask.hpp"

using namespace sparsim;

namespace {

// Restores the process-wide limit when a test ends.
struct LimitScope {
  explicit LimitScope(std::uint64_t bytes) : saved(allocation_limit()) { set_allocation_limit(bytes); }
  ~LimitScope() { set_allocation_limit(saved); }
  std::uint64_t saved;
};

std::string message_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// A process that fails once the simulation has started: with an input error or with anything else.
SC_MODULE(FailingProcess) {
  bool input_error = true;
  SC_CTOR(FailingProcess) { SC_THREAD(run); }
  void run() {
    sc_core::wait(10, sc_core::SC_NS);
    if (input_error) check_allocation(1e12, 8, "a test array");
    throw std::runtime_error("a genuine fault");
  }
};

}  // namespace

TEST_CASE("an allocation beyond the memory limit is an input error naming the array and the limit") {
  const LimitScope limit(64ULL << 20);
  CHECK_NOTHROW(check_allocation(1 << 20, 8, "a small array"));  // 8 MiB
  const std::string m = message_of([] { check_allocation(16ULL << 20, 8, "the A operand"); });
  CHECK(m.rfind("run.max_memory_mb: the A operand would need about 128 MiB", 0) == 0);
  CHECK(m.find("more than the limit of 64 MiB") != std::string::npos);
  CHECK(m.find("--max-memory") != std::string::npos);
  // Products of huge sizes cannot wrap around to a small number first; NaN never passes.
  CHECK(!message_of([] { check_allocation(1e300, 1e300, "x"); }).empty());
  CHECK(!message_of([] { check_allocation(std::nan(""), 1, "x"); }).empty());
  set_allocation_limit(0);  // no limit
  CHECK_NOTHROW(check_allocation(1e15, 8, "x"));
}

TEST_CASE("a mask bitmap beyond the memory limit is refused before it is allocated") {
  const LimitScope limit(1ULL << 20);
  CHECK_NOTHROW(Mask({1024, 1024}));                                       // 128 KiB of bits
  const std::string m = message_of([] { Mask({1LL << 20, 1LL << 20}); });  // 128 GiB of bits
  CHECK(m.find("a mask bitmap would need about 131072 MiB") != std::string::npos);
  // A shape whose element count overflows 64 bits is refused too, not wrapped.
  CHECK(!message_of([] { Mask({1LL << 40, 1LL << 40}); }).empty());
}

TEST_CASE("an input error raised inside a SystemC process keeps its kind through the kernel") {
  FailingProcess p("p");
  try {
    run_kernel();
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).rfind("run.max_memory_mb: a test array would need about", 0) == 0);
  }
}

TEST_CASE("any other exception inside a SystemC process stays an internal error") {
  FailingProcess p("p");
  p.input_error = false;
  std::string kind;
  try {
    run_kernel();
  } catch (const InputError&) {
    kind = "input error";
  } catch (const sc_core::sc_report& r) {
    kind = r.get_msg();
  }
  CHECK(kind == "a genuine fault");
}
