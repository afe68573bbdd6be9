#!/usr/bin/env python3
"""Checks `nullspace inspect` against an independent float64 SVD (numpy/LAPACK), weight by weight.

The onnx Python package is not needed: the tool dumps every weight it analysed as float64 .npy
(`--dump-weights DIR`, stored shape, dequantized) with a manifest of its per-group matrices, and
this script recomputes rank, rankF64, nullity, wide, rankDeficient, sigmaMax and sigmaMin with
numpy.linalg.svd at the same tolerance rule (census_numpy.py), then compares.

Usage:
  compare_census.py MODEL.onnx... [--size HxW]        runs the tool (through tsx) itself
  compare_census.py --report R.json --dumps DIR       uses an existing report and dump
Exit status 0 when every flag, rank and nullity agree.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import census_numpy  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXACT = ['rank', 'rankF64', 'nullity', 'wide', 'rankDeficient', 'inDim', 'outDim', 'groups']


def run_tool(models, size, dumps):
    cmd = ['node', '--import', 'tsx', os.path.join(ROOT, 'test', 'helpers', 'cli-entry.ts'), 'inspect', *models, '--json', '--dump-weights', dumps]
    if size:
        cmd += ['--size', size]
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def compare(report, dumps):
    rows, ok = [], True
    for m in report['models']:
        name = os.path.basename(m['path'])
        name = name[:-5] if name.endswith('.onnx') else name
        ours = m['weights']
        sides = {w['name']: (w['inDim'], w['outDim']) for w in ours}
        ref = census_numpy.census(census_numpy.load(os.path.join(dumps, name)), lambda e: sides[e['name']])
        bad, worst_rel = [], 0.0
        for a, b in zip(ours, ref):
            diffs = [k for k in EXACT if a[k] != b[k]]
            for k in ('sigmaMax', 'sigmaMin'):
                if b[k] > 0:
                    worst_rel = max(worst_rel, abs(a[k] - b[k]) / b['sigmaMax'])
            if diffs:
                bad.append((a['name'], {k: (a[k], b[k]) for k in diffs}))
        agree = len(ours) - len(bad)
        ok = ok and not bad and len(ours) == len(ref)
        rows.append((name, len(ours), agree, sum(w['rankDeficient'] for w in ref), sum(w['wide'] for w in ref), worst_rel, bad))
    print('| model | weights | agree (rank, rankF64, nullity, flags) | rank-deficient (numpy) | wide (numpy) | max |Δσ|/σmax |')
    print('|---|---:|---:|---:|---:|---:|')
    for name, n, agree, rd, wide, rel, _ in rows:
        print(f'| {name} | {n} | {agree}/{n} | {rd} | {wide} | {rel:.1e} |')
    for name, *_, bad in rows:
        for w, d in bad:
            print(f'  {name}: {w}: ours vs numpy {d}')
    return ok


def main(argv):
    if '--report' in argv:
        report = json.load(open(argv[argv.index('--report') + 1]))
        return compare(report, argv[argv.index('--dumps') + 1])
    size = argv[argv.index('--size') + 1] if '--size' in argv else None
    models = [a for a in argv if a.endswith('.onnx')]
    with tempfile.TemporaryDirectory() as dumps:
        return compare(run_tool(models, size, dumps), dumps)


if __name__ == '__main__':
    sys.exit(0 if main(sys.argv[1:]) else 1)
