#include "sim/energy.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/config/yaml_input.hpp"
#include "sim/errors.hpp"
#include "sim/text/input_file.hpp"

namespace sparsim {

namespace {
constexpr const char kSramRead[] = "sram_read_byte@";
constexpr const char kSramWrite[] = "sram_write_byte@";

std::string line_of(const std::string& name, const YAML::Node& n) {
  return n.Mark().line >= 0 ? name + ":" + std::to_string(n.Mark().line + 1) : name;
}

double number_at(const YAML::Node& parent, const char* key, const std::string& name, const std::string& path) {
  const YAML::Node v = parent[key];
  if (!v || !v.IsScalar()) throw InputError(located(line_of(name, parent), path + "." + key, "missing number"));
  try {
    const double d = v.as<double>();
    if (!(d >= 0) || !std::isfinite(d))
      throw InputError(located(line_of(name, v), path + "." + key, "must be a finite non-negative number"));
    return d;
  } catch (const YAML::Exception&) {
    throw InputError(located(line_of(name, v), path + "." + key, "expected a number, got '" + v.Scalar() + "'"));
  }
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// An entry {<number>, per, source} of the actions or area section, at `path`: a mapping of exactly those
// keys, with per and source given. `number` names its figure (energy_pj, um2).
void check_entry(const YAML::Node& entry, const YAML::Node& key, const char* number, const std::string& name,
                 const std::string& path, const char* what) {
  const std::string fields = std::string(number) + ", per, source";
  if (!entry.IsMap()) throw InputError(located(line_of(name, key), path, "expected {" + fields + "}"));
  for (auto f = entry.begin(); f != entry.end(); ++f) {
    const auto field = f->first.as<std::string>();
    if (field != number && field != "per" && field != "source")
      throw InputError(located(line_of(name, f->first), path + "." + field, "unknown key (known: " + fields + ")"));
  }
  if (!entry["per"] || !entry["source"])
    throw InputError(located(line_of(name, key), path, std::string("every ") + what + " needs 'per' and 'source'"));
}
}  // namespace

const std::string& builtin_energy_table_text() {
  static const std::string text =
#include "builtin_energy_45nm.inc"
      ;
  return text;
}

EnergyTable EnergyTable::load(const std::string& spec, double scale) {
  if (spec == "builtin:45nm") return from_text(builtin_energy_table_text(), "builtin:45nm", scale);
  if (starts_with(spec, "builtin:"))
    throw InputError(located("energy.table", "", "unknown built-in table '" + spec + "' (known: builtin:45nm)"));
  return from_text(read_input_file(spec, "energy table"), spec, scale);
}

EnergyTable EnergyTable::from_text(const std::string& yaml_text, const std::string& name, double scale) {
  return from_text(yaml_text, name, scale, 0);
}

EnergyTable EnergyTable::from_text(const std::string& yaml_text, const std::string& name, double scale, int depth) {
  const YAML::Node root = load_yaml(yaml_text, name);
  if (!root.IsMap()) throw InputError(located(name, "", "an energy table is a mapping with 'actions'"));
  for (auto it = root.begin(); it != root.end(); ++it) {
    const auto key = it->first.as<std::string>();
    if (key != "name" && key != "technology" && key != "actions" && key != "sram" && key != "base" && key != "area")
      throw InputError(
          located(line_of(name, it->first), key, "unknown key (known: name, base, technology, actions, sram, area)"));
  }
  // `base`: start from another table (the built-in one, or a file relative to this one) and override it.
  EnergyTable t;
  if (const YAML::Node base = root["base"]) {
    if (!base.IsScalar()) throw InputError(located(line_of(name, base), "base", "expected a table name or path"));
    if (depth >= 8) throw InputError(located(line_of(name, base), "base", "tables inherit more than 8 levels deep"));
    std::string spec = base.Scalar();
    if (spec == "default-45nm") spec = "builtin:45nm";
    if (spec == "builtin:45nm") {
      t = from_text(builtin_energy_table_text(), "builtin:45nm", scale, depth + 1);
    } else if (starts_with(spec, "builtin:")) {
      throw InputError(
          located(line_of(name, base), "base", "unknown built-in table '" + spec + "' (known: builtin:45nm)"));
    } else {
      std::filesystem::path p(spec);
      if (p.is_relative()) p = std::filesystem::path(name).parent_path() / p;
      std::error_code ec;
      if (!std::filesystem::exists(p, ec))
        throw InputError(located(line_of(name, base), "base", "cannot open energy table '" + p.string() + "'"));
      t = from_text(read_input_file(p.string(), "energy table"), p.string(), scale, depth + 1);
    }
  }
  t.source_ = name;
  t.scale_ = scale;
  t.name_ = root["name"] ? root["name"].as<std::string>() : name;
  if (const YAML::Node area = root["area"]) t.read_area(area, name);
  const YAML::Node actions = root["actions"];
  // A table with a base may override only its SRAM points or areas; one without needs its actions.
  if (!actions && !root["base"]) throw InputError(located(name, "actions", "missing mapping of actions"));
  if (actions && !actions.IsMap())
    throw InputError(located(line_of(name, actions), "actions", "expected a mapping of actions"));
  const YAML::Node listed = actions ? actions : YAML::Node(YAML::NodeType::Map);
  for (auto it = listed.begin(); it != listed.end(); ++it) {
    const std::string action = it->first.as<std::string>();
    const std::string path = "actions." + action;
    const YAML::Node a = it->second;
    check_entry(a, it->first, "energy_pj", name, path, "action");
    t.actions_[action] = EnergyAction{action, number_at(a, "energy_pj", name, path) * scale, a["per"].as<std::string>(),
                                      a["source"].as<std::string>()};
  }
  if (const YAML::Node sram = root["sram"]) {
    if (!sram.IsSequence()) throw InputError(located(line_of(name, sram), "sram", "expected a list of points"));
    t.sram_.clear();  // a table's own SRAM points replace its base's
    for (std::size_t i = 0; i < sram.size(); ++i) {
      const std::string path = "sram[" + std::to_string(i) + "]";
      t.sram_.push_back(SramPoint{number_at(sram[i], "capacity_bytes", name, path),
                                  number_at(sram[i], "read_pj_64b", name, path) / 8.0 * scale,
                                  number_at(sram[i], "write_pj_64b", name, path) / 8.0 * scale});
    }
    std::sort(t.sram_.begin(), t.sram_.end(),
              [](const SramPoint& a, const SramPoint& b) { return a.capacity_bytes < b.capacity_bytes; });
  }
  return t;
}

// `area: {item: {um2, per, source}}`; entries override the base table's of the same name.
void EnergyTable::read_area(const YAML::Node& area, const std::string& name) {
  if (!area.IsMap()) throw InputError(located(line_of(name, area), "area", "expected a mapping of items"));
  for (auto it = area.begin(); it != area.end(); ++it) {
    const std::string item = it->first.as<std::string>();
    const std::string path = "area." + item;
    const YAML::Node a = it->second;
    check_entry(a, it->first, "um2", name, path, "area item");
    area_[item] =
        AreaEntry{item, number_at(a, "um2", name, path), a["per"].as<std::string>(), a["source"].as<std::string>()};
  }
}

bool EnergyTable::has(const std::string& action) const {
  if (starts_with(action, kSramRead) || starts_with(action, kSramWrite)) return !sram_.empty();
  return actions_.count(action) > 0;
}

double EnergyTable::pj(const std::string& action) const {
  const bool read = starts_with(action, kSramRead);
  if (read || starts_with(action, kSramWrite)) {
    if (sram_.empty())
      throw InputError(located(source_, "sram", "table has no SRAM points but '" + action + "' is charged"));
    const double cap = std::stod(action.substr(action.find('@') + 1));
    auto val = [&](const SramPoint& p) { return read ? p.read_pj_per_byte : p.write_pj_per_byte; };
    if (cap <= sram_.front().capacity_bytes) return val(sram_.front());
    if (cap >= sram_.back().capacity_bytes) {
      if (sram_.size() == 1) return val(sram_.back());
      // Beyond the largest point: extend the last segment's slope in log(capacity).
      const auto& a = sram_[sram_.size() - 2];
      const auto& b = sram_.back();
      const double f = std::log(cap / a.capacity_bytes) / std::log(b.capacity_bytes / a.capacity_bytes);
      return val(a) + f * (val(b) - val(a));
    }
    for (std::size_t i = 1; i < sram_.size(); ++i) {
      const auto& a = sram_[i - 1];
      const auto& b = sram_[i];
      if (cap <= b.capacity_bytes) {
        const double f = std::log(cap / a.capacity_bytes) / std::log(b.capacity_bytes / a.capacity_bytes);
        return val(a) + f * (val(b) - val(a));
      }
    }
  }
  auto it = actions_.find(action);
  if (it == actions_.end())
    throw InputError(
        located(source_, "actions." + action, "the energy table has no such action, but a counter charges it"));
  return it->second.energy_pj;
}

std::vector<std::string> EnergyTable::missing(const std::vector<CounterSample>& counters) const {
  std::vector<std::string> out;
  for (const auto& c : counters) {
    if (c.energy_action.empty() || has(c.energy_action)) continue;
    const std::string what = c.energy_action + " (" + c.block + "." + c.name + ")";
    if (std::find(out.begin(), out.end(), what) == out.end()) out.push_back(what);
  }
  return out;
}

std::string mac_action(long long data_bytes) {
  return data_bytes == 1 ? "mac_int8" : data_bytes == 4 ? "mac_fp32" : "mac_fp16";
}

std::string sram_read_action(std::uint64_t capacity_bytes) { return kSramRead + std::to_string(capacity_bytes); }
std::string sram_write_action(std::uint64_t capacity_bytes) { return kSramWrite + std::to_string(capacity_bytes); }

std::vector<EnergyItem> energy_of(const std::vector<CounterSample>& counters, const EnergyTable& table) {
  std::vector<EnergyItem> out;
  for (const auto& c : counters) {
    if (c.energy_action.empty()) continue;
    out.push_back(EnergyItem{c.block, c.name, c.energy_action, c.value,
                             static_cast<double>(c.value) * table.pj(c.energy_action)});
  }
  return out;
}

double total_pj(const std::vector<EnergyItem>& items) {
  double sum = 0.0;
  for (const auto& i : items) sum += i.pj;
  return sum;
}

}  // namespace sparsim
