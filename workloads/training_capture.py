#!/usr/bin/env python3
"""`sparsim workloads capture`: trains a small network with a real pruning method on the CPU (Debian's
python3-torch) and records a training trace (docs/workloads.md, "Training traces"): trace.yaml (method,
seed, versions and the network in sparsim's network YAML form), densities.csv (per record and layer:
weight, input-activation and output-gradient densities, mask change, phase, mask files) and the weight
masks as .spmask files under masks/<step>/.

usage: training_capture.py --list
       training_capture.py --model NAME --method METHOD --steps N [--record-every K] [--seed S]
                           [--density D] [--nm N:M] -o DIR

Bad arguments and a missing torch print one line to stderr and exit 2.
"""
import argparse
import os
import struct
import sys

FORMAT_VERSION = 1

MODELS = {
    "cnn": "LeNet-like CNN (2 convs, 2 fc) on 8x8 digits (scikit-learn's bundled set, else a seeded synthetic one)",
    "mlp": "MLP 64-128-64-10 on 8x8 digits (as cnn)",
    "lstm": "one-layer LSTM, hidden 32, 8 steps, on a seeded synthetic sequence classification task",
    "transformer": "one encoder block (2 heads, width 32, FFN 64, 16 tokens) on a seeded synthetic token task",
    "resnet18": "torchvision's ResNet-18 layer shapes (BatchNorm, 10 classes) on seeded synthetic 3x32x32 images, "
                "batch 4",
    "vgg16": "torchvision's VGG-16 layer shapes (13 convs; classifier hidden width 512, not 4096) on seeded "
             "synthetic 3x32x32 images, batch 4",
}
METHODS = {
    "dense": "no pruning (activation and gradient densities only)",
    "magnitude": "Han et al. magnitude pruning with retraining, gradual (Zhu and Gupta) schedule to --density",
    "dsd": "dense-sparse-dense (Han et al. 2017): dense, pruned to --density and retrained, dense again",
    "nm": "N:M (--nm) with SR-STE: straight-through, sparse-refined decay; FF mask along Cin, BP along Cout",
    "rigl": "RigL: sparse at --density, every k steps drop smallest |w|, regrow largest |grad|",
    "set": "SET: sparse at --density, every k steps drop smallest |w|, regrow at random",
}


class UsageError(Exception):
    pass


def fail(message):
    sys.stderr.write("sparsim: error: " + message + "\n")
    sys.exit(2)


def parse_args(argv):
    p = argparse.ArgumentParser(prog="sparsim workloads capture", add_help=True)
    p.add_argument("--list", action="store_true")
    p.add_argument("--model")
    p.add_argument("--method")
    p.add_argument("--steps", type=int)
    p.add_argument("--record-every", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--density", type=float, default=0.25)
    p.add_argument("--nm", default="2:4")
    p.add_argument("-o", "--output")

    def error(message):
        raise UsageError(message)

    p.error = error
    a = p.parse_args(argv)
    if a.list:
        return a
    if a.model not in MODELS:
        raise UsageError("--model: expected one of %s, got '%s'" % (", ".join(MODELS), a.model))
    if a.method not in METHODS:
        raise UsageError("--method: expected one of %s, got '%s'" % (", ".join(METHODS), a.method))
    if a.steps is None or not 1 <= a.steps <= 1000000:
        raise UsageError("--steps: expected an integer from 1 to 1000000")
    if not 1 <= a.record_every <= a.steps:
        raise UsageError("--record-every: expected an integer from 1 to --steps")
    if a.seed < 0:
        raise UsageError("--seed: expected a non-negative integer")
    if not 0.0 < a.density <= 1.0:
        raise UsageError("--density: expected a number in (0, 1]")
    try:
        n, m = (int(x) for x in a.nm.split(":"))
        if not 1 <= n < m <= 16:
            raise ValueError
    except ValueError:
        raise UsageError("--nm: expected N:M with 1 <= N < M <= 16, got '%s'" % a.nm)
    a.n, a.m = n, m
    if not a.output:
        raise UsageError("needs -o DIR")
    if os.path.exists(a.output) and not os.path.isdir(a.output):
        raise UsageError("-o: %s exists and is not a directory" % a.output)
    return a


# ----------------------------------------------------------------------------------------------------------
# .spmask files, exactly as workloads/mask_file.cpp writes them (little-endian header, FNV-1a 64 checksum
# over the payload's 64-bit words, element i = bit i % 64 of word i / 64).

def write_spmask(path, mask):
    import numpy as np
    flat = np.ascontiguousarray(mask.reshape(-1).astype(np.uint8))
    size = flat.size
    words = (size + 63) // 64
    bits = np.zeros(words * 64, dtype=np.uint8)
    bits[:size] = flat
    payload = np.packbits(bits, bitorder="little").tobytes()
    h = 0xcbf29ce484222325
    for (w,) in struct.iter_unpack("<Q", payload):
        h = ((h ^ w) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    header = b"SPSMASK\0" + struct.pack("<II", 1, mask.ndim)
    header += b"".join(struct.pack("<q", int(d)) for d in mask.shape)
    header += struct.pack("<QQQ", int(flat.sum()), len(payload), h)
    with open(path, "wb") as f:
        f.write(header + payload)


# ----------------------------------------------------------------------------------------------------------

def main(argv):
    try:
        args = parse_args(argv)
    except UsageError as e:
        fail(str(e))
    if args.list:
        print("models:")
        for k, v in MODELS.items():
            print("  %-12s %s" % (k, v))
        print("methods:")
        for k, v in METHODS.items():
            print("  %-12s %s" % (k, v))
        return 0
    try:
        import numpy  # noqa: F401
        import torch  # noqa: F401
    except ImportError as e:
        fail("capture needs PyTorch (%s): apt-get install python3-torch" % e)
    import training_capture_torch  # noqa: E402  (next to this file; needs torch)
    return training_capture_torch.capture(args, write_spmask, FORMAT_VERSION)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main(sys.argv[1:]))
