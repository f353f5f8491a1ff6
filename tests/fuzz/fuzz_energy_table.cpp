// Energy tables (sim/energy.hpp): EnergyTable::from_text, then lookups of every action and of interpolated
// SRAM capacities.
#include "sim/energy.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sparsim::fuzz::run_guarded([&] {
    const auto table = sparsim::EnergyTable::from_text(sparsim::fuzz::as_text(data, size), "fuzz.yaml", 1.0);
    for (const auto& [name, action] : table.actions()) (void)table.pj(name);
    for (std::uint64_t bytes : {std::uint64_t{1}, std::uint64_t{4096}, std::uint64_t{1} << 40}) {
      if (table.has(sparsim::sram_read_action(bytes))) (void)table.pj(sparsim::sram_read_action(bytes));
      if (table.has(sparsim::sram_write_action(bytes))) (void)table.pj(sparsim::sram_write_action(bytes));
    }
  });
  return 0;
}
