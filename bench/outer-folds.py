#!/usr/bin/python3
"""The outer cross-validation folds of bench/tune.mjs, made exactly as ../shared/peers/cv_quality.py
makes its own: the CSV read and the target prepared by cv_quality's own functions, then
StratifiedKFold (classification) or KFold (regression) with shuffle=True and random_state=seed.
So mlctl is scored on the very folds the scikit-learn peers are scored on (a paired comparison).
Usage: PEERS=../shared/peers /usr/bin/python3 bench/outer-folds.py CSV TARGET FOLDS SEED[,SEED...]
Prints {"rows": n, "task": ..., "folds": {"<seed>": [[test row indices of fold 1], ...]}}."""
import json, os, sys

sys.path.insert(0, os.environ.get("PEERS") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../shared/peers"))
from cv_quality import prepare, read_csv  # noqa: E402
from sklearn.model_selection import KFold, StratifiedKFold  # noqa: E402

csv_path, target, folds, seeds = sys.argv[1], sys.argv[2], int(sys.argv[3]), [int(s) for s in sys.argv[4].split(",")]
header, cols = read_csv(csv_path)
X, y, info = prepare(header, cols, target, None)
if info["rows_dropped_missing_target"]:
    sys.exit("outer-folds.py: rows with a missing target would shift the row indices")
splitter = StratifiedKFold if info["task"] == "classification" else KFold
out = {"rows": info["rows"], "task": info["task"], "folds": {}}
for seed in seeds:
    split = splitter(n_splits=folds, shuffle=True, random_state=seed)
    out["folds"][str(seed)] = [test.tolist() for _, test in split.split(X, y)]
print(json.dumps(out))
