"""Schemathesis hooks and checks for fuzz.py (loaded with SCHEMATHESIS_HOOKS=fuzz_hooks).

Checks, on every response schemathesis gets:
  problem_json_errors          every 4xx is application/problem+json: a JSON object whose `status` is the
                               response status and whose `title` and `detail` are strings
  nothing_stored_on_rejection  a 4xx or 5xx left the row counts of deals, assignments, events,
                               exclusion_claims, audit_log and api_keys as they were before the call
(`not_a_server_error` is schemathesis' own.) The row counts are read before and after every call, which is
sound only because schemathesis runs with one worker: nothing else writes meanwhile.

Generation: so that the fuzzer gets past "unknown deal" and "another dealer" and reaches the stores, bodies
and path parameters are sometimes pointed at things that exist: known deals, the key's own dealer, the
journey's stages, the hypotheses (given by fuzz.py in JOURNEYLAB_FUZZ_* variables).

Figures (requests, statuses, failures) go to the JSON file JOURNEYLAB_FUZZ_STATS when the run ends.

With JOURNEYLAB_FUZZ_SELFTEST=1 the hooks plant faults so that fuzz.py can see the checks fail: after every
rejected call they add an audit_log row (as if the call had stored something) and relabel a 4xx as
application/json.
"""
import atexit
import json
import os
import re
import threading

import psycopg
import schemathesis
from hypothesis import strategies as st

TABLES = ("deals", "assignments", "events", "exclusion_claims", "audit_log", "api_keys")
COUNT_SQL = "SELECT " + ", ".join(f"(SELECT count(*) FROM {t})" for t in TABLES)

DATABASE_URL = os.environ["JOURNEYLAB_FUZZ_DATABASE_URL"]
STATS_PATH = os.environ.get("JOURNEYLAB_FUZZ_STATS")
DEALER = os.environ.get("JOURNEYLAB_FUZZ_DEALER", "")
DEALERS = json.loads(os.environ.get("JOURNEYLAB_FUZZ_DEALERS", "[]"))
DEALS = json.loads(os.environ.get("JOURNEYLAB_FUZZ_DEALS", "[]"))
STAGES = json.loads(os.environ.get("JOURNEYLAB_FUZZ_STAGES", "[]"))
HYPOTHESES = json.loads(os.environ.get("JOURNEYLAB_FUZZ_HYPOTHESES", "[]"))
SELFTEST = os.environ.get("JOURNEYLAB_FUZZ_SELFTEST") == "1"

_lock = threading.Lock()
_db = None
_before = None                   # counts read by the last before_call
# id(response) → (response, {table: (before, after)}) for every call. The response is kept with its entry: ids
# are addresses, and a later response at a freed address must not inherit an earlier call's changes.
_changes = {}
_seen = set()                    # (check, id(response)) counted once (a response may be checked twice)
stats = {"requests": 0, "statuses": {}, "server_errors": 0, "not_problem": 0, "stored_on_rejection": 0,
         "examples": []}


def _counts():
    global _db
    for attempt in (1, 2):
        try:
            if _db is None or _db.closed:
                _db = psycopg.connect(DATABASE_URL, autocommit=True, connect_timeout=10)
            return _db.execute(COUNT_SQL).fetchone()
        except psycopg.OperationalError:
            _db = None
            if attempt == 2:
                raise


def _example(kind, case, response, detail):
    if len(stats["examples"]) < 10:
        body = response.content[:300].decode("utf-8", "replace")
        stats["examples"].append({"kind": kind, "call": f"{case.method} {case.formatted_path}",
                                  "status": response.status_code, "detail": detail, "body": body})


@atexit.register
def _write_stats():
    if STATS_PATH:
        with open(STATS_PATH, "w") as f:
            json.dump(stats, f)


# --- generation: reach the stores --------------------------------------------------------------------

def _pick(values, fallback):
    return st.sampled_from(values) if values else st.just(fallback)


# Only a field that is already valid is replaced (by another valid value): a negative case stays negative, so
# schemathesis' negative_data_rejection still judges the body it thinks it sent.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SLUG = re.compile(r"^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$")


def _valid_id(value):
    return isinstance(value, str) and 1 <= len(value) <= 128 and not _CONTROL.search(value)


def _valid_stage(value):
    return isinstance(value, str) and _SLUG.match(value) is not None


def _point_assignment(body):
    """The body, or a copy whose dealer_id, stage and deal_id (when valid) exist, so the request reaches the scheduler."""
    own = DEALER or (DEALERS[0] if DEALERS else None)
    if not isinstance(body, dict) or own is None:
        return st.just(body)

    def point(choice):
        use_dealer, stage, deal = choice
        copy = dict(body)
        if use_dealer and _valid_id(copy.get("dealer_id")):
            copy["dealer_id"] = own
        if stage and _valid_stage(copy.get("stage")):
            copy["stage"] = stage
        if deal and _valid_id(copy.get("deal_id")):
            copy["deal_id"] = deal
        return copy

    return st.tuples(st.booleans(), st.one_of(st.none(), _pick(STAGES, None)),
                     st.one_of(st.none(), st.none(), _pick(DEALS, None))).map(point)


def _point_events(body):
    """The batch, or a copy whose events (when objects with a valid deal_id) name known deals."""
    if not isinstance(body, dict) or not isinstance(body.get("events"), list) or not DEALS:
        return st.just(body)

    def point(choice):
        known, deal = choice
        if not known:
            return body
        copy = dict(body)
        copy["events"] = [dict(e, deal_id=deal) if isinstance(e, dict) and _valid_id(e.get("deal_id")) else e
                          for e in body["events"]]
        return copy

    return st.tuples(st.booleans(), st.sampled_from(DEALS)).map(point)


@schemathesis.hook
def flatmap_body(ctx, body):
    path = ctx.operation.path if ctx.operation is not None else ""
    if path == "/v1/assignments":
        return _point_assignment(body)
    if path == "/v1/events":
        return _point_events(body)
    return st.just(body)


@schemathesis.hook
def flatmap_path_parameters(ctx, parameters):
    if not isinstance(parameters, dict) or not _valid_stage(parameters.get("id")) or not HYPOTHESES:
        return st.just(parameters)  # (hypothesis ids are slugs like stage keys)
    return st.one_of(st.just(parameters), st.sampled_from(HYPOTHESES).map(lambda h: dict(parameters, id=h)))


# --- bookkeeping around every call ---------------------------------------------------------------------

@schemathesis.hook
def before_call(ctx, case, kwargs):
    global _before
    with _lock:
        _before = _counts()


@schemathesis.hook
def after_call(ctx, case, response):
    global _before
    with _lock:
        if SELFTEST and response.status_code >= 400:
            _db.execute("INSERT INTO audit_log (actor, action, entity_type, entity_key) "
                        "VALUES ('fuzz-selftest', 'planted', 'deal', 'none')")
            if response.status_code < 500:
                response.headers["content-type"] = ["application/json"]
        after = _counts()
        before, _before = _before, None
        stats["requests"] += 1
        key = str(response.status_code)
        stats["statuses"][key] = stats["statuses"].get(key, 0) + 1
        if response.status_code >= 500:
            stats["server_errors"] += 1
        if len(_changes) > 2_000:
            _changes.clear()
            _seen.clear()
        changed = {t: (b, a) for t, b, a in zip(TABLES, before, after) if b != a} if before is not None else {}
        _changes[id(response)] = (response, changed)


# --- checks --------------------------------------------------------------------------------------------

def _problem_fault(response):
    """What is wrong with a 4xx response as problem+json, or None."""
    ctype = (response.headers.get("content-type") or [""])[0]
    if not ctype.lower().startswith("application/problem+json"):
        return f"Content-Type is {ctype!r}, not application/problem+json"
    try:
        body = json.loads(response.content)
    except ValueError:
        return "the body is not JSON"
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    if body.get("status") != response.status_code:
        return f"`status` is {body.get('status')!r}, the response is {response.status_code}"
    for member in ("title", "detail", "type"):
        if not isinstance(body.get(member), str) or not body.get(member):
            return f"`{member}` is missing or not a non-empty string"
    return None


@schemathesis.check
def problem_json_errors(ctx, response, case):
    """Every 4xx is application/problem+json with `status` (= the response status), `title` and `detail`."""
    if 400 <= response.status_code < 500:
        fault = _problem_fault(response)
        if fault:
            with _lock:
                if ("p", id(response)) not in _seen:
                    _seen.add(("p", id(response)))
                    stats["not_problem"] += 1
                    _example("not problem+json", case, response, fault)
            raise AssertionError(f"{response.status_code} is not a problem document: {fault}")


@schemathesis.check
def nothing_stored_on_rejection(ctx, response, case):
    """A rejected call (4xx or 5xx) left every row count as it was."""
    if response.status_code >= 400:
        entry = _changes.get(id(response))
        changed = entry[1] if entry is not None and entry[0] is response else None
        if changed:
            with _lock:
                if ("s", id(response)) not in _seen:
                    _seen.add(("s", id(response)))
                    stats["stored_on_rejection"] += 1
                    _example("stored on rejection", case, response, str(changed))
            raise AssertionError(f"a rejected call ({response.status_code}) changed row counts: {changed}")
