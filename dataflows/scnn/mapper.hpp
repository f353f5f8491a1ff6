#pragma once
// PT-IS-CP-sparse mapper: for one convolution it picks the planar tile of each PE (columns: the plane split
// over the grid's columns; rows: a tile height, which also sets how many row chunks -- temporal tiles --
// the plane needs) and the output-channel group size Kc, within the accumulator, IARAM and OARAM
// capacities. It searches every tile height with a fast estimate and keeps the cheapest legal mapping.
// The same search with dense operands maps the DCNN baselines.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "dataflows/scnn/geometry.hpp"

namespace sparsim::scnn {

struct GridSpec {
  int pe_rows = 8, pe_cols = 8;
  int F = 4, I = 4;                   // multiplier array: F weights x I activations per cycle
  int banks = 32, bank_entries = 32;  // accumulator buffer: banks x entries partial sums
  int fifo_entries = 50;              // weight FIFO entries per PE
  std::int64_t iaram_bytes = 10240, oaram_bytes = 10240;
  int value_bits = 16, index_bits = 4;  // compressed entry: value + zero-run index
  double dram_bytes_per_cycle = 32.0;
  std::int64_t acc_entries() const { return static_cast<std::int64_t>(banks) * bank_entries; }
};

struct Densities {
  double weights = 1.0, inputs = 1.0, outputs = 1.0;
};

struct PlaneMapping {
  bool sparse = true;
  std::int64_t tile_h = 1, tile_w = 1;  // largest output tile of a PE (rows, columns)
  std::int64_t chunks = 1;              // temporal tiles: the output rows split evenly into row chunks
  std::int64_t kc = 1, groups = 1;      // output channels per group, groups per chunk
  std::int64_t acc_h = 1, acc_w = 1;    // largest accumulator extent (own tile plus halo)
  double est_cycles = 0;                // the estimate the search minimised
  double est_iaram_bytes = 0, est_oaram_bytes = 0;
  bool over_capacity = false;  // no tile height fits the RAMs; the smallest tile is used and spills
  int legal_candidates = 0;
  nlohmann::ordered_json to_json() const;
};

// Output rows of chunk `i`.
Range chunk_rows(const ConvShape& s, const PlaneMapping& m, std::int64_t i);

PlaneMapping map_sparse(const ConvShape& shape, const GridSpec& grid, const Densities& d);
PlaneMapping map_dense(const ConvShape& shape, const GridSpec& grid, const Densities& d);

}  // namespace sparsim::scnn
