#pragma once
// Declared configuration parameters. Every key a config may hold is declared once, with its type,
// default, range, unit and meaning; validation, `sparsim config --dump` and docs/config.md all come
// from these declarations, so the defaults live in one place.
#include <limits>
#include <string>
#include <vector>

namespace sparsim {

enum class ParamType { Int, Float, Bool, String, Enum, Path };

struct ParamSpec {
  std::string path;           // full dotted key, e.g. "accelerator.array.rows"
  ParamType type = ParamType::Int;
  std::string default_value;  // YAML scalar text; "" with optional=true means "not set"
  std::string unit;           // "cycles", "bytes/cycle", "" for none
  std::string doc;            // one sentence: what the hardware or run parameter means
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  std::vector<std::string> choices;  // for Enum
  bool optional = false;             // may stay unset (no default)
};

// Helpers that keep declarations short and readable.
ParamSpec int_param(std::string path, long long def, long long min, long long max, std::string unit,
                    std::string doc);
ParamSpec float_param(std::string path, double def, double min, double max, std::string unit,
                      std::string doc);
ParamSpec bool_param(std::string path, bool def, std::string doc);
ParamSpec string_param(std::string path, std::string def, std::string doc);
ParamSpec enum_param(std::string path, std::string def, std::vector<std::string> choices, std::string doc);
ParamSpec path_param(std::string path, std::string def, std::string doc);
ParamSpec optional_float_param(std::string path, double min, double max, std::string unit, std::string doc);
// The same parameter, but unset unless a config sets it (its default then comes from elsewhere, e.g. a preset).
ParamSpec optional(ParamSpec p);

const char* type_name(ParamType type);

// Parameters every run has (workload, run options, energy), whatever the accelerator.
const std::vector<ParamSpec>& common_params();

}  // namespace sparsim
