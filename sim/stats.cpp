#include "sim/stats.hpp"

#include <stdexcept>

namespace sparsim {

Counter& StatGroup::add(std::string name, std::string description, std::string energy_action) {
  for (const auto& c : counters_)
    if (c.name == name) throw std::logic_error("counter declared twice: " + block_ + "." + name);
  counters_.push_back(Counter{std::move(name), std::move(description), std::move(energy_action), 0});
  return counters_.back();
}

void StatGroup::reset() {
  for (auto& c : counters_) c.value = 0;
}

std::vector<CounterSample> StatsRegistry::snapshot() const {
  std::vector<CounterSample> out;
  for (const auto* g : groups_)
    for (const auto& c : g->counters()) out.push_back({g->block(), c.name, c.energy_action, c.value});
  return out;
}

std::vector<CounterSample> StatsRegistry::difference(const std::vector<CounterSample>& after,
                                                     const std::vector<CounterSample>& before) {
  if (after.size() != before.size()) throw std::logic_error("snapshots of different registries");
  std::vector<CounterSample> out = after;
  for (std::size_t i = 0; i < out.size(); ++i) out[i].value -= before[i].value;
  return out;
}

}  // namespace sparsim
