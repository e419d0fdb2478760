"""Hand-written hostile requests against a running JourneyLab server (used by fuzz.py; loopback only).

Every case is one request (a few send two) with the answer the contract asks for. For every case:
  - the status is one of the expected ones, and never 5xx;
  - a 4xx is application/problem+json (`status`, `title`, `detail`) whose detail or field names what was wrong;
  - a rejected request leaves the row counts of deals, assignments, events, exclusion_claims, audit_log and
    api_keys unchanged; an accepted one that must store a value verbatim has it in the database byte for byte.
Afterwards the server must still answer /healthz and every table must still be there.

Kinds: utf8, nesting, numbers, size, batch, content-type, sql, time, unicode, json, http, framing (raw bytes no
HTTP client would send: oversized headers, bad Content-Length, request smuggling shapes, broken chunks).
"""
import http.client
import json
import socket
import time
import unicodedata
from datetime import datetime, timedelta, timezone

TABLES = ("deals", "assignments", "events", "exclusion_claims", "audit_log", "api_keys")
COUNT_SQL = "SELECT " + ", ".join(f"(SELECT count(*) FROM {t})" for t in TABLES)
SQL = "'; DROP TABLE events; --"
TIMEOUT = 15.0


class Reply:
    def __init__(self, status, headers, body, seconds):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    @property
    def content_type(self):
        return self.headers.get("content-type", "")

    def json(self):
        try:
            value = json.loads(self.body)
        except ValueError:
            return None
        return value


class Case:
    """One hostile request and what the contract says about it.

    expect: the statuses allowed; mentions: for a 4xx, words of which one must appear in `detail` or `field`
    (case-insensitive); stored: for a 2xx, (sql, params) that must count ≥ 1 row afterwards (verbatim storage).
    """

    def __init__(self, kind, name, path, body=None, *, method="POST", key="admin", ctype="application/json",
                 headers=None, expect=(200,), mentions=(), stored=None, send=None, raw=None):
        self.kind, self.name, self.path, self.method, self.key = kind, name, path, method, key
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=False).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.body, self.ctype, self.headers = body, ctype, headers or {}
        self.expect, self.mentions, self.stored, self.send = set(expect), mentions, stored, send
        self.raw = raw                  # a function of the keys returning the bytes to send as they are


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    t0 = time.monotonic()
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        if body is not None:
            conn.send(body)
        r = conn.getresponse()
        data = r.read()
        return Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, data, time.monotonic() - t0)
    finally:
        conn.close()


def raw_exchange(port, head, chunks, read_after=0):
    """Sends `head` and then `chunks` over one socket, stopping as soon as the server answers or closes.
    Returns (reply or None, bytes of body sent)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    t0 = time.monotonic()
    sent = 0
    try:
        try:
            s.sendall(head)
        except OSError:              # the server answered and closed before reading everything
            chunks = []
        s.setblocking(False)
        answer = b""
        for chunk in chunks:
            try:
                answer += s.recv(65536)
            except BlockingIOError:
                pass
            except OSError:
                break
            if answer:
                break
            try:
                s.setblocking(True)
                s.settimeout(TIMEOUT)
                s.sendall(chunk)
                sent += len(chunk)
                s.setblocking(False)
            except OSError:          # the server closed: it refused the rest
                break
        s.setblocking(True)
        s.settimeout(TIMEOUT)
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            head_end = answer.find(b"\r\n\r\n")
            if head_end >= 0:
                length = 0
                for line in answer[:head_end].split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                if len(answer) >= head_end + 4 + length:
                    break
            try:
                more = s.recv(65536)
            except OSError:
                break
            if not more:
                break
            answer += more
    finally:
        s.close()
    seconds = time.monotonic() - t0
    head_end = answer.find(b"\r\n\r\n")
    if head_end < 0:
        return None, sent
    lines = answer[:head_end].decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Reply(status, headers, answer[head_end + 4:], seconds), sent


def problem_fault(reply):
    """What is wrong with a 4xx reply as problem+json, or None."""
    if not reply.content_type.lower().startswith("application/problem+json"):
        return f"Content-Type {reply.content_type!r} is not application/problem+json"
    body = reply.json()
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    if body.get("status") != reply.status:
        return f"status member {body.get('status')!r} != {reply.status}"
    for member in ("type", "title", "detail"):
        if not isinstance(body.get(member), str) or not body[member]:
            return f"{member} missing"
    return None


def event(deal, n, **extra):
    e = {"event_id": f"hostile-{n}", "deal_id": deal, "type": "addon_purchased"}
    e.update(extra)
    return e


def cases(ctx):
    """The cases; ctx holds the keys, dealers and deals fuzz.py set up."""
    deal = ctx["deal"]                      # a deal of the dealer key's dealer, enrolled
    stage = ctx["stage"]
    dealer = ctx["dealer"]
    n = [0]

    def ev(**extra):
        n[0] += 1
        return {"events": [event(deal, n[0], **extra)]}

    def ev_raw(value_text):                 # an event whose "value" is the literal JSON text given
        n[0] += 1
        return ('{"events":[{"event_id":"hostile-%d","deal_id":%s,"type":"addon_purchased","value":%s}]}'
                % (n[0], json.dumps(deal), value_text))

    def assign(deal_id, **extra):
        body = {"deal_id": deal_id, "dealer_id": extra.pop("dealer_id", dealer), "stage": extra.pop("stage", stage)}
        body.update(extra)
        return body

    out = []
    add = out.append
    E, A = "/v1/events", "/v1/assignments"

    # --- invalid UTF-8 ---------------------------------------------------------------------------------
    prefix = b'{"events":[{"deal_id":"'
    suffix = b'","type":"addon_purchased"}]}'
    for name, bad in [("truncated 2-byte sequence", b"\xc3"), ("bad continuation", b"\xc3\x28"),
                      ("lone continuation byte", b"\x80"), ("overlong '/'", b"\xc0\xaf"), ("overlong NUL", b"\xc0\x80"),
                      ("0xFF byte", b"\xff"), ("UTF-16 surrogate encoded (CESU)", b"\xed\xa0\x80"),
                      ("beyond U+10FFFF", b"\xf4\x90\x80\x80"), ("5-byte sequence", b"\xf8\x88\x80\x80\x80")]:
        add(Case("utf8", f"invalid UTF-8 in a string: {name}", E, prefix + b"deal" + bad + suffix, expect=(400,),
                 mentions=("UTF-8",)))
    add(Case("utf8", "invalid UTF-8 in a field name", E, b'{"events":[{"deal\xff_id":"x","type":"t"}]}', expect=(400,),
             mentions=("UTF-8",)))
    add(Case("utf8", "invalid UTF-8 in an assignment", A, b'{"deal_id":"\xe2\x82","dealer_id":"x","stage":"s"}',
             expect=(400,), mentions=("UTF-8",)))
    add(Case("utf8", "escaped lone high surrogate", E, '{"events":[{"deal_id":"a\\ud800","type":"t"}]}', expect=(400,),
             mentions=("JSON", "deal_id", "surrogate")))
    add(Case("utf8", "escaped lone low surrogate", E, '{"events":[{"deal_id":"a\\udc00b","type":"t"}]}', expect=(400,),
             mentions=("JSON", "deal_id", "surrogate")))
    add(Case("utf8", "UTF-16 body", E, json.dumps(ev()).encode("utf-16"), expect=(400,), mentions=("UTF-8", "JSON")))

    # --- deeply nested JSON ----------------------------------------------------------------------------
    for depth in (1_000, 100_000):
        add(Case("nesting", f"{depth:,} unclosed [", E, "[" * depth, expect=(400,), mentions=("JSON", "nest", "deep")))
        add(Case("nesting", f"{depth:,} balanced [ ]", E, "[" * depth + "]" * depth, expect=(400,),
                 mentions=("JSON", "nest", "deep")))
        add(Case("nesting", f"{depth:,} nested objects", E, '{"a":' * depth + "1" + "}" * depth, expect=(400,),
                 mentions=("JSON", "nest", "deep", "unknown field")))
        add(Case("nesting", f"{depth:,} levels inside an event value", E,
                 '{"events":[{"deal_id":"d","type":"t","value":' + "[" * depth + "]" * depth + "}]}", expect=(400,),
                 mentions=("JSON", "nest", "deep", "value")))
        add(Case("nesting", f"{depth:,} levels inside attributes", A,
                 '{"deal_id":"d","dealer_id":"x","stage":"s","attributes":{"k":' + "[" * depth + "]" * depth + "}}",
                 expect=(400,), mentions=("JSON", "nest", "deep", "attributes")))
    add(Case("nesting", "500,000 [ (1 MiB of brackets)", E, "[" * 500_000, expect=(400,), mentions=("JSON", "nest", "deep")))

    # --- huge and non-finite numbers -------------------------------------------------------------------
    for text in ["1e400", "-1e400", "1E+400", "99999999999999999999999", "-99999999999999999999999", "1e13",
                 "10000000000000.00", "1" + "0" * 100_000, "1e2147483648", "1e-2147483649", "1e99999999999999999999",
                 "123456789012345678901234567890123456789012345678901234567890", "1e-400", "-1e-400",
                 "1." + "0" * 500_000, "0." + "0" * 500_000 + "1"]:
        add(Case("numbers", f"value {text[:30]}{'…' if len(text) > 30 else ''}", E, ev_raw(text), expect=(400, 422),
                 mentions=("value",)))
    for text in ["NaN", "Infinity", "-Infinity", "+1", "0x10", ".5", "1.", "01", "1e", "--1", "1_000"]:
        add(Case("numbers", f"value {text} (not JSON)", E, ev_raw(text), expect=(400,), mentions=("JSON", "value")))
    for text in ["-0", "0", "0.001", "0.00000000000000000000000000000000000000001", "1" + "0" * 12, "9999999999999.99", "-9999999999999.99", "1.5e3"]:
        add(Case("numbers", f"value {text} (in range)", E, ev_raw(text), expect=(200,)))
    add(Case("numbers", "deal_id 1e400 (a number)", E, '{"events":[{"deal_id":1e400,"type":"t"}]}', expect=(400,),
             mentions=("deal_id",)))
    add(Case("numbers", "occurred_at 1e12 (a number)", E, ev(occurred_at=1e12), expect=(400,), mentions=("occurred_at",)))
    add(Case("numbers", "attribute value 1e400", A, '{"deal_id":"d-n","dealer_id":"%s","stage":"%s","attributes":{"k":1e400}}'
             % (dealer, stage), expect=(400,), mentions=("attributes",)))

    # --- body size -------------------------------------------------------------------------------------
    pad = "x" * (1 << 20)
    add(Case("size", "1 MiB + a little, Content-Length", E, {"events": [event(deal, 0, type=pad)]}, expect=(413,),
             mentions=("1 MiB",)))
    add(Case("size", "10 MB, Content-Length, only 64 KiB sent", E, send="declared-10mb", expect=(413,), mentions=("1 MiB",)))
    add(Case("size", "10 MB, chunked, refused before the end", E, send="chunked-10mb", expect=(413,), mentions=("1 MiB",)))
    add(Case("size", "10 MB to an assignment, Content-Length", A, send="declared-10mb", expect=(413,), mentions=("1 MiB",)))

    # --- batches ---------------------------------------------------------------------------------------
    def batch(count, tag):
        return {"events": [{"event_id": f"{tag}-{i}", "deal_id": deal, "type": "addon_purchased"} for i in range(count)]}

    add(Case("batch", "10,000 events", E, batch(10_000, "b10k"), expect=(422,), mentions=("1000", "1,000")))
    add(Case("batch", "1,001 events", E, batch(1_001, "b1001"), expect=(422,), mentions=("1000", "1,000")))
    add(Case("batch", "0 events", E, {"events": []}, expect=(422,), mentions=("events",)))
    add(Case("batch", "10,000 events over 1 MiB", E,
             {"events": [{"event_id": f"big-{i:0100d}", "deal_id": deal, "type": "addon_purchased"} for i in range(10_000)]},
             expect=(413,), mentions=("1 MiB",)))
    add(Case("batch", "1,000 events (the limit) stored", E, batch(1_000, "b1000"), expect=(200,),
             stored=("SELECT count(*) = 1000 FROM events WHERE event_id LIKE 'b1000-%%'", ())))
    add(Case("batch", "a key repeated with another payload in one batch", E,
             {"events": [event(deal, 900_001), event(deal, 900_001, value=5)]}, expect=(409,), mentions=("event_id",)))

    # --- content types ---------------------------------------------------------------------------------
    good = json.dumps(ev()).encode()
    for ctype in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml",
                  "application/json; charset=latin1", "application/json; charset=iso-8859-1", "application/json; charset=utf-16",
                  "application/jsonx", "application/json-patch+json", "application/json, text/plain", "json", "*/*", ""]:
        add(Case("content-type", f"Content-Type {ctype!r}", E, good, ctype=ctype, expect=(415,),
                 mentions=("Content-Type", "charset", "application/json")))
    add(Case("content-type", "no Content-Type", E, good, ctype=None, expect=(415,), mentions=("Content-Type",)))
    add(Case("content-type", "form body as a form", E, b"events=1", ctype="application/x-www-form-urlencoded", expect=(415,),
             mentions=("Content-Type",)))
    for ctype in ["application/json; charset=utf-8", "application/json;charset=UTF-8", "APPLICATION/JSON",
                  'application/json; charset="utf-8"']:
        n[0] += 1
        add(Case("content-type", f"Content-Type {ctype!r} (accepted)", E, {"events": [event(deal, n[0])]}, ctype=ctype,
                 expect=(200,)))

    # --- SQL-looking strings ---------------------------------------------------------------------------
    add(Case("sql", "deal_id is SQL: stored verbatim", A, assign(SQL + " deal", dealer_id=dealer), key="dealer", expect=(200,),
             stored=("SELECT count(*) FROM deals WHERE deal_id = %s", (SQL + " deal",))))
    add(Case("sql", "dealer_id is SQL: stored verbatim", A, assign("sql-dealer-deal", dealer_id=SQL), expect=(200,),
             stored=("SELECT count(*) FROM deals WHERE deal_id = 'sql-dealer-deal' AND dealer_id = %s", (SQL,))))
    add(Case("sql", "segment is SQL: stored verbatim", A, assign("sql-segment-deal", segment=SQL), expect=(200,),
             stored=("SELECT count(*) FROM deals WHERE segment = %s", (SQL,))))
    add(Case("sql", "attributes are SQL: stored verbatim", A, assign("sql-attr-deal", attributes={SQL: SQL}), expect=(200,),
             stored=("SELECT count(*) FROM deals WHERE attributes ->> %s = %s", (SQL, SQL))))
    add(Case("sql", "stage is SQL", A, assign("sql-stage-deal", stage=SQL), expect=(422,), mentions=("stage",)))
    add(Case("sql", "dealer key, dealer_id is SQL", A, assign("sql-x", dealer_id=SQL), key="dealer", expect=(403,),
             mentions=("dealer",)))
    add(Case("sql", "event_id is SQL: stored verbatim", E, {"events": [dict(event(deal, 0), event_id=SQL)]}, key="dealer",
             expect=(200,), stored=("SELECT count(*) FROM events WHERE event_id = %s", (SQL,))))
    add(Case("sql", "event type is SQL", E, ev(type=SQL), expect=(422,), mentions=("type",)))
    add(Case("sql", "event stage is SQL", E, ev(type="stage_reached", stage=SQL), expect=(422,), mentions=("stage",)))
    add(Case("sql", "event deal_id is SQL (unknown deal)", E, {"events": [dict(event(deal, 0), deal_id="x" + SQL)]},
             expect=(422,), mentions=("deal_id",)))
    add(Case("sql", "occurred_at is SQL", E, ev(occurred_at="2025-01-01T00:00:00Z'; DROP TABLE events; --"), expect=(422,),
             mentions=("occurred_at",)))
    add(Case("sql", "hypothesis id is SQL", "/v1/hypotheses/%27%3B%20DROP%20TABLE%20events%3B%20--", method="GET",
             key="analyst", expect=(404,), mentions=("hypothesis",)))
    add(Case("sql", "report id is SQL", "/v1/hypotheses/%27%20OR%20%271%27%3D%271/report", method="GET", key="analyst",
             expect=(404,), mentions=("hypothesis",)))
    add(Case("sql", "HTML report id is SQL", "/reports/1%20OR%201%3D1", method="GET", key="analyst", expect=(404,),
             mentions=("hypothesis",)))
    add(Case("sql", "bearer key is SQL", "/v1/hypotheses", method="GET", key=None,
             headers={"Authorization": "Bearer ' OR '1'='1"}, expect=(401,), mentions=("key",)))

    # --- timestamps ------------------------------------------------------------------------------------
    now = datetime.now(timezone.utc)
    for text in ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1999-12-31T23:59:59Z", "1000000000000", "1e12",
                 "2026-02-30T10:00:00Z", "2025-02-29T10:00:00Z", "2025-13-01T00:00:00Z", "2025-00-10T00:00:00Z",
                 "2025-06-31T00:00:00Z", "2025-06-01T24:00:00Z", "2025-06-01T23:60:00Z", "2025-06-01T23:59:60Z",
                 "2025-06-01T10:00:00", "2025-06-01", "2025-06-01T10:00:00+25:00", "2025-06-01T10:00:00+05:60",
                 "+275760-09-13T00:00:00Z", "-000001-01-01T00:00:00Z", "2025-06-01T10:00:00Z\n", " 2025-06-01T10:00:00Z",
                 "２０２５-06-01T10:00:00Z", "2025-06-01T10:00:00.1234567890123456789012345678901234Z", "",
                 (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ"), "2025-W23-1T10:00:00Z", "2025-152T10:00:00Z"]:
        add(Case("time", f"occurred_at {text!r}", E, ev(occurred_at=text), expect=(422,), mentions=("occurred_at",)))
    for text in ["2000-01-01T00:00:00Z", "2024-02-29T12:00:00+03:00", "2025-06-01T10:00:00.123456Z",
                 "2025-06-01T10:00:00-09:30", (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")]:
        add(Case("time", f"occurred_at {text!r} (accepted)", E, ev(occurred_at=text), expect=(200,)))

    # --- Unicode identifiers ---------------------------------------------------------------------------
    nfc = "café-" + "й"
    for name, text in [("Cyrillic", "сделка-001"), ("emoji", "🚗-deal-💥"), ("family emoji (ZWJ)", "👨‍👩‍👧‍👦"),
                       ("RTL Arabic with RLM", "صفقة\u200f-42"), ("Hebrew", "עסקה-7"), ("CJK", "取引-八"),
                       ("combining marks without a precomposed form", "q\u0323\u0307-1"), ("NFC accents", nfc),
                       ("astral plane", "𝔡𝔢𝔞𝔩"), ("128 code points", "ж" * 128), ("zalgo (NFC)", "z" + "\u0337" * 40)]:
        add(Case("unicode", f"deal_id {name}: stored verbatim", A, assign(text), key="dealer", expect=(200,),
                 stored=("SELECT count(*) FROM deals WHERE deal_id = %s", (text,))))
    for name, text, why in [("NUL", "deal\x00", ("NUL",)), ("escaped NUL", None, ("NUL",)),
                            ("tab", "deal\t1", ("control",)), ("newline", "deal\n1", ("control",)),
                            ("DEL", "deal\x7f", ("control",)), ("C1 control", "deal\x85", ("control",)),
                            ("right-to-left override", "deal-\u202e1a", ("control",)),
                            ("bidirectional isolate", "deal-\u20661", ("control",)),
                            ("129 code points", "ж" * 129, ("128",)),
                            ("43 graphemes of 129 code points", "x\u0337\u0337" * 43, ("128",)),
                            ("decomposed (not NFC)", unicodedata.normalize("NFD", nfc), ("NFC",)),
                            ("empty", "", ("1 to 128", "deal_id"))]:
        if text is None:
            body = '{"deal_id":"deal\\u0000","dealer_id":"%s","stage":"%s"}' % (dealer, stage)
        else:
            body = assign(text)
        add(Case("unicode", f"deal_id {name}: rejected", A, body, key="dealer", expect=(400, 422), mentions=why))
    add(Case("unicode", "dealer_id decomposed (not NFC)", A, assign("nfd-dealer-deal", dealer_id=unicodedata.normalize("NFD", "дилер-й")),
             expect=(422,), mentions=("NFC",)))
    add(Case("unicode", "event_id 43 graphemes of 129 code points", E, ev(event_id="x\u0337\u0337" * 43), expect=(422,),
             mentions=("event_id",)))
    add(Case("unicode", "event_id decomposed (not NFC)", E, ev(event_id=unicodedata.normalize("NFD", "событие-й")),
             expect=(422,), mentions=("NFC",)))
    add(Case("unicode", "event on an emoji deal stored verbatim", E,
             {"events": [{"event_id": "emoji-ev", "deal_id": "🚗-deal-💥", "type": "closed_won"}]}, key="dealer",
             expect=(200,), stored=("SELECT count(*) FROM events WHERE deal_id = %s AND event_id = 'emoji-ev'", ("🚗-deal-💥",))))
    add(Case("unicode", "hypothesis id in Cyrillic", "/v1/hypotheses/%D0%B3%D0%B8%D0%BF%D0%BE%D1%82%D0%B5%D0%B7%D0%B0",
             method="GET", key="analyst", expect=(404,), mentions=("hypothesis",)))
    add(Case("unicode", "hypothesis id with invalid UTF-8 escape", "/v1/hypotheses/%FF%FE", method="GET", key="analyst",
             expect=(400, 404), mentions=("hypothesis", "path", "UTF-8", "resource")))
    add(Case("unicode", "real hypothesis id + NUL + junk", "/v1/hypotheses/accessories-email-chain%00junk", method="GET",
             key="analyst", expect=(404,), mentions=("hypothesis",)))
    add(Case("unicode", "real report id + NUL + junk", "/reports/accessories-email-chain%00junk", method="GET",
             key="analyst", expect=(404,), mentions=("hypothesis",)))
    add(Case("unicode", "hypothesis id with NUL", "/v1/hypotheses/a%00b", method="GET", key="analyst", expect=(400, 404),
             mentions=("hypothesis", "path", "resource")))

    # --- other malformed JSON --------------------------------------------------------------------------
    for name, text in [("empty body", ""), ("whitespace only", "   "), ("top-level array", "[]"), ("top-level null", "null"),
                       ("top-level string", '"events"'), ("top-level number", "1"), ("empty object", "{}"),
                       ("events null", '{"events":null}'), ("events object", '{"events":{}}'),
                       ("trailing garbage", json.dumps(ev()) + " x"), ("two documents", json.dumps(ev()) * 2),
                       ("trailing comma", '{"events":[{"deal_id":"d","type":"t"},]}'),
                       ("comment", '{"events":[] /* x */}'), ("single quotes", "{'events':[]}"),
                       ("unquoted key", '{events:[]}'), ("duplicate key", '{"events":[],"events":[]}'),
                       ("duplicate event field", '{"events":[{"deal_id":"%s","deal_id":"other","type":"t"}]}' % deal),
                       ("unterminated string", '{"events":[{"deal_id":"d'), ("bad escape", '{"events":[{"deal_id":"\\q","type":"t"}]}'),
                       ("raw newline in a string", '{"events":[{"deal_id":"a\nb","type":"t"}]}')]:
        add(Case("json", name, E, text, expect=(400,), mentions=("JSON", "events", "field", "body", "duplicate", "deal_id")))
    add(Case("json", "65 attributes", A, assign("attrs-65", attributes={f"k{i}": "v" for i in range(65)}), expect=(422,),
             mentions=("attributes",)))
    add(Case("json", "attribute value an object", A, assign("attrs-obj", attributes={"k": {"x": 1}}), expect=(400,),
             mentions=("attributes",)))
    add(Case("json", "unknown field", A, assign("unknown-f", colour="red"), expect=(400,), mentions=("colour",)))

    # --- HTTP edges ------------------------------------------------------------------------------------
    add(Case("http", "DELETE /v1/events", E, method="DELETE", expect=(405,), mentions=("POST",)))
    add(Case("http", "PUT /v1/assignments", A, good, method="PUT", expect=(405,), mentions=("POST",)))
    add(Case("http", "GET /v1/events", E, method="GET", expect=(405,), mentions=("POST",)))
    add(Case("http", "TRACE /healthz", "/healthz", method="TRACE", key=None, expect=(405,), mentions=("GET",)))
    add(Case("http", "path traversal", "/reports/..%2F..%2Fetc%2Fpasswd", method="GET", key="analyst", expect=(404,),
             mentions=("hypothesis", "resource")))
    add(Case("http", "8 KiB Authorization header", "/v1/hypotheses", method="GET", key=None,
             headers={"Authorization": "Bearer " + "a" * 8192}, expect=(401,), mentions=("key",)))
    add(Case("http", "Authorization scheme Basic", "/v1/hypotheses", method="GET", key=None,
             headers={"Authorization": "Basic YWRtaW46YWRtaW4="}, expect=(401,), mentions=("Bearer",)))
    add(Case("http", "10,000 query parameters", "/v1/hypotheses?" + "&".join(f"p{i}=1" for i in range(10_000)),
             method="GET", key="analyst", expect=(200, 414, 431)))
    add(Case("http", "analyst writes", E, good, key="analyst", expect=(403,), mentions=("analyst",)))

    # --- HTTP framing: sent as raw bytes -----------------------------------------------------------------
    def framed(head_lines, body=b""):
        return lambda keys: ("\r\n".join(head_lines).replace("{admin}", keys["admin"]) + "\r\n\r\n").encode() + body

    auth = "Authorization: Bearer {admin}"
    post = ["POST /v1/events HTTP/1.1", "Host: x", auth, "Content-Type: application/json"]
    event_body = json.dumps(ev()).encode()
    http_mentions = ("HTTP/1.1",)
    for name, lines, body in [
            ("100 KiB header line", ["GET /healthz HTTP/1.1", "Host: x", "X-Big: " + "a" * 100_000], b""),
            ("200 KB request target", ["GET /v1/hypotheses/" + "a" * 200_000 + " HTTP/1.1", "Host: x", auth], b""),
            ("2,000 headers", ["GET /healthz HTTP/1.1", "Host: x"] + [f"X-H{i}: v" for i in range(2_000)], b""),
            ("garbage request line", ["NOT-HTTP"], b""),
            ("Content-Length -1", post + ["Content-Length: -1"], event_body),
            ("Content-Length abc", post + ["Content-Length: abc"], event_body),
            ("two Content-Lengths", post + ["Content-Length: 5", f"Content-Length: {len(event_body)}"], event_body),
            ("Transfer-Encoding with Content-Length", post + ["Content-Length: 4", "Transfer-Encoding: chunked"],
             b"%x\r\n" % len(event_body) + event_body + b"\r\n0\r\n\r\n"),
            ("NUL in a header", ["GET /healthz HTTP/1.1", "Host: x", "X-A: a\x00b"], b""),
            ("bare LF line ends", [], None)]:
        if body is None:
            raw = lambda keys: b"GET /healthz HTTP/1.1\nHost: x\n\n"
            add(Case("framing", name, "/healthz", raw=raw, expect=(200, 400), mentions=http_mentions))
            continue
        add(Case("framing", name, E, raw=framed(lines, body), expect=(400,), mentions=http_mentions))
    chunked = post + ["Transfer-Encoding: chunked"]
    for name, body in [("bad chunk size after a whole body", b"%x\r\n" % len(event_body) + event_body + b"\r\nzz\r\n\r\n0\r\n\r\n"),
                       ("chunk longer than its size", b"5\r\n" + event_body + b"\r\n0\r\n\r\n"),
                       ("chunk size overflowing 64 bits", b"FFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n")]:
        add(Case("framing", name, E, raw=framed(chunked, body), expect=(400, 413), mentions=http_mentions + ("1 MiB",)))
    add(Case("framing", "HTTP/1.0 request", "/healthz", raw=lambda keys: b"GET /healthz HTTP/1.0\r\n\r\n", expect=(200,)))
    hostless = [line for line in post if line != "Host: x"] + [f"Content-Length: {len(event_body)}"]
    add(Case("framing", "HTTP/1.1 event batch without Host", E, raw=framed(hostless, event_body), expect=(400,),
             mentions=("Host header",)))
    add(Case("framing", "two Host headers", E, raw=framed(hostless + ["Host: a", "Host: b"], event_body), expect=(400,),
             mentions=("2 Host headers",)))
    return out


def counts(db):
    return db.execute(COUNT_SQL).fetchone()


def run(port, keys, db, ctx):
    """Runs every case; returns (results, figures). results: list of (case, ok, why)."""
    results = []
    figures = {"cases": {}, "requests": 0, "statuses": {}, "server_errors": 0, "notes": []}
    for case in cases(ctx):
        before = counts(db)
        headers = dict(case.headers)
        if case.key:
            headers["Authorization"] = f"Bearer {keys[case.key]}"
        if case.body is not None and case.ctype is not None:
            headers["Content-Type"] = case.ctype
        why = []
        reply = None
        try:
            if case.raw is not None:
                reply, _ = raw_exchange(port, case.raw(keys), [])
            elif case.send == "declared-10mb":
                head = (f"POST {case.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {keys[case.key]}\r\n"
                        f"Content-Type: application/json\r\nContent-Length: {10 * 1024 * 1024}\r\n\r\n").encode()
                reply, sent = raw_exchange(port, head, [b"[" * 65536])
                figures["notes"].append(f"{case.path} declared 10 MiB: {reply.status if reply else 'no answer'} after "
                                        f"{sent // 1024} KiB of body, {1000 * (reply.seconds if reply else 0):.0f} ms")
                if sent > 65536:
                    why.append(f"sent {sent} bytes")
            elif case.send == "chunked-10mb":
                head = (f"POST {case.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {keys[case.key]}\r\n"
                        f"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
                chunk = b"10000\r\n" + b" " * 65536 + b"\r\n"
                reply, sent = raw_exchange(port, head, [chunk] * 160 + [b"0\r\n\r\n"])
                figures["notes"].append(f"{case.path} chunked 10 MiB: {reply.status if reply else 'no answer'} after "
                                        f"{sent // 1024} KiB written (socket buffers included), "
                                        f"{1000 * (reply.seconds if reply else 0):.0f} ms")
                if sent >= 160 * len(chunk):
                    why.append("the server read all 10 MB before answering")
            else:
                reply = request(port, case.method, case.path, case.body, headers)
        except (OSError, http.client.HTTPException) as e:
            why.append(f"no answer: {type(e).__name__}: {e}")
        figures["requests"] += 1
        figures["cases"][case.kind] = figures["cases"].get(case.kind, 0) + 1
        if reply is not None:
            key = str(reply.status)
            figures["statuses"][key] = figures["statuses"].get(key, 0) + 1
            if reply.status >= 500:
                figures["server_errors"] += 1
                why.append(f"server error {reply.status}: {reply.body[:200]!r}")
            if reply.status not in case.expect:
                why.append(f"status {reply.status}, expected {sorted(case.expect)}: {reply.body[:300]!r}")
            if 400 <= reply.status < 500:
                fault = problem_fault(reply)
                if fault:
                    why.append(f"not problem+json: {fault}")
                elif case.mentions:
                    body = reply.json()
                    said = (str(body.get("detail", "")) + " " + str(body.get("field", ""))).lower()
                    if not any(m.lower() in said for m in case.mentions):
                        why.append(f"the problem does not name {' or '.join(case.mentions)}: {body.get('detail')!r}")
            if reply.seconds > 10:
                why.append(f"took {reply.seconds:.1f} s")
        elif not why:
            why.append("no HTTP answer")
        after = counts(db)
        rejected = reply is None or reply.status >= 400
        if rejected and after != before:
            changed = {t: (b, a) for t, b, a in zip(TABLES, before, after) if b != a}
            why.append(f"a rejected request changed row counts: {changed}")
        if reply is not None and reply.status < 300 and case.stored:
            sql, params = case.stored
            row = db.execute(sql, params).fetchone()
            if not row or not row[0]:
                why.append(f"not stored verbatim ({sql})")
        ok = not why
        results.append((case, ok, "; ".join(why)))
    return results, figures
