#!/usr/bin/env bash
# Installs what sparsim needs on Debian (as root), only what is missing; safe to re-run.
set -euo pipefail
packages=(g++ cmake make pkg-config libsystemc-dev libyaml-cpp-dev nlohmann-json3-dev catch2 zlib1g-dev
          python3-matplotlib python3-numpy python3-yaml python3-onnx python3-pytest parallel time
          clang libclang-rt-dev   # clang + libFuzzer runtime: scripts/fuzz.sh (docs/reliability.md)
          slurm-wlm munge)        # the Slurm round trip of a sweep: tests/sweep/slurm_roundtrip.sh
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
