#pragma once
// The network library: built-in networks register themselves by name (one file per family under
// workloads/networks/); files in the YAML network format (docs/workloads.md) load the same way.
#include <functional>
#include <string>
#include <vector>

#include "workloads/network.hpp"

namespace sparsim {

struct NetworkInfo {
  std::string name;
  std::string description;  // one line: what it is and where its shapes/densities come from
  std::function<Network()> build;
};

class NetworkLibrary {
 public:
  static NetworkLibrary& instance();
  void add(NetworkInfo info);
  const NetworkInfo* find(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::vector<NetworkInfo> infos_;
};

struct NetworkRegistrar {
  explicit NetworkRegistrar(NetworkInfo info) { NetworkLibrary::instance().add(std::move(info)); }
};

#define SPARSIM_NET_CONCAT_INNER(a, b) a##b
#define SPARSIM_NET_CONCAT(a, b) SPARSIM_NET_CONCAT_INNER(a, b)
#define SPARSIM_REGISTER_NETWORK(name, description, builder) \
  static ::sparsim::NetworkRegistrar SPARSIM_NET_CONCAT(sparsim_network_, __LINE__)({name, description, builder})

// A built-in name, a YAML file path or a SCALE-Sim topology file (*.csv, workloads/scalesim_topology.hpp).
// Throws InputError naming the file, line and key on bad input.
Network load_network(const std::string& name_or_path);
Network parse_network_yaml(const std::string& text, const std::string& file);
// Layer `index` of `count` stacked recurrent layers read from one entry (`layers: count`): named NAME.lINDEX
// when count > 1, and above the first, fed by the previous layer's h (input = hidden, with a gradient into it).
Layer stacked_rnn_layer(const Layer& first, std::int64_t index, std::int64_t count);
// The network in the YAML network format (round-trips through parse_network_yaml).
std::string network_to_yaml(const Network& net);
// Checks shapes and densities; throws InputError("<source>: layer <name>: ...").
void validate_network(const Network& net);

// Sets published per-layer densities (one entry per layer, in order) and marks every layer prunable, as
// the pruned profiles of Han et al. do; throws std::logic_error if the list lengths do not match.
void set_pruned_densities(Network& net, const std::vector<double>& weights, const std::vector<double>& activations);

// Builders for layer lists, shared by the built-in network files.
Layer conv(std::string name, std::int64_t cin, std::int64_t cout, std::int64_t hw, std::int64_t k, std::int64_t stride,
           std::int64_t pad, std::int64_t groups = 1);
Layer fc(std::string name, std::int64_t cin, std::int64_t cout, std::int64_t tokens = 1);
Layer matmul(std::string name, std::int64_t m, std::int64_t k, std::int64_t n, std::int64_t count);
// Marks every conv and fc layer except those reading the network input as reading a ReLU output: the
// plain CNN case (conv-ReLU-pool chains, ResNet blocks, classifiers after pooled ReLU maps).
void mark_relu_inputs(Network& net);

}  // namespace sparsim
