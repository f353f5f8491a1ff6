#pragma once
// Byte address -> (channel, rank, bank group, bank, row, column) by a field order such as DRAMSim3's
// "rochrababgco": two-letter fields from the most to the least significant above the burst offset. Each
// field is a digit of its own radix (its count), so a power-of-two count is a bit field and a count such
// as 12 channels interleaves by modulo.
#include <string>

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
  DramCoord decode(std::uint64_t byte_address) const;

 private:
  int order_[6] = {};   // field kinds from the least significant: 0 ch, 1 ra, 2 bg, 3 ba, 4 ro, 5 co
  i64 radix_[6] = {};   // count of each kind
  int shift_ = 0;
};

}  // namespace sparsim::memory
