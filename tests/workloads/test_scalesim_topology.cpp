// SCALE-Sim v2 topology files (*.csv) as workloads: AlexNet's file, SCALE-Sim's output-size rule, every kind
// of bad input as a one-line error naming the file, line and column, and the CLI (`run`, `workloads`).
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "sim/errors.hpp"
#include "tests/cli/cli_runner.hpp"
#include "workloads/library.hpp"
#include "workloads/scalesim_topology.hpp"

using namespace sparsim;

namespace {

// A copy of bench/scalesim/alexnet.csv.
const std::string kAlexnet =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
    "Conv1     ,224         ,224        ,11           ,11          ,3       ,96        ,4      ,\n"
    "Conv2     ,27         ,27        ,5            ,5           ,96      ,256       ,1      ,\n"
    "Conv3     ,13          ,13         ,3            ,3           ,256     ,384       ,1      ,\n"
    "Conv4     ,13          ,13         ,3            ,3           ,384     ,384       ,1      ,\n"
    "Conv5     ,13          ,13         ,3            ,3           ,384     ,256       ,1      ,\n";

const std::string kHeader =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n";

// SCALE-Sim's output size (topology_utils.py): ceil((I - F + S) / S), no padding.
std::int64_t scalesim_out(std::int64_t in, std::int64_t filter, std::int64_t stride) {
  return (in - filter + stride + stride - 1) / stride;
}

// The message of the InputError that parsing `text` throws ("" if none). Every message is one line.
std::string error_of(const std::string& text, const std::string& file = "t.csv") {
  try {
    parse_scalesim_topology(text, file);
  } catch (const InputError& e) {
    const std::string msg = e.what();
    CHECK(msg.find('\n') == std::string::npos);
    return msg;
  }
  return "";
}

// One layer row after the standard header.
std::string one_row(const std::string& row) { return kHeader + row + "\n"; }

}  // namespace

TEST_CASE("scalesim topology: AlexNet's five convs with SCALE-Sim's output sizes and GEMM shapes") {
  const Network net = parse_scalesim_topology(kAlexnet, "bench/alexnet.csv");
  CHECK(net.name == "alexnet");
  CHECK(net.source == "bench/alexnet.csv");
  REQUIRE(net.layers.size() == 5);
  const std::int64_t out[] = {55, 23, 11, 11, 11};
  const std::int64_t cin[] = {3, 96, 256, 384, 384}, cout[] = {96, 256, 384, 384, 256};
  const std::int64_t k[] = {11, 5, 3, 3, 3};
  for (std::size_t i = 0; i < 5; ++i) {
    const Layer& l = net.layers[i];
    INFO(l.name);
    CHECK(l.name == "Conv" + std::to_string(i + 1));
    CHECK(l.kind == LayerKind::Conv);
    CHECK(l.out_h() == out[i]);
    CHECK(l.out_w() == out[i]);
    CHECK(l.cin == cin[i]);
    CHECK(l.cout == cout[i]);
    CHECK(l.kh == k[i]);
    CHECK(l.kw == k[i]);
    CHECK(l.pad == 0);
    CHECK(l.groups == 1);
    CHECK(l.needs_input_gradient == (i > 0));
    CHECK(l.sparsity.prunable);
    CHECK(l.sparsity.weight_density == 1.0);
    CHECK(l.sparsity.activation_density == 1.0);
    CHECK(l.sparsity.gradient_density == 1.0);
    CHECK_FALSE(l.sparsity.nm.active());
  }
  CHECK(net.layers[0].stride == 4);
  CHECK(net.layers[0].h == 227);  // 224 read with SCALE-Sim's ceil: one 11-wide window past the edge

  // Conv1 FF: W [96 x 3*11*11] times im2col [363 x 55*55].
  const TrainingStep step = expand_training_step(net, 1, {Phase::FF});
  REQUIRE(step.ops.size() == 5);
  CHECK(step.ops[0].M == 96);
  CHECK(step.ops[0].K == 363);
  CHECK(step.ops[0].N == 3025);
  CHECK(step.ops[0].macs() == 105415200);
  CHECK(net.layers[0].macs_per_sample() == 105415200);
  CHECK(step.ops[1].macs() == 256 * (96 * 25) * (23 * 23));
  // The first layer has no BP (no gradient into the image); the others have FF, BP and WU.
  CHECK(expand_training_step(net, 2, {Phase::FF, Phase::BP, Phase::WU}).ops.size() == 5 * 3 - 1);
}

TEST_CASE("scalesim topology: the repository's bench/scalesim/alexnet.csv loads through load_network") {
  const std::string path = std::string(SPARSIM_SOURCE_DIR) + "/bench/scalesim/alexnet.csv";
  const Network net = load_network(path);
  CHECK(net.name == "alexnet");
  CHECK(net.source == path);
  const Network copy = parse_scalesim_topology(kAlexnet, path);
  REQUIRE(net.layers.size() == copy.layers.size());
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    CHECK(net.layers[i].name == copy.layers[i].name);
    CHECK(net.layers[i].macs_per_sample() == copy.layers[i].macs_per_sample());
  }
}

TEST_CASE("scalesim topology: output sizes equal SCALE-Sim's ceil rule (X2: 20x17, 5x3, stride 2 -> 9x8)") {
  const Network net = parse_scalesim_topology(one_row("X2, 20, 17, 5, 3, 40, 40, 2,"), "x2.csv");
  const Layer& l = net.layers.at(0);
  CHECK(l.out_h() == 9);
  CHECK(l.out_w() == 8);
  CHECK(l.out_h() == scalesim_out(20, 5, 2));
  CHECK(l.out_w() == scalesim_out(17, 3, 2));
  CHECK(l.h == 21);  // 20 - 5 = 15 is odd: SCALE-Sim's ninth window needs one more row
  CHECK(l.w == 17);  // 17 - 3 = 14 is even: the input as given

  // Exhaustively over small shapes: sparsim's floor rule on the equivalent input gives SCALE-Sim's size.
  for (int in = 1; in <= 12; ++in)
    for (int f = 1; f <= in; ++f)
      for (int s = 1; s <= 5; ++s) {
        const std::string row = "L, " + std::to_string(in) + ", " + std::to_string(in) + ", " + std::to_string(f) +
                                ", " + std::to_string(f) + ", 1, 1, " + std::to_string(s);
        const Layer m = parse_scalesim_topology(one_row(row), "m.csv").layers.at(0);
        INFO(row);
        CHECK(m.out_h() == scalesim_out(in, f, s));
        CHECK(m.h >= in);
        CHECK(m.h < in + s);
      }
}

TEST_CASE("scalesim topology: columns by name in any order and case, CRLF, blank lines, no trailing comma") {
  const std::string text =
      "\r\n  strides ,LAYER NAME,num filter,channels,filter width,filter height,ifmap width,ifmap height\r\n"
      "\r\n"
      "1, first conv , 8, 3, 3, 3, 16, 16\r\n"
      "   \r\n"
      "2, second, 16, 8, 1, 1, 14, 14\r\n";
  const Network net = parse_scalesim_topology(text, "dir/my net.CSV");
  CHECK(net.name == "my net");
  REQUIRE(net.layers.size() == 2);
  CHECK(net.layers[0].name == "first conv");
  CHECK(net.layers[0].stride == 1);
  CHECK(net.layers[0].cin == 3);
  CHECK(net.layers[0].cout == 8);
  CHECK(net.layers[0].out_h() == 14);
  CHECK(net.layers[1].name == "second");
  CHECK(net.layers[1].stride == 2);
  CHECK(net.layers[1].out_h() == 8);  // ceil((14 - 1 + 2) / 2)
  // Lines count blank ones; a column is named as the header spells it.
  CHECK(error_of(text + "x, y, 1, 1, 1, 1, 1, 1\r\n") == "t.csv:7: strides: expected a positive integer, got 'x'");
  CHECK(is_scalesim_topology_path("a/b.csv"));
  CHECK(is_scalesim_topology_path("a/B.Csv"));
  CHECK_FALSE(is_scalesim_topology_path("a/b.yaml"));
  CHECK_FALSE(is_scalesim_topology_path("csv"));
}

TEST_CASE("scalesim topology: an empty file is an error") {
  CHECK_THAT(error_of(""), Catch::StartsWith("t.csv: empty file"));
  CHECK_THAT(error_of("\n  \r\n\n"), Catch::StartsWith("t.csv: empty file"));
}

TEST_CASE("scalesim topology: a missing header column is named") {
  CHECK(error_of("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter,\n"
                 "a, 8, 8, 3, 3, 1, 1\n") == "t.csv:1: Strides: missing column");
  CHECK(error_of("\n\nLayer name, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides\n") ==
        "t.csv:3: IFMAP Height: missing column");
}

TEST_CASE("scalesim topology: a column given twice is named") {
  CHECK(error_of("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, channels, Num "
                 "Filter, Strides\n") == "t.csv:1: channels: column given twice (first as column 6)");
}

TEST_CASE("scalesim topology: an unknown or empty column is named") {
  CHECK_THAT(error_of("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
                      "Strides, Sparsity\n"),
             Catch::StartsWith("t.csv:1: Sparsity: unknown column (a SCALE-Sim conv topology has: Layer name,"));
  // SCALE-Sim's GEMM topology format is not a conv topology.
  CHECK_THAT(error_of("Layer, M, N, K,\n"), Catch::StartsWith("t.csv:1: Layer: unknown column"));
  CHECK(error_of("Layer name,, IFMAP Height\n") == "t.csv:1: column 2: empty column name");
}

TEST_CASE("scalesim topology: a row with too few or too many fields") {
  CHECK(error_of(one_row("a, 8, 8, 3, 3, 1, 1")) ==
        "t.csv:2: Strides: missing: the row has 7 fields, the header 8 columns");
  CHECK(error_of(one_row("a, 8, 8, 3, 3, 1, 1, ,")) == "t.csv:2: Strides: expected a positive integer, got ''");
  CHECK(error_of(one_row("a, 8, 8, 3, 3, 1, 1, 1, 5")) ==
        "t.csv:2: column 9: the row has 9 fields, the header only 8 columns");
  CHECK(error_of(one_row("a, 8, 8, 3, 3, 1, 1, 1, 5,")) ==
        "t.csv:2: column 9: the row has 9 fields, the header only 8 columns");
}

TEST_CASE("scalesim topology: a value that is not a number is named with its column and line") {
  CHECK(error_of(one_row("a, 8, 8, 3, 3, 1, 1, 1") + "b, x8, 8, 3, 3, 1, 1, 1\n") ==
        "t.csv:3: IFMAP Height: expected a positive integer, got 'x8'");
  CHECK(error_of(one_row("a, 8, 8 8, 3, 3, 1, 1, 1")) ==
        "t.csv:2: IFMAP Width: expected a positive integer, got '8 8'");
  CHECK(error_of(one_row("a, 8, 8, 3, 3, 1, 0x10, 1")) ==
        "t.csv:2: Num Filter: expected a positive integer, got '0x10'");
}

TEST_CASE("scalesim topology: a value that is not an integer is named") {
  CHECK(error_of(one_row("a, 8, 8, 3.5, 3, 1, 1, 1")) ==
        "t.csv:2: Filter Height: expected a positive integer, got '3.5'");
  CHECK(error_of(one_row("a, 8, 8, 3, 3, 1e2, 1, 1")) == "t.csv:2: Channels: expected a positive integer, got '1e2'");
}

TEST_CASE("scalesim topology: a negative or zero value is named") {
  CHECK(error_of(one_row("a, 8, 8, 3, -3, 1, 1, 1")) == "t.csv:2: Filter Width: must be at least 1, got -3");
  CHECK(error_of(one_row("a, 8, 8, 3, 3, 0, 1, 1")) == "t.csv:2: Channels: must be at least 1, got 0");
  CHECK(error_of(one_row("a, 8, 8, 3, 3, 1, 1, -99999999999999999999999")) ==
        "t.csv:2: Strides: must be at least 1, got -99999999999999999999999");
}

TEST_CASE("scalesim topology: a zero stride is refused") {
  CHECK(error_of(one_row("a, 8, 8, 3, 3, 1, 1, 0")) == "t.csv:2: Strides: must be at least 1, got 0");
}

TEST_CASE("scalesim topology: a filter larger than the input is refused") {
  CHECK(error_of(one_row("a, 8, 8, 9, 3, 1, 1, 1")) ==
        "t.csv:2: Filter Height: filter larger than the input (9 > IFMAP Height 8)");
  CHECK(error_of(one_row("a, 8, 2, 3, 3, 1, 1, 1")) ==
        "t.csv:2: Filter Width: filter larger than the input (3 > IFMAP Width 2)");
}

TEST_CASE("scalesim topology: values of 2^31 or more and layers too large to simulate are refused") {
  CHECK(error_of(one_row("a, 2147483648, 8, 3, 3, 1, 1, 1")) ==
        "t.csv:2: IFMAP Height: must be below 2^31, got 2147483648");
  CHECK(error_of(one_row("a, 8, 8, 3, 3, 99999999999999999999999, 1, 1")) ==
        "t.csv:2: Channels: must be below 2^31, got 99999999999999999999999");
  // Every value fits, but the layer exceeds validate_network's bounds (2^40 weights, MACs per sample).
  CHECK_THAT(error_of(one_row("big, 8, 8, 2, 2, 1048576, 1048576, 1")),
             Catch::StartsWith("t.csv:2: layer big: more than 2^40 weights"));
  CHECK_THAT(error_of(one_row("wide, 2147483647, 2147483647, 1, 1, 1, 1, 1")),
             Catch::StartsWith("t.csv:2: layer wide: an activation tensor of more than 2^40 elements"));
  // SCALE-Sim's ceil makes the equivalent input one window larger: here 2^31, itself too large.
  CHECK_THAT(error_of(one_row("edge, 2147483647, 8, 2, 2, 1, 1, 2")),
             Catch::StartsWith("t.csv:2: layer edge: a dimension of 2^31 or more"));
}

TEST_CASE("scalesim topology: an empty layer name is refused") {
  CHECK(error_of(one_row("  , 8, 8, 3, 3, 1, 1, 1")) == "t.csv:2: Layer name: empty layer name");
}

TEST_CASE("scalesim topology: duplicate layer names are refused with both lines") {
  CHECK(error_of(one_row("a, 8, 8, 3, 3, 1, 1, 1") + "\nb, 8, 8, 3, 3, 1, 1, 1\n a , 8, 8, 3, 3, 1, 1, 1\n") ==
        "t.csv:5: Layer name: layer name 'a' given twice (first on line 2)");
}

TEST_CASE("scalesim topology: a header without layers is refused") {
  CHECK(error_of(kHeader) == "t.csv:1: no layers after the header");
  CHECK(error_of("\r\n" + kHeader + "\r\n \r\n") == "t.csv:2: no layers after the header");
}

TEST_CASE("scalesim topology: bytes that are not UTF-8 are refused, naming the column") {
  CHECK(error_of(one_row("a\xff, 8, 8, 3, 3, 1, 1, 1")) == "t.csv:2: Layer name: text is not valid UTF-8");
  CHECK(error_of(one_row("a, 8, 8, 3, 3, 1, 1, 1\xc0")) == "t.csv:2: Strides: text is not valid UTF-8");
  CHECK(error_of("Layer name, IFMAP Height\xed\xa0\x80\n") == "t.csv:1: column 2: header text is not valid UTF-8");
  // A UTF-8 name and a byte-order mark (as spreadsheet programs write) are fine.
  const Network net = parse_scalesim_topology("\xEF\xBB\xBF" + one_row("caf\xc3\xa9, 8, 8, 3, 3, 1, 1, 1"), "t.csv");
  CHECK(net.layers.at(0).name == "caf\xc3\xa9");
}

TEST_CASE("scalesim topology: sparsim run --workload FILE.csv runs, and a bad file exits 2 with one line") {
  const auto dir = temp_dir("scalesim_cli");
  const auto net = write_file(dir, "small.csv",
                              "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num "
                              "Filter, Strides,\r\n"
                              "c1, 20, 17, 5, 3, 8, 16, 2,\r\n"
                              "c2, 9, 8, 3, 3, 16, 16, 1,\r\n");
  auto r =
      run_sparsim("run --workload " + net + " --set workload.phases=FF --set workload.batch=1 --out " + dir + "/out");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const std::string csv = slurp(dir + "/out/layers.csv");
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 3);  // header + c1 FF + c2 FF
  CHECK(csv.find(",c1,FF,") != std::string::npos);
  CHECK(csv.find(",c2,FF,") != std::string::npos);

  r = run_sparsim("workloads show " + net);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("c1") != std::string::npos);
  CHECK(r.out.find("c2") != std::string::npos);
  r = run_sparsim("workloads validate " + net);
  CHECK(r.status == 0);

  const auto bad = write_file(dir, "bad.csv",
                              "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num "
                              "Filter, Strides,\n"
                              "c1, 20, 17, 5, 3, 8, 16, 0,\n");
  for (const std::string& cmd :
       {"run --workload " + bad + " --out " + dir + "/bad", "workloads validate " + bad, "workloads show " + bad}) {
    r = run_sparsim(cmd);
    INFO(cmd);
    CHECK(r.status == 2);
    CHECK(r.err.find(bad + ":2: Strides: must be at least 1, got 0") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  CHECK_FALSE(std::filesystem::exists(dir + "/bad/report.json"));
}
