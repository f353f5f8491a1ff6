"""One look for every figure: sizes, fonts, colours (a phase or a component keeps its colour everywhere)."""
import os

import matplotlib

matplotlib.use("Agg")  # files only; no display is needed or wanted
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

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


def _legend_overlaps_data(ax, legend, renderer, pad=6.0):
    """True when the legend's box (display pixels, grown by `pad`) covers a plotted point, a stretch of a
    line, or a bar of `ax`."""
    box = legend.get_window_extent(renderer).padded(pad)
    for line in ax.get_lines():
        xy = line.get_transform().transform(line.get_path().vertices)
        xy = xy[np.all(np.isfinite(xy), axis=1)]
        if len(xy) == 1 and box.contains(*xy[0]):
            return True
        for (x0, y0), (x1, y1) in zip(xy[:-1], xy[1:]):  # sample each segment, about every 2 pixels
            n = int(max(abs(x1 - x0), abs(y1 - y0)) / 2) + 2
            for t in np.linspace(0.0, 1.0, n):
                if box.contains(x0 + t * (x1 - x0), y0 + t * (y1 - y0)):
                    return True
    for patch in ax.patches:
        ext = patch.get_window_extent(renderer)
        if ext.width > 0 and ext.height > 0 and box.overlaps(ext):
            return True
    return False


def place_legend(ax, **kwargs):
    """A legend that sits over no data: matplotlib's 'best' place inside the axes when that place is clear
    of every line and bar, else outside the axes on the right. Returns the Legend."""
    kwargs.pop("loc", None)
    kwargs.pop("bbox_to_anchor", None)
    legend = ax.legend(loc="best", **kwargs)
    renderer = ax.figure.canvas.get_renderer()
    ax.figure.draw(renderer)  # 'best' is resolved at draw time
    if _legend_overlaps_data(ax, legend, renderer):
        legend.remove()
        legend = ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, **kwargs)
    return legend


def legend_outside_axes(ax, legend):
    """True when the legend lies wholly outside the axes' box (used by the tests)."""
    renderer = ax.figure.canvas.get_renderer()
    ax.figure.draw(renderer)
    box, area = legend.get_window_extent(renderer), ax.get_window_extent(renderer)
    return not box.overlaps(area)
