#!/usr/bin/env python3
"""Golden values for the Cochran–Mantel–Haenszel test, from statsmodels.

Rerun: python3 scripts/golden/cmh.py > Tests/StatsTests/Fixtures/cmh.json
"""
import json
import random

import numpy as np
from statsmodels.stats.contingency_tables import StratifiedTable

random.seed(20261123)
cases = []
for _ in range(60):
    strata = []
    for _ in range(random.randint(2, 10)):
        nt, nc = random.randint(3, 40), random.randint(3, 40)
        pt, pc = random.uniform(0.05, 0.6), random.uniform(0.05, 0.6)
        strata.append([sum(random.random() < pt for _ in range(nt)), nt, sum(random.random() < pc for _ in range(nc)), nc])
    tables = np.array([[[a, t - a], [c, n - c]] for a, t, c, n in strata], dtype=float).transpose(1, 2, 0)
    st = StratifiedTable(tables)
    test = st.test_null_odds(correction=True)
    if not np.isfinite(test.statistic):
        continue
    cases.append({
        "strata": strata,
        "statistic": float(test.statistic),
        "p_value": float(test.pvalue),
        "odds_ratio": float(st.oddsratio_pooled),
    })
print(json.dumps({"generator": "statsmodels StratifiedTable", "cases": cases}, indent=1))
