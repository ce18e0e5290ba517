#!/usr/bin/env python3
"""The invariants of the fault check (bench/faults.sh), read from PostgreSQL (psql),
the load generator's record and the receiver's log once every refund is decided and
every notification delivered. Prints the figures and a summary block; exits 1 when any
invariant fails.
"""

import argparse
import csv
import io
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from urllib.parse import urlsplit


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--tag", required=True)
    ap.add_argument("--load", required=True)
    ap.add_argument("--receiver-log", required=True)
    ap.add_argument("--payments", required=True)
    ap.add_argument("--baseline", required=True)
    ap.add_argument("--server-log", required=True)
    ap.add_argument("--merchant-notify-url", required=True)
    ap.add_argument("--kills", type=int, required=True)
    ap.add_argument("--pg-restarts", type=int, required=True)
    ap.add_argument("--server-starts", type=int, required=True)
    ap.add_argument("--unexpected-exits", type=int, default=0)
    ap.add_argument("--failed-starts", type=int, default=0)
    ap.add_argument("--kills-in-flight", type=int, default=0)
    ap.add_argument("--drained", required=True, help="yes or no: drained before the deadline")
    ap.add_argument("--summary-out", required=True)
    args = ap.parse_args()

    def q(sql):
        out = subprocess.run(
            ["psql", args.db, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--csv", "-t", "-c", sql],
            check=True, capture_output=True, text=True,
        ).stdout
        return list(csv.reader(io.StringIO(out)))

    failures = {}  # invariant -> number of violations
    examples = defaultdict(list)

    def violation(name, example=None, n=1):
        failures[name] = failures.get(name, 0) + n
        if example is not None and len(examples[name]) < 5:
            examples[name].append(example)

    def invariant(name):
        failures.setdefault(name, 0)

    baseline = json.load(open(args.baseline))
    merchant = baseline["merchant_id"]
    currency = baseline["currency"]
    like = args.tag + "-%"

    # ---- What the clients asked and were answered -------------------------------------
    asked = {}
    load_summary = {}
    for line in open(args.load):
        rec = json.loads(line)
        if "summary" in rec:
            load_summary = rec["summary"]
        else:
            asked[rec["rid"]] = rec
    payments = {}
    for line in open(args.payments):
        if line.strip():
            pid, amount = line.split()
            payments[pid] = int(amount)

    for name in ["unresolved requests", "inconsistent answers", "unexpected refusals",
                 "answers against the acquirer's steering", "bad answer signatures"]:
        invariant(name)
    violation("bad answer signatures", n=load_summary.get("bad_answer_signatures", 0))
    accepted = {}  # rid -> refundId the client was given
    refused = {}  # rid -> result code
    repeats = Counter()
    for rid, rec in asked.items():
        answers = rec["answers"]
        if rec["repeat"]:
            repeats[rec["repeat"]] += 1
        if not answers or any(a is None for a in answers):
            violation("unresolved requests", rid)
            continue
        ids = {a["refundId"] for a in answers}
        if len(ids) != 1:
            violation("inconsistent answers", (rid, answers))
            continue
        refund_id = ids.pop()
        if refund_id:
            codes = {a["code"] for a in answers}
            if not codes <= {"REFUND_IN_PROCESS", "SUCCESS", "PROCESS_FAIL"}:
                violation("inconsistent answers", (rid, answers))
            if ("SUCCESS" in codes and rec["simulate_fail"]) or (
                "PROCESS_FAIL" in codes and not rec["simulate_fail"]
            ):
                violation("answers against the acquirer's steering", (rid, answers))
            accepted[rid] = refund_id
        else:
            codes = {a["code"] for a in answers}
            if len(codes) != 1:
                violation("inconsistent answers", (rid, answers))
                continue
            code = codes.pop()
            if code != "REFUND_AMOUNT_EXCEED":
                violation("unexpected refusals", (rid, code))
            refused[rid] = code

    # ---- Refund requests and refunds in the database ----------------------------------
    invariant("duplicate refunds per refundRequestId")
    invariant("lost refunds")
    invariant("unknown refunds")
    invariant("refunds left PROCESSING")
    invariant("outcome against the acquirer's steering")
    invariant("idempotency rows not matching the answers")
    req_rows = {
        r[0]: {"code": r[1], "refund_row": r[2], "pending": r[3] == "t", "amount": int(r[4]),
               "payment_ref": r[5]}
        for r in q(f"""SELECT refund_request_id, result_code, coalesce(refund_id::text, ''),
                              acquirer_pending_since IS NOT NULL, amount_minor, payment_ref
                         FROM refund_requests
                        WHERE merchant_id = '{merchant}' AND refund_request_id LIKE '{like}'""")
    }
    payment_rows = {
        r[1]: {"row": r[0], "amount": int(r[2])}
        for r in q("SELECT id, transaction_id, amount_minor FROM transactions WHERE transaction_id IN ("
                   + ",".join(f"'{p}'" for p in payments) + ")")
    }
    payment_row_ids = ",".join(v["row"] for v in payment_rows.values())
    refunds = {}  # row id -> refund
    by_rid = defaultdict(list)
    for r in q(f"""SELECT r.id, r.transaction_id, coalesce(r.transaction_request_id, ''),
                          p.transaction_id, r.amount_minor, r.status, coalesce(r.reason, ''),
                          r.merchant_id
                     FROM transactions r JOIN transactions p ON p.id = r.original_id
                    WHERE r.transaction_type = 'REFUND'
                      AND (r.original_id IN ({payment_row_ids})
                           OR (r.merchant_id = '{merchant}' AND r.transaction_request_id LIKE '{like}'))"""):
        ref = {"row": r[0], "refund_id": r[1], "rid": r[2], "payment": r[3], "amount": int(r[4]),
               "status": r[5], "reason": r[6]}
        refunds[r[0]] = ref
        by_rid[(r[7], r[2])].append(ref)
    for key, rows in by_rid.items():
        if len(rows) > 1:
            violation("duplicate refunds per refundRequestId", (key[1], [x["refund_id"] for x in rows]),
                      n=len(rows) - 1)
    rid_refund = {key[1]: rows[0] for key, rows in by_rid.items()}
    for rid, refund_id in accepted.items():
        ref = rid_refund.get(rid)
        rec = asked[rid]
        if ref is None or ref["refund_id"] != refund_id or ref["amount"] != rec["amount"] \
                or ref["payment"] != rec["paymentId"]:
            violation("lost refunds", (rid, refund_id, ref))
    for rid, ref in rid_refund.items():
        if rid not in accepted:
            violation("unknown refunds", (rid, ref["refund_id"], "client answer: " + str(refused.get(rid))))
    if len(req_rows) != len(asked):
        violation("idempotency rows not matching the answers",
                  f"{len(req_rows)} refund_requests rows for {len(asked)} refundRequestIds",
                  n=abs(len(req_rows) - len(asked)))
    for rid, row in req_rows.items():
        if rid in accepted:
            ref = rid_refund.get(rid)
            if not row["refund_row"] or (ref and ref["row"] != row["refund_row"]) \
                    or row["code"] != "REFUND_IN_PROCESS":
                violation("idempotency rows not matching the answers", (rid, row))
        elif rid in refused:
            if row["refund_row"] or row["code"] != refused[rid]:
                violation("idempotency rows not matching the answers", (rid, row))
        if row["pending"]:
            violation("refunds left PROCESSING", (rid, "acquirer_pending_since set"))
    for ref in refunds.values():
        if ref["status"] == "PROCESSING":
            violation("refunds left PROCESSING", ref["refund_id"])
        elif ref["status"] != ("FAIL" if "SIMULATE_FAIL" in ref["reason"].upper() else "SUCCESS"):
            violation("outcome against the acquirer's steering", (ref["refund_id"], ref["status"]))

    # ---- Money ------------------------------------------------------------------------
    invariant("over-refunded payments")
    succeeded = defaultdict(int)
    for ref in refunds.values():
        if ref["status"] == "SUCCESS":
            succeeded[ref["payment"]] += ref["amount"]
    for pid, p in payment_rows.items():
        if succeeded[pid] > p["amount"]:
            violation("over-refunded payments", (pid, succeeded[pid], p["amount"]))
    total_succeeded = sum(succeeded.values())

    invariant("balance mismatch")
    invariant("ledger mismatch")
    balance_now = int(q(f"""SELECT available_minor FROM merchant_balances
                             WHERE merchant_id = '{merchant}' AND currency = '{currency}'""")[0][0])
    expected_balance = baseline["balance"] - total_succeeded
    if balance_now != expected_balance:
        violation("balance mismatch", f"balance {balance_now}, expected {expected_balance}",
                  n=abs(balance_now - expected_balance))
    entries = [
        {"id": int(r[0]), "amount": int(r[1]), "after": int(r[2]), "kind": r[3], "row": r[4],
         "merchant": r[5], "currency": r[6]}
        for r in q(f"""SELECT id, amount_minor, balance_after_minor, kind,
                              coalesce(transaction_id::text, ''), merchant_id, currency
                         FROM balance_entries WHERE id > {baseline['ledger_max_id']} ORDER BY id""")
    ]
    mine = [e for e in entries if e["merchant"] == merchant and e["currency"] == currency]
    running = baseline["balance"]
    for e in mine:
        running += e["amount"]
        if e["after"] != running:
            violation("ledger mismatch", f"entry {e['id']}: balance_after {e['after']}, running total {running}")
            running = e["after"]
    if running != balance_now:
        violation("ledger mismatch", f"ledger ends at {running}, balance is {balance_now}")
    per_refund = defaultdict(Counter)
    for e in mine:
        if e["row"] not in refunds:
            violation("ledger mismatch", f"entry {e['id']} of an unknown transaction {e['row']}")
            continue
        per_refund[e["row"]][(e["kind"], e["amount"])] += 1
    for row, ref in refunds.items():
        want = Counter({("REFUND", -ref["amount"]): 1})
        if ref["status"] == "FAIL":
            want[("REFUND_FAILED", ref["amount"])] = 1
        if per_refund[row] != want:
            violation("ledger mismatch", (ref["refund_id"], ref["status"], dict(per_refund[row])))

    # ---- Notifications: the outbox ----------------------------------------------------
    for name in ["final refunds without a notification", "notification rows per refund > 1",
                 "notifications not DELIVERED", "attempt rows not matching attempts",
                 "notification body or URL wrong"]:
        invariant(name)
    notes = defaultdict(list)
    for r in q(f"""SELECT n.id, n.refund_id, n.url, n.status, n.attempts, n.body
                     FROM refund_notifications n
                    WHERE n.refund_id IN (SELECT id FROM transactions
                                           WHERE transaction_type = 'REFUND'
                                             AND original_id IN ({payment_row_ids}))"""):
        notes[r[1]].append({"id": r[0], "url": r[2], "status": r[3], "attempts": int(r[4]), "body": r[5]})
    attempts = defaultdict(list)
    for r in q(f"""SELECT a.notification_id, a.attempt_no, coalesce(a.http_status::text, '')
                     FROM refund_notification_attempts a
                     JOIN refund_notifications n ON n.id = a.notification_id
                    WHERE n.refund_id IN (SELECT id FROM transactions
                                           WHERE transaction_type = 'REFUND'
                                             AND original_id IN ({payment_row_ids}))
                    ORDER BY 1, 2"""):
        attempts[r[0]].append((int(r[1]), r[2]))
    attempt_rows = sum(len(v) for v in attempts.values())
    body_of = {}  # refundId -> the outbox body
    url_of = {}  # refundId -> the outbox URL
    delivered = 0
    attempt_hist = Counter()
    for row, ref in refunds.items():
        if ref["status"] not in ("SUCCESS", "FAIL"):
            continue
        ns = notes.get(row, [])
        if not ns:
            violation("final refunds without a notification", ref["refund_id"])
            continue
        if len(ns) > 1:
            violation("notification rows per refund > 1", (ref["refund_id"], len(ns)), n=len(ns) - 1)
        n = ns[0]
        body_of[ref["refund_id"]] = n["body"]
        url_of[ref["refund_id"]] = n["url"]
        for extra in ns:
            if extra["status"] != "DELIVERED":
                violation("notifications not DELIVERED", (ref["refund_id"], extra["status"], extra["attempts"]))
        if n["status"] == "DELIVERED":
            delivered += 1
        attempt_hist[n["attempts"]] += 1
        rows = attempts.get(n["id"], [])
        nos = [a for a, _ in rows]
        statuses = [s for _, s in rows]
        ok = nos == list(range(1, n["attempts"] + 1))
        if ok and n["status"] == "DELIVERED":
            ok = statuses[-1] == "200" and all(s != "200" for s in statuses[:-1])
        if not ok:
            violation("attempt rows not matching attempts", (ref["refund_id"], n["attempts"], rows))
        rec = asked.get(ref["rid"])
        want_url = (rec and rec["notify_url"]) or args.merchant_notify_url
        try:
            b = json.loads(n["body"])
            good = (n["url"] == want_url and b.get("refundId") == ref["refund_id"]
                    and b.get("refundRequestId") == ref["rid"]
                    and b.get("refundStatus") == ref["status"]
                    and b.get("paymentId") == ref["payment"]
                    and b.get("refundAmount") == {"currency": currency, "value": str(ref["amount"])}
                    and b.get("result", {}).get("resultStatus") == ("S" if ref["status"] == "SUCCESS" else "F"))
        except ValueError:
            good = False
        if not good:
            violation("notification body or URL wrong", (ref["refund_id"], n["url"], n["body"][:200]))

    # ---- Notifications: what the merchant received ------------------------------------
    for name in ["final refunds never acknowledged by the receiver", "unknown notifications received",
                 "received body differs from the outbox", "bad notification signatures"]:
        invariant(name)
    posts = 0
    injected = 0
    acked = Counter()
    for line in open(args.receiver_log):
        rec = json.loads(line)
        posts += 1
        if not rec["sig_ok"]:
            violation("bad notification signatures", rec["body"][:120])
        try:
            rid_ = json.loads(rec["body"]).get("refundId")
        except ValueError:
            rid_ = None
        if rid_ not in body_of:
            violation("unknown notifications received", rec["body"][:200])
            continue
        if rec["body"] != body_of[rid_] or urlsplit(url_of[rid_]).path != rec["path"]:
            violation("received body differs from the outbox", (rid_, rec["path"]))
        if rec["acked"]:
            acked[rid_] += 1
        else:
            injected += 1
    for refund_id in body_of:
        if acked[refund_id] == 0:
            violation("final refunds never acknowledged by the receiver", refund_id)
    duplicate_deliveries = sum(c - 1 for c in acked.values() if c > 1)
    refunds_delivered_twice = sum(1 for c in acked.values() if c > 1)

    # ---- The server itself ------------------------------------------------------------
    invariant("server panics")
    invariant("server exits not caused by the check")
    violation("server exits not caused by the check", n=args.unexpected_exits)
    log = open(args.server_log, errors="replace").read()
    for m in re.finditer(r".*panicked at.*", log):
        violation("server panics", m.group(0)[:200])
    u_answers = sum(v for k, v in load_summary.items() if k.startswith("retry_U_"))
    conn_failures = sum(v for k, v in load_summary.items() if k.startswith("retry_connection"))
    http_other = sum(v for k, v in load_summary.items() if k.startswith("retry_http_"))

    if args.drained != "yes":
        violation("not drained before the deadline", "refunds or notifications still pending")

    final = [r for r in refunds.values() if r["status"] in ("SUCCESS", "FAIL")]
    figures = [
        ("server SIGKILLs", args.kills),
        ("  with refunds PROCESSING or notifications pending", args.kills_in_flight),
        ("PostgreSQL restarts", args.pg_restarts),
        ("server starts (failed: PostgreSQL down)", f"{args.server_starts} ({args.failed_starts})"),
        ("refundRequestIds", len(asked)),
        ("  sent twice (at once / after the answer)",
         f"{repeats['parallel']} / {repeats['later']}"),
        ("HTTP calls", load_summary.get("http_calls", 0)),
        ("  retried: connection failures", conn_failures),
        ("  retried: U answers (UNKNOWN_EXCEPTION ...)", u_answers),
        ("  retried: other HTTP status", http_other),
        ("refunds accepted (REFUND_IN_PROCESS)", len(accepted)),
        ("refunds refused (REFUND_AMOUNT_EXCEED)", sum(1 for c in refused.values() if c == "REFUND_AMOUNT_EXCEED")),
        ("refund rows", len(refunds)),
        ("  SUCCESS / FAIL / PROCESSING",
         f"{sum(r['status'] == 'SUCCESS' for r in refunds.values())} / "
         f"{sum(r['status'] == 'FAIL' for r in refunds.values())} / "
         f"{sum(r['status'] == 'PROCESSING' for r in refunds.values())}"),
        ("payments (fully refunded)",
         f"{len(payment_rows)} ({sum(1 for p, v in payment_rows.items() if succeeded[p] == v['amount'])})"),
        (f"refunded, {currency}", total_succeeded),
        (f"balance {currency}: start / end / expected",
         f"{baseline['balance']} / {balance_now} / {expected_balance}"),
        ("ledger entries", len(mine)),
        ("notifications DELIVERED / final refunds", f"{delivered} / {len(final)}"),
        ("  attempts per notification", " ".join(f"{k}:{v}" for k, v in sorted(attempt_hist.items()))),
        ("  attempt rows", attempt_rows),
        ("notifyRefund POSTs received", posts),
        ("  answered 500 on purpose", injected),
        ("  attempts not recorded (server killed while sending)", max(0, posts - attempt_rows)),
        ("duplicate deliveries (acknowledged again)", f"{duplicate_deliveries} ({refunds_delivered_twice} refunds)"),
    ]
    headline = [
        ("duplicates", failures["duplicate refunds per refundRequestId"]),
        ("lost", failures["lost refunds"] + failures["unknown refunds"]),
        ("over-refunds", failures["over-refunded payments"]),
        ("balance mismatch", failures["balance mismatch"] + failures["ledger mismatch"]),
        ("undelivered", failures["notifications not DELIVERED"]
         + failures["final refunds without a notification"]
         + failures["final refunds never acknowledged by the receiver"]),
    ]
    lines = ["", "Fault check summary", "-------------------"]
    lines += [f"{k:<56} {v}" for k, v in figures]
    lines += ["", "Invariants (violations)"]
    lines += [f"  {'FAIL' if v else 'ok  '} {k:<52} {v}" for k, v in failures.items()]
    bad = {k: v for k, v in failures.items() if v}
    lines += ["", "  ".join(f"{k}={v}" for k, v in headline)
              + f"  duplicate deliveries={duplicate_deliveries} (allowed: at least once)"]
    lines.append("RESULT: " + ("PASS" if not bad else "FAIL (" + ", ".join(bad) + ")"))
    for k in bad:
        for ex in examples[k]:
            lines.append(f"  e.g. {k}: {ex}")
    text = "\n".join(lines)
    print(text)
    with open(args.summary_out, "w") as f:
        f.write(text + "\n")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
