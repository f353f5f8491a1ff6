// SCNN runs on the network's own masks (models/scnn/operand_masks.hpp): a layer's mask file reaches the PE
// grid, so two files of equal density but different structure give different SCNN timing (and the same
// dense baselines), the functional check stays exact on them, and grouped and fc layers are cut and laid
// out as the grids read them.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>

#include "models/scnn/operand_masks.hpp"
#include "tests/scnn/harness.hpp"
#include "workloads/layer_masks.hpp"
#include "workloads/mask_file.hpp"

using namespace sparsim;
using namespace sparsim::scnn;
using namespace sparsim::scnn::test;
namespace fs = std::filesystem;

namespace {

fs::path scratch_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("sparsim-scnn-masks-" + name + "-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

// Half of a 32 x 16 x 3 x 3 conv's weights, kept either as whole filters (0-15 dense, 16-31 empty: the
// output-channel groups are badly unbalanced) or as the even input channels of every filter (balanced).
// Both keep 256 weights at every kernel position (r, s), so on dense activations they make the same
// useful products.
Mask half_mask(bool whole_filters) {
  Mask m({32, 16, 3, 3});
  for (std::int64_t i = 0; i < m.size(); ++i) {
    const std::int64_t k = i / (16 * 9), c = i / 9 % 16;
    m.set(i, whole_filters ? k < 16 : c % 2 == 0);
  }
  return m;
}

Network masked_net(const fs::path& file) {
  Layer l = conv_layer("conv", 16, 32, 14, 3, 1, 1, 0.5, 1.0);
  l.sparsity.mask_file = file.string();
  return network_of({l});
}

}  // namespace

TEST_CASE("scnn masks: a layer's mask file drives the grid and the report names it", "[scnn][masks]") {
  const fs::path dir = scratch_dir("file");
  write_mask_file((dir / "filters.spmask").string(), half_mask(true));
  write_mask_file((dir / "spread.spmask").string(), half_mask(false));
  const Network filters = masked_net(dir / "filters.spmask"), spread = masked_net(dir / "spread.spmask");
  auto a = make_sim(filters, TimingMode::Fast, true);
  auto b = make_sim(spread, TimingMode::Fast, true);
  run_all({a.get(), b.get()});
  const JobResult* sa = find_job(a->results, "conv", "scnn");
  const JobResult* sb = find_job(b->results, "conv", "scnn");
  REQUIRE(sa);
  REQUIRE(sb);
  CHECK(sa->mapping["weight_mask"] == "file " + (dir / "filters.spmask").string());
  CHECK(sb->mapping["weight_mask"] == "file " + (dir / "spread.spmask").string());
  // Exact outputs through the timed structure on both files.
  CHECK(sa->functional_pass);
  CHECK(sb->functional_pass);
  // Same density, dense activations: the same useful products...
  CHECK(counter(*sa, "scnn.mult", "multiplies") - counter(*sa, "scnn.mult", "discarded") ==
        counter(*sb, "scnn.mult", "multiplies") - counter(*sb, "scnn.mult", "discarded"));
  // ...but not the same time: the structure of the mask reaches SCNN's schedule.
  CHECK(sa->cycles != sb->cycles);
  // The dense baseline computes every weight, whatever the mask: its cycles do not move.
  CHECK(find_job(a->results, "conv", "dcnn")->cycles == find_job(b->results, "conv", "dcnn")->cycles);
  fs::remove_all(dir);
}

TEST_CASE("scnn masks: grouped conv and fc operands are the network's masks cut and laid out", "[scnn][masks]") {
  Layer grouped = conv_layer("grouped", 8, 12, 6, 3, 1, 1, 0.4, 0.6);
  grouped.groups = 4;  // 4 groups of 2 -> 3 channels
  Layer fc1 = fc("fc1", 20, 10, 3);
  fc1.sparsity.weight_density = 0.5;
  fc1.sparsity.activation_density = 0.5;
  Layer fc2 = fc("fc2", 10, 6, 3);
  fc2.sparsity.weight_density = 0.5;
  fc2.sparsity.activation_density = 0.4;
  const Network net = network_of({grouped, fc1, fc2});
  OperandMasks masks(net, 5);

  const Mask w = weight_mask(net, 0, Phase::FF, 5);  // [12, 2, 3, 3]
  for (std::int64_t g = 0; g < 4; ++g) {
    const Mask part = masks.weights(0, Phase::FF, g);
    REQUIRE(part.shape() == std::vector<std::int64_t>{3, 2, 3, 3});
    for (std::int64_t i = 0; i < part.size(); ++i) REQUIRE(part.get(i) == w.get(g * part.size() + i));
  }
  const Mask in = activation_mask(net, 0, 1, 5);  // [8, 6, 6], image 1
  const Mask part = masks.inputs(0, 1, 3);        // channels 6-7
  REQUIRE(part.shape() == std::vector<std::int64_t>{2, 6, 6});
  for (std::int64_t i = 0; i < part.size(); ++i) REQUIRE(part.get(i) == in.get(3 * part.size() + i));

  // fc: [tokens, channels] becomes the [channels, 1, tokens] plane; fc1's outputs are fc2's inputs.
  const Mask fc_in = activation_mask(net, 1, 0, 5);
  const Mask plane = masks.inputs(1, 0, 0);
  REQUIRE(plane.shape() == std::vector<std::int64_t>{20, 1, 3});
  for (std::int64_t t = 0; t < 3; ++t)
    for (std::int64_t c = 0; c < 20; ++c) REQUIRE(plane.get(c * 3 + t) == fc_in.get(t * 20 + c));
  const Mask out = masks.outputs(1, 0, 0), next_in = masks.inputs(2, 0, 0);
  REQUIRE(out.shape() == next_in.shape());
  CHECK(out == next_in);
  CHECK(out.count() == 12);  // fc2's input density 0.4 of 3 x 10
}
