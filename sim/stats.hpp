#pragma once
// Named event counters. Each hardware block owns a StatGroup and declares its counters once; model code
// bumps them as plain integers (cheap in hot loops). Energy is never computed here: a counter only names
// the energy-table action that one event of it costs (see sim/energy.hpp).
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace sparsim {

struct Counter {
  std::string name;           // "macs", "read_bytes", "stall_operand_cycles"
  std::string description;    // one line for reports and docs
  std::string energy_action;  // energy-table action charged per event, "" for none
  std::uint64_t value = 0;

  Counter& operator+=(std::uint64_t n) {
    value += n;
    return *this;
  }
  Counter& operator++() {
    ++value;
    return *this;
  }
};

// One sample of one counter, as it appears in results: "block.name".
struct CounterSample {
  std::string block;
  std::string name;
  std::string energy_action;
  std::uint64_t value = 0;
};

class StatGroup {
 public:
  explicit StatGroup(std::string block) : block_(std::move(block)) {}
  StatGroup(const StatGroup&) = delete;
  StatGroup& operator=(const StatGroup&) = delete;

  // References stay valid for the group's lifetime (counters live in a deque).
  Counter& add(std::string name, std::string description, std::string energy_action = "");
  const std::string& block() const { return block_; }
  const std::deque<Counter>& counters() const { return counters_; }
  void reset();

 private:
  std::string block_;
  std::deque<Counter> counters_;
};

// All groups of one simulated design; results take snapshots and report differences per job.
class StatsRegistry {
 public:
  void attach(StatGroup& group) { groups_.push_back(&group); }
  std::vector<CounterSample> snapshot() const;
  // after - before, counter by counter (both from snapshot() of this registry).
  static std::vector<CounterSample> difference(const std::vector<CounterSample>& after,
                                               const std::vector<CounterSample>& before);

 private:
  std::vector<StatGroup*> groups_;
};

}  // namespace sparsim
