#pragma once
// `sparsim workloads capture`: trains a small network with a pruning method under Debian's python3-torch
// (workloads/training_capture.py, found like the ONNX importer: SPARSIM_PYTHON overrides /usr/bin/python3,
// SPARSIM_CAPTURE_SCRIPT the script) and checks the trace it wrote (workloads/training_trace.hpp).
#include <ostream>
#include <string>
#include <vector>

namespace sparsim {

// `args` are the capture options (after "capture"): --list, or --model, --method, --steps, --record-every,
// --seed, --density, --nm, -o DIR. Bad options and a missing torch are InputErrors (exit 2) with the
// script's one-line message; the script's log and a summary of the checked trace go to `out`.
int capture_training_trace(const std::vector<std::string>& args, std::ostream& out);

}  // namespace sparsim
