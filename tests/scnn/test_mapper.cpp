// The PT-IS-CP-sparse mapper and the planar geometry.
#include <catch2/catch.hpp>

#include "dataflows/scnn/mapper.hpp"

using namespace sparsim::scnn;

TEST_CASE("scnn geometry: every input has one owner and accumulators cover their products", "[scnn][mapper]") {
  for (std::int64_t in : {7, 13, 28, 57})
    for (std::int64_t k : {1, 3, 5, 11})
      for (std::int64_t stride : {1, 2, 4})
        for (std::int64_t pad : {std::int64_t{0}, k / 2}) {
          if (in + 2 * pad < k) continue;
          const std::int64_t out = (in + 2 * pad - k) / stride + 1;
          const AxisTiling t = tile_axis(in, k, stride, pad, {0, out}, 8);
          INFO("in " << in << " k " << k << " stride " << stride << " pad " << pad);
          std::vector<int> owners(static_cast<std::size_t>(in), 0);
          for (int p = 0; p < 8; ++p)
            for (std::int64_t x = t.in[p].lo; x < t.in[p].hi; ++x) ++owners[static_cast<std::size_t>(x)];
          for (std::int64_t x = 0; x < in; ++x) {
            // Inputs that feed some output have exactly one owner.
            bool feeds = false;
            for (std::int64_t r = 0; r < k; ++r)
              if ((x + pad - r) % stride == 0 && (x + pad - r) / stride >= 0 && (x + pad - r) / stride < out &&
                  x + pad - r >= 0)
                feeds = true;
            if (feeds) REQUIRE(owners[static_cast<std::size_t>(x)] == 1);
          }
          for (int p = 0; p < 8; ++p)
            for (std::int64_t x = t.in[p].lo; x < t.in[p].hi; ++x)
              for (std::int64_t r = 0; r < k; ++r) {
                const std::int64_t n = x + pad - r;
                if (n < 0 || n % stride) continue;
                if (n / stride < out) REQUIRE(t.acc[p].contains(n / stride));
              }
        }
}

TEST_CASE("scnn mapper: Kc and tiles stay within the accumulator and RAMs", "[scnn][mapper]") {
  GridSpec g;
  const ConvShape big{64, 64, 224, 224, 3, 3, 1, 1};    // VGG conv1_2
  const ConvShape small{512, 512, 14, 14, 3, 3, 1, 1};  // VGG conv5_x
  for (const ConvShape& s : {big, small}) {
    const PlaneMapping m = map_sparse(s, g, {0.3, 0.5, 0.5});
    INFO(m.to_json().dump());
    REQUIRE(m.kc * m.acc_h * m.acc_w <= g.acc_entries());
    REQUIRE(m.groups * m.kc >= s.K);
    REQUIRE(m.tile_h * g.pe_rows * m.chunks >= s.Ho());
    REQUIRE(m.legal_candidates > 0);
    REQUIRE(m.est_iaram_bytes <= g.iaram_bytes);
  }
  // The 224x224 layer does not fit on chip in one piece: it is processed in row chunks.
  REQUIRE(map_sparse(big, g, {0.3, 0.5, 0.5}).chunks > 1);
  REQUIRE(map_sparse(small, g, {0.3, 0.5, 0.5}).chunks == 1);
  // Denser activations need more IARAM per pixel, so never fewer chunks.
  REQUIRE(map_sparse(big, g, {0.3, 1.0, 0.5}).chunks >= map_sparse(big, g, {0.3, 0.2, 0.5}).chunks);
}
