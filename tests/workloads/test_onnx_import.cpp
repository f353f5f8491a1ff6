// import-onnx on small pruned models built in code (tests/workloads/make_onnx_models.py, Debian's
// python3-onnx): layer by layer shapes from shape inference, masks in sparsim's layout, N:M detection,
// and clear errors (exit status 2) for models it cannot import.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/errors.hpp"
#include "workloads/layer_masks.hpp"
#include "workloads/library.hpp"
#include "workloads/mask_file.hpp"
#include "workloads/onnx_import.hpp"

using namespace sparsim;
namespace fs = std::filesystem;

namespace {

// Builds the models once per process into a fresh directory.
fs::path models() {
  static const fs::path dir = [] {
    const fs::path d = fs::temp_directory_path() / ("sparsim-onnx-test-" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    const std::string cmd = "/usr/bin/python3 " SPARSIM_SOURCE_DIR "/tests/workloads/make_onnx_models.py " + d.string();
    REQUIRE(std::system(cmd.c_str()) == 0);
    return d;
  }();
  return dir;
}

const Layer& layer(const Network& net, const std::string& name) {
  for (const auto& l : net.layers)
    if (l.name == name) return l;
  FAIL("no layer " << name);
  return net.layers.front();
}

// The mask file of `l` equals the pattern the model builder wrote, bit for bit.
void check_mask(const Network& net, const Layer& l, const std::string& expected_file) {
  REQUIRE(!l.sparsity.mask_file.empty());
  const Mask mask = read_mask_file(resolve_mask_path(net, l.sparsity.mask_file));
  CHECK(mask.shape() == weight_mask_shape(l));
  std::ifstream in(models() / expected_file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  REQUIRE(static_cast<std::int64_t>(bytes.size()) == (mask.size() + 7) / 8);
  std::int64_t wrong = 0;
  for (std::int64_t i = 0; i < mask.size(); ++i)
    wrong +=
        mask.get(i) != (((static_cast<unsigned char>(bytes[static_cast<std::size_t>(i / 8)]) >> (i % 8)) & 1) != 0);
  CHECK(wrong == 0);
}

int run_cli(const std::string& args) {
  const std::string cmd = "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 " SPARSIM_BINARY " " + args + " >/dev/null 2>&1";
  const int raw = std::system(cmd.c_str());
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

}  // namespace

TEST_CASE("import-onnx: a pruned CNN, shapes by inference, 2:4 and 1:4 detected, masks in layout") {
  std::ostringstream log;
  const std::string yaml = (models() / "out" / "cnn.yaml").string();
  fs::create_directories(models() / "out");
  const Network net = import_onnx((models() / "cnn.onnx").string(), yaml, log);
  REQUIRE(net.layers.size() == 3);
  const Layer& c1 = layer(net, "conv1");
  CHECK(c1.kind == LayerKind::Conv);
  CHECK((c1.cin == 16 && c1.cout == 32 && c1.h == 8 && c1.w == 8 && c1.kh == 3 && c1.stride == 1 && c1.pad == 1));
  CHECK((c1.sparsity.nm.n == 2 && c1.sparsity.nm.m == 4));
  CHECK(c1.sparsity.weight_density == Approx(1.0));
  CHECK(!c1.needs_input_gradient);  // reads the graph input
  check_mask(net, c1, "conv1.expected.bits");
  const Layer& c2 = layer(net, "conv2");
  CHECK((c2.cin == 32 && c2.cout == 32 && c2.h == 8 && c2.groups == 2 && c2.stride == 2 && c2.pad == 1));
  CHECK(c2.out_h() == 4);
  CHECK(!c2.sparsity.nm.active());  // random pruning is not taken for a pattern
  CHECK(c2.sparsity.weight_density == Approx(0.3).margin(0.03));
  CHECK(c2.needs_input_gradient);
  check_mask(net, c2, "conv2.expected.bits");
  const Layer& f = layer(net, "fc");
  CHECK((f.kind == LayerKind::FullyConnected && f.cin == 512 && f.cout == 10 && f.tokens == 1));
  CHECK((f.sparsity.nm.n == 1 && f.sparsity.nm.m == 4));
  check_mask(net, f, "fc.expected.bits");
  // The written file loads again on its own, masks verified.
  const Network again = load_network(yaml);
  check_mask_files(again, true);
  CHECK(again.macs_per_sample() == 32 * 16 * 9 * 64 + 32 * 16 * 9 * 16 + 512 * 10);
}

TEST_CASE("import-onnx: MatMul weights transposed to [out, in], 2:8 detected, activation matmuls") {
  std::ostringstream log;
  fs::create_directories(models() / "out");
  const Network net =
      import_onnx((models() / "attention.onnx").string(), (models() / "out" / "att.yaml").string(), log);
  REQUIRE(net.layers.size() == 3);
  const Layer& q = layer(net, "q_proj");
  CHECK((q.kind == LayerKind::FullyConnected && q.cin == 16 && q.cout == 24 && q.tokens == 6));
  CHECK((q.sparsity.nm.n == 2 && q.sparsity.nm.m == 8));
  check_mask(net, q, "q_proj.expected.bits");
  const Layer& s = layer(net, "scores");
  CHECK((s.kind == LayerKind::MatMul && s.m == 6 && s.k == 12 && s.n == 6 && s.count == 2));
  const Layer& o = layer(net, "out_proj");
  CHECK((o.cin == 24 && o.cout == 12 && o.tokens == 6));
  CHECK(o.sparsity.mask_file.empty());  // dense weights need no mask
  CHECK(o.sparsity.weight_density == 1.0);
}

TEST_CASE("import-onnx: unsupported, corrupt and missing models are errors naming the model and node") {
  std::ostringstream log;
  const std::string out = (models() / "out" / "x.yaml").string();
  fs::create_directories(models() / "out");
  CHECK_THROWS_WITH(
      import_onnx((models() / "dilated.onnx").string(), out, log),
      Catch::Contains("dilated.onnx") && Catch::Contains("node dilated_conv") && Catch::Contains("dilat"));
  CHECK_THROWS_WITH(import_onnx((models() / "corrupt.onnx").string(), out, log),
                    Catch::Contains("corrupt.onnx") && Catch::Contains("cannot read ONNX model"));
  CHECK_THROWS_WITH(import_onnx((models() / "missing.onnx").string(), out, log), Catch::Contains("missing.onnx"));
  CHECK(run_cli("workloads import-onnx " + (models() / "dilated.onnx").string() + " -o " + out) == 2);
  CHECK(run_cli("workloads import-onnx " + (models() / "cnn.onnx").string()) == 2);  // no -o
  CHECK(run_cli("workloads import-onnx " + (models() / "cnn.onnx").string() + " -o " + out) == 0);
}
