#pragma once
// The plug-in interface of a modelled accelerator and its registry (a factory keyed by the YAML
// `accelerator.name`). A model registers itself from its own folder with SPARSIM_REGISTER_ACCELERATOR.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/area.hpp"
#include "sim/config/config.hpp"
#include "sim/result.hpp"
#include "workloads/network.hpp"

namespace sparsim {

enum class TimingMode { Fast, Detailed };

// Reports progress on stderr (only when it is a terminal); models call it as jobs finish.
struct Progress {
  virtual ~Progress() = default;
  virtual void job_done(std::size_t done, std::size_t total, const std::string& what) = 0;
};

// Lets a block outside the accelerator couple to its schedule (the cDMA offload path, for one): the
// model's controller calls before_job(i) before it starts op i of the *design* variant (the call may wait
// in simulated time, which stalls the accelerator) and after_job(i) once the op's last output is written.
// RunContext::baseline_gate, when set, is called the same way around the *baseline* variant's ops, so
// that design and baseline run under the same policy (the offload extension gives each its own path).
struct JobGate {
  virtual ~JobGate() = default;
  virtual void before_job(std::size_t op_index, const GemmOp& op) = 0;
  virtual void after_job(std::size_t op_index, const GemmOp& op) = 0;
};

namespace memory {
class DramModule;
}

// The device memory of a run: the accelerator sets it at elaboration (its DRAM/HBM, or the design
// variant's), so blocks elaborated before it (the offload extension's DMA engine) reach the same memory
// once the simulation runs and contend with the accelerator's own traffic.
struct DeviceMemorySlot {
  memory::DramModule* dram = nullptr;
};

// A model's law for the work of a run, estimated before elaboration (sim/run_budget.hpp, run.max_events):
// an op runs max(ceil(dense MACs / peak_macs_per_cycle), its operands' and result's bytes / dram_bytes_per_cycle)
// cycles in each of the model's variants, and simulating it
// costs events_per_job per variant plus the mode's events per simulated cycle. The constants are measured
// (docs/reliability.md, "Bounded runs: --max-events").
struct WorkLaw {
  double peak_macs_per_cycle = 1;
  double dram_bytes_per_cycle = 0;  // 0: no memory bound
  double bytes_per_element = 2;
  double detailed_events_per_cycle = 1;
  double fast_events_per_cycle = 0;
  double events_per_job = 0;
  // Detailed mode: events per output element (M x N x instances) per variant, where writing the results
  // costs more than the cycles say (stc's epilogue through shared memory and L2).
  double detailed_events_per_output = 0;
  // Recurrent ops (GemmOp::rnn) run their time steps one after another: in FF and BP each step costs at
  // least these cycles (its kernels' launches) plus its recurrent weights' bytes over the DRAM's peak, as a
  // library that re-reads them every step does; 0: the op is one GEMM.
  double serial_step_cycles = 0;
  // Fast mode: the model simulates a GEMM op identical to an earlier one (shape, weight sparsity) only once
  // when it runs at least reuse_min_cycles per variant, so such repeats cost events_per_job per variant only.
  bool reuse_identical_gemms = false;
  double reuse_min_cycles = 0;
};

struct RunContext {
  const Config& config;
  const TrainingStep& step;
  TimingMode mode = TimingMode::Fast;
  bool functional = false;
  std::uint64_t seed = 1;
  Progress* progress = nullptr;               // may be null
  JobGate* gate = nullptr;                    // may be null
  DeviceMemorySlot* device_memory = nullptr;  // may be null (tests that build a model directly)
  JobGate* baseline_gate = nullptr;           // may be null: the gate of the baseline variant's ops
  // The baseline variant's device memory: the accelerator sets it as device_memory (the same DRAM when
  // the variants share one, its own otherwise). May be null.
  DeviceMemorySlot* baseline_memory = nullptr;
};

class Accelerator {
 public:
  virtual ~Accelerator() = default;
  // Builds the SystemC modules (called before sc_start). The context outlives the simulation.
  virtual void elaborate(const RunContext& context) = 0;
  // Called after sc_start returns: every job of every variant.
  virtual RunResults collect() = 0;
};

struct AcceleratorInfo {
  std::string name;               // YAML accelerator.name
  std::string description;        // one line for --help and docs
  std::vector<ParamSpec> params;  // its own parameters (accelerator.*, memory.*), with defaults
  // Cross-key checks beyond types and ranges (e.g. N <= M, buffer holds one tile); throw via cfg.fail.
  std::function<void(const Config&)> validate;
  std::function<std::unique_ptr<Accelerator>()> make;
  bool waveforms = false;  // writes run.trace waveforms in detailed mode
  // Runs Winograd-lowered convolutions (workloads/winograd.hpp) and charges their transforms. A run that
  // lowers a layer with Winograd on a model without it is refused; `no_winograd_why` says why.
  bool winograd = false;
  std::string no_winograd_why;
  // For the up-front memory estimate (sim/run_budget.hpp): designs simulated per op (each gives a job), and
  // the bytes the model holds that grow with the workload beyond its fixed structure (e.g. SCNN's mask
  // bitmaps); empty where nothing grows.
  int variants = 2;
  std::function<std::uint64_t(const Config&, const TrainingStep&)> workload_bytes;
  // For the up-front work estimate (sim/run_budget.hpp, run.max_events): the model's law; empty: no estimate.
  std::function<WorkLaw(const Config&)> work_law;
  // What each design variant is built of, for its area (sim/area.hpp); empty where the model lists none.
  std::function<std::vector<AreaPart>(const Config&)> inventory;
};

class AcceleratorRegistry {
 public:
  static AcceleratorRegistry& instance();
  void add(AcceleratorInfo info);
  const AcceleratorInfo* find(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::vector<AcceleratorInfo> infos_;
};

struct AcceleratorRegistrar {
  explicit AcceleratorRegistrar(AcceleratorInfo info) { AcceleratorRegistry::instance().add(std::move(info)); }
};

#define SPARSIM_CONCAT_INNER(a, b) a##b
#define SPARSIM_CONCAT(a, b) SPARSIM_CONCAT_INNER(a, b)
#define SPARSIM_REGISTER_ACCELERATOR(info_expr) \
  static ::sparsim::AcceleratorRegistrar SPARSIM_CONCAT(sparsim_registrar_, __LINE__)(info_expr)

}  // namespace sparsim
