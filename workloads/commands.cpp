#include "workloads/commands.hpp"

#include <filesystem>
#include <fstream>
#include <iomanip>

#include "sim/errors.hpp"
#include "workloads/layer_masks.hpp"
#include "workloads/library.hpp"
#include "workloads/mask_file.hpp"
#include "workloads/onnx_import.hpp"
#include "workloads/profiles.hpp"

namespace sparsim {

namespace {

const char* kUsage =
    "usage: sparsim workloads list | show NAME|FILE [--yaml] [--profile SPEC] | validate NAME|FILE | "
    "import-onnx MODEL.onnx -o NET.yaml | masks NAME|FILE -o DIR [--seed S] [--profile SPEC]";

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

void print_network(const Network& net, std::ostream& out) {
  out << "network " << net.name << " (" << net.source << "): " << net.layers.size() << " layers, " << net.weight_count()
      << " weights, " << net.macs_per_sample() << " MACs per sample\n";
  out << std::left << std::setw(28) << "layer" << std::setw(8) << "type" << std::setw(34) << "shape" << std::right
      << std::setw(14) << "MACs/sample" << std::setw(9) << "w.dens" << std::setw(6) << "N:M" << std::setw(9) << "a.dens"
      << std::setw(9) << "g.dens"
      << "  mask\n";
  for (const auto& l : net.layers) {
    const std::string nm =
        l.sparsity.nm.n ? std::to_string(l.sparsity.nm.n) + ":" + std::to_string(l.sparsity.nm.m) : "-";
    std::string mask = l.sparsity.mask_file;
    if (!l.shares_weights.empty())
      mask = "(weights of " + l.shares_weights + ")";
    else if (mask.empty() && l.sparsity.granularity != Granularity::Element)
      mask = granularity_name(l.sparsity.granularity);
    out << std::left << std::setw(28) << l.name << std::setw(8) << layer_kind_name(l.kind) << std::setw(34)
        << shape_text(l) << std::right << std::setw(14) << l.macs_per_sample() << std::setw(9) << std::fixed
        << std::setprecision(2) << l.sparsity.weight_density << std::setw(6) << nm << std::setw(9)
        << l.sparsity.activation_density << std::setw(9) << l.sparsity.gradient_density << "  " << mask << "\n";
    out.unsetf(std::ios::fixed);
  }
}

// Parses "-o PATH" and "--seed N" after the positional argument.
struct Options {
  std::string output;
  std::uint64_t seed = 1;
  std::string profile;  // sparsity profile (workloads/profiles.hpp) applied after loading
  bool yaml = false;
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
  if (cmd == "list" && args.size() == 1) {
    for (const auto& name : NetworkLibrary::instance().names()) {
      const Network net = NetworkLibrary::instance().find(name)->build();
      out << std::left << std::setw(22) << name << std::right << std::setw(5) << net.layers.size() << " layers "
          << std::setw(12) << net.weight_count() << " weights " << std::setw(16) << net.macs_per_sample()
          << " MACs/sample  " << NetworkLibrary::instance().find(name)->description << "\n";
    }
    return 0;
  }
  if (cmd == "show" && args.size() >= 2) {
    const Options o = options(args, 2);
    const Network net = profiled(args[1], o);
    if (o.yaml)
      out << network_to_yaml(net);
    else
      print_network(net, out);
    return 0;
  }
  if (cmd == "validate" && args.size() == 2) {
    const Network net = load_network(args[1]);  // shapes, densities, N:M, mask headers
    check_mask_files(net, true);                // and every mask bitmap's checksum and count
    print_network(net, out);
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
