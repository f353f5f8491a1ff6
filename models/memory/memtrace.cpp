#include "models/memory/memtrace.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <limits>
#include <ostream>
#include <string_view>

#include "models/memory/address_map.hpp"
#include "models/memory/dram_channel.hpp"
#include "models/memory/dram_fast.hpp"
#include "models/memory/dram_params.hpp"
#include "sim/errors.hpp"
#include "sim/report/report.hpp"
#include "sim/text/input_file.hpp"

namespace sparsim::memory {

namespace {

// The characters std::isspace counts as blank in the C locale (what a stream's >> skipped).
bool is_blank(char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f'; }

double p99(std::vector<i64>& latencies) {
  if (latencies.empty()) return 0;
  const std::size_t k = static_cast<std::size_t>(std::ceil(0.99 * static_cast<double>(latencies.size()))) - 1;
  std::nth_element(latencies.begin(), latencies.begin() + static_cast<std::ptrdiff_t>(k), latencies.end());
  return static_cast<double>(latencies[k]);
}

void finish(ReplayResult& r, std::vector<i64>& read_latencies, const DramSpec& spec) {
  r.bytes = r.requests * static_cast<std::uint64_t>(spec.burst_bytes());
  if (!read_latencies.empty()) {
    double sum = 0;
    for (i64 l : read_latencies) sum += static_cast<double>(l);
    r.avg_read_latency = sum / static_cast<double>(read_latencies.size());
    r.p99_read_latency = p99(read_latencies);
  }
}

}  // namespace

std::vector<TraceRequest> read_trace(const std::string& path, const DramSpec& spec, std::size_t max_requests) {
  // Streamed line by line, so any size is fine; only FIFOs and devices are refused.
  check_input_file(path, "trace", std::numeric_limits<std::uint64_t>::max());
  std::ifstream in(path);
  if (!in) throw InputError(located(path, "trace", "cannot open the file"));
  const std::uint64_t capacity = static_cast<std::uint64_t>(spec.capacity_bytes());
  std::vector<TraceRequest> trace;
  std::string line;
  i64 n = 0, last_cycle = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.size() > 256)
      throw InputError(located(path + ":" + std::to_string(n), "trace", "line longer than 256 characters"));
    // The line's whitespace-separated fields, read in place (a stream per line was most of a replay's time).
    std::string_view fields[4];
    std::size_t count = 0;
    for (std::size_t i = 0; i < line.size();) {
      while (i < line.size() && is_blank(line[i])) ++i;
      const std::size_t begin = i;
      while (i < line.size() && !is_blank(line[i])) ++i;
      if (i > begin) {
        if (count == 4) break;  // a fifth field: too many either way
        fields[count++] = std::string_view(line).substr(begin, i - begin);
      }
    }
    if (count == 0) continue;  // blank line
    const std::string_view a = fields[0], op = fields[1], c = fields[2];
    if (a[0] == '#') continue;
    const auto where = [&] { return path + ":" + std::to_string(n); };
    if (count != 3) throw InputError(located(where(), "trace", "expected '0xADDR READ|WRITE CYCLE'"));
    if (a.size() < 3 || a[0] != '0' || (a[1] != 'x' && a[1] != 'X'))
      throw InputError(located(where(), "address", "'" + std::string(a) + "' is not a hex address (0x...)"));
    TraceRequest r;
    auto [p, e] = std::from_chars(a.data() + 2, a.data() + a.size(), r.address, 16);
    if (e != std::errc() || p != a.data() + a.size())
      throw InputError(located(where(), "address", "'" + std::string(a) + "' is not a 64-bit hex address"));
    if (op == "READ" || op == "read")
      r.write = false;
    else if (op == "WRITE" || op == "write")
      r.write = true;
    else
      throw InputError(located(where(), "operation", "'" + std::string(op) + "' is neither READ nor WRITE"));
    auto [q, e2] = std::from_chars(c.data(), c.data() + c.size(), r.cycle);
    if (e2 != std::errc() || q != c.data() + c.size() || r.cycle < 0 || r.cycle > (i64{1} << 50))
      throw InputError(located(where(), "cycle", "'" + std::string(c) + "' is not a cycle count (0..2^50)"));
    if (r.address >= capacity)
      throw InputError(
          located(where(), "address", "beyond the memory's capacity (" + std::to_string(capacity) + " bytes)"));
    if (r.cycle < last_cycle)
      throw InputError(located(where(), "cycle",
                               "earlier than the previous line's (" + std::to_string(last_cycle) +
                                   "): the trace must be sorted by issue cycle"));
    last_cycle = r.cycle;
    if (trace.size() >= max_requests)
      throw InputError(located(where(), "trace", "more than " + std::to_string(max_requests) + " requests"));
    trace.push_back(r);
  }
  return trace;
}

ReplayResult replay_detailed(const DramSpec& spec, const std::vector<TraceRequest>& trace) {
  const AddressMap map(spec);
  std::vector<DramChannel> ch(static_cast<std::size_t>(spec.channels), DramChannel(spec));
  std::vector<i64> next(ch.size(), 0);
  std::vector<DramCompletion> done;
  std::vector<i64> read_latencies;
  std::vector<i64> arrival(trace.size(), 0);
  ReplayResult r;
  std::size_t i = 0;
  i64 now = 0, offer_at = trace.empty() ? kNever : trace[0].cycle;
  int blocked = -1;  // channel whose full queue holds the driver
  for (;;) {
    if (i < trace.size() && blocked < 0 && offer_at <= now) {
      const TraceRequest& t = trace[i];
      const DramCoord c = map.decode(t.address);
      DramChannel& k = ch[static_cast<std::size_t>(c.channel)];
      if (k.can_accept(t.write)) {
        k.enqueue({i, c, t.write, now});
        arrival[i] = now;
        next[static_cast<std::size_t>(c.channel)] = now;
        ++i;
        offer_at = i < trace.size() ? std::max(trace[i].cycle, now + 1) : kNever;
      } else {
        blocked = c.channel;
      }
    }
    bool busy = false;
    for (std::size_t k = 0; k < ch.size(); ++k) {
      if (next[k] <= now) next[k] = ch[k].step(now, done);
      busy = busy || !ch[k].idle();
    }
    if (blocked >= 0 && ch[static_cast<std::size_t>(blocked)].can_accept(trace[i].write)) {
      blocked = -1;
      offer_at = now + 1;
    }
    for (const DramCompletion& d : done) {
      r.cycles = std::max(r.cycles, d.cycle);
      if (!d.write) read_latencies.push_back(d.cycle - arrival[d.tag]);
    }
    r.requests += done.size();
    done.clear();
    if (i == trace.size() && !busy) break;
    i64 to = blocked < 0 ? offer_at : kNever;
    for (i64 n : next) to = std::min(to, n);
    // Idle channels wake for each refresh; across a long idle gap they skip ahead and catch up on the
    // refreshes they missed (DramChannel::step), keeping the last two intervals exact.
    if (!busy && offer_at != kNever && offer_at - to > 4 * i64{spec.tREFI}) to = offer_at - 2 * i64{spec.tREFI};
    now = std::max(now + 1, to);
  }
  for (const DramChannel& k : ch) r.stats += k.stats();
  finish(r, read_latencies, spec);
  return r;
}

ReplayResult replay_fast(const DramSpec& spec, const std::vector<TraceRequest>& trace) {
  const AddressMap map(spec);
  std::vector<DramChannelFast> ch(static_cast<std::size_t>(spec.channels), DramChannelFast(spec));
  for (DramChannelFast& k : ch) k.set_write_buffering(true);  // writes wait for drains, as in the controller
  std::vector<i64> read_latencies;
  ReplayResult r;
  i64 offered = -1;
  for (const TraceRequest& t : trace) {
    const DramCoord c = map.decode(t.address);
    i64 accepted = 0;
    const i64 done =
        ch[static_cast<std::size_t>(c.channel)].serve(c, t.write, std::max(t.cycle, offered + 1), &accepted);
    offered = accepted;                   // the driver holds later requests while this one waits for a queue entry
    r.cycles = std::max(r.cycles, done);  // a buffered write's completion comes with its drain
    if (!t.write) read_latencies.push_back(done - accepted);
    ++r.requests;
  }
  for (DramChannelFast& k : ch) r.cycles = std::max(r.cycles, k.flush_writes());
  for (DramChannelFast& k : ch) {
    k.refresh_through(r.cycles);
    r.stats += k.stats();
  }
  finish(r, read_latencies, spec);
  return r;
}

nlohmann::json replay_json(const DramSpec& spec, const ReplayResult& r, const std::string& mode) {
  const double seconds = static_cast<double>(r.cycles) * spec.tck_ns;
  const double gbps = r.cycles > 0 ? static_cast<double>(r.bytes) / seconds : 0.0;
  nlohmann::json j;
  j["memory"] = {{"name", spec.name},
                 {"protocol", spec.protocol},
                 {"channels", spec.channels},
                 {"ranks", spec.ranks},
                 {"bankgroups", spec.bankgroups},
                 {"banks_per_group", spec.banks_per_group},
                 {"tck_ns", spec.tck_ns},
                 {"burst_bytes", spec.burst_bytes()},
                 {"address_mapping", spec.address_mapping},
                 {"page_policy", spec.open_page ? "open" : "closed"},
                 {"queue_size", spec.queue_size}};
  j["mode"] = mode;
  j["requests"] = r.requests;
  j["reads"] = r.stats.reads;
  j["writes"] = r.stats.writes;
  j["cycles"] = r.cycles;
  j["bytes"] = r.bytes;
  j["bandwidth_gbps"] = gbps;
  j["peak_gbps"] = spec.peak_gbps();
  j["bandwidth_fraction_of_peak"] = gbps / spec.peak_gbps();
  j["avg_read_latency"] = r.avg_read_latency;
  j["p99_read_latency"] = r.p99_read_latency;
  j["row_hits"] = r.stats.row_hits;
  j["row_misses"] = r.stats.row_misses;
  j["row_conflicts"] = r.stats.row_conflicts;
  j["activates"] = r.stats.activates;
  j["precharges"] = r.stats.precharges;
  j["refreshes"] = r.stats.refreshes;
  // Requests waiting in a channel's queues, averaged over the run and the channels (detailed mode only).
  j["avg_queue_occupancy"] =
      r.cycles > 0 ? static_cast<double>(r.stats.queue_occupancy_sum) / static_cast<double>(r.cycles) / spec.channels
                   : 0.0;
  return j;
}

int memtrace_command(const std::vector<std::string>& args, std::ostream& out) {
  std::vector<std::string> positional, overrides;
  std::string out_dir = "out", mode = "detailed";
  auto value = [&](std::size_t& i) {
    if (i + 1 >= args.size()) throw InputError(located("command line", args[i], "expects a value"));
    return args[++i];
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      out << "usage: sparsim memtrace [CONFIG.yaml] TRACE [--dramsim3-ini FILE] [--mode detailed|fast]\n"
             "                        [--set memory.dram.KEY=VALUE]... [--out DIR]\n"
             "Replays TRACE (lines '0xADDR READ|WRITE CYCLE', memory-clock cycles) through CONFIG's memory.dram\n"
             "(or a DRAMSim3 .ini) and writes DIR/memtrace.json (default DIR: ./out).\n";
      return 0;
    }
    if (a == "--set")
      overrides.push_back(value(i));
    else if (a == "--dramsim3-ini")
      overrides.push_back("memory.dram.dramsim3_ini=" + std::filesystem::absolute(value(i)).string());
    else if (a == "--out")
      out_dir = value(i);
    else if (a == "--mode")
      mode = value(i);
    else if (a.rfind("--", 0) == 0)
      throw InputError(located("command line", a, "unexpected argument (see sparsim memtrace --help)"));
    else
      positional.push_back(a);
  }
  if (mode != "detailed" && mode != "fast")
    throw InputError(located("command line", "--mode", "must be detailed or fast"));
  if (positional.empty() || positional.size() > 2)
    throw InputError("usage: sparsim memtrace [CONFIG.yaml] TRACE [--dramsim3-ini FILE] [--out DIR]");
  const std::string config_path = positional.size() == 2 ? positional[0] : "";
  const Config cfg = Config::load(config_path, overrides);
  const DramSpec spec = dram_spec_from_config(cfg);
  const auto trace = read_trace(positional.back(), spec, std::size_t{1} << 26);
  const ReplayResult r = mode == "fast" ? replay_fast(spec, trace) : replay_detailed(spec, trace);
  const nlohmann::json j = replay_json(spec, r, mode);
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) throw InputError(located(out_dir, "--out", "cannot create the directory: " + ec.message()));
  write_atomically(out_dir, "memtrace.json", j.dump(2) + "\n");
  out << std::fixed << std::setprecision(2);
  out << "memtrace: " << spec.name << ", " << spec.channels << " channel(s), " << mode << " mode, " << r.requests
      << " requests\n"
      << "  cycles " << r.cycles << " (" << static_cast<double>(r.cycles) * spec.tck_ns / 1000.0 << " us)\n"
      << "  bandwidth " << j["bandwidth_gbps"].get<double>() << " GB/s of " << spec.peak_gbps() << " GB/s peak ("
      << 100.0 * j["bandwidth_fraction_of_peak"].get<double>() << " %)\n"
      << "  read latency avg " << r.avg_read_latency << ", p99 " << r.p99_read_latency << " cycles\n"
      << "  row hits " << r.stats.row_hits << ", misses " << r.stats.row_misses << ", conflicts "
      << r.stats.row_conflicts << "; activates " << r.stats.activates << ", refreshes " << r.stats.refreshes << "\n"
      << "  wrote " << out_dir << "/memtrace.json\n";
  return 0;
}

}  // namespace sparsim::memory
