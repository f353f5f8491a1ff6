#pragma once
// A run's timeline as a Chrome/Perfetto trace (trace-event JSON), for `sparsim run --timeline FILE.json`
// (key run.timeline), in fast and detailed mode alike. Every model's jobs appear on one track per
// variant, laid end to end in the report's order with their cycles and stalls by cause as arguments;
// each model adds its own tracks (sat: array tiles, DRAM loads and stores, mask jobs; scnn: PE-grid
// chunks, DRAM loads and stores, stalls; stc: kernels and their phases, CTA waves, HBM traffic; cdma and
// the offload extension: compute ops, stalls, DMA transfers, the PCIe link), aggregated (merge()) where
// they would be millions of slices. Times
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
  // Aggregates activity that would be millions of slices (link transfers, DRAM bursts): [start, end) joins
  // the last slice of `track` when that has the same name and ended at most `gap` cycles before `start`,
  // else starts a new one. Its args count the pieces, their busy cycles and bytes; busy / dur is the
  // activity's utilization over the slice. Pieces must come in order of start on their track.
  void merge(const std::string& track, const std::string& name, std::uint64_t start, std::uint64_t end,
             std::uint64_t gap, std::uint64_t bytes = 0);
  // Variants that run side by side in simulated time (the cdma model's) get their job tracks laid from 0
  // each; by default the variants run one after another and so do their jobs.
  void set_variants_concurrent(bool on) { concurrent_ = on; }
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
  Track& track(const std::string& name);
  std::map<std::string, Track> tracks_;
  bool concurrent_ = false;
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
