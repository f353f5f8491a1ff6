"""Loading sparsim outputs into plain Python structures; bad input raises InputError with one line."""
import csv
import json
import os


class InputError(Exception):
    """Bad input (missing file, wrong format, unknown column); the CLI prints it and exits with 2."""


def load_report(path):
    try:
        with open(path, encoding="utf-8") as f:
            report = json.load(f)
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not valid UTF-8 (byte {e.start})") from None
    except OSError as e:
        raise InputError(f"{path}: cannot open: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise InputError(f"{path}:{e.lineno}: malformed JSON: {e.msg}") from None
    if not isinstance(report, dict):
        raise InputError(f"{path}: not a sparsim report.json (the top level is not an object)")
    for key in ("accelerator", "summary", "jobs", "energy"):
        if key not in report:
            raise InputError(f"{path}: {key}: missing; not a sparsim report.json")
    check_report(path, report)
    return report


def shown(value, limit=40):
    """A value for a one-line message: control characters escaped, long text cut."""
    text = value if isinstance(value, str) else json.dumps(value)
    text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[:limit] + "..."


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and abs(v) != float("inf")


# What the figures read from a report, with the type each must have.
REPORT_FIELDS = {"layer": str, "layer_index": int, "phase": str, "variant": str, "cycles": "number",
                 "utilization": "number"}


def check_report(path, report):
    """The parts of report.json the figures read have the types sparsim writes (else InputError)."""
    def bad(where, what):
        raise InputError(f"{path}: {where}: {what}; not a sparsim report.json")
    acc, summary, jobs = report["accelerator"], report["summary"], report["jobs"]
    if not isinstance(acc, dict) or not isinstance(acc.get("name"), str):
        bad("accelerator.name", "expected a string")
    for key in ("design_variant", "baseline_variant"):
        if not isinstance(acc.get(key), str):
            bad(f"accelerator.{key}", f"expected a string, got {shown(acc.get(key))}")
    if not isinstance(summary, dict) or not isinstance(summary.get("speedup", {}), dict):
        bad("summary.speedup", "expected an object")
    if not isinstance(report.get("workload", {}), dict):
        bad("workload", "expected an object")
    if not isinstance(jobs, list):
        bad("jobs", "expected a list")
    for i, j in enumerate(jobs):
        if not isinstance(j, dict):
            bad(f"jobs[{i}]", "expected an object")
        for key, kind in REPORT_FIELDS.items():
            v = j.get(key)
            ok = is_number(v) if kind == "number" else isinstance(v, kind) and not isinstance(v, bool)
            if not ok:
                bad(f"jobs[{i}].{key}", f"expected {'a number' if kind == 'number' else kind.__name__}, "
                                        f"got {shown(v)}")
        comps = j.get("energy_pj_by_component", {})
        if not isinstance(comps, dict) or not all(is_number(v) for v in comps.values()):
            bad(f"jobs[{i}].energy_pj_by_component", "expected an object of numbers")


class Results:
    """A sweep's results.csv plus its plan.json (units of the swept keys, the fixed overrides)."""

    def __init__(self, path, rows, columns, axes, fixed):
        self.path = path
        self.rows = rows          # list of dicts, status == "ok" only, in point order
        self.all_rows = None
        self.columns = columns    # header, in order
        self.axes = axes          # [(key, unit)] of the swept keys, in axis order
        self.axis_of = {}         # key -> axis index (zipped keys share one)
        self.fixed = fixed        # {key: value} of the sweep's set:
        self._report = False      # point_report(), read on first use

    def unit(self, key):
        return dict(self.axes).get(key, "")

    def point_report(self):
        """The report.json of the first finished point (DIR/points/<run>/report.json), or None when the sweep
        directory does not hold it (a results.csv copied elsewhere). Read once."""
        if self._report is False:
            self._report = None
            d = os.path.dirname(os.path.abspath(self.path))
            for r in self.rows:
                p = os.path.join(d, "points", r.get("run", ""), "report.json")
                if r.get("run") and os.path.exists(p):
                    try:
                        self._report = load_report(p)
                    except InputError:
                        pass
                    break
        return self._report

    def accelerator(self):
        """accelerator.name of the sweep's points (from a point's report), or None when unknown."""
        r = self.point_report()
        return r["accelerator"].get("name") if r else None

    def config_value(self, dotted):
        """A key of the points' effective config: a swept or fixed value first, else the point report's
        config echo; None when unknown."""
        if dotted in self.columns and self.rows:
            return self.rows[0][dotted]
        if dotted in self.fixed:
            return self.fixed[dotted]
        node = (self.point_report() or {}).get("config")
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def numeric(self, column):
        values = []
        for r in self.rows:
            try:
                v = float(r[column])
            except (KeyError, ValueError, TypeError):
                return None
            if not is_number(v):  # NaN or an infinity: not an axis of numbers (plotted as categories)
                return None
            values.append(v)
        return values


# Columns that hold numbers (or are empty) in a results.csv: the totals, ratios and energies sparsim writes.
NUMERIC_PREFIXES = ("speedup", "energy", "time", "cycles", "baseline_", "ideal", "dense_macs", "utilization")


def check_rows(path, columns, rows):
    """Every row has exactly the header's fields, and the number columns hold numbers (or nothing)."""
    numeric = [c for c in columns if c and c.startswith(NUMERIC_PREFIXES) and not c.endswith("_variant")]
    for line, r in enumerate(rows, start=2):
        if None in r or any(v is None for v in r.values()):
            raise InputError(f"{path}:{line}: the row has {'more' if None in r else 'fewer'} fields than the header")
        for c in numeric:
            v = r[c]
            if v == "":
                continue
            try:
                x = float(v)
            except ValueError:
                raise InputError(f"{path}:{line}: {c}: expected a number, got '{shown(v)}'") from None
            if x != x or x in (float("inf"), float("-inf")):
                raise InputError(f"{path}:{line}: {c}: expected a finite number, got '{shown(v)}'")


def load_results(path):
    try:
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            columns = reader.fieldnames or []
            rows = list(reader)
    except OSError as e:
        raise InputError(f"{path}: cannot open: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not valid UTF-8 (byte {e.start})") from None
    except csv.Error as e:
        raise InputError(f"{path}: malformed CSV: {e}") from None
    for needed in ("point", "status", "network", "design_variant", "baseline_variant", "speedup_step"):
        if needed not in columns:
            raise InputError(f"{path}:1: {needed}: missing column; not a sparsim results.csv")
    check_rows(path, columns, rows)
    axes, fixed = [], {}
    plan_path = os.path.join(os.path.dirname(os.path.abspath(path)), "plan.json")
    if os.path.exists(plan_path):
        try:
            with open(plan_path, encoding="utf-8") as f:
                plan = json.load(f)
            axes = [(a["key"], a["unit"]) for a in plan.get("axes", [])]
            axis_of = {a["key"]: a.get("axis", i) for i, a in enumerate(plan.get("axes", []))}
            fixed = {k: v for k, v in plan.get("set", [])}
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as e:
            raise InputError(f"{plan_path}: not a sparsim sweep plan ({type(e).__name__})") from None
    else:  # the swept keys sit between "status" and "network"
        start, end = columns.index("status") + 1, columns.index("network") if "network" in columns else 3
        axes = [(c, "") for c in columns[start:end]]
        axis_of = {c: i for i, (c, _) in enumerate(axes)}
    res = Results(path, [r for r in rows if r["status"] == "ok"], columns, axes, fixed)
    res.all_rows = rows
    res.axis_of = axis_of
    if not res.rows:
        raise InputError(f"{path}: no finished point (every row has status missing)")
    return res


def load_measured(path):
    """A bench/gpu measurement table (CSV after '#' comment lines) as a list of dicts."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            lines = [line for line in f if not line.startswith("#")]
    except OSError as e:
        raise InputError(f"{path}: cannot open: {e.strerror}") from None
    reader = csv.DictReader(lines)
    rows = list(reader)
    for needed in ("kind", "dtype", "M", "N", "K", "speedup"):
        if needed not in (reader.fieldnames or []):
            raise InputError(f"{path}: {needed}: missing column; not a bench/gpu GEMM measurement table")
    return rows
