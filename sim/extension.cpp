#include "sim/extension.hpp"

#include <algorithm>
#include <stdexcept>

#include "sim/errors.hpp"

namespace sparsim {

ExtensionRegistry& ExtensionRegistry::instance() {
  static ExtensionRegistry registry;
  return registry;
}

void ExtensionRegistry::add(ExtensionInfo info) {
  for (const auto& i : infos_)
    if (i.name == info.name) throw std::logic_error("extension registered twice: " + info.name);
  infos_.push_back(std::move(info));
  // Name order, so that params, docs and reports do not depend on static-initialisation order.
  std::sort(infos_.begin(), infos_.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
}

void ActiveExtensions::elaborate(const Config& cfg, RunContext& context) {
  std::string gate_owner;
  for (const auto& info : ExtensionRegistry::instance().all()) {
    if (!info.enabled || !info.enabled(cfg)) continue;
    auto ext = info.make();
    if (JobGate* gate = ext->elaborate(context)) {
      if (context.gate)
        throw InputError(cfg.source_name() + ": extensions " + gate_owner + " and " + info.name +
                         " both want to gate the accelerator's jobs; enable one of them");
      context.gate = gate;
      context.baseline_gate = ext->baseline_gate();
      gate_owner = info.name;
    }
    active_.emplace_back(info.name, std::move(ext));
  }
}

std::vector<std::string> extension_disable_overrides(const Config& cfg) {
  std::vector<std::string> out;
  for (const auto& info : ExtensionRegistry::instance().all())
    if (info.enabled && info.enabled(cfg) && !info.disable_override.empty()) out.push_back(info.disable_override);
  return out;
}

void ActiveExtensions::collect(RunResults& results) {
  for (auto& [name, ext] : active_) {
    ExtensionReport r = ext->collect(results);
    results.extra[name] = std::move(r.data);
    if (!results.extra.contains("summary_lines")) results.extra["summary_lines"] = nlohmann::ordered_json::array();
    for (auto& line : r.summary_lines) results.extra["summary_lines"].push_back(std::move(line));
  }
}

}  // namespace sparsim
