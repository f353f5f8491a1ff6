// Coarse-grained pruning on SCNN (Mao et al. 2017): the compressed weight format of each granularity
// against closed forms on a hand-checked 4 x 2 x 3 x 3 layer, and a run where coarse weights cost fewer
// index bits than fine ones at equal density.
#include <catch2/catch.hpp>

#include "models/scnn/weight_format.hpp"
#include "tests/scnn/harness.hpp"

using namespace sparsim;
using namespace sparsim::scnn;

namespace {

// K = 4 output channels, C = 2 input channels, 3 x 3 kernels; one output-channel group of all four.
LayerData layer_4x2x3x3() {
  LayerData d;
  d.shape.K = 4;
  d.shape.C = 2;
  d.shape.R = 3;
  d.shape.S = 3;
  d.shape.H = d.shape.W = 5;
  d.weights = Mask({4, 2, 3, 3});
  return d;
}

void keep_row(LayerData& d, std::int64_t k, std::int64_t c, std::int64_t r) {
  for (std::int64_t q = 0; q < 3; ++q) d.weights.set(d.widx(k, c, r, q), true);
}
void keep_kernel(LayerData& d, std::int64_t k, std::int64_t c) {
  for (std::int64_t r = 0; r < 3; ++r) keep_row(d, k, c, r);
}
void keep_filter(LayerData& d, std::int64_t k) {
  for (std::int64_t c = 0; c < 2; ++c) keep_kernel(d, k, c);
}

WeightFormatBits format_as(LayerData d, Granularity g) {
  d.weight_granularity = g;
  return group_weight_format(d, 0, 4, GridSpec{});
}

}  // namespace

TEST_CASE("scnn granularity: block sizes and position widths", "[scnn][granularity]") {
  const LayerData d = layer_4x2x3x3();
  REQUIRE(block_size(Granularity::Element, d.shape) == 1);
  REQUIRE(block_size(Granularity::Vector, d.shape) == 3);
  REQUIRE(block_size(Granularity::Kernel, d.shape) == 9);
  REQUIRE(block_size(Granularity::Filter, d.shape) == 18);
  REQUIRE(position_bits(1) == 1);
  REQUIRE(position_bits(2) == 1);
  REQUIRE(position_bits(4) == 2);
  REQUIRE(position_bits(5) == 3);
  REQUIRE(position_bits(12) == 4);
  REQUIRE(position_bits(16) == 4);
  REQUIRE(position_bits(17) == 5);
}

TEST_CASE("scnn granularity: vector format of three kept rows against the closed form", "[scnn][granularity]") {
  LayerData d = layer_4x2x3x3();
  keep_row(d, 0, 0, 0);
  keep_row(d, 1, 0, 2);
  keep_row(d, 3, 1, 1);
  REQUIRE(weight_format_granularity(d.weights, d.shape, Granularity::Vector) == Granularity::Vector);
  // Rows are not whole kernels or filters: those formats cannot encode the mask.
  REQUIRE(weight_format_granularity(d.weights, d.shape, Granularity::Kernel) == Granularity::Element);
  REQUIRE(weight_format_granularity(d.weights, d.shape, Granularity::Filter) == Granularity::Element);
  // Vector: kn x R = 12 row positions per channel stream -> 4 index bits per kept row, S = 3 values.
  const WeightFormatBits v = format_as(d, Granularity::Vector);
  CHECK(v.entries == 3);
  CHECK(v.value_bits == 3 * 3 * 16);
  CHECK(v.index_bits == 3 * 4);
  CHECK(v.bytes == (2 * 52 + 7) / 8 + (52 + 7) / 8);  // channel 0: two rows, channel 1: one row
  // Fine (SCNN's format) of the same mask: stream positions (r * S + q) * kn + k.
  // Channel 0: 0, 4, 8 (row k0 r0) then 25, 29, 33 (row k1 r2): runs 0, 3, 3, 16, 3, 3; the run of 16 needs a
  // placeholder -> 7 entries. Channel 1: 15, 19, 23 (row k3 r1): runs 15, 3, 3 -> 3 entries.
  const WeightFormatBits e = format_as(d, Granularity::Element);
  CHECK(e.entries == 10);
  CHECK(e.value_bits == 10 * 16);
  CHECK(e.index_bits == 10 * 4);
  CHECK(e.bytes == (7 * 20 + 7) / 8 + (3 * 20 + 7) / 8);
}

TEST_CASE("scnn granularity: kernel format of three kept kernels against the closed form", "[scnn][granularity]") {
  LayerData d = layer_4x2x3x3();
  keep_kernel(d, 0, 0);
  keep_kernel(d, 2, 1);
  keep_kernel(d, 3, 1);
  REQUIRE(weight_format_granularity(d.weights, d.shape, Granularity::Kernel) == Granularity::Kernel);
  REQUIRE(weight_format_granularity(d.weights, d.shape, Granularity::Vector) == Granularity::Vector);
  // kn = 4 kernel positions per stream -> 2 index bits per kept kernel, R x S = 9 values.
  const WeightFormatBits k = format_as(d, Granularity::Kernel);
  CHECK(k.entries == 3);
  CHECK(k.value_bits == 3 * 9 * 16);
  CHECK(k.index_bits == 3 * 2);
  CHECK(k.bytes == (9 * 16 + 2 + 7) / 8 + (2 * (9 * 16 + 2) + 7) / 8);
  // The same mask as rows: 9 kept rows of 4 bits each.
  const WeightFormatBits v = format_as(d, Granularity::Vector);
  CHECK(v.value_bits == k.value_bits);
  CHECK(v.index_bits == 9 * 4);
}

TEST_CASE("scnn granularity: filter format sends the kept-filter list once per group", "[scnn][granularity]") {
  LayerData d = layer_4x2x3x3();
  keep_filter(d, 1);
  keep_filter(d, 2);
  REQUIRE(weight_format_granularity(d.weights, d.shape, Granularity::Filter) == Granularity::Filter);
  const WeightFormatBits f = format_as(d, Granularity::Filter);
  const WeightFormatBits k = format_as(d, Granularity::Kernel);
  const WeightFormatBits v = format_as(d, Granularity::Vector);
  const WeightFormatBits e = format_as(d, Granularity::Element);
  // Equal values in every coarse format: 36 non-zeros of 16 bits.
  CHECK(f.value_bits == 36 * 16);
  CHECK(k.value_bits == 36 * 16);
  CHECK(v.value_bits == 36 * 16);
  // Index bits shrink with the block: filter 2 x 2 bits once; kernel 4 kept kernels x 2 bits; vector 12 kept
  // rows x 4 bits; element: per channel positions 1,2,5,6,... runs of 1, 0, 2, 0, ... -> 18 entries of 4 bits.
  CHECK(f.index_bits == 2 * 2);
  CHECK(k.index_bits == 4 * 2);
  CHECK(v.index_bits == 12 * 4);
  CHECK(e.entries == 36);
  CHECK(e.index_bits == 36 * 4);
  CHECK(e.value_bits == 36 * 16);
  CHECK(f.index_bits < k.index_bits);
  CHECK(k.index_bits < v.index_bits);
  CHECK(v.index_bits < e.index_bits);
}

TEST_CASE("scnn granularity: a one-weight block (1 x 1 kernels) and a broken block stay fine-grained",
          "[scnn][granularity]") {
  LayerData d;
  d.shape.K = 4;
  d.shape.C = 2;
  d.weights = Mask({4, 2, 1, 1});
  d.weights.set(2, true);  // filter 1 (C = 2 weights)
  d.weights.set(3, true);
  REQUIRE(weight_format_granularity(d.weights, d.shape, Granularity::Vector) == Granularity::Element);
  REQUIRE(weight_format_granularity(d.weights, d.shape, Granularity::Kernel) == Granularity::Element);
  REQUIRE(weight_format_granularity(d.weights, d.shape, Granularity::Filter) == Granularity::Filter);
  LayerData e = layer_4x2x3x3();
  keep_row(e, 0, 0, 0);
  e.weights.set(e.widx(0, 0, 0, 2), false);
  REQUIRE(weight_format_granularity(e.weights, e.shape, Granularity::Vector) == Granularity::Element);
}

TEST_CASE("scnn granularity: a run at equal density moves fewer weight index bits coarse than fine",
          "[scnn][granularity]") {
  using namespace sparsim::scnn::test;
  Layer fine = conv_layer("c", 32, 64, 14, 3, 1, 1, 0.4, 0.5);
  Layer vec = fine;
  vec.sparsity.granularity = Granularity::Vector;
  Layer ker = fine;
  ker.sparsity.granularity = Granularity::Kernel;
  auto a = make_sim(network_of({fine}, "fine"), TimingMode::Fast, false);
  auto b = make_sim(network_of({vec}, "vector"), TimingMode::Fast, false);
  auto c = make_sim(network_of({ker}, "kernel"), TimingMode::Fast, false);
  run_all({a.get(), b.get(), c.get()});
  const JobResult& jf = *find_job(a->results, "c", "scnn");
  const JobResult& jv = *find_job(b->results, "c", "scnn");
  const JobResult& jk = *find_job(c->results, "c", "scnn");
  const auto idx = [](const JobResult& j) { return counter(j, "scnn.dram", "weight_index_bits"); };
  const auto val = [](const JobResult& j) { return counter(j, "scnn.dram", "weight_value_bits"); };
  // Fine: every entry one value and one 4-bit index.
  REQUIRE(idx(jf) > 0);
  REQUIRE(val(jf) == idx(jf) * 4);
  // Coarse at the same density: the same number of weights (values without placeholders), far fewer index bits.
  // 0.4 of the 64 x 32 x 3 rows kept (2458 rows of 3 weights), streamed once per row chunk of the mapping.
  const std::uint64_t row_bits = 2458 * 3 * 16;
  REQUIRE(val(jv) > 0);
  CHECK(val(jv) % row_bits == 0);
  // Vector rows of 3 with position indices of ceil(log2(kn x 3)) bits: under the fine format's 4 bits a weight.
  CHECK(idx(jv) < idx(jf));
  CHECK(idx(jk) < idx(jv));
  CHECK(counter(jv, "scnn.dram", "weight_bytes") < counter(jf, "scnn.dram", "weight_bytes"));
  CHECK(counter(jk, "scnn.dram", "weight_bytes") < counter(jv, "scnn.dram", "weight_bytes"));
  CHECK(counter(jv, "scnn.wfifo", "read_bytes") < counter(jf, "scnn.wfifo", "read_bytes"));
  // The dense baseline reads every weight, index-free, whatever the granularity.
  const JobResult& df = *find_job(a->results, "c", "dcnn");
  const JobResult& dv = *find_job(b->results, "c", "dcnn");
  CHECK(counter(df, "dcnn.dram", "weight_index_bits") == 0);
  CHECK(counter(df, "dcnn.dram", "weight_bytes") == counter(dv, "dcnn.dram", "weight_bytes"));
  CHECK(counter(df, "dcnn.dram", "weight_value_bits") == counter(df, "dcnn.dram", "weight_bytes") * 8);
}

TEST_CASE("scnn granularity: BP streams the transposed weights in the kernel and vector formats too",
          "[scnn][granularity][bp]") {
  using namespace sparsim::scnn::test;
  // Two layers so the second has a BP job; the same density at each granularity.
  const auto net = [](Granularity g, const std::string& name) {
    Layer a = conv_layer("a", 8, 32, 14, 3, 1, 1, 1.0, 1.0);
    Layer b = conv_layer("b", 32, 48, 14, 3, 1, 1, 0.4, 0.5);
    b.sparsity.granularity = g;
    return network_of({a, b}, name);
  };
  auto fine = make_sim(net(Granularity::Element, "fine"), TimingMode::Fast, true, {}, 1, {Phase::FF, Phase::BP});
  auto vec = make_sim(net(Granularity::Vector, "vector"), TimingMode::Fast, true, {}, 1, {Phase::FF, Phase::BP});
  auto ker = make_sim(net(Granularity::Kernel, "kernel"), TimingMode::Fast, true, {}, 1, {Phase::FF, Phase::BP});
  auto fil = make_sim(net(Granularity::Filter, "filter"), TimingMode::Fast, true, {}, 1, {Phase::FF, Phase::BP});
  run_all({fine.get(), vec.get(), ker.get(), fil.get()});
  const auto bp = [](const Sim& s) -> const JobResult& {
    for (const JobResult& j : s.results.jobs)
      if (j.layer == "b" && j.variant == "scnn" && j.phase == Phase::BP) return j;
    FAIL("no BP job");
    return s.results.jobs.front();
  };
  const auto idx = [](const JobResult& j) { return counter(j, "scnn.dram", "weight_index_bits"); };
  for (const Sim* s : {fine.get(), vec.get(), ker.get(), fil.get()}) {
    INFO(s->step.network.name);
    REQUIRE(bp(*s).functional_checked);
    REQUIRE(bp(*s).functional_pass);  // the formats change bits moved, not values
  }
  INFO("BP index bits: fine " << idx(bp(*fine)) << " vector " << idx(bp(*vec)) << " kernel " << idx(bp(*ker))
                              << " filter " << idx(bp(*fil)));
  CHECK(idx(bp(*vec)) < idx(bp(*fine)));
  CHECK(idx(bp(*ker)) < idx(bp(*vec)));
  // A pruned filter is a pruned input channel in BP: SCNN's own format, whose streams of those channels are
  // empty (no index per weight of them).
  CHECK(idx(bp(*fil)) > 0);
  CHECK(counter(bp(*ker), "scnn.dram", "weight_bytes") < counter(bp(*fine), "scnn.dram", "weight_bytes"));
}
