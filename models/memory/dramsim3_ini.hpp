#pragma once
// Reads a DRAMSim3 configuration (.ini) into a DramSpec, so users can bring the DRAM configs they already
// have: [dram_structure] protocol, bankgroups, banks_per_group, rows, columns, device_width, BL;
// [timing] tCK, CL, CWL, tRCD, tRP, tRAS, tRFC, tREFI, tRRD_S/L, tCCD_S/L, tFAW, tWR, tWTR_S/L, tRTP, tRTRS;
// [system] channels, channel_size (MB, gives the ranks), bus_width, address_mapping, trans_queue_size,
// row_buf_policy. Keys sparsim has no use for (power, output) are read and ignored; an unknown section,
// a malformed line or a non-numeric value is an InputError naming the file and line.
#include <string>

#include "models/memory/dram_spec.hpp"

namespace sparsim::memory {

DramSpec read_dramsim3_ini(const std::string& path);
DramSpec parse_dramsim3_ini(const std::string& text, const std::string& name);

}  // namespace sparsim::memory
