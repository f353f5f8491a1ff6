#pragma once
// Detailed mode: one SCNN PE stepped one cycle at a time. Each cycle it either issues the next vector pair
// (F weights x I activations) through the coordinate unit into the scatter crossbar's bank queues, or
// stalls because a queue is too full; either way the banks take one product each (crossbar.hpp).
#include <cstdint>

#include "models/scnn/crossbar.hpp"
#include "models/scnn/pe_core.hpp"

namespace sparsim::scnn {

class PeCursor {
 public:
  PeCursor(const PeOperands& op, const PeFrame& f, const ArrayShape& x, Accumulator& acc);
  bool done() const { return done_ && xbar_.empty(); }
  void tick();  // one clock cycle
  const PeTally& tally() const { return tally_; }

 private:
  void settle();  // skip empty channels / passes to the next pair, or finish
  const PeOperands* op_;
  const PeFrame* f_;
  const ArrayShape* x_;
  Accumulator* acc_;
  Crossbar xbar_;
  PeTally tally_;
  std::int64_t c_ = 0, pass_ = 0, av_ = 0, wv_ = 0;
  bool done_ = false;
};

}  // namespace sparsim::scnn
