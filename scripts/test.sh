#!/usr/bin/env bash
# Builds sparsim and runs every test: the C++ suites through ctest (one process per test case, because
# SystemC elaborates one design per process) and the Python parts through Debian's pytest.
# Last, a short fuzz smoke of every parser (scripts/fuzz.sh: clang, ASan+UBSan, 10 s per target).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSPARSIM_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")
if compgen -G "tests/python/test_*.py" >/dev/null; then
  /usr/bin/python3 -m pytest -q tests/python
fi
# Fuzz smoke (docs/reliability.md): a clang build of the libFuzzer targets (build-fuzz), then 10 s per target
# from its seed corpus, so the seeds (and the regression inputs among them) are replayed on every run.
bash scripts/fuzz.sh 10
