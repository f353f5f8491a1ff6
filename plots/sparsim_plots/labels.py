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
    name = KEY_NAMES.get(key, short_key(key).replace("_", " "))  # the raw key only as a fallback
    return f"{name} ({unit})" if unit else name


def short_key(key):
    return key.rsplit(".", 1)[-1]


def metric_label(metric, baseline="baseline"):
    """(label, multiplier applied to the values)."""
    if metric.startswith("speedup_vs_"):
        return f"speedup over {variant_label(metric[len('speedup_vs_'):])} (×)", 1.0
    if metric.startswith("energy_gain_vs_"):
        return f"energy-efficiency gain over {variant_label(metric[len('energy_gain_vs_'):])} (×)", 1.0
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
    return column_label(metric), 1.0


# ---- the label table: human names for columns, networks, variants; raw names are only the fallback ----

COLUMN_NAMES = {
    "perf_vs_oracle_cdma": "cDMA / oracle",
    "perf_vs_oracle_vdnn": "vDNN / oracle",
    "speedup_FF": "forward speedup",
    "speedup_BP": "backward-data speedup",
    "speedup_WU": "weight-update speedup",
    "speedup_step": "step speedup",
    "energy_gain_FF": "forward energy gain",
    "energy_gain_BP": "backward-data energy gain",
    "energy_gain_WU": "weight-update energy gain",
    "energy_gain_step": "step energy gain",
    "cycles": "cycles",
    "time_s": "time per step",
    "utilization": "MAC utilization",
    "energy_pj": "energy per step",
    # The model's work bound: the speedup if only the pruned MACs shrank by M/N (layers kept dense, WU in full).
    "ideal_speedup_step": "ideal bound (only pruned MACs shrink)",
}

# Measured points overlaid on model figures (bench/gpu/): legend names.
MEASURED_NAMES = {
    "h200_gemm": "H200 measured (cuSPARSELt, {dtype})",
}

NETWORK_NAMES = {
    "alexnet": "AlexNet",
    "squeezenet": "SqueezeNet",
    "resnet18": "ResNet-18",
    "resnet34": "ResNet-34",
    "resnet50": "ResNet-50",
    "vgg16": "VGG-16",
    "vgg19": "VGG-19",
    "mobilenetv2": "MobileNetV2",
    "googlenet": "GoogLeNet",
    "bert": "BERT",
    "gpt2": "GPT-2",
}

VARIANT_NAMES = {
    "cdma": "cDMA",
    "vdnn": "vDNN",
    "scnn": "SCNN",
    "dcnn": "DCNN",
    "stc": "STC",
    "sat": "SAT",
}


def network_label(name):
    """AlexNet for alexnet; a GEMM or an unknown network keeps its name."""
    return NETWORK_NAMES.get(str(name).lower(), str(name))


def variant_label(name):
    return VARIANT_NAMES.get(str(name).lower(), str(name))


def column_label(col):
    """Short legend name of a results.csv column (perf_vs_oracle_cdma -> 'cDMA / oracle')."""
    if col in COLUMN_NAMES:
        return COLUMN_NAMES[col]
    if col.startswith("perf_vs_oracle_"):
        return f"{variant_label(col[len('perf_vs_oracle_'):])} / oracle"
    if col.startswith("speedup_vs_"):
        return f"speedup over {variant_label(col[len('speedup_vs_'):])}"
    if col.startswith("energy_gain_vs_"):
        return f"energy gain over {variant_label(col[len('energy_gain_vs_'):])}"
    return col


def value_label(key, value):
    """Legend entry for one value of a swept key: network=alexnet -> 'AlexNet', rows=16 -> 'rows=16'."""
    if key in ("network", "workload.network"):
        return network_label(value)
    return f"{short_key(key)}={value}"
