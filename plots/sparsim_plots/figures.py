"""The figures. Each function returns a matplotlib Figure; plot.py saves it (PNG and/or PDF)."""
import math
import os
from collections import OrderedDict

import matplotlib.pyplot as plt
import numpy as np

from .data import InputError, load_measured
from .labels import (MEASURED_NAMES, PHASE_NAMES, column_label, key_label, metric_label, network_label, short_key,
                     value_label, variant_label)
from .style import PALETTE, PHASE_COLOURS, colours_for, energy_scale, place_legend

PHASES = ("FF", "BP", "WU")

# Measured H200 GEMM speedups (bench/gpu/measure_stc.py), next to the plots folder in the source tree and in an
# install prefix (share/sparsim/bench/gpu).
DEFAULT_MEASURED = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench",
                                                 "gpu", "h200_gemm_measured.csv"))
# A swept x that a measured table also varies: (the table's `kind` of row, its column holding x).
MEASURED_X = {"label.gemm_size": ("square", "M")}
NM_KEYS = ("workload.sparsity.m", "workload.sparsity.n")


def _variants(report):
    acc = report["accelerator"]
    return acc["design_variant"], acc["baseline_variant"]


def _layers(report):
    """Layer names in network order."""
    seen = OrderedDict()
    for j in sorted(report["jobs"], key=lambda j: j["layer_index"]):
        seen.setdefault(j["layer"], None)
    return list(seen)


def _title(report, what):
    w = report.get("workload", {})
    return (f"{what}: {variant_label(report['accelerator']['name'])} on {network_label(w.get('network', '?'))}"
            f" (batch {w.get('batch', '?')})")


def _wide(n_groups, base=6.4, per=0.28, cap=16.0):
    return min(cap, max(base, 1.5 + per * n_groups))


def layer_speedup(report):
    """Grouped bars: per layer, the speedup of the design over the baseline variant in each phase."""
    design, baseline = _variants(report)
    cycles = {}
    for j in report["jobs"]:
        cycles[(j["layer"], j["phase"], j["variant"])] = j["cycles"]
    layers = _layers(report)
    phases = [p for p in PHASES if any((l, p, design) in cycles for l in layers)]
    if not phases:
        raise InputError("report has no job of the design variant")
    fig, ax = plt.subplots(figsize=(_wide(len(layers) * len(phases) / 2), 3.6))
    x = np.arange(len(layers))
    width = 0.8 / len(phases)
    for i, p in enumerate(phases):
        vals = []
        for l in layers:
            d, b = cycles.get((l, p, design)), cycles.get((l, p, baseline))
            vals.append(b / d if d and b else np.nan)
        ax.bar(x + (i - (len(phases) - 1) / 2) * width, vals, width, label=PHASE_NAMES[p], color=PHASE_COLOURS[p])
    ax.axhline(1.0, color="black", linewidth=0.8)
    step = report["summary"].get("speedup", {}).get("step")
    if step:
        ax.axhline(step, color=PHASE_COLOURS["step"], linestyle="--", linewidth=1,
                   label=f"whole step: {step:.2f}×")
    ax.set_xticks(x, layers, rotation=60 if len(layers) > 6 else 0, ha="right" if len(layers) > 6 else "center")
    ax.set_xlabel("layer")
    ax.set_ylabel(f"speedup of {variant_label(design)} over {variant_label(baseline)} (×)")
    ax.set_title(_title(report, "Speedup per layer"))
    place_legend(ax, ncol=2)
    return fig


def energy_breakdown(report):
    """Stacked bars: energy per component for design and baseline, per phase and for the whole step."""
    design, baseline = _variants(report)
    energy = {}  # (phase, variant) -> component -> pJ
    for j in report["jobs"]:
        slot = energy.setdefault((j["phase"], j["variant"]), {})
        for comp, pj in j.get("energy_pj_by_component", {}).items():
            slot[comp] = slot.get(comp, 0.0) + pj
    phases = [p for p in PHASES if (p, design) in energy]
    bars = []
    for p in phases + ["step"]:
        for v in (design, baseline):
            if p == "step":
                total = {}
                for q in phases:
                    for c, pj in energy.get((q, v), {}).items():
                        total[c] = total.get(c, 0.0) + pj
                bars.append((p, v, total))
            elif (p, v) in energy:
                bars.append((p, v, energy[(p, v)]))
    return _stacked(bars, _title(report, "Energy per component"), "phase")


def _stacked(bars, title, xlabel):
    components = sorted({c for _, _, e in bars for c in e})
    if not components:
        raise InputError("no energy by component in the input")
    colours = colours_for(components)
    div, unit = energy_scale(max(sum(e.values()) for _, _, e in bars) or 1.0)
    fig, ax = plt.subplots(figsize=(_wide(len(bars), per=0.75), 3.8))  # room for "ResNet-18" under each bar
    x = np.arange(len(bars))
    bottom = np.zeros(len(bars))
    for c in components:
        vals = np.array([e.get(c, 0.0) / div for _, _, e in bars])
        ax.bar(x, vals, 0.7, bottom=bottom, label=c, color=colours[c])
        bottom += vals
    ax.set_xticks(x, [f"{g}\n{variant_label(v)}" for g, v, _ in bars], fontsize=7)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(f"energy ({unit})")
    ax.set_title(title)
    place_legend(ax)
    return fig


def utilization_heatmap(report, variant=None):
    """Layer x phase MAC utilization of one variant (the design by default)."""
    design, _ = _variants(report)
    variant = variant or design
    util = {(j["layer"], j["phase"]): j["utilization"] for j in report["jobs"] if j["variant"] == variant}
    if not util:
        raise InputError(f"report has no job of variant {variant}")
    layers = _layers(report)
    phases = [p for p in PHASES if any((l, p) in util for l in layers)]
    grid = np.array([[util.get((l, p), np.nan) * 100 for p in phases] for l in layers])
    fig, ax = plt.subplots(figsize=(3.2 + 0.6 * len(phases), min(14.0, 1.4 + 0.22 * len(layers))))
    im = ax.imshow(grid, aspect="auto", cmap="viridis", vmin=0, vmax=100, interpolation="nearest")
    ax.grid(False)
    ax.set_xticks(np.arange(len(phases)), phases)
    ax.set_yticks(np.arange(len(layers)), layers, fontsize=7 if len(layers) > 20 else 8)
    ax.set_xlabel("training phase")
    ax.set_ylabel("layer")
    if len(layers) <= 30:
        for i in range(len(layers)):
            for k in range(len(phases)):
                if not np.isnan(grid[i, k]):
                    ax.text(k, i, f"{grid[i, k]:.0f}", ha="center", va="center", fontsize=6,
                            color="white" if grid[i, k] < 60 else "black")
    fig.colorbar(im, ax=ax, label="MAC utilization (%)")
    ax.set_title(_title(report, f"Utilization of {variant_label(variant)}"), fontsize=9)
    return fig


# ---- sweeps (results.csv) ----

def _is_numeric(values):
    """Every value a finite number (NaN or an infinity makes the axis categorical)."""
    try:
        return all(math.isfinite(float(v)) for v in values)
    except (ValueError, TypeError):
        return False


def _baseline_name(results):
    names = {r["baseline_variant"] for r in results.rows if r.get("baseline_variant")}
    return variant_label(names.pop()) if len(names) == 1 else "baseline"


def _nm_ticks(results, x, xs):
    """Tick labels "N:M" when the x axis is M of the N:M pattern and N is one value."""
    if x != "workload.sparsity.m":
        return None
    ns = {r["workload.sparsity.n"] for r in results.rows} if "workload.sparsity.n" in results.columns else set()
    n = ns.pop() if len(ns) == 1 else results.fixed.get("workload.sparsity.n")
    return [f"{n}:{int(float(v))}" for v in xs] if n is not None else None


def sweep_curve(results, x=None, y="speedup_step", series=None, ideal=True, measured="auto"):
    """y against one swept key, one line per value of the other axes (or of `series`). y may name several
    columns separated by commas (for example energy_pj,baseline_energy_pj): one line per column then.

    ideal: on an N:M sweep's step speedup, draw the model's ideal bound (results column ideal_speedup_step)
    dashed. measured: a bench/gpu GEMM table whose speedups are overlaid as markers on an STC speedup
    figure whose x the table also varies (GEMM size); "auto" is DEFAULT_MEASURED when it exists, None or ""
    draws none."""
    keys = [k for k, _ in results.axes]
    if not keys:
        raise InputError(f"{results.path}: the sweep has no axis to plot against")
    x = x or keys[0]
    ys = [c for c in y.split(",") if c]
    for col in [x] + ys + ([series] if series else []):
        if col not in results.columns:
            raise InputError(f"{results.path}:1: {col}: no such column (have: {', '.join(results.columns)})")
    # Keys zipped with x move with it; only the other axes split the points into lines.
    x_axis = results.axis_of.get(x)
    others = [series] if series else [k for k in keys if k != x and results.axis_of.get(k) != x_axis]
    groups = OrderedDict()
    for r in results.rows:
        label = ", ".join(value_label(k, r[k]) for k in others)
        groups.setdefault(label, []).append(r)
    xs_all = [r[x] for r in results.rows]
    numeric_x = _is_numeric(xs_all)
    categories = list(OrderedDict.fromkeys(xs_all))
    baseline = _baseline_name(results)
    ylabel, mult = metric_label(ys[0], baseline)
    if ys[0] == "speedup_step" and not any(r.get("speedup_BP") or r.get("speedup_WU") for r in results.rows):
        ylabel = f"speedup over {baseline} (×)"  # a forward-only sweep: the "step" is the forward pass
    if len(ys) > 1:
        ylabel = ylabel.replace(f" of {baseline}", "")
        if ylabel == column_label(ys[0]):  # sweep-specific metric columns: name them all
            ylabel = ", ".join(column_label(c) for c in ys)
    if ylabel.endswith("(µJ)"):  # energies: a unit that keeps tick labels short
        top = max((float(r[c]) for r in results.rows for c in ys if r[c] != ""), default=1.0)
        div, unit = energy_scale(top)
        ylabel, mult = ylabel.replace("(µJ)", f"({unit})"), 1.0 / div
    lines = [(g, c) for g in groups for c in ys]
    def points(rows, col):
        pts = [(float(r[x]) if numeric_x else categories.index(r[x]), float(r[col]) * mult)
               for r in rows if r.get(col, "") != ""]
        return sorted(pts)

    ideal_lines = _ideal_lines(results, x, ys, groups, points) if ideal else []
    measured_pts = _measured_points(results, x, ys, measured) if numeric_x else None
    extras = bool(ideal_lines or measured_pts)
    fig, ax = plt.subplots()
    for i, (label, col) in enumerate(lines):
        pts = points(groups[label], col)
        name = ", ".join(p for p in (label, _column_name(col, results) if len(ys) > 1 else "") if p)
        if not name and extras:
            name = "sparsim model"
        # Lines take palette colours in their order (a sweep's axis order), so 8 comes before 16.
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", markersize=4, label=name or None,
                color=PALETTE[i % len(PALETTE)], linestyle="--" if col.startswith("baseline_") else "-")
    for name, colour, pts in ideal_lines:
        ax.plot([p[0] for p in pts], [p[1] for p in pts], linestyle="--", linewidth=1.2, color=colour, label=name)
    if measured_pts:
        name, pts = measured_pts
        ax.plot([p[0] for p in pts], [p[1] for p in pts], linestyle="none", marker="D", markersize=6,
                markerfacecolor="none", markeredgecolor="black", markeredgewidth=1.2, label=name)
    if numeric_x:
        xs = sorted({float(v) for v in xs_all})
        ticks = _nm_ticks(results, x, xs)
        if ticks:
            ax.set_xticks(xs, ticks)
        elif len(xs) > 2 and all(v > 0 for v in xs) and xs[-1] / xs[0] >= 10:  # a decade or more: log axis
            _log_x(ax, xs)
        elif len(xs) <= 12:  # few swept values: tick exactly those (PCIe 3, 4, 5 rather than 3.25)
            ax.set_xticks(xs, [f"{v:g}" for v in xs])
    else:
        ax.set_xticks(range(len(categories)), categories)
    if any(c.startswith("speedup") or c.startswith("energy_gain") for c in ys):
        ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xlabel("N:M weight pattern" if _nm_ticks(results, x, [1]) else key_label(x, results.unit(x)))
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    networks = {r["network"] for r in results.rows if r.get("network")}
    variants = {(r["design_variant"], r["baseline_variant"]) for r in results.rows}
    if len(variants) == 1:
        d, b = variants.pop()
        ax.set_title(f"{variant_label(d)} vs {variant_label(b)}"
                     + (f" on {network_label(networks.pop())}" if len(networks) == 1 else ""))
    if len(lines) > 1 or extras:
        place_legend(ax, title=", ".join(key_label(k) for k in others) or None)
    return fig


def _ideal_lines(results, x, ys, groups, points):
    """[(legend name, colour, points)] of the ideal-bound curves of an N:M sweep's step speedup: one black
    dashed curve when every line has the same bound (the bound counts MACs, which an array size does not
    change), else one per line in the line's colour."""
    col = "ideal_speedup_step"
    if ys != ["speedup_step"] or x not in NM_KEYS or col not in results.columns:
        return []
    per_group = [(label, points(rows, col)) for label, rows in groups.items()]
    per_group = [(label, pts) for label, pts in per_group if pts]
    if not per_group:
        return []
    first = per_group[0][1]
    if all(len(pts) == len(first) and np.allclose(pts, first, rtol=1e-6, atol=0) for _, pts in per_group):
        return [(column_label(col), "black", first)]
    labels = list(groups)
    return [(f"{label}, {column_label(col)}" if label else column_label(col),
             PALETTE[labels.index(label) % len(PALETTE)], pts) for label, pts in per_group]


def _measured_points(results, x, ys, path):
    """(legend name, [(x, speedup)]) of the measured H200 GEMM speedups that match an STC sweep's x (same
    GEMM shape, the config's dtype, inside the swept range), or None when the figure is not one they fit:
    another accelerator, another x, or a y other than the forward (GEMM) speedup."""
    if not path or x not in MEASURED_X:
        return None
    if path == "auto":
        path = DEFAULT_MEASURED
        if not os.path.exists(path):
            return None
    forward_only = not any(r.get("speedup_BP") or r.get("speedup_WU") for r in results.rows)
    if ys != ["speedup_FF"] and not (ys == ["speedup_step"] and forward_only):
        return None
    if results.accelerator() != "stc":
        return None
    dtype = str(results.config_value("accelerator.kernel.dtype") or "fp16")
    kind, col = MEASURED_X[x]
    xs = [float(r[x]) for r in results.rows]
    lo, hi = min(xs), max(xs)
    pts = []
    for m in load_measured(path):
        try:
            mx, sp = float(m[col]), float(m["speedup"])
        except ValueError:
            continue
        if m["kind"] == kind and m["dtype"] == dtype and lo <= mx <= hi:
            pts.append((mx, sp))
    if not pts:
        return None
    return MEASURED_NAMES["h200_gemm"].format(dtype=dtype), sorted(pts)


def _is_power_of_two(v):
    return v >= 1 and float(v).is_integer() and (int(v) & (int(v) - 1)) == 0


def _is_round(v):
    """1, 2 or 5 times a power of ten (the values a log axis labels)."""
    m = v / 10 ** np.floor(np.log10(v) + 1e-9)
    return any(abs(m - k) < 1e-6 for k in (1, 2, 5))


def _log_x(ax, xs):
    """Log x axis ticked at the swept values: base 2 when they are powers of two (array sizes, GEMM sizes),
    else base 10 with labels on the round values (0.05, 0.1, 0.2, 0.5, 1) and the ends, so that labels at
    the crowded end of a decade do not overlap."""
    from matplotlib.ticker import NullLocator
    if all(_is_power_of_two(v) for v in xs):
        ax.set_xscale("log", base=2)
        ax.set_xticks(xs, [f"{v:g}" for v in xs])
    else:
        ax.set_xscale("log")
        shown = [v for i, v in enumerate(xs) if _is_round(v) or i in (0, len(xs) - 1)]
        if len(shown) < 3:
            shown = xs
        ax.set_xticks(xs, [f"{v:g}" if v in shown else "" for v in xs])
    ax.xaxis.set_minor_locator(NullLocator())


def _column_name(col, results):
    """Legend name of a y column: the variant it belongs to."""
    rows = results.rows
    if col.startswith("baseline_"):
        return variant_label(rows[0].get("baseline_variant", "baseline"))
    if col in ("cycles", "time_s", "utilization", "energy_pj"):
        return variant_label(rows[0].get("design_variant", "design"))
    return column_label(col)


def _point_label(results, r):
    keys = [k for k, _ in results.axes]
    if "workload.network" in keys or not keys:
        lead = network_label(r.get("network", ""))
        rest = [k for k in keys if k != "workload.network"]
    else:
        lead, rest = "", keys
    parts = ([lead] if lead else []) + [f"{short_key(k)}={r[k]}" for k in rest]
    return "\n".join(parts) or r["point"]


def sweep_speedup_bars(results):
    """Grouped bars: per point (per network when the sweep runs several), speedup in each phase."""
    phases = [p for p in PHASES + ("step",) if any(r.get(f"speedup_{p}") for r in results.rows)]
    labels = [_point_label(results, r) for r in results.rows]
    fig, ax = plt.subplots(figsize=(_wide(len(labels) * len(phases) / 2), 3.6))
    x = np.arange(len(labels))
    width = 0.8 / len(phases)
    for i, p in enumerate(phases):
        vals = [float(r[f"speedup_{p}"]) if r.get(f"speedup_{p}") else np.nan for r in results.rows]
        ax.bar(x + (i - (len(phases) - 1) / 2) * width, vals, width, label=PHASE_NAMES[p], color=PHASE_COLOURS[p])
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xticks(x, labels, fontsize=7)
    ax.set_xlabel("network" if "workload.network" in dict(results.axes) else "design point")
    ax.set_ylabel(f"speedup over {_baseline_name(results)} (×)")
    place_legend(ax, ncol=2)
    return fig


def sweep_energy(results):
    """Stacked bars: energy per component of each point's design (and its in-run baseline)."""
    design_cols = [c for c in results.columns if c.startswith("energy_pj.")]
    base_cols = [c for c in results.columns if c.startswith("baseline_energy_pj.")]
    if not design_cols:
        raise InputError(f"{results.path}: no energy_pj.<component> columns")
    bars = []
    for r in results.rows:
        label = _point_label(results, r)
        bars.append((label, variant_label(r["design_variant"]), {c[10:]: float(r[c]) for c in design_cols if r[c]}))
        if base_cols:
            bars.append((label, variant_label(r["baseline_variant"]), {c[19:]: float(r[c]) for c in base_cols if r[c]}))
    return _stacked(bars, f"Energy per component ({len(results.rows)} points)", "design point")


def training_steps(report):
    """A simulated training trace (`sparsim run --workload TRACE_DIR`): per simulated record, the step time of
    each variant (top) and the densities it ran on (bottom: mean input-activation density over the layers,
    mean weight density and mask change over the layers with a mask), against the training step."""
    steps = report.get("steps")
    if not isinstance(steps, list) or not steps:
        raise InputError("report.json: steps: missing; --kind steps needs a report of a training trace run "
                         "(sparsim run --workload TRACE_DIR)")
    design, baseline = _variants(report)
    clock = report["accelerator"].get("clock_ghz", 1.0) or 1.0
    x = [s["step"] for s in steps]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7.2, 6.4), sharex=True)
    names = [design, baseline] + sorted({v for s in steps for v in s["variants"]} - {design, baseline})
    colours = colours_for(names)
    for name in names:
        colour = colours[name]
        ys = [s["variants"][name]["cycles"] / (clock * 1e6) if name in s["variants"] else np.nan for s in steps]
        top.plot(x, ys, marker="o", ms=3, color=colour, label=variant_label(name))
    top.set_ylabel("simulated step time (ms)")
    top.set_ylim(bottom=0)
    w = report.get("workload", {})
    top.set_title(f"{variant_label(report['accelerator']['name'])} over a training run: "
                  f"{w.get('model', '?')} / {w.get('method', '?')}, batch {w.get('batch', '?')}")
    place_legend(top, fontsize=8)

    def mean(values):
        return sum(values) / len(values) if values else np.nan

    act = [mean([l["activation_density"] for l in s["layers"]]) for s in steps]
    masked = [[l for l in s["layers"] if l.get("weights") != "dense"] for s in steps]
    wd = [mean([l["weight_density"] for l in m]) if m else 1.0 for m in masked]
    change = [mean([l["mask_change"] for l in m]) if m else 0.0 for m in masked]
    bottom.plot(x, act, marker="o", ms=3, label="input-activation density (mean over layers)")
    bottom.plot(x, wd, marker="s", ms=3, label="weight density (mean over masked layers)")
    bottom.plot(x, change, marker="^", ms=3, label="mask change since the last record")
    bottom.set_ylim(0, 1.05)
    bottom.set_xlabel("training step")
    bottom.set_ylabel("fraction")
    place_legend(bottom, fontsize=8)
    fig.tight_layout()
    return fig
