// End to end through the command line: a scnn config runs, prints its comparison, and bad input is a
// one-line error with exit status 2.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <string>

namespace {
struct Outcome {
  int status = -1;
  std::string output;
};
Outcome run(const std::string& args) {
  const std::string cmd = std::string("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 ") + SPARSIM_BINARY + " " + args + " 2>&1";
  Outcome o;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::array<char, 4096> buf{};
  while (fgets(buf.data(), static_cast<int>(buf.size()), p)) o.output += buf.data();
  const int st = pclose(p);
  o.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return o;
}
const std::string kConfig = std::string(SPARSIM_SOURCE_DIR) + "/configs/scnn-alexnet.yaml";
}  // namespace

TEST_CASE("scnn cli: a config runs the three variants and prints the comparison", "[scnn][cli]") {
  const Outcome o = run("run " + kConfig + " --set workload.layers=conv3,conv4 --out /tmp/sparsim-scnn-cli-test");
  INFO(o.output);
  REQUIRE(o.status == 0);
  REQUIRE(o.output.find("scnn alexnet-han (conv_layers): cycles SCNN") != std::string::npos);
  REQUIRE(o.output.find("ideal bound") != std::string::npos);
}

TEST_CASE("scnn cli: an unknown phase is refused with the key named", "[scnn][cli]") {
  const Outcome o = run("run " + kConfig + " --set workload.phases=FF,XX --out /tmp/sparsim-scnn-cli-test2");
  INFO(o.output);
  REQUIRE(o.status == 2);
  REQUIRE(o.output.find("workload.phases") != std::string::npos);
}

TEST_CASE("scnn cli: FF,BP,WU runs and prints the BP and WU comparisons", "[scnn][cli][bp][wu]") {
  const Outcome o =
      run("run " + kConfig +
          " --set workload.phases=FF,BP,WU --set workload.layers=conv3,conv4 --out /tmp/sparsim-scnn-cli-test3");
  INFO(o.output);
  REQUIRE(o.status == 0);
  REQUIRE(o.output.find("scnn alexnet-han (conv_layers): cycles SCNN") != std::string::npos);
  REQUIRE(o.output.find("scnn alexnet-han BP (all layers, sparsim extension): cycles SCNN") != std::string::npos);
  REQUIRE(o.output.find("scnn alexnet-han WU (all layers, sparsim extension): cycles SCNN") != std::string::npos);
}
