#pragma once
// A run's output files as one set. Each file is written to a temporary and renamed into place, the previous
// run's manifest is removed before the first file changes, and manifest.json -- every file's size and
// FNV-1a checksum -- is written last. So a directory whose manifest is missing, or whose files disagree with
// it, holds no complete run (a kill between two renames, a file damaged afterwards), and readers that
// reuse outputs (a sweep deciding which points are finished) check it instead of trusting what is there.
#include <cstdint>
#include <string>
#include <vector>

namespace sparsim {

inline constexpr const char* kManifestName = "manifest.json";

// FNV-1a, 64-bit, over bytes.
std::uint64_t fnv1a64(const std::string& bytes);

// Writes `content` to dir/name through a temporary in the same directory and a rename; the temporary is
// removed if writing fails. Errors are InputErrors naming the path.
void write_atomically(const std::string& dir, const std::string& name, const std::string& content);

// Before simulating: each of `names` in `dir` is absent or a regular file (else an InputError naming the
// path in the way), and temporaries a killed run left there (.NAME.tmp) are removed.
void check_output_paths(const std::string& dir, const std::vector<std::string>& names);

class OutputSet {
 public:
  explicit OutputSet(std::string dir);  // removes dir's manifest: the old set is no longer vouched for
  void write(const std::string& name, const std::string& content);  // atomically, and recorded
  void add_file(const std::string& path);  // a file written by someone else (the timeline), recorded
  void commit();                           // writes the manifest, last

 private:
  std::string dir_;
  std::vector<std::string> files_;  // relative to dir_ when inside it, else absolute
};

// Empty when `dir` holds a complete output set; otherwise why not, in a few words ("no manifest.json",
// "layers.csv: checksum differs from the manifest", ...).
std::string verify_output_set(const std::string& dir);

}  // namespace sparsim
