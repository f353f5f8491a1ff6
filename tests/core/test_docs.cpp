// docs/config.md is generated from the parameter declarations; it must not drift from the code.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "sim/config/docs.hpp"

TEST_CASE("docs/config.md equals `sparsim config --doc`") {
  std::ifstream in(std::string(SPARSIM_SOURCE_DIR) + "/docs/config.md");
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  const std::string expected = sparsim::config_reference_markdown();
  if (text.str() != expected) FAIL("docs/config.md is stale: regenerate with `build/sparsim config --doc > docs/config.md`");
  CHECK(expected.find("`workload.sparsity.n`") != std::string::npos);
}
