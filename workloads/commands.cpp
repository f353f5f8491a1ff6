#include "workloads/commands.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "sim/errors.hpp"
#include "sim/text/csv.hpp"
#include "sim/text/numbers.hpp"
#include "sim/text/text_table.hpp"
#include "workloads/layer_masks.hpp"
#include "workloads/library.hpp"
#include "workloads/mask_file.hpp"
#include "workloads/onnx_import.hpp"
#include "workloads/profiles.hpp"
#include "workloads/training_capture.hpp"
#include "workloads/training_trace.hpp"

namespace sparsim {

namespace {

const char* kUsage =
    "usage: sparsim workloads list [--wide] [--format table|csv|json] | show NAME|FILE [--yaml] [--profile SPEC] "
    "[--wide] | validate NAME|FILE|TRACE_DIR [--wide] | "
    "import-onnx MODEL.onnx -o NET.yaml | masks NAME|FILE -o DIR [--seed S] [--profile SPEC] | "
    "capture --list | capture --model NAME --method METHOD --steps N [--record-every K] [--seed S] -o DIR";

// Human tables fit this many columns unless --wide (as `sparsim run`'s summary, sim/report/report.hpp).
constexpr std::size_t kTableWidth = 120;

std::string shape_text(const Layer& l) {
  if (l.kind == LayerKind::Conv)
    return std::to_string(l.cin) + "x" + std::to_string(l.h) + "x" + std::to_string(l.w) + " k" + std::to_string(l.kh) +
           "x" + std::to_string(l.kw) + "/" + std::to_string(l.stride) + " -> " + std::to_string(l.cout) +
           (l.groups > 1 ? " g" + std::to_string(l.groups) : "");
  if (l.kind == LayerKind::FullyConnected)
    return std::to_string(l.cin) + " -> " + std::to_string(l.cout) +
           (l.tokens > 1 ? " x" + std::to_string(l.tokens) + " tok" : "");
  return std::to_string(l.m) + "x" + std::to_string(l.k) + "x" + std::to_string(l.n) + " x" + std::to_string(l.count);
}

std::string fixed2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// The network's header and its layers as a table that fits 120 columns unless `wide` (the mask column is
// cut first: it can hold a long path).
void print_network(const Network& net, bool wide, std::ostream& out) {
  std::string head = "network ";
  head += net.name;
  head += " (";
  head += net.source;
  head += "): ";
  head += std::to_string(net.layers.size());
  head += " layers, ";
  head += group_digits(static_cast<std::uint64_t>(net.weight_count()));
  head += " weights, ";
  head += group_digits(static_cast<std::uint64_t>(net.macs_per_sample()));
  head += " MACs per sample";
  if (wide)
    out << head << "\n";
  else
    out << wrap_text(head, kTableWidth);
  TextTable table({{"layer", true},
                   {"type", true},
                   {"shape", true},
                   {"MACs/sample"},
                   {"w.dens"},
                   {"N:M"},
                   {"a.dens"},
                   {"g.dens"},
                   {"mask", true, 0, true}});
  for (const auto& l : net.layers) {
    const std::string nm =
        l.sparsity.nm.n ? std::to_string(l.sparsity.nm.n) + ":" + std::to_string(l.sparsity.nm.m) : "-";
    std::string mask = l.sparsity.mask_file;
    if (!l.shares_weights.empty())
      mask = "(weights of " + l.shares_weights + ")";
    else if (mask.empty() && l.sparsity.granularity != Granularity::Element)
      mask = granularity_name(l.sparsity.granularity);
    table.add_row({l.name, l.rnn ? rnn_cell_name(l.rnn->cell) : layer_kind_name(l.kind), shape_text(l),
                   group_digits(static_cast<std::uint64_t>(l.macs_per_sample())), fixed2(l.sparsity.weight_density), nm,
                   fixed2(l.sparsity.activation_density), fixed2(l.sparsity.gradient_density), mask});
  }
  out << table.render(wide ? 0 : kTableWidth);
}

// A training trace's records, one line each (at most 12, evenly spaced, unless `wide`): means over the
// layers with weights of the weight density and mask change, and over all layers of the densities.
void print_records(const TrainingTrace& t, bool wide, std::ostream& out) {
  TextTable table({{"step"}, {"phase", true}, {"w.dens"}, {"a.dens"}, {"g.dens"}, {"mask change"}, {"masked layers"}});
  const std::size_t n = t.records.size(), shown = wide ? n : std::min<std::size_t>(n, 12);
  for (std::size_t k = 0; k < shown; ++k) {
    const TraceRecord& r = t.records[shown > 1 ? k * (n - 1) / (shown - 1) : 0];
    double w = 0, a = 0, g = 0, c = 0;
    std::size_t weighted = 0, files = 0;
    for (std::size_t i = 0; i < r.layers.size(); ++i) {
      const TraceLayerSample& s = r.layers[i];
      a += s.activation_density;
      g += s.gradient_density;
      files += !s.mask.empty();
      if (t.network.layers[i].kind == LayerKind::MatMul) continue;
      w += s.weight_density;
      c += s.mask_change;
      ++weighted;
    }
    const double layers = static_cast<double>(r.layers.size()),
                 wl = static_cast<double>(std::max<std::size_t>(1, weighted));
    char change[32];
    std::snprintf(change, sizeof change, "%.4f", c / wl);
    table.add_row({std::to_string(r.step), r.phase, fixed2(w / wl), fixed2(a / layers), fixed2(g / layers), change,
                   std::to_string(files)});
  }
  if (shown < n)
    out << "records (" << shown << " of " << n << ", --wide: all), means over the layers:\n";
  else
    out << "records, means over the layers:\n";
  out << table.render(wide ? 0 : kTableWidth);
}

// `workloads list`: one line per built-in network. The table fits 120 columns (descriptions are cut,
// --wide keeps them whole); CSV and JSON carry plain numbers for programs.
int list_networks(const std::vector<std::string>& args, std::ostream& out) {
  bool wide = false;
  std::string format = "table";
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--wide") {
      wide = true;
    } else if (args[i] == "--format" && i + 1 < args.size()) {
      format = args[++i];
    } else if (args[i].rfind("--format=", 0) == 0) {
      format = args[i].substr(9);
    } else {
      throw InputError(located("command line", args[i], std::string("unexpected argument; ") + kUsage));
    }
  }
  if (format != "table" && format != "csv" && format != "json")
    throw InputError(located("command line", "--format", "expected table, csv or json, got '" + format + "'"));
  TextTable table({{"name", true}, {"layers"}, {"weights"}, {"MACs/sample"}, {"description", true, 0, true}});
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  std::string csv = "name,layers,weights,macs_per_sample,description\n";
  for (const auto& name : NetworkLibrary::instance().names()) {
    const Network net = NetworkLibrary::instance().find(name)->build();
    const std::string& description = NetworkLibrary::instance().find(name)->description;
    const auto weights = static_cast<std::uint64_t>(net.weight_count());
    const auto macs = static_cast<std::uint64_t>(net.macs_per_sample());
    table.add_row({name, std::to_string(net.layers.size()), group_digits(weights), group_digits(macs), description});
    list.push_back({{"name", name},
                    {"layers", net.layers.size()},
                    {"weights", weights},
                    {"macs_per_sample", macs},
                    {"description", description}});
    std::string row = name;
    for (const std::string& cell : {std::to_string(net.layers.size()), std::to_string(weights), std::to_string(macs)}) {
      row += ',';
      row += cell;
    }
    row += ',';
    row += csv_field(description);
    row += '\n';
    csv += row;
  }
  if (format == "csv")
    out << csv;
  else if (format == "json")
    out << list.dump(2) << "\n";
  else
    out << table.render(wide ? 0 : kTableWidth);
  return 0;
}

// Parses "-o PATH" and "--seed N" after the positional argument.
struct Options {
  std::string output;
  std::uint64_t seed = 1;
  std::string profile;  // sparsity profile (workloads/profiles.hpp) applied after loading
  bool yaml = false;
  bool wide = false;  // tables: every column uncut, no width limit
};
Options options(const std::vector<std::string>& args, std::size_t first) {
  Options o;
  for (std::size_t i = first; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    if ((args[i] == "-o" || args[i] == "--output") && has_value) {
      o.output = args[++i];
    } else if (args[i] == "--profile" && has_value) {
      o.profile = args[++i];
    } else if (args[i] == "--yaml") {
      o.yaml = true;
    } else if (args[i] == "--wide") {
      o.wide = true;
    } else if (args[i] == "--seed" && has_value) {
      try {
        std::size_t used = 0;
        o.seed = std::stoull(args[i + 1], &used);
        if (used != args[i + 1].size()) throw std::invalid_argument("seed");
      } catch (const std::exception&) {
        throw InputError(
            located("command line", "--seed", "expected a non-negative integer, got '" + args[i + 1] + "'"));
      }
      ++i;
    } else {
      throw InputError(located("command line", args[i], std::string("unexpected argument; ") + kUsage));
    }
  }
  return o;
}

Network profiled(const std::string& name, const Options& o) {
  Network net = load_network(name);
  if (!o.profile.empty()) {
    apply_sparsity_profile(net, o.profile, "--profile");
    validate_network(net);
  }
  return net;
}

// Writes the FF weight mask of every prunable layer (and the BP mask of N:M layers) and a copy of the
// network that names them, so that the same masks can be inspected, shared and simulated again.
int write_masks(const Network& source, const Options& o, std::ostream& out) {
  namespace fs = std::filesystem;
  fs::create_directories(o.output);
  Network net = source;
  net.source = (fs::path(o.output) / (net.name + ".yaml")).string();
  std::int64_t bytes = 0;
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    Layer& l = net.layers[i];
    if (l.kind == LayerKind::MatMul || !l.shares_weights.empty()) continue;
    const int index = static_cast<int>(i);
    const std::string base = std::to_string(i) + "_" + l.name;
    std::string file;
    for (char c : base) file += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
    const Mask ff = weight_mask(source, index, Phase::FF, o.seed);
    if (ff.count() == ff.size()) continue;  // dense: a mask would say nothing
    write_mask_file((fs::path(o.output) / (file + ".spmask")).string(), ff, "layer " + l.name);
    bytes += static_cast<std::int64_t>(ff.words().size() * 8);
    if (l.sparsity.nm.active() && l.sparsity.prunable && l.sparsity.mask_file_bp.empty()) {
      const Mask bp = weight_mask(source, index, Phase::BP, o.seed);
      write_mask_file((fs::path(o.output) / (file + ".bp.spmask")).string(), bp, "layer " + l.name);
      l.sparsity.mask_file_bp = file + ".bp.spmask";
      bytes += static_cast<std::int64_t>(bp.words().size() * 8);
    }
    l.sparsity.mask_file = file + ".spmask";
  }
  std::ofstream yaml(net.source, std::ios::trunc);
  if (!yaml) throw InputError(located(net.source, "", "cannot write the network file"));
  yaml << "# Masks of " << source.name << " generated by sparsim workloads masks --seed " << o.seed << "\n"
       << network_to_yaml(net);
  yaml.close();
  load_network(net.source);  // the copy must validate, masks included
  out << "wrote " << net.source << " and its masks (" << bytes << " bitmap bytes, seed " << o.seed << ")\n";
  return 0;
}

}  // namespace

int workloads_command(const std::vector<std::string>& args, std::ostream& out) {
  if (args.empty()) throw InputError(located("command line", "workloads", kUsage));
  const std::string& cmd = args[0];
  if (cmd == "list") return list_networks(args, out);
  if (cmd == "show" && args.size() >= 2) {
    const Options o = options(args, 2);
    const Network net = profiled(args[1], o);
    if (o.yaml)
      out << network_to_yaml(net);
    else
      print_network(net, o.wide, out);
    return 0;
  }
  if (cmd == "validate" && args.size() >= 2 && std::filesystem::is_directory(args[1])) {  // a training trace
    const Options o = options(args, 2);
    const TrainingTrace t = load_training_trace(args[1]);      // trace.yaml, network, densities.csv, mask headers
    const std::size_t masks = verify_training_trace_masks(t);  // and every bitmap's checksum and count
    std::string head = "training trace " + args[1] + ": model " + t.model + ", method " + t.method + ", seed " +
                       std::to_string(t.seed) + ", " + std::to_string(t.steps) + " steps, " +
                       std::to_string(t.records.size()) + " records (every " + std::to_string(t.record_every) +
                       "), batch " + std::to_string(t.batch);
    for (const auto& [tool, version] : t.versions) head += ", " + tool + " " + version;
    out << (o.wide ? head + "\n" : wrap_text(head, kTableWidth));
    print_network(t.network, o.wide, out);
    print_records(t, o.wide, out);
    out << "valid: " << t.records.size() << " records of " << t.network.layers.size() << " layers, " << masks
        << " mask files verified\n";
    return 0;
  }
  if (cmd == "capture") return capture_training_trace({args.begin() + 1, args.end()}, out);
  if (cmd == "validate" && args.size() >= 2) {
    const Options o = options(args, 2);
    const Network net = load_network(args[1]);  // shapes, densities, N:M, mask headers
    check_mask_files(net, true);                // and every mask bitmap's checksum and count
    print_network(net, o.wide, out);
    std::size_t with_masks = 0;
    for (const auto& l : net.layers) with_masks += !l.sparsity.mask_file.empty();
    out << "valid: " << net.layers.size() << " layers, " << with_masks << " with mask files verified\n";
    return 0;
  }
  if (cmd == "import-onnx" && args.size() >= 2) {
    const Options o = options(args, 2);
    if (o.output.empty()) throw InputError(located("command line", "import-onnx", "needs -o NET.yaml"));
    out << "importing " << args[1] << "\n";
    const Network net = import_onnx(args[1], o.output, out);
    out << "wrote " << o.output << ": " << net.layers.size() << " layers, " << net.weight_count() << " weights, "
        << net.macs_per_sample() << " MACs per sample\n";
    return 0;
  }
  if (cmd == "masks" && args.size() >= 2) {
    const Options o = options(args, 2);
    if (o.output.empty()) throw InputError(located("command line", "masks", "needs -o DIR"));
    return write_masks(profiled(args[1], o), o, out);
  }
  throw InputError(located("command line", "workloads " + cmd, kUsage));
}

}  // namespace sparsim
