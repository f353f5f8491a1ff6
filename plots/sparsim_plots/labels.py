"""Axis labels with units for swept keys and result metrics."""

KEY_NAMES = {
    "workload.sparsity.m": "M of the N:M weight pattern",
    "workload.sparsity.n": "N of the N:M weight pattern",
    "workload.sparsity.activation_density": "activation density",
    "workload.sparsity.gradient_density": "gradient density",
    "workload.batch": "batch size",
    "workload.network": "network",
    "accelerator.array.rows": "array rows",
    "accelerator.array.cols": "array columns",
    "memory.pcie.generation": "PCIe generation (x16)",
    "label.gemm_size": "GEMM size M = N = K",
}

PHASE_NAMES = {"FF": "forward (FF)", "BP": "backward data (BP)", "WU": "weight update (WU)", "step": "training step"}


def key_label(key, unit=""):
    if key.startswith("label."):  # a sweep's own column: its name is the label
        key_name = key[len("label."):].replace("_", " ")
        return KEY_NAMES.get(key, key_name)
    name = KEY_NAMES.get(key, key)
    return f"{name} ({unit})" if unit else name


def short_key(key):
    return key.rsplit(".", 1)[-1]


def metric_label(metric, baseline="baseline"):
    """(label, multiplier applied to the values)."""
    if metric.startswith("speedup_vs_"):
        return f"speedup over {metric[len('speedup_vs_'):]} (×)", 1.0
    if metric.startswith("energy_gain_vs_"):
        return f"energy-efficiency gain over {metric[len('energy_gain_vs_'):]} (×)", 1.0
    if metric.startswith("speedup_"):
        return f"{PHASE_NAMES.get(metric[8:], metric[8:])} speedup over {baseline} (×)", 1.0
    if metric.startswith("energy_gain_"):
        return f"{PHASE_NAMES.get(metric[12:], metric[12:])} energy gain over {baseline} (×)", 1.0
    base = metric[len("baseline_"):] if metric.startswith("baseline_") else metric
    who = f" of {baseline}" if metric.startswith("baseline_") else ""
    if base == "utilization":
        return f"MAC utilization{who} (%)", 100.0
    if base == "time_s":
        return f"time per step{who} (ms)", 1e3
    if base == "cycles":
        return f"cycles per step{who}", 1.0
    if base == "energy_pj" or base.endswith("_energy_pj"):
        return f"energy per step{who} (µJ)", 1e-6
    return metric, 1.0
