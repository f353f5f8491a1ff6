"""The plotting front end (plots/): every kind renders a labelled figure, files are written, bad input is
one line with exit status 2. Inputs are small reports and results built here in the sparsim layouts."""
import csv
import json
import os
import subprocess
import sys

import pytest

PLOTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "plots")
sys.path.insert(0, PLOTS)

from sparsim_plots import figures  # noqa: E402
from sparsim_plots.data import InputError, load_measured, load_report, load_results  # noqa: E402
from sparsim_plots.style import save  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    """Each test's figures are closed after it (matplotlib warns past 20 open figures)."""
    yield
    import matplotlib.pyplot as plt
    plt.close("all")


def make_report(path, layers=("conv1", "conv2", "fc")):
    jobs = []
    for i, layer in enumerate(layers):
        for phase in ("FF", "BP", "WU"):
            for variant, cycles in (("sparse", 100 + 10 * i), ("dense", 300 + 10 * i)):
                jobs.append({"layer_index": i, "layer": layer, "phase": phase, "variant": variant,
                             "cycles": cycles, "utilization": 0.25 + 0.2 * i,
                             "energy_pj": 30.0, "energy_pj_by_component": {"array": 10.0, "dram": 20.0}})
    report = {"accelerator": {"name": "sat", "design_variant": "sparse", "baseline_variant": "dense"},
              "workload": {"network": "toy", "batch": 2},
              "summary": {"speedup": {"FF": 2.9, "step": 2.9}}, "energy": {}, "jobs": jobs}
    with open(path, "w") as f:
        json.dump(report, f)
    return path


def make_results(dirpath, with_plan=True):
    path = os.path.join(dirpath, "results.csv")
    header = ["point", "run", "status", "workload.sparsity.m", "accelerator.array.rows", "network",
              "design_variant", "baseline_variant", "cycles", "energy_pj", "speedup_FF", "speedup_BP",
              "speedup_WU", "speedup_step", "energy_pj.array", "energy_pj.dram", "baseline_energy_pj.array",
              "baseline_energy_pj.dram"]
    rows, i = [], 0
    for m in (2, 4, 8):
        for rows_ in (16, 32):
            rows.append([i, f"id{i}", "ok", m, rows_, "resnet18", "sparse", "dense", 1000 // m, 5e6 / m,
                         m / 2, m / 3, 1.0, m / 2.5, 1e6, 4e6 / m, 2e6, 8e6])
            i += 1
    rows.append([i, "idx", "missing", 16, 16, "", "", "", "", "", "", "", "", "", "", "", "", ""])
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    if with_plan:
        with open(os.path.join(dirpath, "plan.json"), "w") as f:
            json.dump({"axes": [{"key": "workload.sparsity.m", "unit": ""},
                                {"key": "accelerator.array.rows", "unit": "PEs"}],
                       "set": [["workload.sparsity.n", "1"]]}, f)
    return path


def check_saved(fig, out):
    paths = save(fig, out)
    for p in paths:
        assert os.path.getsize(p) > 2000
        with open(p, "rb") as f:
            magic = f.read(4)
        assert magic == (b"\x89PNG" if p.endswith(".png") else b"%PDF")
    return paths


def test_layer_speedup_bars_per_phase(tmp_path):
    report = load_report(make_report(tmp_path / "r.json"))
    fig = figures.layer_speedup(report)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "layer"
    assert "speedup of sparse over dense" in ax.get_ylabel() and "×" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["conv1", "conv2", "fc"]
    heights = [p.get_height() for p in ax.patches]
    assert len(heights) == 9  # 3 layers x 3 phases
    assert heights[0] == pytest.approx(3.0)  # dense 300 / sparse 100
    assert len(check_saved(fig, str(tmp_path / "speedup"))) == 2


def test_energy_breakdown_stacks_components(tmp_path):
    fig = figures.energy_breakdown(load_report(make_report(tmp_path / "r.json")))
    ax = fig.axes[0]
    assert ax.get_ylabel().startswith("energy (")
    assert sorted(t.get_text() for t in ax.get_legend().get_texts()) == ["array", "dram"]
    # 4 groups (FF, BP, WU, step) x 2 variants, stacked by 2 components.
    assert len(ax.patches) == 16
    check_saved(fig, str(tmp_path / "energy.png"))


def test_utilization_heatmap_is_layers_by_phases(tmp_path):
    fig = figures.utilization_heatmap(load_report(make_report(tmp_path / "r.json")))
    ax = fig.axes[0]
    assert ax.get_xlabel() == "training phase" and ax.get_ylabel() == "layer"
    assert ax.images[0].get_array().shape == (3, 3)
    assert fig.axes[1].get_ylabel() == "MAC utilization (%)"
    check_saved(fig, str(tmp_path / "heat.pdf"))


def test_sweep_curve_lines_per_other_axis_and_nm_ticks(tmp_path):
    results = load_results(make_results(str(tmp_path)))
    assert len(results.rows) == 6  # the missing point is left out
    fig = figures.sweep_curve(results)
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 2 + 1  # one line per array size, plus the 1x reference
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1:2", "1:4", "1:8"]
    assert "N:M" in ax.get_xlabel()
    assert "speedup" in ax.get_ylabel() and "dense" in ax.get_ylabel()
    ys = ax.get_lines()[0].get_ydata()
    assert list(ys) == pytest.approx([2 / 2.5, 4 / 2.5, 8 / 2.5])
    fig2 = figures.sweep_curve(results, x="accelerator.array.rows", y="energy_pj")
    assert fig2.axes[0].get_xlabel() == "array rows (PEs)"
    assert fig2.axes[0].get_ylabel() == "energy per step (µJ)"
    check_saved(fig2, str(tmp_path / "curve.png"))


def test_sweep_bars_and_energy(tmp_path):
    results = load_results(make_results(str(tmp_path), with_plan=False))
    assert [k for k, _ in results.axes] == ["workload.sparsity.m", "accelerator.array.rows"]
    fig = figures.sweep_speedup_bars(results)
    assert len(fig.axes[0].patches) == 6 * 4
    fig = figures.sweep_energy(results)
    assert len(fig.axes[0].patches) == 12 * 2  # design and baseline per point, two components
    check_saved(fig, str(tmp_path / "e.png"))


def test_bad_inputs_raise_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot open"):
        load_report(str(tmp_path / "none.json"))
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="missing column"):
        load_results(str(bad))
    results = load_results(make_results(str(tmp_path)))
    with pytest.raises(InputError, match="no such column"):
        figures.sweep_curve(results, y="nope")


def test_cli_writes_files_and_fails_with_one_line(tmp_path):
    report = make_report(tmp_path / "r.json")
    run = subprocess.run([sys.executable, os.path.join(PLOTS, "plot.py"), str(report), "-o", str(tmp_path / "f")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    for kind in ("speedup", "energy", "heatmap"):
        for ext in ("png", "pdf"):
            assert os.path.getsize(tmp_path / f"f-{kind}.{ext}") > 2000
    bad = subprocess.run([sys.executable, os.path.join(PLOTS, "plot.py"), str(report), "--kind", "pie"],
                         capture_output=True, text=True)
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "--kind" in bad.stderr


def test_zipped_keys_stay_on_one_line_and_energy_has_a_readable_unit(tmp_path):
    path = make_results(str(tmp_path))
    with open(os.path.join(str(tmp_path), "plan.json"), "w") as f:  # m and rows zipped: one axis
        json.dump({"axes": [{"key": "workload.sparsity.m", "unit": "", "axis": 0},
                            {"key": "accelerator.array.rows", "unit": "PEs", "axis": 0}], "set": []}, f)
    fig = figures.sweep_curve(load_results(path), y="energy_pj,baseline_energy_pj.dram")
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 2  # one per y column, not one per array size
    assert ax.get_ylabel() == "energy per step (µJ)"
    fig = figures.sweep_curve(load_results(path), y="energy_pj")
    assert fig.axes[0].get_ylabel() == "energy per step (µJ)"
    assert max(fig.axes[0].get_lines()[0].get_ydata()) == pytest.approx(2.5)  # 5e6 / 2 pJ in µJ


# ---- issue 14: human labels, legends clear of the data, log axes over decades ----

from sparsim_plots.labels import column_label, key_label, metric_label, network_label, value_label  # noqa: E402
from sparsim_plots.style import _legend_overlaps_data, legend_outside_axes, place_legend  # noqa: E402


def write_results(dirpath, header, rows, axes, fixed=()):
    """results.csv from `header` and `rows`, and its plan.json with `axes` [(key, unit)] and `fixed` overrides."""
    path = os.path.join(dirpath, "results.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    with open(os.path.join(dirpath, "plan.json"), "w") as f:
        json.dump({"axes": [{"key": k, "unit": u, "axis": i} for i, (k, u) in enumerate(axes)],
                   "set": [list(x) for x in fixed]}, f)
    return path


def make_sweep(dirpath, key, xs, networks, columns):
    """A results.csv (with plan.json) over `key` x workload.network with metric `columns` = {name: f(x, i)}."""
    header = ["point", "run", "status", "workload.network", key, "network", "design_variant", "baseline_variant",
              "speedup_FF", "speedup_step"] + list(columns)
    rows, p = [], 0
    for i, net in enumerate(networks):
        for x in xs:
            rows.append([p, f"id{p}", "ok", net, x, net, "cdma", "vdnn", 1.0, 1.0 + x]
                        + [f(x, i) for f in columns.values()])
            p += 1
    return write_results(dirpath, header, rows, [("workload.network", ""), (key, "")])


def test_label_table_names_columns_networks_and_variants():
    assert column_label("perf_vs_oracle_cdma") == "cDMA / oracle"
    assert column_label("perf_vs_oracle_vdnn") == "vDNN / oracle"
    assert column_label("speedup_step") == "step speedup"
    assert value_label("network", "alexnet") == "AlexNet"
    assert value_label("workload.network", "resnet18") == "ResNet-18"
    assert value_label("accelerator.array.rows", "16") == "rows=16"
    assert network_label("square-512") == "square-512"  # unknown: the raw name is the fallback
    assert column_label("some_new_metric") == "some_new_metric"
    assert metric_label("some_new_metric") == ("some_new_metric", 1.0)
    assert key_label("accelerator.glb.size_kib", "KiB") == "size kib (KiB)"
    assert metric_label("speedup_vs_cdma")[0] == "speedup over cDMA (×)"


def test_curve_legend_and_title_use_human_names(tmp_path):
    path = make_sweep(str(tmp_path), "memory.pcie.generation", [3, 4, 5], ["alexnet", "squeezenet"],
                      {"perf_vs_oracle_vdnn": lambda x, i: 0.2 + 0.1 * x - 0.4 * i,
                       "perf_vs_oracle_cdma": lambda x, i: 0.3 + 0.1 * x - 0.4 * i})
    fig = figures.sweep_curve(load_results(path), "memory.pcie.generation", "perf_vs_oracle_vdnn,perf_vs_oracle_cdma")
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["AlexNet, vDNN / oracle", "AlexNet, cDMA / oracle",
                     "SqueezeNet, vDNN / oracle", "SqueezeNet, cDMA / oracle"]
    assert ax.get_title() == "cDMA vs vDNN"
    assert ax.get_ylabel() == "vDNN / oracle, cDMA / oracle"
    assert ax.get_xlabel() == "PCIe generation (x16)"


def test_legend_never_covers_lines_or_bars(tmp_path):
    # Lines that fill the whole axes: no clear place inside, so the legend goes outside.
    path = make_sweep(str(tmp_path), "memory.pcie.generation", [3, 4, 5, 6, 7], [f"net{i}" for i in range(8)],
                      {"perf_vs_oracle_cdma": lambda x, i: (i + x) % 5 + 0.1 * i})
    fig = figures.sweep_curve(load_results(path), "memory.pcie.generation", "perf_vs_oracle_cdma")
    ax = fig.axes[0]
    legend = ax.get_legend()
    assert legend_outside_axes(ax, legend)
    # Every figure with a legend: the legend's box holds no point, stretch of line or bar.
    sub = tmp_path / "sub"
    sub.mkdir()
    report = load_report(make_report(tmp_path / "r.json"))
    results = load_results(make_results(str(sub)))
    for fig in (figures.layer_speedup(report), figures.energy_breakdown(report), figures.sweep_curve(results),
                figures.sweep_speedup_bars(results), figures.sweep_energy(results)):
        ax = fig.axes[0]
        renderer = fig.canvas.get_renderer()
        fig.draw(renderer)
        legend = ax.get_legend()
        assert legend is not None
        assert legend_outside_axes(ax, legend) or not _legend_overlaps_data(ax, legend, renderer)


def test_place_legend_keeps_best_when_it_is_clear():
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [0, 0.1, 0.2], label="a")
    ax.plot([0, 1, 2], [0.05, 0.15, 0.25], label="b")
    ax.set_ylim(0, 10)  # the lines hug the bottom; the top is empty
    legend = place_legend(ax)
    assert not legend_outside_axes(ax, legend)
    assert not _legend_overlaps_data(ax, legend, fig.canvas.get_renderer())
    plt.close(fig)


def test_log_x_axis_when_values_span_a_decade(tmp_path):
    dens = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0]
    path = make_sweep(str(tmp_path), "workload.sparsity.activation_density", dens, ["alexnet"],
                      {"perf_vs_oracle_cdma": lambda x, i: x})
    ax = figures.sweep_curve(load_results(path), "workload.sparsity.activation_density").axes[0]
    assert ax.get_xscale() == "log"
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["0.05", "0.1", "0.2", "", "0.5", "", "1"]
    sub = tmp_path / "narrow"
    sub.mkdir()
    path = make_sweep(str(sub), "memory.pcie.generation", [3, 4, 5], ["alexnet"],
                      {"perf_vs_oracle_cdma": lambda x, i: x})
    assert figures.sweep_curve(load_results(path), "memory.pcie.generation").axes[0].get_xscale() == "linear"


# ---- issue 14: the ideal bound on N:M sweeps, measured H200 points on the STC figure ----

def make_nm_sweep(dirpath, ideal):
    """results.csv over M (1:2, 1:4, 1:8) x array rows 16/32 with an ideal_speedup_step column: ideal(m, rows)."""
    header = ["point", "run", "status", "workload.sparsity.m", "accelerator.array.rows", "network", "design_variant",
              "baseline_variant", "speedup_FF", "speedup_BP", "speedup_WU", "speedup_step", "energy_gain_step",
              "ideal_speedup_step"]
    rows, p = [], 0
    for m in (2, 4, 8):
        for r in (16, 32):
            rows.append([p, f"id{p}", "ok", m, r, "resnet18", "sparse", "dense", 1.5, 1.4, 1.0, 1.2 + m / 10,
                         1.1, ideal(m, r)])
            p += 1
    return write_results(dirpath, header, rows, [("workload.sparsity.m", ""), ("accelerator.array.rows", "PEs")],
                         fixed=[["workload.sparsity.n", "1"]])


def dashed(ax):
    return [l for l in ax.get_lines() if l.get_linestyle() == "--" and len(l.get_xdata()) > 1]


def test_nm_sweep_draws_the_ideal_bound_dashed_from_the_label_table(tmp_path):
    # The bound counts MACs: equal for every array size, so one black dashed curve.
    ideal = {2: 1.8, 4: 2.4, 8: 2.8}
    path = make_nm_sweep(str(tmp_path), lambda m, r: ideal[m])
    ax = figures.sweep_curve(load_results(path)).axes[0]
    curves = dashed(ax)
    assert len(curves) == 1
    assert list(curves[0].get_xdata()) == [2, 4, 8]
    assert list(curves[0].get_ydata()) == pytest.approx([1.8, 2.4, 2.8])
    assert curves[0].get_label() == column_label("ideal_speedup_step") == "ideal bound (only pruned MACs shrink)"
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["rows=16", "rows=32", "ideal bound (only pruned MACs shrink)"]
    # --no-ideal, another metric, another x: no bound.
    assert dashed(figures.sweep_curve(load_results(path), ideal=False).axes[0]) == []
    assert dashed(figures.sweep_curve(load_results(path), y="energy_gain_step").axes[0]) == []
    assert dashed(figures.sweep_curve(load_results(path), x="accelerator.array.rows").axes[0]) == []


def test_ideal_bound_per_line_when_the_lines_differ_and_none_when_the_model_states_none(tmp_path):
    path = make_nm_sweep(str(tmp_path), lambda m, r: m / 2 + r / 100)
    ax = figures.sweep_curve(load_results(path)).axes[0]
    curves = dashed(ax)
    assert [c.get_label() for c in curves] == ["rows=16, ideal bound (only pruned MACs shrink)",
                                               "rows=32, ideal bound (only pruned MACs shrink)"]
    assert curves[0].get_color() == ax.get_lines()[0].get_color()  # the bound of a line takes its colour
    assert list(curves[1].get_ydata()) == pytest.approx([1.32, 2.32, 4.32])
    sub = tmp_path / "none"
    sub.mkdir()
    path = make_nm_sweep(str(sub), lambda m, r: "")  # STC, cDMA: no bound stated, column empty
    ax = figures.sweep_curve(load_results(path)).axes[0]
    assert dashed(ax) == []


MEASURED_CSV = """# gpu: NVIDIA H200
# method: test fixture
kind,name,dtype,M,N,K,speedup
square,sq512,fp16,512,512,512,0.40
square,sq1024,fp16,1024,1024,1024,0.51
square,sq1024,bf16,1024,1024,1024,0.61
square,sq4096,fp16,4096,4096,4096,1.36
square,sq16384,fp16,16384,16384,16384,1.43
linear,llama_qkv_t1024,fp16,1024,1024,1024,9.99
"""


def make_stc_sweep(dirpath, accelerator="stc", dtype="fp16", phases_speedups=("", "")):
    """An STC GEMM-size sweep's directory: results.csv, plan.json and one point report with the config echo."""
    path = os.path.join(dirpath, "results.csv")
    header = ["point", "run", "status", "label.gemm_size", "workload.network", "network", "design_variant",
              "baseline_variant", "speedup_FF", "speedup_BP", "speedup_WU", "speedup_step", "ideal_speedup_step"]
    rows = []
    for i, n in enumerate((1024, 2048, 4096)):
        rows.append([i, f"r{i}", "ok", n, f"gemm/square-{n}.yaml", f"square-{n}", "sparse", "dense", 0.8 + i / 4,
                     phases_speedups[0], phases_speedups[1], 0.8 + i / 4, ""])
        os.makedirs(os.path.join(dirpath, "points", f"r{i}"))
        with open(os.path.join(dirpath, "points", f"r{i}", "report.json"), "w") as f:
            json.dump({"accelerator": {"name": accelerator, "design_variant": "sparse", "baseline_variant": "dense"},
                       "config": {"accelerator": {"name": accelerator, "kernel": {"dtype": dtype}}},
                       "summary": {}, "jobs": [], "energy": {}}, f)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    with open(os.path.join(dirpath, "plan.json"), "w") as f:
        json.dump({"axes": [{"key": "label.gemm_size", "unit": "", "axis": 0},
                            {"key": "workload.network", "unit": "", "axis": 0}], "set": []}, f)
    return path


def measured_markers(ax):
    return [l for l in ax.get_lines() if l.get_linestyle() in ("None", "none", "") and l.get_marker() == "D"]


def test_stc_gemm_figure_overlays_measured_h200_points(tmp_path):
    measured = tmp_path / "m.csv"
    measured.write_text(MEASURED_CSV)
    sub = tmp_path / "fp16"
    sub.mkdir()
    ax = figures.sweep_curve(load_results(make_stc_sweep(str(sub))), measured=str(measured)).axes[0]
    marks = measured_markers(ax)
    assert len(marks) == 1
    # fp16 squares inside the swept range 1024..4096 only (not 512, 16384, bf16 or a linear of equal M).
    assert list(marks[0].get_xdata()) == [1024, 4096]
    assert list(marks[0].get_ydata()) == pytest.approx([0.51, 1.36])
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["sparsim model", "H200 measured (cuSPARSELt, fp16)"]
    # The swept sizes still decide the axis: ticks at exactly those.
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1024", "2048", "4096"]
    assert dashed(ax) == []  # STC states no ideal bound
    # The config's dtype picks the measured dtype.
    sub = tmp_path / "bf16"
    sub.mkdir()
    ax = figures.sweep_curve(load_results(make_stc_sweep(str(sub), dtype="bf16")), measured=str(measured)).axes[0]
    assert list(measured_markers(ax)[0].get_ydata()) == pytest.approx([0.61])
    assert "bf16" in ax.get_legend().get_texts()[-1].get_text()


def test_measured_points_only_where_they_fit(tmp_path):
    measured = tmp_path / "m.csv"
    measured.write_text(MEASURED_CSV)
    cases = {"sat": dict(accelerator="sat"),                    # another accelerator
             "train": dict(phases_speedups=("1.1", "1.0"))}     # a training step, not one GEMM
    for name, kw in cases.items():
        sub = tmp_path / name
        sub.mkdir()
        ax = figures.sweep_curve(load_results(make_stc_sweep(str(sub), **kw)), measured=str(measured)).axes[0]
        assert measured_markers(ax) == [], name
        assert ax.get_legend() is None, name
    sub = tmp_path / "off"
    sub.mkdir()
    results = load_results(make_stc_sweep(str(sub)))
    assert measured_markers(figures.sweep_curve(results, measured=None).axes[0]) == []
    # The training sweep's forward speedup is one GEMM again: overlaid.
    assert len(measured_markers(figures.sweep_curve(load_results(os.path.join(str(tmp_path), "train", "results.csv")),
                                                    y="speedup_FF", measured=str(measured)).axes[0])) == 1


def test_default_measured_table_is_the_h200_run(tmp_path):
    """The default overlay reads bench/gpu/h200_gemm_measured.csv: the fp16 squares of the real H200."""
    assert os.path.exists(figures.DEFAULT_MEASURED)
    rows = {(r["name"], r["dtype"]): float(r["speedup"]) for r in load_measured(figures.DEFAULT_MEASURED)}
    ax = figures.sweep_curve(load_results(make_stc_sweep(str(tmp_path)))).axes[0]
    marks = measured_markers(ax)
    assert list(marks[0].get_xdata()) == [1024, 2048, 4096]
    assert list(marks[0].get_ydata()) == pytest.approx([rows[("sq1024", "fp16")], rows[("sq2048", "fp16")],
                                                        rows[("sq4096", "fp16")]])


def test_cli_measured_option(tmp_path):
    path = make_stc_sweep(str(tmp_path))
    plot = [sys.executable, os.path.join(PLOTS, "plot.py"), path]
    run = subprocess.run(plot + ["--measured", "none", "-o", str(tmp_path / "a.png")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    bad = subprocess.run(plot + ["--measured", str(tmp_path / "nope.csv")], capture_output=True, text=True)
    assert bad.returncode == 2 and "nope.csv" in bad.stderr and bad.stderr.count("\n") == 1
    helptext = subprocess.run(plot + ["--help"], capture_output=True, text=True).stdout
    assert "--measured" in helptext and "--no-ideal" in helptext


def test_training_steps_figure_of_a_trace_run(tmp_path):
    """A trace run's report (`steps`) plots step time per variant and the densities against the step; a
    one-step report asked for it is a one-line error."""
    path = make_report(tmp_path / "trace.json")
    with open(path) as f:
        report = json.load(f)
    report["workload"].update({"model": "cnn", "method": "dsd"})
    report["steps"] = [{"step": s, "variants": {"sparse": {"cycles": 100 + s}, "dense": {"cycles": 300}},
                        "layers": [{"layer": "conv1", "weight_density": 1.0, "activation_density": 0.5,
                                    "mask_change": 0.0, "weights": "dense"},
                                   {"layer": "conv2", "weight_density": 0.25, "activation_density": 0.4 - s / 1000,
                                    "mask_change": 0.1 if s == 10 else 0.0, "weights": "trace mask m"}]}
                       for s in (0, 10, 20)]
    with open(path, "w") as f:
        json.dump(report, f)
    fig = figures.training_steps(load_report(str(path)))
    top, bottom = fig.axes[:2]
    assert len(top.get_lines()) == 2  # one line per variant
    assert list(top.get_lines()[0].get_xdata()) == [0, 10, 20]
    assert bottom.get_xlabel() == "training step"
    act = bottom.get_lines()[0].get_ydata()
    assert act[0] == pytest.approx(0.45)  # mean of 0.5 and 0.4
    check_saved(fig, str(tmp_path / "steps.png"))
    # The default kinds of a trace report are just this one.
    run = subprocess.run([sys.executable, os.path.join(PLOTS, "plot.py"), str(path), "-o", str(tmp_path / "g.png")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert os.path.exists(tmp_path / "g.png")
    plain = make_report(tmp_path / "plain.json")
    bad = subprocess.run([sys.executable, os.path.join(PLOTS, "plot.py"), str(plain), "--kind", "steps"],
                         capture_output=True, text=True)
    assert bad.returncode == 2
    assert "steps: missing" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
