#pragma once
// Training traces (docs/workloads.md, "Training traces"): what `sparsim workloads capture` recorded while
// a network trained with a pruning method -- per recorded step and layer, the weight, input-activation and
// output-gradient densities, the weight mask change since the previous record, the training phase and the
// weight mask files in effect. A trace is a directory: trace.yaml (method, seed, versions, the network in
// the network YAML form), densities.csv and masks/<step>/<layer>[.bp].spmask.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "workloads/network.hpp"

namespace sparsim {

inline constexpr int kTrainingTraceVersion = 1;

// One layer at one recorded step (a row of densities.csv).
struct TraceLayerSample {
  std::string layer;
  double weight_density = 1.0;      // non-zero fraction of the FF weight mask (absolute, N:M included)
  double activation_density = 1.0;  // non-zero fraction of the layer's input (after ReLU)
  double gradient_density = 1.0;    // non-zero fraction of the gradient of the layer's output
  double mask_change = 0.0;         // fraction of FF weight mask bits changed since the previous record
  std::string mask;                 // FF (and WU) weight mask file, resolved against the trace; "" = dense
  std::string mask_bp;              // BP mask file (N:M along Cout); "" = the FF mask
  int line = 0;                     // line in densities.csv
};

struct TraceRecord {
  std::int64_t step = 0;
  std::string phase;                     // e.g. DSD's dense / sparse / redense
  std::vector<TraceLayerSample> layers;  // one per network layer, in network order
};

struct TrainingTrace {
  std::string dir;
  int version = kTrainingTraceVersion;
  std::string model, method, dataset;
  std::uint64_t seed = 0;
  std::int64_t steps = 0, record_every = 1, batch = 1;
  std::map<std::string, std::string> versions;  // python, torch, ...
  Network network;                              // layer names match the records'
  std::vector<TraceRecord> records;             // steps strictly increasing
};

// Pruning methods a trace may name (the capture tool's --method values).
const std::vector<std::string>& training_trace_methods();

// Whether `path` is a directory holding a trace.yaml.
bool is_training_trace_dir(const std::string& path);

// Reads and checks trace.yaml and densities.csv and every mask file's header (readable, the layer's weight
// shape, density equal to the row's weight_density). Throws InputError naming the file, line and key.
TrainingTrace load_training_trace(const std::string& dir);

// Streams every distinct mask file the trace names to verify its checksum and count; returns how many.
std::size_t verify_training_trace_masks(const TrainingTrace& trace);

}  // namespace sparsim
