#pragma once
// `sparsim workloads ...` subcommands (list, show NAME, validate FILE|TRACE_DIR, import-onnx MODEL -o NET.yaml,
// masks, capture: training traces).
#include <ostream>
#include <string>
#include <vector>

namespace sparsim {

// args excludes "sparsim workloads". Returns the exit status; bad input throws InputError.
int workloads_command(const std::vector<std::string>& args, std::ostream& out);

}  // namespace sparsim
