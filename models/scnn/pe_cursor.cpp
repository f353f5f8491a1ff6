#include "models/scnn/pe_cursor.hpp"

#include <algorithm>

namespace sparsim::scnn {

PeCursor::PeCursor(const PeOperands& op, const PeFrame& f, const ArrayShape& x, Accumulator& acc)
    : op_(&op), f_(&f), x_(&x), acc_(&acc) {
  xbar_.reset(x.banks, x.queue_depth + x.F * x.I);
  settle();
}

void PeCursor::settle() {
  // Move (c, pass, av, wv) to the next pair that has operands; count FIFO fills as a channel starts.
  while (c_ < op_->channels) {
    const auto cu = static_cast<std::size_t>(c_);
    const std::int64_t na = (*op_->act_offsets)[cu + 1] - (*op_->act_offsets)[cu];
    const std::int64_t nw = (*op_->wt_offsets)[cu + 1] - (*op_->wt_offsets)[cu];
    const std::int64_t pn = std::min<std::int64_t>(x_->fifo_entries, nw - pass_ * x_->fifo_entries);
    if (na > 0 && nw > 0 && pn > 0) {
      if (wv_ * x_->F < pn && av_ * x_->I < na) return;
      if (wv_ * x_->F >= pn) {  // next activation vector
        wv_ = 0;
        ++av_;
        if (av_ * x_->I < na) return;
      }
      av_ = 0;  // next FIFO pass
      ++pass_;
      if (pass_ * x_->fifo_entries < nw) return;
    }
    ++c_;
    pass_ = av_ = wv_ = 0;
  }
  done_ = true;
}

void PeCursor::tick() {
  if (done()) return;
  ++tally_.cycles;
  if (done_ || !xbar_.accepts(x_->queue_depth)) {  // a bank queue is still too full, or draining at the end
    ++tally_.conflict_cycles;
    xbar_.retire(*acc_);
    return;
  }
  const auto cu = static_cast<std::size_t>(c_);
  const std::int64_t a0 = (*op_->act_offsets)[cu], na = (*op_->act_offsets)[cu + 1] - a0;
  const std::int64_t w0 = (*op_->wt_offsets)[cu], nw = (*op_->wt_offsets)[cu + 1] - w0;
  if (pass_ == 0 && av_ == 0 && wv_ == 0) tally_.wt_writes += static_cast<std::uint64_t>(nw);
  const std::int64_t p0 = pass_ * x_->fifo_entries;
  const std::int64_t pn = std::min<std::int64_t>(x_->fifo_entries, nw - p0);
  const std::int64_t ai = av_ * x_->I, wi = wv_ * x_->F;
  const int va = static_cast<int>(std::min<std::int64_t>(x_->I, na - ai));
  const int vw = static_cast<int>(std::min<std::int64_t>(x_->F, pn - wi));
  if (wv_ == 0) tally_.act_reads += static_cast<std::uint64_t>(va);
  tally_.wt_reads += static_cast<std::uint64_t>(vw);
  route_products(op_->acts->data() + a0 + ai, va, op_->wts->data() + w0 + p0 + wi, vw, *f_, *x_, !acc_->values.empty(),
                 xbar_, tally_);
  xbar_.retire(*acc_);  // the banks take their first products in the cycle they arrive
  ++wv_;
  settle();
}

}  // namespace sparsim::scnn
