#!/usr/bin/env python3
"""MovieLens-100k folds: movrec's biased MF beside Surprise's SVD, same folds, same run.

Usage: python3 scripts/bench/movielens-vs-surprise.py --dir DIR [--folds 1,2,3,4,5]

Runs `movrec bench movielens --json` (the built CLI) and Surprise's SVD with its
defaults (n_factors 100, n_epochs 20, lr 0.005, reg 0.02, init std 0.1) on each
u<N>.base / u<N>.test, and prints RMSE and fit seconds per fold and on average,
with the RMSE difference and the fit-time ratio. Needs `pip install scikit-surprise`.
The machine may be shared: fit times are noisy, so compare them within one run.
"""
import argparse
import json
import os
import subprocess
import sys
import time


def surprise_folds(directory, folds):
    from surprise import SVD, Dataset, Reader, accuracy
    from surprise.model_selection import PredefinedKFold

    reader = Reader(line_format="user item rating timestamp", sep="\t", rating_scale=(1, 5))
    out = []
    for n in folds:
        data = Dataset.load_from_folds(
            [(os.path.join(directory, f"u{n}.base"), os.path.join(directory, f"u{n}.test"))], reader
        )
        (train, test), = PredefinedKFold().split(data)
        algo = SVD(random_state=1)
        t0 = time.perf_counter()
        c0 = time.process_time()
        algo.fit(train)
        fit = time.perf_counter() - t0
        cpu = time.process_time() - c0
        rmse = accuracy.rmse(algo.test(test), verbose=False)
        out.append({"fold": n, "rmse": rmse, "fit_seconds": fit, "fit_cpu_seconds": cpu})
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", required=True)
    p.add_argument("--folds", default="1,2,3,4,5")
    args = p.parse_args()
    folds = [int(x) for x in args.folds.split(",")]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    cli = os.path.join(root, "scripts", "movrec.js")
    r = subprocess.run(
        ["node", cli, "bench", "movielens", "--dir", args.dir, "--folds", args.folds, "--json"],
        capture_output=True, text=True, check=False,
    )
    if r.returncode != 0:
        sys.exit(f"movrec bench movielens failed: {r.stderr.strip()}")
    ours = json.loads(r.stdout)
    theirs = surprise_folds(args.dir, folds)
    print("fit: wall seconds / CPU seconds (CPU time is the fairer figure on a shared machine)")
    print(f"{'fold':>6} {'movrec RMSE':>12} {'Surprise RMSE':>14} {'movrec fit':>16} {'Surprise fit':>16} {'speed-up wall/CPU':>18}")
    row = lambda label, a, b: print(
        f"{label:>6} {a['rmse']:>12.4f} {b['rmse']:>14.4f} {a['fit_seconds']:>7.3f}/{a['fit_cpu_seconds']:<8.3f} "
        f"{b['fit_seconds']:>7.3f}/{b['fit_cpu_seconds']:<8.3f} "
        f"{b['fit_seconds'] / a['fit_seconds']:>8.1f}x/{b['fit_cpu_seconds'] / a['fit_cpu_seconds']:.1f}x"
    )
    for a, b in zip(ours["folds"], theirs):
        row(a["fold"], a, b)
    mean = lambda key: sum(b[key] for b in theirs) / len(theirs)
    s_rmse = mean("rmse")
    row("mean", ours, {"rmse": s_rmse, "fit_seconds": mean("fit_seconds"), "fit_cpu_seconds": mean("fit_cpu_seconds")})
    print(f"RMSE difference (movrec - Surprise): {ours['rmse'] - s_rmse:+.4f}; movrec hyperparameters: {json.dumps(ours['hyperparameters'])}")


if __name__ == "__main__":
    main()
