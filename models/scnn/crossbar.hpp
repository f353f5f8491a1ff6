#pragma once
// SCNN's F*I x A scatter crossbar and accumulator banks as structure (detailed mode). The coordinate unit
// turns each product of a vector pair into an accumulator address and bank (or discards it); the product
// then waits in its bank's queue, and every cycle each bank's adder takes the product at the head of its
// queue and read-modify-writes the accumulator entry. The multiplier array issues a pair only while no
// bank queue holds more than `queue_depth` products (0: every bank has taken all its products, the strict
// scatter). The fast mode's finish-time scoreboard (pe_core.cpp, issue_vectors) is the closed form of this
// and is checked against it counter for counter (tests/scnn/test_timing.cpp, test_crossbar.cpp).
#include <cstdint>
#include <vector>

#include "models/scnn/pe_core.hpp"

namespace sparsim::scnn {

struct Product {
  std::int64_t addr = 0;   // accumulator entry
  std::int64_t value = 0;  // functional runs
};

class Crossbar {
 public:
  // `capacity`: products one bank queue can hold (queue_depth plus the most one pair can send to a bank).
  void reset(int banks, int capacity);
  // The multiplier array may issue: no queue holds more than `queue_depth` products.
  bool accepts(int queue_depth) const;
  void push(int bank, Product p);
  // One cycle of the banks: each takes the product at the head of its queue into its accumulator entry.
  void retire(Accumulator& acc);
  bool empty() const { return queued_ == 0; }
  int occupancy(int bank) const { return size_[static_cast<std::size_t>(bank)]; }

 private:
  int capacity_ = 0;
  std::int64_t queued_ = 0;
  std::vector<Product> slots_;  // banks x capacity, a ring per bank
  std::vector<int> head_, size_;
};

// The coordinate unit of the detailed PE: every product of `na` activations x `nw` weights, with its bank
// and accumulator address, into the crossbar (products outside the chunk, or WU pairs outside R x S, are
// counted and dropped).
void route_products(const ActEntry* a, int na, const WtEntry* w, int nw, const PeFrame& f, const ArrayShape& x,
                    bool functional, Crossbar& xbar, PeTally& t);

}  // namespace sparsim::scnn
