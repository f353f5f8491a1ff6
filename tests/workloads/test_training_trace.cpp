// Training traces (workloads/training_trace.hpp): the shipped capture loads with what it recorded, its
// masks are real N:M masks of the layers' shapes, and every kind of damage is one InputError naming the
// file, the line and the key -- through the loader and through `sparsim workloads validate` (exit 2).
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/errors.hpp"
#include "workloads/layer_masks.hpp"
#include "workloads/mask_file.hpp"
#include "workloads/training_trace.hpp"

using namespace sparsim;
namespace fs = std::filesystem;

namespace {

const fs::path kShipped = fs::path(SPARSIM_SOURCE_DIR) / "workloads" / "traces" / "cnn-nm";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void spit(const fs::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << s;
}

// A fresh copy of the shipped trace to damage.
fs::path copy_trace(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("sparsim-trace-" + std::to_string(::getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir.parent_path());
  fs::copy(kShipped, dir, fs::copy_options::recursive);
  return dir;
}

// Replaces the first occurrence of `from` in the file (which must hold it).
void edit(const fs::path& file, const std::string& from, const std::string& to) {
  std::string text = slurp(file);
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  spit(file, text);
}

std::string load_error(const fs::path& dir) {
  try {
    load_training_trace(dir.string());
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

int line_of(const fs::path& file, const std::string& text) {
  std::istringstream in(slurp(file));
  std::string line;
  for (int n = 1; std::getline(in, line); ++n)
    if (line.find(text) != std::string::npos) return n;
  return -1;
}

struct Result {
  int status = -1;
  std::string out, err;
};
Result validate(const fs::path& dir) {
  // (outputs in the scratch directory, never next to the shipped trace in the source tree)
  const fs::path scratch = fs::temp_directory_path() / ("sparsim-trace-" + std::to_string(::getpid()));
  fs::create_directories(scratch);
  const fs::path out = scratch / (dir.filename().string() + ".out"), err = scratch / (dir.filename().string() + ".err");
  const std::string cmd = "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 " SPARSIM_BINARY " workloads validate '" + dir.string() +
                          "' >" + out.string() + " 2>" + err.string();
  const int raw = std::system(cmd.c_str());
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(out), slurp(err)};
}

}  // namespace

TEST_CASE("the shipped cnn nm trace loads with its records and densities and N:M masks") {
  const TrainingTrace t = load_training_trace(kShipped.string());
  CHECK(t.model == "cnn");
  CHECK(t.method == "nm");
  CHECK(t.seed == 1);
  CHECK(t.steps == 40);
  CHECK(t.record_every == 10);
  CHECK(t.versions.count("torch") == 1);
  REQUIRE(t.network.layers.size() == 4);
  CHECK(t.network.layers[1].name == "conv2");
  CHECK(t.network.layers[1].sparsity.nm.n == 2);
  CHECK(t.network.layers[1].sparsity.nm.m == 4);
  REQUIRE(t.records.size() == 5);
  const std::vector<std::int64_t> steps = {0, 10, 20, 30, 39};
  for (std::size_t r = 0; r < t.records.size(); ++r) {
    const TraceRecord& rec = t.records[r];
    CHECK(rec.step == steps[r]);
    CHECK(rec.phase == "train");
    REQUIRE(rec.layers.size() == 4);
    for (std::size_t i = 0; i < 4; ++i) {
      const TraceLayerSample& s = rec.layers[i];
      CHECK(s.layer == t.network.layers[i].name);
      CHECK(s.activation_density > 0.0);
      CHECK(s.activation_density <= 1.0);
      CHECK(s.gradient_density > 0.0);
      if (!t.network.layers[i].sparsity.prunable) {
        CHECK(s.mask.empty());  // conv1 and the classifier stay dense
        CHECK(s.weight_density == 1.0);
        continue;
      }
      // SR-STE's two masks of bidirectional pruning: 2:4 along Cin (FF) and along Cout (BP)
      CHECK(s.weight_density == 0.5);
      REQUIRE(!s.mask.empty());
      REQUIRE(!s.mask_bp.empty());
      const Mask ff = read_mask_file(s.mask), bp = read_mask_file(s.mask_bp);
      CHECK(ff.shape() == weight_mask_shape(t.network.layers[i]));
      CHECK(masks::satisfies_nm(ff, {2, 4}, 1));
      CHECK(masks::detect_nm(ff, 1).n == 2);
      CHECK(masks::satisfies_nm(bp, {2, 4}, 0));
      CHECK(!(ff == bp));
      // the Python writer's bytes are exactly write_mask_file's
      const fs::path again = fs::temp_directory_path() / ("sparsim-trace-rewrite-" + std::to_string(::getpid()));
      write_mask_file(again.string(), ff);
      CHECK(slurp(again) == slurp(s.mask));
      fs::remove(again);
      if (r == 0) CHECK(s.mask_change == 0.0);
    }
  }
  // conv2 reads conv1's ReLU output (real zeros), and SR-STE moved the masks during training
  CHECK(t.records[1].layers[1].activation_density < 0.9);
  CHECK(t.records.back().layers[2].mask_change > 0.0);
  CHECK(verify_training_trace_masks(t) == 5 * 4);  // conv2 and fc1, FF and BP, at each of 5 records
}

TEST_CASE("the shipped trace validates through sparsim workloads validate") {
  const Result r = validate(kShipped);
  CHECK(r.status == 0);
  CHECK(r.out.find("method nm") != std::string::npos);
  CHECK(r.out.find("valid: 5 records of 4 layers, 20 mask files verified") != std::string::npos);
  // one line per record: the last one, step 39, with two masked layers (conv2, fc1) at a mean of 0.75
  CHECK(r.out.find("records, means over the layers:") != std::string::npos);
  CHECK(r.out.find("  39  train    0.75") != std::string::npos);
}

TEST_CASE("corrupt densities csv rows are errors naming file line and column") {
  SECTION("a row with a missing field") {
    const fs::path d = copy_trace("short-row");
    edit(d / "densities.csv", "10,fc1,train,0.500000,", "10,fc1,train,");
    const int line = line_of(d / "densities.csv", "10,fc1,train,");
    CHECK_THAT(load_error(d),
               Catch::Contains("densities.csv:" + std::to_string(line) + ": 8 fields where a row has 9"));
  }
  SECTION("a density above 1") {
    const fs::path d = copy_trace("bad-density");
    edit(d / "densities.csv", "20,conv1,train,1.000000,0.", "20,conv1,train,1.000000,1.");
    const int line = line_of(d / "densities.csv", "20,conv1,");
    CHECK_THAT(load_error(d), Catch::Contains("densities.csv:" + std::to_string(line) +
                                              ": activation_density: must be in [0, 1], got 1."));
  }
  SECTION("a density that is not a number") {
    const fs::path d = copy_trace("nan-density");
    edit(d / "densities.csv", ",0.000000,masks/0/fc1.spmask", ",zero,masks/0/fc1.spmask");
    CHECK_THAT(load_error(d), Catch::Contains("mask_change: expected a number, got 'zero'"));
  }
  SECTION("an unknown layer") {
    const fs::path d = copy_trace("unknown-layer");
    edit(d / "densities.csv", "0,fc2,", "0,fc9,");
    CHECK_THAT(load_error(d), Catch::Contains("densities.csv:5: layer: unknown layer 'fc9'"));
  }
  SECTION("an incomplete record") {
    const fs::path d = copy_trace("incomplete");
    std::string text = slurp(d / "densities.csv");
    const auto from = text.find("\n10,fc1,");
    text.erase(from, text.find('\n', from + 1) - from);
    spit(d / "densities.csv", text);
    CHECK_THAT(load_error(d), Catch::Contains("record of step 10 is incomplete: layer 'fc1' is missing"));
  }
  SECTION("a last record cut short") {
    const fs::path d = copy_trace("cut");
    std::string text = slurp(d / "densities.csv");
    text.erase(text.rfind("\n39,fc2,") + 1);
    spit(d / "densities.csv", text);
    CHECK_THAT(load_error(d), Catch::Contains("record of step 39 is incomplete: layer 'fc2' is missing"));
  }
  SECTION("steps that do not increase") {
    const fs::path d = copy_trace("steps");
    std::string text = slurp(d / "densities.csv");
    for (std::string layer : {"conv1", "conv2", "fc1", "fc2"}) {
      const auto at = text.find("\n20," + layer + ",");
      text.replace(at, 4, "\n05,");
    }
    spit(d / "densities.csv", text);
    CHECK_THAT(load_error(d), Catch::Contains("step: steps must increase from record to record: 5 after 10"));
  }
  SECTION("a weight density that disagrees with the mask") {
    const fs::path d = copy_trace("density-vs-mask");
    edit(d / "densities.csv", "30,conv2,train,0.500000", "30,conv2,train,0.400000");
    CHECK_THAT(load_error(d), Catch::Contains("weight_density: 0.400000 but masks/30/conv2.spmask has density 0.5"));
  }
  SECTION("a wrong header") {
    const fs::path d = copy_trace("header");
    edit(d / "densities.csv", "mask_change,", "mask_changes,");
    CHECK_THAT(load_error(d), Catch::Contains("densities.csv:1: header: expected the columns step,layer"));
  }
}

TEST_CASE("missing wrong-shaped and damaged mask files are errors naming the row and the file") {
  SECTION("missing") {
    const fs::path d = copy_trace("missing-mask");
    fs::remove(d / "masks" / "20" / "fc1.bp.spmask");
    const int line = line_of(d / "densities.csv", "masks/20/fc1.bp.spmask");
    CHECK_THAT(load_error(d), Catch::Contains("densities.csv:" + std::to_string(line) + ": mask_bp: mask file ") &&
                                  Catch::Contains("masks/20/fc1.bp.spmask is missing"));
  }
  SECTION("wrong shape") {
    const fs::path d = copy_trace("wrong-shape");
    fs::copy_file(d / "masks" / "10" / "conv2.spmask", d / "masks" / "10" / "fc1.spmask",
                  fs::copy_options::overwrite_existing);
    CHECK_THAT(load_error(d), Catch::Contains(": mask: masks/10/fc1.spmask has shape [16, 8, 3, 3] where layer fc1 "
                                              "needs [32, 256]"));
  }
  SECTION("truncated") {
    const fs::path d = copy_trace("truncated");
    const fs::path f = d / "masks" / "30" / "conv2.spmask";
    const std::string bytes = slurp(f);
    spit(f, bytes.substr(0, bytes.size() - 9));
    CHECK_THAT(load_error(d), Catch::Contains("layer conv2: truncated mask file"));
    const Result r = validate(d);
    CHECK(r.status == 2);
    CHECK(r.err.find("truncated mask file") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  SECTION("a flipped bit fails the checksum at validation") {
    const fs::path d = copy_trace("flipped");
    const fs::path f = d / "masks" / "0" / "fc1.spmask";
    std::string bytes = slurp(f);
    bytes[bytes.size() - 3] = static_cast<char>(bytes[bytes.size() - 3] ^ 0x10);
    spit(f, bytes);
    const TrainingTrace t = load_training_trace(d.string());  // headers alone do not see it
    CHECK_THROWS_WITH(verify_training_trace_masks(t), Catch::Contains("fc1.spmask: layer fc1: corrupt mask file"));
    const Result r = validate(d);
    CHECK(r.status == 2);
    CHECK(r.err.find("fc1.spmask") != std::string::npos);
  }
  SECTION("a path leaving the trace") {
    const fs::path d = copy_trace("escape");
    edit(d / "densities.csv", "masks/0/conv2.spmask", "../cnn-nm/masks/0/conv2.spmask");
    CHECK_THAT(load_error(d), Catch::Contains("densities.csv:3: mask: '../cnn-nm/masks/0/conv2.spmask' must stay "
                                              "inside the trace directory"));
  }
}

TEST_CASE("trace yaml keys and types are checked with file line and key") {
  SECTION("unknown key") {
    const fs::path d = copy_trace("unknown-key");
    edit(d / "trace.yaml", "batch: 32", "batch: 32\nlearning: fast");
    CHECK_THAT(load_error(d), Catch::Contains("trace.yaml:11: learning: unknown key"));
  }
  SECTION("seed that is not an integer") {
    const fs::path d = copy_trace("seed");
    edit(d / "trace.yaml", "seed: 1", "seed: one");
    CHECK_THAT(load_error(d), Catch::Contains("trace.yaml:6: seed: expected an integer, got 'one'"));
  }
  SECTION("unsupported version") {
    const fs::path d = copy_trace("version");
    edit(d / "trace.yaml", "version: 1", "version: 2");
    CHECK_THAT(load_error(d), Catch::Contains("trace.yaml:3: version: unsupported trace version 2"));
  }
  SECTION("unknown method") {
    const fs::path d = copy_trace("method");
    edit(d / "trace.yaml", "method: nm", "method: lottery");
    CHECK_THAT(load_error(d), Catch::Contains("method: unknown method 'lottery'"));
  }
  SECTION("missing torch version") {
    const fs::path d = copy_trace("versions");
    edit(d / "trace.yaml", ", torch: ", ", pytorch: ");
    CHECK_THAT(load_error(d), Catch::Contains("versions.torch: missing"));
  }
  SECTION("record count that disagrees with the csv") {
    const fs::path d = copy_trace("records");
    edit(d / "trace.yaml", "records: 5", "records: 6");
    CHECK_THAT(load_error(d), Catch::Contains("trace.yaml:9: records: 6 but "));
  }
  SECTION("a network that does not parse") {
    const fs::path d = copy_trace("network");
    edit(d / "trace.yaml", "cin: 256, cout: 32", "cin: 256, cout: -32");
    CHECK_THAT(load_error(d), Catch::Contains("trace.yaml:21: layer fc1.cout: must be at least 1, got -32"));
  }
  SECTION("a row step beyond the trace's steps") {
    const fs::path d = copy_trace("steps-beyond");
    edit(d / "trace.yaml", "steps: 40", "steps: 39");
    CHECK_THAT(load_error(d), Catch::Contains("step: 39 is not below the trace's steps (39)"));
  }
  SECTION("a directory without trace.yaml") {
    const fs::path d = copy_trace("no-yaml");
    fs::remove(d / "trace.yaml");
    const Result r = validate(d);
    CHECK(r.status == 2);
    CHECK(r.err.find("trace.yaml: cannot read the trace") != std::string::npos);
  }
  SECTION("exit status 2 and one line through the command") {
    const fs::path d = copy_trace("cli");
    edit(d / "trace.yaml", "seed: 1", "seed: -4");
    const Result r = validate(d);
    CHECK(r.status == 2);
    CHECK(r.err.find("trace.yaml:6: seed: must be at least 0, got -4") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
}
