#include "models/scnn/params.hpp"

#include "models/memory/dram_params.hpp"

namespace sparsim::scnn {

const std::vector<ParamSpec>& scnn_param_specs() {
  static const std::vector<ParamSpec> specs = {
      float_param("accelerator.clock_ghz", 1.0, 0.01, 10.0, "GHz",
                  "Clock frequency, used only to turn cycles into seconds (SCNN: about 1 GHz in 16 nm)."),
      int_param("accelerator.grid.rows", 8, 1, 64, "PEs", "PE rows of the planar grid (SCNN: 8)."),
      int_param("accelerator.grid.cols", 8, 1, 64, "PEs", "PE columns of the planar grid (SCNN: 8)."),
      int_param("accelerator.pe.f", 4, 1, 64, "weights/cycle",
                "F: non-zero weights a PE's multiplier array takes per cycle (SCNN: 4)."),
      int_param("accelerator.pe.i", 4, 1, 64, "activations/cycle",
                "I: non-zero input activations a PE's multiplier array takes per cycle (SCNN: 4)."),
      int_param("accelerator.pe.acc_banks", 32, 1, 1024, "banks",
                "A: accumulator banks behind the F*I x A scatter crossbar (SCNN: 2*F*I = 32)."),
      int_param("accelerator.pe.acc_bank_entries", 32, 1, 65536, "partial sums",
                "Entries of one accumulator bank (SCNN: 32)."),
      int_param("accelerator.pe.bank_queue_depth", 0, 0, 64, "products",
                "Products an accumulator bank may hold waiting ahead of its adder; 0: two products for one bank "
                "in one cycle stall the multiplier array (SCNN as described)."),
      int_param("accelerator.pe.dense_weight_bus_values", 0, 0, 4096, "weights/cycle",
                "DCNN and DCNN-opt: weights the bus that broadcasts each F x I weight block to every PE's shadow "
                "registers moves per cycle; 0: a whole block per cycle (an assumption: the paper does not describe "
                "DCNN's weight path). A narrower bus stalls the grid on planes of few pixels per PE."),
      bool_param("accelerator.pe.stride_phases", true,
                 "Strided layers: pair activations only with weights of the same stride phase (sparsim's "
                 "choice, docs/scnn.md); false multiplies every pair and discards the products between outputs."),
      int_param("accelerator.pe.acc_bits", 24, 8, 64, "bits", "Width of a partial sum (SCNN: 24-bit accumulate)."),
      int_param("accelerator.pe.weight_fifo_entries", 50, 1, 65536, "entries",
                "Weight FIFO entries per PE; a longer weight slice is processed in several passes (SCNN: 50)."),
      int_param("accelerator.pe.iaram_bytes", 10240, 64, 1LL << 30, "bytes",
                "Input-activation RAM per PE, compressed (SCNN: 10 KB)."),
      int_param("accelerator.pe.oaram_bytes", 10240, 64, 1LL << 30, "bytes",
                "Output-activation RAM per PE, compressed (SCNN: 10 KB)."),
      int_param("accelerator.pe.halo_entries_per_cycle", 4, 1, 1024, "partial sums/cycle",
                "Output-halo partial sums one PE sends to its neighbours per cycle (assumption; not in the paper)."),
      int_param("accelerator.pe.ppu_outputs_per_cycle", 4, 1, 1024, "outputs/cycle",
                "Outputs the post-processing unit rectifies and compresses per cycle (assumption)."),
      int_param("accelerator.format.value_bits", 16, 1, 16, "bits", "Bits of a weight or activation value (SCNN: 16)."),
      int_param("accelerator.format.index_bits", 4, 1, 16, "bits",
                "Bits of a zero-run index in the compressed format (SCNN: 4; longer runs insert a zero)."),
  };
  // DRAM from the shared memory model. Default: five LPDDR4-3200 x16 channels, 32 GB/s (an assumption, the
  // bandwidth round 1 used; the paper's simulator notes give about 50 GB/s, see reference.md).
  static const std::vector<ParamSpec> all = [] {
    std::vector<ParamSpec> v = specs;
    for (ParamSpec& d : memory::dram_params("LPDDR4_3200", 5)) v.push_back(std::move(d));
    return v;
  }();
  return all;
}

ScnnParams scnn_params(const Config& cfg) {
  ScnnParams p;
  p.clock_ghz = cfg.f64("accelerator.clock_ghz");
  GridSpec& g = p.grid;
  g.pe_rows = static_cast<int>(cfg.i64("accelerator.grid.rows"));
  g.pe_cols = static_cast<int>(cfg.i64("accelerator.grid.cols"));
  g.F = static_cast<int>(cfg.i64("accelerator.pe.f"));
  g.I = static_cast<int>(cfg.i64("accelerator.pe.i"));
  g.banks = static_cast<int>(cfg.i64("accelerator.pe.acc_banks"));
  g.bank_entries = static_cast<int>(cfg.i64("accelerator.pe.acc_bank_entries"));
  g.fifo_entries = static_cast<int>(cfg.i64("accelerator.pe.weight_fifo_entries"));
  g.iaram_bytes = cfg.i64("accelerator.pe.iaram_bytes");
  g.oaram_bytes = cfg.i64("accelerator.pe.oaram_bytes");
  g.value_bits = static_cast<int>(cfg.i64("accelerator.format.value_bits"));
  g.index_bits = static_cast<int>(cfg.i64("accelerator.format.index_bits"));
  p.dram = memory::dram_spec_from_config(cfg);
  g.dram_bytes_per_cycle = p.dram.peak_gbps() / p.clock_ghz;
  p.acc_bits = static_cast<int>(cfg.i64("accelerator.pe.acc_bits"));
  p.halo_entries_per_cycle = static_cast<int>(cfg.i64("accelerator.pe.halo_entries_per_cycle"));
  p.ppu_outputs_per_cycle = static_cast<int>(cfg.i64("accelerator.pe.ppu_outputs_per_cycle"));
  p.stride_phases = cfg.boolean("accelerator.pe.stride_phases");
  p.bank_queue_depth = static_cast<int>(cfg.i64("accelerator.pe.bank_queue_depth"));
  p.dense_weight_bus_values = static_cast<int>(cfg.i64("accelerator.pe.dense_weight_bus_values"));
  return p;
}

void validate_scnn(const Config& cfg) {
  if (cfg.i64("accelerator.pe.acc_bits") < cfg.i64("accelerator.format.value_bits"))
    cfg.fail("accelerator.pe.acc_bits", "partial sums must be at least as wide as the values");
  if (cfg.i64("accelerator.pe.acc_banks") * cfg.i64("accelerator.pe.acc_bank_entries") < 1)
    cfg.fail("accelerator.pe.acc_banks", "the accumulator needs at least one entry");
  if (cfg.i64("accelerator.pe.weight_fifo_entries") < cfg.i64("accelerator.pe.f"))
    cfg.fail("accelerator.pe.weight_fifo_entries", "the weight FIFO must hold at least one vector of F weights");
}

}  // namespace sparsim::scnn
