#pragma once
// A run's timeline as a Chrome/Perfetto trace (trace-event JSON), for `sparsim run --timeline FILE.json`
// (key run.timeline), in fast and detailed mode alike. Every model's jobs appear on one track per
// variant, laid end to end in the report's order with their cycles and stalls by cause as arguments;
// a model may add its own tracks (the SAT model: array tiles, DRAM loads and stores, mask jobs). Times
// are in the accelerator's cycles: 1 µs on the viewer's axis is one cycle. Tracks with more than
// kMaxSlicesPerTrack slices keep the first ones and say how many were dropped.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/config/config.hpp"
#include "sim/result.hpp"

namespace sparsim {

class Timeline {
 public:
  static constexpr std::size_t kMaxSlicesPerTrack = 200000;
  // A slice [start, end) cycles on `track` (created on first use, in order of appearance).
  void slice(const std::string& track, const std::string& name, std::uint64_t start, std::uint64_t end,
             nlohmann::ordered_json args = {});
  // The jobs of a run, one track per variant.
  void add_jobs(const RunResults& results);
  // The trace-event JSON document.
  nlohmann::ordered_json document() const;
  std::size_t slices() const { return count_; }

 private:
  struct Track {
    int tid = 0;
    std::vector<nlohmann::ordered_json> events;
    std::uint64_t dropped = 0;
  };
  std::map<std::string, Track> tracks_;
  std::vector<std::string> order_;
  std::size_t count_ = 0;
};

// The timeline of the run in progress, or nullptr (models record into it only when one is active).
Timeline* active_timeline();
void set_active_timeline(Timeline* t);

// Checks run.timeline before anything is simulated (ends in .json, its directory writable); "" if unset.
std::string timeline_path(const Config& cfg);
// Writes the document under a temporary name and renames it into place.
void write_timeline(const Timeline& t, const std::string& path);

}  // namespace sparsim
