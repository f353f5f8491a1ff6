#include "models/memory/address_map.hpp"

#include <bit>
#include <stdexcept>

namespace sparsim::memory {

namespace {
int log2_exact(i64 v) { return std::countr_zero(static_cast<std::uint64_t>(v)); }
}  // namespace

AddressMap::AddressMap(const DramSpec& s) {
  static const char* const names[6] = {"ch", "ra", "bg", "ba", "ro", "co"};
  const i64 counts[6] = {s.channels, s.ranks, s.bankgroups, s.banks_per_group, s.rows, s.bursts_per_row()};
  const std::string& m = s.address_mapping;
  if (m.size() != 12)
    throw std::invalid_argument("'" + m + "' must name the six fields ch ra bg ba ro co once each, e.g. rochrababgco");
  bool seen[6] = {};
  int order[6];
  for (int i = 0; i < 6; ++i) {
    const std::string f = m.substr(2 * static_cast<std::size_t>(i), 2);
    int k = 0;
    while (k < 6 && f != names[k]) ++k;
    if (k == 6) throw std::invalid_argument("'" + m + "': unknown field '" + f + "' (fields: ch ra bg ba ro co)");
    if (seen[k]) throw std::invalid_argument("'" + m + "': field '" + f + "' appears twice");
    seen[k] = true;
    order[i] = k;
  }
  shift_ = log2_exact(s.burst_bytes());
  for (int i = 0; i < 6; ++i) {
    order_[i] = order[5 - i];
    radix_[order_[i]] = counts[order_[i]];
  }
  for (int i = 0; i < 6 && order_[i] != 0; ++i) below_ *= static_cast<std::uint64_t>(radix_[order_[i]]);
  pow2_ = true;
  for (int k = 0; k < 6; ++k) {
    const bool p2 = std::has_single_bit(static_cast<std::uint64_t>(radix_[k]));
    pow2_ = pow2_ && p2;
    bits_[k] = p2 ? log2_exact(radix_[k]) : -1;
  }
  for (int i = 0, at = 0; pow2_ && i < 6; at += bits_[order_[i]], ++i) {
    field_shift_[order_[i]] = at;
    field_mask_[order_[i]] = (std::uint64_t{1} << bits_[order_[i]]) - 1;
  }
  channels_ = static_cast<std::uint64_t>(s.channels);
  hash_ = s.hash_channels;
  plain_ = pow2_ && (!hash_ || channels_ == 1);
  memo_rot_ = static_cast<std::uint64_t>(rotation(0));  // span 0 remembered from the start
}

// A mix of the digits above the channel digit (splitmix64's finaliser): neighbouring spans get unrelated
// rotations, so any stride visits every channel.
int AddressMap::rotation(std::uint64_t upper) const {
  if (!hash_ || channels_ == 1) return 0;
  std::uint64_t x = upper + 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  x ^= x >> 31;
  return static_cast<int>(x % channels_);
}

DramCoord AddressMap::decode_general(std::uint64_t addr) const {
  std::uint64_t a = addr >> shift_;
  i64 v[6];
  std::uint64_t upper = 0;  // the digits above the channel digit
  for (int i = 0; i < 6; ++i) {
    const int k = order_[i];
    if (bits_[k] >= 0) {  // a power-of-two radix: a bit field, no division
      v[k] = static_cast<i64>(a & ((std::uint64_t{1} << bits_[k]) - 1));
      a >>= bits_[k];
    } else {
      const std::uint64_t r = static_cast<std::uint64_t>(radix_[k]);
      v[k] = static_cast<i64>(a % r);
      a /= r;
    }
    if (k == 0) upper = a;
  }
  DramCoord c;
  if (!hash_ || channels_ == 1) {
    c.channel = static_cast<int>(v[0]);
  } else {
    // The span's rotation is remembered: neighbouring addresses share it.
    if (upper * channels_ != memo_first_) {
      memo_first_ = upper * channels_;
      memo_rot_ = static_cast<std::uint64_t>(rotation(upper));
    }
    const std::uint64_t ch = static_cast<std::uint64_t>(v[0]) + memo_rot_;  // both below channels_
    c.channel = static_cast<int>(ch >= channels_ ? ch - channels_ : ch);
  }
  c.rank = static_cast<int>(v[1]);
  c.bankgroup = static_cast<int>(v[2]);
  c.bank = static_cast<int>(v[3]);
  c.row = v[4];
  c.column = v[5];
  return c;
}

}  // namespace sparsim::memory
