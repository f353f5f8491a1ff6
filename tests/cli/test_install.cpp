// `cmake --install` gives a relocatable sparsim: installed to a prefix, then the prefix moved, the binary
// still finds its Python front ends (plot, import-onnx) next to itself.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <sys/wait.h>

#include "cli_runner.hpp"

TEST_CASE("install: a moved install prefix runs, plots and finds the ONNX reader") {
  namespace fs = std::filesystem;
  const auto dir = temp_dir("install");
  const std::string first = dir + "/prefix", moved = dir + "/moved";
  const std::string install =
      "cmake --install " + std::string(SPARSIM_BUILD_DIR) + " --prefix " + first + " >" + dir + "/install.log 2>&1";
  REQUIRE(std::system(install.c_str()) == 0);
  fs::rename(first, moved);
  const std::string bin = moved + "/bin/sparsim";
  REQUIRE(fs::is_regular_file(bin));
  CHECK(fs::is_regular_file(moved + "/share/sparsim/plots/plot.py"));
  CHECK(fs::is_regular_file(moved + "/share/sparsim/workloads/onnx_import.py"));
  CHECK(fs::is_regular_file(moved + "/share/sparsim/configs/sat-resnet50.yaml"));
  auto sh = [&](const std::string& cmd) {
    const std::string full =
        "cd " + dir + " && SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 " + cmd + " >" + dir + "/out.txt 2>&1";
    return std::system(full.c_str());
  };
  CHECK(sh(bin + " run --set workload.layers=fc --out " + dir + "/run") == 0);
  // plot runs the installed front end (its --help lists the kinds).
  CHECK(sh(bin + " plot --help") == 0);
  CHECK(slurp(dir + "/out.txt").find("--kind") != std::string::npos);
  CHECK(sh(bin + " plot " + dir + "/run/report.json -o " + dir + "/fig.png") == 0);
  CHECK(fs::is_regular_file(dir + "/fig-speedup.png"));  // --kind all (default): one file per kind
  // import-onnx reaches the installed reader: a file that is not ONNX fails in the reader, exit 2.
  { std::ofstream(dir + "/bad.onnx") << "not onnx"; }
  CHECK(WEXITSTATUS(sh(bin + " workloads import-onnx " + dir + "/bad.onnx -o " + dir + "/n.yaml")) == 2);
  CHECK(slurp(dir + "/out.txt").find("bad.onnx") != std::string::npos);
  CHECK(slurp(dir + "/out.txt").find(SPARSIM_SOURCE_DIR) == std::string::npos);
  // capture reaches the installed training tool (--list needs no torch).
  CHECK(fs::is_regular_file(moved + "/share/sparsim/workloads/training_capture.py"));
  CHECK(fs::is_regular_file(moved + "/share/sparsim/workloads/training_capture_torch.py"));
  CHECK(sh(bin + " workloads capture --list") == 0);
  CHECK(slurp(dir + "/out.txt").find("rigl") != std::string::npos);
}
