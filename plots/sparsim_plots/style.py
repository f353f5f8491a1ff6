"""One look for every figure: sizes, fonts, colours (a phase or a component keeps its colour everywhere)."""
import os

import matplotlib

matplotlib.use("Agg")  # files only; no display is needed or wanted
import matplotlib.pyplot as plt  # noqa: E402

PHASE_COLOURS = {"FF": "#1f77b4", "BP": "#ff7f0e", "WU": "#2ca02c", "step": "#555555"}
# Okabe-Ito plus greys: distinguishable in print and for colour-blind readers.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
           "#999999", "#8C564B", "#17BECF", "#BCBD22"]

plt.rcParams.update({
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.alpha": 0.3,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "pdf.fonttype": 42,  # TrueType in PDFs, as publishers ask
})


def colours_for(names):
    """Stable colours: sorted names take palette entries in order, so the same set always matches."""
    ordered = sorted(set(names))
    return {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(ordered)}


def energy_scale(max_pj):
    """A unit that keeps tick labels short: (divisor, unit name)."""
    for div, name in ((1e12, "J"), (1e9, "mJ"), (1e6, "µJ"), (1e3, "nJ")):
        if max_pj >= div:
            return div, name
    return 1.0, "pJ"


def save(fig, out):
    """Writes OUT; without an extension, OUT.png and OUT.pdf. Returns the paths written."""
    base, ext = os.path.splitext(out)
    paths = [out] if ext.lower() in (".png", ".pdf", ".svg") else [base + ".png", base + ".pdf"]
    if ext and ext.lower() not in (".png", ".pdf", ".svg"):
        paths = [out + ".png", out + ".pdf"]
    for p in paths:
        d = os.path.dirname(os.path.abspath(p))
        os.makedirs(d, exist_ok=True)
        tmp = os.path.join(d, "." + os.path.basename(p) + ".tmp" + os.path.splitext(p)[1])
        fig.savefig(tmp, bbox_inches="tight", metadata={"CreationDate": None} if p.endswith(".pdf") else None)
        os.replace(tmp, p)  # never a half-written figure
    plt.close(fig)
    return paths
