#include "sim/oracle_run.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <systemc>

#include <cstdio>
#include <stdexcept>

#include "sim/accelerator.hpp"
#include "sim/energy.hpp"
#include "sim/report/report.hpp"
#include "sim/text/numbers.hpp"
#include "sim/timeline.hpp"
#include "sim/workload_setup.hpp"

namespace sparsim {

namespace {

using json = nlohmann::ordered_json;

// The child's work: simulate, report, keep the figures the parent prints.
json simulate(const std::string& config_path, const std::vector<std::string>& overrides) {
  set_active_timeline(nullptr);  // the parent's timeline is the parent's
  const Config cfg = Config::load(config_path, overrides);
  const AcceleratorInfo& info = *AcceleratorRegistry::instance().find(cfg.str("accelerator.name"));
  const TrainingStep step = configured_training_step(cfg);
  const EnergyTable energy = EnergyTable::load(cfg.resolved_path("energy.table"), cfg.f64("energy.scale"));
  DeviceMemorySlot device, baseline;
  // Timing does not depend on --functional (values never decide timing), so the oracle skips the values.
  RunContext context{cfg,
                     step,
                     cfg.str("run.mode") == "detailed" ? TimingMode::Detailed : TimingMode::Fast,
                     false,
                     static_cast<std::uint64_t>(cfg.i64("run.seed")),
                     nullptr,
                     nullptr,
                     &device,
                     nullptr,
                     &baseline};
  std::unique_ptr<Accelerator> accelerator = info.make();
  accelerator->elaborate(context);
  sc_core::sc_start();
  const RunResults results = accelerator->collect();
  const json report = build_report(ReportInputs{cfg, info, step, energy}, results);
  json out = {{"design_variant", report["accelerator"]["design_variant"]},
              {"baseline_variant", report["accelerator"]["baseline_variant"]},
              {"variants", json::object()}};
  for (const auto& [v, t] : report["summary"]["variants"].items())
    out["variants"][v] = {{"cycles", t["cycles"]}, {"energy_pj", t["energy_pj"]}};
  if (report["summary"].contains("speedup")) out["speedup"] = report["summary"]["speedup"]["step"];
  if (report["summary"].contains("energy_efficiency_gain"))
    out["energy_efficiency_gain"] = report["summary"]["energy_efficiency_gain"]["step"];
  return out;
}

}  // namespace

OracleRun::~OracleRun() {
  if (fd_ >= 0) close(fd_);
  if (pid_ > 0) {
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

void OracleRun::start(const std::string& config_path, const std::vector<std::string>& overrides) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("oracle: cannot make a pipe");
  std::fflush(nullptr);  // nothing buffered is written twice
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    throw std::runtime_error("oracle: cannot fork");
  }
  if (pid == 0) {
    close(fds[0]);
    std::string text;
    try {
      text = "OK ";
      text += simulate(config_path, overrides).dump();
    } catch (const std::exception& e) {
      text = "ERROR ";
      text += e.what();
    }
    std::size_t off = 0;
    while (off < text.size()) {
      const ssize_t n = write(fds[1], text.data() + off, text.size() - off);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  pid_ = pid;
  fd_ = fds[0];
}

json OracleRun::finish() {
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = read(fd_, buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
  close(fd_);
  fd_ = -1;
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (text.rfind("OK ", 0) != 0) {
    std::string why = "the no-offload oracle run failed: ";
    why += text.empty() ? std::string("no answer from its process") : text;
    throw std::runtime_error(why);
  }
  return json::parse(text.substr(3));
}

std::string oracle_summary_line(const json& oracle, const json& report) {
  const std::string design = oracle["design_variant"].get<std::string>();
  const std::string base = oracle["baseline_variant"].get<std::string>();
  const auto& mine = report["summary"]["variants"];
  const auto& theirs = oracle["variants"];
  std::string line = "no-offload oracle (the same run without it): ";
  for (const std::string& v : {design, base}) {
    if (!theirs.contains(v) || !mine.contains(v)) continue;
    const double c0 = theirs[v]["cycles"].get<double>(), c1 = mine[v]["cycles"].get<double>();
    const double e0 = theirs[v]["energy_pj"].get<double>(), e1 = mine[v]["energy_pj"].get<double>();
    line += v;
    line += " ";
    line += group_digits(static_cast<std::uint64_t>(c0));
    line += " cycles (offload ";
    line += format_number("%+.1f%%", c0 > 0 ? 100.0 * (c1 - c0) / c0 : 0.0);
    line += "), ";
    line += group_fixed(e0 / 1e6, 2);
    line += " uJ (offload ";
    line += format_number("%+.1f%%", e0 > 0 ? 100.0 * (e1 - e0) / e0 : 0.0);
    line += "); ";
  }
  if (oracle.contains("speedup")) {
    line += "speedup ";
    line += format_number("%.3fx", oracle["speedup"].get<double>());
  }
  if (oracle.contains("energy_efficiency_gain")) {
    line += ", energy-efficiency gain ";
    line += format_number("%.3fx", oracle["energy_efficiency_gain"].get<double>());
  }
  return line;
}

}  // namespace sparsim
