// `sparsim workloads ...` as a user runs it: listings, validation, and exit status 2 with a one-line error
// naming the file and layer for bad networks and damaged mask files.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace std::string_literals;
namespace fs = std::filesystem;

namespace {

struct Result {
  int status = -1;
  std::string out, err;
};

fs::path scratch() {
  static const fs::path d = [] {
    const fs::path p = fs::temp_directory_path() / ("sparsim-wlcli-" + std::to_string(::getpid()));
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
  }();
  return d;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Result run(const std::string& args, const std::string& command = "workloads") {
  const fs::path out = scratch() / "stdout", err = scratch() / "stderr";
  const std::string cmd = "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 " SPARSIM_BINARY " " + command + " " + args + " >" +
                          out.string() + " 2>" + err.string();
  const int raw = std::system(cmd.c_str());
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, read(out), read(err)};
}

std::string write(const std::string& name, const std::string& text) {
  const fs::path p = scratch() / name;
  std::ofstream(p) << text;
  return p.string();
}

}  // namespace

TEST_CASE("workloads list names every network of the library") {
  const Result r = run("list");
  REQUIRE(r.status == 0);
  for (const char* name :
       {"alexnet", "alexnet-han", "vgg16", "vgg16-han", "googlenet", "googlenet-han", "resnet18", "resnet50",
        "mobilenetv2", "bert-base", "gpt2-small", "llama7b-decoder", "lstm-1024", "lstm-2304"})
    CHECK_THAT(r.out, Catch::Contains("\n"s + name + " ") || Catch::StartsWith(name + " "s));
}

TEST_CASE("workloads show prints layers, shapes, MACs and densities") {
  const Result r = run("show googlenet-han");
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("inception_3a/5x5 ") && Catch::Contains("16x28x28 k5x5/1 -> 32") &&
                        Catch::Contains("1,582,671,872 MACs per sample"));
  const Result bad = run("show no-such-net");
  CHECK(bad.status == 2);
  CHECK_THAT(bad.err, Catch::Contains("no-such-net") && Catch::Contains("neither a built-in"));
}

TEST_CASE("workloads masks writes real masks that validate, and damage is caught with status 2") {
  const std::string net = write("small.yaml",
                                "name: small\nlayers:\n"
                                "  - {name: c1, type: conv, cin: 8, cout: 16, hw: 8, kernel: 3, pad: 1, nm: \"2:4\"}\n"
                                "  - {name: c2, type: conv, cin: 16, cout: 16, hw: 8, kernel: 3, pad: 1, "
                                "weight_density: 0.3, granularity: kernel}\n"
                                "  - {name: f, type: fc, cin: 1024, cout: 10, weight_density: 0.1}\n");
  const std::string dir = (scratch() / "masks").string();
  const Result w = run("masks " + net + " -o " + dir + " --seed 7");
  REQUIRE(w.status == 0);
  const std::string yaml = dir + "/small.yaml";
  const Result ok = run("validate " + yaml);
  CHECK(ok.status == 0);
  CHECK_THAT(ok.out, Catch::Contains("3 with mask files verified"));
  CHECK(fs::exists(dir + "/0_c1.bp.spmask"));  // the second (BP) mask of the 2:4 layer
  // SCNN runs on the files' bitmaps and its report says so.
  const std::string scnn = " --set accelerator.name=scnn --set workload.network=" + yaml +
                           " --set workload.sparsity.n=0 --set workload.sparsity.m=0 --set workload.phases=FF"
                           " --set workload.batch=1 --quiet --out ";
  const Result clean = run(scnn + dir + "/run-clean", "run");
  CHECK(clean.status == 0);
  CHECK_THAT(read(dir + "/run-clean/report.json"), Catch::Contains("\"weight_mask\": \"file " + dir + "/2_f.spmask"));

  // Flip one bitmap bit: checksum mismatch.
  const std::string mask = dir + "/2_f.spmask";
  std::string bytes = read(mask);
  bytes[bytes.size() - 10] ^= 0x04;
  std::ofstream(mask, std::ios::binary | std::ios::trunc) << bytes;
  const Result corrupt = run("validate " + yaml);
  CHECK(corrupt.status == 2);
  CHECK_THAT(corrupt.err, Catch::Contains("2_f.spmask") && Catch::Contains("layer f") && Catch::Contains("checksum"));
  // A run checks every bitmap before it simulates: the same error, status 2, and no output directory.
  const Result corrupt_run = run(scnn + dir + "/run-corrupt", "run");
  CHECK(corrupt_run.status == 2);
  CHECK_THAT(corrupt_run.err, Catch::Contains("2_f.spmask") && Catch::Contains("checksum"));
  CHECK_FALSE(fs::exists(dir + "/run-corrupt"));
  // A mask of the wrong size for its layer.
  fs::copy_file(dir + "/1_c2.spmask", mask, fs::copy_options::overwrite_existing);
  const Result size = run("validate " + yaml);
  CHECK(size.status == 2);
  CHECK_THAT(size.err, Catch::Contains("layer f") && Catch::Contains("[10, 1024]"));
  // Truncated.
  std::ofstream(mask, std::ios::binary | std::ios::trunc) << bytes.substr(0, 30);
  const Result cut = run("validate " + yaml);
  CHECK(cut.status == 2);
  CHECK_THAT(cut.err, Catch::Contains("layer f") && Catch::Contains("truncated"));
}

TEST_CASE("workloads validate: impossible shapes, densities, N > M exit 2 naming file and layer") {
  struct Case {
    const char* layer;
    const char* expect;
  };
  const Case cases[] = {
      {"{name: big, type: conv, cin: 3, cout: 8, hw: 4, kernel: 7}", ".yaml:3: layer big: kernel larger"},
      {"{name: g, type: conv, cin: 4, cout: 8, hw: 8, kernel: 3, groups: 3}", ".yaml:3: layer g: cin (4)"},
      {"{name: a, type: fc, cin: 4, cout: 4}\n  - {name: a, type: fc, cin: 4, cout: 4}",
       ".yaml:4: layer a: duplicate layer name (first at line 3)"},
      {"{name: d, type: fc, cin: 4, cout: 4, activation_density: -0.5}", "activation_density"},
      {"{name: nm, type: fc, cin: 8, cout: 8, nm: \"4:2\"}", "must not exceed"},
      {"{name: z, type: fc, cin: 0, cout: 8}", "cin"},
      {"{name: u, type: fc, cin: 4, cout: 4, sparsity: 0.5}", "unknown key"},
      {"{name: m, type: fc, cin: 4, cout: 4, mask_file: nothere.spmask}", "cannot open"},
  };
  int i = 0;
  for (const auto& c : cases) {
    INFO(c.layer);
    const std::string file = write("bad" + std::to_string(i++) + ".yaml", "name: bad\nlayers:\n  - "s + c.layer + "\n");
    const Result r = run("validate " + file);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Catch::Contains(c.expect));
    CHECK_THAT(r.err, Catch::Contains("bad" + std::to_string(i - 1)) || Catch::Contains("nothere.spmask"));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  CHECK(run("frobnicate").status == 2);
  CHECK(run("validate").status == 2);
}

TEST_CASE("workloads show/masks --profile applies a sparsity profile") {
  const Result r = run("show resnet18 --profile nm=1:4,relu=0.5");
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("1:4") && Catch::Contains("0.50"));
  const Result bad = run("show resnet18 --profile nm=4:1");
  CHECK(bad.status == 2);
  CHECK_THAT(bad.err, Catch::Contains("--profile") && Catch::Contains("nm=4:1"));
  const std::string dir = (scratch() / "lstm-masks").string();
  const Result w = run("masks lstm-1024 --profile weights=0.25,positions=uniform -o " + dir);
  REQUIRE(w.status == 0);
  // One mask per recurrent layer ([W_x W_h], 4H x (I + H)), used by every step.
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir)) files += e.path().extension() == ".spmask";
  CHECK(files == 2);
  CHECK(run("validate " + dir + "/lstm-1024.yaml").status == 0);
}
