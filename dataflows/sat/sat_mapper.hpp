#pragma once
// Dataflow mapper of the SAT-style array: lowers one GEMM op to global-buffer (GLB) tiles and array tiles,
// searches stationarity, GLB tile sizes and the GLB-level loop order with a fast analytical estimate, and
// describes the chosen schedule as a sequence of GLB tiles the model's controller executes.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dataflows/sat/sat_geometry.hpp"

namespace sparsim::sat {

// One GEMM as the array executes it: out[M x N] = A[M x K] * B[K x N], `instances` copies.
struct Problem {
  i64 M = 0, K = 0, N = 0, instances = 1;
  Nm nm;  // structure of A along K as executed (dense variant: none)
  // Convolutions lower to GEMMs over im2col matrices, but DRAM holds the tensors themselves: B of FF
  // and WU is the input feature map (each element appears in up to kh*kw im2col columns), the output
  // of BP is dX (col2im). The loader fetches B as the tensor and expands it on chip; these fractions
  // are tensor size / im2col size (<= 1) of B and of the final output.
  double b_dram_fraction = 1.0;
  double out_dram_fraction = 1.0;
  // Field by field, so that problems can key a map (the mapper's search is a pure function of one).
  auto operator<=>(const Problem&) const = default;
};

struct Mapping {
  Stationarity stationarity = Stationarity::WeightStationary;
  i64 mg = 0, kg = 0, ng = 0;                // GLB tile (before clipping to the problem)
  std::array<char, 3> order{'m', 'n', 'k'};  // GLB loop order, outermost first
  i64 tm = 1, tk = 1, tn = 1;                // GLB tiles per dimension
  double estimate_cycles = 0;                // analytical estimate of the op's cycles
  double estimate_compute_cycles = 0;        // array part of it
  double estimate_dram_cycles = 0;           // DRAM channel part of it
  i64 candidates = 0;                        // legal mappings compared
  nlohmann::ordered_json to_json(const Hw& hw, const Problem& p) const;
};

// One GLB tile of the schedule and what the controller does around it.
struct GlbTile {
  i64 instance = 0, im = 0, ik = 0, in = 0;
  i64 m0 = 0, k0 = 0, n0 = 0, ml = 0, kl = 0, nl = 0;  // position and clipped size
  bool load_a = false, load_b = false;                 // operand differs from the previous tile: fetch it
  bool run_start = false;                              // first tile of a run of the same output block
  bool load_psum = false;                              // run starts past k = 0: fetch the spilled partial sums
  bool run_end = false;                                // last tile of the run: the output block leaves the array
  bool final_k = false;                                // the run ends at the last k tile: final outputs (else a spill)
};

class TileSequence {
 public:
  TileSequence(const Problem& p, const Mapping& m) : p_(p), m_(m) {}
  i64 size() const { return p_.instances * m_.tm * m_.tk * m_.tn; }
  GlbTile at(i64 g) const;

 private:
  void indices(i64 g, i64& inst, i64& im, i64& ik, i64& in) const;
  Problem p_;
  Mapping m_;
};

// Searches legal mappings; throws std::runtime_error when none fits the buffers (validation catches
// that earlier for the minimal tile). `forced` is hw.dataflow unless "auto".
Mapping map_op(const Hw& hw, const Problem& p);
// Estimate of one mapping (also used by the search).
void estimate(const Hw& hw, const Problem& p, Mapping& m);
// Whether a GLB tile of this size fits the double-buffered GLB and accumulator buffer.
bool fits(const Hw& hw, const Problem& p, Stationarity s, i64 mg, i64 kg, i64 ng);
// Smallest tile the mapper may choose (one array tile, one column): for validation.
bool minimal_tile_fits(const Hw& hw, Nm nm, std::string* why);

}  // namespace sparsim::sat
