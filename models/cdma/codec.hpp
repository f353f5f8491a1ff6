#pragma once
// Lossless activation codecs of the compressing DMA engine (cDMA, Rhu et al., HPCA 2018). Activations are
// 32-bit words (fp32 bit patterns); every codec round-trips them bit-exactly.
//   ZVC  zero-value compression: per window of 32 words, a 32-bit mask (bit i set: word i non-zero) then
//        the non-zero words in order. A final partial window still carries a full 4-byte mask.
//   RLE  run-length encoding of zeros: a stream of tokens; a token is one byte r (0..254: r zeros then one
//        literal 4-byte word; 255: 255 zeros and no literal). Trailing zeros end with a token and no
//        literal, because the decoder knows the word count.
//   ZLIB DEFLATE through zlib's compress2/uncompress (a software stand-in for a hardware zlib-class engine).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sparsim::cdma {

enum class Codec { None, Zvc, Rle, Zlib };

Codec parse_codec(const std::string& name);  // "none", "zvc", "rle", "zlib"
const char* codec_name(Codec c);

constexpr std::size_t kZvcWindowWords = 32;

std::vector<std::uint8_t> compress(Codec codec, std::span<const std::uint32_t> words, int zlib_level = 6);
// Throws std::runtime_error on a malformed stream (wrong length, truncated tokens).
std::vector<std::uint32_t> decompress(Codec codec, std::span<const std::uint8_t> bytes, std::size_t word_count);

// Size in bytes of the ZVC stream of `words` without building it (used to cross-check the encoder).
std::size_t zvc_size(std::span<const std::uint32_t> words);

}  // namespace sparsim::cdma
