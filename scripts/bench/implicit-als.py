#!/usr/bin/env python3
"""The `implicit` library's ALS (0.7.3) as a baseline for scripts/bench/real-data.ts.

Usage: python3 scripts/bench/implicit-als.py --train FILE --users FILE --out FILE

--train: TSV "user<TAB>item<TAB>value" (dense indices); --users: one user index
per line. Writes one line per requested user: its top 20 item indices, seen
items filtered, comma-separated. Fixed settings, never tuned on the test period:
64 factors, the library's other defaults (regularization 0.01, alpha 1.0,
15 iterations), binary preferences, one thread, seed 1.
"""
import argparse
import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--train", required=True)
    p.add_argument("--users", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--n-users", type=int, required=True)
    p.add_argument("--n-items", type=int, required=True)
    args = p.parse_args()
    try:
        import implicit
        import numpy as np
        from scipy.sparse import csr_matrix
        from implicit.cpu.als import AlternatingLeastSquares
    except ImportError as e:
        sys.exit(f"implicit-als: {e} (pip install implicit==0.7.3)")
    if implicit.__version__ != "0.7.3":
        print(f"implicit-als: note: implicit {implicit.__version__}, the bench names 0.7.3", file=sys.stderr)
    rows, cols = [], []
    with open(args.train) as f:
        for line in f:
            u, i, _ = line.split("\t")
            rows.append(int(u))
            cols.append(int(i))
    data = np.ones(len(rows), dtype=np.float32)
    m = csr_matrix((data, (rows, cols)), shape=(args.n_users, args.n_items))
    m.sum_duplicates()
    m.data[:] = 1.0
    model = AlternatingLeastSquares(factors=64, random_state=1, num_threads=1)
    model.fit(m, show_progress=False)
    with open(args.users) as f:
        users = np.array([int(x) for x in f if x.strip()], dtype=np.int32)
    with open(args.out, "w") as out:
        if len(users):
            ids, _ = model.recommend(users, m[users], N=20, filter_already_liked_items=True)
            for row in ids:
                out.write(",".join(str(int(i)) for i in row if i >= 0) + "\n")


if __name__ == "__main__":
    main()
