#pragma once
// The binary mask file (docs/workloads.md, "Mask files"): a fixed little-endian header with magic,
// version, shape, non-zero count and a checksum, followed by the bitmap. Networks refer to mask files by
// path and models load one layer's mask when they need it (LazyMask), so a large network never sits in
// memory whole. Every defect (missing, truncated, wrong magic/version, bad checksum, wrong shape) is an
// InputError naming the file and the layer.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "workloads/mask.hpp"

namespace sparsim {

inline constexpr char kMaskMagic[8] = {'S', 'P', 'S', 'M', 'A', 'S', 'K', '\0'};
inline constexpr std::uint32_t kMaskVersion = 1;
inline constexpr std::uint32_t kMaskMaxRank = 8;

struct MaskHeader {
  std::uint32_t version = kMaskVersion;
  std::vector<std::int64_t> shape;
  std::int64_t size = 0;            // product of the shape
  std::int64_t count = 0;           // non-zeros
  std::uint64_t payload_bytes = 0;  // 8 * ceil(size / 64)
  std::uint64_t checksum = 0;       // FNV-1a 64 over the payload's 64-bit words (see mask_checksum)
  std::uint64_t payload_offset = 0;
  double density() const { return size ? static_cast<double>(count) / static_cast<double>(size) : 0.0; }
};

// FNV-1a, 64-bit, one 64-bit word at a time: h = 0xcbf29ce484222325; for each word: h ^= word;
// h *= 0x100000001b3.
std::uint64_t mask_checksum(const std::uint64_t* words, std::size_t n, std::uint64_t h = 0xcbf29ce484222325ULL);

// `context` names what the file is for in errors, e.g. "layer conv2" (may be empty).
void write_mask_file(const std::string& path, const Mask& mask, const std::string& context = "");
MaskHeader read_mask_header(const std::string& path, const std::string& context = "");
// Reads and verifies the whole file (size, checksum, count, zero padding bits).
Mask read_mask_file(const std::string& path, const std::string& context = "");
// Verifies the whole file while streaming it, holding only a small buffer; returns the header.
MaskHeader verify_mask_file(const std::string& path, const std::string& context = "");

// A mask that stays on disk until get(); release() drops it again.
class LazyMask {
 public:
  LazyMask(std::string path, std::vector<std::int64_t> expected_shape, std::string context);
  const std::string& path() const { return path_; }
  const MaskHeader& header() const { return header_; }  // read and checked at construction
  const Mask& get();
  bool loaded() const { return mask_.has_value(); }
  void release() { mask_.reset(); }

 private:
  std::string path_, context_;
  MaskHeader header_;
  std::optional<Mask> mask_;
};

}  // namespace sparsim
