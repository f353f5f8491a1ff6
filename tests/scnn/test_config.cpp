// Bad SCNN configurations are one-line errors naming the file, line and key.
#include <catch2/catch.hpp>

#include "sim/config/config.hpp"
#include "sim/errors.hpp"
#include "tests/scnn/harness.hpp"

using namespace sparsim;

TEST_CASE("scnn config: errors name file, line and key", "[scnn][config]") {
  const std::string bad_phase = "accelerator:\n  name: scnn\nworkload:\n  phases: FF,XX\n";
  REQUIRE_THROWS_WITH(Config::from_text(bad_phase, "x.yaml", {}),
                      Catch::Contains("x.yaml:4") && Catch::Contains("workload.phases"));
  const std::string bad_fifo =
      "accelerator:\n  name: scnn\n  pe:\n    f: 8\n    weight_fifo_entries: 4\nworkload:\n  phases: FF\n";
  REQUIRE_THROWS_WITH(Config::from_text(bad_fifo, "y.yaml", {}),
                      Catch::Contains("y.yaml:5") && Catch::Contains("accelerator.pe.weight_fifo_entries"));
  REQUIRE_THROWS_AS(Config::from_text(scnn::test::scnn_yaml(), "z.yaml", {"accelerator.pe.acc_banks=0"}), InputError);
  REQUIRE_NOTHROW(Config::from_text(scnn::test::scnn_yaml(), "ok.yaml", {}));
  REQUIRE_NOTHROW(Config::from_text(scnn::test::scnn_yaml(), "bp.yaml", {"workload.phases=FF,BP"}));
  REQUIRE_NOTHROW(Config::from_text(scnn::test::scnn_yaml(), "wu.yaml", {"workload.phases=FF,BP,WU"}));
}
