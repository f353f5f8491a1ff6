#pragma once
// SCNN's compressed activation/weight format: a stream of entries, each a value plus a 4-bit count of the
// zeros skipped before it. A run of more than 15 zeros is bridged by a placeholder entry holding the value
// zero (it covers 15 skipped zeros and itself). Trailing zeros are not encoded: the stream's dense length
// is known from the layer shape. Entries are packed LSB-first as value bits then index bits.
#include <cstdint>
#include <vector>

namespace sparsim::scnn {

struct CompressedStream {
  std::vector<std::uint8_t> bytes;  // packed entries
  std::int64_t entries = 0;         // non-zeros plus placeholders
  std::int64_t dense_length = 0;
  int value_bits = 16, index_bits = 4;
  std::int64_t bits() const { return entries * (value_bits + index_bits); }
};

CompressedStream encode(const std::vector<std::int16_t>& dense, int value_bits = 16, int index_bits = 4);
std::vector<std::int16_t> decode(const CompressedStream& stream);

// Entries needed for `zeros_before` zeros ahead of a non-zero: the non-zero plus one placeholder for every
// full span of 2^index_bits positions.
inline std::int64_t entries_for_run(std::int64_t zeros_before, int index_bits) {
  return 1 + (zeros_before >> index_bits);
}

// Counts entries of a sequence given as the positions of its non-zeros (ascending) -- the size of the
// stream without building it, for timing-only runs.
class EntryCounter {
 public:
  explicit EntryCounter(int index_bits) : index_bits_(index_bits) {}
  void nonzero_at(std::int64_t pos) {
    entries_ += entries_for_run(pos - next_, index_bits_);
    next_ = pos + 1;
  }
  std::int64_t entries() const { return entries_; }

 private:
  int index_bits_;
  std::int64_t next_ = 0;
  std::int64_t entries_ = 0;
};

inline std::int64_t bytes_of(std::int64_t entries, int value_bits, int index_bits) {
  return (entries * (value_bits + index_bits) + 7) / 8;
}

}  // namespace sparsim::scnn
