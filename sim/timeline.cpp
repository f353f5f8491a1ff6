#include "sim/timeline.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "sim/errors.hpp"

namespace sparsim {

namespace {
Timeline* g_active = nullptr;

std::string sibling(const std::filesystem::path& p, const char* suffix) {
  std::string name = ".";  // (built step by step: GCC 12 warns falsely on one concatenation here)
  name += p.filename().string();
  name += suffix;
  return (p.parent_path() / name).string();
}
}  // namespace

Timeline* active_timeline() { return g_active; }
void set_active_timeline(Timeline* t) { g_active = t; }

Timeline::Track& Timeline::track(const std::string& name) {
  auto it = tracks_.find(name);
  if (it == tracks_.end()) {
    it = tracks_.emplace(name, Track{}).first;
    it->second.tid = static_cast<int>(order_.size()) + 1;
    order_.push_back(name);
  }
  return it->second;
}

void Timeline::merge(const std::string& name, const std::string& what, std::uint64_t start, std::uint64_t end,
                     std::uint64_t gap, std::uint64_t bytes) {
  Track& t = track(name);
  const std::uint64_t busy = end > start ? end - start : 0;
  if (!t.events.empty() && t.dropped == 0) {
    nlohmann::ordered_json& last = t.events.back();
    const std::uint64_t ts = last["ts"].get<std::uint64_t>(), last_end = ts + last["dur"].get<std::uint64_t>();
    if (last["name"] == what && start >= ts && start <= last_end + gap) {
      last["dur"] = std::max(last_end, end) - ts;
      nlohmann::ordered_json& a = last["args"];
      a["pieces"] = a["pieces"].get<std::uint64_t>() + 1;
      a["busy_cycles"] = a["busy_cycles"].get<std::uint64_t>() + busy;
      a["bytes"] = a["bytes"].get<std::uint64_t>() + bytes;
      return;
    }
  }
  slice(name, what, start, end, {{"pieces", 1}, {"busy_cycles", busy}, {"bytes", bytes}});
}

void Timeline::slice(const std::string& name, const std::string& what, std::uint64_t start, std::uint64_t end,
                     nlohmann::ordered_json args) {
  Track& t = track(name);
  if (t.events.size() >= kMaxSlicesPerTrack) {
    ++t.dropped;
    return;
  }
  nlohmann::ordered_json e = {{"name", what}, {"ph", "X"},   {"ts", start}, {"dur", end > start ? end - start : 0},
                              {"pid", 1},     {"tid", t.tid}};
  if (!args.is_null() && !args.empty()) e["args"] = std::move(args);
  t.events.push_back(std::move(e));
  ++count_;
}

void Timeline::add_jobs(const RunResults& results) {
  std::uint64_t at = 0;
  std::string variant;
  for (const JobResult& j : results.jobs) {
    if (concurrent_ && j.variant != variant) at = 0;  // each variant's step starts at 0
    variant = j.variant;
    nlohmann::ordered_json args = {{"cycles", j.cycles}, {"issued_macs", j.issued_macs}};
    for (const auto& [cause, n] : j.stall_cycles)
      if (n > 0) args["stall_" + cause] = n;
    std::string name = j.layer;
    name += " ";
    name += phase_name(j.phase);
    slice("jobs: " + j.variant, name, at, at + j.cycles, std::move(args));
    at += j.cycles;
  }
}

nlohmann::ordered_json Timeline::document() const {
  nlohmann::ordered_json events = nlohmann::ordered_json::array();
  events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 1}, {"args", {{"name", "sparsim"}}}});
  for (const auto& name : order_) {
    const Track& t = tracks_.at(name);
    std::string label = name;
    if (t.dropped > 0) label += " (" + std::to_string(t.dropped) + " later slices not recorded)";
    events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", t.tid}, {"args", {{"name", label}}}});
    events.push_back(
        {{"name", "thread_sort_index"}, {"ph", "M"}, {"pid", 1}, {"tid", t.tid}, {"args", {{"sort_index", t.tid}}}});
  }
  for (const auto& name : order_)
    for (const auto& e : tracks_.at(name).events) events.push_back(e);
  return {{"traceEvents", std::move(events)},
          {"displayTimeUnit", "ns"},
          {"otherData", {{"time_unit", "1 us on the axis = 1 accelerator cycle"}}}};
}

std::string timeline_path(const Config& cfg) {
  const std::string path = cfg.str("run.timeline");
  if (path.empty()) return path;
  const std::filesystem::path p(path);
  if (p.extension() != ".json" || p.stem().empty()) cfg.fail("run.timeline", "the timeline file must end in .json");
  std::error_code ec;
  if (std::filesystem::is_directory(p, ec)) cfg.fail("run.timeline", "'" + path + "' is a directory");
  const std::string probe = sibling(p, ".probe");
  {
    std::ofstream f(probe);
    if (!f) cfg.fail("run.timeline", "cannot write in the directory of '" + path + "'");
  }
  std::filesystem::remove(probe, ec);
  return path;
}

void write_timeline(const Timeline& t, const std::string& path) {
  const std::string temp = sibling(std::filesystem::path(path), ".partial");
  {
    std::ofstream f(temp);
    f << t.document().dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
    if (!f) throw InputError(located(path, "run.timeline", "cannot write the timeline"));
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    throw InputError(located(path, "run.timeline", "cannot move the timeline into place"));
  }
}

}  // namespace sparsim
