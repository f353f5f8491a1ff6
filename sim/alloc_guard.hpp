#pragma once
// Every allocation whose size follows the workload (mask bitmaps, weight and operand arrays, accumulator
// banks, a DRAM transfer's requests) is checked against the run's memory limit (run.max_memory_mb,
// `--max-memory MiB`) before it is made. The up-front estimate (sim/run_budget.hpp) refuses runs that are
// too big before anything is elaborated; this check is the backstop where that estimate is short: one
// allocation beyond the limit is an input error naming what was being allocated, never a bad_alloc or an
// out-of-memory kill. The check is per allocation (frees are not tracked), so it bounds what any one
// workload-sized array can take, not the sum.
#include <cstdint>
#include <string_view>

namespace sparsim {

// The limit in bytes (0: none). `sparsim run` sets it from run.max_memory_mb; the default is that key's
// default (8192 MiB), so models used outside a run (tests, tools) are bounded alike.
void set_allocation_limit(std::uint64_t bytes);
std::uint64_t allocation_limit();

// Throws an InputError (key run.max_memory_mb) when `count` elements of `element_bytes` each exceed the
// limit; `what` names the array ("the mask of layer 'fc6'"). Computed in floating point, so no product of
// huge sizes can overflow before it is checked.
void check_allocation(double count, double element_bytes, std::string_view what);

}  // namespace sparsim
