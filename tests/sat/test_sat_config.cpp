// Bad hardware configurations are one-line InputErrors naming the file, line and key.
#include <catch2/catch.hpp>

#include "sim/errors.hpp"
#include "tests/sat/sat_harness.hpp"

using namespace sat_test;

namespace {
std::string error_of(const std::string& yaml, std::vector<std::string> sets = {}) {
  try {
    config(yaml, std::move(sets));
  } catch (const sparsim::InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("sat: config: N greater than M is rejected") {
  const std::string e = error_of("workload:\n  sparsity: {n: 4, m: 2}\n");
  CHECK(e.find("workload.sparsity.n") != std::string::npos);
  CHECK(e.find("test.yaml:") != std::string::npos);
}

TEST_CASE("sat: config: M larger than the index hardware supports is rejected") {
  const std::string e = error_of("  array: {max_m: 4}\n");  // default workload is 2:8
  CHECK(e.find("workload.sparsity.m") != std::string::npos);
  CHECK(e.find("max_m") != std::string::npos);
}

TEST_CASE("sat: config: a zero-size array is rejected") {
  const std::string e = error_of("  array: {rows: 0}\n");
  CHECK(e.find("accelerator.array.rows") != std::string::npos);
  CHECK(e.find("test.yaml:") != std::string::npos);
}

TEST_CASE("sat: config: multipliers per PE must hold whole N:M groups") {
  const std::string e = error_of("  array: {pe_multipliers: 3}\n");
  CHECK(e.find("accelerator.array.pe_multipliers") != std::string::npos);
}

TEST_CASE("sat: config: a global buffer too small for one minimal tile is rejected") {
  const std::string e = error_of("  glb: {capacity_bytes: 1024}\n");
  CHECK(e.find("accelerator.glb.capacity_bytes") != std::string::npos);
  CHECK(e.find("test.yaml:") != std::string::npos);
}

TEST_CASE("sat: config: an accumulator buffer too small for one output column pair is rejected") {
  const std::string e = error_of("  obuf: {capacity_bytes: 64}\n");
  CHECK(e.find("accelerator.obuf.capacity_bytes") != std::string::npos);
}

TEST_CASE("sat: config: defaults are valid and --set overrides name their origin") {
  CHECK(error_of("").empty());
  const std::string e = error_of("", {"accelerator.glb.banks=0"});
  CHECK(e.find("--set") != std::string::npos);
  CHECK(e.find("accelerator.glb.banks") != std::string::npos);
}
