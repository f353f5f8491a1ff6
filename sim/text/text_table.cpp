#include "sim/text/text_table.hpp"

#include <algorithm>
#include <sstream>

namespace sparsim {

namespace {

constexpr std::size_t kGap = 2;  // spaces between columns

// Display width: UTF-8 continuation bytes take no column ("µJ" is two columns, three bytes).
std::size_t display_width(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::size_t total_width(const std::vector<std::size_t>& widths, const std::vector<bool>& keep) {
  std::size_t sum = 0, n = 0;
  for (std::size_t i = 0; i < widths.size(); ++i)
    if (keep[i]) {
      sum += widths[i];
      ++n;
    }
  return n ? sum + kGap * (n - 1) : 0;
}

// Cuts a name to `width` columns, marking the cut with '~' so a shortened name is never mistaken for
// another layer's full name.
std::string shorten(const std::string& s, std::size_t width) {
  if (display_width(s) <= width || width == 0) return s;
  std::string out;
  for (const char c : s) {
    const bool starts_char = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (starts_char && display_width(out) + 1 >= width) break;
    out += c;
  }
  return out + "~";
}

}  // namespace

TextTable::TextTable(std::vector<TableColumn> columns) : columns_(std::move(columns)) {}

void TextTable::add_row(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  rows_.push_back(std::move(cells));
}

std::vector<bool> TextTable::kept(std::size_t max_width, std::vector<std::size_t>& widths) const {
  widths.assign(columns_.size(), 0);
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    widths[c] = display_width(columns_[c].header);
    for (const auto& r : rows_) widths[c] = std::max(widths[c], display_width(r[c]));
  }
  std::vector<bool> keep(columns_.size(), true);
  if (max_width == 0) return keep;
  while (total_width(widths, keep) > max_width) {
    std::size_t drop = columns_.size();
    for (std::size_t c = 0; c < columns_.size(); ++c)
      if (keep[c] && columns_[c].drop_order > 0 &&
          (drop == columns_.size() || columns_[c].drop_order >= columns_[drop].drop_order))
        drop = c;
    if (drop == columns_.size()) break;  // only columns that always stay are left
    keep[drop] = false;
  }
  // Still too wide: shorten the first column that may be, but never below its header.
  const std::size_t total = total_width(widths, keep);
  if (total > max_width)
    for (std::size_t c = 0; c < columns_.size(); ++c)
      if (keep[c] && columns_[c].can_shorten) {
        const std::size_t floor = display_width(columns_[c].header);
        const std::size_t excess = total - max_width;
        widths[c] = widths[c] > floor + excess ? widths[c] - excess : std::max(floor, std::size_t{4});
        break;
      }
  return keep;
}

std::vector<std::string> TextTable::kept_headers(std::size_t max_width) const {
  std::vector<std::size_t> widths;
  const auto keep = kept(max_width, widths);
  std::vector<std::string> out;
  for (std::size_t c = 0; c < columns_.size(); ++c)
    if (keep[c]) out.push_back(columns_[c].header);
  return out;
}

std::string TextTable::render(std::size_t max_width) const {
  std::vector<std::size_t> widths;
  const auto keep = kept(max_width, widths);
  std::ostringstream out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    bool first = true;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      if (!keep[c]) continue;
      if (!first) text += std::string(kGap, ' ');
      first = false;
      const std::string cell = columns_[c].can_shorten ? shorten(cells[c], widths[c]) : cells[c];
      const std::size_t pad = widths[c] > display_width(cell) ? widths[c] - display_width(cell) : 0;
      if (columns_[c].align_left) {
        text += cell;
        text += std::string(pad, ' ');
      } else {
        text += std::string(pad, ' ');
        text += cell;
      }
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << "\n";
  };
  std::vector<std::string> header;
  for (const auto& c : columns_) header.push_back(c.header);
  line(header);
  for (const auto& r : rows_) line(r);
  return out.str();
}

std::string wrap_text(const std::string& line, std::size_t width, std::size_t indent) {
  if (display_width(line) <= width) {  // kept as it is, inner runs of spaces included
    std::string whole = line;
    whole += "\n";
    return whole;
  }
  std::string out, current;
  std::istringstream words(line);
  std::size_t lead = 0;  // leading spaces of the original line are kept on its first output line
  while (lead < line.size() && line[lead] == ' ') ++lead;
  current = std::string(lead, ' ');
  bool empty = true;
  for (std::string word; words >> word;) {
    if (!empty && display_width(current) + 1 + display_width(word) > width) {
      out += current;
      out += "\n";
      current = std::string(indent, ' ');
      empty = true;
    }
    if (!empty) current += ' ';
    current += word;
    empty = false;
  }
  out += current;
  out += "\n";
  return out;
}

}  // namespace sparsim
