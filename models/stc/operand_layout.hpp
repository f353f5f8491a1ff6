#pragma once
// Where a GEMM's operands lie in HBM, so the HBM hop moves real addresses: A (M x K) row-major as the
// framework stores a weight, or, compressed 2:4, the sparse library's buffer tile by tile (values and
// metadata of each CTA k-chunk contiguous); B (K x N) and C (M x N) row-major; instance after instance,
// one region after the other. The blocks of a set of CTAs' k-chunks cover their distinct tiles (CTAs of a
// wave share A row panels and B column panels), cut to the bytes the L2 reuse model says miss.
#include <cstdint>
#include <vector>

#include "dataflows/gemm/gemm_tiler.hpp"
#include "models/memory/dram_module.hpp"

namespace sparsim::stc {

using Blocks = std::vector<memory::DramModule::Block>;

class OperandLayout {
 public:
  OperandLayout(const gemm::KernelPlan& plan, const gemm::GemmShape& g, std::int64_t elem_bytes);
  // A (values, then metadata when sparse) of k-chunk [k0, k0 + kt) of the given CTAs, `bytes` of it.
  Blocks a_chunk(const std::vector<std::int64_t>& ctas, std::int64_t k0, std::int64_t kt, std::int64_t bytes) const;
  Blocks b_chunk(const std::vector<std::int64_t>& ctas, std::int64_t k0, std::int64_t kt, std::int64_t bytes) const;
  // The output tiles of the CTAs (written back).
  Blocks c_tiles(const std::vector<std::int64_t>& ctas) const;
  // All of C, and a scratch region of `bytes` for split-K partials that did not fit the L2.
  Blocks c_all() const;
  Blocks scratch(std::int64_t bytes, bool write) const;

 private:
  const gemm::KernelPlan& p_;
  gemm::GemmShape g_;
  std::int64_t eb_;
  std::uint64_t a_, meta_, b_, c_, scratch_;
};

// The first `bytes` of the blocks (whole rows, the last one cut short), going round again if they hold
// fewer bytes than that.
Blocks take_bytes(const Blocks& blocks, std::int64_t bytes);

}  // namespace sparsim::stc
