#include "dataflows/sat/sat_mapper.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <stdexcept>
#include <utility>

namespace sparsim::sat {

namespace {

i64 round_up(i64 v, i64 unit) { return ceil_div(v, unit) * unit; }

// A dimension of `total` cut into tiles of `tile`: (size, count) of the full tiles and the remainder.
std::vector<std::pair<i64, i64>> splits(i64 total, i64 tile) {
  std::vector<std::pair<i64, i64>> out;
  if (total / tile > 0) out.emplace_back(tile, total / tile);
  if (total % tile) out.emplace_back(total % tile, 1);
  return out;
}

// Row (or column) granularity of the array tile along M and N for each stationarity.
i64 m_unit(const Hw& hw, Stationarity s) { return s == Stationarity::WeightStationary ? hw.cols : hw.rows; }
i64 n_unit(const Hw& hw, Stationarity s) { return s == Stationarity::WeightStationary ? 1 : hw.cols; }

// Array cycles of one GLB tile of ml x kl x nl, by the fast model's per-fold rules, except that the
// overlap of the next weight preload with the stream is assumed perfect (shadow registers).
double tile_compute(const Hw& hw, const Problem& p, Stationarity s, i64 ml, i64 kl, i64 nl) {
  const i64 banks = hw.glb_banks;
  double cycles = 0;
  if (s == Stationarity::WeightStationary) {
    const i64 kt = ws_k_tile(hw, p.nm);
    for (auto [mc, mcount] : splits(ml, hw.cols))
      for (auto [kc, kcount] : splits(kl, kt)) {
        const i64 load =
            hw.ws_shadow_weights ? 0 : std::max(hw.rows, ceil_div(ws_weight_words(hw, p.nm, mc, kc, kl), banks));
        cycles += static_cast<double>(mcount * kcount) *
                  static_cast<double>(ws_stream_cycles(hw, kc, kl, nl) + ws_fill_drain(hw, mc) + load);
      }
    if (hw.ws_shadow_weights) {
      const i64 first = ws_weight_words(hw, p.nm, std::min(ml, hw.cols), std::min(kl, kt), kl);
      cycles += static_cast<double>(std::max(hw.rows, ceil_div(first, banks)));
    }
  } else {
    for (auto [mr, mcount] : splits(ml, hw.rows))
      for (auto [nc, ncount] : splits(nl, hw.cols))
        cycles += static_cast<double>(mcount * ncount) *
                  static_cast<double>(os_stream_cycles(hw, p.nm, mr, nc, kl) + os_fill_drain(hw, mr, nc));
  }
  return cycles;
}

// Consecutive runs of an operand indexed by `dims` over the loop nest: the operand changes whenever the
// innermost loop it depends on (with more than one iteration) or any loop outside it advances.
i64 runs(const Mapping& m, const std::string& dims) {
  auto count = [&](char d) { return d == 'm' ? m.tm : d == 'k' ? m.tk : m.tn; };
  int inner = -1;
  for (int i = 0; i < 3; ++i)
    if (dims.find(m.order[i]) != std::string::npos && count(m.order[i]) > 1) inner = i;
  i64 r = 1;
  for (int i = 0; i <= inner; ++i) r *= count(m.order[i]);
  return r;
}

}  // namespace

void TileSequence::indices(i64 g, i64& inst, i64& im, i64& ik, i64& in) const {
  const i64 per = m_.tm * m_.tk * m_.tn;
  inst = g / per;
  i64 r = g % per;
  i64 idx[3];
  for (int i = 2; i >= 0; --i) {
    const char d = m_.order[i];
    const i64 c = d == 'm' ? m_.tm : d == 'k' ? m_.tk : m_.tn;
    idx[i] = r % c;
    r /= c;
  }
  for (int i = 0; i < 3; ++i) {
    if (m_.order[i] == 'm') im = idx[i];
    if (m_.order[i] == 'k') ik = idx[i];
    if (m_.order[i] == 'n') in = idx[i];
  }
}

GlbTile TileSequence::at(i64 g) const {
  GlbTile t;
  indices(g, t.instance, t.im, t.ik, t.in);
  t.m0 = t.im * m_.mg;
  t.k0 = t.ik * m_.kg;
  t.n0 = t.in * m_.ng;
  t.ml = std::min(m_.mg, p_.M - t.m0);
  t.kl = std::min(m_.kg, p_.K - t.k0);
  t.nl = std::min(m_.ng, p_.N - t.n0);
  i64 pi = -1, pm = -1, pk = -1, pn = -1, ni = -1, nm = -1, nk = -1, nn = -1;
  if (g > 0) indices(g - 1, pi, pm, pk, pn);
  if (g + 1 < size()) indices(g + 1, ni, nm, nk, nn);
  t.load_a = pi != t.instance || pm != t.im || pk != t.ik;
  t.load_b = pi != t.instance || pk != t.ik || pn != t.in;
  t.run_start = pi != t.instance || pm != t.im || pn != t.in;
  t.load_psum = t.run_start && t.ik > 0;
  t.run_end = ni != t.instance || nm != t.im || nn != t.in;
  t.final_k = t.ik == m_.tk - 1;
  return t;
}

bool fits(const Hw& hw, const Problem& p, Stationarity, i64 mg, i64 kg, i64 ng) {
  const i64 ml = std::min(mg, p.M), kl = std::min(kg, p.K), nl = std::min(ng, p.N);
  const i64 slot = a_bytes(hw, p.nm, ml, kl) + kl * nl * hw.data_bytes;
  return 2 * slot <= hw.glb_capacity && 2 * ml * nl * hw.acc_bytes <= hw.obuf_capacity;
}

bool minimal_tile_fits(const Hw& hw, Nm nm, std::string* why) {
  const i64 kt = ws_k_tile(hw, nm);
  const i64 glb = 2 * (a_bytes(hw, nm, hw.cols, kt) + kt * hw.data_bytes);
  if (glb > hw.glb_capacity) {
    if (why) *why = "holds less than two minimal tiles (" + std::to_string(glb) + " bytes needed)";
    return false;
  }
  const i64 obuf = 2 * hw.cols * hw.acc_bytes;
  if (obuf > hw.obuf_capacity) {
    if (why) *why = "holds less than two output columns (" + std::to_string(obuf) + " bytes needed)";
    return false;
  }
  return true;
}

void estimate(const Hw& hw, const Problem& p, Mapping& m) {
  m.tm = ceil_div(p.M, m.mg);
  m.tk = ceil_div(p.K, m.kg);
  m.tn = ceil_div(p.N, m.ng);
  double compute = 0;
  for (auto [ml, cm] : splits(p.M, m.mg))
    for (auto [kl, ck] : splits(p.K, m.kg))
      for (auto [nl, cn] : splits(p.N, m.ng))
        compute += static_cast<double>(cm * ck * cn) * tile_compute(hw, p, m.stationarity, ml, kl, nl);
  compute *= static_cast<double>(p.instances);
  // DRAM: every A tile is fetched runs(A)/(tm*tk) times, every B tile runs(B)/(tk*tn) times; an output
  // block that is left before its last k tile spills and reloads its partial sums.
  const double a_passes = static_cast<double>(runs(m, "mk")) / static_cast<double>(m.tm * m.tk);
  const double b_passes = static_cast<double>(runs(m, "kn")) / static_cast<double>(m.tk * m.tn);
  const double o_runs = static_cast<double>(runs(m, "mn")) / static_cast<double>(m.tm * m.tn);
  // Each tile's blocks as the model moves them (rows of a tile at the whole tensor's pitch), at the pace
  // of the channel that carries most of the block (busiest_channel_share).
  const i64 a_pitch = a_row_bytes(hw, p.nm, p.K), b_pitch = scaled(p.N * hw.data_bytes, p.b_dram_fraction);
  const i64 out_pitch = scaled(p.N * hw.data_bytes, p.out_dram_fraction), c_pitch = p.N * hw.acc_bytes;
  // The same blocks recur across the candidates and loop orders of an op: their channel shares are kept.
  static thread_local std::map<std::array<i64, 5>, double> shares;
  if (shares.size() > 100000) shares.clear();
  auto block_dram_cycles = [&](const Hw& h, i64 rows, i64 row_bytes, i64 pitch) {
    const std::array<i64, 5> key{rows, row_bytes, pitch, h.dram_channels, h.dram_run_bytes};
    auto it = shares.find(key);
    if (it == shares.end()) it = shares.emplace(key, busiest_channel_share(h, rows, row_bytes, pitch)).first;
    return static_cast<double>(block_bursts(h, rows, row_bytes) * h.dram_burst) * it->second *
           static_cast<double>(std::max<i64>(h.dram_channels, 1)) / h.dram_bw;
  };
  auto a_tile = [&](i64 ml, i64 kl) { return block_dram_cycles(hw, ml, a_row_bytes(hw, p.nm, kl), a_pitch); };
  auto b_tile = [&](i64 kl, i64 nl) {
    return block_dram_cycles(hw, kl, scaled(nl * hw.data_bytes, p.b_dram_fraction), b_pitch);
  };
  auto out_tile = [&](i64 ml, i64 nl) {
    return block_dram_cycles(hw, ml, scaled(nl * hw.data_bytes, p.out_dram_fraction), out_pitch);
  };
  auto spill_tile = [&](i64 ml, i64 nl) { return block_dram_cycles(hw, ml, nl * hw.acc_bytes, c_pitch); };
  double a = 0, b = 0, o = 0, spill = 0;
  for (auto [ml, cm] : splits(p.M, m.mg))
    for (auto [kl, ck] : splits(p.K, m.kg)) a += static_cast<double>(cm * ck) * a_tile(ml, kl);
  for (auto [kl, ck] : splits(p.K, m.kg))
    for (auto [nl, cn] : splits(p.N, m.ng)) b += static_cast<double>(ck * cn) * b_tile(kl, nl);
  for (auto [ml, cm] : splits(p.M, m.mg))
    for (auto [nl, cn] : splits(p.N, m.ng)) {
      o += static_cast<double>(cm * cn) * out_tile(ml, nl);
      spill += static_cast<double>(cm * cn) * spill_tile(ml, nl);
    }
  const double dram = (a * a_passes + b * b_passes + o + 2 * spill * (o_runs - 1)) * static_cast<double>(p.instances);
  // Ramp: the first tile's load and the last block's store are not overlapped with compute.
  const i64 ml = std::min(m.mg, p.M), kl = std::min(m.kg, p.K), nl = std::min(m.ng, p.N);
  const double first_load = a_tile(ml, kl) + b_tile(kl, nl);
  const double last_store = out_tile(ml, nl);
  m.estimate_compute_cycles = compute;
  m.estimate_dram_cycles = dram;
  m.estimate_cycles = std::max(compute, dram) + first_load + last_store + 2.0 * static_cast<double>(hw.dram_latency);
}

Mapping map_op(const Hw& hw, const Problem& p) {
  std::vector<Stationarity> stats;
  if (hw.dataflow != "output_stationary") stats.push_back(Stationarity::WeightStationary);
  if (hw.dataflow != "weight_stationary") stats.push_back(Stationarity::OutputStationary);
  static const std::array<std::array<char, 3>, 6> orders = {
      {{'m', 'n', 'k'}, {'n', 'm', 'k'}, {'m', 'k', 'n'}, {'k', 'm', 'n'}, {'n', 'k', 'm'}, {'k', 'n', 'm'}}};
  auto candidates = [](i64 total, i64 unit, i64 start) {
    std::vector<i64> out;
    const i64 top = round_up(total, unit);
    for (i64 v = round_up(std::max<i64>(start, 1), unit); v < top; v *= 2) out.push_back(v);
    out.push_back(top);
    return out;
  };
  Mapping best;
  best.estimate_cycles = std::numeric_limits<double>::infinity();
  i64 evaluated = 0;
  for (Stationarity s : stats) {
    const i64 kunit = ws_k_tile(hw, p.nm);
    const i64 nstart = s == Stationarity::WeightStationary ? 64 : hw.cols;
    for (i64 mg : candidates(p.M, m_unit(hw, s), m_unit(hw, s)))
      for (i64 kg : candidates(p.K, kunit, kunit))
        for (i64 ng : candidates(p.N, n_unit(hw, s), std::min(nstart, p.N))) {
          if (!fits(hw, p, s, mg, kg, ng)) continue;
          for (const auto& order : orders) {
            Mapping m;
            m.stationarity = s;
            m.mg = mg;
            m.kg = kg;
            m.ng = ng;
            m.order = order;
            estimate(hw, p, m);
            ++evaluated;
            if (m.estimate_cycles < best.estimate_cycles) best = m;
          }
        }
  }
  if (evaluated == 0) throw std::runtime_error("no mapping of the op fits the global and accumulator buffers");
  best.candidates = evaluated;
  return best;
}

nlohmann::ordered_json Mapping::to_json(const Hw& hw, const Problem& p) const {
  nlohmann::ordered_json j;
  j["stationarity"] = stationarity_name(stationarity);
  j["loop_order"] = std::string(order.begin(), order.end());
  j["glb_tile"] = {{"M", std::min(mg, p.M)}, {"K", std::min(kg, p.K)}, {"N", std::min(ng, p.N)}};
  j["glb_tiles"] = {{"M", tm}, {"K", tk}, {"N", tn}, {"instances", p.instances}};
  if (stationarity == Stationarity::WeightStationary)
    j["array_tile"] = {{"M", hw.cols}, {"K", ws_k_tile(hw, p.nm)}, {"N", std::min(ng, p.N)}};
  else
    j["array_tile"] = {{"M", hw.rows}, {"K", std::min(kg, p.K)}, {"N", hw.cols}};
  j["nm"] = p.nm.sparse() ? std::to_string(p.nm.n) + ":" + std::to_string(p.nm.m) : "dense";
  j["candidates"] = candidates;
  j["estimate_cycles"] = estimate_cycles;
  j["estimate_compute_cycles"] = estimate_compute_cycles;
  j["estimate_dram_cycles"] = estimate_dram_cycles;
  return j;
}

}  // namespace sparsim::sat
