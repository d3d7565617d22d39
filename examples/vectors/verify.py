#!/usr/bin/env python3
"""A Standard Webhooks (v1) receiver's verification, in Python's standard library only, checked
against the vectors `inklink-mock vectors --out DIR` writes.

    python3 verify.py DIR            # every case of DIR/index.json: "ok" or "FAIL", exit 0 if all agree
    python3 verify.py CASE.json ...  # these case files
    python3 verify.py --json DIR     # one JSON object per case: name, expected, got

In a receiver, call verify(secret, headers, raw_body) with the exact bytes received and refuse the
delivery (4xx) unless it returns None.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import sys
import time

DEFAULT_TOLERANCE_SECONDS = 5 * 60
SECRET_PREFIX = "whsec_"
_TIMESTAMP = re.compile(r"[0-9]{1,15}")


def verify(secret, headers, body, now=None, tolerance=DEFAULT_TOLERANCE_SECONDS):
    """None when the delivery is genuine, else why not: missing_headers, invalid_timestamp,
    timestamp_too_old, timestamp_too_new, invalid_secret or no_matching_signature (the reasons
    inklink-mock's TypeScript verifier gives). `body` is bytes; `headers` any case."""
    h = {k.lower(): v for k, v in headers.items()}
    msg_id = h.get("webhook-id")
    timestamp = h.get("webhook-timestamp")
    signatures = h.get("webhook-signature")
    if not msg_id or not timestamp or not signatures:
        return "missing_headers"
    if not _TIMESTAMP.fullmatch(timestamp):
        return "invalid_timestamp"
    ts = int(timestamp)
    now = int(time.time()) if now is None else now
    if now - ts > tolerance:
        return "timestamp_too_old"
    if ts - now > tolerance:
        return "timestamp_too_new"
    encoded = secret[len(SECRET_PREFIX):] if secret.startswith(SECRET_PREFIX) else secret
    try:
        key = base64.b64decode(encoded, validate=True)
    except ValueError:
        return "invalid_secret"
    if not key:
        return "invalid_secret"
    # Signed content: id, the timestamp as a number of seconds, and the raw body, dot-separated.
    content = f"{msg_id}.{ts}.".encode() + body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest())
    for entry in signatures.split(" "):
        version, _, value = entry.partition(",")
        # Only v1 entries are compared (v1a, v2... are skipped), in constant time.
        if version == "v1" and hmac.compare_digest(value.encode(), expected):
            return None
    return "no_matching_signature"


def check_case(case):
    """(expected, got) for one vector: each {"valid": bool, "reason"?: str}."""
    body = base64.b64decode(case["body"]["base64"])
    reason = verify(case["secret"], case["headers"], body, case["now"], case["toleranceSeconds"])
    got = {"valid": True} if reason is None else {"valid": False, "reason": reason}
    return case["expected"], got


def case_files(args):
    for arg in args:
        if os.path.isdir(arg):
            with open(os.path.join(arg, "index.json"), encoding="utf-8") as f:
                index = json.load(f)
            for entry in index["cases"]:
                yield os.path.join(arg, entry["file"])
        else:
            yield arg


def main(argv):
    as_json = "--json" in argv
    args = [a for a in argv if a != "--json"]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    failures = 0
    for path in case_files(args):
        with open(path, encoding="utf-8") as f:
            case = json.load(f)
        expected, got = check_case(case)
        failures += expected != got
        if as_json:
            print(json.dumps({"name": case["name"], "expected": expected, "got": got}))
        else:
            verdict = "valid" if got["valid"] else got["reason"]
            print(f"{'ok  ' if expected == got else 'FAIL'} {case['name']}: {verdict}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
