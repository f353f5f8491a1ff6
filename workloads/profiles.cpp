#include "workloads/profiles.hpp"

#include <sstream>

#include "sim/errors.hpp"

namespace sparsim {

namespace {

double parse_density(const std::string& where, const std::string& item, const std::string& text) {
  double d = -1;
  try {
    std::size_t used = 0;
    d = std::stod(text, &used);
    if (used != text.size()) d = -1;
  } catch (const std::exception&) {
  }
  if (!(d >= 0.0 && d <= 1.0))
    throw InputError(located(where, item, "density must be a number in [0, 1], got '" + text + "'"));
  return d;
}

NMPattern parse_nm(const std::string& where, const std::string& item, const std::string& text) {
  NMPattern p;
  const auto colon = text.find(':');
  try {
    std::size_t a = 0, b = 0;
    if (colon == std::string::npos) throw std::invalid_argument("colon");
    p.n = std::stoi(text.substr(0, colon), &a);
    p.m = std::stoi(text.substr(colon + 1), &b);
    if (a != colon || b != text.size() - colon - 1) throw std::invalid_argument("junk");
  } catch (const std::exception&) {
    throw InputError(located(where, item, "expected N:M such as 2:4, got '" + text + "'"));
  }
  if (p.n < 1 || p.m < 1 || p.n > p.m) throw InputError(located(where, item, "need 1 <= N <= M, got " + text));
  return p;
}

bool has_weights(const Layer& l) { return l.kind != LayerKind::MatMul; }

}  // namespace

void apply_sparsity_profile(Network& net, const std::string& spec, const std::string& where) {
  std::stringstream ss(spec);
  for (std::string item; std::getline(ss, item, ',');) {
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (item.empty()) continue;
    const auto eq = item.find('=');
    const std::string key = item.substr(0, eq), value = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (key == "dense" && eq == std::string::npos) {
      for (auto& l : net.layers) {
        l.sparsity.weight_density = 1.0;
        l.sparsity.nm = NMPattern{};
        l.sparsity.mask_file.clear();
        l.sparsity.mask_file_bp.clear();
      }
    } else if (key == "transposable" && eq == std::string::npos) {
      for (auto& l : net.layers) l.sparsity.transposable = true;
    } else if (key == "nm") {
      const NMPattern p = parse_nm(where, item, value);
      for (auto& l : net.layers)
        if (has_weights(l) && l.sparsity.prunable) l.sparsity.nm = p;
    } else if (key == "weights") {
      const double d = parse_density(where, item, value);
      for (auto& l : net.layers)
        if (has_weights(l) && l.sparsity.prunable) l.sparsity.weight_density = d;
    } else if (key == "positions") {
      if (value != "magnitude" && value != "uniform")
        throw InputError(located(where, item, "expected positions=magnitude or positions=uniform"));
      for (auto& l : net.layers) l.sparsity.uniform_positions = value == "uniform";
    } else if (key == "granularity") {
      bool found = false;
      for (Granularity g : {Granularity::Element, Granularity::Vector, Granularity::Kernel, Granularity::Filter})
        if (value == granularity_name(g)) {
          for (auto& l : net.layers) l.sparsity.granularity = g;
          found = true;
        }
      if (!found) throw InputError(located(where, item, "expected element, vector, kernel or filter"));
    } else if (key == "relu") {
      const double d = parse_density(where, item, value);
      for (auto& l : net.layers)
        if (l.relu_input) l.sparsity.activation_density = d;
    } else if (key == "activations") {
      const double d = parse_density(where, item, value);
      for (auto& l : net.layers) l.sparsity.activation_density = d;
    } else if (key == "gradients") {
      const double d = parse_density(where, item, value);
      for (auto& l : net.layers) l.sparsity.gradient_density = d;
    } else {
      throw InputError(
          located(where, item,
                  "unknown profile item (known: nm=N:M, transposable, weights=D, positions=P, granularity=G, relu=D, "
                  "activations=D, gradients=D, dense)"));
    }
  }
}

}  // namespace sparsim
