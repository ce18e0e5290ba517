#!/usr/bin/env python3
"""Load generator of the fault check (bench/faults.sh): asynchronous refunds through
the open API while the server is being killed and PostgreSQL restarted.

Every refund has a fresh refundRequestId and a partial amount of one of the payments
(drawn at random, so several refunds per payment and, by design, more asked in all
than the payments hold: some are refused REFUND_AMOUNT_EXCEED). A share carries
SIMULATE_FAIL in its reason (the simulated acquirer fails them), a share names a
refundNotifyUrl, and a share is sent twice with the same refundRequestId: at the same
moment, or again after the first answer. Like a merchant following docs/API.md, a
client retries a U answer other than REFUND_IN_PROCESS, any other HTTP status and any
connection failure with the same refundRequestId and the same body, until it gets a
final answer or the deadline passes.

Writes one JSON line per refundRequestId to --out (what was asked, every final answer,
retries) and a last line {"summary": ...}.
"""

import argparse
import http.client
import json
import os
import random
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import antom_sig  # noqa: E402

PATH = "/ams/api/v1/payments/refund"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--client-id", required=True)
    ap.add_argument("--private-key", required=True, help="PEM")
    ap.add_argument("--platform-key", required=True, help="PEM")
    ap.add_argument("--payments", required=True, help="lines: paymentId amountMinor")
    ap.add_argument("--currency", default="JPY")
    ap.add_argument("--refunds", type=int, default=1200)
    ap.add_argument("--rate", type=float, default=12.0, help="new refunds per second")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--min-amount", type=int, default=100)
    ap.add_argument("--max-amount", type=int, default=600)
    ap.add_argument("--repeat-pct", type=float, default=15)
    ap.add_argument("--fail-pct", type=float, default=20)
    ap.add_argument("--notify-url-pct", type=float, default=50)
    ap.add_argument("--request-notify-url", required=True)
    ap.add_argument("--tag", required=True, help="prefix of every refundRequestId")
    ap.add_argument("--deadline", type=float, default=600, help="seconds for the whole load")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    key = antom_sig.load_private_key(args.private_key)
    platform = antom_sig.load_public_key(args.platform_key)
    base = urlsplit(args.base)
    payments = []
    with open(args.payments) as f:
        for line in f:
            if line.strip():
                pid, amount = line.split()
                payments.append((pid, int(amount)))
    rng = random.Random(args.seed)  # the plan: same seed, same refunds
    jitter = random.Random()  # retry pauses, from the worker threads
    started = time.monotonic()
    deadline = started + args.deadline

    counters = Counter()
    counters_lock = threading.Lock()

    def count(what, n=1):
        with counters_lock:
            counters[what] += n

    def attempt(body):
        """One HTTP call: ("final", answer) or ("retry", reason)."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        headers = {
            "Content-Type": "application/json; charset=UTF-8",
            "Client-Id": args.client_id,
            "Request-Time": now,
            "Signature": antom_sig.sign_header(key, PATH, args.client_id, now, body),
        }
        conn = http.client.HTTPConnection(base.hostname, base.port, timeout=15)
        try:
            conn.request("POST", PATH, body=body, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
            if resp.status != 200:
                return "retry", f"http_{resp.status}"
            ok = antom_sig.verify(
                platform,
                resp.getheader("signature"),
                PATH,
                resp.getheader("client-id") or "",
                resp.getheader("response-time") or "",
                raw,
            )
            if not ok:
                count("bad_answer_signatures")
            answer = json.loads(raw)
        except (OSError, http.client.HTTPException) as e:
            return "retry", "connection_" + type(e).__name__
        except ValueError:
            return "retry", "unparsable_answer"
        finally:
            conn.close()
        result = answer.get("result") or {}
        code, status = result.get("resultCode"), result.get("resultStatus")
        if status == "U" and code != "REFUND_IN_PROCESS":
            return "retry", f"U_{code}"
        return "final", {
            "code": code,
            "status": status,
            "refundId": answer.get("refundId"),
            "t": round(time.monotonic() - started, 3),
        }

    def until_final(body, retries):
        while time.monotonic() < deadline:
            kind, what = attempt(body)
            count("http_calls")
            if kind == "final":
                return what
            retries[what] += 1
            count("retries")
            count("retry_" + what)
            time.sleep(0.2 + jitter.random() * 0.6)
        return None

    records = {}
    records_lock = threading.Lock()

    def run(rid, body, later_repeat):
        retries = Counter()
        finals = []
        first = until_final(body, retries)
        finals.append(first)
        if later_repeat and first is not None:
            # Around the acquirer's delay: some repeats see the refund decided.
            time.sleep(jitter.random() * 2.5)
            finals.append(until_final(body, retries))
        with records_lock:
            rec = records[rid]
            rec["answers"].extend(finals)
            rec["retries"].update(retries)
        count("requests_answered", sum(1 for a in finals if a is not None))

    pool = ThreadPoolExecutor(max_workers=args.concurrency)
    futures = []
    for i in range(args.refunds):
        rid = f"{args.tag}-{i:06d}"
        pid, _ = payments[rng.randrange(len(payments))]
        amount = rng.randint(args.min_amount, args.max_amount)
        fail = rng.random() * 100 < args.fail_pct
        notify_url = args.request_notify_url if rng.random() * 100 < args.notify_url_pct else None
        req = {
            "refundRequestId": rid,
            "paymentId": pid,
            "refundAmount": {"currency": args.currency, "value": str(amount)},
            "refundReason": "fault check SIMULATE_FAIL" if fail else "fault check",
        }
        if notify_url:
            req["refundNotifyUrl"] = notify_url
        body = json.dumps(req, separators=(",", ":")).encode()
        repeat = None
        if rng.random() * 100 < args.repeat_pct:
            repeat = "parallel" if rng.random() < 0.5 else "later"
        with records_lock:
            records[rid] = {
                "rid": rid,
                "paymentId": pid,
                "amount": amount,
                "simulate_fail": fail,
                "notify_url": notify_url,
                "repeat": repeat,
                "answers": [],
                "retries": Counter(),
            }
        # Paced: refund i starts at i / rate seconds.
        wait = started + i / args.rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        futures.append(pool.submit(run, rid, body, repeat == "later"))
        if repeat == "parallel":
            futures.append(pool.submit(run, rid, body, False))
        if i and i % 200 == 0:
            with counters_lock:
                print(f"load: {i} refunds started, {counters['retries']} retries so far",
                      file=sys.stderr, flush=True)
    for f in futures:
        f.result()
    pool.shutdown()

    elapsed = time.monotonic() - started
    with open(args.out, "w") as out:
        for rid in sorted(records):
            rec = records[rid]
            rec["retries"] = dict(rec["retries"])
            out.write(json.dumps(rec) + "\n")
        summary = dict(counters)
        summary["refunds"] = args.refunds
        summary["seconds"] = round(elapsed, 1)
        out.write(json.dumps({"summary": summary}) + "\n")
    unresolved = sum(1 for r in records.values() if any(a is None for a in r["answers"]))
    print(f"load: {args.refunds} refunds in {elapsed:.1f}s, {counters['http_calls']} HTTP calls, "
          f"{counters['retries']} retries, {unresolved} without a final answer",
          file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
