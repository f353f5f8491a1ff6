#include "workloads/layer_masks.hpp"

#include <cmath>
#include <filesystem>

#include "sim/errors.hpp"
#include "workloads/mask_file.hpp"

namespace sparsim {

namespace {

enum Purpose : std::uint64_t { kWeights = 1, kActivations = 2, kGradients = 3, kOutputs = 4 };

// SplitMix64 finaliser: decorrelates nearby (seed, layer, purpose) triples.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// FNV-1a of the layer name: masks follow the layer, not its position, so selecting a subset of layers
// (workload.layers) gives every selected layer the mask it has in the whole network.
std::uint64_t name_hash(const std::string& name) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : name) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

Rng rng_for(std::uint64_t seed, const std::string& layer, std::uint64_t purpose, std::int64_t sample = 0) {
  return Rng(mix(mix(mix(seed) ^ name_hash(layer)) ^ purpose) ^ static_cast<std::uint64_t>(sample));
}

// The layer whose weights layer `index` uses: itself, or the earlier layer it shares weights with. When
// that layer is not in the network (a subset of layers was selected), the layer stands for it: same
// shape (validated when both are present) and the same seed, so the same generated mask.
const Layer& owner_of(const Network& net, int index) {
  const Layer& l = net.layers.at(static_cast<std::size_t>(index));
  if (l.shares_weights.empty()) return l;
  for (int j = 0; j < index; ++j)
    if (net.layers[static_cast<std::size_t>(j)].name == l.shares_weights)
      return net.layers[static_cast<std::size_t>(j)];
  return l;
}

Mask all_ones(const std::vector<std::int64_t>& shape) {
  Mask m(shape);
  for (auto& w : m.words()) w = ~std::uint64_t{0};
  if (m.size() % 64) m.words().back() = (std::uint64_t{1} << (m.size() % 64)) - 1;
  return m;
}

Mask from_file(const Network& net, const Layer& l, const std::string& file) {
  LazyMask lazy(resolve_mask_path(net, file), weight_mask_shape(l), "layer " + l.name);
  return lazy.get();
}

}  // namespace

std::vector<std::int64_t> weight_mask_shape(const Layer& l) {
  switch (l.kind) {
    case LayerKind::Conv:
      return {l.cout, l.cin / l.groups, l.kh, l.kw};
    case LayerKind::FullyConnected:
      return {l.cout, l.cin};
    case LayerKind::MatMul:
      return {};
  }
  return {};
}

std::vector<std::int64_t> activation_mask_shape(const Layer& l) {
  switch (l.kind) {
    case LayerKind::Conv:
      return {l.cin, l.h, l.w};
    case LayerKind::FullyConnected:
      return {l.tokens, l.cin};
    case LayerKind::MatMul:
      return {l.count, l.k, l.n};
  }
  return {};
}

std::vector<std::int64_t> gradient_mask_shape(const Layer& l) {
  switch (l.kind) {
    case LayerKind::Conv:
      return {l.cout, l.out_h(), l.out_w()};
    case LayerKind::FullyConnected:
      return {l.tokens, l.cout};
    case LayerKind::MatMul:
      return {l.count, l.m, l.n};
  }
  return {};
}

std::string resolve_mask_path(const Network& net, const std::string& mask_file) {
  const std::filesystem::path p(mask_file);
  if (p.is_absolute() || net.source.empty() || net.source == "builtin") return mask_file;
  return (std::filesystem::path(net.source).parent_path() / p).string();
}

Mask weight_mask(const Network& net, int index, Phase phase, std::uint64_t seed) {
  const Layer& l = owner_of(net, index);
  const std::string& seed_name = l.shares_weights.empty() ? l.name : l.shares_weights;
  const auto shape = weight_mask_shape(l);
  if (shape.empty()) return Mask();
  const LayerSparsity& s = l.sparsity;
  if (phase == Phase::BP && !s.mask_file_bp.empty()) return from_file(net, l, s.mask_file_bp);
  if (!s.mask_file.empty()) return from_file(net, l, s.mask_file);
  if (!s.prunable) return all_ones(shape);
  Rng rng = rng_for(seed, seed_name, kWeights);
  if (s.nm.active()) {
    auto w = masks::synthetic_weights(shape, rng);
    if (s.transposable && (shape[0] % s.nm.m || shape[1] % s.nm.m))
      throw InputError(located(net.source, "layer " + l.name,
                               "transposable " + std::to_string(s.nm.n) + ":" + std::to_string(s.nm.m) +
                                   " needs Cout and Cin/groups that are multiples of M"));
    const Mask structured = s.transposable ? masks::transposable_nm_from_weights(w, shape, s.nm)
                                           : masks::nm_from_weights(w, shape, s.nm, phase == Phase::BP ? 0 : 1);
    if (s.weight_density >= 1.0) return structured;
    for (std::int64_t i = 0; i < structured.size(); ++i)
      if (!structured.get(i)) w[static_cast<std::size_t>(i)] = 0.0f;
    return masks::top_magnitude(w, shape, s.nm.density() * s.weight_density);
  }
  if (s.weight_density >= 1.0) return all_ones(shape);
  if (s.granularity != Granularity::Element) return masks::coarse(shape, s.weight_density, s.granularity, rng);
  if (s.uniform_positions) return masks::uniform(shape, s.weight_density, rng);
  return masks::magnitude(shape, s.weight_density, rng);
}

Mask activation_mask(const Network& net, int index, std::int64_t sample, std::uint64_t seed) {
  const Layer& l = net.layers.at(static_cast<std::size_t>(index));
  Rng rng = rng_for(seed, l.name, kActivations, sample);
  return masks::clustered(activation_mask_shape(l), l.sparsity.activation_density,
                          l.kind == LayerKind::Conv ? kActivationCluster : 1.0, rng);
}

Mask gradient_mask(const Network& net, int index, std::int64_t sample, std::uint64_t seed) {
  const Layer& l = net.layers.at(static_cast<std::size_t>(index));
  Rng rng = rng_for(seed, l.name, kGradients, sample);
  return masks::clustered(gradient_mask_shape(l), l.sparsity.gradient_density,
                          l.kind == LayerKind::Conv ? kActivationCluster : 1.0, rng);
}

Mask output_mask(const Network& net, int index, std::int64_t sample, std::uint64_t seed) {
  const Layer& l = net.layers.at(static_cast<std::size_t>(index));
  const auto shape = gradient_mask_shape(l);
  const auto next = static_cast<std::size_t>(index) + 1;
  if (next >= net.layers.size()) return all_ones(shape);
  const Layer& n = net.layers[next];
  // Conv outputs [Cout, Ho, Wo] feed a conv as [Cin, H, W], fc outputs [tokens, Cout] an fc as [tokens, Cin].
  const bool reads_these = (l.kind == LayerKind::Conv && n.kind == LayerKind::Conv && n.cin == l.cout &&
                            n.h == l.out_h() && n.w == l.out_w()) ||
                           (l.kind == LayerKind::FullyConnected && n.kind == LayerKind::FullyConnected &&
                            n.cin == l.cout && n.tokens == l.tokens);
  if (reads_these) return activation_mask(net, static_cast<int>(next), sample, seed);
  Rng rng = rng_for(seed, l.name, kOutputs, sample);
  return masks::clustered(shape, n.sparsity.activation_density, l.kind == LayerKind::Conv ? kActivationCluster : 1.0,
                          rng);
}

std::string weight_mask_source(const Network& net, int index, Phase phase) {
  const Layer& l = owner_of(net, index);
  const LayerSparsity& s = l.sparsity;
  if (phase == Phase::BP && !s.mask_file_bp.empty()) return "file " + resolve_mask_path(net, s.mask_file_bp);
  if (!s.mask_file.empty()) return "file " + resolve_mask_path(net, s.mask_file);
  if (weight_mask_shape(l).empty() || !s.prunable) return "generated: dense";
  if (s.nm.active())
    return std::string("generated: ") + (s.transposable ? "transposable " : "") + std::to_string(s.nm.n) + ":" +
           std::to_string(s.nm.m) + (s.weight_density < 1.0 ? " + magnitude" : "");
  if (s.weight_density >= 1.0) return "generated: dense";
  switch (s.granularity) {
    case Granularity::Vector:
      return "generated: vector";
    case Granularity::Kernel:
      return "generated: kernel";
    case Granularity::Filter:
      return "generated: filter";
    case Granularity::Element:
      break;
  }
  return s.uniform_positions ? "generated: uniform" : "generated: magnitude";
}

void check_mask_files(const Network& net, bool full) {
  for (const auto& l : net.layers) {
    for (const std::string* file : {&l.sparsity.mask_file, &l.sparsity.mask_file_bp}) {
      if (file->empty()) continue;
      const std::string path = resolve_mask_path(net, *file);
      const std::string context = "layer " + l.name;
      if (l.kind == LayerKind::MatMul)
        throw InputError(located(path, context, "a matmul layer has no weights to mask"));
      const LazyMask lazy(path, weight_mask_shape(l), context);  // header and shape
      if (full) verify_mask_file(path, context);
      const double want = (l.sparsity.nm.active() ? l.sparsity.nm.density() : 1.0) * l.sparsity.weight_density;
      if (std::abs(lazy.header().density() - want) > 0.005)
        throw InputError(located(path, context,
                                 "mask density " + std::to_string(lazy.header().density()) +
                                     " disagrees with the layer's weight density " + std::to_string(want)));
    }
  }
}

}  // namespace sparsim
