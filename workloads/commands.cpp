#include "workloads/commands.hpp"

#include <iomanip>

#include "sim/errors.hpp"
#include "workloads/library.hpp"

namespace sparsim {

namespace {

void print_network(const Network& net, std::ostream& out) {
  out << "network " << net.name << " (" << net.source << "): " << net.layers.size() << " layers, "
      << net.weight_count() << " weights, " << net.macs_per_sample() << " MACs per sample\n";
  out << std::left << std::setw(28) << "layer" << std::setw(8) << "type" << std::setw(34) << "shape"
      << std::right << std::setw(14) << "MACs/sample" << std::setw(9) << "w.dens" << std::setw(6) << "N:M"
      << std::setw(9) << "a.dens" << "\n";
  for (const auto& l : net.layers) {
    std::string shape;
    if (l.kind == LayerKind::Conv)
      shape = std::to_string(l.cin) + "x" + std::to_string(l.h) + "x" + std::to_string(l.w) + " k" +
              std::to_string(l.kh) + "x" + std::to_string(l.kw) + "/" + std::to_string(l.stride) + " -> " +
              std::to_string(l.cout) + (l.groups > 1 ? " g" + std::to_string(l.groups) : "");
    else if (l.kind == LayerKind::FullyConnected)
      shape = std::to_string(l.cin) + " -> " + std::to_string(l.cout) +
              (l.tokens > 1 ? " x" + std::to_string(l.tokens) + " tok" : "");
    else
      shape = std::to_string(l.m) + "x" + std::to_string(l.k) + "x" + std::to_string(l.n) + " x" +
              std::to_string(l.count);
    const std::string nm = l.sparsity.nm.n ? std::to_string(l.sparsity.nm.n) + ":" + std::to_string(l.sparsity.nm.m) : "-";
    out << std::left << std::setw(28) << l.name << std::setw(8) << layer_kind_name(l.kind) << std::setw(34) << shape
        << std::right << std::setw(14) << l.macs_per_sample() << std::setw(9) << std::fixed << std::setprecision(2)
        << l.sparsity.weight_density << std::setw(6) << nm << std::setw(9) << l.sparsity.activation_density << "\n";
    out.unsetf(std::ios::fixed);
  }
}

}  // namespace

int workloads_command(const std::vector<std::string>& args, std::ostream& out) {
  const std::string usage = "usage: sparsim workloads list | show NAME|FILE [--yaml]";
  if (args.empty()) throw InputError(usage);
  if (args[0] == "list") {
    for (const auto& name : NetworkLibrary::instance().names()) {
      const Network net = NetworkLibrary::instance().find(name)->build();
      out << std::left << std::setw(16) << name << std::right << std::setw(5) << net.layers.size() << " layers "
          << std::setw(12) << net.macs_per_sample() << " MACs/sample  "
          << NetworkLibrary::instance().find(name)->description << "\n";
    }
    return 0;
  }
  if (args[0] == "show" && args.size() >= 2) {
    const Network net = load_network(args[1]);
    if (args.size() >= 3 && args[2] == "--yaml")
      out << network_to_yaml(net);
    else
      print_network(net, out);
    return 0;
  }
  throw InputError(usage);
}

}  // namespace sparsim
