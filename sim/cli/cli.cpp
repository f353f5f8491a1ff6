#include "sim/cli/cli.hpp"

#include <exception>
#include <string>
#include <vector>

#include "models/memory/memtrace.hpp"
#include "sim/accelerator.hpp"
#include "sim/config/docs.hpp"
#include "sim/errors.hpp"
#include "sim/run.hpp"
#include "sim/sweep/sweep.hpp"
#include "workloads/commands.hpp"

namespace sparsim {

namespace {

const char* const kUsage =
    "usage:\n"
    "  sparsim run [CONFIG.yaml] [--workload NAME|FILE] [--set key.path=value]... [--out DIR]\n"
    "              [--mode fast|detailed] [--functional] [--seed N]\n"
    "              [--trace FILE.vcd [--trace-window START:END]]   waveforms (sat, detailed mode)\n"
    "  sparsim config --dump [CONFIG.yaml] [--set key.path=value]...   effective config with all defaults\n"
    "  sparsim config --doc                                            reference of every key (markdown)\n"
    "  sparsim workloads list | show NAME|FILE [--yaml] | validate FILE | import-onnx MODEL.onnx -o NET.yaml\n"
    "  sparsim sweep SWEEP.yaml [--jobs N] [--out DIR] | --emit-jobs FILE | --collect DIR\n"
    "  sparsim plot RESULTS.csv|REPORT.json [--kind KIND] [-o FILE]\n"
    "  sparsim memtrace [CONFIG.yaml] TRACE [--dramsim3-ini FILE] [--mode detailed|fast] [--out DIR]\n"
    "                                       replay a DRAM request trace through the configured memory\n"
    "  sparsim --help | --version\n"
    "\n"
    "Without CONFIG, `run` simulates the embedded default: the SAT-style array at 2:8 against the same array\n"
    "dense, on a ResNet-18 training step. Reports go to DIR (default ./out): report.json and layers.csv.\n"
    "Exit status: 0 success, 2 bad input, 1 internal error.\n";

// Takes the value after a flag, or fails with a message naming the flag.
std::string value_after(const std::vector<std::string>& args, std::size_t& i) {
  if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0)
    throw InputError(located("command line", args[i], "expects a value"));
  return args[++i];
}

int run_command(const std::vector<std::string>& args, std::ostream& out) {
  RunRequest request;
  std::vector<std::string> late;  // flags that override the config and --set, applied last
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--set") {
      request.overrides.push_back(value_after(args, i));
    } else if (a.rfind("--set=", 0) == 0) {
      request.overrides.push_back(a.substr(6));
    } else if (a == "--out") {
      request.out_dir = value_after(args, i);
    } else if (a == "--workload") {
      late.push_back("workload.network=" + value_after(args, i));
    } else if (a == "--mode") {
      late.push_back("run.mode=" + value_after(args, i));
    } else if (a == "--seed") {
      late.push_back("run.seed=" + value_after(args, i));
    } else if (a == "--functional") {
      late.push_back("run.functional=true");
    } else if (a == "--trace") {
      late.push_back("run.trace=" + value_after(args, i));
    } else if (a == "--trace-window") {
      late.push_back("run.trace_window=" + value_after(args, i));
    } else if (a.rfind("--", 0) == 0 || !request.config_path.empty()) {
      throw InputError(located("command line", a, "unexpected argument (see sparsim --help)"));
    } else {
      request.config_path = a;
    }
  }
  request.overrides.insert(request.overrides.end(), late.begin(), late.end());
  return run_simulation(request, out);
}

int config_command(const std::vector<std::string>& args, std::ostream& out) {
  if (args.size() == 1 && args[0] == "--doc") {
    out << config_reference_markdown();
    return 0;
  }
  if (args.empty() || args[0] != "--dump") throw InputError("usage: sparsim config --dump [CONFIG] | --doc");
  std::string path;
  std::vector<std::string> overrides;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--set")
      overrides.push_back(value_after(args, i));
    else if (args[i].rfind("--", 0) == 0 || !path.empty())
      throw InputError(located("command line", args[i], "unexpected argument"));
    else
      path = args[i];
  }
  out << Config::load(path, overrides).dump_yaml();
  return 0;
}

}  // namespace

int cli_main(int argc, char* argv[], std::ostream& out, std::ostream& err) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty()) {
      err << kUsage;
      return 2;
    }
    const std::string command = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (command == "--help" || command == "-h" || command == "help") {
      out << kUsage << "\naccelerators:";
      for (const auto& n : AcceleratorRegistry::instance().names())
        out << "\n  " << n << ": " << AcceleratorRegistry::instance().find(n)->description;
      out << "\n";
      return 0;
    }
    if (command == "--version") {
      out << "sparsim " << SPARSIM_VERSION << "\n";
      return 0;
    }
    if (command == "run") return run_command(rest, out);
    if (command == "config") return config_command(rest, out);
    if (command == "workloads") return workloads_command(rest, out);
    if (command == "sweep") return sweep_command(rest, out);
    if (command == "plot") return plot_command(rest, out);
    if (command == "memtrace") return memory::memtrace_command(rest, out);
    throw InputError(located("command line", command, "unknown command (see sparsim --help)"));
  } catch (const InputError& e) {
    err << "sparsim: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    err << "sparsim: internal error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace sparsim
