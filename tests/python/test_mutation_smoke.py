"""Smoke of the Python mutation driver (tests/fuzz/python_mutate.py): a few dozen mutated results.csv,
report.json and ONNX inputs, each rejected with a one-line error or run, never an internal error. Longer
campaigns: docs/reliability.md. The regression cases below are the first findings of that driver."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "plots"))
from sparsim_plots.data import InputError, load_results  # noqa: E402

SPARSIM = os.path.join(ROOT, "build", "sparsim")
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus", "plot")


def test_mutated_plot_inputs_never_end_in_an_internal_error(tmp_path):
    run = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "fuzz", "python_mutate.py"), "--runs", "40",
                          "--family", "plot-csv,plot-json", "--out", str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "| plot-csv | 40 |" in run.stdout


@pytest.mark.skipif(not os.access(SPARSIM, os.X_OK), reason="needs build/sparsim")
def test_mutated_onnx_models_never_end_in_an_internal_error(tmp_path):
    pytest.importorskip("onnx")
    run = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "fuzz", "python_mutate.py"), "--runs", "20",
                          "--family", "onnx", "--sparsim", SPARSIM, "--out", str(tmp_path)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_results_that_are_not_utf8_or_have_ragged_or_non_numeric_rows_are_input_errors(tmp_path):
    good = open(os.path.join(CORPUS, "results.csv"), "rb").read()
    lines = good.split(b"\n")
    cases = {
        "utf8.csv": (good[:200] + b"\xff" + good[200:], "not valid UTF-8"),
        "short.csv": (b"\n".join([lines[0], b",".join(lines[1].split(b",")[:5])] + lines[2:]),
                      ":2: the row has fewer fields than the header"),
        "nan.csv": (good.replace(lines[1], lines[1].replace(b",ok,", b",ok,").rsplit(b",", 1)[0] + b",nan", 1),
                    "expected a finite number"),
    }
    for name, (data, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(InputError, match=message):
            load_results(str(path))


def test_no_past_finding_ends_in_an_internal_error(tmp_path):
    """tests/fuzz/corpus/plot/regression-*: inputs the driver once turned into internal errors or multi-line
    messages (missing columns, a newline in a cell, a report without variants, wrong types in jobs, NaN as a
    swept value)."""
    import contextlib
    import io
    import shutil
    import matplotlib
    matplotlib.use("Agg")
    import plot
    found = sorted(f for f in os.listdir(CORPUS) if f.startswith("regression-"))
    assert len(found) >= 5
    for name in found:
        target = tmp_path / ("results.csv" if name.endswith(".csv") else "report.json")
        shutil.copy(os.path.join(CORPUS, name), target)
        shutil.copy(os.path.join(CORPUS, "plan.json"), tmp_path / "plan.json")
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = plot.main([str(target), "-o", str(tmp_path / "f.png")])
        assert code in (0, 2), name  # run (a NaN axis value plots as a category) or rejected, never an exception
        if code == 2:
            assert err.getvalue().count("\n") == 1, (name, err.getvalue())


@pytest.mark.skipif(not os.access(SPARSIM, os.X_OK), reason="needs build/sparsim")
def test_no_past_onnx_finding_ends_in_an_internal_error(tmp_path):
    """tests/fuzz/corpus/onnx/regression-*: models the driver's 10,000-input campaign turned into Python
    tracebacks (an attribute with a damaged type field, a node name that is not valid UTF-8), or whose error
    message was a Python warning instead of the reason (a protobuf that decodes partly)."""
    pytest.importorskip("onnx")
    corpus = os.path.join(ROOT, "tests", "fuzz", "corpus", "onnx")
    found = sorted(f for f in os.listdir(corpus) if f.startswith("regression-"))
    assert len(found) >= 2
    for name in found:
        run = subprocess.run([SPARSIM, "workloads", "import-onnx", os.path.join(corpus, name), "-o",
                              str(tmp_path / (name + ".yaml"))], capture_output=True, text=True, errors="replace")
        assert run.returncode == 2, (name, run.stderr)
        assert "Traceback" not in run.stderr, (name, run.stderr)
        assert run.stderr.count("\n") == 1, (name, run.stderr)
        assert "Warning" not in run.stderr, (name, run.stderr)  # a Python warning in place of the reason
