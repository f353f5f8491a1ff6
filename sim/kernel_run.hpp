#pragma once
// Runs the SystemC kernel. SystemC catches any exception that escapes a process (SC_THREAD/SC_METHOD) and
// rethrows it from sc_start() as an sc_report holding only its message, so an InputError raised while the
// simulation runs (an allocation beyond run.max_memory_mb, a bad trace window) would end the run as an
// internal error. run_kernel() gives such an error back its kind: exit 2 with its one-line message.
namespace sparsim {

void run_kernel();

}  // namespace sparsim
