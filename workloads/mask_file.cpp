#include "workloads/mask_file.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "sim/errors.hpp"

namespace sparsim {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& context, const std::string& msg) {
  throw InputError(located(path, context.empty() ? "mask" : context, msg));
}

// Little-endian encoding regardless of the host.
void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint64_t get_le(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

std::uint64_t words_for(std::int64_t size) { return static_cast<std::uint64_t>((size + 63) / 64); }

// Reads the whole header from an open stream and checks it against itself and the file size.
MaskHeader parse_header(std::ifstream& in, const std::string& path, const std::string& context) {
  in.seekg(0, std::ios::end);
  const auto file_size = static_cast<std::uint64_t>(in.tellg());
  in.seekg(0);
  unsigned char fixed[16];
  if (!in.read(reinterpret_cast<char*>(fixed), sizeof fixed))
    fail(path, context, "truncated mask file: " + std::to_string(file_size) + " bytes, shorter than the header");
  if (std::memcmp(fixed, kMaskMagic, 8) != 0) fail(path, context, "not a sparsim mask file (bad magic)");
  MaskHeader h;
  h.version = static_cast<std::uint32_t>(get_le(fixed + 8, 4));
  if (h.version != kMaskVersion)
    fail(path, context,
         "unsupported mask file version " + std::to_string(h.version) + " (this build reads " +
             std::to_string(kMaskVersion) + ")");
  const auto rank = static_cast<std::uint32_t>(get_le(fixed + 12, 4));
  if (rank < 1 || rank > kMaskMaxRank)
    fail(path, context,
         "corrupt mask header: rank " + std::to_string(rank) + " outside 1.." + std::to_string(kMaskMaxRank));
  std::vector<unsigned char> rest(8 * rank + 24);
  if (!in.read(reinterpret_cast<char*>(rest.data()), static_cast<std::streamsize>(rest.size())))
    fail(path, context, "truncated mask file: header cut off");
  h.size = 1;
  for (std::uint32_t d = 0; d < rank; ++d) {
    const auto dim = static_cast<std::int64_t>(get_le(rest.data() + 8 * d, 8));
    if (dim < 1 || dim > (std::int64_t{1} << 40) || h.size > (std::int64_t{1} << 40) / dim)
      fail(path, context, "corrupt mask header: dimension " + std::to_string(d) + " is " + std::to_string(dim));
    h.shape.push_back(dim);
    h.size *= dim;
  }
  const unsigned char* p = rest.data() + 8 * rank;
  h.count = static_cast<std::int64_t>(get_le(p, 8));
  h.payload_bytes = get_le(p + 8, 8);
  h.checksum = get_le(p + 16, 8);
  h.payload_offset = 16 + rest.size();
  if (h.count < 0 || h.count > h.size)
    fail(path, context,
         "corrupt mask header: " + std::to_string(h.count) + " non-zeros in " + std::to_string(h.size) + " elements");
  if (h.payload_bytes != 8 * words_for(h.size))
    fail(path, context,
         "corrupt mask header: payload of " + std::to_string(h.payload_bytes) + " bytes for " + std::to_string(h.size) +
             " elements (expected " + std::to_string(8 * words_for(h.size)) + ")");
  if (file_size < h.payload_offset + h.payload_bytes)
    fail(path, context,
         "truncated mask file: " + std::to_string(file_size) + " bytes, header promises " +
             std::to_string(h.payload_offset + h.payload_bytes));
  if (file_size > h.payload_offset + h.payload_bytes)
    fail(path, context,
         "mask file has " + std::to_string(file_size - h.payload_offset - h.payload_bytes) +
             " trailing bytes after the bitmap");
  return h;
}

std::ifstream open(const std::string& path, const std::string& context) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
    fail(path, context, "not a regular file (a directory, FIFO or device cannot be a mask file)");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, context, "cannot open mask file");
  return in;
}

// Decodes little-endian words in place (a no-op on little-endian hosts).
void from_le(std::uint64_t* w, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) w[i] = get_le(reinterpret_cast<const unsigned char*>(&w[i]), 8);
}

// Streams the payload through `sink(words, n, first_word_index)`, then checks count, checksum and padding.
template <class Sink>
void read_payload(std::ifstream& in, const MaskHeader& h, const std::string& path, const std::string& context,
                  Sink&& sink) {
  in.seekg(static_cast<std::streamoff>(h.payload_offset));
  const std::uint64_t total = h.payload_bytes / 8;
  std::vector<std::uint64_t> buf(std::min<std::uint64_t>(total, 1 << 16));
  std::uint64_t sum = 0xcbf29ce484222325ULL, done = 0;
  std::int64_t count = 0;
  while (done < total) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), total - done));
    if (!in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(8 * n)))
      fail(path, context, "truncated mask file: bitmap cut off");
    from_le(buf.data(), n);
    if (done + n == total && h.size % 64) {
      const std::uint64_t pad = buf[n - 1] >> (h.size % 64);
      if (pad) fail(path, context, "corrupt mask file: bits set past the end of the shape");
    }
    sum = mask_checksum(buf.data(), n, sum);
    for (std::size_t i = 0; i < n; ++i) count += std::popcount(buf[i]);
    sink(buf.data(), n, done);
    done += n;
  }
  if (sum != h.checksum) fail(path, context, "corrupt mask file: checksum mismatch");
  if (count != h.count)
    fail(path, context,
         "corrupt mask file: header says " + std::to_string(h.count) + " non-zeros, bitmap has " +
             std::to_string(count));
}

std::string describe(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

}  // namespace

std::uint64_t mask_checksum(const std::uint64_t* words, std::size_t n, std::uint64_t h) {
  for (std::size_t i = 0; i < n; ++i) {
    h ^= words[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

void write_mask_file(const std::string& path, const Mask& mask, const std::string& context) {
  if (mask.shape().empty() || mask.shape().size() > kMaskMaxRank)
    fail(path, context, "cannot write a mask of rank " + std::to_string(mask.shape().size()));
  std::string header(kMaskMagic, 8);
  put_u32(header, kMaskVersion);
  put_u32(header, static_cast<std::uint32_t>(mask.shape().size()));
  for (auto d : mask.shape()) put_u64(header, static_cast<std::uint64_t>(d));
  put_u64(header, static_cast<std::uint64_t>(mask.count()));
  put_u64(header, 8 * mask.words().size());
  put_u64(header, mask_checksum(mask.words().data(), mask.words().size()));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail(path, context, "cannot write mask file");
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  std::string chunk;
  for (std::uint64_t w : mask.words()) {
    put_u64(chunk, w);
    if (chunk.size() >= (1 << 20)) {
      out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      chunk.clear();
    }
  }
  out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  if (!out) fail(path, context, "error while writing mask file");
}

MaskHeader read_mask_header(const std::string& path, const std::string& context) {
  std::ifstream in = open(path, context);
  return parse_header(in, path, context);
}

Mask read_mask_file(const std::string& path, const std::string& context) {
  std::ifstream in = open(path, context);
  const MaskHeader h = parse_header(in, path, context);
  Mask mask(h.shape);
  read_payload(in, h, path, context, [&](const std::uint64_t* w, std::size_t n, std::uint64_t first) {
    std::copy(w, w + n, mask.words().begin() + static_cast<std::ptrdiff_t>(first));
  });
  return mask;
}

MaskHeader verify_mask_file(const std::string& path, const std::string& context) {
  std::ifstream in = open(path, context);
  const MaskHeader h = parse_header(in, path, context);
  read_payload(in, h, path, context, [](const std::uint64_t*, std::size_t, std::uint64_t) {});
  return h;
}

LazyMask::LazyMask(std::string path, std::vector<std::int64_t> expected_shape, std::string context)
    : path_(std::move(path)), context_(std::move(context)), header_(read_mask_header(path_, context_)) {
  if (!expected_shape.empty() && header_.shape != expected_shape)
    fail(path_, context_,
         "mask of shape " + describe(header_.shape) + " where the layer needs " + describe(expected_shape));
}

const Mask& LazyMask::get() {
  if (!mask_) mask_ = read_mask_file(path_, context_);
  return *mask_;
}

}  // namespace sparsim
