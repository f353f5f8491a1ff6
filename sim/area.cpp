#include "sim/area.hpp"

#include <set>

namespace sparsim {

using json = nlohmann::ordered_json;

json area_report(const std::vector<AreaPart>& parts, const EnergyTable& table) {
  json variants = json::object();
  std::set<std::string> used;
  for (const auto& p : parts) {
    json& v = variants[p.variant];
    if (v.is_null())
      v = {{"total_mm2", 0.0}, {"complete", true}, {"components", json::object()}, {"not_priced", json::array()}};
    json& c = v["components"][p.component];
    if (c.is_null()) c = {{"mm2", 0.0}, {"items", json::array()}};
    const AreaEntry* e = table.area(p.item);
    json item = {{"item", p.item}, {"count", p.count}, {"what", p.what}};
    if (e) {
      const double mm2 = p.count * e->um2 * 1e-6;
      item["um2_each"] = e->um2;
      item["mm2"] = mm2;
      c["mm2"] = c["mm2"].get<double>() + mm2;
      v["total_mm2"] = v["total_mm2"].get<double>() + mm2;
      used.insert(p.item);
    } else {
      item["mm2"] = nullptr;
      v["complete"] = false;
      v["not_priced"].push_back(p.component + "." + p.item);
    }
    c["items"].push_back(item);
  }
  json items = json::object();
  for (const auto& name : used) {
    const AreaEntry* e = table.area(name);
    items[name] = {{"um2", e->um2}, {"per", e->per}, {"source", e->source}};
  }
  return {{"table", table.name()}, {"items", items}, {"variants", variants}};
}

}  // namespace sparsim
