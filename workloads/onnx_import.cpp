#include "workloads/onnx_import.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/data_paths.hpp"
#include "sim/errors.hpp"
#include "workloads/layer_masks.hpp"
#include "workloads/library.hpp"
#include "workloads/mask_file.hpp"
#include "workloads/python_tool.hpp"

namespace sparsim {

namespace fs = std::filesystem;

namespace {

std::string first_line(const std::string& text) {
  const auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

std::string safe_file_name(const std::string& name) {
  std::string out;
  for (char c : name) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  return out;
}

Mask read_bits(const fs::path& file, const std::vector<std::int64_t>& shape, const std::string& model,
               const std::string& layer) {
  Mask mask(shape);
  std::ifstream in(file, std::ios::binary);
  const std::size_t bytes = static_cast<std::size_t>((mask.size() + 7) / 8);
  std::vector<unsigned char> raw(bytes);
  if (!in.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(bytes)))
    throw InputError(located(model, "node " + layer, "importer produced a short weight bitmap"));
  for (std::size_t i = 0; i < bytes; ++i) mask.words()[i / 8] |= static_cast<std::uint64_t>(raw[i]) << (8 * (i % 8));
  return mask;
}

std::int64_t get(const nlohmann::json& j, const char* key) { return j.at(key).get<std::int64_t>(); }

}  // namespace

Network import_onnx(const std::string& model, const std::string& out_yaml, std::ostream& log) {
  if (!fs::is_regular_file(model)) throw InputError(located(model, "", "cannot read the ONNX model"));
  const std::string python = env_or("SPARSIM_PYTHON", "/usr/bin/python3");
  const std::string script = env_or("SPARSIM_ONNX_SCRIPT", data_path("workloads/onnx_import.py"));
  ScratchDir scratch("sparsim-onnx");
  const fs::path err = scratch.path / "stderr";
  const std::string cmd = shell_quoted(python) + " " + shell_quoted(script) + " " + shell_quoted(model) + " " +
                          shell_quoted(scratch.path.string()) + " >/dev/null 2>" + shell_quoted(err.string());
  const int status = std::system(cmd.c_str());
  if (status != 0) {
    std::ifstream e(err);
    std::stringstream text;
    text << e.rdbuf();
    const std::string msg = first_line(text.str());
    throw InputError(model + ": " + (msg.empty() ? "the ONNX reader (" + python + " " + script + ") failed" : msg));
  }

  nlohmann::json doc;
  try {
    std::ifstream in(scratch.path / "layers.json");
    doc = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw InputError(located(model, "", std::string("unreadable importer output: ") + e.what()));
  }

  const fs::path yaml_path(out_yaml);
  const std::string stem = yaml_path.stem().string();
  const fs::path mask_dir = yaml_path.parent_path() / (stem + ".masks");
  Network net;
  net.name = doc.value("name", stem);
  net.source = out_yaml;
  int index = 0;
  for (const auto& j : doc.at("layers")) {
    Layer l;
    l.name = j.at("name").get<std::string>();
    const std::string type = j.at("type").get<std::string>();
    if (type == "conv") {
      l.kind = LayerKind::Conv;
      l.cin = get(j, "cin"), l.cout = get(j, "cout"), l.h = get(j, "h"), l.w = get(j, "w");
      l.kh = get(j, "kh"), l.kw = get(j, "kw"), l.stride = get(j, "stride"), l.pad = get(j, "pad");
      l.groups = get(j, "groups");
    } else if (type == "fc") {
      l.kind = LayerKind::FullyConnected;
      l.cin = get(j, "cin"), l.cout = get(j, "cout"), l.tokens = get(j, "tokens");
    } else {
      l.kind = LayerKind::MatMul;
      l.m = get(j, "m"), l.k = get(j, "k"), l.n = get(j, "n"), l.count = get(j, "count");
      l.sparsity.prunable = false;
    }
    // The script reports what the model says; a nonsensical geometry (group 0 once divided by zero) is
    // refused here, before any shape is computed from it.
    const bool bad_conv = l.kind == LayerKind::Conv &&
                          (l.cin < 1 || l.cout < 1 || l.h < 1 || l.w < 1 || l.kh < 1 || l.kw < 1 || l.stride < 1 ||
                           l.pad < 0 || l.groups < 1 || l.cin % l.groups != 0 || l.cout % l.groups != 0);
    const bool bad_fc = l.kind == LayerKind::FullyConnected && (l.cin < 1 || l.cout < 1 || l.tokens < 1);
    const bool bad_mm = l.kind == LayerKind::MatMul && (l.m < 1 || l.k < 1 || l.n < 1 || l.count < 1);
    if (bad_conv || bad_fc || bad_mm)
      throw InputError(located(model, "node " + l.name,
                               "impossible layer geometry (sizes must be positive; a conv's group count at least 1 "
                               "and dividing its input and output channels)"));
    l.needs_input_gradient = j.at("input_gradient").get<bool>();
    std::string pattern = "-";
    if (j.contains("bits")) {
      const auto shape = j.at("weight_shape").get<std::vector<std::int64_t>>();
      if (shape != weight_mask_shape(l))
        throw InputError(located(model, "node " + l.name, "weight shape does not match the layer's shape"));
      const Mask mask = read_bits(scratch.path / j.at("bits").get<std::string>(), shape, model, l.name);
      if (mask.count() != j.at("nonzeros").get<std::int64_t>())
        throw InputError(located(model, "node " + l.name, "weight bitmap disagrees with the non-zero count"));
      if (mask.count() < mask.size()) {
        l.sparsity.nm = masks::detect_nm(mask, 1);  // N:M along Cin, the FF reduction dimension
        l.sparsity.weight_density = std::min(1.0, mask.density() / l.sparsity.nm.density());
        fs::create_directories(mask_dir);
        const std::string file = std::to_string(index) + "_" + safe_file_name(l.name) + ".spmask";
        write_mask_file((mask_dir / file).string(), mask, "layer " + l.name);
        l.sparsity.mask_file = stem + ".masks/" + file;
        if (l.sparsity.nm.active()) pattern = std::to_string(l.sparsity.nm.n) + ":" + std::to_string(l.sparsity.nm.m);
        const NMPattern along_cout = masks::detect_nm(mask, 0);
        if (along_cout.active())
          pattern += " (also " + std::to_string(along_cout.n) + ":" + std::to_string(along_cout.m) + " along Cout)";
      }
      log << "  " << l.name << ": " << layer_kind_name(l.kind) << ", weight density " << mask.density() << ", N:M "
          << pattern << "\n";
    } else {
      log << "  " << l.name << ": matmul between activations\n";
    }
    net.layers.push_back(l);
    ++index;
  }
  std::ofstream out(out_yaml, std::ios::trunc);
  if (!out) throw InputError(located(out_yaml, "", "cannot write the network file"));
  out << "# Imported from " << model << " by sparsim workloads import-onnx\n" << network_to_yaml(net);
  out.close();
  return load_network(out_yaml);
}

}  // namespace sparsim
