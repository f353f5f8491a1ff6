#include "sim/text/numbers.hpp"

#include <cmath>
#include <cstdio>

namespace sparsim {

namespace {

// Inserts a comma every three digits of a run of digits (no sign, no decimal point).
std::string group_integer_text(const std::string& digits) {
  std::string out;
  const std::size_t n = digits.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string group_digits(std::uint64_t value) { return group_integer_text(std::to_string(value)); }

std::string group_fixed(double value, int decimals) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  if (!std::isfinite(value)) return buf;
  const std::string text = buf;
  const std::size_t sign = text[0] == '-' ? 1 : 0;
  const std::size_t point = text.find('.');
  const std::size_t int_end = point == std::string::npos ? text.size() : point;
  std::string out = text.substr(0, sign);
  out += group_integer_text(text.substr(sign, int_end - sign));
  out += text.substr(int_end);
  return out;
}

std::string format_number(const char* format, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

}  // namespace sparsim
