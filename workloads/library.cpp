#include "workloads/library.hpp"

#include <algorithm>
#include <stdexcept>

namespace sparsim {

NetworkLibrary& NetworkLibrary::instance() {
  static NetworkLibrary library;
  return library;
}

void NetworkLibrary::add(NetworkInfo info) {
  if (find(info.name)) throw std::logic_error("network registered twice: " + info.name);
  infos_.push_back(std::move(info));
}

const NetworkInfo* NetworkLibrary::find(const std::string& name) const {
  for (const auto& i : infos_)
    if (i.name == name) return &i;
  return nullptr;
}

std::vector<std::string> NetworkLibrary::names() const {
  std::vector<std::string> out;
  for (const auto& i : infos_) out.push_back(i.name);
  std::sort(out.begin(), out.end());
  return out;
}

void set_pruned_densities(Network& net, const std::vector<double>& weights, const std::vector<double>& activations) {
  if (weights.size() != net.layers.size() || activations.size() != net.layers.size())
    throw std::logic_error("density lists do not match the layers of " + net.name);
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    net.layers[i].sparsity.weight_density = weights[i];
    net.layers[i].sparsity.activation_density = activations[i];
    net.layers[i].sparsity.prunable = true;
  }
}

Layer conv(std::string name, std::int64_t cin, std::int64_t cout, std::int64_t hw, std::int64_t k, std::int64_t stride,
           std::int64_t pad, std::int64_t groups) {
  Layer l;
  l.name = std::move(name);
  l.kind = LayerKind::Conv;
  l.cin = cin;
  l.cout = cout;
  l.h = l.w = hw;
  l.kh = l.kw = k;
  l.stride = stride;
  l.pad = pad;
  l.groups = groups;
  return l;
}

Layer fc(std::string name, std::int64_t cin, std::int64_t cout, std::int64_t tokens) {
  Layer l;
  l.name = std::move(name);
  l.kind = LayerKind::FullyConnected;
  l.cin = cin;
  l.cout = cout;
  l.tokens = tokens;
  return l;
}

Layer matmul(std::string name, std::int64_t m, std::int64_t k, std::int64_t n, std::int64_t count) {
  Layer l;
  l.name = std::move(name);
  l.kind = LayerKind::MatMul;
  l.m = m;
  l.k = k;
  l.n = n;
  l.count = count;
  l.sparsity.prunable = false;
  return l;
}

void mark_relu_inputs(Network& net) {
  for (auto& l : net.layers)
    if (l.kind != LayerKind::MatMul && l.needs_input_gradient) l.relu_input = true;
}

}  // namespace sparsim
