#include "models/scnn/crossbar.hpp"

#include <algorithm>

namespace sparsim::scnn {

void Crossbar::reset(int banks, int capacity) {
  capacity_ = capacity;
  queued_ = 0;
  slots_.assign(static_cast<std::size_t>(banks) * static_cast<std::size_t>(capacity), Product{});
  head_.assign(static_cast<std::size_t>(banks), 0);
  size_.assign(static_cast<std::size_t>(banks), 0);
}

bool Crossbar::accepts(int queue_depth) const {
  return std::all_of(size_.begin(), size_.end(), [&](int n) { return n <= queue_depth; });
}

void Crossbar::push(int bank, Product p) {
  const auto b = static_cast<std::size_t>(bank);
  // A pair is issued only when every queue holds at most queue_depth products, and it sends at most F * I
  // to one bank, so a queue of that capacity never overflows.
  const int tail = (head_[b] + size_[b]) % capacity_;
  slots_[b * static_cast<std::size_t>(capacity_) + static_cast<std::size_t>(tail)] = p;
  ++size_[b];
  ++queued_;
}

void Crossbar::retire(Accumulator& acc) {
  if (queued_ == 0) return;
  const bool functional = !acc.values.empty();
  for (std::size_t b = 0; b < size_.size(); ++b) {
    if (size_[b] == 0) continue;
    const Product& p = slots_[b * static_cast<std::size_t>(capacity_) + static_cast<std::size_t>(head_[b])];
    acc.touched[static_cast<std::size_t>(p.addr)] = 1;
    if (functional) acc.values[static_cast<std::size_t>(p.addr)] += p.value;
    head_[b] = (head_[b] + 1) % capacity_;
    --size_[b];
    --queued_;
  }
}

void route_products(const ActEntry* a, int na, const WtEntry* w, int nw, const PeFrame& f, const ArrayShape& x,
                    bool functional, Crossbar& xbar, PeTally& t) {
  const auto bank_of = [&](std::int64_t pos, std::int64_t k) {
    return static_cast<int>((pos % x.pos_ways) * x.k_ways + k % x.k_ways);
  };
  for (int i = 0; i < na; ++i)
    for (int j = 0; j < nw; ++j) {
      const std::int64_t value = functional ? static_cast<std::int64_t>(a[i].value) * w[j].value : 0;
      if (x.wu) {
        // WU: the pair's kernel offset; outside R x S the coordinate unit filters it before the multiplier.
        const std::int64_t r = a[i].y + x.pad - static_cast<std::int64_t>(w[j].r) * x.stride;
        const std::int64_t q = a[i].x + x.pad - static_cast<std::int64_t>(w[j].s) * x.stride;
        if (r < 0 || r >= x.R || q < 0 || q >= x.S) {
          ++t.filtered;
          continue;
        }
        ++t.products;
        ++t.valid;
        const std::int64_t pos = r * x.S + q;
        xbar.push(bank_of(pos, w[j].k), {pos * x.kc + w[j].k, value});
        continue;
      }
      ++t.products;
      std::int64_t yo = a[i].y + x.pad - w[j].r, xo = a[i].x + x.pad - w[j].s;
      if (yo % x.stride != 0 || xo % x.stride != 0) continue;  // between output positions: discarded
      yo /= x.stride;
      xo /= x.stride;
      if (!f.valid_y.contains(yo) || !f.valid_x.contains(xo)) continue;  // padding border or another chunk
      ++t.valid;
      const std::int64_t pos = acc_position(f, yo, xo);
      xbar.push(bank_of(pos, w[j].k), {pos * x.kc + w[j].k, value});
    }
}

}  // namespace sparsim::scnn
