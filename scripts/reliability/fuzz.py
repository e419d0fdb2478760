#!/usr/bin/env python3
"""Bad input against the JourneyLab HTTP API (loopback only, bounded in count and time).

  fuzz.py --binary .build/debug/journeylab --database-url URL [--long] [--seed N]

1. Imports examples/car-brand-x.yaml, starts two of its hypotheses, creates a dealer key for each of two
   dealers, an analyst key and an admin key, starts `journeylab serve` on a free loopback port and enrolls a
   few deals.
2. Schemathesis (scripts/reliability/requirements.txt) generates requests from the served /openapi.yaml, one
   run per key (dealer, analyst, admin), one worker, a bounded number of examples per operation (more with
   --long). Checks on every response: no 5xx (`not_a_server_error`), the response conforms to the spec
   (status, content type, headers, body), schema-invalid input is rejected, an undeclared method is a 405,
   every 4xx is problem+json, and a rejected call stored nothing (row counts of the six stored tables
   unchanged; fuzz_hooks.py). A self-test run with faults planted by the hooks must fail the last two.
3. Hand-written hostile cases (hostile.py): invalid UTF-8, deep nesting, huge and non-finite numbers, 10 MB
   bodies, 10,000-event batches, wrong content types, SQL-looking strings, timestamps out of range, Unicode
   ids. Each has its expected status; same checks, plus verbatim storage where a value is accepted.
4. The server must still answer /healthz, still be the same process, and every table must still be there.
Prints the figures and `fuzz: N passed, M failed`; exits 1 on any failure.
"""
import argparse
import atexit
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

import psycopg
import requests
import yaml

import hostile
from harness import Server, cli, run

HERE = os.path.dirname(os.path.abspath(__file__))
HYPOTHESES = ["accessories-email-chain", "final-price-offer"]
# Schemathesis' own checks: no 5xx, and the responses are what openapi.yaml says (statuses, content types, headers,
# bodies); schema-invalid input is rejected; a method a path does not declare is a 405.
CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance", "response_headers_conformance",
          "response_schema_conformance", "negative_data_rejection", "missing_required_header", "unsupported_method"]
# fuzz_hooks.py: every 4xx is problem+json; a rejected call stores nothing.
CUSTOM_CHECKS = ["problem_json_errors", "nothing_stored_on_rejection"]
DEALERS = ["fuzz-kazan", "fuzz-samara"]


def log(msg):
    print(f"fuzz: {msg}", file=sys.stderr, flush=True)


def stage_keys(journey_file):
    with open(journey_file) as f:
        return [s["key"] for s in yaml.safe_load(f)["stages"]]


def schemathesis_run(role, base, secret, env, logdir, examples, seed, limit, name=None, extra_checks=""):
    """One schemathesis run with one key; returns (ok, exit code, stats, output)."""
    name = name or role
    stats_path = os.path.join(logdir, f"schemathesis-{name}.json")
    log_path = os.path.join(logdir, f"schemathesis-{name}.log")
    env = dict(env, JOURNEYLAB_FUZZ_STATS=stats_path)
    cmd = [sys.executable, "-m", "schemathesis.cli", "run", f"{base}/openapi.yaml", "--url", base,
           "-H", f"Authorization: Bearer {secret}", "--workers", "1",
           "--checks", ",".join(CHECKS + CUSTOM_CHECKS + ([extra_checks] if extra_checks else [])),
           "--phases", "examples,coverage,fuzzing", "--max-examples", str(examples), "--seed", str(seed),
           "--generation-database", "none", "--request-timeout", "15", "--suppress-health-check", "all",
           "--no-color", "--report", "junit", "--report-dir", os.path.join(logdir, f"report-{name}")]
    t0 = time.monotonic()
    with open(log_path, "w") as out:
        try:
            r = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=logdir, timeout=limit)
            code = r.returncode
        except subprocess.TimeoutExpired:
            code = "timeout"
    seconds = time.monotonic() - t0
    try:
        with open(stats_path) as f:
            stats = json.load(f)
    except (OSError, ValueError):
        stats = {"requests": 0, "statuses": {}, "server_errors": 0, "examples": []}
    stats["seconds"] = round(seconds, 1)
    with open(log_path, errors="replace") as f:
        text = f.read()
    return code == 0, code, stats, text


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--binary", required=True)
    p.add_argument("--database-url", required=True)
    p.add_argument("--long", action="store_true", help="many more generated examples (several minutes)")
    p.add_argument("--examples", type=int, default=None, help="examples per operation and key (default 60, --long 1000)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--extra-checks", default="",
                   help="more schemathesis checks, comma-separated (e.g. positive_data_acceptance)")
    p.add_argument("--journey", default=os.path.join(HERE, "..", "..", "examples", "car-brand-x.yaml"))
    a = p.parse_args()
    seed = a.seed if a.seed is not None else random.randrange(1 << 30)
    examples = a.examples or (1000 if a.long else 60)
    limit = 1800 if a.long else 120                 # hard limit per schemathesis run, seconds
    log(f"seed {seed}, {examples} examples per operation and key")

    binary = os.path.abspath(a.binary)
    cli(binary, a.database_url, "journey", "import", a.journey)
    for h in HYPOTHESES:
        cli(binary, a.database_url, "hypothesis", "start", h)
    keys = {}
    for role, dealer in [("dealer", DEALERS[0]), ("other-dealer", DEALERS[1]), ("analyst", None), ("admin", None)]:
        args = ["key", "create", "--role", "dealer" if dealer else role, "--name", f"fuzz {role}", "--format", "json"]
        if dealer:
            args += ["--dealer", dealer]
        keys[role] = json.loads(cli(binary, a.database_url, *args))["secret"]

    logdir = tempfile.mkdtemp(prefix="jl-fuzz.")
    # A long tick interval: the lifecycle ticker must not write while row counts are compared.
    server = Server(binary, a.database_url, logdir, ["--pool-size", "8", "--tick-interval", "86400"]).start()
    atexit.register(server.stop)
    server.wait_ready()
    base = server.base
    stages = stage_keys(a.journey)

    # A few enrolled deals of each dealer, for the generators to point at.
    deals = []
    for role, dealer, stage in [("dealer", DEALERS[0], "first-visit"), ("other-dealer", DEALERS[1], "choose-dealer")]:
        for i in range(1, 4):
            deal = f"{dealer}-{i}"
            r = requests.post(f"{base}/v1/assignments", json={"deal_id": deal, "dealer_id": dealer, "stage": stage},
                              headers={"Authorization": f"Bearer {keys[role]}"}, timeout=15)
            if r.status_code != 200:
                raise RuntimeError(f"enrolling {deal}: {r.status_code} {r.text[:200]}")
            deals.append(deal)

    checks = []

    def check(name, ok, detail=""):
        checks.append((name, ok, detail))
        if not ok or not name.startswith("hostile"):
            log(f"{'PASS' if ok else 'FAIL'} {name}{': ' + detail[:1500] if detail else ''}")

    # --- schemathesis, one run per key
    figures = {}
    base_env = dict(os.environ, SCHEMATHESIS_HOOKS="fuzz_hooks",
                    PYTHONPATH=HERE + os.pathsep + os.environ.get("PYTHONPATH", ""),
                    JOURNEYLAB_FUZZ_DATABASE_URL=a.database_url, JOURNEYLAB_FUZZ_DEALERS=json.dumps(DEALERS),
                    JOURNEYLAB_FUZZ_DEALS=json.dumps(deals), JOURNEYLAB_FUZZ_STAGES=json.dumps(stages),
                    JOURNEYLAB_FUZZ_HYPOTHESES=json.dumps(HYPOTHESES))
    for role in ["dealer", "analyst", "admin"]:
        env = dict(base_env, JOURNEYLAB_FUZZ_DEALER=DEALERS[0] if role == "dealer" else "")
        ok, code, stats, text = schemathesis_run(role, base, keys[role], env, logdir, examples, seed, limit,
                                                 extra_checks=a.extra_checks)
        figures[role] = stats
        detail = (f"{stats['requests']} requests in {stats['seconds']} s, statuses {dict(sorted(stats['statuses'].items()))}, "
                  f"5xx {stats['server_errors']}, exit {code}")
        if not ok:
            tail = text[-4000:]
            detail += f"\n--- schemathesis output (tail; full log {logdir}/schemathesis-{role}.log) ---\n{tail}"
            for example in stats.get("examples", [])[:5]:
                detail += f"\n  e.g. {example}"
        check(f"schemathesis with the {role} key", ok and stats["requests"] > 0, detail)
        if server.proc.poll() is not None:
            break

    # --- the checks can fail: the same run with faults planted by the hooks (a stored row after every rejected
    # call, 4xx relabelled application/json) must fail both custom checks.
    if server.alive:
        env = dict(base_env, JOURNEYLAB_FUZZ_DEALER="", JOURNEYLAB_FUZZ_SELFTEST="1")
        ok, code, stats, text = schemathesis_run("admin", base, keys["admin"], env, logdir, 2, seed, limit, name="selftest")
        caught = not ok and stats.get("not_problem", 0) > 0 and stats.get("stored_on_rejection", 0) > 0
        check("self-test: the checks catch planted faults", caught,
              f"exit {code}, {stats.get('not_problem', 0)} not problem+json, "
              f"{stats.get('stored_on_rejection', 0)} stored on rejection, {stats['requests']} requests")
        # The planted audit rows stay; later checks compare counts before and after each call only.

    # --- hand-written hostile cases
    db = psycopg.connect(a.database_url, autocommit=True)
    ctx = {"deal": deals[0], "stage": "first-visit", "dealer": DEALERS[0]}
    hostile_figures = {"cases": {}, "requests": 0, "statuses": {}, "server_errors": 0}
    if server.alive:
        results, hostile_figures = hostile.run(server.port, keys, db, ctx)
        for case, ok, why in results:
            check(f"hostile [{case.kind}] {case.name}", ok, why)

    # --- afterwards
    alive = server.alive
    health = None
    try:
        health = requests.get(f"{base}/healthz", timeout=5).status_code
    except requests.RequestException as e:
        health = f"{type(e).__name__}"
    check("server still running, same process", alive, f"exit code {server.proc.returncode}")
    check("server answers /healthz", health == 200, f"{health}")
    try:
        counts = db.execute(hostile.COUNT_SQL).fetchone()
        check("every table still there", True, str(dict(zip(hostile.TABLES, counts))))
    except psycopg.Error as e:
        check("every table still there", False, str(e).strip())
    server.stop()

    failed = sum(1 for c in checks if not c[1])
    if not failed:
        shutil.rmtree(logdir, ignore_errors=True)      # logs are kept only for a failed run
        logdir = "(removed)"
    for role in ["dealer", "analyst", "admin"]:
        s = figures.get(role)
        if s:
            print(f"fuzz: schemathesis {role}: {s['requests']} requests in {s['seconds']} s, "
                  f"statuses {dict(sorted(s['statuses'].items()))}, 5xx {s['server_errors']}")
    h = hostile_figures
    print(f"fuzz: hostile: {sum(h['cases'].values())} cases {dict(sorted(h['cases'].items()))}, {h['requests']} requests, "
          f"statuses {dict(sorted(h['statuses'].items()))}, 5xx {h['server_errors']}")
    for note in h.get("notes", []):
        print(f"fuzz: size: {note}")
    total_5xx = sum(s["server_errors"] for s in figures.values()) + h["server_errors"]
    total_requests = sum(s["requests"] for s in figures.values()) + h["requests"]
    print(f"fuzz: figures: {total_requests} requests, 5xx {total_5xx}, seed {seed}, logs {logdir}")
    print(f"fuzz: {len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    run("fuzz", main)
