#pragma once
// The "cdma" accelerator: one training step of a GPU (roofline compute, roofline.hpp) simulated three
// times side by side in one SystemC design:
//   oracle  no offload: every activation stays in GPU memory;
//   vdnn    vDNN offload of layer inputs over PCIe, uncompressed (the baseline);
//   cdma    the same offload through the compressing DMA engine (the design).
// Model-wide figures (compression ratios, stalls, link utilisation, memory saved, speedups vs the oracle,
// a per-tensor table) go to RunResults::extra["cdma"] (report.cpp).
#include <memory>
#include <vector>

#include "models/cdma/offload_path.hpp"
#include "models/cdma/params.hpp"
#include "models/cdma/plan.hpp"
#include "models/cdma/roofline.hpp"
#include "models/cdma/samples.hpp"
#include "sim/accelerator.hpp"

namespace sparsim::cdma {

struct Variant {
  std::string name;
  Codec codec = Codec::None;
  bool offload = false;
  std::unique_ptr<StatsRegistry> registry;
  std::unique_ptr<memory::DramModule> dram;  // the GPU's memory: compute and DMA share it
  std::unique_ptr<DeviceMemorySlot> device;
  std::unique_ptr<OffloadPath> path;
  std::unique_ptr<RooflineCompute> compute;
};

class CdmaAccelerator : public Accelerator {
 public:
  void elaborate(const RunContext& context) override;
  RunResults collect() override;
  // Prefix of the SystemC instance names, so that tests can elaborate several copies in one design.
  void set_instance_prefix(std::string prefix) { prefix_ = std::move(prefix); }
  const std::vector<TensorPlan>& tensors() const { return tensors_; }
  const std::vector<TensorData>& data() const { return data_; }
  const std::vector<Variant>& variants() const { return variants_; }

 private:
  std::string prefix_;
  const RunContext* ctx_ = nullptr;
  Params params_;
  std::vector<TensorPlan> tensors_;
  std::vector<TensorData> data_;
  std::vector<Variant> variants_;
};

// One row of the per-tensor table (size, density and its source, measured density, ratio per codec); the
// cdma accelerator and the offload extension share it (report.cpp).
nlohmann::ordered_json tensor_row(const TrainingStep& step, const TensorPlan& t, const TensorData& d);

// Figures for RunResults::extra (report.cpp).
nlohmann::ordered_json offload_report(const Params& params, const TrainingStep& step,
                                      const std::vector<TensorPlan>& tensors, const std::vector<TensorData>& data,
                                      const std::vector<Variant>& variants);

}  // namespace sparsim::cdma
