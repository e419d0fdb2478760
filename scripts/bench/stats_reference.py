#!/usr/bin/env python3
"""The scipy/statsmodels side of scripts/bench/stats.sh, and the report that puts both sides together.

    stats_reference.py tables            # print the benchmark tables, one "x1 n1 x2 n2" per line (seeded)
    stats_reference.py time < tables     # time scipy/statsmodels in-process on those tables (TSV like StatsBenchmark)
    stats_reference.py report SWIFT.tsv PYTHON.tsv [HYPERFINE.json]
"""

import json
import sys
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")


def tables():
    rng = np.random.default_rng(7)
    for _ in range(40):
        n1, n2 = (int(v) for v in rng.integers(50, 151, size=2))
        p1 = rng.uniform(0.1, 0.4)
        p2 = min(max(p1 + rng.normal(0, 0.08), 0.0), 1.0)
        print(int(rng.binomial(n1, p1)), n1, int(rng.binomial(n2, p2)), n2)


def seconds_per_call(repetitions, body):
    """Best of 3 rounds of `repetitions` calls, after a warm-up call (like the Swift side)."""
    body()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(repetitions):
            body()
        best = min(best, (time.perf_counter() - start) / repetitions)
    return best


def exact_two_sided_at_half(x1, n1, x2, n2):
    """Boschloo's two-sided p-value in exact rational arithmetic when n1 == n2 (then P(pi) = P(1 - pi) and
    the supremum of the "less" side is at pi = 1/2 for this table); for judging rounding, not speed."""
    from fractions import Fraction
    from math import comb
    total = n1 + n2

    def statistic(y1, s):
        low = max(0, s - n2)
        return Fraction(sum(comb(n1, y) * comb(n2, s - y) for y in range(low, y1 + 1)), comb(total, s))

    observed = statistic(x1, x1 + x2)
    count = sum(comb(n1, a) * comb(n2, b) for a in range(n1 + 1) for b in range(n2 + 1)
                if statistic(a, a + b) <= observed)
    return 2 * Fraction(count, 2 ** total)


def full_analysis(x1, n1, x2, n2):
    """What ProportionAnalysis.analyze computes for two arms, with the reference libraries."""
    from scipy import integrate, stats
    from statsmodels.stats.multitest import multipletests
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import (confint_proportions_2indep, proportion_confint,
                                              proportion_effectsize, proportions_ztest)
    table = [[x2, x1], [n2 - x2, n1 - x1]]
    p_value = stats.boschloo_exact(table).pvalue
    stats.fisher_exact(table)
    proportions_ztest([x2, x1], [n2, n1])
    proportion_confint(x1, n1, method="wilson")
    proportion_confint(x2, n2, method="wilson")
    confint_proportions_2indep(x2, n2, x1, n1, method="newcomb", compare="diff")
    confint_proportions_2indep(x2, n2, x1, n1, method="log", compare="ratio")
    a1, b1, a2, b2 = 1 + x1, 1 + n1 - x1, 1 + x2, 1 + n2 - x2
    integrate.quad(lambda t: stats.beta.pdf(t, a1, b1) * stats.beta.sf(t, a2, b2), 0, 1)
    integrate.quad(lambda t: stats.beta.pdf(t, a1, b1) * (t * stats.beta.cdf(t, a2, b2)
                                                            - a2 / (a2 + b2) * stats.beta.cdf(t, a2 + 1, b2)), 0, 1)
    multipletests([p_value], method="holm")
    stats.chisquare([n1, n2])
    power = NormalIndPower()
    power.solve_power(effect_size=None, nobs1=n1, alpha=0.05, power=0.8, ratio=n2 / n1)
    power.solve_power(effect_size=proportion_effectsize(x1 / n1 + 0.15, x1 / n1), alpha=0.05, power=0.8)
    return p_value


def time_reference():
    from scipy.stats import boschloo_exact, fisher_exact
    rows = [tuple(int(v) for v in line.split()) for line in sys.stdin if line.strip()]
    scipy_tables = [[[x1, x2], [n1 - x1, n2 - x2]] for x1, n1, x2, n2 in rows]

    def run_fisher():
        for table in scipy_tables:
            fisher_exact(table)

    def run_boschloo():
        for table in scipy_tables:
            boschloo_exact(table)

    print(f"fisher_exact\t{seconds_per_call(5, run_fisher) / len(rows)}\t{len(rows)} tables")
    print(f"boschloo_exact\t{seconds_per_call(1, run_boschloo) / len(rows)}\t{len(rows)} tables")
    big = boschloo_exact([[12, 24], [63, 51]])
    print(f"boschloo_75v75\t{seconds_per_call(10, lambda: boschloo_exact([[12, 24], [63, 51]]))}\tp={big.pvalue}")
    print(f"boschloo_75v75_exact\t0\tp={float(exact_two_sided_at_half(12, 75, 24, 75))}")
    print(f"analysis_75v75\t{seconds_per_call(5, lambda: full_analysis(24, 75, 12, 75))}\tscipy+statsmodels equivalent")
    print(f"analysis_110v110\t{seconds_per_call(5, lambda: full_analysis(30, 110, 20, 110))}\tscipy+statsmodels equivalent")
    call = boschloo_exact([[30, 20], [80, 90]])
    print(f"boschloo_110v110\t{seconds_per_call(10, lambda: boschloo_exact([[30, 20], [80, 90]]))}\tp={call.pvalue}")


def read_tsv(path):
    out = {}
    with open(path) as handle:
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and not line.startswith("#"):
                out[parts[0]] = (float(parts[1]), parts[2] if len(parts) > 2 else "")
    return out


def pretty(seconds):
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.2f} µs"


def report(swift_path, python_path, hyperfine_path=None):
    swift, python = read_tsv(swift_path), read_tsv(python_path)
    print(f"{'measurement':<22}{'Stats (Swift)':>16}{'scipy/statsmodels':>20}{'speed-up':>11}  target")
    targets = {"fisher_exact": 20, "boschloo_exact": 20, "boschloo_75v75": 20}
    failures = []
    for name in ["fisher_exact", "boschloo_exact", "boschloo_75v75", "analysis_75v75", "analysis_110v110"]:
        if name not in swift or name not in python:
            continue
        ratio = python[name][0] / swift[name][0]
        target = targets.get(name)
        verdict = "" if target is None else (f">= {target}x ok" if ratio >= target else f">= {target}x MISSED")
        if target is not None and ratio < target:
            failures.append(name)
        print(f"{name:<22}{pretty(swift[name][0]):>16}{pretty(python[name][0]):>20}{ratio:>10.1f}x  {verdict}")
    ours = float(swift["boschloo_75v75"][1].split()[0].split("=")[1])
    theirs = float(python["boschloo_75v75"][1].split("=")[1])
    exact = float(python["boschloo_75v75_exact"][1].split("=")[1]) if "boschloo_75v75_exact" in python else None
    print("\nBoschloo 75 vs 75 (12/75 vs 24/75), two-sided p = 2 x supremum:")
    print(f"  Stats               {ours!r}")
    print(f"  scipy (n=32)        {theirs!r}")
    if exact is not None:
        print(f"  exact (rational, pi = 1/2) {exact!r}")
    if ours >= theirs:
        print("  Stats >= scipy")
    elif exact is not None and abs(ours - exact) <= abs(theirs - exact):
        # Both evaluate the same polynomial at the same maximiser; the last digits are rounding, and ours
        # is the closer one to the exact value.
        print(f"  Stats < scipy by {(theirs - ours) / theirs:.1e} relative: rounding, and Stats is closer to the exact value")
    else:
        failures.append("supremum below scipy")
    if hyperfine_path and "boschloo_110v110" in python:
        with open(hyperfine_path) as handle:
            result = json.load(handle)["results"][0]
        mean, stddev = result["mean"], result["stddev"]
        scipy_call = python["boschloo_110v110"][0]
        print(f"\n`journeylab analyze` 110 vs 110, whole process (hyperfine): {pretty(mean)} ± {pretty(stddev)}")
        print(f"scipy boschloo_exact(110 vs 110) call alone, in-process:   {pretty(scipy_call)}")
        print(f"whole process is {scipy_call / mean:.1f}x faster than the scipy call alone")
    if failures:
        print("\nmissed: " + ", ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "tables":
        tables()
    elif command == "time":
        time_reference()
    elif command == "report":
        sys.exit(report(*sys.argv[2:5]))
    else:
        sys.exit(__doc__)
