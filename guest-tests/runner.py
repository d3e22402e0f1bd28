#!/usr/bin/env python3
"""runner.py: boot one guest-test group on an emulator, play the host side
of each test, and print TAP for meson.

    runner.py --group GROUP [--emulator PATH|qemu] [--kernel IMAGE]
              [--initrd CPIO] [--timeout SECS] [--stream SIZE] [--keep]

The emulator is --emulator, overridden by $MINIVIRT_EMU; `qemu` means
qemu-system-riscv64 (Debian's, with its default OpenSBI), which takes the
same command line. Without either, the group is skipped (`1..0 # SKIP`).

How a boot runs:
  - the emulator starts with the group's -chardev/-device options plus a
    TAP port (virtserialport org.minivirt.tap on a unix socket that this
    runner listens on), and `minivirt.test=GROUP` on the kernel command line;
  - the guest's /init runs /tests/GROUP.sh, which prints TAP on that port;
  - a guest line `# sync VERB ARGS` asks the runner to act (connect a
    socket, send 64 MiB, kill a peer...); the runner answers `ack REPLY`,
    where REPLY is shell assignments (`h_sha256=... h_bytes=...`);
  - guest TAP points are renumbered and relayed; the runner adds its own
    (the exit status); a console line `Kernel panic` fails the boot.
Python 3 standard library only.
"""

import argparse
import hashlib
import json
import os
import re
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import hostends  # noqa: E402
from hostends import (MIB, FileEndpoint, PipeEndpoint, PtyEndpoint,  # noqa: E402
                      SocketEndpoint, UdpEndpoint, stream_bytes)

QEMU = 'qemu-system-riscv64'
TAP_PORT = 'org.minivirt.tap'
MEM = '256M'
PANIC_RE = re.compile(rb'Kernel panic')
PTY_RE = re.compile(rb'char device redirected to (\S+) \(label ([^)\s]+)\)')
BOOT_TIMEOUT = 600
# The guest must print its first TAP line this soon, or the boot fails at
# once (an emulator that cannot boot yet should not cost a whole group
# timeout). QEMU takes ~1 s; $MINIVIRT_BOOT_TIMEOUT overrides.
FIRST_LINE_TIMEOUT = int(os.environ.get('MINIVIRT_BOOT_TIMEOUT', '60'))
PR_SET_PDEATHSIG = 1

# Guest points whose failure on QEMU is QEMU's documented behaviour, not a
# bug: they report `not ok ... # TODO` there (an expected failure for meson),
# and must pass on minivirt. Keyed by the start of the point's name.
QEMU_DIFFERS = {
    'data/udp/':
        'QEMU never reports its udp chardev open, so a virtserialport on it '
        'stays host-disconnected: guest writes block and datagrams are not '
        'delivered; minivirt treats udp as connected, like file and pipe',
    'data/mux-bulk/':
        'QEMU 7.2\'s mux overruns its 32-byte per-front-end ring when the '
        'focused front end falls behind (mux_chr_can_read then returns the '
        'front end\'s window), so bulk input arrives with 32-byte blocks '
        'repeated; typed input gets through',
    'reconnect/guest-to-host':
        'QEMU discards guest data queued while the host side of a '
        'virtserialport is disconnected; minivirt holds it until reconnect',
    'reconnect/host-to-guest':
        'QEMU\'s socket chardev disconnects on HUP before reading what the '
        'dead peer left in the socket, so that data is lost',
}


QEMU_DIFFERS['hotplug/no-leak/own-memory'] = (
    'QEMU 7.2\'s memory outside guest RAM grew by -36 KiB to 1.1 MiB from '
    'cycle 1 to cycle 3 in our runs (its own allocator and TCG caches; not '
    'investigated): the tight bound is for minivirt')
for _c in (1, 2, 3):
    QEMU_DIFFERS['hotplug/cycle-%d/info-virtio-serial' % _c] = (
        '`info virtio-serial` is minivirt\'s own monitor command; QEMU 7.2 has '
        'no such command (the ports are checked through qom-list there)')


def log(msg):
    print('runner: ' + msg, file=sys.stderr, flush=True)


def die_with_parent():
    """preexec_fn: the child gets SIGKILL when the runner dies, however it
    dies (meson's timeout, a closed pipe), so no emulator is left behind."""
    import ctypes
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


class Tap:
    """The TAP stream meson reads: points numbered here."""

    def __init__(self, out=sys.stdout):
        self.out = out
        self.n = 0
        self.failed = 0
        self.lock = threading.Lock()

    def _emit(self, line):
        with self.lock:
            self.out.write(line + '\n')
            self.out.flush()

    def point(self, ok, desc, directive=''):
        with self.lock:
            self.n += 1
            n = self.n
            if not ok and 'TODO' not in directive:
                self.failed += 1
        self._emit('%s %d - %s%s' % ('ok' if ok else 'not ok', n, desc,
                                     ' # ' + directive if directive else ''))

    def diag(self, text):
        for line in str(text).splitlines() or ['']:
            self._emit('# ' + line)

    def bail(self, text):
        self._emit('Bail out! ' + text)

    def plan(self):
        self._emit('1..%d' % self.n)


class Boot:
    """One emulator run: its host ends, command line, and TAP relay."""

    def __init__(self, runner, name, group, *, append='', args=(), ends=(),
                 ports=None, expect_panic=False, tap_port=True, timeout=None,
                 label=None, smp=1):
        self.runner = runner
        self.name = name
        self.label = label or name + '/boot'   # prefix of the runner's points
        self.smp = smp
        self.group = group          # guest script: /tests/GROUP.sh
        self.append = append
        self.args = list(args)
        self.ends = list(ends)
        self.ports = ports or {}     # guest port name -> Endpoint
        self.expect_panic = expect_panic
        self.tap_port = tap_port and not runner.tap_console
        self.timeout = timeout or runner.opts.timeout
        self.dir = runner.dir
        self.proc = None
        self.console = bytearray()
        self.console_lock = threading.Condition()
        self.panic_seen = False
        self.ptys = {}
        self.handlers = {}
        self.qmp = None
        self.t0 = None
        self.cleanups = []          # run after the emulator is gone

    # -- services for endpoints and groups ---------------------------------
    def pty_path(self, cid, timeout):
        deadline = time.monotonic() + timeout
        with self.console_lock:
            while cid not in self.ptys and time.monotonic() < deadline:
                self.console_lock.wait(0.1)
            return self.ptys.get(cid)

    def wait_console(self, needle, start, timeout):
        """Wait for bytes needle in the console output after offset start."""
        deadline = time.monotonic() + timeout
        with self.console_lock:
            while needle not in self.console[start:]:
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    return False
                self.console_lock.wait(min(left, 0.1))
            return True

    def console_len(self):
        with self.console_lock:
            return len(self.console)

    def rss_kib(self):
        try:
            with open('/proc/%d/status' % self.proc.pid) as f:
                for line in f:
                    if line.startswith('VmRSS:'):
                        return int(line.split()[1])
        except OSError:
            pass
        return -1

    def on(self, verb, fn):
        self.handlers[verb] = fn

    # -- the run -----------------------------------------------------------
    def command(self):
        r = self.runner
        append = 'console=ttyS0 minivirt.test=%s %s' % (self.group, self.append)
        args = [r.emulator, '-M', 'virt', '-m', MEM, '-smp', str(self.smp), '-nographic',
                '-no-reboot', '-kernel', r.kernel, '-initrd', r.initrd]
        if self.tap_port:
            append += ' minivirt.tap=' + TAP_PORT
            args += ['-chardev', 'socket,id=tap,path=%s' % self.tap_path,
                     '-device', 'virtio-serial-pci,id=vtap',
                     '-device', 'virtserialport,bus=vtap.0,chardev=tap,name=' + TAP_PORT]
        for e in self.ends:
            args += ['-chardev', e.chardev()]
        return args + ['-append', append.strip()] + self.args

    def _read_output(self):
        f = self.proc.stdout
        while True:
            chunk = os.read(f.fileno(), 65536)
            if not chunk:
                break
            self.log.write(chunk)
            self.log.flush()
            with self.console_lock:
                start = max(0, len(self.console) - 200)
                self.console += chunk
                tail = bytes(self.console[start:])
                if PANIC_RE.search(tail):
                    self.panic_seen = True
                for m in PTY_RE.finditer(tail):
                    self.ptys[m.group(2).decode()] = m.group(1).decode()
                self.console_lock.notify_all()

    def console_tail(self, lines=25):
        with self.console_lock:
            text = bytes(self.console).decode('utf-8', 'replace')
        text = text.replace('\r', '')
        return '\n'.join(text.splitlines()[-lines:])

    def run(self, tap):
        r = self.runner
        self.tap = tap
        self.tap_path = os.path.join(self.dir, 'tap-%s.sock' % self.name)
        listener = None
        if self.tap_port:
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(self.tap_path)
            listener.listen(1)
        for e in self.ends:
            e.prepare()
        cmd = self.command()
        log('boot %s: %s' % (self.name, ' '.join(shlex.quote(a) for a in cmd)))
        self.log = open(os.path.join(self.dir, 'console-%s.log' % self.name), 'wb')
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT,
                                     preexec_fn=die_with_parent)
        reader = threading.Thread(target=self._read_output, daemon=True)
        reader.start()
        for fn in getattr(self, 'after_start', []):
            fn()
        deadline = self.t0 + self.timeout
        guest_points = 0
        guest_plan = None
        timed_out = False
        no_boot = False
        first_line = None
        conn = None
        if listener:     # the emulator connects at start-up, or has died
            accept_by = time.monotonic() + 30
            while (conn is None and self.proc.poll() is None and
                   time.monotonic() < accept_by):
                if select.select([listener], [], [], 0.2)[0]:
                    conn, _ = listener.accept()
            if conn is None:
                tap.point(False, '%s: the emulator connects the TAP port socket'
                          % self.label)
                tap.diag(self.console_tail())
        buf = b''
        src = conn
        con_off = 0      # without a TAP port, TAP comes on the console
        while True:
            now = time.monotonic()
            if now > deadline:
                timed_out = True
                break
            if first_line is None and now > self.t0 + FIRST_LINE_TIMEOUT:
                no_boot = True
                break
            if self.panic_seen and not self.expect_panic:
                break
            if not self.tap_port:
                with self.console_lock:
                    if len(self.console) == con_off:
                        self.console_lock.wait(0.2)
                    data = bytes(self.console[con_off:])
                    con_off += len(data)
                if not data and self.proc.poll() is not None:
                    break
                buf += data
            elif src is None:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.1)
                continue
            elif not select.select([src], [], [], 0.2)[0]:
                if self.proc.poll() is not None:
                    # drain what is left, then stop
                    src.setblocking(False)
                    try:
                        buf += src.recv(1 << 20)
                    except OSError:
                        pass
                    src = None
                else:
                    continue
            else:
                data = src.recv(65536)
                if not data:
                    src = None
                buf += data
            while b'\n' in buf:
                line, buf = buf.split(b'\n', 1)
                if first_line is None:
                    first_line = time.monotonic() - self.t0
                res = self._line(line.decode('utf-8', 'replace').rstrip('\r'),
                                 conn)
                if res == 'point':
                    guest_points += 1
                elif isinstance(res, int):
                    guest_plan = res
        # -- wrap up ------------------------------------------------------
        status = None
        try:
            status = self.proc.wait(timeout=0 if timed_out or no_boot else 20)
        except subprocess.TimeoutExpired:
            pass
        elapsed = time.monotonic() - self.t0
        if status is None:
            self.proc.kill()
            self.proc.wait()
        reader.join(5)
        if conn:
            conn.close()
        if listener:
            listener.close()
        for e in self.ends:
            e.close()
        if self.qmp:
            self.qmp.close()
        for fn in self.cleanups:
            fn()
        self.log.close()
        if self.panic_seen and not self.expect_panic:
            tap.point(False, '%s: guest kernel panic' % self.label)
            tap.diag(self.console_tail(40))
        if no_boot:
            tap.point(False, '%s: the guest prints its first TAP line within '
                      '%d s' % (self.label, FIRST_LINE_TIMEOUT))
            tap.diag(self.console_tail())
            tap.bail('the guest did not boot')
            raise SystemExit(1)
        if timed_out:
            tap.point(False, '%s: finished within %d s' % (self.label, self.timeout))
            tap.diag(self.console_tail())
        if first_line is not None:
            tap.diag('%s: first guest line after %.1f s' % (self.label, first_line))
        if guest_plan is not None and guest_points != guest_plan:
            tap.point(False, '%s: guest printed %d of its %d points'
                      % (self.label, guest_points, guest_plan))
        elif guest_plan is None and not self.expect_panic:
            tap.point(False, '%s: guest finished its test script (printed a plan)'
                      % self.label)
            tap.diag(self.console_tail())
        if self.expect_panic:
            tap.point(status is not None and status != 0,
                      '%s: after a guest panic the emulator exits non-zero '
                      '(status %s)' % (self.label, status))
            tap.point(self.panic_seen, '%s: the panic text is on the console'
                      % self.label)
            text = bytes(self.console).decode('utf-8', 'replace').replace('\r', '')
            for line in text.splitlines():
                if 'Kernel panic' in line:
                    tap.diag('console: ' + line.strip())
        else:
            tap.point(status == 0, '%s: poweroff exits the emulator with status 0 '
                      '(status %s, %.1f s)' % (self.label, status, elapsed))
            if status != 0:
                tap.diag(self.console_tail())
        log('boot %s: %.1f s, status %s' % (self.name, elapsed, status))

    def _line(self, line, conn):
        tap = self.tap
        m = re.match(r'^(not ok|ok)\b\s*\d*\s*(?:- )?(.*)$', line)
        if m:
            ok = m.group(1) == 'ok'
            desc, _, directive = m.group(2).partition(' # ')
            if not ok and self.runner.is_qemu and not directive:
                for prefix, why in QEMU_DIFFERS.items():
                    if desc.startswith(prefix):
                        directive = 'TODO qemu: ' + why
            tap.point(ok, desc, directive)
            return 'point'
        if line.startswith('ack '):   # our own reply, echoed by a console tty
            return None
        if line.startswith('# sync '):
            verb, _, rest = line[len('# sync '):].partition(' ')
            args = rest.split()
            t = time.monotonic()
            try:
                reply = self.dispatch(verb, args)
            except Exception as e:   # the guest sees it and fails the point
                log('handler %s %s: %r' % (verb, args, e))
                reply = {'h_error': type(e).__name__}
            log('sync %s %s -> %s (%.2f s)' % (verb, ' '.join(args), reply,
                                               time.monotonic() - t))
            text = reply if isinstance(reply, str) else ' '.join(
                '%s=%s' % (k, shlex.quote(str(v).replace('\n', ' | ')))
                for k, v in reply.items())   # one line: the ack is a line
            if conn:
                conn.sendall(('ack %s\n' % text).encode())
            else:
                self.proc.stdin.write(('ack %s\n' % text).encode())
                self.proc.stdin.flush()
            return None
        m = re.match(r'^1\.\.(\d+)', line)
        if m:
            return int(m.group(1))
        if line.startswith('Bail out!'):
            tap.bail(line[len('Bail out!'):].strip())
            return None
        if line.startswith('#'):
            tap.diag(line[1:].strip())
        elif line.strip() and self.tap_port:    # the console is in the log
            tap.diag('guest: ' + line)
        return None

    def dispatch(self, verb, args):
        if verb in self.handlers:
            return self.handlers[verb](*args)
        port = self.ports.get(args[0]) if args else None
        if verb == 'recv':
            port.start_recv(int(args[1]))
            return {'h_started': 1}
        if verb == 'send':      # send PORT BYTES [SEED [PACE_BYTES PACE_MS]]
            seed = int(args[2]) if len(args) > 2 else 7
            pace = (int(args[3]), int(args[4]) / 1000) if len(args) > 4 else None
            return {'h_sha256': port.start_send(stream_bytes(int(args[1]), seed),
                                                pace)}
        if verb == 'result':
            return port.result()
        if verb == 'connect':
            port.connect()
            return {'h_connected': 1}
        if verb == 'disconnect':
            port.disconnect()
            return {'h_connected': 0}
        if verb == 'sleep':
            time.sleep(float(args[0]))
            return {}
        raise KeyError('unknown verb ' + verb)


class Runner:
    def __init__(self, opts):
        self.opts = opts
        self.tap_console = getattr(opts, 'tap_console', False)
        self.emulator = opts.emulator
        self.is_qemu = 'qemu-system' in os.path.basename(self.emulator or '')
        self.kernel = opts.kernel
        self.initrd = opts.initrd
        self.dir = tempfile.mkdtemp(prefix='minivirt-guest-%s-' % opts.group)

    def run(self, group_fn, tap):
        boots = group_fn(self)
        for b in boots:
            b.run(tap)

    def cleanup(self):
        if self.opts.keep:
            log('kept ' + self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------------------
# The groups. Each returns the boots it needs; the guest half of each is
# guest-tests/guest/GROUP.sh.

def group_console(r):
    """A shell on hvc0 (virtconsole, console=hvc0) and on ttyS0, typed at."""
    b = Boot(r, 'console', 'console', append='console=hvc0')
    hvc = SocketEndpoint(b, 'hvc0')
    b.ends = [hvc]
    b.args = ['-device', 'virtio-serial-pci,id=vcon',
              '-device', 'virtconsole,bus=vcon.0,chardev=hvc0,name=org.minivirt.console']
    hvc_log = bytearray()
    hvc_cond = threading.Condition()

    def pump():   # keep reading hvc0 so the guest's console never stalls
        hvc_file = open(os.path.join(b.dir, 'hvc0.log'), 'wb')
        while True:
            d = hvc.read_some(65536, 1.0)
            if d == b'':
                hvc_file.close()
                return
            if d:
                hvc_file.write(d)
                hvc_file.flush()
                with hvc_cond:
                    hvc_log.extend(d)
                    hvc_cond.notify_all()

    def start():
        hvc.connect()
        threading.Thread(target=pump, daemon=True).start()
    b.after_start = [start]

    def wait_hvc(needle, start, timeout):
        deadline = time.monotonic() + timeout
        with hvc_cond:
            while needle not in hvc_log[start:]:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                hvc_cond.wait(min(left, 0.2))
            return True

    def type_and_check(write, wait, offset, tty):
        res = {}
        write(('echo "mv-$((6*7))-%s"\n' % tty).encode())
        res['h_echo'] = int(wait(('mv-42-%s' % tty).encode(), offset(), 10))
        # 3000 numbered lines back, in order, then an end marker
        start = offset()
        write(b'seq 1 3000; echo "mv-end-$((1+1))"\n')
        ok = wait(b'mv-end-2', start, 30)
        res['h_seq'] = int(ok and wait(
            ('\n'.join(str(i) for i in range(1, 3001))).encode().replace(
                b'\n', b'\r\n'), start, 1))
        return res

    def console(tty):
        if tty == 'hvc0':
            res = type_and_check(hvc.write_all, wait_hvc, lambda: len(hvc_log), tty)
            res['h_bootlog'] = int(wait_hvc(b'Run /init as init process', 0, 1))
            res['h_init'] = int(wait_hvc(b'minivirt-guest: userspace up', 0, 1))
            return res

        def write(data):
            b.proc.stdin.write(data)
            b.proc.stdin.flush()
        return type_and_check(write, b.wait_console, b.console_len, tty)
    b.on('console', console)
    return [b]


def group_enumeration(r):
    """Port names and numbers for 1, 2 and 31 ports; the PCI probe."""
    b = Boot(r, 'enumeration', 'enumeration')
    args = ['-device', 'virtio-serial-pci,id=vone',
            '-chardev', 'null,id=one',
            '-device', 'virtserialport,bus=vone.0,chardev=one,name=org.minivirt.one',
            '-device', 'virtio-serial-pci,id=vtwo,disable-legacy=on',
            '-chardev', 'null,id=two1', '-chardev', 'null,id=two2',
            '-device', 'virtserialport,bus=vtwo.0,chardev=two1,name=org.minivirt.two.1',
            '-device', 'virtserialport,bus=vtwo.0,chardev=two2,name=org.minivirt.two.2',
            '-device', 'virtio-serial-pci,id=vmax,max_ports=32']
    # 31 ports on nr 1..31, given out of order so that nr= is what places them
    for nr in sorted(range(1, 32), key=lambda n: (n * 7) % 31):
        args += ['-chardev', 'null,id=max%d' % nr,
                 '-device', 'virtserialport,bus=vmax.0,chardev=max%d,nr=%d,'
                 'name=org.minivirt.max.%d' % (nr, nr, nr)]
    b.args = args
    return [b]


def data_ports(b, stream_ends):
    """-device options for one virtserialport per endpoint."""
    args = ['-device', 'virtio-serial-pci,id=vdata']
    for name, e in stream_ends:
        args += ['-device', 'virtserialport,bus=vdata.0,chardev=%s,name=%s'
                 % (e.id, name)]
        b.ports[name] = e
    return args


def group_data(r):
    """Bytes both ways through every backend; SHA-256 on both sides."""
    b = Boot(r, 'data', 'data', append='minivirt.stream=%s minivirt.dgram=%s '
             'minivirt.muxin=%s' % (r.opts.stream, r.opts.dgram, r.opts.muxin))
    ends = [
        ('org.minivirt.data.unix-server', SocketEndpoint(b, 'userver')),
        ('org.minivirt.data.unix-client', SocketEndpoint(b, 'uclient', emu_server=False)),
        ('org.minivirt.data.tcp-server', SocketEndpoint(b, 'tserver', family='tcp')),
        ('org.minivirt.data.file', FileEndpoint(b, 'file')),
        ('org.minivirt.data.pipe', PipeEndpoint(b, 'pipe')),
        ('org.minivirt.data.pty', PtyEndpoint(b, 'pty')),
        ('org.minivirt.data.udp', UdpEndpoint(b, 'udp')),
    ]
    mux = SocketEndpoint(b, 'mux', mux=True)
    ends += [('org.minivirt.data.mux-a', mux), ('org.minivirt.data.mux-b', mux)]
    b.ends = [e for _, e in ends if e is not mux] + [mux]
    b.args = data_ports(b, ends)

    def mux_focus():   # Ctrl-A c: the next front end gets the input
        mux.write_raw(b'\x01c')
        return {}
    b.on('mux-focus', mux_focus)
    return [b]


class Qmp:
    """Just enough QMP for the groups: events (VSERPORT_CHANGE,
    DEVICE_DELETED) collected as they come, and commands (execute) whose
    replies are matched by their "id"."""

    def __init__(self, path):
        self.path = path
        self.sock = None
        self.events = []
        self.replies = {}
        self.next_id = 0
        self.cmd_lock = threading.Lock()
        self.cond = threading.Condition()

    def start(self, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.path)
                break
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.05)
        self.sock = s
        self.f = s.makefile('rwb')
        self.f.readline()     # greeting
        self.f.write(b'{"execute": "qmp_capabilities"}\n')
        self.f.flush()
        threading.Thread(target=self._read, daemon=True).start()
        return True

    def _read(self):
        for line in self.f:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if 'event' in msg:
                with self.cond:
                    self.events.append(msg)
                    self.cond.notify_all()
            elif isinstance(msg.get('id'), str):
                with self.cond:
                    self.replies[msg['id']] = msg
                    self.cond.notify_all()

    def execute(self, cmd, args=None, timeout=10):
        """Run one command: its reply, {"return": ...} or {"error": ...}
        ({"error": {"class": "timeout"}} if none came in time)."""
        with self.cmd_lock:
            self.next_id += 1
            mid = 'runner-%d' % self.next_id
            req = {'execute': cmd, 'id': mid}
            if args is not None:
                req['arguments'] = args
            self.f.write(json.dumps(req).encode() + b'\n')
            self.f.flush()
        deadline = time.monotonic() + timeout
        with self.cond:
            while mid not in self.replies:
                left = deadline - time.monotonic()
                if left <= 0:
                    return {'error': {'class': 'timeout', 'desc': cmd}}
                self.cond.wait(left)
            return self.replies.pop(mid)

    def clear(self):
        with self.cond:
            self.events.clear()

    def wait_event(self, name, data, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for ev in self.events:
                    if ev['event'] == name and all(
                            ev.get('data', {}).get(k) == v for k, v in data.items()):
                        return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)

    def close(self):
        if self.sock:
            self.sock.close()


def group_open_close(r):
    """Host connect/disconnect as the guest sees it, and guest open/close as
    the host sees it (QMP VSERPORT_CHANGE, QEMU's way of telling)."""
    b = Boot(r, 'open-close', 'open-close')
    srv = SocketEndpoint(b, 'ocsrv')
    b.ends = [srv]
    name = 'org.minivirt.oc.srv'
    b.ports[name] = srv
    qmp_path = os.path.join(b.dir, 'qmp.sock')
    b.args = ['-qmp', 'unix:%s,server=on,wait=off' % qmp_path,
              '-device', 'virtio-serial-pci,id=voc',
              '-device', 'virtserialport,bus=voc.0,chardev=ocsrv,id=ocport,name=' + name]
    b.qmp = Qmp(qmp_path)
    qmp_ok = []
    b.after_start = [lambda: qmp_ok.append(b.qmp.start())]

    def events_clear():
        b.qmp.clear()
        return {'h_qmp': int(bool(qmp_ok and qmp_ok[0]))}

    def event(port_id, state):
        want = {'id': port_id, 'open': state == 'open'}
        return {'h_event': int(b.qmp.wait_event('VSERPORT_CHANGE', want, 5))}
    b.on('events-clear', events_clear)
    b.on('event', event)
    return [b]


HP_PORTS = 30
HP_BYTES = 4096
HP_BUS = 'vhp'
HP_BASE = 'hpbase'          # the port the boot starts with (nr 1)
# RSS bound after cycle 1 vs cycle 3. The guest's kernel reuses its freed
# pages (its RAM is in the emulator's RSS), and glibc keeps freed heap for
# reuse, so a cycle that frees what it allocated costs ~0 after the first.
# What a leak would cost: each hot-added port has a device, a socket
# chardev with its listener and buffers, and its virtqueue-side state; a
# leak of the port's data path (one 64 KiB chunk per port) is 30 x 64 KiB
# ~ 2 MiB per cycle, 4 MiB over cycles 2-3. Below that the fd and id
# checks catch the classic leaks (an unclosed listener, an unfreed object
# still registered).
HP_RSS_BOUND_KIB = 2048
# The emulator's own memory (VmRSS minus the guest-RAM mapping's Rss): the
# guest's page use drops out, so the bound can be tight. minivirt grows
# ~36 KiB from cycle 1 to 3; a leak of 8 KiB per port (an object and a
# 4 KiB buffer) over cycles 2-3 is 60 x 8 = 480 KiB.
HP_OWN_BOUND_KIB = 512


def hp_id(n):
    return 'hp%d' % n


def hp_chardev(n):
    return 'hpc%d' % n


def hp_name(n):
    return 'org.minivirt.hp.%d' % n


def qmp_err(reply):
    e = reply.get('error')
    return '' if e is None else '%s:%s' % (e.get('class'), e.get('desc', ''))


def group_hotplug(r):
    """Hot-add 30 ports one by one over QMP, move data through each, remove
    them all; three times, with no ids, chardevs, fds or memory left over."""
    b = Boot(r, 'hotplug', 'hotplug', append='minivirt.hp.ports=%d '
             'minivirt.hp.bytes=%d' % (HP_PORTS, HP_BYTES))
    qmp_path = os.path.join(b.dir, 'qmp.sock')
    b.args = ['-qmp', 'unix:%s,server=on,wait=off' % qmp_path,
              '-device', 'virtio-serial-pci,id=%s,max_ports=32' % HP_BUS,
              '-chardev', 'null,id=%s' % HP_BASE,
              '-device', 'virtserialport,bus=%s.0,chardev=%s,id=%s,'
              'name=org.minivirt.hp.base' % (HP_BUS, HP_BASE, HP_BASE)]
    b.qmp = Qmp(qmp_path)
    qmp_ok = []
    b.after_start = [lambda: qmp_ok.append(b.qmp.start())]
    st = {'ends': {}, 'rss': {}, 'own': {}, 'fds': {}, 'vser0': None}

    def vser_ports():
        """`info virtio-serial`'s port lines, minus the byte counters."""
        rep = b.qmp.execute('human-monitor-command',
                            {'command-line': 'info virtio-serial'})
        text = rep.get('return')
        if not isinstance(text, str):
            return None, qmp_err(rep)
        ports = [l.strip() for l in text.splitlines()
                 if l.strip().startswith('port ')]
        return ports, text

    def guest_ram_rss_kib():
        """Rss of the guest-RAM mapping(s): every mapping at least MEM
        long (the emulator maps guest RAM in one piece; nothing else of
        its own is that big)."""
        ram = int(MEM.rstrip('M')) << 10        # KiB
        total = 0
        size = 0
        try:
            with open('/proc/%d/smaps' % b.proc.pid) as f:
                for line in f:
                    if line.startswith('Size:'):
                        size = int(line.split()[1])
                    elif line.startswith('Rss:') and size >= ram:
                        total += int(line.split()[1])
        except OSError:
            return -1
        return total

    def fds():
        try:
            return len(os.listdir('/proc/%d/fd' % b.proc.pid))
        except OSError:
            return -1

    def begin():
        st['vser0'] = vser_ports()[0]
        return {'h_qmp': int(bool(qmp_ok and qmp_ok[0])),
                'h_vser': len(st['vser0'] or [])}

    def add(cycle, n):
        n = int(n)
        end = SocketEndpoint(b, 'hp-%s-%d' % (cycle, n))
        st['ends'][n] = end
        rep = b.qmp.execute('chardev-add', {
            'id': hp_chardev(n),
            'backend': {'type': 'socket', 'data': {
                'addr': {'type': 'unix', 'data': {'path': end.path}},
                'server': True, 'wait': False}}})
        if 'error' in rep:
            return {'h_added': 0, 'h_why': 'chardev-add ' + qmp_err(rep)}
        rep = b.qmp.execute('device_add', {
            'driver': 'virtserialport', 'id': hp_id(n), 'name': hp_name(n),
            'bus': HP_BUS + '.0', 'chardev': hp_chardev(n)})
        if 'error' in rep:
            return {'h_added': 0, 'h_why': 'device_add ' + qmp_err(rep)}
        return {'h_added': 1}

    def xfer_start(n):
        """The host connects, sends HP_BYTES (a socket buffer's worth: it
        goes out at once) and starts reading HP_BYTES."""
        n = int(n)
        end = st['ends'][n]
        data = stream_bytes(HP_BYTES, 1000 + n)
        end.connect(10)
        end.write_all(data)
        end.start_recv(HP_BYTES, idle=20)
        return {'h_sha256': hashlib.sha256(data).hexdigest()}

    def xfer_result(n):
        return st['ends'][int(n)].result(30)

    def busy():
        """chardev-remove of a chardev a port still uses must fail."""
        rep = b.qmp.execute('chardev-remove', {'id': hp_chardev(1)})
        return {'h_refused': int('error' in rep), 'h_why': qmp_err(rep)}

    def delete_all():
        b.qmp.clear()
        bad = []
        for n in range(1, HP_PORTS + 1):
            rep = b.qmp.execute('device_del', {'id': hp_id(n)})
            if 'error' in rep:
                bad.append('%s:%s' % (hp_id(n), qmp_err(rep)))
        deadline = time.monotonic() + 5        # for all of them
        missing = [hp_id(n) for n in range(1, HP_PORTS + 1)
                   if not b.qmp.wait_event(
                       'DEVICE_DELETED', {'device': hp_id(n)},
                       max(0, deadline - time.monotonic()))]
        return {'h_del_errors': ' '.join(bad), 'h_not_deleted': ' '.join(missing)}

    def remove_all():
        bad = []
        for n in range(1, HP_PORTS + 1):
            rep = b.qmp.execute('chardev-remove', {'id': hp_chardev(n)})
            if 'error' in rep:
                bad.append('%s:%s' % (hp_chardev(n), qmp_err(rep)))
        for end in st['ends'].values():
            end.close()
        st['ends'].clear()
        return {'h_remove_errors': ' '.join(bad)}

    def leftovers(cycle):
        rep = b.qmp.execute('qom-list', {'path': '/machine/peripheral'})
        ids = [p.get('name') for p in rep.get('return', [])]
        ids_left = [i for i in ids if re.fullmatch(r'hp\d+', i or '')]
        rep2 = b.qmp.execute('query-chardev')
        chr_left = [c.get('label') for c in rep2.get('return', [])
                    if re.fullmatch(r'hpc\d+', c.get('label') or '')]
        ports, text = vser_ports()
        st['rss'][cycle] = b.rss_kib()
        st['own'][cycle] = st['rss'][cycle] - guest_ram_rss_kib()
        st['fds'][cycle] = fds()
        res = {'h_ids_left': ' '.join(ids_left), 'h_chr_left': ' '.join(chr_left),
               'h_qom_ok': int('return' in rep and HP_BASE in ids),
               'h_qchr_ok': int('return' in rep2),
               'h_vser_same': int(bool(st['vser0']) and ports == st['vser0']
                                  and any('"%s"' % HP_BASE in p for p in ports)),
               'h_vser': 'before cycle 1: %s; now: %s' % (
                   ' | '.join(st['vser0'] or []), ' | '.join(text.splitlines())),
               'h_rss_kib': st['rss'][cycle], 'h_own_kib': st['own'][cycle],
               'h_fds': st['fds'][cycle]}
        if 'error' in rep:
            res['h_why'] = 'qom-list ' + qmp_err(rep)
        return res

    def growth(first, last):
        return {'h_rss_growth_kib': st['rss'][last] - st['rss'][first],
                'h_own_growth_kib': st['own'][last] - st['own'][first],
                'h_fd_growth': st['fds'][last] - st['fds'][first],
                'h_bound_kib': HP_RSS_BOUND_KIB,
                'h_own_bound_kib': HP_OWN_BOUND_KIB}

    for verb, fn in (('hp-begin', begin), ('hp-add', add),
                     ('hp-xfer', xfer_start), ('hp-result', xfer_result),
                     ('hp-busy', busy), ('hp-del', delete_all),
                     ('hp-remove', remove_all), ('hp-left', leftovers),
                     ('hp-growth', growth)):
        b.on(verb, fn)
    b.cleanups.append(lambda: [e.close() for e in st['ends'].values()])
    return [b]


class Peer:
    """A host peer in its own process (so it can really be killed): this
    file run with --peer. It listens on a unix socket."""

    def __init__(self, boot, args):
        self.boot = boot
        self.args = args
        self.proc = None
        self.buf = b''

    def start(self):
        cmd = [sys.executable, os.path.abspath(__file__), '--peer'] + self.args
        # Not die_with_parent: PDEATHSIG follows the creating thread, and
        # peers are started from handler threads. The peer watches getppid().
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)
        return self

    def tell(self, line):
        self.proc.stdin.write((line + '\n').encode())
        self.proc.stdin.flush()

    def wait_line(self, prefix, timeout):
        """The next line of the peer's stdout that starts with prefix."""
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while True:
            while b'\n' in self.buf:
                line, self.buf = self.buf.split(b'\n', 1)
                if line.decode().startswith(prefix):
                    return line.decode().strip()
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([fd], [], [], left)
            if r:
                chunk = os.read(fd, 4096)
                if not chunk:
                    return None
                self.buf += chunk

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


def peer_main(argv):
    """--peer send PATH SEED TOTAL START END | --peer recv PATH COUNT FILE"""
    mode, path = argv[0], argv[1]
    parent = os.getppid()

    def orphan_watch():        # exit with the runner, however it ends
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)
    threading.Thread(target=orphan_watch, daemon=True).start()
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(path)
    ls.listen(1)
    conn, _ = ls.accept()
    print('connected', flush=True)
    if mode == 'send':
        seed, total, start, end = (int(a) for a in argv[2:6])
        sys.stdin.readline()   # "go"
        conn.sendall(stream_bytes(total, seed)[start:end])
        print('sent %d' % (end - start), flush=True)
        while True:
            time.sleep(3600)     # held open until killed
    else:
        count, out = int(argv[2]), argv[3]
        got = 0
        with open(out, 'wb', buffering=0) as f:
            while got < count:
                d = conn.recv(min(65536, count - got))
                if not d:
                    break
                f.write(d)
                got += len(d)
        print('got %d' % got, flush=True)
        while True:
            time.sleep(3600)


def group_reconnect(r):
    """A client chardev with reconnect=1; the host peer dies mid-transfer
    and comes back; the guest's SHA-256 must match: nothing lost or doubled."""
    b = Boot(r, 'reconnect', 'reconnect',
             append='minivirt.stream=%s' % r.opts.stream)
    h2g_path = os.path.join(b.dir, 'rc-h2g.sock')
    g2h_path = os.path.join(b.dir, 'rc-g2h.sock')
    b.args = ['-chardev', 'socket,id=rch2g,path=%s,reconnect=1' % h2g_path,
              '-chardev', 'socket,id=rcg2h,path=%s,reconnect=1' % g2h_path,
              '-device', 'virtio-serial-pci,id=vrc',
              '-device', 'virtserialport,bus=vrc.0,chardev=rch2g,name=org.minivirt.rc.h2g',
              '-device', 'virtserialport,bus=vrc.0,chardev=rcg2h,name=org.minivirt.rc.g2h']
    peers = []
    state = {}
    seed = 11

    def h2g_prepare(total, cut):
        total, cut = int(total), int(cut)
        p1 = Peer(b, ['send', h2g_path, str(seed), str(total), '0', str(cut)]).start()
        peers.append(p1)
        state['h2g'] = (p1, total, cut)
        ok = p1.wait_line('connected', 30) is not None
        return {'h_sha256': hashlib.sha256(
            stream_bytes(total, seed)).hexdigest(), 'h_connected': int(ok)}

    def h2g_cut():
        p1, total, cut = state['h2g']
        p1.tell('go')
        sent = p1.wait_line('sent', 120)
        p1.kill()                 # whatever is still in flight must survive
        time.sleep(1.5)
        p2 = Peer(b, ['send', h2g_path, str(seed), str(total), str(cut),
                      str(total)]).start()
        peers.append(p2)
        ok = p2.wait_line('connected', 30) is not None
        p2.tell('go')
        return {'h_first': int(sent is not None), 'h_reconnected': int(ok)}

    def g2h_prepare(total, cut):
        g = state['g2h'] = {'total': int(total), 'cut': int(cut),
                            'files': [os.path.join(b.dir, 'g2h-1.bin'),
                                      os.path.join(b.dir, 'g2h-2.bin')]}
        g['p1'] = Peer(b, ['recv', g2h_path, cut, g['files'][0]]).start()
        peers.append(g['p1'])
        return {'h_connected': int(g['p1'].wait_line('connected', 30) is not None)}

    def g2h_cut():
        g = state['g2h']
        got = g['p1'].wait_line('got', 120)
        g['p1'].kill()            # the guest resumes writing right away

        def restart():
            time.sleep(1.5)
            g['p2'] = Peer(b, ['recv', g2h_path, str(g['total'] - g['cut']),
                               g['files'][1]]).start()
            peers.append(g['p2'])
        g['restart'] = threading.Thread(target=restart, daemon=True)
        g['restart'].start()
        return {'h_first': int(got == 'got %d' % g['cut'])}

    def g2h_result():
        g = state['g2h']
        g['restart'].join()
        g['p2'].wait_line('got', 60)
        g['p2'].kill()
        h = hashlib.sha256()
        n = 0
        for f in g['files']:
            if os.path.exists(f):      # the second peer may never connect
                with open(f, 'rb') as fh:
                    d = fh.read()
                h.update(d)
                n += len(d)
        return {'h_sha256': h.hexdigest(), 'h_bytes': n}

    b.on('h2g-prepare', h2g_prepare)
    b.on('h2g-cut', h2g_cut)
    b.on('g2h-prepare', g2h_prepare)
    b.on('g2h-cut', g2h_cut)
    b.on('g2h-result', g2h_result)
    b.cleanups.append(lambda: [p.kill() for p in peers])
    return [b]


def group_backpressure(r):
    """The host reader stops for 5 s: the guest writer blocks, nothing is
    lost, and the emulator does not buffer (RSS grows < 1 MiB)."""
    b = Boot(r, 'backpressure', 'backpressure')
    bp = SocketEndpoint(b, 'bp')
    b.ends = [bp]
    b.ports['org.minivirt.bp'] = bp
    b.args = ['-device', 'virtio-serial-pci,id=vbp',
              '-device', 'virtserialport,bus=vbp.0,chardev=bp,name=org.minivirt.bp']
    res = {}

    def start(total, first, pause):
        total, first, pause = int(total), int(first), float(pause)
        bp.connect()

        def reader():
            h = hashlib.sha256()
            data, err = bp.read_exact(first, 60)
            h.update(data)
            got = len(data)
            # The pause: read nothing. The baseline is taken 1 s in, once
            # the guest has filled its ring and blocked: the guest kernel's
            # own buffers are guest RAM, which the emulator's RSS includes.
            t_pause = time.monotonic()
            time.sleep(min(1.0, pause / 2))
            rss0 = peak = b.rss_kib()
            while time.monotonic() < t_pause + pause:
                time.sleep(0.1)
                peak = max(peak, b.rss_kib())
            while got < total and not err:
                d = bp.read_some(min(total - got, 1 << 20), 60)
                if not d:
                    err = 'timeout' if d is None else 'eof'
                    break
                h.update(d)
                got += len(d)
            res.update(h_sha256=h.hexdigest(), h_bytes=got,
                       h_rss0_kib=rss0, h_rss_growth_kib=peak - rss0)
            if err:
                res['h_error'] = err
        res.clear()
        t = threading.Thread(target=reader, daemon=True)
        t.start()
        res['thread'] = t
        return {'h_started': 1}

    def result():
        t = res.pop('thread', None)
        if t:
            t.join(300)
        return {k: v for k, v in res.items() if k.startswith('h_')}
    b.on('bp-start', start)
    b.on('bp-result', result)
    return [b]


def group_exit(r):
    """Exit status: poweroff gives 0; a panic with -no-reboot, non-zero."""
    off = Boot(r, 'poweroff', 'poweroff', label='exit/poweroff')
    panic = Boot(r, 'panic', 'panic', expect_panic=True, timeout=120,
                 label='exit/panic',
                 args=['-device', 'pvpanic-pci', '-action', 'panic=exit-failure'])
    return [off, panic]


OPENSBI = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin'


def group_machine(r):
    """Issue 3: boot with 1 and 2 harts; boot through OpenSBI (-bios)."""
    boots = [Boot(r, 'smp%d' % n, 'machine', smp=n, label='machine/smp%d' % n,
                  append='minivirt.harts=%d' % n) for n in (1, 2)]
    fw = os.environ.get('MINIVIRT_OPENSBI', OPENSBI)
    if os.path.exists(fw):
        boots.append(Boot(r, 'opensbi', 'machine', label='machine/opensbi',
                          append='minivirt.harts=1 minivirt.sbi=opensbi',
                          args=['-bios', fw]))
    else:
        log('no OpenSBI at %s (package opensbi): skipping that boot' % fw)
    return boots


GROUPS = {
    'machine': group_machine,
    'console': group_console,
    'enumeration': group_enumeration,
    'data': group_data,
    'open-close': group_open_close,
    'reconnect': group_reconnect,
    'backpressure': group_backpressure,
    'exit': group_exit,
    'hotplug': group_hotplug,
}


def guest_image(kind):
    """The cached kernel (scripts/guest/build-kernel.sh)."""
    script = os.path.join(ROOT, 'scripts', 'guest', 'build-%s.sh' % kind)
    out = subprocess.run([script], stdout=subprocess.PIPE, check=True)
    return out.stdout.decode().strip().splitlines()[-1]


def resolve_emulator(arg):
    emu = os.environ.get('MINIVIRT_EMU') or arg
    if not emu:
        return None
    if emu == 'qemu':
        return shutil.which(QEMU)
    return emu if os.path.sep in emu else shutil.which(emu)


def main(argv):
    if argv[:1] == ['--peer']:
        return peer_main(argv[1:])
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--group', required=True, choices=sorted(GROUPS))
    ap.add_argument('--emulator', help='minivirt binary, or qemu')
    ap.add_argument('--kernel', help='guest Image (default: build-kernel.sh)')
    ap.add_argument('--initrd', required=True, help='guest-test initramfs')
    ap.add_argument('--timeout', type=int, default=BOOT_TIMEOUT,
                    help='seconds per boot')
    ap.add_argument('--stream', default=os.environ.get('MINIVIRT_STREAM', '64M'),
                    help='bytes per stream transfer (K/M suffix)')
    ap.add_argument('--dgram', default='256K', help='bytes per UDP transfer')
    ap.add_argument('--muxin', default='64K',
                    help='bytes of host input through the mux')
    ap.add_argument('--keep', action='store_true', help='keep the temp dir')
    ap.add_argument('--tap-console', action='store_true',
                    help='no TAP port: TAP and the sync replies go over the '
                    'console (for an emulator without virtio-serial)')
    opts = ap.parse_args(argv)
    tap = Tap()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    opts.emulator = resolve_emulator(opts.emulator)
    if not opts.emulator:
        print('1..0 # SKIP minivirt not built (set MINIVIRT_EMU=qemu or a path)')
        return 0
    if not opts.kernel:
        opts.kernel = guest_image('kernel')
    r = Runner(opts)
    log('group %s on %s' % (opts.group, opts.emulator))
    try:
        r.run(GROUPS[opts.group], tap)
    except SystemExit:
        tap.plan()
        raise
    finally:
        r.cleanup()
    tap.plan()
    return 1 if tap.failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
