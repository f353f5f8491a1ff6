// Sweep files: expansion (crossed, zipped, ranges), strict validation with file:line:key errors, plans.
#include <catch2/catch.hpp>

#include "sim/errors.hpp"
#include "sim/sweep/plan.hpp"
#include "sim/sweep/spec.hpp"
#include "tests/sweep/sweep_harness.hpp"

using namespace sparsim;
using namespace sparsim::sweep;

namespace {

SweepSpec parse(const std::string& body) { return parse_spec("base: " + sat_base() + "\n" + body, "s.yaml", "."); }

std::string error_of(const std::string& body) {
  try {
    make_plan(parse(body));
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("axes are crossed in order, zipped keys move together, ranges include their end") {
  const SweepSpec spec = parse(
      "axes:\n"
      "  - key: workload.sparsity.m\n"
      "    values: [2, 4]\n"
      "  - zip:\n"
      "      accelerator.array.rows: {from: 8, to: 24, step: 8}\n"
      "      accelerator.array.cols: [16, 32, 64]\n");
  const auto points = expand(spec);
  REQUIRE(points.size() == 6);
  // First axis outermost; the zipped pair never mixes (8 with 16, 16 with 32, 24 with 64).
  REQUIRE(points[0].values == std::vector<Assignment>{{"workload.sparsity.m", "2"},
                                                      {"accelerator.array.rows", "8"},
                                                      {"accelerator.array.cols", "16"}});
  REQUIRE(points[2].values[1].second == "24");
  REQUIRE(points[2].values[2].second == "64");
  REQUIRE(points[3].values[0].second == "4");
  REQUIRE(points[5].values == std::vector<Assignment>{{"workload.sparsity.m", "4"},
                                                      {"accelerator.array.rows", "24"},
                                                      {"accelerator.array.cols", "64"}});
}

TEST_CASE("integer ranges at the ends of 64 bits are refused, not trapped or run away") {
  // 0 to INT64_MIN by -1 once divided INT64_MIN by -1 (SIGFPE); a range near INT64_MAX wrapped around.
  CHECK_THROWS_WITH(range_values("0", "-9223372036854775808", "-1", "f", "k"), Catch::Contains("more than"));
  REQUIRE(range_values("9223372036854775805", "9223372036854775807", "1", "f", "k") ==
          std::vector<std::string>{"9223372036854775805", "9223372036854775806", "9223372036854775807"});
  REQUIRE(range_values("-9223372036854775808", "9223372036854775807", "9223372036854775807", "f", "k") ==
          std::vector<std::string>{"-9223372036854775808", "-1", "9223372036854775806"});
  // Floats beyond double's range, or below its normal range, are refused, not rounded to inf or 0.
  CHECK_THROWS_AS(range_values("1e-400", "1", "0.5", "f", "k"), InputError);
  CHECK_THROWS_AS(range_values("0", "1e400", "1", "f", "k"), InputError);
}

TEST_CASE("float ranges are computed per index and printed without rounding noise") {
  REQUIRE(range_values("0.1", "0.5", "0.1", "f", "k") == std::vector<std::string>{"0.1", "0.2", "0.3", "0.4", "0.5"});
  REQUIRE(range_values("8", "2", "-3", "f", "k") == std::vector<std::string>{"8", "5", "2"});
  REQUIRE_THROWS_AS(range_values("1", "5", "0", "f", "k"), InputError);
  REQUIRE_THROWS_AS(range_values("1", "5", "-1", "f", "k"), InputError);
  REQUIRE_THROWS_AS(range_values("0", "1", "0.00001", "f", "k"), InputError);  // more than 10000 values
}

TEST_CASE("a sweep without axes is one point") { REQUIRE(expand(parse("set: {workload.batch: 1}\n")).size() == 1); }

TEST_CASE("sweep file errors name the file, the line and the key") {
  auto parse_error = [](const std::string& text) -> std::string {
    try {
      parse_spec(text, "s.yaml", ".");
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no error)";
  };
  const std::string b = "base: " + sat_base() + "\n";
  REQUIRE(parse_error(b + "axis: []\n") ==
          "s.yaml:2: axis: unknown key (known here: axes, base, baselines, metrics, name, set)");
  REQUIRE(parse_error(b + "axes:\n  - key: workload.batch\n    valeus: [1]\n")
              .rfind("s.yaml:4: axes[0].valeus: unknown key", 0) == 0);
  REQUIRE(parse_error(b + "axes:\n  - key: workload.batch\n    values: 3\n")
              .rfind("s.yaml:4: axes[0].values: expected a list", 0) == 0);
  REQUIRE(parse_error(b + "axes:\n  - key: workload.batch\n    values: [1, [2]]\n")
              .rfind("s.yaml:4: axes[0].values[1]: expected a single value", 0) == 0);
  REQUIRE(parse_error(b + "axes:\n  - zip:\n      workload.batch: [1, 2]\n      run.seed: [1]\n")
              .rfind("s.yaml:5: axes[0].zip.run.seed: zipped keys need equally many values", 0) == 0);
  REQUIRE(parse_error(b + "axes:\n  - key: workload.batch\n    range: {from: 1, to: 4}\n")
              .rfind("s.yaml:4: axes[0].range: a range needs from, to and step", 0) == 0);
  REQUIRE(parse_error(b + "set: {workload.batch: 2}\naxes:\n  - key: workload.batch\n    values: [1]\n")
              .rfind("s.yaml:4: workload.batch: both swept and fixed", 0) == 0);
  REQUIRE(parse_error("base: nowhere.yaml\n").rfind("s.yaml:1: base: cannot open config file", 0) == 0);
  REQUIRE(parse_error("axes: [\n").rfind("s.yaml:", 0) == 0);
}

TEST_CASE("axis keys and values are validated against the config schema before anything runs") {
  // Unknown key: named at the sweep file's line of the axis key, with the point that used it.
  REQUIRE(error_of("axes:\n  - key: accelerator.array.rowz\n    values: [8]\n") ==
          "s.yaml:3: accelerator.array.rowz: point 0 (accelerator.array.rowz=8): unknown key");
  // Out of range in the third point only.
  REQUIRE(error_of("axes:\n  - key: accelerator.array.rows\n    values: [8, 16, 0]\n")
              .rfind("s.yaml:3: accelerator.array.rows: point 2 (accelerator.array.rows=0): value 0 is out of range",
                     0) == 0);
  // Wrong type in set:, and in a baseline.
  REQUIRE(
      error_of("set: {workload.batch: many}\n").rfind("s.yaml:2: workload.batch: point 0: expected an integer", 0) ==
      0);
  REQUIRE(error_of("baselines:\n  small: {accelerator.array.rows: x}\n")
              .rfind("s.yaml:3: accelerator.array.rows: point 0, baseline small: expected an integer", 0) == 0);
}

TEST_CASE("runs are named by their effective config, so equal configs share one run") {
  const Plan plan =
      make_plan(parse("axes:\n"
                      "  - key: workload.sparsity.m\n"
                      "    values: [4, 8, 8]\n"
                      "baselines:\n"
                      "  dense_small: {workload.sparsity.m: 8, accelerator.array.rows: 8}\n"));
  REQUIRE(plan.points.size() == 3);
  REQUIRE(plan.points[1].run == plan.points[2].run);  // the same config twice
  REQUIRE(plan.points[0].run != plan.points[1].run);
  // The baseline fixes m, so all three points share one baseline run: 2 point runs + 1 baseline run.
  REQUIRE(plan.points[0].baseline_runs == plan.points[2].baseline_runs);
  REQUIRE(plan.runs.size() == 3);
  // m=8 is the base config's own value: the point with it explicitly equals a plan without the override.
  const Plan none = make_plan(parse(""));
  REQUIRE(none.points[0].run == plan.points[1].run);
  // The plan survives its JSON form.
  const Plan back = Plan::from_json(plan.to_json(), "plan.json");
  REQUIRE(back.to_json() == plan.to_json());
  REQUIRE(back.axes[0].key == "workload.sparsity.m");
}
