// DRAMSim3 .ini parsing: regressions found by the fuzz target tests/fuzz/fuzz_dramsim3_ini.cpp (their
// inputs are also seeds in tests/fuzz/corpus/dramsim3_ini/regression-*.ini). Each used to overflow an int
// (undefined behaviour) before the checks; now each is an InputError naming the key.
#include <catch2/catch.hpp>

#include <string>

#include "models/memory/dramsim3_ini.hpp"
#include "sim/errors.hpp"

using sparsim::InputError;
using sparsim::memory::parse_dramsim3_ini;

namespace {

std::string ini(const std::string& structure, const std::string& timing_extra, const std::string& system) {
  return "[dram_structure]\nprotocol = DDR4\n" + structure +
         "device_width = 8\nBL = 8\n"
         "[timing]\ntCK = 0.63\nCL = 22\nCWL = 16\ntRCD = 22\ntRP = 22\ntRAS = 52\ntRFC = 560\ntREFI = 12480\n"
         "tRRD_S = 4\ntRRD_L = 8\ntWTR_S = 4\ntWTR_L = 12\ntFAW = 34\ntWR = 24\ntRTP = 12\ntCCD_S = 4\ntCCD_L = 8\n" +
         timing_extra + "[system]\nchannels = 1\nbus_width = 64\n" + system;
}

const std::string kDdr4 = "bankgroups = 4\nbanks_per_group = 4\nrows = 65536\ncolumns = 1024\n";

std::string error_of(const std::string& text) {
  try {
    (void)parse_dramsim3_ini(text, "fuzz.ini");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("dramsim3 ini: the fuzz-seed base file parses (8 Gb x8 DDR4, one rank of 8 GB)") {
  const auto spec = parse_dramsim3_ini(ini(kDdr4, "", "channel_size = 8192\n"), "ok.ini");
  CHECK(spec.ranks == 1);
  CHECK(spec.capacity_bytes() == (std::int64_t{8} << 30));
}

TEST_CASE("dramsim3 ini: fuzz regressions (int overflows) are InputErrors naming the key") {
  const std::string tiny = "bankgroups = 4\nbanks_per_group = 4\nrows = 1\ncolumns = 8\n";
  // Ranks from a huge channel size: the double -> int conversion of the rank count overflowed.
  CHECK(error_of(ini(tiny, "", "channel_size = 999999999999999\n")).find("channel_size") != std::string::npos);
  CHECK(error_of(ini(tiny, "", "channel_size = 16777216\n")).find("channel_size") != std::string::npos);
  // 65536 x 65536 banks: DramSpec::banks() overflowed int inside the capacity check.
  CHECK(error_of(
            ini("bankgroups = 65536\nbanks_per_group = 65536\nrows = 1\ncolumns = 8\n", "", "channel_size = 262144\n"))
            .find("banks") != std::string::npos);
  // CL + AL overflowed int.
  CHECK(error_of(ini(kDdr4, "AL = 2147483647\n", "channel_size = 8192\n")).find("AL") != std::string::npos);
  // The write watermarks (queue_size * 3 / 4) overflowed int.
  CHECK(error_of(ini(kDdr4, "", "channel_size = 8192\ntrans_queue_size = 1073741824\n")).find("trans_queue_size") !=
        std::string::npos);
}
