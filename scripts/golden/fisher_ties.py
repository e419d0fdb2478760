#!/usr/bin/env python3
"""Golden two-sided Fisher p-values where the tie tolerance decides: tables whose probability lies within
1e-7 of another table's (R's tolerance counts it as a tie, scipy's 1e-14 does not), and mirror tables of equal
arms (true ties every tolerance must count).

Rerun: python3 scripts/golden/fisher_ties.py > Tests/StatsTests/Fixtures/fisher_ties.json
"""
import json

import scipy
from scipy import stats

tables = []
# Near-ties found by a differential run against scipy (2026-11-24), with their mirrors.
for x1, n1, x2, n2 in [(40, 146, 20, 58), (106, 146, 38, 58), (38, 144, 20, 60), (106, 144, 40, 60)]:
    tables += [(x1, n1, x2, n2), (x2, n2, x1, n1)]
# True ties: equal arms, where a table and its mirror are exactly as likely.
for n in [10, 37, 60, 150]:
    for x1 in range(0, n + 1, max(1, n // 6)):
        tables.append((x1, n, n // 2, n))
cases = [{"x1": x1, "n1": n1, "x2": x2, "n2": n2,
          "p": float(stats.fisher_exact([[x1, x2], [n1 - x1, n2 - x2]]).pvalue)} for x1, n1, x2, n2 in tables]
print(json.dumps({"generator": f"scipy {scipy.__version__} fisher_exact, two-sided", "cases": cases}, indent=1))
