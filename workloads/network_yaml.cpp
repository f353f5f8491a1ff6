// The YAML network format (docs/workloads.md): reading with strict key checks, writing, validation.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "sim/config/yaml_input.hpp"
#include "sim/errors.hpp"
#include "sim/text/input_file.hpp"
#include "workloads/layer_masks.hpp"
#include "workloads/library.hpp"
#include "workloads/network_yaml.hpp"
#include "workloads/scalesim_topology.hpp"
#include "workloads/winograd.hpp"

namespace sparsim {

namespace {

std::string at(const std::string& file, const YAML::Node& n) {
  return n.Mark().line >= 0 ? file + ":" + std::to_string(n.Mark().line + 1) : file;
}

struct LayerReader {
  const std::string& file;
  const YAML::Node& node;
  std::string path;  // "layers[3]"

  [[noreturn]] void fail(const YAML::Node& where, const std::string& key, const std::string& msg) const {
    throw InputError(located(at(file, where), path + (key.empty() ? "" : "." + key), msg));
  }

  std::int64_t integer(const char* key, std::int64_t def, std::int64_t min) const {
    const YAML::Node v = node[key];
    if (!v) return def;
    std::int64_t out = 0;
    try {
      out = v.as<std::int64_t>();
    } catch (const YAML::Exception&) {
      fail(v, key, "expected an integer, got '" + (v.IsScalar() ? v.Scalar() : std::string("a collection")) + "'");
    }
    if (out < min) fail(v, key, "must be at least " + std::to_string(min) + ", got " + std::to_string(out));
    return out;
  }

  double density(const char* key, double def) const {
    const YAML::Node v = node[key];
    if (!v) return def;
    double out = 0;
    try {
      out = v.as<double>();
    } catch (const YAML::Exception&) {
      fail(v, key,
           "expected a number in [0, 1], got '" + (v.IsScalar() ? v.Scalar() : std::string("a collection")) + "'");
    }
    if (!(out >= 0.0 && out <= 1.0)) fail(v, key, "density must be in [0, 1], got " + v.Scalar());
    return out;
  }

  bool flag(const char* key, bool def) const {
    const YAML::Node v = node[key];
    if (!v) return def;
    try {
      return v.as<bool>();
    } catch (const YAML::Exception&) {
      fail(v, key, "expected true or false");
    }
  }

  std::string text(const char* key) const {
    const YAML::Node v = node[key];
    if (!v) return "";
    if (!v.IsScalar() || v.Scalar().empty()) fail(v, key, "expected a non-empty string");
    return v.Scalar();
  }

  NMPattern nm(const char* key) const {
    const YAML::Node v = node[key];
    if (!v) return {};
    const std::string text = v.IsScalar() ? v.Scalar() : "";
    const auto colon = text.find(':');
    NMPattern p;
    try {
      if (colon == std::string::npos) throw std::invalid_argument("no colon");
      std::size_t used = 0;
      p.n = std::stoi(text.substr(0, colon), &used);
      if (used != colon) throw std::invalid_argument("n");
      const std::string ms = text.substr(colon + 1);
      p.m = std::stoi(ms, &used);
      if (used != ms.size()) throw std::invalid_argument("m");
    } catch (const std::exception&) {
      fail(v, key, "expected an N:M pattern such as \"2:4\", got '" + text + "'");
    }
    if (p.n < 1 || p.m < 1) fail(v, key, "N and M must be positive");
    if (p.n > p.m) fail(v, key, "N (" + std::to_string(p.n) + ") must not exceed M (" + std::to_string(p.m) + ")");
    return p;
  }
};

const std::set<std::string> kLayerKeys = {"name",
                                          "type",
                                          "cin",
                                          "cout",
                                          "h",
                                          "w",
                                          "hw",
                                          "kernel",
                                          "kh",
                                          "kw",
                                          "stride",
                                          "pad",
                                          "groups",
                                          "tokens",
                                          "m",
                                          "k",
                                          "n",
                                          "count",
                                          "weight_density",
                                          "nm",
                                          "activation_density",
                                          "gradient_density",
                                          "prunable",
                                          "input_gradient",
                                          "mask_file",
                                          "mask_file_bp",
                                          "granularity",
                                          "positions",
                                          "shares_weights",
                                          "relu_input",
                                          "transposable",
                                          "algorithm",
                                          "input",
                                          "hidden",
                                          "steps",
                                          "layers",
                                          "gate_gradient_density"};

// Keys of the recurrent layer types only, and the types (lstm, gru, rnn) they belong to.
const std::set<std::string> kRnnOnlyKeys = {"input", "hidden", "steps", "layers", "gate_gradient_density"};
std::optional<RnnCell> parse_rnn_cell(const std::string& type) {
  for (RnnCell c : {RnnCell::Lstm, RnnCell::Gru, RnnCell::Rnn})
    if (type == rnn_cell_name(c)) return c;
  return std::nullopt;
}

// `stack`: how many layers the entry stands for (a recurrent entry's `layers: L`; 1 otherwise).
Layer read_layer(const std::string& file, const YAML::Node& node, std::size_t index, std::int64_t& stack) {
  LayerReader r{file, node, "layers[" + std::to_string(index) + "]"};
  if (!node.IsMap()) r.fail(node, "", "each layer is a mapping");
  for (auto it = node.begin(); it != node.end(); ++it) {
    const auto key = it->first.as<std::string>();
    if (!kLayerKeys.count(key)) r.fail(it->first, key, "unknown key");
  }
  Layer l;
  if (node.Mark().line >= 0) l.source_line = node.Mark().line + 1;
  if (!node["name"] || !node["name"].IsScalar()) r.fail(node, "name", "every layer needs a name");
  l.name = node["name"].Scalar();
  r.path = "layer " + l.name;
  const std::string type = node["type"] && node["type"].IsScalar() ? node["type"].Scalar() : "";
  const std::optional<RnnCell> cell = parse_rnn_cell(type);
  stack = 1;
  if (!cell)
    for (auto it = node.begin(); it != node.end(); ++it)
      if (kRnnOnlyKeys.count(it->first.Scalar()))
        r.fail(it->first, it->first.Scalar(), "only recurrent layers (lstm, gru, rnn) take this key");
  if (cell) {
    // An fc layer over [x_t; h_(t-1)]: cin = input + hidden, cout = gates * hidden, one token per step.
    RnnSpec spec;
    spec.cell = *cell;
    spec.input = r.integer("input", 0, 1);
    spec.hidden = r.integer("hidden", 0, 1);
    spec.steps = r.integer("steps", 1, 1);
    stack = r.integer("layers", 1, 1);
    if (!node["input"] || !node["hidden"]) r.fail(node, "", "a recurrent layer needs input and hidden");
    if (stack > 1024) r.fail(node["layers"], "layers", "at most 1024 stacked layers");
    if (spec.input >= (std::int64_t{1} << 31) || spec.hidden >= (std::int64_t{1} << 31))
      r.fail(node, "", "input and hidden must be below 2^31");
    l.kind = LayerKind::FullyConnected;
    l.rnn = spec;
    l.cin = spec.input + spec.hidden;
    l.cout = rnn_gates(*cell) * spec.hidden;
    l.tokens = spec.steps;
    l.sparsity.gate_gradient_density = r.density("gate_gradient_density", 1.0);
  } else if (type == "conv") {
    l.kind = LayerKind::Conv;
    l.cin = r.integer("cin", 0, 1);
    l.cout = r.integer("cout", 0, 1);
    const std::int64_t hw = r.integer("hw", 0, 0);
    l.h = r.integer("h", hw, 1);
    l.w = r.integer("w", hw, 1);
    const std::int64_t k = r.integer("kernel", 1, 1);
    l.kh = r.integer("kh", k, 1);
    l.kw = r.integer("kw", k, 1);
    l.stride = r.integer("stride", 1, 1);
    l.pad = r.integer("pad", 0, 0);
    l.groups = r.integer("groups", 1, 1);
    if (!node["cin"] || !node["cout"] || (!node["hw"] && (!node["h"] || !node["w"])))
      r.fail(node, "", "a conv layer needs cin, cout and hw (or h and w)");
  } else if (type == "fc") {
    l.kind = LayerKind::FullyConnected;
    l.cin = r.integer("cin", 0, 1);
    l.cout = r.integer("cout", 0, 1);
    l.tokens = r.integer("tokens", 1, 1);
    if (!node["cin"] || !node["cout"]) r.fail(node, "", "an fc layer needs cin and cout");
  } else if (type == "matmul") {
    l.kind = LayerKind::MatMul;
    l.m = r.integer("m", 0, 1);
    l.k = r.integer("k", 0, 1);
    l.n = r.integer("n", 0, 1);
    l.count = r.integer("count", 1, 1);
    l.sparsity.prunable = false;
    if (!node["m"] || !node["k"] || !node["n"]) r.fail(node, "", "a matmul layer needs m, k and n");
  } else {
    r.fail(node["type"] ? node["type"] : node, "type",
           "expected conv, fc, matmul, lstm, gru or rnn, got '" + type + "'");
  }
  l.sparsity.weight_density = r.density("weight_density", 1.0);
  l.sparsity.nm = r.nm("nm");
  l.sparsity.activation_density = r.density("activation_density", 1.0);
  l.sparsity.gradient_density = r.density("gradient_density", 1.0);
  l.sparsity.prunable = r.flag("prunable", l.sparsity.prunable);
  l.needs_input_gradient = r.flag("input_gradient", true);
  l.sparsity.mask_file = r.text("mask_file");
  l.sparsity.mask_file_bp = r.text("mask_file_bp");
  l.shares_weights = r.text("shares_weights");
  l.relu_input = r.flag("relu_input", false);
  l.sparsity.transposable = r.flag("transposable", false);
  if (const YAML::Node p = node["positions"]) {
    const std::string text = p.IsScalar() ? p.Scalar() : "";
    if (text != "magnitude" && text != "uniform")
      r.fail(p, "positions", "expected magnitude or uniform, got '" + text + "'");
    l.sparsity.uniform_positions = text == "uniform";
  }
  if (const YAML::Node a = node["algorithm"]) {
    const std::string text = a.IsScalar() ? a.Scalar() : "";
    l.algorithm = parse_conv_algorithm(text);
    if (!l.algorithm)
      r.fail(a, "algorithm", "expected direct, winograd_2x2_3x3 or winograd_4x4_3x3, got '" + text + "'");
    if (*l.algorithm != ConvAlgorithm::Direct) {
      std::string why = winograd_ineligible_reason(l);
      if (!why.empty()) r.fail(a, "algorithm", why.insert(0, "cannot use " + text + ": "));
    }
  }
  if (const YAML::Node g = node["granularity"]) {
    const std::string text = g.IsScalar() ? g.Scalar() : "";
    bool found = false;
    for (Granularity c : {Granularity::Element, Granularity::Vector, Granularity::Kernel, Granularity::Filter})
      if (text == granularity_name(c)) {
        l.sparsity.granularity = c;
        found = true;
      }
    if (!found) r.fail(g, "granularity", "expected element, vector, kernel or filter, got '" + text + "'");
  }
  return l;
}

}  // namespace

Layer stacked_rnn_layer(const Layer& first, std::int64_t index, std::int64_t count) {
  if (count <= 1) return first;
  Layer l = first;
  l.name += ".l" + std::to_string(index);
  l.rnn->stack = count;
  if (index > 0) {  // takes the previous layer's h as its input; the gradient flows into it
    l.rnn->input = l.rnn->hidden;
    l.cin = 2 * l.rnn->hidden;
    l.needs_input_gradient = true;
  }
  return l;
}

Network parse_network_yaml(const std::string& text, const std::string& file) {
  return parse_network_node(load_yaml(text, file), file);
}

Network parse_network_node(const YAML::Node& root, const std::string& file) {
  if (!root.IsMap()) throw InputError(located(file, "", "a network file is a mapping with 'name' and 'layers'"));
  for (auto it = root.begin(); it != root.end(); ++it) {
    const auto key = it->first.as<std::string>();
    if (key != "name" && key != "layers" && key != "description")
      throw InputError(located(at(file, it->first), key, "unknown key (known: name, description, layers)"));
  }
  Network net;
  net.source = file;
  if (root["name"] && !root["name"].IsScalar())
    throw InputError(located(at(file, root["name"]), "name", "expected a single string"));
  net.name = root["name"] ? root["name"].Scalar() : std::filesystem::path(file).stem().string();
  const YAML::Node layers = root["layers"];
  if (!layers || !layers.IsSequence() || layers.size() == 0)
    throw InputError(located(layers ? at(file, layers) : file, "layers", "expected a non-empty list of layers"));
  for (std::size_t i = 0; i < layers.size(); ++i) {
    std::int64_t stack = 1;
    const Layer l = read_layer(file, layers[i], i, stack);
    for (std::int64_t s = 0; s < stack; ++s) net.layers.push_back(stacked_rnn_layer(l, s, stack));
  }
  validate_network(net);
  return net;
}

Network load_network(const std::string& name_or_path) {
  if (const auto* info = NetworkLibrary::instance().find(name_or_path)) {
    Network net = info->build();
    net.source = "builtin";
    validate_network(net);
    return net;
  }
  std::error_code missing;
  if (!std::filesystem::exists(name_or_path, missing)) {
    std::string names;
    for (const auto& n : NetworkLibrary::instance().names()) names += (names.empty() ? "" : ", ") + n;
    throw InputError(
        located(name_or_path, "workload.network", "neither a built-in network (" + names + ") nor a readable file"));
  }
  const std::string text = read_input_file(name_or_path, "network file");
  if (is_scalesim_topology_path(name_or_path)) return parse_scalesim_topology(text, name_or_path);
  return parse_network_yaml(text, name_or_path);
}

namespace {
// Per sample: weights, activations in and out, and multiply-accumulates, each at most 2^40 (a 2^20 batch
// then stays below 2^60); every dimension below 2^31.
template <typename Fail>
void check_layer_size(const Layer& l, Fail&& fail) {
  constexpr __int128 kMax = __int128{1} << 40;
  for (std::int64_t d : {l.cin, l.cout, l.h, l.w, l.kh, l.kw, l.stride, l.pad, l.tokens, l.m, l.k, l.n, l.count})
    if (d >= (std::int64_t{1} << 31)) fail("a dimension of 2^31 or more (" + std::to_string(d) + ")");
  const auto i = [](std::int64_t v) { return static_cast<__int128>(v); };
  __int128 weights = 0, in = 0, out = 0, macs = 0;
  if (l.kind == LayerKind::Conv) {
    const __int128 oh = (i(l.h) + 2 * i(l.pad) - l.kh) / l.stride + 1,
                   ow = (i(l.w) + 2 * i(l.pad) - l.kw) / l.stride + 1;
    weights = i(l.cout) * (l.cin / l.groups) * l.kh * l.kw;
    in = i(l.cin) * l.h * l.w;
    out = i(l.cout) * std::max<__int128>(oh, 0) * std::max<__int128>(ow, 0);
    macs = weights * std::max<__int128>(oh, 0) * std::max<__int128>(ow, 0);
  } else if (l.kind == LayerKind::FullyConnected) {
    weights = i(l.cout) * l.cin;
    in = i(l.cin) * l.tokens;
    out = i(l.cout) * l.tokens;
    macs = weights * l.tokens;
  } else {
    in = i(l.m) * l.k * l.count + i(l.k) * l.n * l.count;
    out = i(l.m) * l.n * l.count;
    macs = i(l.m) * l.k * l.n * l.count;
  }
  const auto text = [](__int128 v) { return std::to_string(static_cast<long double>(v)); };
  if (weights > kMax) fail("more than 2^40 weights (" + text(weights) + ")");
  if (in > kMax || out > kMax) fail("an activation tensor of more than 2^40 elements per sample");
  if (macs > kMax) fail("more than 2^40 multiply-accumulates per sample (" + text(macs) + ")");
}
}  // namespace

void validate_network(const Network& net) {
  std::map<std::string, int> names;  // name -> line of its first layer
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    const std::string where = l.source_line > 0 ? net.source + ":" + std::to_string(l.source_line) : net.source;
    auto fail = [&](const std::string& msg) { throw InputError(located(where, "layer " + l.name, msg)); };
    if (const auto [it, fresh] = names.emplace(l.name, l.source_line); !fresh)
      fail(it->second > 0 ? "duplicate layer name (first at line " + std::to_string(it->second) + ")"
                          : "duplicate layer name");
    // Signs first (a group count of 0 must not reach a division), then sizes, in 128 bits, so that every
    // later product over a batch of up to 2^20 fits 64 bits and no model is asked for unbounded work.
    if (l.kind == LayerKind::Conv && (l.cin < 1 || l.cout < 1 || l.h < 1 || l.w < 1 || l.kh < 1 || l.kw < 1 ||
                                      l.stride < 1 || l.pad < 0 || l.groups < 1))
      fail("conv shape has a non-positive dimension");
    if (l.kind == LayerKind::FullyConnected && (l.cin < 1 || l.cout < 1 || l.tokens < 1))
      fail("fc shape has a non-positive dimension");
    if (l.kind == LayerKind::MatMul && (l.m < 1 || l.k < 1 || l.n < 1 || l.count < 1))
      fail("matmul shape has a non-positive dimension");
    check_layer_size(l, fail);
    if (l.kind == LayerKind::Conv) {
      if (l.cin % l.groups || l.cout % l.groups)
        fail("cin (" + std::to_string(l.cin) + ") and cout (" + std::to_string(l.cout) +
             ") must be multiples of groups (" + std::to_string(l.groups) + ")");
      if (l.h + 2 * l.pad < l.kh || l.w + 2 * l.pad < l.kw)
        fail("kernel larger than the padded input (" + std::to_string(l.h) + "x" + std::to_string(l.w) + ")");
    }
    for (double d : {l.sparsity.weight_density, l.sparsity.activation_density, l.sparsity.gradient_density})
      if (!(d >= 0.0 && d <= 1.0)) fail("density outside [0, 1]");
    if (l.sparsity.nm.n > l.sparsity.nm.m) fail("N:M pattern with N > M");
    if (l.sparsity.nm.n < 0 || l.sparsity.nm.m < 0) fail("N:M pattern with a negative N or M");
    if (!l.shares_weights.empty()) {
      const Layer* owner = nullptr;
      for (std::size_t j = 0; j < i; ++j)
        if (net.layers[j].name == l.shares_weights) owner = &net.layers[j];
      if (!owner) fail("shares_weights names no earlier layer: '" + l.shares_weights + "'");
      if (!owner->shares_weights.empty()) fail("shares_weights must name the layer that owns the weights");
      if (owner->kind != l.kind || owner->cin != l.cin || owner->cout != l.cout || owner->kh != l.kh ||
          owner->kw != l.kw || owner->groups != l.groups)
        fail("shares_weights with layer '" + owner->name + "' of a different weight shape");
    }
  }
  check_mask_files(net, false);  // headers only: bitmaps stay on disk until a model asks for them
}

std::string network_to_yaml(const Network& net) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << net.name;
  out << YAML::Key << "layers" << YAML::Value << YAML::BeginSeq;
  for (const auto& l : net.layers) {
    out << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << l.name;
    out << YAML::Key << "type" << YAML::Value << (l.rnn ? rnn_cell_name(l.rnn->cell) : layer_kind_name(l.kind));
    if (l.rnn) {
      out << YAML::Key << "input" << YAML::Value << l.rnn->input << YAML::Key << "hidden" << YAML::Value
          << l.rnn->hidden << YAML::Key << "steps" << YAML::Value << l.rnn->steps;
    } else if (l.kind == LayerKind::MatMul) {
      out << YAML::Key << "m" << YAML::Value << l.m << YAML::Key << "k" << YAML::Value << l.k;
      out << YAML::Key << "n" << YAML::Value << l.n << YAML::Key << "count" << YAML::Value << l.count;
    } else {
      out << YAML::Key << "cin" << YAML::Value << l.cin << YAML::Key << "cout" << YAML::Value << l.cout;
      if (l.kind == LayerKind::Conv) {
        out << YAML::Key << "h" << YAML::Value << l.h << YAML::Key << "w" << YAML::Value << l.w;
        out << YAML::Key << "kh" << YAML::Value << l.kh << YAML::Key << "kw" << YAML::Value << l.kw;
        out << YAML::Key << "stride" << YAML::Value << l.stride << YAML::Key << "pad" << YAML::Value << l.pad;
        if (l.groups != 1) out << YAML::Key << "groups" << YAML::Value << l.groups;
      } else if (l.tokens != 1) {
        out << YAML::Key << "tokens" << YAML::Value << l.tokens;
      }
    }
    const auto& s = l.sparsity;
    if (s.weight_density != 1.0) out << YAML::Key << "weight_density" << YAML::Value << s.weight_density;
    if (s.nm.n > 0)  // quoted: YAML 1.1 readers would take 2:4 for a base-60 integer
      out << YAML::Key << "nm" << YAML::Value << YAML::DoubleQuoted
          << (std::to_string(s.nm.n) + ":" + std::to_string(s.nm.m));
    if (s.activation_density != 1.0) out << YAML::Key << "activation_density" << YAML::Value << s.activation_density;
    if (s.gradient_density != 1.0) out << YAML::Key << "gradient_density" << YAML::Value << s.gradient_density;
    if (s.gate_gradient_density != 1.0)
      out << YAML::Key << "gate_gradient_density" << YAML::Value << s.gate_gradient_density;
    if (!s.prunable && l.kind != LayerKind::MatMul) out << YAML::Key << "prunable" << YAML::Value << false;
    if (!l.needs_input_gradient) out << YAML::Key << "input_gradient" << YAML::Value << false;
    if (!s.mask_file.empty()) out << YAML::Key << "mask_file" << YAML::Value << s.mask_file;
    if (!s.mask_file_bp.empty()) out << YAML::Key << "mask_file_bp" << YAML::Value << s.mask_file_bp;
    if (s.granularity != Granularity::Element)
      out << YAML::Key << "granularity" << YAML::Value << granularity_name(s.granularity);
    if (s.uniform_positions) out << YAML::Key << "positions" << YAML::Value << "uniform";
    if (s.transposable) out << YAML::Key << "transposable" << YAML::Value << true;
    if (!l.shares_weights.empty()) out << YAML::Key << "shares_weights" << YAML::Value << l.shares_weights;
    if (l.relu_input) out << YAML::Key << "relu_input" << YAML::Value << true;
    if (l.algorithm) out << YAML::Key << "algorithm" << YAML::Value << conv_algorithm_name(*l.algorithm);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace sparsim
