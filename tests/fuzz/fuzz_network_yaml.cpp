// Network YAML (docs/workloads.md): parse_network_yaml; an accepted network must survive network_to_yaml
// and parse again (the format round-trips).
#include "tests/fuzz/fuzz_support.hpp"
#include "workloads/library.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sparsim::fuzz::run_guarded([&] {
    const auto net = sparsim::parse_network_yaml(sparsim::fuzz::as_text(data, size), "fuzz.yaml");
    const std::string again = sparsim::network_to_yaml(net);
    try {
      (void)sparsim::parse_network_yaml(again, "roundtrip.yaml");
    } catch (const sparsim::InputError& e) {
      std::fprintf(stderr, "FUZZ FINDING: accepted network does not round-trip: %s\n%s\n", e.what(), again.c_str());
      std::abort();
    }
  });
  return 0;
}
