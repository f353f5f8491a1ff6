#include "sim/report/explain.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sim/errors.hpp"
#include "sim/text/input_file.hpp"

namespace sparsim {

namespace {

using json = nlohmann::json;

// What each stall cause means, in a reader's words (the models' docs define them precisely).
std::string meaning(const std::string& cause) {
  static const std::map<std::string, std::string> m = {
      {"operand_starvation", "the on-chip buffer's banks could not deliver the operands a cycle needs"},
      {"bank_conflict",
       "two requests wanted one buffer bank (SAT: the weight preload lost GLB banks to the stream, or a partial sum "
       "found its accumulator bank's read-modify-write pipeline full)"},
      {"fill_drain", "pipeline skew, fill and drain of each tile, weight loads nothing overlaps"},
      {"dram_bandwidth", "waiting for DRAM: tile loads, a free output buffer, the final stores"},
      {"dram", "waiting for DRAM transfers"},
      {"mask_generation", "waiting for the mask unit to regenerate N:M masks"},
      {"gate", "held by an outside block (the offload path) before the job"},
      {"operand_wait", "SMs waiting for operands from L2/HBM"},
      {"smem_bandwidth", "shared-memory bandwidth limits the tensor cores"},
      {"epilogue", "writing the output tile after the main loop"},
      {"wave_tail", "the last wave of CTAs leaves SMs idle"},
      {"kernel_launch", "the fixed device time of every kernel launch (a recurrent layer launches per step)"},
      {"elementwise_kernels", "a recurrent layer's element-wise cell kernels"},
      {"grid_sync", "a persistent kernel's grid-wide synchronization, once per step and batch tile"},
      {"load_imbalance", "PEs idle at the group barrier while others still work"},
      {"drain", "draining accumulators between groups"},
      {"offload_wait", "waiting for activations to leave over PCIe"},
      {"prefetch_wait", "waiting for offloaded activations to come back over PCIe"},
  };
  const auto it = m.find(cause);
  return it == m.end() ? "" : it->second;
}

// Joins pieces (GCC 12 warns falsely, -Wrestrict, on some chains of std::string operator+).
std::string cat(std::initializer_list<std::string> parts) {
  std::string s;
  for (const auto& p : parts) s += p;
  return s;
}

// "mask_unit" -> "mask unit".
std::string spaced(std::string name) {
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

std::string grouped(std::uint64_t v) {
  const std::string digits = std::to_string(v);
  std::string s;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s.push_back(',');
    s.push_back(digits[i]);
  }
  return s;
}

std::string pct(double part, double whole) {
  char b[32];
  std::snprintf(b, sizeof b, "%5.1f %%", whole > 0 ? 100.0 * part / whole : 0.0);
  return b;
}

std::string fixed(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

std::uint64_t u64(const json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<std::uint64_t>() : 0;
}

// Stall causes of a job, largest first.
std::vector<std::pair<std::string, std::uint64_t>> causes(const json& job) {
  std::vector<std::pair<std::string, std::uint64_t>> v;
  if (job.contains("stall_cycles"))
    for (auto it = job["stall_cycles"].begin(); it != job["stall_cycles"].end(); ++it)
      if (it.value().is_number()) v.emplace_back(it.key(), it.value().get<std::uint64_t>());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return v;
}

std::uint64_t stall_sum(const json& job) {
  std::uint64_t s = 0;
  for (const auto& [k, v] : causes(job)) s += v;
  return s;
}

void explain_job(const json& report, const json& job, std::ostream& out) {
  const std::string design = report["accelerator"].value("design_variant", "");
  const std::string variant = job.value("variant", "");
  const double cycles = static_cast<double>(u64(job, "cycles"));
  out << job.value("layer", "?") << " " << job.value("phase", "?") << ", variant " << variant
      << (variant == design ? " (design)" : " (baseline)") << ": " << grouped(u64(job, "cycles")) << " cycles\n";
  const std::uint64_t stalls = stall_sum(job);
  const std::uint64_t busy = u64(job, "cycles") > stalls ? u64(job, "cycles") - stalls : 0;
  out << "  " << std::string("busy").append(24, ' ').substr(0, 24)
      << std::string(14 - std::min<std::size_t>(14, grouped(busy).size()), ' ') << grouped(busy) << "  "
      << pct(static_cast<double>(busy), cycles) << "  the datapath at work\n";
  for (const auto& [c, v] : causes(job)) {
    if (v == 0) continue;
    std::string name = c;
    name.resize(24, ' ');
    out << "  " << name << std::string(14 - std::min<std::size_t>(14, grouped(v).size()), ' ') << grouped(v) << "  "
        << pct(static_cast<double>(v), cycles) << "  " << meaning(c) << "\n";
  }
  if (job.contains("utilization") && job["utilization"].is_number())
    out << "  utilization " << fixed("%.1f %%", 100.0 * job["utilization"].get<double>()) << " of "
        << grouped(u64(job, "peak_macs_per_cycle")) << " MACs/cycle; " << grouped(u64(job, "issued_macs"))
        << " MACs issued of " << grouped(u64(job, "dense_macs")) << " dense\n";
  if (job.contains("mapping") && job["mapping"].is_object()) {
    const json& m = job["mapping"];
    out << "  mapping:";
    for (const char* k : {"stationarity", "loop_order", "nm", "kernel", "tile", "algorithm"})
      if (m.contains(k) && m[k].is_string()) out << " " << k << " " << m[k].get<std::string>() << ";";
    if (m.contains("glb_tile")) out << " GLB tile " << m["glb_tile"].dump() << ";";
    // GPU kernels: resident CTAs per SM, and what stops one more (the parameter or a hardware resource).
    if (m.contains("ctas_per_sm") && m.contains("max_resident_ctas") && m.contains("resident_limit") &&
        m["resident_limit"].is_string())
      out << " " << m["ctas_per_sm"].dump() << " CTAs per SM (at most " << m["max_resident_ctas"].dump() << ": "
          << m["resident_limit"].get<std::string>() << ");";
    if (m.contains("estimate_cycles") && m["estimate_cycles"].is_number())
      out << " estimate " << grouped(static_cast<std::uint64_t>(m["estimate_cycles"].get<double>())) << " cycles";
    if (m.contains("estimate_error") && m["estimate_error"].is_number())
      out << " (" << fixed("%+.1f %%", 100.0 * m["estimate_error"].get<double>()) << " against the simulation)";
    out << "\n";
  }
  if (job.contains("memory") && job["memory"].is_object()) {
    const json& mem = job["memory"];
    const double bytes = static_cast<double>(u64(mem, "dram_bytes"));
    out << "  DRAM: " << grouped(u64(mem, "dram_bytes")) << " bytes, " << fixed("%.1f", cycles > 0 ? bytes / cycles : 0)
        << " bytes/cycle over the job";
    if (mem.contains("dram_row_hit_rate") && mem["dram_row_hit_rate"].is_number())
      out << ", row-buffer hit rate " << fixed("%.1f %%", 100.0 * mem["dram_row_hit_rate"].get<double>());
    out << "\n";
    // Traffic of blocks running beside the job shares the channels; the mapper's estimate does not see it.
    if (mem.contains("dram_bytes_by_other_block") && mem["dram_bytes_by_other_block"].is_object())
      for (const auto& [block, v] : mem["dram_bytes_by_other_block"].items())
        if (v.is_number_unsigned() && v.get<std::uint64_t>() > 0)
          out << "    of which " << grouped(v.get<std::uint64_t>()) << " bytes ("
              << fixed("%.0f %%", bytes > 0 ? 100.0 * static_cast<double>(v.get<std::uint64_t>()) / bytes : 0.0)
              << ") by the " << spaced(block) << ", working beside the job (not in the mapping's estimate)\n";
  }
  const auto top = causes(job);
  out << "  why:";
  int n = 0;
  for (const auto& [c, v] : top) {
    if (v == 0 || n == 3) break;
    out << (n ? ";" : "") << " " << n + 1 << ". " << c << " " << pct(static_cast<double>(v), cycles);
    ++n;
  }
  if (n == 0) out << " no stalls: the job runs at the datapath's pace";
  out << "\n";
}

}  // namespace

int explain_command(const std::vector<std::string>& args, std::ostream& out) {
  if (args.empty() || args.size() > 3) throw InputError("usage: sparsim explain REPORT.json [LAYER [PHASE]]");
  const std::string text = read_input_file(args[0], "REPORT.json", std::uint64_t{1} << 30);
  json report;
  try {
    report = json::parse(text);
  } catch (const json::exception& e) {
    throw InputError(located(args[0], "REPORT.json", cat({"not a report: ", e.what()})));
  }
  if (!report.is_object() || !report.contains("jobs") || !report["jobs"].is_array() ||
      !report.contains("accelerator") || !report["accelerator"].is_object())
    throw InputError(located(args[0], "REPORT.json", "not a sparsim report (no jobs or accelerator)"));
  const json& jobs = report["jobs"];
  try {
    if (args.size() >= 2) {
      int shown = 0;
      for (const auto& j : jobs)
        if (j.value("layer", "") == args[1] && (args.size() < 3 || j.value("phase", "") == args[2])) {
          if (shown++) out << "\n";
          explain_job(report, j, out);
        }
      if (shown == 0)
        throw InputError(
            located(args[0], args.size() == 3 ? "PHASE" : "LAYER",
                    "no job of layer '" + args[1] + "'" + (args.size() == 3 ? " in phase " + args[2] : "")));
      return 0;
    }
    // The whole run: per variant, busy and each cause over all jobs.
    std::map<std::string, std::map<std::string, std::uint64_t>> by_variant;
    std::map<std::string, std::uint64_t> total;
    std::vector<std::string> order;
    for (const auto& j : jobs) {
      const std::string v = j.value("variant", "");
      if (!total.count(v)) order.push_back(v);
      total[v] += u64(j, "cycles");
      for (const auto& [c, n] : causes(j)) by_variant[v][c] += n;
    }
    for (const auto& v : order) {
      std::uint64_t stalls = 0;
      for (const auto& [c, n] : by_variant[v]) stalls += n;
      out << "variant " << v << ": " << grouped(total[v]) << " cycles; busy "
          << pct(static_cast<double>(total[v] - std::min(stalls, total[v])), static_cast<double>(total[v]));
      std::vector<std::pair<std::string, std::uint64_t>> cs(by_variant[v].begin(), by_variant[v].end());
      std::stable_sort(cs.begin(), cs.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
      for (const auto& [c, n] : cs)
        if (n > 0) out << ", " << c << " " << pct(static_cast<double>(n), static_cast<double>(total[v]));
      out << "\n";
    }
    const std::string design = report["accelerator"].value("design_variant", order.empty() ? "" : order[0]);
    const std::string base = report["accelerator"].value("baseline_variant", "");
    std::vector<const json*> mine;
    std::map<std::string, const json*> baseline;  // layer|phase -> job
    for (const auto& j : jobs) {
      const std::string key = cat({j.value("layer", ""), "|", j.value("phase", "")});
      if (j.value("variant", "") == design) mine.push_back(&j);
      if (j.value("variant", "") == base) baseline[key] = &j;
    }
    std::stable_sort(mine.begin(), mine.end(),
                     [](const json* a, const json* b) { return u64(*a, "cycles") > u64(*b, "cycles"); });
    out << "slowest jobs of " << design << " (sparsim explain REPORT LAYER PHASE for one):\n";
    for (std::size_t i = 0; i < std::min<std::size_t>(5, mine.size()); ++i) {
      const json& j = *mine[i];
      const auto cs = causes(j);
      out << "  " << j.value("layer", "") << " " << j.value("phase", "") << ": " << grouped(u64(j, "cycles"))
          << " cycles";
      if (!cs.empty() && cs[0].second > 0)
        out << ", mostly " << cs[0].first << " "
            << pct(static_cast<double>(cs[0].second), static_cast<double>(u64(j, "cycles")));
      out << "\n";
    }
    int slower = 0;
    for (const json* j : mine) {
      const auto it = baseline.find(cat({j->value("layer", ""), "|", j->value("phase", "")}));
      if (it == baseline.end() || u64(*j, "cycles") <= u64(*it->second, "cycles")) continue;
      if (slower++ == 0) out << "slower than " << base << ":\n";
      const auto cs = causes(*j);
      out << "  " << j->value("layer", "") << " " << j->value("phase", "") << ": "
          << fixed("%.2fx", static_cast<double>(u64(*it->second, "cycles")) / static_cast<double>(u64(*j, "cycles")));
      if (!cs.empty() && cs[0].second > 0) out << ", mostly " << cs[0].first;
      out << "\n";
    }
  } catch (const json::exception& e) {
    throw InputError(located(args[0], "REPORT.json", cat({"malformed report: ", e.what()})));
  }
  return 0;
}

}  // namespace sparsim
