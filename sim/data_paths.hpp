#pragma once
// Where sparsim finds its data files (the Python front ends for plot and import-onnx): next to the
// binary when it is installed (`cmake --install build --prefix P` puts them in P/share/sparsim, and
// the binary looks in <its directory>/../share/sparsim, so the prefix may be moved), else in the
// source tree it was built from.
#include <string>

namespace sparsim {

// `relative` (e.g. "plots/plot.py") under the installed data directory if it exists there, else under
// the source tree.
std::string data_path(const std::string& relative);

}  // namespace sparsim
