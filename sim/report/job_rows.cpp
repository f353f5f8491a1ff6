#include "sim/report/job_rows.hpp"

namespace sparsim {

using json = nlohmann::ordered_json;

const json* JobRow::job(const std::string& variant) const {
  auto it = by_variant.find(variant);
  return it == by_variant.end() ? nullptr : it->second;
}

std::vector<std::string> variants_of(const json& report) {
  std::vector<std::string> out;
  for (const auto& [name, _] : report["summary"]["variants"].items()) out.push_back(name);
  return out;
}

std::vector<JobRow> job_rows(const json& report) {
  std::vector<JobRow> rows;
  std::map<std::pair<std::string, std::string>, std::size_t> index;  // (layer, phase) -> row
  for (const auto& job : report["jobs"]) {
    const auto key = std::make_pair(job["layer"].get<std::string>(), job["phase"].get<std::string>());
    auto it = index.find(key);
    if (it == index.end()) {
      it = index.emplace(key, rows.size()).first;
      rows.push_back(JobRow{job["layer_index"].get<int>(), key.first, key.second, {}});
    }
    rows[it->second].by_variant[job["variant"].get<std::string>()] = &job;
  }
  return rows;
}

}  // namespace sparsim
