#!/usr/bin/python3
"""Mutation driver for sparsim's Python parts (docs/reliability.md, "Python parts").

libFuzzer covers the C++ parsers; this covers what Python reads: `sparsim plot` on a results.csv (with its
plan.json) and on a report.json, and `sparsim workloads import-onnx` on ONNX models. Each family starts from
valid seeds (tests/fuzz/corpus/plot/, and the pruned models tests/workloads/make_onnx_models.py builds) and
feeds N deterministic mutations (seeded: byte flips, truncation, deleted, duplicated or swapped lines,
inserted bytes, fields replaced by empty, NaN, infinities, negatives, huge numbers, text or invalid UTF-8).

Outcomes: "ran" (exit 0), "rejected" (exit 2 with a one-line error, no traceback) and findings: an internal
error (exit 1 or a Python traceback), a multi-line error, a crash (signal) or a hang (over --timeout s).
Each finding's input is saved under --out. Exit status 1 if anything was found.

ONNX family, --onnx-mode: "cli" (default) runs `sparsim workloads import-onnx` on every input (a Python start
and `import onnx` each, about 0.3-0.6 s); "hybrid" runs the importer's Python reader in-process on every input
and the whole command (its C++ side: the reader's JSON, the bitmaps, the mask files and the YAML) on every
input the reader accepts plus every 20th one it rejects, and counts a disagreement between the two as an
internal error.

Usage: tests/fuzz/python_mutate.py [--runs N] [--seed S] [--sparsim build/sparsim] [--out DIR]
                                   [--family plot-csv,plot-json,onnx] [--timeout S] [--onnx-mode cli|hybrid]
"""
import argparse
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import contextlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "plots"))
sys.path.insert(0, os.path.join(ROOT, "workloads"))

SPECIAL = [b"", b"nan", b"NaN", b"inf", b"-inf", b"-1", b"0", b"1e309", b"-1e309", b"99999999999999999999999",
           b"abc", b"\xff\xfe", b"\"", b",", b"\n", b"1e-400", b"{}", b"[]", b"null", b"true"]


def mutate(data, rng):
    """One random mutation of `data` (bytes)."""
    kind = rng.randrange(9)
    if not data:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 16)))
    if kind == 0:  # flip bytes
        b = bytearray(data)
        for _ in range(rng.randrange(1, 9)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b)
    if kind == 1:  # truncate
        return data[:rng.randrange(len(data))]
    lines = data.split(b"\n")
    if kind == 2 and len(lines) > 1:  # delete a line
        del lines[rng.randrange(len(lines))]
        return b"\n".join(lines)
    if kind == 3:  # duplicate a line
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
        return b"\n".join(lines)
    if kind == 4 and len(lines) > 1:  # swap two lines
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        return b"\n".join(lines)
    if kind == 5:  # insert random bytes
        i = rng.randrange(len(data) + 1)
        return data[:i] + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 32))) + data[i:]
    # Replace a field (CSV cell, JSON value, or a run of digits) by a special value.
    i = rng.randrange(len(data))
    seps = b",\n:[]{} "
    lo = i
    while lo > 0 and data[lo - 1:lo] not in [bytes([c]) for c in seps]:
        lo -= 1
    hi = i
    while hi < len(data) and data[hi:hi + 1] not in [bytes([c]) for c in seps]:
        hi += 1
    return data[:lo] + rng.choice(SPECIAL) + data[hi:]


def classify(code, err, timed_out=False):
    if timed_out:
        return "hang"
    if code < 0:
        return "crash"
    if "Traceback" in err:
        return "internal error"
    if "Warning:" in err:  # a Python warning printed where the one-line reason belongs
        return "internal error"
    if code == 0:
        return "ran"
    if code == 2:
        return "rejected" if err.count("\n") <= 1 else "multi-line error"
    return "internal error"


def run_plot_in_process(path, outdir):
    """`sparsim plot PATH` without a new interpreter per input: plot.main, exceptions kept as findings."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import plot as plot_cli
    err = io.StringIO()
    out = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            code = plot_cli.main([path, "-o", os.path.join(outdir, "fig.png")])
    except SystemExit as e:  # argparse
        code = e.code if isinstance(e.code, int) else 2
    except Exception as e:  # noqa: BLE001 -- any other exception is what we look for
        import traceback
        return "internal error", traceback.format_exc()
    finally:
        plt.close("all")
    return classify(code, err.getvalue()), err.getvalue()


def run_import(sparsim, path, outdir, timeout):
    try:
        r = subprocess.run([sparsim, "workloads", "import-onnx", path, "-o", os.path.join(outdir, "net.yaml")],
                           capture_output=True, text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        return "hang", ""
    return classify(r.returncode, r.stderr), r.stderr


class ReaderTimeout(Exception):
    pass


def _reader_alarm(signum, frame):
    raise ReaderTimeout()


def run_reader_in_process(path, outdir, timeout):
    """workloads/onnx_import.py's main() on PATH without a new interpreter; exceptions kept as findings, a run
    past `timeout` seconds (SIGALRM) as a hang."""
    import signal
    import onnx_import as reader  # workloads/ is on sys.path (main below)
    scratch = os.path.join(outdir, "reader")
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    err = io.StringIO()
    argv = sys.argv
    sys.argv = [reader.__file__, path, scratch]
    signal.signal(signal.SIGALRM, _reader_alarm)
    signal.alarm(max(1, int(timeout)))
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            reader.main()
        code = 0
    except ReaderTimeout:
        return "hang", err.getvalue()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    except Exception:  # noqa: BLE001 -- any other exception is what we look for
        import traceback
        return "internal error", traceback.format_exc()
    finally:
        signal.alarm(0)
        sys.argv = argv
    return classify(code, err.getvalue()), err.getvalue()


def run_import_hybrid(sparsim, path, outdir, timeout, index):
    """The reader in-process; the whole command where the C++ side has work (or as a sample), outcomes compared."""
    outcome, err = run_reader_in_process(path, outdir, timeout)
    if outcome not in ("ran", "rejected"):
        return outcome, err
    if outcome == "rejected" and index % 20 != 0:
        return outcome, err
    cli, cli_err = run_import(sparsim, path, outdir, timeout)
    if cli not in ("ran", "rejected"):
        return cli, cli_err
    if outcome == "rejected" and cli != "rejected":
        return "internal error", f"reader rejected the model but the command {cli}: {err}{cli_err}"
    return cli, cli_err


def onnx_seeds(tmp):
    seeds = os.path.join(tmp, "onnx-seeds")
    os.makedirs(seeds)
    subprocess.run([sys.executable, os.path.join(ROOT, "tests", "workloads", "make_onnx_models.py"), seeds],
                   check=True, capture_output=True)
    return [os.path.join(seeds, f) for f in sorted(os.listdir(seeds)) if f.endswith(".onnx")]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=1000, help="mutated inputs per family")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sparsim", default=os.path.join(ROOT, "build", "sparsim"))
    ap.add_argument("--out", default=os.path.join(ROOT, "build-fuzz", "python"))
    ap.add_argument("--family", default="plot-csv,plot-json,onnx")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--onnx-mode", choices=("cli", "hybrid"), default="cli")
    args = ap.parse_args(argv)
    findings_dir = os.path.join(args.out, "findings")
    os.makedirs(findings_dir, exist_ok=True)
    corpus = os.path.join(HERE, "corpus", "plot")
    outcomes = ("ran", "rejected", "internal error", "multi-line error", "crash", "hang")
    print("| family | inputs | " + " | ".join(outcomes) + " |")
    print("|---|---:|" + "---:|" * len(outcomes))
    found = 0
    with tempfile.TemporaryDirectory(prefix="sparsim-pymutate-") as tmp:
        for family in args.family.split(","):
            rng = random.Random(f"{args.seed}:{family}")
            work = os.path.join(tmp, family)
            os.makedirs(work)
            if family == "plot-csv":
                seeds = [os.path.join(corpus, "results.csv")]
                shutil.copy(os.path.join(corpus, "plan.json"), os.path.join(work, "plan.json"))
                name = "results.csv"
            elif family == "plot-json":
                seeds, name = [os.path.join(corpus, "report.json")], "report.json"
            elif family == "onnx":
                seeds, name = onnx_seeds(tmp), "model.onnx"
            else:
                print(f"python_mutate: unknown family {family}", file=sys.stderr)
                return 2
            datas = [open(s, "rb").read() for s in seeds]
            counts = dict.fromkeys(outcomes, 0)
            for i in range(args.runs):
                data = rng.choice(datas)
                for _ in range(rng.randrange(1, 4)):
                    data = mutate(data, rng)
                path = os.path.join(work, name)
                with open(path, "wb") as f:
                    f.write(data)
                if family == "onnx" and args.onnx_mode == "hybrid":
                    outcome, err = run_import_hybrid(args.sparsim, path, work, args.timeout, i)
                elif family == "onnx":
                    outcome, err = run_import(args.sparsim, path, work, args.timeout)
                else:
                    outcome, err = run_plot_in_process(path, work)
                counts[outcome] += 1
                if (i + 1) % 1000 == 0:
                    print(f"python_mutate: {family} {i + 1}/{args.runs} " +
                          ", ".join(f"{o} {counts[o]}" for o in outcomes if counts[o]), file=sys.stderr, flush=True)
                if outcome not in ("ran", "rejected"):
                    found += 1
                    keep = os.path.join(findings_dir, f"{family}-{i}-{outcome.replace(' ', '_')}")
                    shutil.copy(path, keep + os.path.splitext(name)[1])
                    with open(keep + ".log", "w") as f:
                        f.write(err)
            print(f"| {family} | {args.runs} | " + " | ".join(str(counts[o]) for o in outcomes) + " |", flush=True)
    if found:
        print(f"python_mutate: {found} findings under {findings_dir}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
