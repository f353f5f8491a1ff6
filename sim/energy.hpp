#pragma once
// Energy = counters x per-action energies. The table comes from YAML (builtin:45nm or a file); each action
// has an energy in pJ per event, the event it counts, and its source. SRAM accesses depend on the array's
// capacity: actions named "sram_read_byte@<bytes>" / "sram_write_byte@<bytes>" are interpolated,
// log-linearly in capacity, between the table's sram_* points (see docs/energy.md).
#include <map>
#include <string>
#include <vector>

#include "sim/stats.hpp"

namespace YAML {
class Node;
}

namespace sparsim {

struct EnergyAction {
  std::string name;
  double energy_pj = 0.0;  // per event
  std::string per;         // what one event is ("16-bit MAC", "byte read")
  std::string source;      // where the number comes from
};

// Silicon area of one unit of an item (a MAC unit, a byte of SRAM, a comparator), from the table's optional
// `area` section; models list how many units each component has (sim/area.hpp).
struct AreaEntry {
  std::string name;
  double um2 = 0.0;  // per unit
  std::string per;   // what one unit is
  std::string source;
};

struct SramPoint {
  double capacity_bytes;
  double read_pj_per_byte;
  double write_pj_per_byte;
};

class EnergyTable {
 public:
  // `spec` is "builtin:45nm" or a YAML file path. `scale` multiplies every energy (technology scaling).
  static EnergyTable load(const std::string& spec, double scale);
  static EnergyTable from_text(const std::string& yaml_text, const std::string& name, double scale);

  // Energy of one event of `action` in pJ; throws InputError naming the table if it has no such action.
  double pj(const std::string& action) const;
  bool has(const std::string& action) const;
  // Every action the counters charge that the table lacks, as "action (block.counter)", once each.
  std::vector<std::string> missing(const std::vector<CounterSample>& counters) const;
  const std::string& name() const { return name_; }
  const std::map<std::string, EnergyAction>& actions() const { return actions_; }
  double scale() const { return scale_; }
  // The area of one unit of `item`, or null where the table gives none.
  const AreaEntry* area(const std::string& item) const {
    const auto it = area_.find(item);
    return it == area_.end() ? nullptr : &it->second;
  }

 private:
  static EnergyTable from_text(const std::string& yaml_text, const std::string& name, double scale, int depth);
  void read_area(const YAML::Node& area, const std::string& name);
  std::string name_;
  std::string source_;
  double scale_ = 1.0;
  std::map<std::string, EnergyAction> actions_;
  std::vector<SramPoint> sram_;  // sorted by capacity
  std::map<std::string, AreaEntry> area_;
};

std::string sram_read_action(std::uint64_t capacity_bytes);
// The MAC action (and area item) of an operand width in bytes: 1 int8, 2 fp16, 4 fp32.
std::string mac_action(long long data_bytes);
std::string sram_write_action(std::uint64_t capacity_bytes);

// Energy per (block, action) of a set of counter samples, in pJ.
struct EnergyItem {
  std::string block;
  std::string counter;
  std::string action;
  std::uint64_t events = 0;
  double pj = 0.0;
};
std::vector<EnergyItem> energy_of(const std::vector<CounterSample>& counters, const EnergyTable& table);
double total_pj(const std::vector<EnergyItem>& items);

// Text of the built-in table (configs/energy/default-45nm.yaml, embedded at build time).
const std::string& builtin_energy_table_text();

}  // namespace sparsim
