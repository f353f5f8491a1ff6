// RunResults::extra of the cdma accelerator: the figures the cDMA paper reports, per network.
#include <cstdio>
#include <string>

#include "models/cdma/accelerator.hpp"
#include "sim/text/numbers.hpp"

namespace sparsim::cdma {

namespace {

struct PhaseSplit {
  std::uint64_t total = 0, ff = 0, bwd = 0, offload_wait = 0, prefetch_wait = 0;
};

PhaseSplit split(const TrainingStep& step, const Variant& v) {
  PhaseSplit s;
  const auto& recs = v.compute->records();
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const std::uint64_t c = recs[i].end - recs[i].start;
    s.total += c;
    if (step.ops[i].phase == Phase::FF) {
      s.ff += c;
      s.offload_wait += recs[i].stall;
    } else {
      s.bwd += c;
      s.prefetch_wait += recs[i].stall;
    }
  }
  return s;
}

}  // namespace

nlohmann::ordered_json tensor_row(const TrainingStep& step, const TensorPlan& t, const TensorData& d) {
  nlohmann::ordered_json row = {
      {"tensor", t.name},        {"consumers", nlohmann::ordered_json::array()}, {"bytes", t.bytes},
      {"density", t.density},    {"density_source", t.density_source},           {"pool_input", t.pool_input},
      {"offloaded", t.offloaded}};
  for (int c : t.consumers) row["consumers"].push_back(step.network.layers[static_cast<std::size_t>(c)].name);
  if (!t.offloaded) return row;
  row["measured_density"] = d.measured_density;
  for (Codec c : {Codec::Zvc, Codec::Rle, Codec::Zlib})
    row[std::string("ratio_") + codec_name(c)] = d.ratio(c, t.bytes);
  return row;
}

nlohmann::ordered_json offload_report(const Params& p, const TrainingStep& step, const std::vector<TensorPlan>& tensors,
                                      const std::vector<TensorData>& data, const std::vector<Variant>& variants) {
  using json = nlohmann::ordered_json;
  const double ms_per_cycle = 1e-6 / p.clock_ghz;
  std::uint64_t all_bytes = 0, off_bytes = 0, checked = 0, mismatches = 0;
  std::uint64_t packed[4] = {0, 0, 0, 0};
  json layers = json::array();
  const Variant* by_name[3] = {&variants[0], &variants[1], &variants[2]};
  for (const auto& t : tensors) {
    all_bytes += t.bytes;
    json row = tensor_row(step, t, data[static_cast<std::size_t>(t.id)]);
    if (t.offloaded) {
      const TensorData& d = data[static_cast<std::size_t>(t.id)];
      off_bytes += t.bytes;
      for (Codec c : {Codec::Zvc, Codec::Rle, Codec::Zlib}) {
        packed[static_cast<int>(c)] += d.total(c);
        checked += d.codec[static_cast<int>(c)].checked_chunks;
        mismatches += d.codec[static_cast<int>(c)].mismatches;
      }
      for (int k = 1; k < 3; ++k) {
        const auto& tt = by_name[k]->path->times()[static_cast<std::size_t>(t.id)];
        row[by_name[k]->name + "_offload_cycles"] = tt.offload_done - tt.offload_issue;
        row[by_name[k]->name + "_prefetch_cycles"] = tt.prefetch_done - tt.prefetch_issue;
      }
    }
    layers.push_back(row);
  }
  auto ratio = [&](Codec c) {
    return packed[static_cast<int>(c)] ? double(off_bytes) / double(packed[static_cast<int>(c)]) : 0.0;
  };

  const PhaseSplit o = split(step, variants[0]), vd = split(step, variants[1]), cd = split(step, variants[2]);
  auto util = [](std::uint64_t busy, std::uint64_t span) { return span ? double(busy) / double(span) : 0.0; };
  json stalls = json::object(), link = json::object(), host = json::object();
  for (int k = 1; k < 3; ++k) {
    const PhaseSplit& s = k == 1 ? vd : cd;
    const Variant& v = *by_name[k];
    stalls[v.name] = {{"offload_wait_cycles", s.offload_wait},
                      {"prefetch_wait_cycles", s.prefetch_wait},
                      {"stall_ms", double(s.offload_wait + s.prefetch_wait) * ms_per_cycle}};
    link[v.name] = {{"offload_busy_cycles", v.path->offload_link_busy()},
                    {"prefetch_busy_cycles", v.path->prefetch_link_busy()},
                    {"offload_utilization_ff", util(v.path->offload_link_busy(), s.ff)},
                    {"prefetch_utilization_backward", util(v.path->prefetch_link_busy(), s.bwd)}};
    host[v.name] = v.path->bytes_sent();
  }
  const std::uint64_t peak = variants[1].path->peak_resident_bytes();
  const double vdnn_speed = double(o.total) / double(vd.total), cdma_speed = double(o.total) / double(cd.total);
  json r;
  r["network"] = {{"name", step.network.name}, {"batch", step.batch}, {"tensors", tensors.size()}};
  r["gpu"] = {{"clock_ghz", p.clock_ghz},
              {"macs_per_cycle", p.macs_per_cycle},
              {"peak_tmacs", p.macs_per_cycle * p.clock_ghz / 1000.0},
              {"memory_gbps", p.gpu_bandwidth_gbps}};
  r["pcie"] = {{"generation", p.pcie.generation},
               {"lanes", p.pcie.lanes},
               {"raw_gbps", p.pcie.raw_gbps()},
               {"payload_gbps", p.pcie.payload_gbps()},
               {"latency_ns", p.pcie.latency_ns}};
  r["codec"] = codec_name(p.codec);
  r["compression_ratio"] = {
      {"zvc", ratio(Codec::Zvc)}, {"rle", ratio(Codec::Rle)}, {"zlib", ratio(Codec::Zlib)}, {"design", ratio(p.codec)}};
  r["step_cycles"] = {{"oracle", o.total}, {"vdnn", vd.total}, {"cdma", cd.total}};
  r["step_ms"] = {{"oracle", double(o.total) * ms_per_cycle},
                  {"vdnn", double(vd.total) * ms_per_cycle},
                  {"cdma", double(cd.total) * ms_per_cycle}};
  r["performance_vs_oracle"] = {{"vdnn", vdnn_speed}, {"cdma", cdma_speed}};
  r["cdma_speedup_over_vdnn"] = double(vd.total) / double(cd.total);
  r["stalls"] = stalls;
  r["link"] = link;
  r["memory"] = {{"activation_bytes", all_bytes},
                 {"offloaded_bytes", off_bytes},
                 {"gpu_peak_activation_bytes_oracle", all_bytes},
                 {"gpu_peak_activation_bytes_offload", peak},
                 {"gpu_bytes_saved", all_bytes - peak},
                 {"gpu_saved_fraction", all_bytes ? double(all_bytes - peak) / double(all_bytes) : 0.0},
                 {"host_bytes", host}};
  r["functional"] = {{"checked_chunks", checked}, {"mismatches", mismatches}};
  r["tensors"] = layers;

  json extra;
  extra["cdma"] = r;
  extra["speedup_vs_oracle"] = {{"oracle", 1.0}, {"vdnn", vdnn_speed}, {"cdma", cdma_speed}};
  const double gb = 1e-9;
  json lines = json::array();
  lines.push_back("cdma: " + step.network.name + " batch " + std::to_string(step.batch) + ", PCIe gen" +
                  std::to_string(p.pcie.generation) + " x" + std::to_string(p.pcie.lanes) + " (" +
                  format_number("%.2f", p.pcie.raw_gbps()) + " GB/s raw, " +
                  format_number("%.2f", p.pcie.payload_gbps()) + " GB/s payload), design codec " + codec_name(p.codec));
  lines.push_back("compression ratio of offloaded activations: zvc " + format_number("%.2fx", ratio(Codec::Zvc)) +
                  ", rle " + format_number("%.2fx", ratio(Codec::Rle)) + ", zlib " +
                  format_number("%.2fx", ratio(Codec::Zlib)));
  lines.push_back("step time: oracle " + format_number("%.1f ms", double(o.total) * ms_per_cycle) + ", vDNN " +
                  format_number("%.1f ms", double(vd.total) * ms_per_cycle) + " (" + format_number("%.3f", vdnn_speed) +
                  "x of oracle), cDMA " + format_number("%.1f ms", double(cd.total) * ms_per_cycle) + " (" +
                  format_number("%.3f", cdma_speed) + "x); cDMA over vDNN " +
                  format_number("%+.1f%%", (double(vd.total) / double(cd.total) - 1.0) * 100.0));
  lines.push_back("stalls (offload/prefetch wait): vDNN " +
                  format_number("%.1f", double(vd.offload_wait) * ms_per_cycle) + "/" +
                  format_number("%.1f ms", double(vd.prefetch_wait) * ms_per_cycle) + ", cDMA " +
                  format_number("%.1f", double(cd.offload_wait) * ms_per_cycle) + "/" +
                  format_number("%.1f ms", double(cd.prefetch_wait) * ms_per_cycle));
  lines.push_back("link utilisation (offload in FF / prefetch in backward): vDNN " +
                  format_number("%.0f%%", 100 * link["vdnn"]["offload_utilization_ff"].get<double>()) + "/" +
                  format_number("%.0f%%", 100 * link["vdnn"]["prefetch_utilization_backward"].get<double>()) +
                  ", cDMA " + format_number("%.0f%%", 100 * link["cdma"]["offload_utilization_ff"].get<double>()) +
                  "/" + format_number("%.0f%%", 100 * link["cdma"]["prefetch_utilization_backward"].get<double>()));
  lines.push_back(
      "GPU activation memory: " + format_number("%.2f GB", double(all_bytes) * gb) +
      " resident without offload, peak " + format_number("%.2f GB", double(peak) * gb) + " with offload (" +
      format_number("%.0f%% saved", all_bytes ? 100.0 * double(all_bytes - peak) / double(all_bytes) : 0.0) +
      "); host memory: vDNN " + format_number("%.2f GB", double(variants[1].path->bytes_sent()) * gb) + ", cDMA " +
      format_number("%.2f GB", double(variants[2].path->bytes_sent()) * gb));
  extra["summary_lines"] = lines;
  return extra;
}

}  // namespace sparsim::cdma
