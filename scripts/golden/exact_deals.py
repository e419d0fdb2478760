#!/usr/bin/env python3
"""Golden "deals needed" for the exact Fisher test: the first total number of deals, split by the weights
(largest remainders), whose two-sided Fisher test reaches the target power, found by trying every total from 2
up. Exact power is saw-toothed in the total (a larger total can have less power), so a search that walks from
an estimate may stop at the wrong tooth; this is the brute-force answer.

The rejection region is built from scipy's hypergeometric probabilities with scipy's `fisher_exact` tie rule
(relative 1e-14); the power is the binomial probability of that region.

Rerun: python3 scripts/golden/exact_deals.py > Tests/StatsTests/Fixtures/exact_deals.json
"""
import json
import math

import numpy as np
import scipy
from scipy import stats

CASES = [  # baseline rate, lift, (baseline weight, treatment weight), alpha, power
    (0.43, 0.173, (1, 2), 0.1, 0.9),  # the case a differential run found (the walk stopped at 321, not 318)
    (0.2, 0.15, (1, 1), 0.05, 0.8),
    (0.1, 0.2, (1, 1), 0.05, 0.8),
    (0.5, -0.25, (1, 1), 0.05, 0.8),
    (0.3, 0.2, (1, 3), 0.05, 0.8),
    (0.05, 0.15, (2, 1), 0.05, 0.9),
]


def split(total, weights):
    exact = [total * w / sum(weights) for w in weights]
    parts = [math.floor(e) for e in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for k in range(total - sum(parts)):
        parts[order[k % len(order)]] += 1
    return parts


def rejected_region(n1, n2, alpha):
    region = np.zeros((n1 + 1, n2 + 1), dtype=bool)
    for total in range(n1 + n2 + 1):
        x1 = np.arange(max(0, total - n2), min(total, n1) + 1)
        pmf = stats.hypergeom.pmf(x1, n1 + n2, n1, total)
        ordered = np.sort(pmf)
        cumulative = np.cumsum(ordered)
        last = np.searchsorted(ordered, pmf * (1 + 1e-14), side="right")
        p = np.minimum(np.where(last > 0, cumulative[np.maximum(last - 1, 0)], 0.0), 1.0)
        if total == 0 or total == n1 + n2:
            p = np.ones_like(p)  # an empty row or column: p = 1, as scipy says
        region[x1[p <= alpha], total - x1[p <= alpha]] = True
    return region


def power(n1, n2, p1, p2, alpha):
    return float(stats.binom.pmf(np.arange(n1 + 1), n1, p1) @ rejected_region(n1, n2, alpha)
                 @ stats.binom.pmf(np.arange(n2 + 1), n2, p2))


cases = []
for p1, lift, weights, alpha, target in CASES:
    for total in range(2, 2001):
        n1, n2 = split(total, weights)
        if n1 == 0 or n2 == 0:
            continue
        reached = power(n1, n2, p1, p1 + lift, alpha)
        if reached >= target:
            break
    cases.append({"baseline_rate": p1, "lift": lift, "weights": list(weights), "alpha": alpha, "power": target,
                  "deals": [n1, n2], "power_reached": reached})
print(json.dumps({"generator": f"scipy {scipy.__version__} hypergeom/binom, Fisher two-sided", "cases": cases}, indent=1))
