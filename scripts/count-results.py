#!/usr/bin/env python3
"""Print 'N passed, N failed' over every TAP test point in a meson testlog.json.

A TAP test counts each 'ok' and 'not ok' line; a test that failed without a
failing point (a crash, a timeout, a bad plan) counts one more failure.
A non-TAP test counts once.  Exit status 1 when anything failed.
"""
import json
import re
import sys

passed = failed = skipped = 0
with open(sys.argv[1]) as f:
    for line in f:
        t = json.loads(line)
        ok_result = t["result"] in ("OK", "EXPECTEDFAIL", "SKIP")
        if t.get("protocol") == "tap" or "Bail out" in t.get("stdout", "") or re.search(r"^(not )?ok\b", t.get("stdout", ""), re.M):
            p = f_ = s = 0
            for l in t.get("stdout", "").splitlines():
                m = re.match(r"^(not ok|ok)\b.*?(#\s*(SKIP|TODO).*)?$", l, re.I)
                if not m:
                    continue
                if m.group(3) and m.group(3).upper() == "SKIP":
                    s += 1
                elif m.group(1) == "ok" or (m.group(3) or "").upper() == "TODO":
                    p += 1
                else:
                    f_ += 1
            if not ok_result and f_ == 0:
                f_ = 1
            passed, failed, skipped = passed + p, failed + f_, skipped + s
        elif t["result"] == "SKIP":
            skipped += 1
        elif ok_result:
            passed += 1
        else:
            failed += 1
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed else 0)
