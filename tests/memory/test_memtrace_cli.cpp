// sparsim memtrace as a user runs it: its report, a DRAMSim3 .ini, and every kind of bad input.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_runner.hpp"

namespace {
const char* kIni = R"([dram_structure]
protocol = DDR4
bankgroups = 4
banks_per_group = 4
rows = 65536
columns = 1024
device_width = 8
BL = 8
[timing]
tCK = 0.63
CL = 22
CWL = 16
tRCD = 22
tRP = 22
tRAS = 52
tRFC = 560
tREFI = 12480
tRRD_S = 4
tRRD_L = 8
tWTR_S = 4
tWTR_L = 12
tFAW = 34
tWR = 24
tRTP = 12
tCCD_S = 4
tCCD_L = 8
tRTRS = 1
[system]
channel_size = 16384
channels = 1
bus_width = 64
address_mapping = rochrababgco
row_buf_policy = OPEN_PAGE
trans_queue_size = 32
)";

std::string trace_of(int n) {
  std::string t;
  for (int i = 0; i < n; ++i) {
    char line[64];
    std::snprintf(line, sizeof line, "0x%x %s %d\n", i * 64, i % 3 == 2 ? "WRITE" : "READ", i);
    t += line;
  }
  return t;
}
}  // namespace

TEST_CASE("memtrace: replays a trace and writes memtrace.json with the documented keys") {
  const auto dir = temp_dir("memtrace_ok");
  const auto trace = write_file(dir, "t.trace", trace_of(300));
  const auto r = run_sparsim("memtrace " + trace + " --out " + dir);
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("bandwidth") != std::string::npos);
  const auto j = nlohmann::json::parse(slurp(dir + "/memtrace.json"));
  for (const char* k : {"cycles", "bytes", "bandwidth_gbps", "peak_gbps", "avg_read_latency", "p99_read_latency",
                        "row_hits", "row_misses", "row_conflicts", "activates", "refreshes"})
    CHECK(j.contains(k));
  CHECK(j["requests"] == 300);
  CHECK(j["bytes"] == 300 * 64);
  CHECK(j["cycles"].get<long long>() > 299);
  // Same input, same bytes.
  const auto again = run_sparsim("memtrace " + trace + " --out " + dir + "/again");
  CHECK(slurp(dir + "/again/memtrace.json") == slurp(dir + "/memtrace.json"));
}

TEST_CASE("memtrace: a DRAMSim3 .ini gives the organisation and timing; --set overrides a field") {
  const auto dir = temp_dir("memtrace_ini");
  const auto ini = write_file(dir, "ddr4.ini", kIni);
  const auto trace = write_file(dir, "t.trace", trace_of(200));
  auto r = run_sparsim("memtrace " + trace + " --dramsim3-ini " + ini + " --out " + dir);
  INFO(r.err);
  REQUIRE(r.status == 0);
  auto j = nlohmann::json::parse(slurp(dir + "/memtrace.json"));
  CHECK(j["memory"]["channels"] == 1);
  CHECK(j["memory"]["ranks"] == 2);  // 16384 MB over eight 8 Gb x8 devices per rank
  CHECK(j["memory"]["address_mapping"] == "rochrababgco");
  const long long base = j["cycles"];
  r = run_sparsim("memtrace " + trace + " --dramsim3-ini " + ini + " --set memory.dram.timing.CL=40 --out " + dir);
  REQUIRE(r.status == 0);
  j = nlohmann::json::parse(slurp(dir + "/memtrace.json"));
  CHECK(j["cycles"].get<long long>() > base);
}

TEST_CASE("memtrace: fields split at any blank (spaces, tabs, CR), blank and comment lines skipped") {
  const auto dir = temp_dir("memtrace_blanks");
  const auto plain = write_file(dir, "plain.trace", "0x40 READ 0\n0x80 WRITE 3\n");
  const auto spaced =
      write_file(dir, "spaced.trace",
                 "# a comment with five or more fields in it\n\n  \t\n\t0x40\tREAD  0\r\n0X80 write\t3  \r\n");
  const auto a = run_sparsim("memtrace " + plain + " --out " + dir + "/a");
  const auto b = run_sparsim("memtrace " + spaced + " --out " + dir + "/b");
  INFO(a.err << b.err);
  REQUIRE(a.status == 0);
  REQUIRE(b.status == 0);
  const auto ja = nlohmann::json::parse(slurp(dir + "/a/memtrace.json"));
  const auto jb = nlohmann::json::parse(slurp(dir + "/b/memtrace.json"));
  CHECK(jb["requests"] == 2);
  CHECK(ja["cycles"] == jb["cycles"]);
}

TEST_CASE("memtrace: bad traces and bad .ini files are one-line errors with file:line, exit 2, no report") {
  const auto dir = temp_dir("memtrace_bad");
  const auto ini = write_file(dir, "ddr4.ini", kIni);
  struct Case {
    std::string trace, expect;
  };
  const std::vector<Case> traces = {
      {"0x40 READ 0\nnonsense\n", ":2:"},
      {"0x40 FETCH 0\n", "neither READ nor WRITE"},
      {"0xZZ READ 0\n", "not a 64-bit hex address"},
      {"64 READ 0\n", "not a hex address"},
      {"0x40 READ 5\n0x80 READ 3\n", "sorted"},
      {"0x40 READ -1\n", "cycle"},
      {"0xffffffffffff READ 0\n", "capacity"},
      {"0x40 READ 0 extra\n", "expected"},
      {"0x40 READ 0 extra more fields\n", "expected"},
      {"0x40\tREAD\n", "expected"},
  };
  for (const Case& c : traces) {
    const auto out = dir + "/out";
    const auto t = write_file(dir, "bad.trace", c.trace);
    const auto r = run_sparsim("memtrace " + t + " --dramsim3-ini " + ini + " --out " + out);
    INFO(c.trace << " -> " << r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find(c.expect) != std::string::npos);
    CHECK(r.err.find("bad.trace") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_FALSE(std::filesystem::exists(out + "/memtrace.json"));
  }
  const auto good = write_file(dir, "good.trace", trace_of(4));
  const std::vector<std::pair<std::string, std::string>> inis = {
      {std::string(kIni) + "[nonsense]\n", "unknown section"},
      {std::string(kIni).replace(std::string(kIni).find("tCK = 0.63"), 10, "tCK = fast"), "not a non-negative number"},
      {"[timing]\ntCK = 1\n", "missing"},
      {std::string(kIni).replace(std::string(kIni).find("tRAS = 52"), 9, "tRAS = 10"), "tRAS"},
      {std::string(kIni).replace(std::string(kIni).find("banks_per_group = 4"), 19, "banks_per_group = 3"),
       "channel_size"},
      {std::string(kIni).replace(std::string(kIni).find("rochrababgco"), 12, "rochrababgxx"), "address_mapping"},
  };
  for (const auto& [text, expect] : inis) {
    const auto bad = write_file(dir, "bad.ini", text);
    const auto r = run_sparsim("memtrace " + good + " --dramsim3-ini " + bad + " --out " + dir + "/o");
    INFO(r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find(expect) != std::string::npos);
  }
  for (const std::string& args : {std::string("memtrace ") + dir + "/missing.trace", std::string("memtrace /dev/zero"),
                                  std::string("memtrace ") + good + " --dramsim3-ini /dev/zero",
                                  std::string("memtrace ") + good + " --set memory.dram.preset=DDR9",
                                  std::string("memtrace ") + good + " --set memory.dram.timing.tRAS=5",
                                  std::string("memtrace ") + good + " --mode sideways"}) {
    const auto r = run_sparsim(args + " --out " + dir + "/o2");
    INFO(args << " -> " << r.err);
    CHECK(r.status == 2);
    CHECK(r.err.rfind("sparsim: error: ", 0) == 0);
  }
  CHECK(run_sparsim("memtrace --help").status == 0);
}

// DRAMSim3's traces end with a sentinel request far in the future; the largest cycle a trace may hold is
// 2^50. The refreshes of the idle span before it are counted in closed form in both modes, not stepped one
// by one (10^11 of them: hours), and both modes count them on every channel, as tREFI says.
TEST_CASE("memtrace: a request 2^50 cycles out completes, with the idle span's refreshes counted in closed form") {
  const auto dir = temp_dir("memtrace_far");
  const long long far = 1LL << 50;
  const auto trace = write_file(dir, "t.trace", "0x0 READ 0\n0x40 WRITE 5\n0x80 READ " + std::to_string(far) + "\n");
  for (const char* mode : {"fast", "detailed"}) {
    INFO(mode);
    const std::string out = dir + "/" + mode;
    const auto r = run_sparsim("memtrace " + trace + " --mode " + mode + " --out " + out);
    INFO(r.err);
    REQUIRE(r.status == 0);
    const auto j = nlohmann::json::parse(slurp(out + "/memtrace.json"));
    CHECK(j["requests"] == 3);
    CHECK(j["cycles"].get<long long>() > far);
    CHECK(j["cycles"].get<long long>() < far + 2000);
    // DDR4_3200's tREFI is 12480 cycles and the default config has 4 channels of one rank: each refreshes
    // every tREFI up to the end, the channels no request reached included.
    const long long refreshes = j["refreshes"].get<long long>();
    CHECK(refreshes >= 4 * (far / 12480) - 8);
    CHECK(refreshes <= 4 * (far / 12480) + 8);
  }
}
