#include "sim/cli/cli.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "models/memory/memtrace.hpp"
#include "sim/accelerator.hpp"
#include "sim/config/docs.hpp"
#include "sim/errors.hpp"
#include "sim/report/explain.hpp"
#include "sim/run.hpp"
#include "sim/sweep/sweep.hpp"
#include "workloads/commands.hpp"

namespace sparsim {

namespace {

const char* const kUsage =
    "usage:\n"
    "  sparsim run [CONFIG.yaml] [--workload NAME|FILE|TRACE_DIR] [--set key.path=value]... [--out DIR]\n"
    "              [--mode fast|detailed] [--functional] [--seed N]\n"
    "              [--trace FILE.vcd [--trace-window START:END]]   waveforms (sat, detailed mode)\n"
    "              [--timeline FILE.json]                 Perfetto/chrome://tracing timeline (any model)\n"
    "              [--max-memory MIB] [--max-events N]    refuse runs estimated to need more memory or work\n"
    "              [--format table|csv|json] [--wide] [--quiet] [--progress]   summary form, progress line\n"
    "  sparsim config --dump [CONFIG.yaml] [--set key.path=value]...   effective config with all defaults\n"
    "  sparsim config --doc                                            reference of every key (markdown)\n"
    "  sparsim workloads list [--wide] [--format table|csv|json] | show NAME|FILE [--yaml] [--profile SPEC]\n"
    "                  | validate NAME|FILE | import-onnx MODEL.onnx -o NET.yaml   (show, validate: [--wide])\n"
    "                  | masks NAME|FILE -o DIR [--seed S] [--profile SPEC]\n"
    "                  | capture --model NAME --method METHOD --steps N [--record-every K] [--seed S] -o DIR\n"
    "  sparsim sweep SWEEP.yaml [--jobs N] [--out DIR] [--list] [--emit-jobs FILE] [--quiet] [--progress]\n"
    "              [--format table|csv|json] | --collect DIR [--format table|csv|json]\n"
    "  sparsim plot RESULTS.csv|REPORT.json [--kind KIND] [-o FILE]   (sparsim plot --help: kinds, options)\n"
    "  sparsim explain REPORT.json [LAYER [PHASE]]    where a run's (or a job's) cycles went, and why\n"
    "  sparsim memtrace [CONFIG.yaml] TRACE [--dramsim3-ini FILE] [--mode detailed|fast] [--out DIR]\n"
    "                                       replay a DRAM request trace through the configured memory\n"
    "  sparsim --help | --version\n"
    "\n"
    "Without CONFIG, `run` simulates the embedded default: the SAT-style array at 2:8 against the same array\n"
    "dense, on a ResNet-18 training step. Reports go to DIR (default ./out): report.json and layers.csv.\n"
    "Tables fit 120 columns (--wide: every column). Progress with an ETA appears on stderr when it is a\n"
    "terminal and a run lasts more than about 2 s (--quiet: never, --progress: always).\n"
    "Exit status: 0 success, 2 bad input, 1 internal error. `sparsim COMMAND --help` explains one command.\n";

// What `sparsim COMMAND --help` prints.
const char* command_help(const std::string& command) {
  if (command == "run")
    return "usage: sparsim run [CONFIG.yaml] [options]\n"
           "Simulates one training step of the configured workload on the configured accelerator (without\n"
           "CONFIG: the embedded default, SAT-style array at 2:8 vs dense on ResNet-18).\n"
           "  --workload NAME|FILE    built-in network, network YAML or SCALE-Sim topology CSV (workload.network)\n"
           "  --workload TRACE_DIR    a captured training trace: simulate its recorded steps (sampled beyond\n"
           "                          workload.trace.max_records), each on its own masks and densities\n"
           "  --set key.path=value    override any config key (repeatable; sparsim config --doc lists them)\n"
           "  --out DIR               where report.json and layers.csv go (default ./out)\n"
           "  --mode fast|detailed    timing mode (run.mode)\n"
           "  --functional            compute real values and check them against a dense reference\n"
           "  --seed N                seed of every random generator (run.seed)\n"
           "  --trace FILE.vcd        waveforms of the detailed array (sat; needs --mode detailed)\n"
           "  --trace-window S:E      cycles the waveforms cover (default: the whole run); the PEs traced:\n"
           "                          --set run.trace_pes=N --set run.trace_origin=ROW,COL (8 x 8 from 0,0)\n"
           "  --timeline FILE.json    Chrome/Perfetto trace of jobs (every model) and the model's tracks\n"
           "  --max-memory MIB        refuse a run estimated to need more memory (run.max_memory_mb, 8192)\n"
           "  --max-events N          refuse a run estimated to take more simulation events, about 1 us each\n"
           "                          (run.max_events, 300000000; 0: no limit)\n"
           "  --format table|csv|json summary on stdout: a table for people (default), or every column with\n"
           "                          plain numbers for programs (one row per layer x phase, then the totals)\n"
           "  --wide                  the table with every column (by default it fits 120 columns)\n"
           "  --quiet, -q             no progress line and no other non-essential output on stderr\n"
           "  --progress              show the progress line even when stderr is not a terminal (--quiet wins)\n";
  if (command == "config")
    return "usage: sparsim config --dump [CONFIG.yaml] [--set key.path=value]... | --doc\n"
           "  --dump   the effective config, every default filled in\n"
           "  --doc    the reference of every key (markdown, as docs/config.md)\n";
  if (command == "workloads")
    return "usage: sparsim workloads COMMAND\n"
           "  list [--wide] [--format table|csv|json]  built-in networks (--wide: descriptions uncut)\n"
           "  show NAME|FILE [--yaml] [--profile SPEC] [--wide]  layers, shapes, MACs and densities (--yaml: as a\n"
           "                                          network file)\n"
           "  validate NAME|FILE|TRACE_DIR [--wide]   check a network file (shapes, densities, masks) or a\n"
           "                                          training trace (trace.yaml, densities.csv, masks)\n"
           "  import-onnx MODEL.onnx -o NET.yaml      convert an ONNX model's conv/fc/matmul layers\n"
           "  masks NAME|FILE -o DIR [--seed S] [--profile SPEC]  write the network's weight masks\n"
           "  capture --model NAME --method METHOD --steps N [--record-every K] [--seed S] [--density D]\n"
           "          [--nm N:M] -o DIR               train a small network with a pruning method (python3-torch)\n"
           "                                          and record a training trace; capture --list: models, methods\n"
           "FILE: a network YAML (docs/workloads.md) or a SCALE-Sim topology CSV. Tables fit 120 columns;\n"
           "--wide prints every column uncut.\n";
  if (command == "sweep")
    return "usage: sparsim sweep SWEEP.yaml [--jobs N] [--out DIR] [--list] [--emit-jobs FILE] [--quiet] [--progress]\n"
           "                     [--format table|csv|json] | --collect DIR [--format table|csv|json]\n"
           "  --jobs N          points simulated at once (default: the machine's cores)\n"
           "  --out DIR         sweep directory (default out/sweep-NAME); re-running resumes it\n"
           "  --list            print the points and their status, run nothing\n"
           "  --emit-jobs FILE  write a Slurm job array for the points instead of running them\n"
           "  --collect DIR     gather the finished points of DIR into its results\n"
           "  --format table|csv|json  the results on stdout: a table of the points for people (default; fits 120\n"
           "                    columns), or every results.csv column for programs (csv: the file's text, json:\n"
           "                    one document, numbers as numbers); then stdout holds nothing else\n"
           "  --quiet, -q       no progress line (failed runs are still reported)\n"
           "  --progress        show the progress line even when stderr is not a terminal (--quiet wins)\n"
           "Progress (runs done / total, elapsed, ETA) is one line on stderr, shown when it is a terminal.\n";
  if (command == "explain")
    return "usage: sparsim explain REPORT.json [LAYER [PHASE]]\n"
           "Without LAYER: per variant, busy cycles and each stall cause over the run, the design's slowest jobs\n"
           "and the jobs slower than the baseline. With LAYER [PHASE]: each job's cycles by cause with what the\n"
           "cause means, utilization, mapping and estimate error, DRAM traffic, and the top three reasons.\n";
  if (command == "memtrace")
    return "usage: sparsim memtrace [CONFIG.yaml] TRACE [--dramsim3-ini FILE] [--mode detailed|fast] [--set k=v]... "
           "[--out DIR]\n"
           "Replays a DRAM request trace (lines 'ADDRESS READ|WRITE CYCLE') through the configured memory.\n";
  return nullptr;
}

// An error message as one line: control characters of values echoed in it (a newline in a --set value,
// a tab in a file name) are written as escapes.
std::string one_line(const std::string& text) {
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out;
}

// Takes the value after a flag, or fails with a message naming the flag.
std::string value_after(const std::vector<std::string>& args, std::size_t& i) {
  if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0)
    throw InputError(located("command line", args[i], "expects a value"));
  return args[++i];
}

SummaryFormat parse_format(const std::string& text) {
  if (text == "table") return SummaryFormat::Table;
  if (text == "csv") return SummaryFormat::Csv;
  if (text == "json") return SummaryFormat::Json;
  throw InputError(located("command line", "--format", "expected table, csv or json, got '" + text + "'"));
}

int run_command(const std::vector<std::string>& args, std::ostream& out) {
  RunRequest request;
  std::vector<std::string> late;  // flags that override the config and --set, applied last
  bool quiet = false, force_progress = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--format") {
      request.format = parse_format(value_after(args, i));
    } else if (a.rfind("--format=", 0) == 0) {
      request.format = parse_format(a.substr(9));
    } else if (a == "--wide") {
      request.wide = true;
    } else if (a == "--quiet" || a == "-q") {
      quiet = true;
    } else if (a == "--progress") {
      force_progress = true;
    } else if (a == "--set") {
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
    } else if (a == "--timeline") {
      late.push_back("run.timeline=" + value_after(args, i));
    } else if (a == "--max-memory") {
      late.push_back("run.max_memory_mb=" + value_after(args, i));
    } else if (a == "--max-events") {
      late.push_back("run.max_events=" + value_after(args, i));
    } else if (a == "--trace-window") {
      late.push_back("run.trace_window=" + value_after(args, i));
    } else if (a.rfind("--", 0) == 0 || !request.config_path.empty()) {
      throw InputError(located("command line", a, "unexpected argument (see sparsim --help)"));
    } else {
      request.config_path = a;
    }
  }
  request.overrides.insert(request.overrides.end(), late.begin(), late.end());
  request.progress = progress_mode(force_progress, quiet);
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
    if (const char* help = command_help(command);
        help && std::find_if(rest.begin(), rest.end(),
                             [](const std::string& a) { return a == "--help" || a == "-h"; }) != rest.end()) {
      out << help;
      return 0;
    }
    if (command == "run") return run_command(rest, out);
    if (command == "config") return config_command(rest, out);
    if (command == "workloads") return workloads_command(rest, out);
    if (command == "sweep") return sweep_command(rest, out);
    if (command == "plot") return plot_command(rest, out);
    if (command == "memtrace") return memory::memtrace_command(rest, out);
    if (command == "explain") return explain_command(rest, out);
    throw InputError(located("command line", command, "unknown command (see sparsim --help)"));
  } catch (const InputError& e) {
    err << "sparsim: error: " << one_line(e.what()) << "\n";
    return 2;
  } catch (const std::exception& e) {
    err << "sparsim: internal error: " << one_line(e.what()) << "\n";
    return 1;
  }
}

}  // namespace sparsim
