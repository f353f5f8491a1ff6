#pragma once
// Numbers for people: thousands separators in tables printed on a terminal. Files meant for programs
// (CSV, JSON) keep plain digits; these helpers are for human tables only.
#include <cstdint>
#include <string>

namespace sparsim {

// 14362370637824 -> "14,362,370,637,824".
std::string group_digits(std::uint64_t value);

// A fixed-point number with `decimals` digits after the point and its integer part grouped:
// 103180.774 with 2 decimals -> "103,180.77". Negative values keep their sign; NaN and infinities are
// printed as printf prints them.
std::string group_fixed(double value, int decimals);

// printf of one double with `format` (e.g. "%.2fx"), for cells that need no grouping.
std::string format_number(const char* format, double value);

}  // namespace sparsim
