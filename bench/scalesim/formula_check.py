#!/usr/bin/python3
"""Reproduce SCALE-Sim v2's COMPUTE_REPORT figures from layer shapes (see HOW_SCALESIM_COUNTS.md).

Reads alexnet_32x32_{ws,os}.csv next to this file (figures as SCALE-Sim reported them) and compares
them with the closed-form model below. Also checks a few extra shapes whose SCALE-Sim figures were
recorded by hand (EXTRA, below). Exit status 0 iff everything matches exactly.
Usage: /usr/bin/python3 bench/scalesim/formula_check.py
"""
import csv
import math
import os
import sys

R = C = 32  # ArrayHeight, ArrayWidth


def ofmap_dims(ih, iw, fh, fw, s):
    # SCALE-Sim topology_utils: no padding, ceil((H - K + S) / S)
    return math.ceil((ih - fh + s) / s), math.ceil((iw - fw + s) / s)


def scalesim_model(df, ih, iw, fh, fw, ch, nf, s, R=R, C=C):
    oh, ow = ofmap_dims(ih, iw, fh, fw, s)
    npx = oh * ow                # rows of the ifmap/ofmap operand matrices
    K = fh * fw * ch             # conv window = cols of ifmap matrix = rows of filter matrix
    if df == 'ws':
        Sr, Sc, T = K, nf, npx   # weights K x nf pinned in the array, ofmap pixels stream
        fold_rows = 2 * R + C + T - 2          # demand-matrix rows per fold
        util_cycles = fold_rows + C - 1        # 'cycles_this_fold' used only for Compute Util
    elif df == 'os':
        Sr, Sc, T = npx, nf, K   # outputs npx x nf pinned, window streams
        fold_rows = R + C + T - 2
        util_cycles = fold_rows
    else:
        raise ValueError(df)
    row_fold, col_fold = math.ceil(Sr / R), math.ceil(Sc / C)
    folds = row_fold * col_fold
    total = folds * fold_rows - 1              # index of last cycle (count - 1), no stalls
    # mapping efficiency / compute util: per-fold values averaged, summed in SCALE-Sim's order
    map_eff, comp_util = [], []
    for fc in range(col_fold):
        for fr in range(row_fold):
            used = min(R, Sr - fr * R) * min(C, Sc - fc * C)
            map_eff.append(used / (R * C))
            comp_util.append(used * T / (R * C * util_cycles))
    num_compute = npx * nf * K                 # MACs
    overall = (num_compute * 100) / (total * R * C)
    return dict(ofmap_h=oh, ofmap_w=ow, Sr=Sr, Sc=Sc, T=T, row_fold=row_fold, col_fold=col_fold,
                fold_cycles=fold_rows, total_cycles=total, stall_cycles=0,
                overall_util=overall, mapping_eff=sum(map_eff) / len(map_eff) * 100,
                compute_util=sum(comp_util) / len(comp_util) * 100)


# Extra shapes run through SCALE-Sim (same cfg, 32x32, CALC) with ragged folds; figures copied from
# its COMPUTE_REPORT.csv (stall cycles were 0 in every run):
# (name, ih, iw, fh, fw, ch, nf, s, df, array_h, array_w, total_cycles, overall%, mapping%, compute%)
EXTRA = [
    ('X1', 15, 15, 3, 3, 50, 70, 1, 'ws', 32, 32, 11834, 43.93045858331925, 68.359375, 39.29501488095241),
    ('X2', 20, 17, 5, 3, 3, 40, 2, 'ws', 32, 32, 663, 19.089366515837103, 43.9453125, 16.061230964467004),
    ('X3', 1, 1, 1, 1, 100, 10, 1, 'ws', 32, 32, 379, 0.25766820580474936, 24.4140625, 0.19376240079365079),
    ('X1', 15, 15, 3, 3, 50, 70, 1, 'ws', 16, 8, 54026, 76.98116416169992, 94.28879310344827, 74.461710441508),
    ('X2', 20, 17, 5, 3, 3, 40, 2, 'ws', 16, 8, 1649, 61.400848999393574, 93.75, 57.69230769230768),
    ('X3', 1, 1, 1, 1, 100, 10, 1, 'ws', 16, 8, 545, 1.43348623853211, 55.80357142857143, 1.2131211180124222),
    ('X1', 15, 15, 3, 3, 50, 70, 1, 'os', 32, 32, 9215, 56.4159573385784, 64.18185763888889, 56.40983581542969),
    ('X2', 20, 17, 5, 3, 3, 40, 2, 'os', 32, 32, 641, 19.744539781591264, 46.875, 19.713785046728972),
    ('X3', 1, 1, 1, 1, 100, 10, 1, 'os', 32, 32, 161, 0.6065605590062112, 0.9765625, 0.6028163580246914),
    ('X1', 15, 15, 3, 3, 50, 70, 1, 'os', 16, 8, 46727, 89.00602167911485, 93.35542929292929, 89.00411691063175),
    ('X2', 20, 17, 5, 3, 3, 40, 2, 'os', 16, 8, 1674, 60.483870967741936, 90.0, 60.447761194029844),
    ('X3', 1, 1, 1, 1, 100, 10, 1, 'os', 16, 8, 243, 3.2150205761316872, 3.90625, 3.2018442622950825),
]


def close(a, b):
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ok = True
    for df in ('ws', 'os'):
        path = os.path.join(here, f'alexnet_32x32_{df}.csv')
        print(f'== {df.upper()} 32x32  ({os.path.basename(path)})')
        print(f'{"layer":6} {"Sr":>5} {"Sc":>4} {"T":>5} {"folds":>9} {"cyc/fold":>8} '
              f'{"model":>9} {"scalesim":>9} {"util% model/ss":>19} {"map% model/ss":>17} {"cu% model/ss":>17} ok')
        with open(path) as f:
            for r in csv.DictReader(f):
                g = lambda k: int(r[k])
                m = scalesim_model(df, g('ifmap_h'), g('ifmap_w'), g('filter_h'), g('filter_w'),
                                   g('channels'), g('num_filter'), g('stride'))
                ss = dict(total_cycles=int(r['total_cycles']), stall_cycles=int(r['stall_cycles']),
                          overall_util=float(r['overall_util']), mapping_eff=float(r['mapping_eff']),
                          compute_util=float(r['compute_util']))
                match = (m['total_cycles'] == ss['total_cycles'] and ss['stall_cycles'] == 0 and
                         all(close(m[k], ss[k]) for k in ('overall_util', 'mapping_eff', 'compute_util')))
                exact = all(m[k] == ss[k] for k in ss)
                ok &= match
                print(f'{r["layer"]:6} {m["Sr"]:5} {m["Sc"]:4} {m["T"]:5} '
                      f'{m["row_fold"]:3}x{m["col_fold"]:<3}={m["row_fold"]*m["col_fold"]:<4}'
                      f'{m["fold_cycles"]:6} {m["total_cycles"]:9} {ss["total_cycles"]:9} '
                      f'{m["overall_util"]:8.4f}/{ss["overall_util"]:<8.4f} '
                      f'{m["mapping_eff"]:7.3f}/{ss["mapping_eff"]:<7.3f}  '
                      f'{m["compute_util"]:7.3f}/{ss["compute_util"]:<7.3f} '
                      f'{"EXACT" if exact else ("yes(fp)" if match else "NO")}')
    if EXTRA:
        print('== extra shapes (ragged folds)')
    for name, ih, iw, fh, fw, ch, nf, s, df, ah, aw, tot, ovr, mp, cu in EXTRA:
        m = scalesim_model(df, ih, iw, fh, fw, ch, nf, s, R=ah, C=aw)
        match = (m['total_cycles'] == tot and close(m['overall_util'], ovr) and
                 close(m['mapping_eff'], mp) and close(m['compute_util'], cu))
        ok &= match
        print(f'{name:3} {df} array {ah}x{aw}: {ih}x{iw} k{fh}x{fw} c{ch} n{nf} s{s}: Sr={m["Sr"]} Sc={m["Sc"]} T={m["T"]} '
              f'folds={m["row_fold"]}x{m["col_fold"]} model={m["total_cycles"]} scalesim={tot} '
              f'{"OK" if match else "MISMATCH"}')
    print('ALL MATCH' if ok else 'MISMATCH FOUND')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
