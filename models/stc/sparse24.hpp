#pragma once
// 2:4 structured sparsity as the Sparse Tensor Core consumes it: a row-major A (rows x cols, cols the
// reduction dimension K) in which every aligned group of 4 consecutive values along a row holds at most
// 2 non-zeros is stored as rows x cols/2 kept values plus a 2-bit column index per kept value.
//
// Metadata layout (logical; the hardware interleaves it further for its register fragments):
//   group g of row r covers columns 4g..4g+3; its two kept values sit at indices i0 < i1 (0..3) and are
//   stored as values[r][2g], values[r][2g+1]; its nibble is i0 | (i1 << 2); the nibbles of groups
//   4j..4j+3 are packed into the 16-bit word meta[r][j], group 4j in the least significant nibble.
//   A group with fewer than two non-zeros keeps explicit zeros at the lowest unused indices, so every
//   nibble names two distinct positions (the hardware requires i0 != i1).
// The sparse MMA reads, for each kept value, the B row its index selects: C = A_pruned * B exactly.
#include <cstdint>
#include <random>
#include <vector>

namespace sparsim::stc {

struct Compressed24 {
  int rows = 0, cols = 0;           // logical shape of A (cols = K, a multiple of 4)
  std::vector<double> values;       // rows x cols/2
  std::vector<std::uint16_t> meta;  // rows x ceil(cols/16)
  int meta_words_per_row() const { return (cols / 4 + 3) / 4; }
};

// True when every aligned group of 4 along each row has at most 2 non-zeros.
bool is_24(const std::vector<double>& a, int rows, int cols);
// Keeps the 2 largest magnitudes of every group of 4 (ties: the lower index); cols % 4 == 0.
std::vector<double> prune_24(const std::vector<double>& a, int rows, int cols);
// A 2:4 mask that stays 2:4 when transposed (rows and cols multiples of 4): in every 4 x 4 block each
// row and each column keeps exactly 2 values; the block pattern is the one of the 90 valid patterns that
// keeps the largest total magnitude. BP multiplies by W^T, so this mask lets FF and BP both run sparse.
std::vector<double> prune_24_transposable(const std::vector<double>& a, int rows, int cols);

// Throws std::invalid_argument if A is not 2:4 or cols % 4 != 0.
Compressed24 compress_24(const std::vector<double>& a, int rows, int cols);
std::vector<double> decompress_24(const Compressed24& c);
// Nibble of group g in row r, and its two indices.
int meta_nibble(const Compressed24& c, int r, int g);

// C (rows x n) = A * B with B row-major cols x n, through the compressed operand (index-selected B rows).
std::vector<double> sparse_mma(const Compressed24& a, const std::vector<double>& b, int n);
std::vector<double> dense_mm(const std::vector<double>& a, const std::vector<double>& b, int m, int k, int n);

// Functional check of one sparse MMA tile with random data: returns max |sparse - dense(pruned)|.
double check_sparse_tile(int m, int k, int n, bool transposable, std::mt19937_64& rng);

}  // namespace sparsim::stc
