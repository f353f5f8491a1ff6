// The offload plan: shared branch inputs, what is offloaded, densities; and the new networks' shapes.
#include <catch2/catch.hpp>

#include "models/cdma/plan.hpp"
#include "workloads/library.hpp"

using namespace sparsim;
using namespace sparsim::cdma;

namespace {
const TensorPlan* by_name(const std::vector<TensorPlan>& ts, const std::string& name) {
  for (const auto& t : ts)
    if (t.name == name) return &t;
  return nullptr;
}
}  // namespace

TEST_CASE("GoogLeNet: parallel branches share the module input, pool_proj and chained convs do not") {
  const Network net = load_network("googlenet");
  const auto ts = build_plan(net, {});
  const TensorPlan* in3a = by_name(ts, "inception_3a/1x1.in");
  REQUIRE(in3a);
  REQUIRE(in3a->consumers.size() == 3);  // 1x1, 3x3_reduce, 5x5_reduce
  REQUIRE(by_name(ts, "inception_3a/3x3_reduce.in") == nullptr);
  REQUIRE(by_name(ts, "inception_3a/3x3.in"));
  REQUIRE(by_name(ts, "inception_3a/pool_proj.in"));
  REQUIRE(by_name(ts, "conv2/3x3.in"));  // fed by conv2/3x3_reduce, not shared with it
  // Pool inputs: after conv1 (112 -> 56), conv2/3x3 (56 -> 28), 3b (28 -> 14), 4e (14 -> 7), 5b (-> fc).
  const TensorPlan* pool4a = by_name(ts, "inception_3b/pool_proj.out");
  REQUIRE(pool4a);
  REQUIRE(pool4a->pool_input);
  REQUIRE(pool4a->bytes == 480ull * 28 * 28 * 4);  // the concatenated 3b output at batch 1
  REQUIRE(ts.size() == 3 + 9 * 4 + 1 + 5);
}

TEST_CASE("SqueezeNet: expand 1x1 and 3x3 share the squeeze output") {
  const auto ts = build_plan(load_network("squeezenet"), {});
  const TensorPlan* e = by_name(ts, "fire2/expand1x1.in");
  REQUIRE(e);
  REQUIRE(e->consumers.size() == 2);
  REQUIRE(ts.size() == 1 + 8 * 2 + 1 + 3);  // + pool inputs after conv1, fire4, fire8
}

TEST_CASE("the last layer input stays on the GPU and policy conv skips fc inputs") {
  const Network net = load_network("alexnet");
  PlanOptions o;
  o.batch = 2;
  auto ts = build_plan(net, o);
  REQUIRE(ts.size() == 8 + 3);  // layer inputs + pool inputs after conv1, conv2, conv5
  REQUIRE(by_name(ts, "conv1.in")->offloaded);
  REQUIRE(by_name(ts, "conv1.in")->bytes == 2ull * 3 * 227 * 227 * 4);
  REQUIRE(by_name(ts, "conv1.out")->bytes == 2ull * 96 * 55 * 55 * 4);
  REQUIRE(by_name(ts, "conv1.out")->release_layer == 1);
  REQUIRE(by_name(ts, "conv1.out")->need_layer == 0);
  REQUIRE(by_name(ts, "conv5.out")->bytes == 2ull * 256 * 13 * 13 * 4);
  REQUIRE(!by_name(ts, "fc8.in")->offloaded);
  REQUIRE(by_name(ts, "fc7.in")->offloaded);
  REQUIRE(by_name(ts, "fc7.in")->release_layer == 7);
  REQUIRE(by_name(ts, "fc7.in")->prefetch_layer == 7);
  o.policy = "conv";
  ts = build_plan(net, o);
  REQUIRE(by_name(ts, "conv5.in")->offloaded);
  REQUIRE(!by_name(ts, "conv5.out")->offloaded);
  REQUIRE(!by_name(ts, "fc6.in")->offloaded);
  REQUIRE(!by_name(ts, "fc7.in")->offloaded);
}

TEST_CASE("densities: published where available, assumptions elsewhere, override wins") {
  const auto alex = build_plan(load_network("alexnet"), {});
  REQUIRE(by_name(alex, "conv1.in")->density == 1.0);
  REQUIRE(by_name(alex, "conv2.in")->density == Approx(0.88));
  REQUIRE(by_name(alex, "conv2.in")->density_source.find("Han") != std::string::npos);
  REQUIRE(by_name(alex, "conv1.out")->density == Approx(0.88));  // pool input at the pooled density
  REQUIRE(by_name(alex, "fc6.in")->density == Approx(0.40));     // pooled conv5 map
  REQUIRE(by_name(alex, "fc7.in")->density == Approx(0.25));     // ReLU x dropout
  const auto ofeat = build_plan(load_network("overfeat"), {});
  REQUIRE(by_name(ofeat, "conv2.in")->density_source.find("assumption") != std::string::npos);
  REQUIRE(by_name(ofeat, "conv3.in")->density < by_name(ofeat, "conv2.in")->density);
  REQUIRE(by_name(ofeat, "conv5.in")->density < by_name(ofeat, "conv4.in")->density);
  PlanOptions o;
  o.density_override = 0.1;
  const auto v = build_plan(load_network("vgg16"), o);
  REQUIRE(by_name(v, "conv1_1.in")->density == 1.0);
  REQUIRE(by_name(v, "conv2_1.in")->density == 0.1);
  REQUIRE(by_name(v, "conv1_2.out")->density == 0.1);
}

TEST_CASE("new networks have the published shapes") {
  const Network of = load_network("overfeat");
  REQUIRE(of.layers[0].out_h() == 56);
  REQUIRE(of.layers[1].out_h() == 24);
  REQUIRE(of.layers[4].out_h() == 12);
  REQUIRE(of.layers[5].cin == 1024 * 6 * 6);
  const Network nin = load_network("nin");
  REQUIRE(nin.layers.size() == 12);
  REQUIRE(nin.layers[0].out_h() == 54);
  REQUIRE(nin.layers.back().out_h() == 6);
  const Network sq = load_network("squeezenet");
  REQUIRE(sq.layers[0].out_h() == 111);
  // SqueezeNet v1.0 has about 1.25 M parameters (Iandola et al. 2016, Table 1: 1,248,424 with biases).
  REQUIRE(sq.weight_count() > 1200000);
  REQUIRE(sq.weight_count() < 1250000);
  REQUIRE_NOTHROW(validate_network(of));
  REQUIRE_NOTHROW(validate_network(nin));
  REQUIRE_NOTHROW(validate_network(sq));
}
