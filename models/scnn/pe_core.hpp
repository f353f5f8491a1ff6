#pragma once
// The heart of an SCNN PE: an F x I multiplier array fed with F non-zero weights and I non-zero input
// activations per cycle, coordinate computation from their indices, and the F*I x A scatter crossbar into A
// accumulator banks. Products that meet in one bank in one cycle serialise: the array stalls until the
// busiest bank has taken all of its products. Plain C++: the SystemC grid calls it, one PE at a time.
#include <cstdint>
#include <vector>

#include "dataflows/scnn/geometry.hpp"

namespace sparsim::scnn {

struct ActEntry {
  std::int32_t y = 0, x = 0;  // input coordinates
  std::int32_t value = 0;     // functional runs
};
struct WtEntry {
  std::int32_t k = 0, r = 0, s = 0;  // k relative to the output-channel group
  std::int32_t value = 0;
};

// Where one PE's products may land in one chunk.
struct PeFrame {
  Range own_y, own_x;      // the PE's output tile
  Range acc_y, acc_x;      // accumulator extent (own tile plus halo)
  Range valid_y, valid_x;  // outputs of the chunk; products elsewhere are discarded
  std::int64_t acc_plane() const { return acc_y.size() * acc_x.size(); }
};

struct ArrayShape {
  int F = 4, I = 4, banks = 32, fifo_entries = 50;
  int stride = 1, pad = 0;
  std::int64_t kc = 1;  // output channels of the current group
  // Bank interleaving: A banks = pos_ways x k_ways (SCNN: 8 x 4). A product's bank comes from its output
  // channel (k mod k_ways) and its planar position (pos mod pos_ways), so the F channels of a weight vector
  // and the I neighbouring positions of an activation vector spread over distinct banks.
  int k_ways = 4, pos_ways = 8;
  // Products each bank may hold waiting ahead of its adder: 0 means two products for one bank in one cycle
  // stall the array until the bank has taken both (the strict scatter of the SCNN description).
  int queue_depth = 0;
  // WU (sparsim's training extension): the activations are X, the streamed entries are dY non-zeros
  // (WtEntry r, s = the gradient's row and column), and a pair's output is the kernel offset
  // (y + pad - r * stride, x + pad - s * stride) of dW; pairs whose offset falls outside R x S are filtered
  // by the coordinate unit and never issued.
  bool wu = false;
  int R = 1, S = 1;
  void set_banks(int banks, int F) {
    k_ways = banks % F == 0 ? F : 1;
    pos_ways = banks / k_ways;
  }
};

// Accumulator address of output (k, yo, xo) within the PE's accumulator extent (output channel innermost).
inline std::int64_t acc_position(const PeFrame& f, std::int64_t yo, std::int64_t xo) {
  return (yo - f.acc_y.lo) * f.acc_x.size() + (xo - f.acc_x.lo);
}
inline std::int64_t acc_address(const PeFrame& f, std::int64_t kc, std::int64_t k, std::int64_t yo, std::int64_t xo) {
  return acc_position(f, yo, xo) * kc + k;
}

// What one PE did in one output-channel group.
struct PeTally {
  std::uint64_t cycles = 0;           // busy cycles (multiplier cycles plus conflict stalls)
  std::uint64_t products = 0;         // multiplies issued (valid and discarded)
  std::uint64_t filtered = 0;         // WU: candidate pairs the coordinate unit filtered (offset outside R x S)
  std::uint64_t valid = 0;            // products scattered to an accumulator
  std::uint64_t conflict_cycles = 0;  // stall cycles from bank conflicts
  std::uint64_t act_reads = 0;        // activation entries read from the IARAM
  std::uint64_t wt_reads = 0;         // weight entries read from the weight FIFO
  std::uint64_t wt_writes = 0;        // weight entries written into the weight FIFO
  bool operator==(const PeTally&) const = default;
};

// The accumulator of one PE for one group: which entries received a product (for the halo) and, in
// functional runs, their values.
struct Accumulator {
  std::vector<std::uint8_t> touched;
  std::vector<std::int64_t> values;     // empty unless functional
  std::vector<std::int64_t> bank_free;  // per bank: the PE-local cycle at which its queue is empty
  std::int64_t max_free = 0;            // latest of bank_free
  void reset(std::int64_t entries, int banks, bool functional);
};

// The operands of one PE for one group: per input channel c, a span of its activations and a span of the
// group's weights (shared by all PEs: weights are broadcast).
struct PeOperands {
  const std::vector<ActEntry>* acts = nullptr;
  const std::vector<std::int64_t>* act_offsets = nullptr;  // C + 1 offsets into acts
  const std::vector<WtEntry>* wts = nullptr;
  const std::vector<std::int64_t>* wt_offsets = nullptr;  // C + 1 offsets into wts
  std::int64_t channels = 0;
};

// Issues one Cartesian product of `na` activations and `nw` weights at PE-local cycle `now`: computes the
// output coordinates, discards products outside the chunk, and queues the others at their banks (each bank
// retires one product per cycle).
void issue_vectors(const ActEntry* a, int na, const WtEntry* w, int nw, const PeFrame& f, const ArrayShape& x,
                   Accumulator& acc, std::int64_t now, PeTally& t);

// Fast mode: runs the PE's whole group in a tight loop.
PeTally run_group_fast(const PeOperands& op, const PeFrame& f, const ArrayShape& x, Accumulator& acc);

}  // namespace sparsim::scnn
