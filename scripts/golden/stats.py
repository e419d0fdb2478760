#!/usr/bin/env python3
"""Generate the golden fixture for the Stats module's tests from the reference libraries.

    pip install scipy statsmodels          # scipy >= 1.11 (boschloo_exact, multivariate_normal lower_limit)
    python3 scripts/golden/stats.py > Tests/StatsTests/Fixtures/golden.json

Every number in the fixture comes from scipy or statsmodels, or from a brute-force computation
written here with them (dense-grid Boschloo supremum, Freeman-Halton enumeration, exact power by
enumerating each test's rejection region, group-sequential boundaries solved with
scipy.stats.multivariate_normal.cdf, Bayesian quantities by scipy.integrate.quad). The random
tables and samples come from a seeded numpy Generator, so reruns give the same file.
Runs in a few minutes on 2 cores.
"""

import json
import math
import sys

import numpy as np
import scipy
import statsmodels
from scipy import integrate, optimize, special, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportion_effectsize,
    proportions_ztest,
    test_proportions_2indep,
)

SEED = 20250101
rng = np.random.default_rng(SEED)


def num(value):
    """A JSON number, or None for NaN/inf (the Swift side reads null as 'not finite')."""
    value = float(value)
    return value if math.isfinite(value) else None


# --------------------------------------------------------------------------- special functions


def special_functions():
    gammaln_points = [1e-8, 0.1, 0.5, 0.9, 1.0, 1.5, 2.0, 2.5, 3.7, 9.99, 10.0, 10.5, 25.3, 100.5, 171.2,
                      1000.5, 12345.6]
    gammaln_points += list(np.exp(rng.uniform(np.log(0.01), np.log(5000), 20)))
    shapes = [0.5, 1.0, 2.5, 7.0, 30.0, 101.0, 250.5]
    xs = [1e-5, 0.01, 0.2, 0.5, 0.8, 0.99]
    betainc = []
    for a in shapes:
        for b in shapes:
            for x in xs:
                lower = special.betainc(a, b, x)
                upper = special.betaincc(a, b, x)
                betainc.append({"a": a, "b": b, "x": x, "lower": num(lower), "upper": num(upper)})
    gammainc = []
    for a in [0.5, 1.0, 1.5, 2.0, 5.0, 10.5, 40.0]:
        for x in [0.01, 0.5, 1.0, 3.0, 10.0, 30.0, 80.0]:
            gammainc.append({"a": a, "x": x, "lower": num(special.gammainc(a, x)),
                             "upper": num(special.gammaincc(a, x))})
    ndtr = [{"x": x, "cdf": num(special.ndtr(x)), "sf": num(stats.norm.sf(x))}
            for x in [-38.0, -20.0, -10.0, -5.0, -1.959964, -0.3, 0.0, 0.3, 1.959964, 5.0, 8.0]]
    ndtri = [{"p": p, "x": num(special.ndtri(p))}
             for p in [1e-300, 1e-20, 1e-8, 0.001, 0.025, 0.075, 0.3, 0.5, 0.7, 0.925, 0.975, 0.999, 1 - 1e-10]]
    chi2 = [{"x": x, "k": k, "cdf": num(stats.chi2.cdf(x, k)), "sf": num(stats.chi2.sf(x, k))}
            for x in [0.1, 1.0, 3.84, 10.0, 30.0, 100.0] for k in [1, 2, 3, 4, 5]]
    student = [{"t": t, "df": df, "cdf": num(stats.t.cdf(t, df)), "sf": num(stats.t.sf(t, df))}
               for t in [-5.0, -2.0, -0.5, 0.0, 0.5, 2.0, 5.0, 30.0] for df in [1.0, 2.5, 7.3, 30.0, 200.7]]
    beta_quantiles = []
    for p in [0.005, 0.025, 0.05, 0.5, 0.95]:
        for a, b in [(1, 200), (3, 48), (4, 47), (0.5, 0.5), (20, 5), (150, 60), (2.5, 7.5)]:
            beta_quantiles.append({"p": p, "a": a, "b": b, "ppf": num(stats.beta.ppf(p, a, b)),
                                   "isf": num(stats.beta.isf(p, a, b))})
    return {
        "gammaln": [{"x": float(x), "y": num(special.gammaln(x))} for x in gammaln_points],
        "betaln": [{"a": a, "b": b, "y": num(special.betaln(a, b))} for a in shapes for b in shapes],
        "betainc": betainc,
        "gammainc": gammainc,
        "ndtr": ndtr,
        "ndtri": ndtri,
        "chi2": chi2,
        "t": student,
        "beta_quantiles": beta_quantiles,
    }


# --------------------------------------------------------------------------- Boschloo, dense reference


def boschloo_region(x1, n1, x2, n2, alternative):
    """scipy's rejection region for the one-sided statistic (same formulas and tolerance)."""
    total = n1 + n2
    a1 = np.arange(n1 + 1).reshape(1, -1)
    a2 = np.arange(n2 + 1).reshape(-1, 1)
    if alternative == "less":
        pvalues = stats.hypergeom.cdf(a1, total, a1 + a2, n1).T
    else:
        pvalues = stats.hypergeom.cdf(a2, total, a1 + a2, n2).T
    statistic = pvalues[x1, x2]
    return statistic, pvalues <= statistic * (1 + 1e-13)


def region_probability(region, n1, n2, pis):
    b1 = stats.binom.pmf(np.arange(n1 + 1)[:, None], n1, pis[None, :])
    b2 = stats.binom.pmf(np.arange(n2 + 1)[:, None], n2, pis[None, :])
    return np.einsum("ig,ig->g", b1, region.astype(float) @ b2)


def dense_supremum(region, n1, n2, grid=2001):
    """sup over pi of P_pi(region): a dense grid uniform in asin(sqrt(pi)), then bounded refinement."""
    thetas = np.linspace(0, np.pi / 2, grid)
    values = region_probability(region, n1, n2, np.sin(thetas) ** 2)
    best = float(values.max())
    order = np.argsort(values)[::-1]
    refined = 0
    for index in order:
        if refined >= 6 or values[index] < 0.5 * best:
            break
        left = values[index - 1] if index > 0 else -1
        right = values[index + 1] if index < grid - 1 else -1
        if values[index] < left or values[index] < right:
            continue
        refined += 1
        lo = thetas[max(index - 1, 0)]
        hi = thetas[min(index + 1, grid - 1)]
        result = optimize.minimize_scalar(
            lambda th: -region_probability(region, n1, n2, np.array([np.sin(th) ** 2]))[0],
            bounds=(lo, hi), method="bounded", options={"xatol": 1e-13})
        best = max(best, -float(result.fun))
    return min(best, 1.0)


def boschloo_dense(x1, n1, x2, n2):
    out = {}
    for alternative in ["less", "greater"]:
        _, region = boschloo_region(x1, n1, x2, n2, alternative)
        out[alternative] = dense_supremum(region, n1, n2)
    out["two-sided"] = min(2 * min(out["less"], out["greater"]), 1.0)
    return out


# --------------------------------------------------------------------------- two-proportion tables


def beta_integral(integrand, *means):
    points = sorted(m for m in means if 0 < m < 1)
    value, _ = integrate.quad(integrand, 0, 1, points=points or None, epsabs=1e-14, epsrel=1e-13, limit=500)
    return value


def bayes(x1, n1, x2, n2, prior=(1.0, 1.0)):
    """P(p1 > p2) and E[max(p2 - p1, 0)] for Beta posteriors, by quadrature."""
    a1, b1 = prior[0] + x1, prior[1] + n1 - x1
    a2, b2 = prior[0] + x2, prior[1] + n2 - x2
    m1, m2 = a1 / (a1 + b1), a2 / (a2 + b2)
    prob = beta_integral(lambda t: stats.beta.pdf(t, a2, b2) * stats.beta.sf(t, a1, b1), m1, m2)
    # E[max(t - p1, 0)] = t F1(t) - m1 F1+(t), with F1+ the cdf of Beta(a1 + 1, b1).
    loss = beta_integral(
        lambda t: stats.beta.pdf(t, a2, b2) * (t * stats.beta.cdf(t, a1, b1) - m1 * stats.beta.cdf(t, a1 + 1, b1)),
        m1, m2)
    return prob, loss


def table_entry(x1, n1, x2, n2, label):
    table = [[x1, x2], [n1 - x1, n2 - x2]]
    entry = {"label": label, "x1": x1, "n1": n1, "x2": x2, "n2": n2}
    entry["fisher"] = {alt: num(stats.fisher_exact(table, alternative=alt).pvalue)
                       for alt in ["two-sided", "less", "greater"]}
    scipy_less = stats.boschloo_exact(table, alternative="less").pvalue
    scipy_greater = stats.boschloo_exact(table, alternative="greater").pvalue
    entry["boschloo_scipy"] = {"less": num(scipy_less), "greater": num(scipy_greater),
                               "two-sided": num(stats.boschloo_exact(table).pvalue)}
    entry["boschloo_dense"] = {k: num(v) for k, v in boschloo_dense(x1, n1, x2, n2).items()}
    z, p = proportions_ztest([x1, x2], [n1, n2])
    entry["ztest_pooled"] = {"z": num(z), "p": num(p)}
    wald = test_proportions_2indep(x1, n1, x2, n2, method="wald", compare="diff")
    entry["ztest_unpooled"] = {"z": num(wald.statistic), "p": num(wald.pvalue)}
    entry["intervals"] = []
    for alpha in [0.05, 0.1]:
        w1 = proportion_confint(x1, n1, alpha=alpha, method="wilson")
        w2 = proportion_confint(x2, n2, alpha=alpha, method="wilson")
        c1 = proportion_confint(x1, n1, alpha=alpha, method="beta")
        c2 = proportion_confint(x2, n2, alpha=alpha, method="beta")
        newcombe = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff", alpha=alpha)
        katz = (confint_proportions_2indep(x1, n1, x2, n2, method="log", compare="ratio", alpha=alpha)
                if x1 > 0 and x2 > 0 else None)
        katz_adj = confint_proportions_2indep(x1, n1, x2, n2, method="log-adjusted", compare="ratio", alpha=alpha)
        entry["intervals"].append({
            "alpha": alpha,
            "wilson1": [num(v) for v in w1], "wilson2": [num(v) for v in w2],
            "clopper1": [num(v) for v in c1], "clopper2": [num(v) for v in c2],
            "newcombe": [num(v) for v in newcombe],
            "katz_log": [num(v) for v in katz] if katz is not None else None,
            "katz_adjusted": [num(v) for v in katz_adj],
        })
    prob, loss = bayes(x1, n1, x2, n2)
    entry["prob_1_beats_2"] = num(prob)
    entry["expected_loss_choosing_1"] = num(loss)
    return entry


def tables():
    fixed = [
        (0, 50, 4, 50, "issue example: 0/50 vs 4/50"),
        (24, 65, 12, 60, "DESIGN example: treatment 24/65 vs control 12/60"),
        (12, 75, 24, 75, "75 vs 75"),
        (0, 20, 3, 25, "zero conversions in one arm"),
        (5, 30, 0, 30, "zero conversions in the other arm"),
        (0, 40, 0, 40, "zero conversions in both arms"),
        (10, 10, 8, 10, "all converted in one arm"),
        (12, 12, 15, 15, "all converted in both arms"),
        (0, 1, 1, 1, "one deal per arm"),
        (1, 2, 0, 3, "two and three deals"),
        (2, 5, 5, 5, "five deals, one arm all converted"),
        (1, 4, 3, 5, "four and five deals"),
        (0, 3, 0, 2, "tiny arms, nothing converted"),
        (3, 15, 30, 135, "1:9 allocation"),
        (2, 12, 40, 108, "1:9 allocation, lower arm first"),
        (25, 90, 1, 10, "9:1 allocation"),
        (40, 200, 60, 200, "200 vs 200"),
        (150, 200, 170, 200, "200 vs 200, high rates"),
        (20, 110, 30, 110, "110 vs 110"),
    ]
    entries = []
    for x1, n1, x2, n2, label in fixed:
        entries.append(table_entry(x1, n1, x2, n2, label))
    for index in range(200):
        n1, n2 = (int(v) for v in rng.integers(5, 201, size=2))
        p1 = rng.uniform(0.02, 0.6)
        p2 = float(np.clip(p1 + rng.normal(0, 0.1), 0, 1))
        x1, x2 = int(rng.binomial(n1, p1)), int(rng.binomial(n2, p2))
        entries.append(table_entry(x1, n1, x2, n2, f"random {index}"))
        print(f"table {index}", file=sys.stderr) if index % 25 == 0 else None
    return entries


# --------------------------------------------------------------------------- more than two arms


def freeman_halton(successes, trials):
    """Brute force: enumerate every 2xk table with the observed margins (multivariate hypergeometric)."""
    total = sum(successes)
    k = len(trials)
    grids = np.meshgrid(*[np.arange(n + 1) for n in trials[:-1]], indexing="ij")
    first = np.stack([g.ravel() for g in grids], axis=1)
    last = total - first.sum(axis=1)
    keep = (last >= 0) & (last <= trials[-1])
    tables = np.column_stack([first[keep], last[keep]])
    pmf = stats.multivariate_hypergeom.pmf(tables, m=trials, n=total)
    observed = stats.multivariate_hypergeom.pmf(successes, m=trials, n=total)
    assert tables.shape[1] == k
    return float(min(pmf[pmf <= observed * (1 + 1e-7)].sum(), 1.0))


def probability_best(successes, trials, prior=(1.0, 1.0)):
    shapes = [(prior[0] + x, prior[1] + n - x) for x, n in zip(successes, trials)]
    means = [a / (a + b) for a, b in shapes]
    result = []
    for j, (aj, bj) in enumerate(shapes):
        def integrand(t, j=j, aj=aj, bj=bj):
            value = stats.beta.pdf(t, aj, bj)
            for i, (a, b) in enumerate(shapes):
                if i != j:
                    value *= stats.beta.cdf(t, a, b)
            return value
        result.append(beta_integral(integrand, *means))
    return result


def multi_arm():
    cases = [
        ([12, 24, 18], [60, 65, 62]),
        ([5, 9, 4], [30, 30, 30]),
        ([0, 3, 1], [20, 20, 20]),
        ([10, 14, 8, 20], [40, 40, 40, 40]),
        ([3, 5, 6, 1], [15, 15, 15, 15]),
        ([20, 22, 18, 25], [25, 25, 25, 25]),
        ([7, 15], [40, 45]),
        ([2, 9, 5], [12, 30, 18]),
    ]
    out = []
    for successes, trials in cases:
        out.append({"successes": successes, "trials": trials,
                    "freeman_halton": num(freeman_halton(successes, trials)),
                    "prob_best": [num(v) for v in probability_best(successes, trials)]})
    return out


def bayes_priors():
    out = []
    for prior in [(0.5, 0.5), (2.0, 8.0), (1.5, 3.0), (3.0, 1.5)]:
        for x1, n1, x2, n2 in [(24, 65, 12, 60), (0, 50, 4, 50), (3, 10, 5, 12)]:
            prob, loss = bayes(x1, n1, x2, n2, prior)
            out.append({"prior": list(prior), "x1": x1, "n1": n1, "x2": x2, "n2": n2,
                        "prob_1_beats_2": num(prob), "expected_loss_choosing_1": num(loss)})
    return out


# --------------------------------------------------------------------------- multiple testing, SRM


def multiple_testing():
    vectors = [[0.01, 0.04, 0.03, 0.005], [0.2, 0.2, 0.01], [0.049, 0.051], [0.5], [0.001, 0.3, 0.3, 0.02, 0.9, 0.04]]
    for _ in range(10):
        size = int(rng.integers(2, 9))
        vectors.append([float(v) for v in rng.uniform(0, 0.2, size) ** rng.uniform(1, 3)])
    return [{"p": v, "holm": [num(x) for x in multipletests(v, method="holm")[1]],
             "bh": [num(x) for x in multipletests(v, method="fdr_bh")[1]]} for v in vectors]


def chisquare():
    cases = [([50, 50], [1, 1]), ([40, 80], [1, 1]), ([30, 120], [1, 4]), ([33, 29, 41], [1, 1, 1]),
             ([60, 25, 35], [2, 1, 1]), ([75, 76], [1, 1]), ([10, 11, 9, 30], [1, 1, 1, 1])]
    out = []
    for observed, weights in cases:
        expected = np.array(weights, float) / sum(weights) * sum(observed)
        result = stats.chisquare(observed, f_exp=expected)
        out.append({"observed": observed, "weights": weights, "statistic": num(result.statistic),
                    "p": num(result.pvalue)})
    return out


# --------------------------------------------------------------------------- revenue


def revenue():
    out = []
    for index in range(12):
        nx, ny = (int(v) for v in rng.integers(5, 61, size=2))
        if index % 3 == 2:
            x = rng.choice([0.0, 500.0, 1000.0, 1500.0], size=nx)
            y = rng.choice([0.0, 500.0, 1000.0], size=ny)
        else:
            x = np.round(rng.lognormal(7, 1, size=nx), -2)
            y = np.round(rng.lognormal(6.8, 1.1, size=ny), -2)
        out.append(revenue_case(x, y))
    # Degenerate: every value tied (Welch is undefined, Mann-Whitney's p is 1 in scipy).
    out.append(revenue_case(np.array([500.0] * 3), np.array([500.0] * 2)))
    return out


def revenue_case(x, y):
    with np.errstate(all="ignore"):
        welch = stats.ttest_ind(x, y, equal_var=False)
        mwu = stats.mannwhitneyu(x, y, method="asymptotic", use_continuity=True, alternative="two-sided")
    return {"x": [float(v) for v in x], "y": [float(v) for v in y],
            "welch": {"t": num(welch.statistic), "df": num(welch.df), "p": num(welch.pvalue)},
            "mwu": {"u": num(mwu.statistic), "p": num(mwu.pvalue)}}


# --------------------------------------------------------------------------- power


def power_normal():
    analysis = NormalIndPower()
    out = []
    for p1 in [0.05, 0.2, 0.35, 0.5]:
        for lift in [0.05, 0.1, 0.15, 0.2]:
            for nobs1, ratio, alpha in [(30, 1, 0.05), (75, 1, 0.05), (150, 1, 0.05), (40, 4, 0.05),
                                        (120, 0.25, 0.05), (75, 1, 0.025)]:
                p2 = p1 + lift
                h = proportion_effectsize(p2, p1)
                power = analysis.power(h, nobs1, alpha, ratio=ratio)
                # solve_power's default tolerances leave ~1e-6 in the answer; solve the same statsmodels
                # power function with brentq to full precision instead.
                needed = optimize.brentq(lambda n: analysis.power(h, n, alpha, ratio=ratio) - 0.8, 1e-3, 1e7,
                                         xtol=1e-12, rtol=1e-15)
                mde_h = optimize.brentq(lambda e: analysis.power(e, nobs1, alpha, ratio=ratio) - 0.8, 1e-9, 20,
                                        xtol=1e-15, rtol=1e-15)
                assert abs(needed - analysis.solve_power(effect_size=h, alpha=alpha, power=0.8, ratio=ratio)) < 1e-4 * needed
                angle = np.arcsin(np.sqrt(p1)) + mde_h / 2
                mde_lift = float(np.sin(angle) ** 2 - p1) if angle <= np.pi / 2 else None
                out.append({"p1": p1, "p2": p2, "nobs1": nobs1, "ratio": ratio, "alpha": alpha, "h": num(h),
                            "power": num(power), "nobs1_for_80": num(needed), "mde_h_80": num(mde_h),
                            "mde_lift_80": mde_lift})
    return out


def exact_power_fisher(n1, n2, alpha, rates):
    b = {}
    rejected = np.zeros((n1 + 1, n2 + 1), bool)
    for x1 in range(n1 + 1):
        for x2 in range(n2 + 1):
            rejected[x1, x2] = stats.fisher_exact([[x1, x2], [n1 - x1, n2 - x2]]).pvalue <= alpha
    out = []
    for p1, p2 in rates:
        b1 = stats.binom.pmf(np.arange(n1 + 1), n1, p1)
        b2 = stats.binom.pmf(np.arange(n2 + 1), n2, p2)
        out.append({"p1": p1, "p2": p2, "power": num(b1 @ rejected.astype(float) @ b2)})
    return {"test": "fisher", "n1": n1, "n2": n2, "alpha": alpha, "rejected": int(rejected.sum()), "cases": out}


def exact_power_boschloo(n1, n2, alpha, rates):
    rejected = np.zeros((n1 + 1, n2 + 1), bool)
    for x1 in range(n1 + 1):
        for x2 in range(n2 + 1):
            rejected[x1, x2] = boschloo_dense(x1, n1, x2, n2)["two-sided"] <= alpha
    out = []
    for p1, p2 in rates:
        b1 = stats.binom.pmf(np.arange(n1 + 1), n1, p1)
        b2 = stats.binom.pmf(np.arange(n2 + 1), n2, p2)
        out.append({"p1": p1, "p2": p2, "power": num(b1 @ rejected.astype(float) @ b2)})
    return {"test": "boschloo", "n1": n1, "n2": n2, "alpha": alpha, "rejected": int(rejected.sum()), "cases": out}


def power_exact():
    rates = [(0.2, 0.5), (0.1, 0.4), (0.3, 0.3), (0.5, 0.1)]
    out = [exact_power_fisher(n1, n2, 0.05, rates) for n1, n2 in [(10, 10), (20, 20), (15, 25), (30, 30)]]
    out += [exact_power_fisher(25, 25, 0.1, rates)]
    out += [exact_power_boschloo(n1, n2, 0.05, rates) for n1, n2 in [(8, 8), (12, 12), (10, 15)]]
    return out


# --------------------------------------------------------------------------- group sequential


def spending(kind, alpha, t):
    if kind == "obf":
        return 2 - 2 * stats.norm.cdf(stats.norm.isf(alpha / 2) / np.sqrt(t))
    return alpha * np.log(1 + (np.e - 1) * t)


def sequential_boundaries(kind, alpha, fractions):
    """Solve each look's boundary from the multivariate normal of (Z_1..Z_k), corr sqrt(t_i/t_j)."""
    t = np.array(fractions, float)
    correlation = np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))
    bounds = []
    previous = 0.0

    def inside(limits):
        dim = len(limits)
        upper = np.array(limits)
        return multivariate_normal_cdf(correlation[:dim, :dim], upper)

    for k, tk in enumerate(t):
        spent = spending(kind, alpha, tk)
        increment = spent - previous
        previous = spent
        if k == 0:
            bounds.append(float(stats.norm.isf(increment / 2)))
            continue
        continuing = inside(bounds)
        root = optimize.brentq(lambda c: continuing - inside(bounds + [c]) - increment, 1.0, 8.0, xtol=1e-7)
        bounds.append(float(root))
    return bounds


def multivariate_normal_cdf(correlation, upper):
    return float(stats.multivariate_normal.cdf(
        upper, mean=np.zeros(len(upper)), cov=correlation, lower_limit=-upper, maxpts=2_000_000,
        abseps=1e-9, releps=1e-9, rng=np.random.default_rng(7)))


def sequential():
    designs = [("obf", 0.05, [1 / 3, 2 / 3, 1.0]), ("pocock", 0.05, [1 / 3, 2 / 3, 1.0]),
               ("obf", 0.05, [0.5, 1.0]), ("pocock", 0.05, [0.5, 1.0]),
               ("obf", 0.05, [0.25, 0.5, 0.75, 1.0]), ("obf", 0.1, [0.3, 0.7, 1.0]),
               ("pocock", 0.1, [0.2, 0.4, 0.6, 0.8, 1.0]), ("obf", 0.05, [0.2, 0.4, 0.6, 0.8, 1.0])]
    out = []
    for kind, alpha, fractions in designs:
        out.append({"spending": kind, "alpha": alpha, "fractions": fractions,
                    "z": sequential_boundaries(kind, alpha, fractions)})
        print(f"sequential {kind} {fractions}", file=sys.stderr)
    return out


def main():
    fixture = {
        "generator": {"script": "scripts/golden/stats.py", "seed": SEED, "numpy": np.__version__,
                      "scipy": scipy.__version__, "statsmodels": statsmodels.__version__},
        "special": special_functions(),
        "tables": tables(),
        "multi_arm": multi_arm(),
        "bayes_priors": bayes_priors(),
        "multiple_testing": multiple_testing(),
        "chisquare": chisquare(),
        "revenue": revenue(),
        "power_normal": power_normal(),
        "power_exact": power_exact(),
        "sequential": sequential(),
    }
    json.dump(fixture, sys.stdout, indent=1, allow_nan=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
