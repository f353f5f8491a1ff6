#pragma once
// Byte address -> (channel, rank, bank group, bank, row, column) by a field order such as DRAMSim3's
// "rochrababgco": two-letter fields from the most to the least significant above the burst offset. Each
// field is a digit of its own radix (its count), so a power-of-two count is a bit field and a count such
// as 12 channels interleaves by modulo.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "models/memory/dram_spec.hpp"

namespace sparsim::memory {

struct DramCoord {
  int channel = 0, rank = 0, bankgroup = 0, bank = 0;  // bank within its group
  i64 row = 0, column = 0;                             // column in bursts within the row
  int flat_bank(const DramSpec& s) const { return (rank * s.bankgroups + bankgroup) * s.banks_per_group + bank; }
};

class AddressMap {
 public:
  // Throws std::invalid_argument naming what is wrong with the mapping string.
  explicit AddressMap(const DramSpec& spec);
  DramCoord decode(std::uint64_t byte_address) const {
    if (!plain_) return decode_general(byte_address);
    // Every radix a power of two and no channel hash (the common case): bit fields, inline, so that the
    // result stays in registers (a DRAM fast-mode burst's decode was an eighth of its cost out of line).
    const std::uint64_t a = byte_address >> shift_;
    const auto field = [&](int k) { return (a >> field_shift_[k]) & field_mask_[k]; };
    DramCoord c;
    c.channel = static_cast<int>(field(0));
    c.rank = static_cast<int>(field(1));
    c.bankgroup = static_cast<int>(field(2));
    c.bank = static_cast<int>(field(3));
    c.row = static_cast<i64>(field(4));
    c.column = static_cast<i64>(field(5));
    return c;
  }
  // Bursts in a row of consecutive addresses that share one channel (the radices below the channel digit),
  // and log2 of the burst size.
  std::uint64_t run_bursts() const { return below_; }
  int burst_shift() const { return shift_; }
  // The channel of run r (bursts [r * run_bursts(), (r + 1) * run_bursts())), as decode() gives it.
  int channel_of_run(std::uint64_t r) const {
    // Runs come in address order, so the span of `channels` runs that shares one rotation is remembered:
    // inside it the channel is an addition, no division.
    if (r - memo_first_ >= channels_) {  // unsigned: also true below the span
      const std::uint64_t u = r / channels_;
      memo_first_ = u * channels_;
      memo_rot_ = static_cast<std::uint64_t>(rotation(u));
    }
    const std::uint64_t ch = r - memo_first_ + memo_rot_;  // both terms below channels_
    return static_cast<int>(ch >= channels_ ? ch - channels_ : ch);
  }

 private:
  int rotation(std::uint64_t upper) const;
  DramCoord decode_general(std::uint64_t byte_address) const;
  int order_[6] = {};  // field kinds from the least significant: 0 ch, 1 ra, 2 bg, 3 ba, 4 ro, 5 co
  i64 radix_[6] = {};  // count of each kind
  int shift_ = 0;
  bool pow2_ = false;        // every radix a power of two: decode by shifts and masks
  int bits_[6] = {};         // log2 of each kind's radix, -1 where it is not a power of two
  int field_shift_[6] = {};  // pow2_: each kind's bit offset above the burst offset, and its mask
  std::uint64_t field_mask_[6] = {};
  std::uint64_t below_ = 1;  // bursts per run of one channel digit (product of the radices below it)
  std::uint64_t channels_ = 1;
  bool hash_ = false;
  bool plain_ = false;  // pow2_ and no channel hash: decode() inline
  // The rotation of the last span used (decode_general and channel_of_run), and the span's first run.
  mutable std::uint64_t memo_first_ = 0, memo_rot_ = 0;
};

}  // namespace sparsim::memory
