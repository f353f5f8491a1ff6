#!/usr/bin/env bash
# Builds sparsim and runs every test: the C++ suites through ctest (one process per test case, because
# SystemC elaborates one design per process) and the Python parts through Debian's pytest.
# Last, a short fuzz smoke of every parser (scripts/fuzz.sh: clang, ASan+UBSan, fixed inputs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --capture --slurm  # + python3-torch (capture tests), slurm-wlm and munge (Slurm round trip)
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSPARSIM_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")
if compgen -G "tests/python/test_*.py" >/dev/null; then
  /usr/bin/python3 -m pytest -q tests/python
fi
# Fuzz smoke (docs/reliability.md): a clang build of the libFuzzer targets (build-fuzz), then per target its
# seed corpus (the regression inputs among them) and 3,000 mutated inputs from a fixed seed, so the smoke
# is the same on every run; longer campaigns: bash scripts/fuzz.sh SECONDS.
FUZZ_RUNS=3000 bash scripts/fuzz.sh
# The sanitizer subset (docs/reliability.md): tests/core and tests/memory (less their *_cli.cpp) built in the
# same clang ASan+UBSan build and run through ctest; any sanitizer report fails it.
bash scripts/sanitize_subset.sh
