#include "models/scnn/dense_pe.hpp"

#include <algorithm>

#include "sim/alloc_guard.hpp"

namespace sparsim::scnn {

void DenseIaram::fill(const LayerData& data, std::int64_t y_lo, std::int64_t y_hi, std::int64_t x_lo,
                      std::int64_t x_hi) {
  const ConvShape& s = data.shape;
  y0 = y_lo;
  y1 = std::max(y_lo, y_hi);
  x0 = x_lo;
  x1 = std::max(x_lo, x_hi);
  channels = s.C;
  const std::int64_t n = (y1 - y0) * (x1 - x0) * channels;
  check_allocation(static_cast<double>(n), sizeof(std::int16_t), "a DCNN PE's IARAM image");
  words.assign(static_cast<std::size_t>(n), 0);
  const bool functional = data.functional();
  for (std::int64_t c = 0; c < s.C; ++c)
    for (std::int64_t y = y0; y < y1; ++y)
      for (std::int64_t x = x0; x < x1; ++x) {
        const std::int64_t i = data.iidx(c, y, x);
        words[static_cast<std::size_t>(address(c, y, x))] =
            functional ? data.input_values[static_cast<std::size_t>(i)] : static_cast<std::int16_t>(data.inputs.get(i));
      }
}

void DenseLanes::reset(int F, int banks) {
  sum_.assign(static_cast<std::size_t>(F), 0);
  bank_.assign(static_cast<std::size_t>(F), 0);
  used_.assign(static_cast<std::size_t>(banks), 0);
  pending_ = 0;
}

DensePe::DensePe(const LayerData& data, const DenseIaram& iaram, const DenseGroupShape& g, Range oy, Range ox,
                 bool gating)
    : data_(data), iaram_(iaram), g_(g), oy_(oy), ox_(ox), gating_(gating), functional_(data.functional()) {
  const ConvShape& s = data.shape;
  pixels_ = oy.size() * ox.size();
  blocks_ = g.cvec * s.R * s.S * g.kvec;
  wreg_.assign(static_cast<std::size_t>(g.F * g.I), 0);
  lanes_.reset(g.F, g.k_ways * g.pos_ways);
  act_.assign(static_cast<std::size_t>(g.I), 0);
  if (functional_ && pixels_ > 0) {
    check_allocation(static_cast<double>(pixels_ * g.kc_n), sizeof(std::int64_t), "a DCNN PE's accumulators");
    acc_.assign(static_cast<std::size_t>(pixels_ * g.kc_n), 0);
  }
  if (pixels_ > 0) load_block(0);
}

void DensePe::load_block(std::int64_t b) {
  const ConvShape& s = data_.shape;
  block_ = b;
  pixel_ = 0;
  kv_ = b % g_.kvec;
  std::int64_t t = b / g_.kvec;
  s_ = t % s.S;
  t /= s.S;
  r_ = t % s.R;
  cv_ = t / s.R;
  vw_ = std::min<std::int64_t>(g_.F, g_.kc_n - kv_ * g_.F);
  vi_ = std::min<std::int64_t>(g_.I, s.C - cv_ * g_.I);
  std::fill(wreg_.begin(), wreg_.end(), 0);
  for (std::int64_t f = 0; f < vw_; ++f)
    for (std::int64_t i = 0; i < vi_; ++i) {
      const std::int64_t w = data_.widx(g_.kc_lo + kv_ * g_.F + f, cv_ * g_.I + i, r_, s_);
      wreg_[static_cast<std::size_t>(f * g_.I + i)] = functional_ ? data_.weight_values[static_cast<std::size_t>(w)]
                                                                  : static_cast<std::int32_t>(data_.weights.get(w));
    }
  ++tally_.blocks;
}

void DensePe::multiply() {
  const ConvShape& s = data_.shape;
  const std::int64_t yo = oy_.lo + pixel_ / ox_.size(), xo = ox_.lo + pixel_ % ox_.size();
  const std::int64_t y = yo * s.stride - s.pad + r_, x = xo * s.stride - s.pad + s_;
  // One IARAM word: the c-vector's I channels at (y, x); a padding position reads as zeros.
  const bool inside = y >= 0 && y < s.H && x >= 0 && x < s.W;
  const std::int64_t addr = inside ? iaram_.address(cv_ * g_.I, y, x) : 0;
  for (std::int64_t i = 0; i < vi_; ++i)
    act_[static_cast<std::size_t>(i)] = inside ? iaram_.words[static_cast<std::size_t>(addr + i)] : 0;
  const std::int64_t pos_bank = pixel_ % g_.pos_ways;
  for (std::int64_t f = 0; f < vw_; ++f)
    lanes_.dot(
        f, vi_, [&](std::int64_t i) { return wreg_[static_cast<std::size_t>(f * g_.I + i)]; },
        [&](std::int64_t i) { return act_[static_cast<std::size_t>(i)]; },
        static_cast<int>(pos_bank * g_.k_ways + (kv_ * g_.F + f) % g_.k_ways), gating_, tally_);
  ++tally_.busy;
}

void DensePe::write_banks() {
  const bool done = lanes_.write(vw_, tally_, [&](std::int64_t f, std::int64_t sum) {
    if (functional_) acc_[static_cast<std::size_t>(pixel_ * g_.kc_n + kv_ * g_.F + f)] += sum;
  });
  if (done) ++pixel_;
}

DensePe::Cycle DensePe::tick(std::int64_t delivered) {
  if (pixels_ == 0) return Cycle::Idle;
  if (lanes_.pending()) {
    write_banks();
    ++tally_.conflict;
    return Cycle::BankWrite;
  }
  if (pixel_ == pixels_) {
    if (block_ + 1 >= blocks_) return Cycle::Idle;
    if (block_ + 1 > delivered) return Cycle::WaitWeights;
    load_block(block_ + 1);
  }
  multiply();
  write_banks();
  return Cycle::Multiply;
}

void DensePe::write_outputs(std::vector<std::int64_t>& out) const {
  if (!functional_) return;
  const ConvShape& s = data_.shape;
  for (std::int64_t p = 0; p < pixels_; ++p) {
    const std::int64_t yo = oy_.lo + p / ox_.size(), xo = ox_.lo + p % ox_.size();
    for (std::int64_t k = 0; k < g_.kc_n; ++k)
      out[static_cast<std::size_t>(((g_.kc_lo + k) * s.Ho() + yo) * s.Wo() + xo)] =
          acc_[static_cast<std::size_t>(p * g_.kc_n + k)];
  }
}

DenseWuPe::DenseWuPe(const LayerData& fwd, const DenseIaram& iaram, const Mask& dy,
                     const std::vector<std::int16_t>* dy_values, const DenseGroupShape& g, std::int64_t c, Range oy,
                     Range ox, bool gating)
    : fwd_(fwd),
      iaram_(iaram),
      dy_(dy),
      dy_values_(dy_values && !dy_values->empty() && fwd.functional() ? dy_values : nullptr),
      g_(g),
      c_(c),
      oy_(oy),
      ox_(ox),
      gating_(gating) {
  const ConvShape& s = fwd.shape;
  pixels_ = oy.size() * ox.size();
  pvec_ = (pixels_ + g.I - 1) / g.I;
  steps_ = s.R * s.S * g.kvec * pvec_;
  lanes_.reset(g.F, g.k_ways * g.pos_ways);
  act_.assign(static_cast<std::size_t>(g.I), 0);
  pos_.assign(static_cast<std::size_t>(g.I), 0);
  if (dy_values_) acc_.assign(static_cast<std::size_t>(g.kc_n * s.R * s.S), 0);
}

void DenseWuPe::multiply() {
  const ConvShape& s = fwd_.shape;
  pv_ = step_ % pvec_;
  std::int64_t t = step_ / pvec_;
  kv_ = t % g_.kvec;
  t /= g_.kvec;
  s_ = t % s.S;
  r_ = t / s.S;
  vw_ = std::min<std::int64_t>(g_.F, g_.kc_n - kv_ * g_.F);
  vi_ = std::min<std::int64_t>(g_.I, pixels_ - pv_ * g_.I);
  // The I inputs the positions see at (r, s), one IARAM read each; outside the plane a zero.
  for (std::int64_t i = 0; i < vi_; ++i) {
    const std::int64_t p = pv_ * g_.I + i;
    const std::int64_t yo = oy_.lo + p / ox_.size(), xo = ox_.lo + p % ox_.size();
    const std::int64_t y = yo * s.stride - s.pad + r_, x = xo * s.stride - s.pad + s_;
    const bool inside = y >= 0 && y < s.H && x >= 0 && x < s.W;
    act_[static_cast<std::size_t>(i)] =
        inside ? iaram_.words[static_cast<std::size_t>(iaram_.address(c_, y, x))] : std::int16_t{0};
    pos_[static_cast<std::size_t>(i)] = yo * s.Wo() + xo;
  }
  const std::int64_t plane = s.Ho() * s.Wo();
  const std::int64_t pos_bank = (r_ * s.S + s_) % g_.pos_ways;
  for (std::int64_t f = 0; f < vw_; ++f) {
    const std::int64_t k = g_.kc_lo + kv_ * g_.F + f;
    const auto gradient = [&](std::int64_t i) -> std::int64_t {
      const std::int64_t d = k * plane + pos_[static_cast<std::size_t>(i)];
      return dy_values_ ? (*dy_values_)[static_cast<std::size_t>(d)] : static_cast<std::int64_t>(dy_.get(d));
    };
    lanes_.dot(
        f, vi_, gradient, [&](std::int64_t i) { return act_[static_cast<std::size_t>(i)]; },
        static_cast<int>(pos_bank * g_.k_ways + (kv_ * g_.F + f) % g_.k_ways), gating_, tally_);
  }
  ++tally_.busy;
}

void DenseWuPe::write_banks() {
  const ConvShape& s = fwd_.shape;
  const bool done = lanes_.write(vw_, tally_, [&](std::int64_t f, std::int64_t sum) {
    if (!acc_.empty()) acc_[static_cast<std::size_t>(((kv_ * g_.F + f) * s.R + r_) * s.S + s_)] += sum;
  });
  if (done) ++step_;
}

DensePe::Cycle DenseWuPe::tick() {
  if (lanes_.pending()) {
    write_banks();
    ++tally_.conflict;
    return DensePe::Cycle::BankWrite;
  }
  if (step_ == steps_) return DensePe::Cycle::Idle;
  multiply();
  write_banks();
  return DensePe::Cycle::Multiply;
}

void DenseWuPe::add_partials(std::vector<std::int64_t>& dw) const {
  if (acc_.empty()) return;
  const ConvShape& s = fwd_.shape;
  for (std::int64_t k = 0; k < g_.kc_n; ++k)
    for (std::int64_t r = 0; r < s.R; ++r)
      for (std::int64_t q = 0; q < s.S; ++q)
        dw[static_cast<std::size_t>(fwd_.widx(g_.kc_lo + k, c_, r, q))] +=
            acc_[static_cast<std::size_t>((k * s.R + r) * s.S + q)];
}

}  // namespace sparsim::scnn
