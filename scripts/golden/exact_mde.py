#!/usr/bin/env python3
"""Golden values for the exact (Boschloo) minimum detectable lift that `analyze` and the report give when
the normal approximation is unreliable (few expected conversions), from scipy's `boschloo_exact`.

The rejection region is scipy's test applied to every table (two-sided p <= alpha); the power at p2 is the
binomial probability of that region; the MDE is the lift p2 - p1 at which the power reaches the target
(brentq). Tables whose p-value lies within 1e-4 of alpha are reported, since scipy's grid supremum may
sit slightly below the exact one there. Each case also gives the power at a 10-point lift (`power_at_lift`),
and the 1:1 cases with p1 = 0 the total deals a 10-point lift needs at 1:1 (`deals_needed_at_lift`): the first
total, trying every one from 2 up (split as evenly as possible, the baseline taking the odd deal), whose
region reaches the target power. With p1 = 0 only the tables with no baseline conversion can occur, so only
their row is computed.

Rerun: python3 scripts/golden/exact_mde.py > Tests/StatsTests/Fixtures/exact_mde.json
"""
import json

import numpy as np
from scipy import optimize, stats

CASES = [  # n1 (baseline), n2 (treatment), p1, alpha, power
    (50, 50, 0.0, 0.05, 0.8),
    (40, 60, 0.0, 0.05, 0.8),
    (30, 30, 0.0, 0.025, 0.8),
    (25, 25, 0.04, 0.05, 0.8),
]


def region(n1, n2, p1, alpha):
    rows = [0] if p1 == 0 else range(n1 + 1)
    rejected = np.zeros((n1 + 1, n2 + 1))
    closest = 1.0
    for x1 in rows:
        for x2 in range(n2 + 1):
            p = stats.boschloo_exact([[x1, x2], [n1 - x1, n2 - x2]], alternative="two-sided", n=64).pvalue
            closest = min(closest, abs(p - alpha))
            rejected[x1, x2] = p <= alpha
    return rejected, closest


LIFT = 0.1


def deals_needed_at_lift(alpha, target, p1=0.0, largest=400):
    for total in range(2, largest + 1):
        n1, n2 = (total + 1) // 2, total // 2
        rejected, _ = region(n1, n2, p1, alpha)
        reach = rejected[0] @ stats.binom.pmf(np.arange(n2 + 1), n2, p1 + LIFT)
        if reach >= target:
            return total
    return None


cases = []
for n1, n2, p1, alpha, target in CASES:
    rejected, closest = region(n1, n2, p1, alpha)
    b1 = stats.binom.pmf(np.arange(n1 + 1), n1, p1)

    def power(p2):
        return float(b1 @ rejected @ stats.binom.pmf(np.arange(n2 + 1), n2, p2))

    mde = optimize.brentq(lambda d: power(p1 + d) - target, 1e-9, 1 - p1, xtol=1e-13) if power(1.0) >= target else None
    case = {"n1": n1, "n2": n2, "p1": p1, "alpha": alpha, "power": target, "mde": mde,
            "closest_p_to_alpha": closest, "lift": LIFT, "power_at_lift": power(p1 + LIFT)}
    if p1 == 0 and n1 == n2:
        case["deals_needed_at_lift"] = deals_needed_at_lift(alpha, target)
    cases.append(case)
print(json.dumps({"generator": f"scipy {__import__('scipy').__version__} boschloo_exact(n=64)", "cases": cases}, indent=1))
