// The summary `sparsim run` prints on stdout, read from the report JSON so it can never disagree with it.
// It fits kSummaryWidth columns by default: a researcher's terminal, a paper's listing, a CI log.
#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "sim/report/job_rows.hpp"
#include "sim/report/report.hpp"
#include "sim/text/numbers.hpp"
#include "sim/text/text_table.hpp"

namespace sparsim {

namespace {

using json = nlohmann::ordered_json;

std::string micro_joules(double pj) { return group_fixed(pj / 1e6, 2); }

// Drop orders of the per-layer table's optional columns (TableColumn::drop_order): the higher, the
// sooner a column is left out to fit the width. Cycles of design and baseline, speedup, layer and phase
// always stay; they are what the run is about.
enum Drop : int {
  kKeep = 0,
  kDesignUtil = 1,
  kTopStall = 2,  // why the design is slow: its top stall cause and share of cycles
  kDesignEnergy = 3,
  kEnergyGain = 4,
  kOtherCycles = 5,  // variants beyond design and baseline (an oracle, a second baseline)
  kBaselineEnergy = 6,
  kOtherUtil = 7,
  kOtherEnergy = 8,
};

std::string layer_table(const json& report, bool wide) {
  const auto variants = variants_of(report);
  const std::string design = report["accelerator"]["design_variant"].get<std::string>();
  const std::string base = report["accelerator"]["baseline_variant"].get<std::string>();
  // Columns in display order; each knows how to fill its cell from a row.
  struct Col {
    TableColumn spec;
    std::string variant;  // whose job the cell reads (empty: the row's own fields or the pair)
    enum { Layer, Phase, Cycles, Speedup, TopStall, Util, Energy, EnergyGain } what;
  };
  std::vector<Col> cols = {{{"layer", true, kKeep, true}, "", Col::Layer}, {{"phase", true, kKeep}, "", Col::Phase}};
  auto cycles_col = [](const std::string& v, int drop) {
    std::string h = "cycles(";
    h += v;
    h += ")";
    return Col{{h, false, drop}, v, Col::Cycles};
  };
  for (const auto& v : variants) cols.push_back(cycles_col(v, v == design || v == base ? kKeep : kOtherCycles));
  cols.push_back({{"speedup", false, kKeep}, "", Col::Speedup});
  cols.push_back({{"top stall", false, kTopStall}, design, Col::TopStall});
  for (const auto& v : variants) {
    std::string h = "util(";
    h += v;
    h += ")";
    cols.push_back({{h, false, v == design ? kDesignUtil : kOtherUtil}, v, Col::Util});
  }
  for (const auto& v : variants) {
    std::string h = "energy(";
    h += v;
    h += ") uJ";
    const int drop = v == design ? kDesignEnergy : v == base ? kBaselineEnergy : kOtherEnergy;
    cols.push_back({{h, false, drop}, v, Col::Energy});
  }
  cols.push_back({{"energy gain", false, kEnergyGain}, "", Col::EnergyGain});

  std::vector<TableColumn> specs;
  for (const auto& c : cols) specs.push_back(c.spec);
  TextTable table(specs);
  for (const auto& r : job_rows(report)) {
    const json* d = r.job(design);
    const json* b = r.job(base);
    std::vector<std::string> cells;
    for (const auto& c : cols) {
      const json* j = c.variant.empty() ? nullptr : r.job(c.variant);
      std::string cell = "-";
      switch (c.what) {
        case Col::Layer:
          cell = r.layer;
          break;
        case Col::Phase:
          cell = r.phase;
          break;
        case Col::Cycles:
          if (j) cell = group_digits((*j)["cycles"].get<std::uint64_t>());
          break;
        case Col::Util:
          if (j) cell = format_number("%.1f%%", 100.0 * (*j)["utilization"].get<double>());
          break;
        case Col::Energy:
          if (j) cell = micro_joules((*j)["energy_pj"].get<double>());
          break;
        case Col::Speedup:
          if (d && b && (*d)["cycles"].get<double>() > 0)
            cell = format_number("%.2fx", (*b)["cycles"].get<double>() / (*d)["cycles"].get<double>());
          break;
        case Col::TopStall:
          if (j) cell = top_stall_cell(top_stall({j}));
          break;
        case Col::EnergyGain:
          if (d && b && (*d)["energy_pj"].get<double>() > 0)
            cell = format_number("%.2fx", (*b)["energy_pj"].get<double>() / (*d)["energy_pj"].get<double>());
          break;
      }
      cells.push_back(cell);
    }
    table.add_row(std::move(cells));
  }
  return table.render(wide ? 0 : kSummaryWidth);
}

std::string totals_table(const json& report, bool wide) {
  // Milliseconds, or microseconds when every variant's step takes less than a millisecond (a GPU layer).
  double longest = 0.0;
  for (const auto& v : variants_of(report))
    longest = std::max(longest, report["summary"]["variants"][v]["time_s"].get<double>());
  const bool micro = longest < 1e-3;
  TextTable table({{"phase", true},
                   {"variant", true},
                   {"cycles"},
                   {micro ? "time us" : "time ms"},
                   {"utilization"},
                   {"energy uJ"},
                   {"top stall"}});
  // Each variant's jobs by phase ("step": all of them), for the top stall of a total.
  std::map<std::pair<std::string, std::string>, std::vector<const json*>> jobs;
  for (const auto& j : report["jobs"]) {
    const std::string v = j["variant"].get<std::string>();
    jobs[{j["phase"].get<std::string>(), v}].push_back(&j);
    jobs[{"step", v}].push_back(&j);
  }
  auto add = [&](const std::string& phase, const std::string& variant, const json& t) {
    table.add_row({phase, variant, group_digits(t["cycles"].get<std::uint64_t>()),
                   format_number(micro ? "%.2f" : "%.4f", t["time_s"].get<double>() * (micro ? 1e6 : 1e3)),
                   format_number("%.1f%%", 100.0 * t["utilization"].get<double>()),
                   micro_joules(t["energy_pj"].get<double>()), top_stall_cell(top_stall(jobs[{phase, variant}]))});
  };
  for (const auto& row : report["summary"]["phases"])
    add(row["phase"].get<std::string>(), row["variant"].get<std::string>(), row);
  for (const auto& v : variants_of(report)) add("step", v, report["summary"]["variants"][v]);
  return table.render(wide ? 0 : kSummaryWidth);
}

}  // namespace

std::string summary_table(const json& report, bool wide) {
  const std::string design = report["accelerator"]["design_variant"].get<std::string>();
  const std::string base = report["accelerator"]["baseline_variant"].get<std::string>();
  const auto& cfg = report["config"];
  // Prose lines are wrapped to the width; tables fit it by leaving columns out (--wide: everything).
  std::ostringstream out;
  auto prose = [&](const std::string& line) {
    if (wide)
      out << line << "\n";
    else
      out << wrap_text(line, kSummaryWidth);
  };

  std::ostringstream head;
  head << "sparsim " << report["sparsim"]["version"].get<std::string>() << " | accelerator "
       << report["accelerator"]["name"].get<std::string>() << " | network "
       << report["workload"]["network"].get<std::string>() << ", batch "
       << report["workload"]["batch"].get<long long>();
  const auto n = cfg["workload"]["sparsity"]["n"].get<long long>(),
             m = cfg["workload"]["sparsity"]["m"].get<long long>();
  if (n > 0) head << ", weights " << n << ":" << m;
  head << " | mode " << report["mode"].get<std::string>() << " | seed " << report["seed"].get<long long>();
  prose(head.str());
  out << "\n" << layer_table(report, wide) << "\n" << totals_table(report, wide);

  if (report["summary"].contains("speedup")) {
    std::ostringstream s;
    out << "\n";
    s << "speedup of " << design << " over " << base << ":";
    for (const auto& [phase, v] : report["summary"]["speedup"].items())
      s << "  " << phase << " " << format_number("%.3fx", v.get<double>());
    prose(s.str());
    std::ostringstream e;
    e << "energy-efficiency gain:";
    for (const auto& [phase, v] : report["summary"]["energy_efficiency_gain"].items())
      e << "  " << phase << " " << format_number("%.3fx", v.get<double>());
    prose(e.str());
  }
  // Models that know the ideal bound of their sparsity (e.g. 3/(2N/M+1) for N:M training) report it in
  // extra; the step speedup is shown against it so users see how much of the ideal the design reaches.
  if (report["extra"].contains("ideal_speedup_bound") && report["summary"].contains("speedup")) {
    const double ideal = report["extra"]["ideal_speedup_bound"].get<double>();
    const double step = report["summary"]["speedup"]["step"].get<double>();
    std::ostringstream s;
    s << "ideal step speedup " << format_number("%.3fx", ideal);
    if (report["extra"].contains("ideal_speedup_formula"))
      s << " (" << report["extra"]["ideal_speedup_formula"].get<std::string>() << ")";
    s << ": achieved " << format_number("%.1f%%", ideal > 0 ? 100.0 * step / ideal : 0.0) << " of it";
    prose(s.str());
  }
  if (report.contains("area")) {
    // Area of what the table prices; the items it does not price are named (report.json "area" has all).
    std::ostringstream a;
    a << "area (" << report["area"]["table"].get<std::string>() << "):";
    std::vector<std::string> missing;
    for (const auto& [variant, v] : report["area"]["variants"].items()) {
      a << "  " << variant << " " << format_number("%.3f", v["total_mm2"].get<double>()) << " mm2";
      for (const auto& m : v["not_priced"])
        if (std::find(missing.begin(), missing.end(), m.get<std::string>()) == missing.end())
          missing.push_back(m.get<std::string>());
    }
    if (!missing.empty()) {
      a << "; not priced by the table:";
      for (const auto& m : missing) a << " " << m;
    }
    prose(a.str());
  }
  if (report["extra"].contains("summary_lines"))
    for (const auto& l : report["extra"]["summary_lines"]) prose(l.get<std::string>());
  return out.str();
}

namespace {

std::size_t columns_of(const std::string& s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // UTF-8 code points
  return n;
}

// Byte length of the longest prefix of `s` with at most `cols` code points (never inside a character).
std::size_t prefix_bytes(const std::string& s, std::size_t cols) {
  std::size_t n = 0, i = 0;
  for (; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && n++ == cols) break;
  return i;
}

}  // namespace

std::string reports_lines(const std::string& dir, std::size_t width) {
  const std::string one = "reports: " + dir + "/report.json, " + dir + "/layers.csv";
  if (width == 0 || columns_of(one) <= width) return one + "\n";
  const std::string two = "reports: report.json, layers.csv in " + dir;
  if (columns_of(two) <= width) return two + "\n";
  // The directory alone is too long for a line: it follows on lines of its own, broken after a '/' where
  // one falls in the line (else at the width), each indented by two spaces.
  std::string out = "reports: report.json, layers.csv in\n";
  const std::size_t room = width > 12 ? width - 2 : 10;
  std::string rest = dir;
  while (!rest.empty()) {
    std::size_t cut = rest.size();
    if (columns_of(rest) > room) {
      cut = prefix_bytes(rest, room);
      const std::size_t slash = rest.rfind('/', cut - 1);
      if (slash != std::string::npos && slash > 0) cut = slash + 1;
    }
    out += "  " + rest.substr(0, cut) + "\n";
    rest.erase(0, cut);
  }
  return out;
}

}  // namespace sparsim
