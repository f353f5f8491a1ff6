// The built-in networks against published layer counts, parameter counts and MAC totals. Our counts are
// GEMM weights only: biases, batch-norm/layer-norm parameters and (unless a test adds them back from the
// architecture's own sizes) embeddings are excluded, so the tolerances below cover those small extras.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "workloads/library.hpp"

using namespace sparsim;

namespace {

double rel(double got, double want) { return std::abs(got - want) / want; }

std::size_t count_if_name(const Network& net, const std::string& part, bool with) {
  std::size_t n = 0;
  for (const auto& l : net.layers) n += (l.name.find(part) != std::string::npos) == with;
  return n;
}

}  // namespace

TEST_CASE("alexnet: 8 layers, 61 M weights, 0.72 G MACs (Krizhevsky et al. 2012)") {
  const Network net = load_network("alexnet");
  CHECK(net.layers.size() == 8);
  CHECK(rel(net.weight_count(), 61.0e6) < 0.01);  // 60.97 M in Caffe with 10 k biases
  CHECK(rel(net.macs_per_sample(), 0.724e9) < 0.01);
}

TEST_CASE("alexnet-han: pruned to 6.7 M weights (Han et al. 2015, 9x)") {
  const Network net = load_network("alexnet-han");
  double kept = 0;
  for (const auto& l : net.layers) kept += l.weight_count() * l.sparsity.weight_density;
  CHECK(rel(kept, 6.7e6) < 0.02);  // the per-layer densities are rounded to whole percent
  CHECK(net.layers[1].sparsity.activation_density == Approx(0.88));
}

TEST_CASE("vgg16: 16 layers, 138 M weights, 15.5 G MACs") {
  const Network net = load_network("vgg16");
  CHECK(net.layers.size() == 16);
  CHECK(rel(net.weight_count(), 138.36e6) < 0.01);
  CHECK(rel(net.macs_per_sample(), 15.47e9) < 0.01);
  const Network han = load_network("vgg16-han");
  double kept = 0;
  for (const auto& l : han.layers) kept += l.weight_count() * l.sparsity.weight_density;
  CHECK(rel(net.weight_count() / kept, 13.0) < 0.05);  // "13x fewer weights"
}

TEST_CASE("googlenet: 57 convs + fc, 6.8 M weights, 1.5 G MACs (Szegedy et al. 2015, Table 1)") {
  const Network net = load_network("googlenet");
  CHECK(net.layers.size() == 3 + 9 * 6 + 1);
  CHECK(count_if_name(net, "/5x5_reduce", true) == 9);
  CHECK(count_if_name(net, "/pool_proj", true) == 9);
  // Table 1's params column is in units of 1024 (conv2: 112K = 114688) and sums to 6797.7K, the "6.8M";
  // its ops column (units of 10^6, conv1: 118M) sums to 1586M, the "1.5G".
  CHECK(rel(net.weight_count(), 6797.7 * 1024) < 0.01);
  CHECK(rel(net.macs_per_sample(), 1586e6) < 0.01);
  std::int64_t w3a = 0, w5b = 0;
  for (const auto& l : net.layers) {
    if (l.name.rfind("inception_3a/", 0) == 0) w3a += l.weight_count();
    if (l.name.rfind("inception_5b/", 0) == 0) w5b += l.weight_count();
  }
  CHECK(rel(w3a, 159.0 * 1024) < 0.01);
  CHECK(rel(w5b, 1388.0 * 1024) < 0.02);  // Table 1 lists 1388K; its own shapes give 1409K
}

TEST_CASE("googlenet-han: listed modules exact, interpolated modules between them") {
  const Network net = load_network("googlenet-han");
  auto find = [&](const std::string& name) -> const Layer& {
    for (const auto& l : net.layers)
      if (l.name == name) return l;
    FAIL("no layer " << name);
    return net.layers[0];
  };
  CHECK(find("inception_3a/5x5").sparsity.activation_density == Approx(.77));
  CHECK(find("inception_5b/pool_proj").sparsity.activation_density == Approx(.57));
  const double w4c = find("inception_4c/1x1").sparsity.weight_density;
  CHECK(w4c < .38);
  CHECK(w4c > .32);
}

TEST_CASE("resnet18: 18 weight layers (+3 projections), 11.7 M weights, 1.82 G MACs") {
  const Network net = load_network("resnet18");
  CHECK(count_if_name(net, "downsample", false) == 18);
  CHECK(count_if_name(net, "downsample", true) == 3);
  CHECK(rel(net.weight_count(), 11.69e6) < 0.01);
  CHECK(rel(net.macs_per_sample(), 1.82e9) < 0.01);
}

TEST_CASE("resnet50: 50 weight layers (+4 projections), 25.6 M weights, 4.1 G MACs") {
  const Network net = load_network("resnet50");
  CHECK(count_if_name(net, "downsample", false) == 50);
  CHECK(count_if_name(net, "downsample", true) == 4);
  CHECK(rel(net.weight_count(), 25.56e6) < 0.01);
  CHECK(rel(net.macs_per_sample(), 4.09e9) < 0.02);
}

TEST_CASE("mobilenetv2: 53 layers, 3.4 M weights, 300 M MACs (Sandler et al. 2018)") {
  const Network net = load_network("mobilenetv2");
  CHECK(net.layers.size() == 53);
  CHECK(count_if_name(net, "depthwise", true) == 17);
  for (const auto& l : net.layers)
    if (l.name.find("depthwise") != std::string::npos) CHECK(l.groups == l.cin);
  CHECK(rel(net.weight_count(), 3.4e6) < 0.03);  // 3.47 M with BN in torchvision; paper: 3.4 M
  CHECK(rel(net.macs_per_sample(), 300e6) < 0.03);
}

TEST_CASE("bert-base: 12 x 8 GEMMs, 85 M encoder weights, 110 M with embeddings") {
  const Network net = load_network("bert-base");
  CHECK(net.layers.size() == 96);
  CHECK(count_if_name(net, ".scores", true) == 12);
  CHECK(rel(net.weight_count(), 85.0e6) < 0.01);
  const double embeddings = (30522 + 512 + 2) * 768.0;  // token, position, segment
  CHECK(rel(net.weight_count() + embeddings, 110e6) < 0.02);
}

TEST_CASE("gpt2-small: 12 x 6 GEMMs + tied LM head, 124 M with position embeddings") {
  const Network net = load_network("gpt2-small");
  CHECK(net.layers.size() == 73);
  CHECK(net.layers.back().cout == 50257);
  const double positions = 1024 * 768.0;  // the LM head holds the tied token embedding
  CHECK(rel(net.weight_count() + positions, 124.44e6) < 0.01);
}

TEST_CASE("llama7b-decoder: 32 x 9 GEMMs, 6.74 B with embedding and head") {
  const Network net = load_network("llama7b-decoder");
  CHECK(net.layers.size() == 32 * 9);
  const double embed_and_head = 2 * 32000 * 4096.0;
  CHECK(rel(net.weight_count() + embed_and_head, 6.738e9) < 0.001);
  CHECK(rel(load_network("llama7b-layer").weight_count() * 32.0, net.weight_count()) < 1e-12);
  const Network sparse = load_network("llama7b-decoder-2to4");
  for (const auto& l : sparse.layers)
    if (l.kind == LayerKind::FullyConnected) CHECK((l.sparsity.nm.n == 2 && l.sparsity.nm.m == 4));
}

TEST_CASE("lstm: 4H x (I + H) weights per layer, every step multiplies them") {
  for (std::int64_t h : {1024, 2304}) {
    const Network net = load_network("lstm-" + std::to_string(h));
    REQUIRE(net.layers.size() == 2);
    CHECK(net.layers[0].name == "lstm.l0");
    CHECK(net.layers[1].name == "lstm.l1");
    CHECK(!net.layers[0].needs_input_gradient);
    CHECK(net.layers[1].needs_input_gradient);
    CHECK(net.weight_count() == 2 * 4 * h * (h + h));
    CHECK(net.macs_per_sample() == 2 * 4 * h * (h + h) * 32);
  }
}

TEST_CASE("recurrent layers: lstm, gru and rnn entries, stacked layers, and their errors") {
  const Network net = parse_network_yaml(
      "name: r\nlayers:\n"
      "  - {name: enc, type: lstm, input: 300, hidden: 512, steps: 20, layers: 3, gate_gradient_density: 0.5}\n"
      "  - {name: g, type: gru, input: 512, hidden: 256, steps: 20}\n"
      "  - {name: v, type: rnn, input: 256, hidden: 128, steps: 20}\n",
      "r.yaml");
  REQUIRE(net.layers.size() == 5);
  CHECK(net.layers[0].name == "enc.l0");
  CHECK(net.layers[2].name == "enc.l2");
  CHECK(net.layers[0].cin == 300 + 512);
  CHECK(net.layers[1].cin == 512 + 512);  // fed by the layer below
  CHECK(net.layers[0].cout == 4 * 512);
  CHECK(net.layers[0].tokens == 20);
  CHECK(net.layers[2].sparsity.gate_gradient_density == 0.5);
  CHECK(net.layers[3].cout == 3 * 256);
  CHECK(net.layers[4].cout == 128);
  CHECK(net.layers[4].rnn->cell == RnnCell::Rnn);
  // Expanded: one op per phase over all steps, tagged for models that run recurrence.
  const TrainingStep step = expand_training_step(net, 8, {Phase::FF, Phase::BP, Phase::WU});
  const GemmOp& ff = step.ops[0];
  CHECK((ff.M == 4 * 512 && ff.K == 300 + 512 && ff.N == 8 * 20));
  REQUIRE(ff.rnn);
  CHECK(ff.rnn->batch == 8);
  for (const GemmOp& op : step.ops)
    if (op.layer == "enc.l2" && op.phase == Phase::BP) {
      CHECK(op.M == 512 + 512);
      CHECK(op.b_density == Approx(0.5));
    }
  // Round trip through the YAML writer (stacked layers come back one entry each).
  const Network back = parse_network_yaml(network_to_yaml(net), "back.yaml");
  REQUIRE(back.layers.size() == net.layers.size());
  CHECK(back.layers[1].rnn->input == 512);
  CHECK(back.layers[3].rnn->cell == RnnCell::Gru);
  CHECK(back.layers[2].sparsity.gate_gradient_density == 0.5);
  CHECK(back.macs_per_sample() == net.macs_per_sample());
  // Errors name the file, line and key.
  const auto bad = [](const std::string& layer) {
    return [layer] { (void)parse_network_yaml("name: b\nlayers:\n  - " + layer + "\n", "b.yaml"); };
  };
  CHECK_THROWS_WITH(bad("{name: x, type: lstm, hidden: 8}")(),
                    Catch::Contains("b.yaml:3") && Catch::Contains("needs input and hidden"));
  CHECK_THROWS_WITH(bad("{name: x, type: fc, cin: 8, cout: 8, hidden: 8}")(),
                    Catch::Contains("hidden") && Catch::Contains("only recurrent layers"));
  CHECK_THROWS_WITH(bad("{name: x, type: gru, input: 8, hidden: 8, steps: 0}")(), Catch::Contains("steps"));
  CHECK_THROWS_WITH(bad("{name: x, type: lstm, input: 8, hidden: 8, gate_gradient_density: 2}")(),
                    Catch::Contains("gate_gradient_density"));
  CHECK_THROWS_WITH(bad("{name: x, type: lstm, input: 8, hidden: 8, layers: 5000}")(), Catch::Contains("layers"));
}

TEST_CASE("every built-in network validates and round-trips through YAML") {
  for (const auto& name : NetworkLibrary::instance().names()) {
    INFO(name);
    const Network net = load_network(name);
    CHECK(!NetworkLibrary::instance().find(name)->description.empty());
    const Network back = parse_network_yaml(network_to_yaml(net), name + ".yaml");
    REQUIRE(back.layers.size() == net.layers.size());
    CHECK(back.weight_count() == net.weight_count());
    CHECK(back.macs_per_sample() == net.macs_per_sample());
    for (std::size_t i = 0; i < net.layers.size(); ++i) {
      CHECK(back.layers[i].sparsity.weight_density == net.layers[i].sparsity.weight_density);
      CHECK(back.layers[i].shares_weights == net.layers[i].shares_weights);
      CHECK(back.layers[i].relu_input == net.layers[i].relu_input);
      CHECK(back.layers[i].sparsity.nm.n == net.layers[i].sparsity.nm.n);
    }
  }
}
