#include "models/scnn/format.hpp"

#include <stdexcept>

namespace sparsim::scnn {

namespace {

class BitWriter {
 public:
  explicit BitWriter(std::vector<std::uint8_t>& out) : out_(out) {}
  void put(std::uint32_t v, int bits) {
    for (int b = 0; b < bits; ++b, ++pos_) {
      if ((pos_ & 7) == 0) out_.push_back(0);
      if ((v >> b) & 1U) out_.back() = static_cast<std::uint8_t>(out_.back() | (1U << (pos_ & 7)));
    }
  }

 private:
  std::vector<std::uint8_t>& out_;
  std::int64_t pos_ = 0;
};

class BitReader {
 public:
  explicit BitReader(const std::vector<std::uint8_t>& in) : in_(in) {}
  std::uint32_t get(int bits) {
    std::uint32_t v = 0;
    for (int b = 0; b < bits; ++b, ++pos_) {
      const auto byte = static_cast<std::size_t>(pos_ >> 3);
      if (byte >= in_.size()) throw std::runtime_error("compressed stream truncated");
      v |= static_cast<std::uint32_t>((in_[byte] >> (pos_ & 7)) & 1U) << b;
    }
    return v;
  }

 private:
  const std::vector<std::uint8_t>& in_;
  std::int64_t pos_ = 0;
};

}  // namespace

CompressedStream encode(const std::vector<std::int16_t>& dense, int value_bits, int index_bits) {
  if (value_bits < 1 || value_bits > 16 || index_bits < 1 || index_bits > 16)
    throw std::invalid_argument("compressed format: value bits must be 1..16 and index bits 1..16");
  CompressedStream s;
  s.value_bits = value_bits;
  s.index_bits = index_bits;
  s.dense_length = static_cast<std::int64_t>(dense.size());
  const std::int64_t max_run = (std::int64_t{1} << index_bits) - 1;
  const std::uint32_t value_mask = value_bits == 32 ? ~0U : ((1U << value_bits) - 1U);
  BitWriter w(s.bytes);
  std::int64_t run = 0;
  for (std::int16_t v : dense) {
    if (v == 0) {
      ++run;
      continue;
    }
    while (run > max_run) {  // placeholder: skip max_run zeros, then store an explicit zero
      w.put(0, value_bits);
      w.put(static_cast<std::uint32_t>(max_run), index_bits);
      ++s.entries;
      run -= max_run + 1;
    }
    w.put(static_cast<std::uint32_t>(static_cast<std::uint16_t>(v)) & value_mask, value_bits);
    w.put(static_cast<std::uint32_t>(run), index_bits);
    ++s.entries;
    run = 0;
  }
  return s;
}

std::vector<std::int16_t> decode(const CompressedStream& s) {
  std::vector<std::int16_t> out(static_cast<std::size_t>(s.dense_length), 0);
  BitReader r(s.bytes);
  std::int64_t pos = 0;
  for (std::int64_t e = 0; e < s.entries; ++e) {
    std::uint32_t raw = r.get(s.value_bits);
    const std::int64_t run = r.get(s.index_bits);
    // Sign-extend values narrower than 16 bits.
    if (s.value_bits < 16 && (raw >> (s.value_bits - 1)) & 1U) raw |= ~((1U << s.value_bits) - 1U);
    pos += run;
    if (pos >= s.dense_length) throw std::runtime_error("compressed stream runs past its dense length");
    out[static_cast<std::size_t>(pos)] = static_cast<std::int16_t>(static_cast<std::uint16_t>(raw & 0xFFFFU));
    ++pos;
  }
  return out;
}

}  // namespace sparsim::scnn
