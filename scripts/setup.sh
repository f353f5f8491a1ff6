#!/usr/bin/env bash
# Installs what sparsim needs on Debian (as root), only what is missing; safe to re-run.
# --capture also installs what `sparsim workloads capture` needs (python3-torch, CPU, and python3-sklearn
# for its digits data; python3-torchvision only for the test that checks the resnet18 and vgg16 capture
# models against torchvision's layer shapes, 146 MB with its ffmpeg libraries): about 710 MiB and 2
# minutes once (docs/workloads.md, "Training traces"). The README's first command leaves it out;
# scripts/test.sh passes it for the capture tests.
# --slurm installs slurm-wlm and munge for the Slurm round trip test (scripts/test.sh passes it too).
set -euo pipefail
packages=(g++ cmake make pkg-config libsystemc-dev libyaml-cpp-dev nlohmann-json3-dev catch2 zlib1g-dev
          python3-matplotlib python3-numpy python3-yaml python3-onnx python3-pytest parallel time
          clang libclang-rt-dev)  # clang + libFuzzer runtime: scripts/fuzz.sh (docs/reliability.md)
for arg in "$@"; do
  case "$arg" in
    --capture) packages+=(python3-torch python3-sklearn python3-torchvision) ;;
    # The Slurm round trip of a sweep (tests/sweep/slurm_roundtrip.sh starts its own daemons).
    --slurm) packages+=(slurm-wlm munge) ;;
    *) echo "setup: unknown option $arg (known: --capture, --slurm)" >&2; exit 2 ;;
  esac
done
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
