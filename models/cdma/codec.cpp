#include "models/cdma/codec.hpp"

#include <zlib.h>

#include <cstring>
#include <stdexcept>

#include "sim/alloc_guard.hpp"

namespace sparsim::cdma {

Codec parse_codec(const std::string& name) {
  if (name == "none") return Codec::None;
  if (name == "zvc") return Codec::Zvc;
  if (name == "rle") return Codec::Rle;
  if (name == "zlib") return Codec::Zlib;
  throw std::invalid_argument("unknown codec '" + name + "'");
}

const char* codec_name(Codec c) {
  switch (c) {
    case Codec::None:
      return "none";
    case Codec::Zvc:
      return "zvc";
    case Codec::Rle:
      return "rle";
    case Codec::Zlib:
      return "zlib";
  }
  return "?";
}

namespace {

void put_word(std::vector<std::uint8_t>& out, std::uint32_t w) {
  // Little-endian on the wire, independent of the host.
  for (int b = 0; b < 4; ++b) out.push_back(static_cast<std::uint8_t>(w >> (8 * b)));
}

std::uint32_t get_word(std::span<const std::uint8_t> in, std::size_t& pos) {
  if (pos + 4 > in.size()) throw std::runtime_error("compressed stream truncated");
  std::uint32_t w = 0;
  for (int b = 0; b < 4; ++b) w |= static_cast<std::uint32_t>(in[pos + b]) << (8 * b);
  pos += 4;
  return w;
}

std::vector<std::uint8_t> zvc_compress(std::span<const std::uint32_t> words) {
  std::vector<std::uint8_t> out;
  out.reserve(zvc_size(words));
  for (std::size_t base = 0; base < words.size(); base += kZvcWindowWords) {
    const std::size_t n = std::min(kZvcWindowWords, words.size() - base);
    std::uint32_t mask = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (words[base + i]) mask |= 1u << i;
    put_word(out, mask);
    for (std::size_t i = 0; i < n; ++i)
      if (words[base + i]) put_word(out, words[base + i]);
  }
  return out;
}

std::vector<std::uint32_t> zvc_decompress(std::span<const std::uint8_t> in, std::size_t count) {
  std::vector<std::uint32_t> out;
  out.reserve(count);
  std::size_t pos = 0;
  while (out.size() < count) {
    const std::size_t n = std::min(kZvcWindowWords, count - out.size());
    const std::uint32_t mask = get_word(in, pos);
    if (n < 32 && (mask >> n) != 0) throw std::runtime_error("zvc mask marks words past the end");
    for (std::size_t i = 0; i < n; ++i) out.push_back((mask >> i) & 1u ? get_word(in, pos) : 0u);
  }
  if (pos != in.size()) throw std::runtime_error("zvc stream longer than its words");
  return out;
}

std::vector<std::uint8_t> rle_compress(std::span<const std::uint32_t> words) {
  std::vector<std::uint8_t> out;
  std::size_t run = 0;
  for (std::uint32_t w : words) {
    if (w == 0) {
      if (++run == 255) {
        out.push_back(255);
        run = 0;
      }
      continue;
    }
    out.push_back(static_cast<std::uint8_t>(run));
    put_word(out, w);
    run = 0;
  }
  if (run) out.push_back(static_cast<std::uint8_t>(run));
  return out;
}

std::vector<std::uint32_t> rle_decompress(std::span<const std::uint8_t> in, std::size_t count) {
  std::vector<std::uint32_t> out;
  out.reserve(count);
  std::size_t pos = 0;
  while (out.size() < count) {
    if (pos >= in.size()) throw std::runtime_error("rle stream truncated");
    const std::uint8_t r = in[pos++];
    if (out.size() + r > count) throw std::runtime_error("rle zero run past the end");
    out.insert(out.end(), r, 0u);
    if (r == 255 || out.size() == count) continue;
    const std::uint32_t w = get_word(in, pos);
    if (w == 0) throw std::runtime_error("rle literal is zero");
    out.push_back(w);
  }
  if (pos != in.size()) throw std::runtime_error("rle stream longer than its words");
  return out;
}

std::vector<std::uint8_t> zlib_compress(std::span<const std::uint32_t> words, int level) {
  check_allocation(static_cast<double>(words.size()), 8.0, "the compressor's buffers for an activation map");
  std::vector<std::uint8_t> raw;
  raw.reserve(words.size() * 4);
  for (std::uint32_t w : words) put_word(raw, w);
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::vector<std::uint8_t> out(size);
  if (compress2(out.data(), &size, raw.data(), static_cast<uLong>(raw.size()), level) != Z_OK)
    throw std::runtime_error("zlib compress2 failed");
  out.resize(size);
  return out;
}

std::vector<std::uint32_t> zlib_decompress(std::span<const std::uint8_t> in, std::size_t count) {
  std::vector<std::uint8_t> raw(count * 4);
  uLongf size = static_cast<uLongf>(raw.size());
  if (uncompress(raw.data(), &size, in.data(), static_cast<uLong>(in.size())) != Z_OK || size != raw.size())
    throw std::runtime_error("zlib stream does not decode to the expected size");
  std::vector<std::uint32_t> out(count);
  std::size_t pos = 0;
  for (auto& w : out) w = get_word(raw, pos);
  return out;
}

}  // namespace

std::size_t zvc_size(std::span<const std::uint32_t> words) {
  std::size_t nz = 0;
  for (std::uint32_t w : words) nz += w != 0;
  return 4 * ((words.size() + kZvcWindowWords - 1) / kZvcWindowWords) + 4 * nz;
}

std::vector<std::uint8_t> compress(Codec codec, std::span<const std::uint32_t> words, int zlib_level) {
  switch (codec) {
    case Codec::None: {
      std::vector<std::uint8_t> out;
      out.reserve(words.size() * 4);
      for (std::uint32_t w : words) put_word(out, w);
      return out;
    }
    case Codec::Zvc:
      return zvc_compress(words);
    case Codec::Rle:
      return rle_compress(words);
    case Codec::Zlib:
      return zlib_compress(words, zlib_level);
  }
  return {};
}

std::vector<std::uint32_t> decompress(Codec codec, std::span<const std::uint8_t> bytes, std::size_t word_count) {
  switch (codec) {
    case Codec::None: {
      if (bytes.size() != word_count * 4) throw std::runtime_error("raw stream has the wrong length");
      std::vector<std::uint32_t> out(word_count);
      std::size_t pos = 0;
      for (auto& w : out) w = get_word(bytes, pos);
      return out;
    }
    case Codec::Zvc:
      return zvc_decompress(bytes, word_count);
    case Codec::Rle:
      return rle_decompress(bytes, word_count);
    case Codec::Zlib:
      return zlib_decompress(bytes, word_count);
  }
  return {};
}

}  // namespace sparsim::cdma
