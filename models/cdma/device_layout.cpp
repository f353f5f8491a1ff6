#include "models/cdma/device_layout.hpp"

#include <algorithm>

namespace sparsim::cdma {

namespace {
constexpr std::uint64_t kAlign = 4096;
std::uint64_t align(std::uint64_t v) { return (v + kAlign - 1) / kAlign * kAlign; }
}  // namespace

DeviceLayout::DeviceLayout(const TrainingStep& step, std::int64_t bytes_per_element, std::uint64_t capacity_bytes)
    : step_(step),
      elem_(static_cast<std::uint64_t>(bytes_per_element)),
      quarter_(capacity_bytes / 4 / kAlign * kAlign) {
  const auto& layers = step.network.layers;
  act_.assign(layers.size() + 1, 0);
  weight_.assign(layers.size() + 1, 0);
  const auto b = static_cast<std::uint64_t>(step.batch);
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    std::uint64_t x = 0;
    if (l.kind == LayerKind::Conv) {
      x = b * static_cast<std::uint64_t>(l.cin * l.h * l.w);
    } else if (l.kind == LayerKind::MatMul) {
      x = static_cast<std::uint64_t>(l.cin) * static_cast<std::uint64_t>(std::max<std::int64_t>(1, l.tokens));
    } else {
      x = b * static_cast<std::uint64_t>(l.cin * std::max<std::int64_t>(1, l.tokens));
    }
    act_[i + 1] = act_[i] + align(x * elem_);
    weight_[i + 1] = weight_[i] + align(static_cast<std::uint64_t>(l.weight_count()) * elem_);
  }
}

std::uint64_t DeviceLayout::weights(int layer) const { return weight_[static_cast<std::size_t>(layer)]; }
std::uint64_t DeviceLayout::activation(int layer) const { return quarter_ + act_[static_cast<std::size_t>(layer)]; }
std::uint64_t DeviceLayout::activation_gradient(int layer) const {
  return 2 * quarter_ + act_[static_cast<std::size_t>(layer)];
}
std::uint64_t DeviceLayout::weight_gradient(int layer) const {
  return 3 * quarter_ + weight_[static_cast<std::size_t>(layer)];
}

// The three tensor sizes of an op, as the roofline counts them (roofline.cpp).
DeviceLayout::Sizes DeviceLayout::sizes(const GemmOp& op) const {
  const Layer& l = step_.network.layers[static_cast<std::size_t>(op.layer_index)];
  const auto b = static_cast<std::uint64_t>(step_.batch);
  Sizes s;
  if (l.kind == LayerKind::MatMul) {
    const auto inst = static_cast<std::uint64_t>(op.instances);
    s.w = static_cast<std::uint64_t>(op.M * op.K) * inst;
    s.x = static_cast<std::uint64_t>(op.K * op.N) * inst;
    s.y = static_cast<std::uint64_t>(op.M * op.N) * inst;
  } else if (l.kind == LayerKind::Conv) {
    s.w = static_cast<std::uint64_t>(l.weight_count());
    s.x = b * static_cast<std::uint64_t>(l.cin * l.h * l.w);
    s.y = b * static_cast<std::uint64_t>(l.cout * l.out_h() * l.out_w());
  } else {
    s.w = static_cast<std::uint64_t>(l.weight_count());
    s.x = b * static_cast<std::uint64_t>(l.cin * l.tokens);
    s.y = b * static_cast<std::uint64_t>(l.cout * l.tokens);
  }
  s.w *= elem_;
  s.x *= elem_;
  s.y *= elem_;
  return s;
}

std::vector<memory::DramModule::Block> DeviceLayout::op_blocks(const GemmOp& op) const {
  const Sizes s = sizes(op);
  const int L = op.layer_index;
  const auto block = [](std::uint64_t base, std::uint64_t bytes, bool write) {
    return memory::DramModule::Block{base, 1, bytes, bytes, write};
  };
  switch (op.phase) {
    case Phase::FF:
      return {block(weights(L), s.w, false), block(activation(L), s.x, false), block(activation(L + 1), s.y, true)};
    case Phase::BP:
      return {block(weights(L), s.w, false), block(activation_gradient(L + 1), s.y, false),
              block(activation_gradient(L), s.x, true)};
    case Phase::WU:
    default:
      return {block(activation_gradient(L + 1), s.y, false), block(activation(L), s.x, false),
              block(weight_gradient(L), s.w, true)};
  }
}

}  // namespace sparsim::cdma
