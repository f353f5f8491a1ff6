#pragma once
// One DCNN PE as hardware, stepped cycle by cycle by the dense grid (detailed mode): its IARAM image
// (the dense input window it holds, channel-innermost so the I channels of one position are one word),
// active and shadow weight registers for an F x I block, the F x I multipliers with zero gating, F adder
// trees, and the accumulator banks the F sums are written to (one write per bank per cycle). Values flow
// through it in functional runs; otherwise the operands' non-zero bits do, which is all the timing and the
// gating counters need.
//
// A group is a sequence of weight blocks in loop order (c-vector, r, s, k-vector); the PE runs every pixel
// of its own output tile against one block before taking the next from its shadow registers, where the
// grid's weight bus broadcasts it. The fast mode's closed form (dense_grid.cpp) is measured against this.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "models/scnn/layer_data.hpp"

namespace sparsim::scnn {

// The geometry shared by every PE of a group.
struct DenseGroupShape {
  int F = 4, I = 4;
  int k_ways = 4, pos_ways = 8;  // accumulator banks: pos_ways x k_ways, as SCNN's (ArrayShape::set_banks)
  std::int64_t kc_lo = 0, kc_n = 1;
  std::int64_t cvec = 1, kvec = 1;  // c-vectors (C / I) and k-vectors (kc_n / F), rounded up
};

// What one PE did over a group, counted by its structure.
struct DenseTally {
  std::uint64_t busy = 0;      // cycles that multiplied
  std::uint64_t conflict = 0;  // cycles writing sums left over by a bank conflict
  std::uint64_t mults = 0;     // multiplies of two non-zero operands (all pairs without gating)
  std::uint64_t gated = 0;     // pairs with a zero operand, gated (DCNN-opt)
  std::uint64_t blocks = 0;    // weight blocks taken into the active registers
  std::uint64_t sums = 0;      // accumulator read-modify-writes
};

// The dense input window one PE holds (rows y0..y1, columns x0..x1 of every channel), filled when a chunk
// loads: values (functional) or 1 for a non-zero.
struct DenseIaram {
  std::int64_t y0 = 0, y1 = 0, x0 = 0, x1 = 0, channels = 0;
  std::vector<std::int16_t> words;
  void fill(const LayerData& data, std::int64_t y_lo, std::int64_t y_hi, std::int64_t x_lo, std::int64_t x_hi);
  // Address of channel c at (y, x): channel-innermost, so the I channels of a c-vector are adjacent.
  std::int64_t address(std::int64_t c, std::int64_t y, std::int64_t x) const {
    return ((y - y0) * (x1 - x0) + (x - x0)) * channels + c;
  }
  bool holds(std::int64_t y, std::int64_t x) const { return y >= y0 && y < y1 && x >= x0 && x < x1; }
};

// The F adder trees of a DCNN PE and the accumulator banks their sums go to, shared by the FF/BP and the WU
// PE: a lane's sum waits in its output register until its bank is free; each bank takes one sum per cycle.
class DenseLanes {
 public:
  void reset(int F, int banks);
  // Lane f: the dot product of n operand pairs (weight(i), act(i)), into its output register for `bank`. A pair
  // with a zero operand is gated when `gating` (counted in t.gated), else multiplied like the others.
  template <typename Weight, typename Act>
  void dot(std::int64_t f, std::int64_t n, Weight weight, Act act, int bank, bool gating, DenseTally& t) {
    std::int64_t sum = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      const std::int64_t w = weight(i), a = act(i);
      if (w != 0 && a != 0) {
        ++t.mults;
        sum += w * a;
      } else if (gating) {
        ++t.gated;
      } else {
        ++t.mults;
      }
    }
    sum_[static_cast<std::size_t>(f)] = sum;
    bank_[static_cast<std::size_t>(f)] = bank;
    pending_ |= std::uint64_t{1} << f;
  }
  // One cycle of the banks over lanes [0, lanes): each bank takes one waiting sum, `take(f, sum)` adds it to
  // its entry. Returns true when no sum waits any more.
  template <typename Take>
  bool write(std::int64_t lanes, DenseTally& t, Take take) {
    std::fill(used_.begin(), used_.end(), 0);
    for (std::int64_t f = 0; f < lanes; ++f) {
      const std::uint64_t bit = std::uint64_t{1} << f;
      if (!(pending_ & bit)) continue;
      auto& used = used_[static_cast<std::size_t>(bank_[static_cast<std::size_t>(f)])];
      if (used) continue;
      used = 1;
      pending_ &= ~bit;
      ++t.sums;
      take(f, sum_[static_cast<std::size_t>(f)]);
    }
    return pending_ == 0;
  }
  bool pending() const { return pending_ != 0; }

 private:
  std::vector<std::int64_t> sum_;  // the adder trees' output registers
  std::vector<int> bank_;
  std::uint64_t pending_ = 0;       // bit f: lane f's sum not yet written (F <= 64)
  std::vector<std::uint8_t> used_;  // banks written this cycle
};

class DensePe {
 public:
  enum class Cycle { Multiply, BankWrite, WaitWeights, Idle };
  // The PE's own output tile oy x ox for one group; block 0 is in its active registers (loaded with the
  // group's weights). `gating`: multiplies with a zero operand spend nothing (DCNN-opt).
  DensePe(const LayerData& data, const DenseIaram& iaram, const DenseGroupShape& g, Range oy, Range ox, bool gating);
  bool active() const { return pixels_ > 0; }
  // The block in the active registers (its shadow registers are free for the next one).
  std::int64_t block() const { return block_; }
  // One cycle; `delivered` is the last block whose broadcast into the shadow registers has completed.
  Cycle tick(std::int64_t delivered);
  const DenseTally& tally() const { return tally_; }
  // Functional runs: the PE's partial sums, K x Ho x Wo positions of its tile and the group's channels.
  void write_outputs(std::vector<std::int64_t>& out) const;

 private:
  void load_block(std::int64_t b);
  void multiply();
  void write_banks();

  const LayerData& data_;
  const DenseIaram& iaram_;
  const DenseGroupShape& g_;
  Range oy_, ox_;
  bool gating_, functional_;
  std::int64_t pixels_ = 0, blocks_ = 0;
  std::int64_t block_ = -1, pixel_ = 0;
  std::int64_t cv_ = 0, r_ = 0, s_ = 0, kv_ = 0, vw_ = 0, vi_ = 0;  // the active block's coordinates
  std::vector<std::int32_t> wreg_;                                  // active weight registers, F x I
  DenseLanes lanes_;
  std::vector<std::int64_t> acc_;  // accumulator entries (functional), pixel-major: pixel * kc_n + k
  std::vector<std::int16_t> act_;  // the I activations read for the current pixel
  DenseTally tally_;
};

// WU (sparsim's training extension) on a DCNN PE: for its tile of dY positions and one input channel c,
// loop (r, s), k-vector, position-vector; each cycle multiplies F gradient channels x I positions (the
// streamed dY block) with the I inputs those positions see at (r, s) (one IARAM read per position),
// reducing over the positions into F partial dW written to the accumulator banks (entry (k, r, s)).
class DenseWuPe {
 public:
  DenseWuPe(const LayerData& fwd, const DenseIaram& iaram, const Mask& dy, const std::vector<std::int16_t>* dy_values,
            const DenseGroupShape& g, std::int64_t c, Range oy, Range ox, bool gating);
  bool done() const { return step_ == steps_ && !lanes_.pending(); }
  // One cycle: Multiply, BankWrite (a conflict) or Idle (done).
  DensePe::Cycle tick();
  const DenseTally& tally() const { return tally_; }
  // Functional runs: adds the PE's partial dW of channel c into `dw` (K x C x R x S), the cross-PE reduction.
  void add_partials(std::vector<std::int64_t>& dw) const;

 private:
  void multiply();
  void write_banks();

  const LayerData& fwd_;
  const DenseIaram& iaram_;
  const Mask& dy_;
  const std::vector<std::int16_t>* dy_values_;
  const DenseGroupShape& g_;
  std::int64_t c_;
  Range oy_, ox_;
  bool gating_;
  std::int64_t pixels_ = 0, pvec_ = 0, steps_ = 0, step_ = 0;
  std::int64_t r_ = 0, s_ = 0, kv_ = 0, pv_ = 0, vw_ = 0, vi_ = 0;
  DenseLanes lanes_;
  std::vector<std::int64_t> acc_;  // (k, r, s) partial dW, functional runs
  std::vector<std::int16_t> act_;
  std::vector<std::int64_t> pos_;  // the position-vector's dY indices (k = 0)
  DenseTally tally_;
};

}  // namespace sparsim::scnn
