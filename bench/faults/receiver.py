#!/usr/bin/env python3
"""A merchant's notifyRefund endpoint for the fault check (bench/faults.sh).

Listens on 127.0.0.1, acknowledges every POST with HTTP 200 and Antom's SUCCESS body,
except a share of them (--fail-pct) answered HTTP 500 on purpose, so that Paydesk's
retries are exercised too. Each request is appended to --log as one JSON line (path,
whether the platform signature verified, whether it was acknowledged, the exact body)
and flushed before the answer is sent: whatever Paydesk sees acknowledged is on record.
"""

import argparse
import json
import os
import random
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import antom_sig  # noqa: E402

ACK = b'{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--platform-key", required=True, help="Paydesk's public key, PEM")
    ap.add_argument("--fail-pct", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    platform = antom_sig.load_public_key(args.platform_key)
    rng = random.Random(args.seed)
    lock = threading.Lock()
    out = open(args.log, "a", encoding="utf-8")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            sig_ok = antom_sig.verify(
                platform,
                self.headers.get("Signature"),
                self.path,
                self.headers.get("Client-Id") or "",
                self.headers.get("Request-Time") or "",
                body,
            )
            with lock:
                ack = rng.random() * 100 >= args.fail_pct
                out.write(json.dumps({
                    "t": time.time(),
                    "path": self.path,
                    "client_id": self.headers.get("Client-Id"),
                    "sig_ok": sig_ok,
                    "acked": ack,
                    "body": body.decode("utf-8", "replace"),
                }) + "\n")
                out.flush()
            status, reply = (200, ACK) if ack else (500, b"fault injected by the receiver")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"receiver listening on 127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
