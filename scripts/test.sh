#!/usr/bin/env bash
# Builds sparsim and runs every test: the C++ suites through ctest (one process per test case, because
# SystemC elaborates one design per process) and the Python parts through Debian's pytest.
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
