"""Reference values for kiln_monitor::stats, from scipy 1.17.1.

Run with /work/main/benches/peers/.venv/bin/python from the repository root:

    benches/peers/.venv/bin/python crates/kiln-monitor/tests/reference/stats_reference.py

writes crates/kiln-monitor/tests/fixtures/stats_reference.json.

Samples are either stored in the fixture (small ones and real columns from
/work/shared/datasets) or described by a generator spec that tests/stats.rs regenerates bit
for bit: splitmix64 draws u = (z >> 11) * 2**-53 (exact in both languages), then only
correctly rounded IEEE operations, in this order:
  "uniform":  u * scale + shift
  "irwin":    ((((u1 + u2) + u3) + u4) - 2.0) * scale + shift   (approximately normal)
  "discrete": floor(u * k) * scale + shift                        (ties)
Each sample has its own seed; the generator state starts at the seed.

The z-test has no scipy function: its reference is the pooled formula written from the
definition (statsmodels' proportions_ztest; statsmodels is not installed here) with
scipy.stats.norm.sf for the p-value.
"""

import csv
import json
import math
import os
import warnings

import numpy as np
import scipy
from scipy import stats

assert scipy.__version__ == "1.17.1", scipy.__version__

MASK = (1 << 64) - 1
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "stats_reference.json")
DATA = "/work/shared/datasets"


def splitmix(seed):
    state = seed & MASK
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z = z ^ (z >> 31)
        yield (z >> 11) * 2.0**-53


def generate(spec):
    g = splitmix(spec["seed"])
    n, dist = spec["n"], spec["dist"]
    scale, shift = spec.get("scale", 1.0), spec.get("shift", 0.0)
    out = np.empty(n)
    for i in range(n):
        if dist == "uniform":
            out[i] = next(g) * scale + shift
        elif dist == "irwin":
            s = next(g) + next(g)
            s = s + next(g)
            s = s + next(g)
            out[i] = (s - 2.0) * scale + shift
        elif dist == "discrete":
            out[i] = math.floor(next(g) * spec["k"]) * scale + shift
        else:
            raise ValueError(dist)
    return out


def sample(desc):
    return np.asarray(desc["values"], dtype=float) if "values" in desc else generate(desc)


def gen(seed, n, dist="irwin", scale=1.0, shift=0.0, k=None):
    d = {"seed": seed, "n": n, "dist": dist, "scale": scale, "shift": shift}
    if k is not None:
        d["k"] = k
    return d


def stored(values):
    return {"values": [float(v) for v in values]}


def read_csv(name):
    with open(os.path.join(DATA, name), newline="") as f:
        return list(csv.DictReader(f))


pairs = []  # (name, a, b) sample descriptions


def add(name, a, b):
    pairs.append((name, a, b))


# Tiny samples: exact KS, and the asymptotic branches with small n.
add("tiny_3_4", stored([1.0, 2.0, 3.0]), stored([2.5, 3.5, 4.5, 5.5]))
add("tiny_1_1", stored([0.0]), stored([1.0]))
add("tiny_1_7", stored([0.3]), stored([0.1, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8]))
add("tiny_equal_5", stored([0.1, 0.4, 0.5, 0.9, 1.2]), stored([0.2, 0.3, 0.8, 1.1, 1.5]))
add("identical_10", stored(range(10)), stored(range(10)))
add("ties_small", stored([1, 1, 2, 2, 2, 3]), stored([2, 2, 3, 3, 4]))
add("negative_zero", stored([-0.0, 0.0, 1.0]), stored([0.0, 2.0]))
# A sweep over sizes and shifts: every KS branch (square, inside method, Durbin, Pomeranz,
# Pelz-Good, smirnov, Ruben-Gambino ends).
seed = 100
for n1, n2 in [(7, 9), (20, 30), (50, 60), (100, 100), (150, 400), (300, 170),
               (1000, 1500), (3000, 3000)]:
    for shift in [0.0, 0.02, 0.1, 0.3, 0.7, 1.5, 5.0]:
        add(f"sweep_{n1}_{n2}_{shift}", gen(seed, n1, "uniform"),
            gen(seed + 1, n2, "uniform", shift=shift))
        seed += 2
for n1, n2 in [(60, 80), (1000, 1000)]:
    add(f"discrete_{n1}_{n2}", gen(seed, n1, "discrete", k=5),
        gen(seed + 1, n2, "discrete", k=6))
    seed += 2
add("normal_shift_200_250", gen(7, 200), gen(8, 250, shift=0.1))
add("normal_scale_400_300", gen(9, 400), gen(10, 300, scale=1.3))
# The boundary of method='auto': exact up to max(n1, n2) = 10000.
add("auto_1_10000", stored([0.5]), gen(11, 10000, "uniform"))
add("auto_1_10001", stored([0.5]), gen(12, 10001, "uniform"))
add("auto_10000_9999", gen(13, 10000), gen(14, 9999, shift=0.02))
# Large samples: asymptotic.
add("large_20000_15000_same", gen(15, 20000), gen(16, 15000))
add("large_12000_30000_shift", gen(17, 12000), gen(18, 30000, shift=0.03))
add("large_40000_40000_shift", gen(19, 40000, "uniform"), gen(20, 40000, "uniform", shift=0.2))
add("large_discrete_15000_20000", gen(21, 15000, "discrete", k=20), gen(22, 20000, "discrete", k=20))

# Real columns.
german = read_csv("german_credit.csv")
add("german_credit_amount_male_female",
    stored([float(r["credit_amount"]) for r in german if r["sex"] == "male"]),
    stored([float(r["credit_amount"]) for r in german if r["sex"] == "female"]))
diabetes = read_csv("diabetes.csv")
bmi = [float(r["bmi"]) for r in diabetes]
add("diabetes_bmi_halves", stored(bmi[:221]), stored(bmi[221:]))
scoring = read_csv("credit_scoring.csv")
add("credit_scoring_income_good_bad",
    stored([float(r["income"]) for r in scoring if r["status"] == "good" and r["income"] != ""]),
    stored([float(r["income"]) for r in scoring if r["status"] == "bad" and r["income"] != ""]))

cases = []
for name, da, db in pairs:
    a, b = sample(da), sample(db)
    case = {"name": name, "a": da, "b": db}
    for method in ["auto", "exact", "asymp"]:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            r = stats.ks_2samp(a, b, method=method)
        case[f"ks_{method}"] = [float(r.statistic), float(r.pvalue)]
        # Which method scipy really used: it warns when it switches from exact to asymp.
        switched = any("Switching" in str(x.message) for x in w)
        used = {"auto": "exact" if max(len(a), len(b)) <= 10000 else "asymp",
                "exact": "exact", "asymp": "asymp"}[method]
        if switched:
            used = "asymp"
        case[f"ks_{method}_used"] = used
    case["wasserstein"] = float(stats.wasserstein_distance(a, b))
    case["wasserstein_normalized"] = float(
        stats.wasserstein_distance(a, b) / max(np.std(a), 0.001))
    case["energy"] = float(stats.energy_distance(a, b))
    if len(np.unique(np.concatenate([a, b]))) >= 2 and len(a) + len(b) >= 4:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = stats.anderson_ksamp([a, b])
        case["anderson"] = [float(r.statistic), [float(c) for c in r.critical_values],
                            float(r.significance_level)]
    cases.append(case)

# Anderson-Darling with three and four samples.
anderson_k = []
for name, descs in [
    ("three_same", [gen(30, 80), gen(31, 90), gen(32, 70)]),
    ("three_shift", [gen(33, 80), gen(34, 90, shift=0.3), gen(35, 70, shift=0.6)]),
    ("four_discrete", [gen(36, 50, "discrete", k=4), gen(37, 40, "discrete", k=4),
                       gen(38, 60, "discrete", k=5), gen(39, 30, "discrete", k=4)]),
    ("three_mid", [gen(40, 100), gen(41, 100, shift=0.15), gen(42, 100, shift=0.05)]),
    ("two_tiny", [stored([1.0, 2.0]), stored([3.0, 4.0, 5.0])]),
    ("three_tiny_n3", [stored([1.0]), stored([2.0]), stored([2.0])]),
]:
    xs = [sample(d) for d in descs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = stats.anderson_ksamp(xs)
    anderson_k.append({"name": name, "samples": descs,
                       "anderson": [float(r.statistic), [float(c) for c in r.critical_values],
                                    float(r.significance_level)]})


# Weighted Wasserstein and energy distances (weights from the uniform generator, some
# with ties in the values and zero weights).
weighted = []
for name, da, db, dwa, dwb in [
    ("normal_both_weighted", gen(50, 300), gen(51, 200, shift=0.2), gen(52, 300, "uniform"),
     gen(53, 200, "uniform", scale=3.0, shift=0.5)),
    ("discrete_u_weighted", gen(54, 400, "discrete", k=7), gen(55, 350, "discrete", k=6),
     gen(56, 400, "discrete", k=3), None),
    ("tiny_v_weighted", stored([0.0, 1.0, 3.0]), stored([0.5, 0.5, 2.0]), None,
     stored([1.0, 0.0, 2.5])),
]:
    a, b = sample(da), sample(db)
    wa = None if dwa is None else sample(dwa)
    wb = None if dwb is None else sample(dwb)
    weighted.append({"name": name, "a": da, "b": db, "wa": dwa, "wb": dwb,
                     "wasserstein": float(stats.wasserstein_distance(a, b, wa, wb)),
                     "energy": float(stats.energy_distance(a, b, wa, wb))})


def ztest(c1, n1, c2, n2):
    p_pooled = (c1 + c2) / (n1 + n2)
    se = math.sqrt(p_pooled * (1 - p_pooled) * (1 / n1 + 1 / n2))
    z = (c1 / n1 - c2 / n2) / se
    return [z, float(2 * stats.norm.sf(abs(z)))]


zcases = []
for c1, n1, c2, n2 in [(30, 100, 45, 100), (5, 20, 9, 25), (1, 1000, 0, 500),
                       (480, 1000, 520, 1000), (700, 1000, 300, 1000),
                       (12345, 100000, 1300, 10000), (3, 7, 3, 7), (0, 10, 10, 10),
                       (1234.5, 4000.25, 333.0, 1000.0)]:
    zcases.append({"args": [c1, n1, c2, n2], "z": ztest(c1, n1, c2, n2)})

# kstwo.sf on a grid that reaches every branch of scipy's _kolmogn (the asymptotic KS
# p-value): Ruben-Gambino ends, Durbin matrix, Pomeranz, Pelz-Good, smirnov (exact sum and
# the n > 1e6 approximation), for n on both sides of each cut-off.
kstwo = []
for n in [1, 2, 3, 5, 10, 37, 140, 141, 500, 5000, 100000, 100001, 999999, 1000001, 3000000]:
    xs = {0.4 / n, 0.5 / n, 0.7 / n, 1.0 / n, 1.5 / n, 3.0 / n, (n - 1.0) / n, 0.99,
          0.6, 0.5, 0.45, 0.3, 0.1}
    for nx2 in [0.05, 0.3, 0.754693, 0.9, 2.0, 2.2, 3.9, 4.1, 10.0, 17.0, 19.0, 100.0, 400.0]:
        xs.add(math.sqrt(nx2 / n))
    for nx15 in [0.5, 1.3, 1.5]:
        xs.add((nx15 / n) ** (2.0 / 3.0))
    for x in sorted(xs):
        if 0.0 < x < 1.0:
            kstwo.append([n, x, float(stats.kstwo.sf(x, n))])


def no_nan(x):
    # JSON has no NaN: scipy's NaN (a p-value outside the distribution's domain) is null.
    if isinstance(x, float) and math.isnan(x):
        return None
    if isinstance(x, list):
        return [no_nan(v) for v in x]
    if isinstance(x, dict):
        return {k: no_nan(v) for k, v in x.items()}
    return x


out = {"scipy": scipy.__version__, "cases": cases, "anderson_k": anderson_k,
       "ztest": zcases, "kstwo_sf": kstwo,
       "weighted": weighted}
with open(OUT, "w") as f:
    json.dump(no_nan(out), f, separators=(",", ":"), allow_nan=False)
print(OUT, os.path.getsize(OUT), "bytes,", len(cases), "pair cases")
