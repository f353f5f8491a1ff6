#!/usr/bin/python3
"""sparsim plot RESULTS.csv|REPORT.json [--kind KIND] [-o FILE]: figures from sparsim results.

Run through `sparsim plot`, which starts Debian's /usr/bin/python3 (it has matplotlib and numpy).
Exit status: 0 written, 2 bad input (one line naming the file and what is wrong).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sparsim_plots import figures  # noqa: E402
from sparsim_plots.data import InputError, load_report, load_results  # noqa: E402
from sparsim_plots.style import save  # noqa: E402

REPORT_KINDS = {"speedup": figures.layer_speedup, "energy": figures.energy_breakdown,
                "heatmap": figures.utilization_heatmap, "steps": figures.training_steps}
RESULTS_KINDS = {"curve": None, "speedup": figures.sweep_speedup_bars, "energy": figures.sweep_energy}


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise InputError(f"command line: {message}")


def parse(argv):
    p = Parser(prog="sparsim plot", description=__doc__.splitlines()[0])
    p.add_argument("input", help="a sweep's results.csv or a run's report.json")
    p.add_argument("--kind", help="report.json: speedup, energy, heatmap, steps (a training trace run), all "
                                  "(default all); "
                                  "results.csv: curve, speedup, energy, all (default curve)")
    p.add_argument("-o", "--output", help="output file (.png or .pdf; no extension: both). "
                                          "Default: next to the input, named after it and the kind")
    p.add_argument("--x", help="curve: swept key on the x axis (default: the first axis)")
    p.add_argument("--y", default="speedup_step", help="curve: results.csv column (default speedup_step)")
    p.add_argument("--series", help="curve: column whose values make the lines (default: the other axes)")
    p.add_argument("--no-ideal", action="store_true",
                   help="curve: leave out the ideal-bound curve an N:M sweep's step speedup gets by default")
    p.add_argument("--measured", default="auto", metavar="FILE",
                   help="curve: measured GEMM speedups (bench/gpu format) overlaid on an STC sweep against GEMM "
                        "size (default: bench/gpu/h200_gemm_measured.csv; 'none': no overlay)")
    p.add_argument("--title", help="figure title")
    p.add_argument("--xlabel", help="x axis label")
    p.add_argument("--ylabel", help="y axis label (for sweep-specific metric columns)")
    return p.parse_args(argv)


def figures_for(args):
    """[(kind, Figure)] for the input."""
    if args.input.endswith(".json"):
        report = load_report(args.input)
        # A training trace run's report ("steps") has its own figure; a one-step report the others.
        per_step = ["steps"] if "steps" in report else [k for k in REPORT_KINDS if k != "steps"]
        kinds = per_step if args.kind in (None, "all") else [args.kind]
        for k in kinds:
            if k not in REPORT_KINDS:
                raise InputError(f"command line: --kind: '{k}' is not one of {', '.join(REPORT_KINDS)}, all for a report")
        return [(k, REPORT_KINDS[k](report)) for k in kinds]
    if args.input.endswith(".csv"):
        results = load_results(args.input)
        kinds = ["curve"] if args.kind is None else (list(RESULTS_KINDS) if args.kind == "all" else [args.kind])
        out = []
        for k in kinds:
            if k not in RESULTS_KINDS:
                raise InputError(f"command line: --kind: '{k}' is not one of {', '.join(RESULTS_KINDS)}, all for results")
            measured = None if args.measured == "none" else args.measured
            if measured not in (None, "auto") and not os.path.exists(measured):
                raise InputError(f"{measured}: cannot open: no such file (--measured)")
            fig = (figures.sweep_curve(results, args.x, args.y, args.series, ideal=not args.no_ideal,
                                       measured=measured) if k == "curve"
                   else RESULTS_KINDS[k](results))
            out.append((k, fig))
        return out
    raise InputError(f"{args.input}: expected a results.csv or a report.json")


def main(argv):
    try:
        args = parse(argv)
        figs = figures_for(args)
        for kind, fig in figs:
            if args.title:
                fig.axes[0].set_title(args.title)
            if args.xlabel:
                fig.axes[0].set_xlabel(args.xlabel)
            if args.ylabel:
                fig.axes[0].set_ylabel(args.ylabel)
            if args.output and len(figs) == 1:
                out = args.output
            else:
                stem = os.path.splitext(args.output or args.input)[0]
                out = f"{stem}-{kind}" + (os.path.splitext(args.output)[1] if args.output else "")
            for p in save(fig, out):
                print(f"wrote {p}")
        return 0
    except InputError as e:
        # One line whatever the input held: control characters (a newline in a CSV cell) are escaped.
        message = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(e))
        print(f"sparsim plot: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
