// Every network of the library runs through the SAT-style model from the command line, and the trace
// arrives whole: the FF rows of layers.csv add up to the network's MACs for the batch.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "workloads/library.hpp"

namespace fs = std::filesystem;
using namespace sparsim;

namespace {

// Sums the dense_macs column of the FF rows of a layers.csv.
double ff_macs(const fs::path& csv) {
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  REQUIRE(line.rfind("layer_index,layer,phase,dense_macs,", 0) == 0);
  double sum = 0;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string index, layer, phase, macs;
    std::getline(ss, index, ',');
    std::getline(ss, layer, ',');
    std::getline(ss, phase, ',');
    std::getline(ss, macs, ',');
    if (phase == "FF") sum += std::stod(macs);
  }
  return sum;
}

}  // namespace

TEST_CASE("every library network runs through the SAT model: sparsim run --workload NAME") {
  // llama7b-decoder itself (32 layers) takes about two minutes here; its one-layer slice stands in.
  const char* names[] = {"alexnet",       "alexnet-han",   "vgg16",     "vgg16-han",   "googlenet",
                         "googlenet-han", "resnet18",      "resnet50",  "mobilenetv2", "bert-base",
                         "gpt2-small",    "llama7b-layer", "lstm-1024", "lstm-2304"};
  const fs::path dir = fs::temp_directory_path() / ("sparsim-satruns-" + std::to_string(::getpid()));
  for (const char* name : names) {
    INFO(name);
    const fs::path out = dir / name;
    const std::string cmd = "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 " SPARSIM_BINARY " run --workload " +
                            std::string(name) + " --set workload.batch=2 --out " + out.string() + " >" +
                            (dir.string() + "-log") + " 2>&1";
    fs::create_directories(dir);
    const int raw = std::system(cmd.c_str());
    REQUIRE(WIFEXITED(raw));
    CHECK(WEXITSTATUS(raw) == 0);
    const double want = 2.0 * static_cast<double>(load_network(name).macs_per_sample());
    CHECK(ff_macs(out / "layers.csv") == Approx(want).epsilon(1e-9));
  }
  fs::remove_all(dir);
}
