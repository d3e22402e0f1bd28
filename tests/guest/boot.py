#!/usr/bin/env python3
"""tests/guest/boot.py: boot the guest kernel + initramfs on minivirt, reach
the busybox shell, check that /proc/cpuinfo lists every hart, power off, and
require exit status 0.  Speaks TAP, one test point per boot.

usage: boot.py MINIVIRT [--smp N] [--bios PATH] [--name NAME]

The kernel and initramfs come from scripts/guest/build-all.sh (cached under
~/.cache/minivirt after the first build).  When they cannot be had, or the
firmware given with --bios is missing, the test reports TAP SKIP.
"""
import argparse
import os
import re
import select
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BANNER = b"minivirt-guest: userspace up"
BOOT_TIMEOUT = 180      # seconds; a cold CI machine under valgrind is slow
STEP_TIMEOUT = 60


def skip(why):
    print("1..0 # SKIP " + why)
    sys.exit(0)


def guest_images():
    script = os.path.join(ROOT, "scripts", "guest", "build-all.sh")
    try:
        out = subprocess.run([script], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, check=True,
                             timeout=3600).stdout.decode()
    except (OSError, subprocess.SubprocessError) as e:
        skip("guest kernel not available (%s)" % e.__class__.__name__)
    vals = dict(re.findall(r"^(KERNEL|INITRD)=(.*)$", out, re.M))
    if not all(os.path.exists(vals.get(k, "")) for k in ("KERNEL", "INITRD")):
        skip("guest kernel not available")
    return vals["KERNEL"], vals["INITRD"]


class Guest:
    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        self.buf = b""
        self.t0 = time.monotonic()

    def expect(self, pattern, timeout):
        """Wait until the regex (bytes) appears after what was consumed."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        while True:
            m = rx.search(self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(pattern)
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if r:
                data = os.read(self.p.stdout.fileno(), 65536)
                if not data:
                    raise EOFError("minivirt exited (status %s) while waiting "
                                   "for %r" % (self.p.wait(), pattern))
                sys.stderr.write(data.decode(errors="replace"))
                self.buf += data

    def send(self, line):
        self.p.stdin.write(line.encode() + b"\n")
        self.p.stdin.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("minivirt")
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--bios")
    ap.add_argument("--name", default="boot")
    a = ap.parse_args()

    if a.bios and not os.path.exists(a.bios):
        skip("firmware %s not installed" % a.bios)
    kernel, initrd = guest_images()
    argv = [a.minivirt, "-m", "256M", "-smp", str(a.smp), "-nographic",
            "-kernel", kernel, "-initrd", initrd, "-append", "console=ttyS0"]
    if a.bios:
        argv += ["-bios", a.bios]
    print("1..1")
    sys.stderr.write("# " + " ".join(argv) + "\n")
    g = Guest(argv)
    try:
        g.expect(re.escape(BANNER), BOOT_TIMEOUT)
        t_user = time.monotonic() - g.t0
        g.expect(rb"# ", STEP_TIMEOUT)      # the shell's prompt
        g.send("cat /proc/cpuinfo; echo cpuinfo-done")
        m = g.expect(rb"(?s)(processor.*)cpuinfo-done\r?\n", STEP_TIMEOUT)
        harts = sorted(int(h) for h in re.findall(rb"hart\s*:\s*(\d+)", m.group(1)))
        if harts != list(range(a.smp)):
            raise AssertionError("/proc/cpuinfo lists harts %s, want 0..%d"
                                 % (harts, a.smp - 1))
        g.send("poweroff -f")
        status = g.p.wait(timeout=STEP_TIMEOUT)
        t_total = time.monotonic() - g.t0
        if status != 0:
            raise AssertionError("exit status %d after poweroff" % status)
    except Exception as e:              # report, never hang the suite
        g.p.kill()
        g.p.wait()
        print("not ok 1 - %s: %s: %s" % (a.name, e.__class__.__name__, e))
        return 1
    print("ok 1 - %s: userspace after %.2f s, poweroff after %.2f s"
          % (a.name, t_user, t_total))
    return 0


if __name__ == "__main__":
    sys.exit(main())
