// SCALE-Sim v2 topology files: a header line naming the columns (matched by name, any order), then one conv
// layer per line. Fields are comma-separated and trimmed; a trailing comma is allowed; blank lines and a
// UTF-8 byte-order mark are skipped; CRLF line endings are accepted.
#include "workloads/scalesim_topology.hpp"

#include <array>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <vector>

#include "sim/config/yaml_input.hpp"
#include "sim/errors.hpp"
#include "workloads/library.hpp"

namespace sparsim {

namespace {

enum Column { kName, kIfmapH, kIfmapW, kFilterH, kFilterW, kChannels, kNumFilter, kStrides, kColumns };
constexpr std::array<const char*, kColumns> kColumnNames = {
    "Layer name", "IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width", "Channels", "Num Filter", "Strides"};
constexpr std::int64_t kMaxValue = (std::int64_t{1} << 31) - 1;  // validate_network's dimension bound

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  std::size_t b = 0, e = s.size();
  while (b < e && space(s[b])) ++b;
  while (e > b && space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

// The fields of one line, trimmed; an empty last field (a trailing comma) is dropped.
std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto comma = line.find(',', start);
    out.push_back(trim(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (out.size() > 1 && out.back().empty()) out.pop_back();
  return out;
}

[[noreturn]] void fail(const std::string& at, const std::string& key, const std::string& msg) {
  throw InputError(located(at, key, msg));
}

// A positive decimal integer below 2^31 (SCALE-Sim reads these with int()).
std::int64_t positive(const std::string& text, const std::string& at, const std::string& key) {
  const bool starts_well =
      !text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-' || text[0] == '+');
  char* end = nullptr;
  errno = 0;
  long long v = starts_well ? std::strtoll(text.c_str(), &end, 10) : 0;
  if (!starts_well || end != text.c_str() + text.size())
    fail(at, key, "expected a positive integer, got '" + text + "'");
  if (errno == ERANGE) v = text[0] == '-' ? LLONG_MIN : LLONG_MAX;
  if (v < 1) fail(at, key, "must be at least 1, got " + text);
  if (v > kMaxValue) fail(at, key, "must be below 2^31, got " + text);
  return v;
}

// SCALE-Sim's output size, OH = ceil((IH - FH + S) / S) (no padding), as the input extent that gives the
// same output under sparsim's floor((h - kh) / stride) + 1: h = (OH - 1) * S + FH. Cycles, MACs and every
// GEMM shape depend only on the output size, so this is the layer SCALE-Sim simulates. The two inputs
// differ only where the ceil lets SCALE-Sim's last window read past the input edge: the equivalent input
// then extends to hold that window (at most S - 1 more; 224 x 224, 11 x 11, stride 4: 227 x 227, 55 x 55
// outputs, where sparsim's rule on 224 would give 54 x 54).
std::int64_t equivalent_input(std::int64_t in, std::int64_t filter, std::int64_t stride) {
  const std::int64_t out = (in - filter + stride + stride - 1) / stride;
  return (out - 1) * stride + filter;
}

}  // namespace

bool is_scalesim_topology_path(const std::string& path) {
  return path.size() >= 4 && lower(path.substr(path.size() - 4)) == ".csv";
}

Network parse_scalesim_topology(const std::string& text, const std::string& file) {
  Network net;
  net.name = std::filesystem::path(file).stem().string();
  net.source = file;

  std::array<std::size_t, kColumns> index{};
  std::vector<std::string> header;  // column names as written
  std::string header_at;
  std::map<std::string, int> first_line;  // layer name -> line
  const std::size_t bom = text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  int number = 0;
  for (std::size_t pos = bom; pos < text.size();) {
    const std::size_t nl = text.find('\n', pos);
    const std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    ++number;
    if (trim(line).empty()) continue;
    const std::string at = file + ":" + std::to_string(number);
    const std::vector<std::string> fields = split(line);

    if (header.empty()) {  // the first non-blank line: the header
      std::array<bool, kColumns> seen{};
      for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::string& name = fields[i];
        const std::string where = "column " + std::to_string(i + 1);
        if (!valid_utf8(name)) fail(at, where, "header text is not valid UTF-8");
        if (name.empty()) fail(at, where, "empty column name");
        int c = 0;
        while (c < kColumns && lower(name) != lower(kColumnNames[static_cast<std::size_t>(c)])) ++c;
        if (c == kColumns) {
          std::string known;
          for (const char* k : kColumnNames) known += (known.empty() ? "" : ", ") + std::string(k);
          fail(at, name, "unknown column (a SCALE-Sim conv topology has: " + known + ")");
        }
        const auto col = static_cast<std::size_t>(c);
        if (seen[col]) fail(at, name, "column given twice (first as column " + std::to_string(index[col] + 1) + ")");
        seen[col] = true;
        index[col] = i;
      }
      for (std::size_t c = 0; c < kColumns; ++c)
        if (!seen[c]) fail(at, kColumnNames[c], "missing column");
      header = fields;
      header_at = at;
      continue;
    }

    for (std::size_t i = 0; i < fields.size(); ++i)
      if (!valid_utf8(fields[i]))
        fail(at, i < header.size() ? header[i] : "column " + std::to_string(i + 1), "text is not valid UTF-8");
    if (fields.size() < header.size())
      fail(at, header[fields.size()],
           "missing: the row has " + std::to_string(fields.size()) + " fields, the header " +
               std::to_string(header.size()) + " columns");
    if (fields.size() > header.size())
      fail(at, "column " + std::to_string(header.size() + 1),
           "the row has " + std::to_string(fields.size()) + " fields, the header only " +
               std::to_string(header.size()) + " columns");

    const auto key = [&](Column c) -> const std::string& { return header[index[c]]; };
    const auto value = [&](Column c) { return positive(fields[index[c]], at, key(c)); };
    const std::string& name = fields[index[kName]];
    if (name.empty()) fail(at, key(kName), "empty layer name");
    if (const auto [it, fresh] = first_line.emplace(name, number); !fresh)
      fail(at, key(kName), "layer name '" + name + "' given twice (first on line " + std::to_string(it->second) + ")");
    const std::int64_t ih = value(kIfmapH), iw = value(kIfmapW), fh = value(kFilterH), fw = value(kFilterW);
    const std::int64_t channels = value(kChannels), filters = value(kNumFilter), stride = value(kStrides);
    if (fh > ih)
      fail(at, key(kFilterH),
           "filter larger than the input (" + std::to_string(fh) + " > IFMAP Height " + std::to_string(ih) + ")");
    if (fw > iw)
      fail(at, key(kFilterW),
           "filter larger than the input (" + std::to_string(fw) + " > IFMAP Width " + std::to_string(iw) + ")");

    Layer l;
    l.name = name;
    l.kind = LayerKind::Conv;
    l.cin = channels;
    l.cout = filters;
    l.kh = fh;
    l.kw = fw;
    l.stride = stride;
    l.pad = 0;
    l.groups = 1;
    l.h = equivalent_input(ih, fh, stride);
    l.w = equivalent_input(iw, fw, stride);
    l.needs_input_gradient = !net.layers.empty();  // no gradient into the network input
    // Sizes (weights, activations, MACs) checked here, so that the error names the line.
    Network one;
    one.source = at;
    one.layers.push_back(l);
    validate_network(one);
    net.layers.push_back(std::move(l));
  }
  if (header.empty())
    fail(file, "", "empty file (expected a SCALE-Sim topology header: Layer name, IFMAP Height, ...)");
  if (net.layers.empty()) fail(header_at, "", "no layers after the header");
  validate_network(net);
  return net;
}

}  // namespace sparsim
