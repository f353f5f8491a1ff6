#include "sim/config/schema.hpp"

#include <cstdlib>
#include <sstream>
#include <string>

namespace sparsim {

namespace {
ParamSpec make(std::string path, ParamType type, std::string def, std::string unit, std::string doc) {
  ParamSpec p;
  p.path = std::move(path);
  p.type = type;
  p.default_value = std::move(def);
  p.unit = std::move(unit);
  p.doc = std::move(doc);
  return p;
}

// The shortest text that reads back as the same double (1.531, not 1.5309999999999999).
std::string number_text(double v) {
  for (int precision = 6; precision <= 17; ++precision) {
    std::ostringstream s;
    s.precision(precision);
    s << v;
    if (std::strtod(s.str().c_str(), nullptr) == v) return s.str();  // (stod throws on subnormals)
  }
  return std::to_string(v);
}
}  // namespace

ParamSpec int_param(std::string path, long long def, long long min, long long max, std::string unit, std::string doc) {
  ParamSpec p = make(std::move(path), ParamType::Int, std::to_string(def), std::move(unit), std::move(doc));
  p.min = static_cast<double>(min);
  p.max = static_cast<double>(max);
  return p;
}

ParamSpec float_param(std::string path, double def, double min, double max, std::string unit, std::string doc) {
  ParamSpec p = make(std::move(path), ParamType::Float, number_text(def), std::move(unit), std::move(doc));
  p.min = min;
  p.max = max;
  return p;
}

ParamSpec optional_float_param(std::string path, double min, double max, std::string unit, std::string doc) {
  ParamSpec p = make(std::move(path), ParamType::Float, "", std::move(unit), std::move(doc));
  p.min = min;
  p.max = max;
  p.optional = true;
  return p;
}

ParamSpec optional(ParamSpec p) {
  p.default_value.clear();
  p.optional = true;
  return p;
}

ParamSpec bool_param(std::string path, bool def, std::string doc) {
  return make(std::move(path), ParamType::Bool, def ? "true" : "false", "", std::move(doc));
}

ParamSpec string_param(std::string path, std::string def, std::string doc) {
  return make(std::move(path), ParamType::String, std::move(def), "", std::move(doc));
}

ParamSpec enum_param(std::string path, std::string def, std::vector<std::string> choices, std::string doc) {
  ParamSpec p = make(std::move(path), ParamType::Enum, std::move(def), "", std::move(doc));
  p.choices = std::move(choices);
  return p;
}

ParamSpec path_param(std::string path, std::string def, std::string doc) {
  return make(std::move(path), ParamType::Path, std::move(def), "", std::move(doc));
}

const char* type_name(ParamType type) {
  switch (type) {
    case ParamType::Int:
      return "integer";
    case ParamType::Float:
      return "number";
    case ParamType::Bool:
      return "boolean";
    case ParamType::String:
      return "string";
    case ParamType::Enum:
      return "choice";
    case ParamType::Path:
      return "path";
  }
  return "?";
}

const std::vector<ParamSpec>& common_params() {
  static const std::vector<ParamSpec> params = {
      string_param("accelerator.name", "sat",
                   "Accelerator model to simulate, by registry name (`sparsim --help` lists them)."),
      string_param("workload.network", "resnet18",
                   "Built-in network name (`sparsim workloads list`), path of a network YAML file, or path of a "
                   "SCALE-Sim topology file (`*.csv`, docs/workloads.md)."),
      int_param("workload.batch", 4, 1, 1 << 20, "samples", "Mini-batch size of the training step."),
      int_param("workload.sparsity.n", 2, 0, 64, "",
                "N of the N:M weight pattern applied to every prunable layer (0 with m 0: keep the "
                "network's own sparsity)."),
      int_param("workload.sparsity.m", 8, 0, 64, "",
                "M of the N:M weight pattern (group size along the reduction dimension)."),
      string_param("workload.sparsity.profile", "",
                   "Sparsity profile applied to the whole network before the keys below, e.g. "
                   "`nm=2:4,relu=0.4,gradients=0.5` (items: docs/workloads.md); empty: none."),
      optional_float_param("workload.sparsity.weight_density", 0.0, 1.0, "",
                           "If set, weight density of every prunable layer (the profile's `weights=` item): "
                           "unstructured masks (magnitude, or the layers' positions and granularity), on top "
                           "of any N:M pattern; else the network's own."),
      optional_float_param("workload.sparsity.activation_density", 0.0, 1.0, "",
                           "If set, input-activation density of every layer (else the network's own)."),
      optional_float_param("workload.sparsity.gradient_density", 0.0, 1.0, "",
                           "If set, output-gradient density of every layer (else the network's own)."),
      optional_float_param("workload.sparsity.gate_gradient_density", 0.0, 1.0, "",
                           "If set, the fraction of gate-gradient rows (hidden units over the batch) kept per time "
                           "step in the backward pass of every recurrent layer (structured gate-gradient sparsity, "
                           "Zhu et al. 2018; docs/rnn.md); else the network's own (1: dense)."),
      optional_float_param("workload.sparsity.winograd_weight_density", 0.0, 1.0, "",
                           "If set, density of the Winograd-domain weights U of every prunable Winograd layer "
                           "(pruned in the Winograd domain, Liu et al. 2018); else U is the transform of the "
                           "spatial weights, whose zeros the transform fills in (docs/winograd.md)."),
      optional_float_param("workload.sparsity.winograd_activation_density", 0.0, 1.0, "",
                           "If set, density of the Winograd-domain activations V of every Winograd layer (ReLU "
                           "moved into the Winograd domain); else the fill-in of the spatial activations."),
      enum_param("workload.conv_algorithm", "direct", {"direct", "winograd_2x2_3x3", "winograd_4x4_3x3"},
                 "Convolution algorithm of every 3x3 stride-1 conv without groups (others stay direct); a "
                 "layer's own `algorithm:` in its network file overrides it (docs/winograd.md)."),
      string_param("workload.layers", "",
                   "Comma-separated layer names to simulate (empty: all layers of the network)."),
      int_param("workload.trace.max_records", 16, 0, 1 << 20, "records",
                "With a training trace as the workload (`--workload TRACE_DIR`): simulate at most this many of "
                "its records, evenly spaced, each standing for the steps up to the next (0: every record)."),
      enum_param("workload.phases", "FF,BP,WU", {"FF,BP,WU", "FF", "BP", "WU", "FF,BP", "FF,WU", "BP,WU"},
                 "Training phases to simulate."),
      enum_param("run.mode", "fast", {"fast", "detailed"},
                 "fast: advance deterministic steady states in one step; detailed: tick every cycle."),
      bool_param("run.functional", false,
                 "Compute real values in the sparse datapaths and check them against a dense reference."),
      int_param("run.seed", 1, 0, 4294967295LL, "", "Seed of every random generator (masks, data)."),
      int_param("run.max_memory_mb", 8192, 64, 1LL << 24, "MiB",
                "Refuse, before simulating, a run whose estimated memory (its report, the model's mask "
                "bitmaps) exceeds this (`--max-memory`)."),
      int_param("run.max_events", 300000000LL, 0, 1000000000000000LL, "events",
                "Refuse, before simulating, a run whose estimated work exceeds this (`--max-events`; 0: no "
                "limit). Events are each op's estimated simulated cycles in every variant times the model's "
                "measured events per cycle in the run's mode, about 1 us of simulation each on a 2-core "
                "machine: the default is about 5 minutes (docs/reliability.md)."),
      string_param("run.trace", "",
                   "Waveform file (.vcd, GTKWave) of the detailed array's signals (sat, --mode detailed); empty: "
                   "none. Command line: --trace FILE.vcd."),
      string_param("run.trace_window", "",
                   "Cycles traced, START:END (END excluded); empty: the whole run. Command line: "
                   "--trace-window START:END."),
      int_param("run.trace_pes", 8, 1, 64, "PEs",
                "The traced sub-array: N x N PEs from run.trace_origin (clipped at the array's edge)."),
      string_param("run.trace_origin", "0,0",
                   "ROW,COL of the traced sub-array's top-left PE (it must lie inside the array)."),
      string_param("run.timeline", "",
                   "Chrome/Perfetto trace (trace-event JSON) of the run: jobs per variant for every model, plus "
                   "the model's own tracks (sat: array tiles, DRAM loads and stores, mask jobs; scnn: PE-grid "
                   "chunks, DRAM loads and stores, stalls; stc: kernels and phases, CTA waves, HBM traffic; "
                   "cdma and offload: compute ops, stalls, tensor transfers, PCIe link), aggregated where they "
                   "would be millions; empty: none. Command line: --timeline FILE.json."),
      path_param("energy.table", "builtin:45nm",
                 "Energy table: `builtin:45nm` or the path of an energy-table YAML file."),
      float_param("energy.scale", 1.0, 1e-6, 1e6, "",
                  "Multiplies every per-action energy, to move the table to another technology node; "
                  "1.0 keeps the table's own values (see docs/energy.md)."),
  };
  return params;
}

}  // namespace sparsim
