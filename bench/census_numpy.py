#!/usr/bin/env python3
"""The weight census in numpy (float64 LAPACK SVD), as the reference for `nullspace inspect`.

Reads weight dumps written by `nullspace inspect MODEL --dump-weights DIR` (one float64 .npy per
weight in its stored shape, plus manifest.json saying how it splits into per-group matrices) and
computes, per weight, the same numbers with the same rules:
  tol = sigma_max * max(m, n) * eps(float32)   (numpy.linalg.matrix_rank's rule at float32 eps)
  rankF64 at eps(float64); rank = smallest group rank; nullity = inDim - rank (per group);
  rankDeficient = some group rank < min(m, n); wide = inDim > outDim.
Usage: census_numpy.py DUMP_DIR... [--json] [--repeat N]   (DUMP_DIR = DIR/<model>)
Run it single-threaded for benchmarks: OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=MKL_NUM_THREADS=1.
"""
import json
import os
import sys
import time

import numpy as np

EPS32 = float(np.finfo(np.float32).eps)
EPS64 = float(np.finfo(np.float64).eps)


def load(dump_dir):
    with open(os.path.join(dump_dir, 'manifest.json')) as f:
        manifest = json.load(f)
    return [(e, np.load(os.path.join(dump_dir, e['file']))) for e in manifest]


def census(weights, in_out):
    """weights: [(entry, array)]; in_out(entry) -> (inDim, outDim). Returns one dict per weight."""
    out = []
    for e, w in weights:
        g, rows, cols = e['groups'], e['rows'], e['cols']
        blocks = w.reshape(g, rows, cols)
        ranks, ranks64, smax, smin, tols = [], [], [], [], []
        for b in blocks:
            s = np.linalg.svd(b, compute_uv=False)
            top = s[0] if s.size else 0.0
            tol = top * max(rows, cols) * EPS32
            ranks.append(int(np.count_nonzero(s > tol)))
            ranks64.append(int(np.count_nonzero(s > top * max(rows, cols) * EPS64)))
            smax.append(top)
            smin.append(s[-1] if s.size else 0.0)
            tols.append(tol)
        in_dim, out_dim = in_out(e)
        rank = min(ranks)
        out.append({
            'name': e['name'], 'groups': g, 'inDim': in_dim, 'outDim': out_dim,
            'rank': rank, 'rankF64': min(ranks64), 'nullity': in_dim - rank,
            'wide': in_dim > out_dim, 'rankDeficient': any(r < min(rows, cols) for r in ranks),
            'sigmaMax': max(smax), 'sigmaMin': min(smin), 'tolerance': max(tols),
        })
    return out


def main(argv):
    dirs = [a for a in argv if not a.startswith('--')]
    repeat = int(argv[argv.index('--repeat') + 1]) if '--repeat' in argv else 1
    if '--repeat' in argv:
        dirs.remove(str(repeat))
    result = {}
    for d in dirs:
        weights = load(d)
        # The manifest does not say which side is the output; the JSON report does. For timing
        # only rank matters, so take (cols, rows) here; compare_census.py passes the real sides.
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            rows = census(weights, lambda e: (e['cols'], e['rows']))
            times.append(time.perf_counter() - t0)
        result[os.path.basename(d.rstrip('/'))] = {'seconds': times, 'weights': len(rows)}
    if '--json' in argv:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k}: {v['weights']} weights, min {min(v['seconds']) * 1e3:.1f} ms over {len(v['seconds'])} runs")


if __name__ == '__main__':
    main(sys.argv[1:])
