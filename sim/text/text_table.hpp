#pragma once
// A table for a terminal: columns sized to their contents, and a width it must fit (the summary of
// `sparsim run` and `workloads list` fit 120 columns unless --wide). Columns that matter less are dropped
// first; a long text column is shortened only when dropping is not enough.
#include <cstddef>
#include <string>
#include <vector>

namespace sparsim {

struct TableColumn {
  std::string header;
  bool align_left = false;  // names left, numbers right
  // 0: always shown. When the table is too wide, the column with the highest drop_order goes first (the
  // rightmost of equals), then the next, until the table fits.
  int drop_order = 0;
  // When dropping columns is not enough, this column's cells are cut (marked with '~') to make room; the
  // first such column is cut, never below its header's width.
  bool can_shorten = false;
};

class TextTable {
 public:
  explicit TextTable(std::vector<TableColumn> columns);
  void add_row(std::vector<std::string> cells);  // one cell per column; missing cells print empty

  // The header, then the rows, each line ending in '\n'. max_width 0: every column, however wide. Columns
  // are separated by two spaces and lines carry no trailing blanks.
  std::string render(std::size_t max_width) const;

  // Headers of the columns render(max_width) keeps (tests and callers that explain what was left out).
  std::vector<std::string> kept_headers(std::size_t max_width) const;

 private:
  std::vector<bool> kept(std::size_t max_width, std::vector<std::size_t>& widths) const;

  std::vector<TableColumn> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// Breaks a long line of prose at spaces so that no line exceeds `width`; continuation lines are indented
// by `indent` spaces. A word longer than the width stays whole. Each output line ends in '\n'.
std::string wrap_text(const std::string& line, std::size_t width, std::size_t indent = 2);

}  // namespace sparsim
