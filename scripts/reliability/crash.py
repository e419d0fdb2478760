#!/usr/bin/env python3
"""Crash and database-restart safety of the JourneyLab HTTP API (loopback only, bounded in count and time).

  crash.py --binary .build/debug/journeylab --database-url URL [--kills 3] [--db-restarts 1]

1. Imports examples/car-brand-x.yaml, starts `accessories-email-chain`, creates one dealer key for each of
   4 dealers and starts `journeylab serve` on a free loopback port.
2. Crash phase: 4 client threads (one per dealer) enroll deals and send event batches (every event with an
   event_id) while the server is killed with SIGKILL at random moments and restarted. Every request that was
   not acknowledged (connection error or non-200) is retried, unchanged, until it is.
3. Database phase: PostgreSQL is stopped (`pg_ctl stop -m fast`), held down ~2 s so the outage is observable,
   and started again (a restart with a visible gap) while the clients keep going. During the outage the API
   must answer 503 application/problem+json (never a 500, never slower than 10 s) and /readyz must say false;
   afterwards everything recovers without restarting the server.
4. Checks: every acknowledged event is stored exactly once and nothing else is stored; every enrolled deal
   keeps its first arm (asked again through the API and compared with the database).
Prints the figures and `reliability: N passed, M failed`; exits 1 on any violation.
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
import threading
import time

import requests

from harness import Server, cli, run

HYPOTHESIS = "accessories-email-chain"
STAGE = "first-visit"
DEALERS = ["rel-kazan", "rel-samara", "rel-perm", "rel-tula"]
REQUEST_TIMEOUT = 12.0        # a request slower than 10 s is a violation; the client gives up at 12 s
RETRY_DEADLINE = 90.0         # one logical request is retried for at most this long


def log(msg):
    print(f"reliability: {msg}", file=sys.stderr, flush=True)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.conn_errors = 0
        self.status = {}            # status code → count
        self.s5xx = 0
        self.s500 = []              # (phase, status, body) of 5xx other than 503
        self.bad_503 = []           # 503 without problem+json
        self.slow = []              # (phase, seconds) of requests slower than 10 s
        self.outage_503 = 0
        self.events_acked = set()
        self.event_payload = {}     # event_id → deal_id
        self.arms = {}              # deal_id → {hypothesis: arm}
        self.enrolled = 0
        self.unenrolled_deals = 0
        self.gave_up = []
        self.phase = "crash"

    def record(self, status, seconds, body, ctype):
        with self.lock:
            self.requests += 1
            if status is None:
                self.conn_errors += 1
            else:
                self.status[status] = self.status.get(status, 0) + 1
                if status >= 500:
                    self.s5xx += 1
                    if status != 503:
                        self.s500.append((self.phase, status, body[:200]))
                    else:
                        if self.phase == "db":
                            self.outage_503 += 1
                        if not ctype.startswith("application/problem+json"):
                            self.bad_503.append((self.phase, ctype, body[:200]))
            if seconds > 10.0:
                self.slow.append((self.phase, round(seconds, 2)))


def send(stats, base, secret, path, body, stop_at):
    """POSTs body until it is acknowledged (200); returns the JSON answer, or None if it gave up."""
    session = requests.Session()
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    data = json.dumps(body)
    give_up = time.monotonic() + RETRY_DEADLINE
    delay = 0.05
    while time.monotonic() < give_up and time.monotonic() < stop_at:
        t0 = time.monotonic()
        try:
            r = session.post(base + path, data=data, headers=headers, timeout=REQUEST_TIMEOUT)
            stats.record(r.status_code, time.monotonic() - t0, r.text, r.headers.get("Content-Type", ""))
            if r.status_code == 200:
                return r.json()
            if 400 <= r.status_code < 500:
                stats.gave_up.append((path, r.status_code, r.text[:200]))
                return None
        except requests.RequestException:
            stats.record(None, time.monotonic() - t0, "", "")
            session.close()
            session = requests.Session()
        time.sleep(delay)
        delay = min(delay * 2, 0.5)
    stats.gave_up.append((path, "timeout", ""))
    return None


def client(stats, base, dealer, secret, stop, stop_at, rng):
    n = 0
    pending = []                    # enrolled deals that still get events
    closed = set()                  # deals a close was sent for: a deal closes once (a second one is a 409)
    while not stop.is_set() and time.monotonic() < stop_at:
        n += 1
        deal = f"{dealer}-{n}"
        answer = send(stats, base, secret, "/v1/assignments", {"deal_id": deal, "dealer_id": dealer, "stage": STAGE}, stop_at)
        if answer is None:
            continue
        arms = {a["hypothesis_id"]: a["arm"] for a in answer.get("assignments", [])}
        with stats.lock:
            stats.arms[deal] = arms
            if arms:
                stats.enrolled += 1
            else:
                stats.unenrolled_deals += 1
        pending.append(deal)
        # A batch of 5–20 events over the deals enrolled so far; the same payload on every retry.
        events = []
        for i in range(rng.randint(5, 20)):
            target = rng.choice(pending[-10:])
            kind = rng.choice(["addon_purchased", "addon_purchased", "stage_reached", "closed_won"])
            if kind == "closed_won":
                if target in closed:
                    kind = "addon_purchased"
                closed.add(target)
            e = {"event_id": f"ev-{deal}-{i}", "deal_id": target, "type": kind,
                 "occurred_at": "2026-11-01T10:00:00Z"}
            if kind == "addon_purchased":
                e["value"] = rng.randint(1000, 90000)
            if kind == "stage_reached":
                e["stage"] = STAGE
            events.append(e)
        answer = send(stats, base, secret, "/v1/events", {"events": events}, stop_at)
        if answer is not None:
            with stats.lock:
                for e in events:
                    stats.events_acked.add(e["event_id"])
                    stats.event_payload[e["event_id"]] = e["deal_id"]


def pg_ctl(args, pg_bin, pgdata, options):
    cmd = [os.path.join(pg_bin, "pg_ctl"), "-D", pgdata, *args]
    if args[0] == "start":
        cmd += ["-o", options, "-l", os.path.join(os.path.dirname(pgdata), "postgres.log")]
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90)


def psql(pg_bin, database_url, sql):
    r = subprocess.run([os.path.join(pg_bin, "psql"), "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", database_url, "-c", sql],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"psql: {r.stderr.strip()}")
    return r.stdout


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--binary", required=True)
    p.add_argument("--database-url", required=True)
    p.add_argument("--kills", type=int, default=3)
    p.add_argument("--db-restarts", type=int, default=1)
    p.add_argument("--pg-bin", default=os.environ.get("JOURNEYLAB_TEST_PG_BIN"))
    p.add_argument("--pgdata", default=os.environ.get("JOURNEYLAB_TEST_PGDATA"))
    p.add_argument("--pg-options", default=os.environ.get("JOURNEYLAB_TEST_PG_OPTIONS", ""))
    p.add_argument("--journey", default=os.path.join(os.path.dirname(__file__), "..", "..", "examples", "car-brand-x.yaml"))
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--max-seconds", type=float, default=100.0, help="hard limit on the load phases")
    a = p.parse_args()
    seed = a.seed if a.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    log(f"seed {seed}, kills {a.kills}, database restarts {a.db_restarts}")
    if a.db_restarts and not (a.pg_bin and a.pgdata):
        p.error("the database phase needs --pg-bin and --pgdata (or JOURNEYLAB_TEST_PG_BIN/PGDATA)")

    binary = os.path.abspath(a.binary)
    cli(binary, a.database_url, "journey", "import", a.journey)
    cli(binary, a.database_url, "hypothesis", "start", HYPOTHESIS)
    secrets = {}
    for d in DEALERS:
        out = cli(binary, a.database_url, "key", "create", "--role", "dealer", "--dealer", d, "--name", f"reliability {d}", "--format", "json")
        secrets[d] = json.loads(out)["secret"]
    logdir = tempfile.mkdtemp(prefix="jl-reliability.")
    server = Server(binary, a.database_url, logdir, ["--pool-size", "8"])
    atexit.register(server.stop)              # also when a phase raises
    base = server.base
    stats = Stats()
    checks = []                      # (name, ok, detail)

    def check(name, ok, detail=""):
        checks.append((name, ok, detail))
        log(f"{'PASS' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}")

    t_start = time.monotonic()
    stop_at = t_start + a.max_seconds
    server.start()
    server.wait_ready()
    stop = threading.Event()
    threads = [threading.Thread(target=client, args=(stats, base, d, secrets[d], stop, stop_at, random.Random(rng.random())), daemon=True)
               for d in DEALERS]
    for t in threads:
        t.start()
    restart_secs = []
    outage = {}
    try:
        # --- crash phase: SIGKILL at random moments, restart, wait for readiness.
        kills = 0
        for _ in range(a.kills):
            time.sleep(rng.uniform(0.3, 2.0))
            if time.monotonic() > stop_at - 20:
                break
            server.kill()
            kills += 1
            time.sleep(rng.uniform(0.0, 0.5))     # a moment of refused connections
            server.start()
            restart_secs.append(server.wait_ready())
        time.sleep(1.0)
        # --- database phase: stop PostgreSQL under load, hold it down, start it again.
        db_restarts = 0
        readyz_false = readyz_other = 0
        for _ in range(a.db_restarts):
            if time.monotonic() > stop_at - 30:
                break
            pid_before = server.proc.pid
            with stats.lock:
                stats.phase = "db"
            r = pg_ctl(["stop", "-m", "fast", "-w", "-t", "30"], a.pg_bin, a.pgdata, a.pg_options)
            if r.returncode != 0:
                raise RuntimeError(f"pg_ctl stop: {r.stderr.strip()}")
            down_until = time.monotonic() + 2.0
            while time.monotonic() < down_until:
                t0 = time.monotonic()
                try:
                    rr = requests.get(base + "/readyz", timeout=REQUEST_TIMEOUT)
                    stats.record(rr.status_code, time.monotonic() - t0, rr.text, rr.headers.get("Content-Type", ""))
                    body = rr.json() if rr.headers.get("Content-Type", "").startswith("application/") else {}
                    if rr.status_code == 503 and body.get("ready") is False:
                        readyz_false += 1
                    else:
                        readyz_other += 1
                except (requests.RequestException, ValueError):
                    stats.record(None, time.monotonic() - t0, "", "")
                    readyz_other += 1
                time.sleep(0.2)
            r = pg_ctl(["start", "-w", "-t", "60"], a.pg_bin, a.pgdata, a.pg_options)
            if r.returncode != 0:
                raise RuntimeError(f"pg_ctl start: {r.stderr.strip()}")
            db_restarts += 1
            t0 = time.monotonic()
            recovered = None
            while time.monotonic() - t0 < 30:
                try:
                    if requests.get(base + "/readyz", timeout=5).status_code == 200:
                        recovered = time.monotonic() - t0
                        break
                except requests.RequestException:
                    pass
                time.sleep(0.2)
            with stats.lock:
                stats.phase = "after-db"
            same = server.proc.pid == pid_before and server.alive
            outage = {"readyz_false": readyz_false, "readyz_other": readyz_other,
                      "recovered_s": outage.get("recovered_s", []) + [recovered if recovered is None else round(recovered, 3)],
                      "same_server": outage.get("same_server", True) and same}
            time.sleep(2.0)                        # clients carry on against the recovered database
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=REQUEST_TIMEOUT + RETRY_DEADLINE)
    load_secs = time.monotonic() - t_start

    # --- checks
    try:
        stored = psql(a.pg_bin, a.database_url, "SELECT event_id FROM events WHERE deal_id LIKE 'rel-%'").split()
        stored_total = int(psql(a.pg_bin, a.database_url, "SELECT count(*) FROM events WHERE deal_id LIKE 'rel-%'").strip())
        distinct_stored = set(stored)
        acked = stats.events_acked
        check("every acknowledged event stored", acked <= distinct_stored, f"{len(acked - distinct_stored)} missing")
        check("no event stored twice", stored_total == len(distinct_stored) and len(stored) == stored_total,
              f"{stored_total} rows, {len(distinct_stored)} distinct")
        check("nothing stored beyond the acknowledged", distinct_stored <= acked, f"{len(distinct_stored - acked)} extra")
        check("stored count equals acknowledged count", stored_total == len(acked), f"{len(acked)} acknowledged, {stored_total} stored")

        # Every deal keeps its arm: asked again through the API, and as stored.
        server_ok = server.alive
        changed = []
        session = requests.Session()
        for deal, arms in sorted(stats.arms.items()):
            dealer = deal.rsplit("-", 1)[0]
            rr = session.post(base + "/v1/assignments", json={"deal_id": deal, "dealer_id": dealer, "stage": STAGE},
                              headers={"Authorization": f"Bearer {secrets[dealer]}"}, timeout=REQUEST_TIMEOUT)
            again = {x["hypothesis_id"]: x["arm"] for x in rr.json().get("assignments", [])} if rr.status_code == 200 else None
            if again != arms:
                changed.append((deal, arms, again))
        check("server alive for the checks", server_ok)
        check("every enrolled deal keeps its arm (API)", not changed and stats.enrolled > 0,
              f"{len(stats.arms)} deals re-asked, {stats.enrolled} enrolled, {len(changed)} changed" + (f", e.g. {changed[0]}" if changed else ""))
    except Exception as e:  # noqa: BLE001 — a broken check is a failed check
        check("checks ran", False, str(e))

    check("no 5xx other than 503", not stats.s500, f"{len(stats.s500)} others" + (f", e.g. {stats.s500[0]}" if stats.s500 else ""))
    check("every 503 is problem+json", not stats.bad_503, f"{len(stats.bad_503)} not" + (f", e.g. {stats.bad_503[0]}" if stats.bad_503 else ""))
    check("no request slower than 10 s", not stats.slow, str(stats.slow[:3]))
    check("every request acknowledged in the end", not stats.gave_up, f"{len(stats.gave_up)}" + (f", e.g. {stats.gave_up[0]}" if stats.gave_up else ""))
    check(f"server killed {a.kills} times", kills == a.kills, f"{kills}")
    if a.db_restarts:
        check("database restarted", db_restarts == a.db_restarts, f"{db_restarts}")
        check("/readyz false during the outage", outage.get("readyz_false", 0) > 0 and outage.get("readyz_other", 0) == 0,
              f"{outage.get('readyz_false')} false, {outage.get('readyz_other')} other")
        check("API answered 503 during the outage", stats.outage_503 > 0, f"{stats.outage_503}")
        check("recovered without restarting the server", bool(outage.get("recovered_s")) and None not in outage["recovered_s"] and outage.get("same_server"),
              f"ready again after {outage.get('recovered_s')} s, same process: {outage.get('same_server')}")

    server.stop()
    failed = sum(1 for c in checks if not c[1])
    if not failed:
        shutil.rmtree(logdir, ignore_errors=True)     # the server logs are kept only for a failed run
        logdir = "(removed)"
    print(f"reliability: figures: requests {stats.requests} (connection errors {stats.conn_errors}, status {dict(sorted(stats.status.items()))}), "
          f"kills {kills}, restart-to-ready {[round(x, 2) for x in restart_secs]} s, deals {len(stats.arms)} (enrolled {stats.enrolled}), "
          f"events acknowledged {len(stats.events_acked)} vs stored {locals().get('stored_total', '?')}, 5xx {stats.s5xx} "
          f"(503 during the outage {stats.outage_503}), database restarts {db_restarts} {outage}, load {load_secs:.1f} s, logs {logdir}")
    failed = sum(1 for c in checks if not c[1])
    print(f"reliability: {len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    run("reliability", main)
