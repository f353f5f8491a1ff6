#pragma once
#include <string>

namespace sparsim {
// docs/config.md: every parameter of every registered accelerator, generated from the declarations
// (`sparsim config --doc`); a test keeps the committed file equal to this output.
std::string config_reference_markdown();
}  // namespace sparsim
