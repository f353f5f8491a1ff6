// The binary mask file: round trips, lazy loading, and a clear InputError naming the file and layer for
// every kind of damage.
#include <unistd.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "sim/errors.hpp"
#include "workloads/layer_masks.hpp"
#include "workloads/library.hpp"
#include "workloads/mask_file.hpp"

using namespace sparsim;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir() {
  const fs::path dir = fs::temp_directory_path() / ("sparsim-maskfile-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void spit(const fs::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << s;
}

Mask sample_mask() {
  Rng rng(1);
  return masks::uniform({10, 7, 3}, 0.4, rng);  // 210 bits: the last word is padded
}

}  // namespace

TEST_CASE("mask file round trip, header and lazy loading") {
  const fs::path f = temp_dir() / "m.spmask";
  const Mask m = sample_mask();
  write_mask_file(f.string(), m);
  // magic 8 + version 4 + rank 4 + 3 dims x 8 + count, payload bytes, checksum (24) + 4 words
  CHECK(fs::file_size(f) == 8 + 4 + 4 + 24 + 24 + 32);
  const MaskHeader h = read_mask_header(f.string());
  CHECK(h.shape == std::vector<std::int64_t>{10, 7, 3});
  CHECK(h.count == m.count());
  CHECK(read_mask_file(f.string()) == m);
  CHECK(verify_mask_file(f.string()).checksum == h.checksum);
  LazyMask lazy(f.string(), {10, 7, 3}, "layer x");
  CHECK(!lazy.loaded());
  CHECK(lazy.get() == m);
  CHECK(lazy.loaded());
  lazy.release();
  CHECK(!lazy.loaded());
}

TEST_CASE("damaged mask files give errors naming the file and the layer") {
  const fs::path dir = temp_dir();
  const fs::path good = dir / "good.spmask";
  write_mask_file(good.string(), sample_mask());
  const std::string bytes = slurp(good);
  const std::size_t payload = bytes.size() - 32;
  struct Case {
    const char* what;
    std::string content;
    const char* message;
  };
  std::string flipped = bytes, magic = bytes, version = bytes, pad = bytes, count = bytes, rank = bytes;
  flipped[payload + 3] ^= 0x10;
  magic[0] = 'X';
  version[8] = 9;
  pad[bytes.size() - 1] |= 0x80;  // bit 255 of 210
  count[16 + 24] ^= 1;
  rank[12] = 0;
  const Case cases[] = {
      {"empty", "", "truncated"},
      {"header cut", bytes.substr(0, 20), "truncated"},
      {"bitmap cut", bytes.substr(0, bytes.size() - 5), "truncated"},
      {"trailing", bytes + "xx", "trailing bytes"},
      {"flipped bit", flipped, "checksum mismatch"},
      {"magic", magic, "bad magic"},
      {"version", version, "version 9"},
      {"padding", pad, "past the end"},
      {"count", count, "non-zeros"},
      {"rank", rank, "rank 0"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    const fs::path f = dir / "bad.spmask";
    spit(f, c.content);
    try {
      if (std::string(c.what) == "trailing" || std::string(c.what) == "bitmap cut" || std::string(c.what) == "magic" ||
          std::string(c.what) == "version" || std::string(c.what) == "rank")
        read_mask_header(f.string(), "layer conv2");
      else
        read_mask_file(f.string(), "layer conv2");
      FAIL("no error");
    } catch (const InputError& e) {
      const std::string msg = e.what();
      CHECK_THAT(msg, Catch::Contains(f.string()));
      CHECK_THAT(msg, Catch::Contains("layer conv2"));
      CHECK_THAT(msg, Catch::Contains(c.message));
      CHECK(msg.find('\n') == std::string::npos);
    }
  }
  CHECK_THROWS_WITH(read_mask_file((dir / "missing.spmask").string(), "layer fc6"), Catch::Contains("missing.spmask") &&
                                                                                        Catch::Contains("layer fc6") &&
                                                                                        Catch::Contains("cannot open"));
}

TEST_CASE("network files: mask of the wrong size or density is an error naming file and layer") {
  const fs::path dir = temp_dir();
  Rng rng(2);
  write_mask_file((dir / "fc1.spmask").string(), masks::uniform({32, 64}, 0.25, rng));
  const std::string yaml =
      "name: tiny\nlayers:\n  - {name: fc1, type: fc, cin: 64, cout: 32, weight_density: 0.25, mask_file: "
      "fc1.spmask}\n";
  const std::string file = (dir / "tiny.yaml").string();
  const Network net = parse_network_yaml(yaml, file);
  CHECK(weight_mask(net, 0, Phase::FF, 0) == read_mask_file((dir / "fc1.spmask").string()));
  CHECK_THROWS_WITH(parse_network_yaml("name: t\nlayers:\n  - {name: fc1, type: fc, cin: 32, cout: 32, weight_density: "
                                       "0.25, mask_file: fc1.spmask}\n",
                                       file),
                    Catch::Contains("fc1.spmask") && Catch::Contains("layer fc1") && Catch::Contains("shape [32, 64]"));
  CHECK_THROWS_WITH(
      parse_network_yaml("name: t\nlayers:\n  - {name: fc1, type: fc, cin: 64, cout: 32, mask_file: fc1.spmask}\n",
                         file),
      Catch::Contains("layer fc1") && Catch::Contains("mask density"));
}

TEST_CASE("network files: impossible shapes, densities outside [0, 1] and N > M name file, line and layer") {
  const std::string f = "bad.yaml";
  CHECK_THROWS_WITH(parse_network_yaml("layers:\n  - {name: c, type: conv, cin: 4, cout: 8, hw: 2, kernel: 5}\n", f),
                    Catch::Contains("bad.yaml") && Catch::Contains("layer c") && Catch::Contains("kernel larger"));
  CHECK_THROWS_WITH(parse_network_yaml("layers:\n  - {name: c, type: conv, cin: 6, cout: 8, hw: 8, groups: 4}\n", f),
                    Catch::Contains("layer c") && Catch::Contains("multiples of groups"));
  CHECK_THROWS_WITH(parse_network_yaml("layers:\n  - {name: f, type: fc, cin: 4, cout: 4, weight_density: 1.2}\n", f),
                    Catch::Contains("bad.yaml:2") && Catch::Contains("weight_density") && Catch::Contains("[0, 1]"));
  CHECK_THROWS_WITH(parse_network_yaml("layers:\n  - {name: f, type: fc, cin: 4, cout: 4, nm: \"5:4\"}\n", f),
                    Catch::Contains("bad.yaml:2") && Catch::Contains("nm") && Catch::Contains("must not exceed"));
  CHECK_THROWS_WITH(parse_network_yaml("layers:\n  - {name: f, type: fc, cin: 4, cout: 4, granularity: row}\n", f),
                    Catch::Contains("granularity"));
  CHECK_THROWS_WITH(parse_network_yaml("layers:\n  - {name: f, type: fc, cin: 4, cout: 4, shares_weights: g}\n", f),
                    Catch::Contains("layer f") && Catch::Contains("shares_weights"));
}
