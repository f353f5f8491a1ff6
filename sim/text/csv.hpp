#pragma once
// CSV output shared by the run summary, `workloads list` and the sweep's results table.
#include <string>

namespace sparsim {

// RFC 4180: a field that holds a comma, a quote or a line break is quoted, its quotes doubled.
std::string csv_field(const std::string& s);

}  // namespace sparsim
