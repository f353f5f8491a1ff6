#include "sim/report/output_set.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sim/errors.hpp"

namespace sparsim {

namespace fs = std::filesystem;

namespace {

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

bool read_whole(const fs::path& p, std::string& bytes) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  bytes = s.str();
  return static_cast<bool>(in) || in.eof();
}

std::string temporary_of(const std::string& name) { return "." + name + ".tmp"; }

}  // namespace

std::uint64_t fnv1a64(const std::string& bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

void write_atomically(const std::string& dir, const std::string& name, const std::string& content) {
  const fs::path final_path = fs::path(dir) / name;
  const fs::path tmp = fs::path(dir) / temporary_of(name);
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw InputError(located(dir, "--out", "cannot write " + tmp.string()));
    f << content;
    f.flush();
    if (!f) {
      f.close();
      std::error_code ec;
      fs::remove(tmp, ec);
      throw InputError(located(dir, "--out", "write failed for " + tmp.string()));
    }
  }
  std::error_code ec;
  fs::rename(tmp, final_path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw InputError(located(final_path.string(), "--out", "cannot put the file in place"));
  }
}

void check_output_paths(const std::string& dir, const std::vector<std::string>& names) {
  for (const auto& name : names) {
    const fs::path p = fs::path(dir) / name;
    std::error_code ec;
    const auto st = fs::symlink_status(p, ec);
    if (!ec && fs::exists(st) && !fs::is_regular_file(st))
      throw InputError(located(p.string(), "--out",
                               "is in the way: the run writes its " + name + " here and this is not a regular file"));
    fs::remove(fs::path(dir) / temporary_of(name), ec);
  }
}

OutputSet::OutputSet(std::string dir) : dir_(std::move(dir)) {
  std::error_code ec;
  fs::remove(fs::path(dir_) / kManifestName, ec);
}

void OutputSet::write(const std::string& name, const std::string& content) {
  write_atomically(dir_, name, content);
  files_.push_back(name);
}

void OutputSet::add_file(const std::string& path) {
  std::error_code ec;
  const fs::path abs = fs::absolute(path, ec), base = fs::absolute(dir_, ec);
  const fs::path rel = abs.lexically_relative(base);
  const bool inside = !rel.empty() && *rel.begin() != "..";
  files_.push_back(inside ? rel.string() : abs.string());
}

void OutputSet::commit() {
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const auto& f : files_) {
    std::string bytes;
    const fs::path p = fs::path(f).is_absolute() ? fs::path(f) : fs::path(dir_) / f;
    if (!read_whole(p, bytes)) throw InputError(located(p.string(), "--out", "cannot read back the output"));
    files.push_back({{"path", f}, {"bytes", bytes.size()}, {"fnv1a64", hex64(fnv1a64(bytes))}});
  }
  nlohmann::ordered_json manifest = {{"sparsim_output_set", 1}, {"files", files}};
  write_atomically(dir_, kManifestName, manifest.dump(2) + "\n");
}

std::string verify_output_set(const std::string& dir) {
  std::string text;
  if (!read_whole(fs::path(dir) / kManifestName, text)) return std::string("no ") + kManifestName;
  nlohmann::json manifest;
  try {
    manifest = nlohmann::json::parse(text);
    if (manifest.at("sparsim_output_set").get<int>() != 1) return std::string(kManifestName) + ": unknown version";
    for (const auto& f : manifest.at("files")) {
      const std::string path = f.at("path").get<std::string>();
      const fs::path p = fs::path(path).is_absolute() ? fs::path(path) : fs::path(dir) / path;
      std::string bytes;
      if (!read_whole(p, bytes)) return path + ": missing";
      if (bytes.size() != f.at("bytes").get<std::uint64_t>()) return path + ": size differs from the manifest";
      if (hex64(fnv1a64(bytes)) != f.at("fnv1a64").get<std::string>())
        return path + ": checksum differs from the manifest";
    }
  } catch (const nlohmann::json::exception&) {
    return std::string(kManifestName) + ": damaged";
  }
  return "";
}

}  // namespace sparsim
