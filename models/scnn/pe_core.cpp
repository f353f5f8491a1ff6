#include "models/scnn/pe_core.hpp"

#include <algorithm>
#include <bit>

#include "sim/alloc_guard.hpp"

namespace sparsim::scnn {

void Accumulator::reset(std::int64_t entries, int banks, bool functional) {
  check_allocation(static_cast<double>(entries), functional ? 1.0 + sizeof(std::int64_t) : 1.0,
                   "a PE's accumulator banks");
  touched.assign(static_cast<std::size_t>(entries), 0);
  if (functional)
    values.assign(static_cast<std::size_t>(entries), 0);
  else
    values.clear();
  bank_free.assign(static_cast<std::size_t>(banks), 0);
  max_free = 0;
}

namespace {
// The forward (and BP) scatter of one vector pair. Templated on what holds for the whole layer so that the
// loop has no division (bank ways that are powers of two take masks; stride 1 needs no divisibility test),
// and the frame is a local copy: the accumulator's byte-wide `touched` stores may alias anything, so
// reading the frame through its reference would reload it after every product.
template <bool kStride1, bool kPow2>
void scatter(const ActEntry* a, int na, const WtEntry* w, int nw, const PeFrame& f, const ArrayShape& x,
             Accumulator& acc, std::int64_t now, PeTally& t) {
  std::int64_t* const bank_free = acc.bank_free.data();
  std::uint8_t* const touched = acc.touched.data();
  std::int64_t* const values = acc.values.empty() ? nullptr : acc.values.data();
  const PeFrame frame = f;
  const std::int64_t stride = x.stride, pad = x.pad, kc = x.kc;
  const std::int64_t pos_ways = x.pos_ways, k_ways = x.k_ways;
  std::int64_t max_free = acc.max_free;
  std::uint64_t valid = 0;
  for (int i = 0; i < na; ++i) {
    const std::int64_t ay = a[i].y + pad, ax = a[i].x + pad;
    const std::int64_t av = a[i].value;
    for (int j = 0; j < nw; ++j) {
      std::int64_t yo = ay - w[j].r, xo = ax - w[j].s;
      if constexpr (!kStride1) {
        if (yo % stride != 0 || xo % stride != 0) continue;  // lands between output positions
        yo /= stride;
        xo /= stride;
      }
      if (!frame.valid_y.contains(yo) || !frame.valid_x.contains(xo)) continue;  // padding border or another chunk
      const std::int64_t pos = acc_position(frame, yo, xo);
      const std::int64_t k = w[j].k;
      // pos and k are never negative here, so a mask is the remainder.
      const std::int64_t pos_bank = kPow2 ? (pos & (pos_ways - 1)) : pos % pos_ways;
      const std::int64_t k_bank = kPow2 ? (k & (k_ways - 1)) : k % k_ways;
      const auto bank = static_cast<std::size_t>(pos_bank * k_ways + k_bank);
      const std::int64_t done = std::max(bank_free[bank], now) + 1;
      bank_free[bank] = done;
      max_free = std::max(max_free, done);
      const std::int64_t addr = pos * kc + k;
      touched[addr] = 1;
      if (values) values[addr] += av * w[j].value;
      ++valid;
    }
  }
  acc.max_free = max_free;
  t.valid += valid;
  t.products += static_cast<std::uint64_t>(na) * static_cast<std::uint64_t>(nw);
}
}  // namespace

void issue_vectors(const ActEntry* a, int na, const WtEntry* w, int nw, const PeFrame& f, const ArrayShape& x,
                   Accumulator& acc, std::int64_t now, PeTally& t) {
  std::int64_t* bank_free = acc.bank_free.data();
  const bool functional = !acc.values.empty();
  if (x.wu) {
    // One step of the array still takes its cycle when some of its F x I pairs are filtered: the idle
    // multipliers are the cost of pairing operands by planar reach only.
    for (int i = 0; i < na; ++i) {
      const std::int64_t ay = a[i].y + x.pad, ax = a[i].x + x.pad;
      for (int j = 0; j < nw; ++j) {
        const std::int64_t r = ay - static_cast<std::int64_t>(w[j].r) * x.stride;
        const std::int64_t q = ax - static_cast<std::int64_t>(w[j].s) * x.stride;
        if (r < 0 || r >= x.R || q < 0 || q >= x.S) {
          ++t.filtered;
          continue;
        }
        const std::int64_t pos = r * x.S + q;
        const std::int64_t addr = pos * x.kc + w[j].k;
        const auto bank = static_cast<std::size_t>((pos % x.pos_ways) * x.k_ways + w[j].k % x.k_ways);
        const std::int64_t done = std::max(bank_free[bank], now) + 1;
        bank_free[bank] = done;
        acc.max_free = std::max(acc.max_free, done);
        acc.touched[static_cast<std::size_t>(addr)] = 1;
        if (functional)
          acc.values[static_cast<std::size_t>(addr)] += static_cast<std::int64_t>(a[i].value) * w[j].value;
        ++t.valid;
        ++t.products;
      }
    }
    return;
  }
  const bool stride1 = x.stride == 1;
  const bool pow2 =
      std::has_single_bit(static_cast<unsigned>(x.pos_ways)) && std::has_single_bit(static_cast<unsigned>(x.k_ways));
  if (stride1 && pow2)
    scatter<true, true>(a, na, w, nw, f, x, acc, now, t);
  else if (pow2)
    scatter<false, true>(a, na, w, nw, f, x, acc, now, t);
  else
    scatter<false, false>(a, na, w, nw, f, x, acc, now, t);
}

PeTally run_group_fast(const PeOperands& op, const PeFrame& f, const ArrayShape& x, Accumulator& acc) {
  PeTally t;
  std::int64_t now = 0;
  for (std::int64_t c = 0; c < op.channels; ++c) {
    const std::int64_t a0 = (*op.act_offsets)[static_cast<std::size_t>(c)];
    const std::int64_t na = (*op.act_offsets)[static_cast<std::size_t>(c) + 1] - a0;
    const std::int64_t w0 = (*op.wt_offsets)[static_cast<std::size_t>(c)];
    const std::int64_t nw = (*op.wt_offsets)[static_cast<std::size_t>(c) + 1] - w0;
    if (na == 0 || nw == 0) continue;
    t.wt_writes += static_cast<std::uint64_t>(nw);
    const ActEntry* acts = op.acts->data() + a0;
    const WtEntry* wts = op.wts->data() + w0;
    // The weight FIFO holds at most fifo_entries weights: a longer slice is processed in passes, each pass
    // streaming every activation vector again.
    for (std::int64_t p0 = 0; p0 < nw; p0 += x.fifo_entries) {
      const std::int64_t pn = std::min<std::int64_t>(x.fifo_entries, nw - p0);
      for (std::int64_t ai = 0; ai < na; ai += x.I) {
        const int va = static_cast<int>(std::min<std::int64_t>(x.I, na - ai));
        t.act_reads += static_cast<std::uint64_t>(va);
        for (std::int64_t wi = 0; wi < pn; wi += x.F) {
          const int vw = static_cast<int>(std::min<std::int64_t>(x.F, pn - wi));
          t.wt_reads += static_cast<std::uint64_t>(vw);
          // The array issues when no bank has more than queue_depth products still waiting.
          const std::int64_t ready = acc.max_free - x.queue_depth;
          if (ready > now) {
            t.conflict_cycles += static_cast<std::uint64_t>(ready - now);
            now = ready;
          }
          issue_vectors(acts + ai, va, wts + p0 + wi, vw, f, x, acc, now, t);
          ++now;
        }
      }
    }
  }
  // The PE reaches the barrier once its banks have taken the last products.
  const std::int64_t end = std::max(now, acc.max_free);
  t.conflict_cycles += static_cast<std::uint64_t>(end - now);
  t.cycles = static_cast<std::uint64_t>(end);
  return t;
}

}  // namespace sparsim::scnn
