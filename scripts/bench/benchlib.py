"""benchlib.py: what scripts/bench/boot and scripts/bench/vserial share.

- the guest: the kernel from scripts/guest/ and the guest-test initramfs
  (guest-tests/: init.sh, the guest scripts, vport and cpuloop), built here
  the way meson builds them, cached by scripts/guest/;
- the emulators: qemu-system-riscv64 -M virt (Debian's, default OpenSBI) and
  minivirt (--minivirt, $MINIVIRT, or the newest build*/machine/minivirt);
- a scripted boot: the guest's /tests/bench.sh asks for one step at a time
  over the TAP port (guest-tests/runner.py does the plumbing) and sends back
  the step's result line;
- formatting: medians, ratios, and "n/a (does not boot yet)".
Python 3 standard library only.
"""

import argparse
import glob
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GUEST_TESTS = os.path.join(ROOT, 'guest-tests')
sys.path.insert(0, GUEST_TESTS)

import runner  # noqa: E402  (guest-tests/runner.py)

QEMU = runner.QEMU
MEM = runner.MEM
CROSS_CC = os.environ.get('CROSS_COMPILE', 'riscv64-linux-gnu-') + 'gcc'
NA = 'n/a (does not boot yet)'


class NotBooting(Exception):
    """The emulator did not get the guest to run the benchmark."""


def log(msg):
    print('bench: ' + msg, file=sys.stderr, flush=True)


def guest_images(workdir):
    """(kernel, initrd): the cached kernel and the guest-test initramfs."""
    kernel = runner.guest_image('kernel')
    progs = []
    for name, srcs in (('vport', ['vport.c', 'sha256.c']),
                       ('cpuloop', ['cpuloop.c', 'sha256.c'])):
        out = os.path.join(workdir, name)
        subprocess.run([CROSS_CC, '-static', '-O2', '-o', out] +
                       [os.path.join(GUEST_TESTS, s) for s in srcs], check=True)
        progs.append(out)
    out = os.path.join(workdir, 'pciprobe')
    subprocess.run([os.path.join(GUEST_TESTS, 'cc-pciaccess.sh'), CROSS_CC, out,
                    os.path.join(GUEST_TESTS, 'pciprobe.c')], check=True,
                   stdout=subprocess.DEVNULL)
    progs.append(out)
    scripts = sorted(glob.glob(os.path.join(GUEST_TESTS, 'guest', '*.sh')))
    initrd = os.path.join(workdir, 'initramfs-tests.cpio.gz')
    subprocess.run([os.path.join(GUEST_TESTS, 'guest-image.sh'), 'initramfs',
                    initrd, os.path.join(GUEST_TESTS, 'init.sh')] + scripts + progs,
                   check=True, stdout=subprocess.DEVNULL)
    return kernel, initrd


def find_minivirt(arg):
    cand = arg or os.environ.get('MINIVIRT')
    if cand:
        return cand if os.access(cand, os.X_OK) else None
    found = [p for p in glob.glob(os.path.join(ROOT, 'build*', 'machine', 'minivirt'))
             if os.access(p, os.X_OK)]
    return max(found, key=os.path.getmtime) if found else None


def common_args(description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument('--minivirt', help='minivirt binary (default: $MINIVIRT, '
                    'else the newest build*/machine/minivirt)')
    ap.add_argument('--qemu', default=QEMU, help='the QEMU to compare with')
    ap.add_argument('--kernel', help='guest Image (default: scripts/guest)')
    ap.add_argument('--initrd', help='guest-test initramfs (default: built here)')
    return ap


def setup(opts):
    """Resolve the emulators and the guest; returns [(label, path or None)]."""
    opts.workdir = tempfile.mkdtemp(prefix='minivirt-bench-')
    if not opts.kernel or not opts.initrd:
        kernel, initrd = guest_images(opts.workdir)
        opts.kernel = opts.kernel or kernel
        opts.initrd = opts.initrd or initrd
    qemu = shutil.which(opts.qemu)
    emus = [('qemu', qemu), ('minivirt', find_minivirt(opts.minivirt))]
    for label, path in emus:
        log('%s: %s' % (label, path or 'not found'))
    return emus


def cleanup(opts):
    shutil.rmtree(opts.workdir, ignore_errors=True)


def scripted_boot(emulator, opts, steps, prepare=None, timeout=900):
    """Boot group `bench` and run steps in the guest, one per bench-next.

    A step is a dict: its h_* fields go to the guest (cmd and arguments, see
    guest-tests/guest/bench.sh); an optional 'before' runs on the host just
    before the guest gets the step, 'after' when the guest reports; its
    return value is merged into the result. prepare(boot) adds host ends,
    -device options and handlers. Returns one result dict per step, or
    raises NotBooting.
    """
    ns = argparse.Namespace(timeout=timeout, keep=False, emulator=emulator,
                            kernel=opts.kernel, initrd=opts.initrd, group='bench')
    r = runner.Runner(ns)
    b = runner.Boot(r, 'bench', 'bench')
    if prepare:
        prepare(b)
    pending = list(steps)
    results = []
    current = {}

    def next_step():
        if not pending:
            return {'h_cmd': 'done'}
        st = pending.pop(0)
        current['step'] = st
        if 'before' in st:
            st['before']()
        current['t0'] = time.monotonic()
        return {k: v for k, v in st.items() if k.startswith('h_')}

    def result(*fields):
        res = dict(f.split('=', 1) for f in fields if '=' in f)
        # wall time of the step on the host, a check on the guest's clock
        res['host_secs'] = time.monotonic() - current.pop('t0', time.monotonic())
        st = current.pop('step', {})
        if 'after' in st:
            res.update(st['after']() or {})
        results.append(res)
        return {}
    b.on('bench-next', next_step)
    b.on('bench-result', result)
    tap = runner.Tap(out=io.StringIO())
    try:
        b.run(tap)
    except SystemExit:
        pass
    finally:
        r.cleanup()
    if len(results) != len(steps) or tap.failed:
        text = tap.out.getvalue()
        log('%s: the scripted boot failed:\n%s' % (emulator, text[-1500:]))
        raise NotBooting(emulator)
    return results


def median(xs):
    return statistics.median(xs) if xs else None


def fmt(v, spec='%.2f'):
    return NA if v is None else spec % v


def ratio(mv, qemu):
    if mv is None or not qemu:
        return 'n/a'
    return '%.2fx' % (mv / qemu)


def table(title, rows, note=None):
    """rows: (label, qemu value, minivirt value, spec)."""
    print(title)
    print('  %-34s %-16s %-26s %s' % ('', 'qemu', 'minivirt', 'minivirt/qemu'))
    for label, q, m, spec in rows:
        print('  %-34s %-16s %-26s %s' % (label, fmt(q, spec), fmt(m, spec),
                                          ratio(m, q)))
    if note:
        print('  ' + note)
    sys.stdout.flush()
