#include "sim/accelerator.hpp"

#include <algorithm>
#include <stdexcept>

namespace sparsim {

AcceleratorRegistry& AcceleratorRegistry::instance() {
  static AcceleratorRegistry registry;
  return registry;
}

void AcceleratorRegistry::add(AcceleratorInfo info) {
  if (find(info.name)) throw std::logic_error("accelerator registered twice: " + info.name);
  infos_.push_back(std::move(info));
}

const AcceleratorInfo* AcceleratorRegistry::find(const std::string& name) const {
  for (const auto& info : infos_)
    if (info.name == name) return &info;
  return nullptr;
}

std::vector<std::string> AcceleratorRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& info : infos_) out.push_back(info.name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace sparsim
