#!/usr/bin/env python3
"""Soak of the JourneyLab HTTP API: a steady mixed load from many keep-alive connections (loopback only,
bounded in time and count), then checks for errors, lost or doubled events, leaked connections and growing
memory.

  soak.py --binary .build/debug/journeylab --database-url URL --seconds 30 [--clients 32]

1. Imports examples/car-brand-x.yaml, starts two hypotheses, creates two dealer keys for each of 8 dealers and
   two analyst keys, and starts `journeylab serve` on a free loopback port.
2. `--clients` threads, each with its own persistent `requests.Session` (one keep-alive connection), send a
   weighted mix: new-deal assignments, repeat assignment lookups, event batches of 1–100 events (every one with
   an event_id; some batches re-sent unchanged, which must come back as all duplicates; a few deliberately
   conflicting ones, which must be 409 and store nothing), GET /v1/hypotheses, GET /v1/hypotheses/{id}/report
   and GET /reports/{id} with an analyst key.
3. The first `--warmup` share of the time is warm-up. Then the clients pause, the server settles, and the
   baseline is taken: PostgreSQL sessions of the database, the pool gauges of GET /metrics and the server's
   RSS. The measured phase follows; RSS is sampled every second throughout.
4. Checks: no connection error, no 5xx, no status other than 200 except the deliberate 409s; every repeat
   lookup returns the first arms; every acknowledged event is stored exactly once and nothing else is stored;
   after the load and a settle the session count is back to the baseline and the pool is idle with nothing in
   use; memory does not grow (see `memory_checks`).
Prints the figures and `soak: N passed, M failed`; exits 1 on any failure.
"""
import argparse
import atexit
import datetime
import json
import math
import os
import random
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

import requests

from harness import Server, cli, run

HYPOTHESES = {"first-visit": "accessories-email-chain", "choose-dealer": "final-price-offer"}
DEALERS = [f"soak-d{i}" for i in range(8)]
KEYS_PER_DEALER = 2
REQUEST_TIMEOUT = 30.0
# kind → weight; event batches split further into fresh, repeated and conflicting (below).
MIX = {"assign_new": 24, "assign_repeat": 18, "events": 34, "list": 10, "report_json": 7, "report_html": 7, "abandon": 1}
REPEAT_SHARE = 0.12          # of event batches: an acknowledged batch sent again unchanged
CONFLICT_SHARE = 0.02        # of event batches: a reused event_id with another payload (409 expected)
EVENT_TYPES = ["stage_reached", "addon_purchased", "test_drive_booked", "closed_won", "closed_lost"]
STAGES = ["first-visit", "book-test-drive", "test-drive", "negotiation", "sign-deal"]


def log(msg):
    print(f"soak: {msg}", file=sys.stderr, flush=True)


def percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))
    return sorted_values[k]


def slope_mb_per_min(samples):
    """Least-squares slope of (seconds, kB) samples, in MB per minute."""
    if len(samples) < 3:
        return float("nan")
    n = len(samples)
    mx = sum(t for t, _ in samples) / n
    my = sum(v for _, v in samples) / n
    sxx = sum((t - mx) ** 2 for t, _ in samples)
    if sxx == 0:
        return float("nan")
    sxy = sum((t - mx) * (v - my) for t, v in samples)
    return sxy / sxx * 60 / 1024


class Stats:
    """Everything the clients saw, per phase ("warmup" or "main")."""

    def __init__(self):
        self.lock = threading.Lock()
        self.phase = "warmup"
        self.sent = {}              # phase → kind → count
        self.latency = {}           # kind → [seconds] (main phase only)
        self.status = {}            # status → count (all phases)
        self.conn_errors = []       # (kind, error)
        self.unexpected = []        # (kind, status, body) of statuses not expected for that request
        self.s5xx = 0
        self.conflicts_expected = 0
        self.conflicts_seen = 0
        self.events_acked = 0
        self.repeat_batches_ok = 0
        self.bad_repeats = []       # (detail) repeated batch not all duplicates
        self.arm_changes = []       # (deal, first, again)
        self.bad_bodies = []        # 200 with an unexpected body
        self.abandoned = {}         # kind → requests the client closed the connection on before the answer

    def record(self, kind, status, seconds, expected, body):
        with self.lock:
            per = self.sent.setdefault(self.phase, {})
            per[kind] = per.get(kind, 0) + 1
            if self.phase == "main":
                self.latency.setdefault(kind, []).append(seconds)
            if status is None:
                self.conn_errors.append((kind, body[:200]))
                return
            self.status[status] = self.status.get(status, 0) + 1
            if status >= 500:
                self.s5xx += 1
            if status != expected:
                self.unexpected.append((kind, status, body[:300]))


class Client:
    """One keep-alive connection playing one dealer's CRM (with one of its keys) and an analyst."""

    def __init__(self, index, base, dealer, secret, analyst_secret, rng, stats, acked_log):
        self.index, self.base, self.dealer, self.rng, self.stats = index, base, dealer, rng, stats
        self.port = int(base.rsplit(":", 1)[1])
        self.secret, self.analyst_secret = secret, analyst_secret
        self.session = requests.Session()
        self.write_headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
        self.read_headers = {"Authorization": f"Bearer {analyst_secret}"}
        self.deals = []             # (deal_id, stage, arms)
        self.deal_seq = 0
        self.event_seq = 0
        self.closed = set()         # deals this worker has sent a close for: a deal closes once (409 otherwise)
        self.batches = []           # recent acknowledged batches: (body text, n, [events])
        self.acked_log = acked_log  # file the acknowledged event ids are appended to (deal_id \t event_id)
        self.requests = 0
        self.kinds = list(MIX)
        self.weights = [MIX[k] for k in self.kinds]

    def call(self, kind, method, path, expected=200, body=None, read=False):
        headers = self.read_headers if read else self.write_headers
        t0 = time.perf_counter()
        try:
            r = self.session.request(method, self.base + path, data=body, headers=headers, timeout=REQUEST_TIMEOUT)
            text = r.text
            elapsed = time.perf_counter() - t0
            self.stats.record(kind, r.status_code, elapsed, expected, text)
            return r.status_code, text
        except requests.RequestException as e:
            self.stats.record(kind, None, time.perf_counter() - t0, expected, repr(e))
            self.session.close()
            self.session = requests.Session()
            return None, ""

    def run(self, until, max_requests):
        while time.monotonic() < until and self.requests < max_requests:
            self.requests += 1
            kind = self.rng.choices(self.kinds, self.weights)[0]
            if kind == "assign_repeat" and not self.deals:
                kind = "assign_new"
            if kind in ("events", "abandon") and not self.deals:
                kind = "assign_new"
            getattr(self, kind)()

    # --- writes
    def assign_new(self):
        self.deal_seq += 1
        deal = f"soak-c{self.index}-{self.deal_seq}"
        stage = self.rng.choice(list(HYPOTHESES))
        body = json.dumps({"deal_id": deal, "dealer_id": self.dealer, "stage": stage})
        status, text = self.call("assign_new", "POST", "/v1/assignments", body=body)
        if status == 200:
            arms = self._arms(text)
            if arms is None or HYPOTHESES[stage] not in arms:
                with self.stats.lock:
                    self.stats.bad_bodies.append(("assign_new", text[:200]))
            self.deals.append((deal, stage, arms))

    def assign_repeat(self):
        deal, stage, arms = self.rng.choice(self.deals)
        body = json.dumps({"deal_id": deal, "dealer_id": self.dealer, "stage": stage})
        status, text = self.call("assign_repeat", "POST", "/v1/assignments", body=body)
        if status == 200:
            again = self._arms(text)
            if again != arms:
                with self.stats.lock:
                    self.stats.arm_changes.append((deal, arms, again))

    @staticmethod
    def _arms(text):
        try:
            return {a["hypothesis_id"]: a["arm"] for a in json.loads(text)["assignments"]}
        except (ValueError, KeyError, TypeError):
            return None

    def new_event(self, deal):
        self.event_seq += 1
        kind = self.rng.choice(EVENT_TYPES)
        if kind in ("closed_won", "closed_lost"):
            if deal in self.closed:
                kind = "test_drive_booked"
            self.closed.add(deal)
        e = {"event_id": f"soak-e{self.index}-{self.event_seq}", "deal_id": deal, "type": kind}
        if kind == "stage_reached":
            e["stage"] = self.rng.choice(STAGES)
        if kind == "addon_purchased":
            e["value"] = self.rng.randint(1000, 90000)
        if self.rng.random() < 0.5:
            at = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=self.rng.randint(0, 10000))
            e["occurred_at"] = at.strftime("%Y-%m-%dT%H:%M:%SZ")
        return e

    def events(self):
        roll = self.rng.random()
        if roll < CONFLICT_SHARE and self.batches:
            return self.events_conflict()
        if roll < CONFLICT_SHARE + REPEAT_SHARE and self.batches:
            return self.events_repeat()
        recent = self.deals[-40:]
        events = [self.new_event(self.rng.choice(recent)[0]) for _ in range(self.rng.randint(1, 100))]
        body = json.dumps({"events": events})
        status, text = self.call("events", "POST", "/v1/events", body=body)
        if status == 200:
            self._acknowledged("events", text, events, lambda a: a["accepted"] == len(events) and a["duplicates"] == 0)
            self.batches.append((body, len(events), events))
            del self.batches[:-8]

    def events_repeat(self):
        body, n, _ = self.rng.choice(self.batches)
        status, text = self.call("events_repeat", "POST", "/v1/events", body=body)
        if status == 200:
            try:
                answer = json.loads(text)
                ok = answer["accepted"] == 0 and answer["duplicates"] == n
            except (ValueError, KeyError, TypeError):
                ok = False
            with self.stats.lock:
                if ok:
                    self.stats.repeat_batches_ok += 1
                else:
                    self.stats.bad_repeats.append(text[:200])

    def events_conflict(self):
        """A fresh event plus an acknowledged event_id with another value: 409, and the fresh one is not stored."""
        _, _, events = self.rng.choice(self.batches)
        old = dict(self.rng.choice(events))
        old["type"] = "addon_purchased"
        old.pop("stage", None)
        old["value"] = 90001 + self.rng.randint(0, 999)       # never a value a fresh event gets
        fresh = self.new_event(old["deal_id"])
        body = json.dumps({"events": [fresh, old]})
        with self.stats.lock:
            self.stats.conflicts_expected += 1
        status, _ = self.call("events_conflict", "POST", "/v1/events", expected=409, body=body)
        if status == 409:
            with self.stats.lock:
                self.stats.conflicts_seen += 1

    # --- abandoned requests (a CRM that times out or crashes): sent on a connection of their own, closed
    # before the answer. The server must not leak the pool connection or the request's memory, and an event
    # batch abandoned that way and then re-sent must be stored exactly once.
    def raw_abandon(self, label, method, path, secret, body=b""):
        head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nAuthorization: Bearer {secret}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
                if self.rng.random() < 0.5:      # sometimes only part of the body arrives
                    sock.sendall(head + body[: len(body) // 2])
                else:
                    sock.sendall(head + body)
                time.sleep(self.rng.uniform(0, 0.03))
                if self.rng.random() < 0.5:      # half of them reset the connection instead of closing it
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError as e:
            with self.stats.lock:
                self.stats.conn_errors.append(("abandon", repr(e)))
            return
        with self.stats.lock:
            per = self.stats.abandoned.setdefault(self.stats.phase, {})
            per[label] = per.get(label, 0) + 1

    def abandon(self):
        roll = self.rng.random()
        if roll < 0.4:
            self.raw_abandon("GET /reports", "GET", f"/reports/{self.rng.choice(list(HYPOTHESES.values()))}", self.analyst_secret)
        elif roll < 0.6:
            self.deal_seq += 1
            body = json.dumps({"deal_id": f"soak-a{self.index}-{self.deal_seq}", "dealer_id": self.dealer,
                               "stage": self.rng.choice(list(HYPOTHESES))}).encode()
            self.raw_abandon("POST /v1/assignments", "POST", "/v1/assignments", self.secret, body)
        else:
            # An event batch abandoned, then re-sent unchanged until acknowledged, like a CRM's retry.
            recent = self.deals[-40:]
            events = [self.new_event(self.rng.choice(recent)[0]) for _ in range(self.rng.randint(1, 100))]
            body = json.dumps({"events": events})
            self.raw_abandon("POST /v1/events", "POST", "/v1/events", self.secret, body.encode())
            status, text = self.call("events_retry", "POST", "/v1/events", body=body)
            if status == 200:
                self._acknowledged("events_retry", text, events, lambda a: a["accepted"] + a["duplicates"] == len(events))

    def _acknowledged(self, kind, text, events, answer_ok):
        """Records a 200 answer to an event batch: its events are acknowledged (checked against the database at
        the end); an answer whose counts `answer_ok` rejects is a bad body."""
        try:
            ok = answer_ok(json.loads(text))
        except (ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            with self.stats.lock:
                self.stats.bad_bodies.append((kind, text[:200]))
        self.acked_log.extend((e["deal_id"], e["event_id"]) for e in events)
        with self.stats.lock:
            self.stats.events_acked += len(events)

    # --- reads (analyst key)
    def list(self):
        self.call("list", "GET", "/v1/hypotheses", read=True)

    def report_json(self):
        self.call("report_json", "GET", f"/v1/hypotheses/{self.rng.choice(list(HYPOTHESES.values()))}/report", read=True)

    def report_html(self):
        self.call("report_html", "GET", f"/reports/{self.rng.choice(list(HYPOTHESES.values()))}", read=True)


class AckLog:
    """Thread-safe list of acknowledged (deal_id, event_id), kept in memory."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items = []

    def extend(self, pairs):
        with self.lock:
            self.items.extend(pairs)


class Sampler(threading.Thread):
    """Samples the server's RSS (VmRSS, kB) and CPU time once a second."""

    def __init__(self, pid, t0):
        super().__init__(daemon=True)
        self.pid, self.t0 = pid, t0
        self.samples = []           # (seconds since t0, rss kB)
        self.stop_event = threading.Event()

    def rss(self):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def cpu(self):
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def run(self):
        while not self.stop_event.wait(1.0):
            try:
                self.samples.append((time.monotonic() - self.t0, self.rss()))
            except (OSError, RuntimeError, ValueError):
                return


def psql(pg_bin, database_url, sql):
    exe = os.path.join(pg_bin, "psql") if pg_bin else "psql"
    r = subprocess.run([exe, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", database_url, "-c", sql],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"psql: {r.stderr.strip()}")
    return r.stdout


def sessions(pg_bin, database_url):
    """Client sessions of this database, not counting the one asking."""
    return int(psql(pg_bin, database_url,
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND backend_type = 'client backend' AND pid <> pg_backend_pid()").strip())


def pool_gauges(base):
    text = requests.get(base + "/metrics", timeout=10).text
    gauges = {m.group(1): int(m.group(2)) for m in re.finditer(r'^journeylab_db_pool_connections\{state="(\w+)"\} (\d+)$', text, re.M)}
    server_5xx = sum(int(m.group(2)) for m in re.finditer(r'^journeylab_http_requests_total\{[^}]*status="(5\d\d)"\} (\d+)$', text, re.M))
    return gauges, server_5xx


def settle(base, limit):
    """Waits until the pool has nothing in use (open == idle, waiting == 0); returns the last gauges."""
    deadline = time.monotonic() + limit
    gauges = {}
    while time.monotonic() < deadline:
        gauges, _ = pool_gauges(base)
        if gauges.get("waiting") == 0 and gauges.get("open") == gauges.get("idle"):
            break
        time.sleep(0.2)
    return gauges


def run_phase(clients, until, max_requests):
    threads = [threading.Thread(target=c.run, args=(until, max_requests), daemon=True) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(0.0, until - time.monotonic()) + REQUEST_TIMEOUT + 10)
    return sum(t.is_alive() for t in threads)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--binary", required=True)
    p.add_argument("--database-url", required=True)
    p.add_argument("--seconds", type=float, default=30.0, help="whole load time, warm-up included")
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--warmup", type=float, default=0.2, help="share of --seconds that is warm-up")
    p.add_argument("--settle", type=float, default=10.0, help="seconds the server may take to go idle")
    p.add_argument("--pool-size", type=int, default=None, help="server pool (default: the server's)")
    p.add_argument("--max-requests", type=int, default=None, help="per client (default 400 per second)")
    p.add_argument("--pg-bin", default=os.environ.get("JOURNEYLAB_TEST_PG_BIN"))
    p.add_argument("--journey", default=os.path.join(os.path.dirname(__file__), "..", "..", "examples", "car-brand-x.yaml"))
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--rss-growth-mb", type=float, default=30.0, help="end RSS may exceed start by this much…")
    p.add_argument("--rss-growth-share", type=float, default=0.5, help="…or by this share of start, whichever is larger")
    p.add_argument("--max-slope", type=float, default=None,
                   help="fail if RSS grows faster than this many MB/min over the measured phase (default: 1 when "
                        "it lasts 5 minutes or more, else not checked)")
    a = p.parse_args()
    if a.seconds <= 0 or a.seconds > 3600 or a.clients < 1 or a.clients > 256 or not 0 < a.warmup < 1:
        p.error("--seconds must be in (0, 3600], --clients in [1, 256], --warmup in (0, 1)")
    seed = a.seed if a.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    max_requests = a.max_requests or int(a.seconds * 400)
    log(f"seed {seed}, {a.clients} clients, {a.seconds:.0f} s ({a.warmup:.0%} warm-up)")

    binary = os.path.abspath(a.binary)
    cli(binary, a.database_url, "journey", "import", a.journey)
    for key in HYPOTHESES.values():
        cli(binary, a.database_url, "hypothesis", "start", key)
    secrets = {}
    for d in DEALERS:
        secrets[d] = []
        for k in range(KEYS_PER_DEALER):
            out = cli(binary, a.database_url, "key", "create", "--role", "dealer", "--dealer", d, "--name", f"soak {d} {k}", "--format", "json")
            secrets[d].append(json.loads(out)["secret"])
    analysts = [json.loads(cli(binary, a.database_url, "key", "create", "--role", "analyst", "--name", f"soak analyst {k}", "--format", "json"))["secret"]
                for k in range(2)]

    logdir = tempfile.mkdtemp(prefix="jl-soak.")
    server = Server(binary, a.database_url, logdir, ["--pool-size", str(a.pool_size)] if a.pool_size else []).start()
    base = server.base

    def stop_server():
        return server.stop(grace=15)
    atexit.register(stop_server)
    server.wait_ready()

    checks = []

    def check(name, ok, detail=""):
        checks.append((name, ok, detail))
        log(f"{'PASS' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}")

    stats = Stats()
    acked = AckLog()
    clients = []
    for i in range(a.clients):
        dealer = DEALERS[i % len(DEALERS)]
        secret = secrets[dealer][(i // len(DEALERS)) % KEYS_PER_DEALER]
        clients.append(Client(i, base, dealer, secret, analysts[i % len(analysts)], random.Random(rng.random()), stats, acked))
    t0 = time.monotonic()
    sampler = Sampler(server.proc.pid, t0)
    sampler.start()

    # --- warm-up
    warmup_s = a.seconds * a.warmup
    stuck = run_phase(clients, t0 + warmup_s, max_requests)
    gauges0 = settle(base, a.settle)
    base_sessions = sessions(a.pg_bin, a.database_url)
    rss_start = sampler.rss()
    log(f"baseline after {time.monotonic() - t0:.1f} s: sessions {base_sessions}, pool {gauges0}, RSS {rss_start / 1024:.1f} MB")

    # --- measured phase
    with stats.lock:
        stats.phase = "main"
    main_start = time.monotonic()
    main_t = main_start - t0
    cpu1_server, cpu1_client = sampler.cpu(), sum(os.times()[:2])
    stuck += run_phase(clients, main_start + a.seconds - warmup_s, max_requests)
    main_end = time.monotonic()
    main_s = main_end - main_start
    cpu2_server, cpu2_client = sampler.cpu(), sum(os.times()[:2])
    main_samples = [(t, v) for t, v in sampler.samples if main_t <= t <= main_end - t0]

    # --- settle and measure the end state
    settle_t0 = time.monotonic()
    gauges1 = settle(base, a.settle)
    end_sessions = sessions(a.pg_bin, a.database_url)
    while end_sessions != base_sessions and time.monotonic() < settle_t0 + a.settle:
        time.sleep(0.5)
        end_sessions = sessions(a.pg_bin, a.database_url)
    gauges1, server_5xx = pool_gauges(base)
    rss_end = sampler.rss()
    sampler.stop_event.set()
    sampler.join(timeout=5)
    rss_peak = max([v for t, v in sampler.samples if t >= main_t] + [rss_start, rss_end])
    alive = server.alive

    # --- checks: errors
    main_sent = stats.sent.get("main", {})
    total_sent = sum(sum(v.values()) for v in stats.sent.values())
    check("threads finished in time", stuck == 0, f"{stuck} still running")
    check("load was sent", sum(main_sent.values()) > 0 and all(main_sent.get(k, 0) > 0 for k in MIX if k != "abandon"),
          f"{sum(main_sent.values())} requests in the measured phase")
    check("no connection errors", not stats.conn_errors,
          f"{len(stats.conn_errors)}" + (f", e.g. {stats.conn_errors[0]}" if stats.conn_errors else ""))
    check("no 5xx", stats.s5xx == 0 and server_5xx == 0, f"client saw {stats.s5xx}, server counted {server_5xx}")
    check("no unexpected status", not stats.unexpected,
          f"{len(stats.unexpected)}" + (f", e.g. {stats.unexpected[0]}" if stats.unexpected else ""))
    check("deliberate conflicts answered 409", stats.conflicts_seen == stats.conflicts_expected,
          f"{stats.conflicts_seen} of {stats.conflicts_expected}")
    check("answers as expected", not stats.bad_bodies and not stats.bad_repeats,
          f"{len(stats.bad_bodies)} bad bodies, {len(stats.bad_repeats)} repeated batches not all duplicates"
          + (f", e.g. {(stats.bad_bodies + stats.bad_repeats)[0]}" if stats.bad_bodies or stats.bad_repeats else ""))
    check("repeat lookups return the first arms", not stats.arm_changes,
          f"{len(stats.arm_changes)} changed" + (f", e.g. {stats.arm_changes[0]}" if stats.arm_changes else ""))

    # --- checks: events stored exactly once
    stored_total = None
    try:
        dump = psql(a.pg_bin, a.database_url,
                    "SELECT deal_id || chr(9) || coalesce(event_id, '') FROM events WHERE deal_id LIKE 'soak-%'")
        stored = dump.splitlines()
        stored_total = len(stored)
        stored_set = set(stored)
        acked_set = {f"{d}\t{e}" for d, e in acked.items}
        check("every acknowledged event stored", acked_set <= stored_set, f"{len(acked_set - stored_set)} missing")
        check("no event stored twice", len(stored_set) == stored_total, f"{stored_total} rows, {len(stored_set)} distinct")
        check("nothing stored beyond the acknowledged", stored_set <= acked_set, f"{len(stored_set - acked_set)} extra")
        check("acknowledged = stored", len(acked.items) == len(acked_set) == stored_total,
              f"{len(acked.items)} acknowledged, {stored_total} stored")
    except Exception as e:  # noqa: BLE001 — a broken check is a failed check
        check("event checks ran", False, str(e))

    # --- checks: connections
    check("PostgreSQL sessions back to baseline", end_sessions == base_sessions, f"baseline {base_sessions}, end {end_sessions}")
    idle_ok = (gauges1.get("waiting") == 0 and gauges1.get("open") == gauges1.get("idle")
               and 0 < gauges1.get("open", 0) <= gauges1.get("max", 0))
    check("pool idle with nothing in use", idle_ok, f"baseline {gauges0}, end {gauges1}")
    # Besides the API pool, `serve` holds one connection for its lifecycle ticker.
    others0, others1 = base_sessions - gauges0.get("open", 0), end_sessions - gauges1.get("open", 0)
    check("sessions = pool connections + the ticker's", others1 == others0 and 0 <= others1 <= 1,
          f"pool open {gauges1.get('open')}, sessions {end_sessions} (others: baseline {others0}, end {others1})")

    # --- checks: memory
    first = [(t, v) for t, v in main_samples if t < main_t + main_s / 2]
    second = [(t, v) for t, v in main_samples if t >= main_t + main_s / 2]
    slope_all, slope_1, slope_2 = slope_mb_per_min(main_samples), slope_mb_per_min(first), slope_mb_per_min(second)
    growth_kb = rss_end - rss_start
    bound_kb = max(a.rss_growth_mb * 1024, a.rss_growth_share * rss_start)
    check("RSS end within bound of start", growth_kb <= bound_kb,
          f"{rss_start / 1024:.1f} → {rss_end / 1024:.1f} MB (+{growth_kb / 1024:.1f}, bound +{bound_kb / 1024:.1f})")
    max_slope = a.max_slope if a.max_slope is not None else (1.0 if main_s >= 300 else None)
    if max_slope is not None:
        check("RSS slope over the measured phase", not math.isnan(slope_all) and slope_all <= max_slope,
              f"{slope_all:.2f} MB/min (bound {max_slope})")
    check("server alive at the end", alive)
    code = stop_server()
    check("server stopped cleanly on SIGTERM", code == 0, f"exit {code}")
    after_stop = sessions(a.pg_bin, a.database_url)
    check("no sessions left after the server stopped", after_stop == 0, f"{after_stop}")
    with open(os.path.join(logdir, "serve.log"), errors="replace") as f:
        errors = [line.strip() for line in f if re.match(r"^\S+ (error|critical) ", line)]
    check("no error in the server log", not errors, f"{len(errors)}" + (f", e.g. {errors[0][:300]}" if errors else ""))

    # --- figures
    print(f"soak: figures: {a.clients} clients, {a.seconds:.0f} s (warm-up {warmup_s:.1f} s, measured {main_s:.1f} s), seed {seed}")
    print(f"soak: requests sent {total_sent} (warm-up {sum(stats.sent.get('warmup', {}).values())}, "
          f"measured {sum(main_sent.values())}, {sum(main_sent.values()) / main_s:.0f} req/s)")
    print(f"soak:   {'kind':<16}{'sent':>8}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for kind in sorted(stats.latency, key=lambda k: -len(stats.latency[k])):
        lat = sorted(stats.latency[kind])
        print(f"soak:   {kind:<16}{len(lat):>8}{len(lat) / main_s:>8.1f}{percentile(lat, 0.5) * 1000:>9.1f}"
              f"{percentile(lat, 0.99) * 1000:>9.1f}{lat[-1] * 1000:>9.1f}")
    print(f"soak: statuses {dict(sorted(stats.status.items()))}, 5xx {stats.s5xx}, connection errors {len(stats.conn_errors)}, "
          f"deliberate 409 {stats.conflicts_seen}/{stats.conflicts_expected}, repeated batches all-duplicate {stats.repeat_batches_ok}")
    abandoned = {}
    for per in stats.abandoned.values():
        for k, v in per.items():
            abandoned[k] = abandoned.get(k, 0) + v
    print(f"soak: deliberately abandoned requests (closed before the answer, not counted above) "
          f"{sum(abandoned.values())} {dict(sorted(abandoned.items()))}")
    print(f"soak: events acknowledged {len(acked.items)} vs stored {stored_total}")
    print(f"soak: PostgreSQL sessions baseline {base_sessions}, end {end_sessions}, after server stop {after_stop}; "
          f"pool baseline {gauges0}, end {gauges1}")
    print(f"soak: RSS start {rss_start / 1024:.1f} MB, peak {rss_peak / 1024:.1f} MB, end {rss_end / 1024:.1f} MB; "
          f"slope measured phase {slope_all:.2f} MB/min (first half {slope_1:.2f}, second half {slope_2:.2f}), "
          f"{growth_kb / max(1, sum(main_sent.values())) * 1000:.1f} kB per 1000 requests")
    print(f"soak: CPU seconds in the measured phase: server {cpu2_server - cpu1_server:.1f}, this client {cpu2_client - cpu1_client:.1f} "
          f"(of {main_s * os.cpu_count():.0f} available on {os.cpu_count()} cores)")
    failed = sum(1 for c in checks if not c[1])
    if failed:
        print(f"soak: server log kept in {logdir}")
    else:
        shutil.rmtree(logdir, ignore_errors=True)
    print(f"soak: {len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    run("soak", main)
