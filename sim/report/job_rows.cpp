#include "sim/report/job_rows.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

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

TopStall top_stall(const std::vector<const json*>& jobs) {
  std::vector<std::pair<std::string, std::uint64_t>> sums;  // in first-seen order
  std::uint64_t cycles = 0;
  for (const json* j : jobs) {
    if (!j) continue;
    if (j->contains("cycles")) cycles += (*j)["cycles"].get<std::uint64_t>();
    if (!j->contains("stall_cycles")) continue;
    for (auto it = (*j)["stall_cycles"].begin(); it != (*j)["stall_cycles"].end(); ++it) {
      if (!it.value().is_number()) continue;
      auto s = std::find_if(sums.begin(), sums.end(), [&](const auto& p) { return p.first == it.key(); });
      if (s == sums.end()) s = sums.insert(sums.end(), {it.key(), 0});
      s->second += it.value().get<std::uint64_t>();
    }
  }
  TopStall t;
  for (const auto& [cause, n] : sums)
    if (n > t.cycles) t = {cause, n, 0.0};
  if (cycles > 0) t.share = std::min(1.0, static_cast<double>(t.cycles) / static_cast<double>(cycles));
  return t;
}

std::string stall_label(const std::string& cause) {
  static const std::map<std::string, std::string> labels = {
      {"dram_bandwidth", "dram"},      {"operand_starvation", "operands"},
      {"bank_conflict", "banks"},      {"fill_drain", "fill/drain"},
      {"mask_generation", "masks"},    {"operand_wait", "operands"},
      {"smem_bandwidth", "smem"},      {"wave_tail", "wave tail"},
      {"load_imbalance", "imbalance"}, {"offload_wait", "offload"},
      {"prefetch_wait", "prefetch"},   {"winograd_transform", "transform"},
      {"kernel_launch", "launches"},   {"elementwise_kernels", "cell kernels"},
      {"grid_sync", "grid sync"},
  };
  const auto it = labels.find(cause);
  return it == labels.end() ? cause : it->second;
}

std::string top_stall_cell(const TopStall& t) {
  if (t.cycles == 0) return "-";
  char pct[16];
  std::snprintf(pct, sizeof pct, " %.0f%%", std::floor(100.0 * t.share + 0.5));
  std::string s = stall_label(t.cause);
  s += pct;
  return s;
}

}  // namespace sparsim
