#pragma once
// `sparsim workloads import-onnx`: an ONNX model's Conv, Gemm and MatMul nodes as a network file, with
// each pruned weight initializer's zero pattern as a mask file and its N:M pattern detected. Reading the
// ONNX protobuf is done by workloads/onnx_import.py under Debian's /usr/bin/python3 with python3-onnx
// (override with SPARSIM_PYTHON); detection and the files are written here.
#include <ostream>
#include <string>

#include "workloads/network.hpp"

namespace sparsim {

// Writes `out_yaml` and its masks under "<out_yaml without extension>.masks/"; returns the network as
// loaded back from `out_yaml`. Prints one line per layer to `log`. Throws InputError naming the model
// and node on anything it cannot import.
Network import_onnx(const std::string& model, const std::string& out_yaml, std::ostream& log);

}  // namespace sparsim
