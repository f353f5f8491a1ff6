#include "sim/config/docs.hpp"

#include <sstream>

#include "sim/accelerator.hpp"
#include "sim/config/schema.hpp"
#include "sim/extension.hpp"

namespace sparsim {

namespace {

std::string range_of(const ParamSpec& p) {
  std::ostringstream s;
  if (p.type == ParamType::Enum) {
    for (std::size_t i = 0; i < p.choices.size(); ++i) s << (i ? ", " : "") << "`" << p.choices[i] << "`";
    return s.str();
  }
  if (p.type == ParamType::Int) {
    s << static_cast<long long>(p.min) << " .. " << static_cast<long long>(p.max);
    return s.str();
  }
  if (p.type != ParamType::Float) return "";
  s.precision(10);
  s << p.min << " .. " << p.max;
  return s.str();
}

std::string escape(std::string text) {
  for (std::size_t i = 0; (i = text.find('|', i)) != std::string::npos; i += 2) text.replace(i, 1, "\\|");
  return text;
}

void table(std::ostringstream& out, const std::vector<ParamSpec>& params) {
  out << "| key | type | default | range | unit | meaning |\n|---|---|---|---|---|---|\n";
  for (const auto& p : params)
    out << "| `" << p.path << "` | " << type_name(p.type) << " | "
        << (p.optional && p.default_value.empty() ? "(unset)" : "`" + p.default_value + "`") << " | "
        << escape(range_of(p)) << " | " << p.unit << " | " << escape(p.doc) << " |\n";
}

}  // namespace

std::string config_reference_markdown() {
  std::ostringstream out;
  out << "# Configuration reference\n\n"
      << "Generated from the parameter declarations by `build/sparsim config --doc`; a test fails when this file\n"
      << "and the code disagree. A config is YAML; every key below may also be given as `--set key=value`.\n"
      << "Unknown keys, wrong types and out-of-range values are errors naming the file, line and key.\n"
      << "`build/sparsim config --dump [CONFIG]` prints the effective config with every default filled in.\n\n"
      << "## Common keys (every accelerator)\n\n";
  table(out, common_params());
  for (const auto& name : AcceleratorRegistry::instance().names()) {
    const auto* info = AcceleratorRegistry::instance().find(name);
    out << "\n## Accelerator `" << name << "`\n\n" << info->description << "\n\n";
    table(out, info->params);
  }
  for (const auto& ext : ExtensionRegistry::instance().all()) {
    out << "\n## Extension `" << ext.name << "` (every accelerator)\n\n" << ext.description << "\n\n";
    table(out, ext.params);
  }
  return out.str();
}

}  // namespace sparsim
