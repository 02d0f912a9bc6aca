#!/usr/bin/env python3
"""MovieLens-100k folds: movrec's biased MF beside Surprise's SVD and SVD++, same folds, same run.

Usage: python3 scripts/bench/movielens-vs-surprise.py [--dir DIR] [--folds 1,2,3,4,5] [--repeats 5] [--no-svdpp]

Runs `movrec bench movielens --json` (the built CLI), Surprise's SVD with its
defaults (n_factors 100, n_epochs 20, lr 0.005, reg 0.02, init std 0.1) and, at
equal factors, SVD with movrec's factor count, and SVD++ with its defaults, on
each u<N>.base / u<N>.test, and prints RMSE and fit seconds per fold and on
average, with the RMSE difference and the fit-time ratios. Needs
`pip install scikit-surprise==1.1.5`. Without --dir, the data is MovieLens-100k
from recbole 1.2.1's wheel (fetched into ~/.cache/movrec/recbole, never into
the repository), split into 5 random folds (seed 1) written in the u<N> format.
The machine may be shared: fit times are noisy, so compare them within one run. Each fold is
fitted --repeats times by movrec and by SVD (once by SVD++, minutes per fold) and the fit time
is the median: one interruption would otherwise stand for a whole 25 ms fit.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def surprise_folds(directory, folds, make, repeats):
    from surprise import Dataset, Reader, accuracy
    from surprise.model_selection import PredefinedKFold

    reader = Reader(line_format="user item rating timestamp", sep="\t", rating_scale=(1, 5))
    out = []
    for n in folds:
        data = Dataset.load_from_folds(
            [(os.path.join(directory, f"u{n}.base"), os.path.join(directory, f"u{n}.test"))], reader
        )
        (train, test), = PredefinedKFold().split(data)
        walls, cpus = [], []
        for _ in range(repeats):
            algo = make()
            t0 = time.perf_counter()
            c0 = time.process_time()
            algo.fit(train)
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        fit, cpu = statistics.median(walls), statistics.median(cpus)
        rmse = accuracy.rmse(algo.test(test), verbose=False)
        out.append({"fold": n, "rmse": rmse, "fit_seconds": fit, "fit_cpu_seconds": cpu})
    return out


def recbole_dir():
    """MovieLens-100k from recbole's wheel as a directory of u.data, u.user and 5 random folds."""
    import random
    import zipfile

    cache = os.environ.get("MOVREC_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "movrec", "recbole"))
    src = os.path.join(cache, "recbole", "dataset_example", "ml-100k")
    if not os.path.exists(os.path.join(src, "ml-100k.inter")):
        os.makedirs(cache, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "recbole==1.2.1", "-d", cache], check=True)
        wheel = next(f for f in os.listdir(cache) if f.startswith("recbole-1.2.1") and f.endswith(".whl"))
        with zipfile.ZipFile(os.path.join(cache, wheel)) as z:
            for n in z.namelist():
                if n.startswith("recbole/dataset_example/ml-100k/ml-100k.") and n.rsplit(".", 1)[1] in ("inter", "user", "item"):
                    z.extract(n, cache)
    out = os.path.join(cache, "u-format")
    if os.path.exists(os.path.join(out, "u5.test")):
        return out
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(src, "ml-100k.inter")) as f:
        rows = [line.rstrip("\n").split("\t") for line in f.readlines()[1:] if line.strip()]
    rows = [f"{u}\t{i}\t{int(float(r))}\t{int(float(t))}\n" for u, i, r, t in rows]
    with open(os.path.join(out, "u.data"), "w") as f:
        f.writelines(rows)
    with open(os.path.join(src, "ml-100k.user")) as f, open(os.path.join(out, "u.user"), "w") as g:
        for line in f.readlines()[1:]:
            if line.strip():
                g.write("|".join(line.rstrip("\n").split("\t")) + "\n")
    order = list(range(len(rows)))
    random.Random(1).shuffle(order)
    for k in range(5):
        test = set(order[k::5])
        with open(os.path.join(out, f"u{k + 1}.base"), "w") as b, open(os.path.join(out, f"u{k + 1}.test"), "w") as t:
            for n, row in enumerate(rows):
                (t if n in test else b).write(row)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir")
    p.add_argument("--no-svdpp", action="store_true", help="leave out SVD++ (minutes per fold)")
    p.add_argument("--folds", default="1,2,3,4,5")
    p.add_argument("--repeats", type=int, default=5, help="fits per fold; the fit time is their median")
    args = p.parse_args()
    folds = [int(x) for x in args.folds.split(",")]
    if args.dir is None:
        args.dir = recbole_dir()
        print(f"data: recbole 1.2.1 ml-100k.inter as 5 random folds (seed 1) in {args.dir}")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    cli = os.path.join(root, "scripts", "movrec.js")
    r = subprocess.run(
        ["node", cli, "bench", "movielens", "--dir", args.dir, "--folds", args.folds, "--repeats", str(args.repeats), "--json"],
        capture_output=True, text=True, check=False,
    )
    if r.returncode != 0:
        sys.exit(f"movrec bench movielens failed: {r.stderr.strip()}")
    ours = json.loads(r.stdout)
    from surprise import SVD, SVDpp

    k = int(ours["hyperparameters"].get("factors", 100))
    runs = [
        ("SVD", lambda: SVD(random_state=1), args.repeats),
        (f"SVD k={k}", lambda: SVD(n_factors=k, random_state=1), args.repeats),
    ]
    if not args.no_svdpp:
        runs.append(("SVD++", lambda: SVDpp(random_state=1), 1))
    theirs = {name: surprise_folds(args.dir, folds, make, reps) for name, make, reps in runs}
    names = [name for name, _, _ in runs]
    print(
        f"RMSE per fold (fit: wall seconds / CPU seconds, median of {args.repeats} fits, SVD++ of 1; "
        "CPU time is the fairer figure on a shared machine)"
    )
    print(f"{'fold':>6} {'movrec':>8} " + " ".join(f"{n:>10}" for n in names) + f" {'movrec fit':>16} " + " ".join(f"{n + ' fit':>16}" for n in names))
    cell = lambda r: f"{r['fit_seconds']:>7.3f}/{r['fit_cpu_seconds']:<8.3f}"
    for j, a in enumerate(ours["folds"]):
        bs = [theirs[n][j] for n in names]
        print(f"{a['fold']:>6} {a['rmse']:>8.4f} " + " ".join(f"{b['rmse']:>10.4f}" for b in bs) + f" {cell(a)} " + " ".join(f"{cell(b):>16}" for b in bs))
    mean = lambda rs, key: sum(r[key] for r in rs) / len(rs)
    ms = {n: {key: mean(theirs[n], key) for key in ("rmse", "fit_seconds", "fit_cpu_seconds")} for n in names}
    print(f"{'mean':>6} {ours['rmse']:>8.4f} " + " ".join(f"{ms[n]['rmse']:>10.4f}" for n in names) + f" {cell(ours)} " + " ".join(f"{cell(ms[n]):>16}" for n in names))
    for n in names:
        print(
            f"movrec - {n}: RMSE {ours['rmse'] - ms[n]['rmse']:+.4f}; fit {ms[n]['fit_seconds'] / ours['fit_seconds']:.1f}x faster wall, "
            f"{ms[n]['fit_cpu_seconds'] / ours['fit_cpu_seconds']:.1f}x CPU"
        )
    print(f"movrec hyperparameters: {json.dumps(ours['hyperparameters'])}")


if __name__ == "__main__":
    main()
