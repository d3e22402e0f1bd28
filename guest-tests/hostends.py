"""hostends.py: the host end of each chardev backend the guest tests use.

One Endpoint per -chardev: it knows the option string that creates the
backend, and how the host reads and writes it. The runner (runner.py) and the
benchmarks (scripts/bench/) share these. Python 3 standard library only.

An Endpoint's life:
  prepare()      before the emulator starts (listen, mkfifo, bind)
  connect()      host side up (connect, accept, open); idempotent
  read_some()    up to n bytes, b'' on EOF, None on timeout
  write_all()    every byte, or an exception
  disconnect()   host side down; connect() may be called again
and transfers run in a thread: start_recv(n) / start_send(data) / result().
"""

import errno
import hashlib
import os
import random
import select
import socket

import threading
import time
import tty

MIB = 1 << 20
CHUNK = 256 * 1024
UDP_DATAGRAM = 1024          # bytes per host-to-guest datagram
UDP_PACE = 0.0005            # seconds between datagrams: UDP has no flow control
MUX_ESCAPE = b'\x01'         # Ctrl-A: the mux escape; Ctrl-A Ctrl-A is a literal one


def write_fd(fd, data):
    """Write all of data to a blocking fd (fifo, pty)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view[:CHUNK]):]


def free_port(kind=socket.SOCK_STREAM):
    """A TCP/UDP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def stream_bytes(n, seed):
    """The host's test stream: n pseudo-random bytes, the same for a seed."""
    return random.Random(seed).randbytes(n)


class EndpointError(Exception):
    pass


class Endpoint:
    """Base: a transfer in a thread over read_some()/write_all()."""
    kind = 'abstract'
    can_read = True
    can_write = True

    def __init__(self, ctx, cid):
        self.ctx = ctx          # the boot: .dir, .pty_path(id, timeout)
        self.id = cid
        self.thread = None
        self.res = None

    # -- to override ---------------------------------------------------
    def chardev(self):
        raise NotImplementedError

    def prepare(self):
        pass

    def connect(self, timeout=30):
        pass

    def disconnect(self):
        pass

    def rfd(self):
        raise NotImplementedError

    def _read(self, n):
        return os.read(self.rfd(), n)

    def write_all(self, data):
        raise NotImplementedError

    def close(self):
        self.disconnect()

    # -- shared ----------------------------------------------------------
    def read_some(self, n, timeout):
        """Up to n bytes; b'' at EOF; None if nothing came within timeout."""
        self.connect()
        r, _, _ = select.select([self.rfd()], [], [], timeout)
        if not r:
            return None
        try:
            return self._read(n)
        except (BlockingIOError, InterruptedError):
            return None
        except OSError as e:
            if e.errno == errno.EIO:    # pty: the other side is gone
                return b''
            raise

    def read_exact(self, n, idle=30):
        """Read n bytes; returns (data, error or None)."""
        buf = bytearray()
        while len(buf) < n:
            d = self.read_some(min(n - len(buf), CHUNK), idle)
            if d is None:
                return bytes(buf), 'timeout'
            if not d:
                return bytes(buf), 'eof'
            buf += d
        return bytes(buf), None

    def _run(self, fn, *args):
        # Each transfer has its own result box, so a transfer abandoned by
        # the guest cannot overwrite a later one's result.
        box = {}
        self.res = box

        def wrap():
            try:
                box.update(fn(*args))
            except Exception as e:              # reported to the guest
                box['h_error'] = type(e).__name__ + ':' + str(e).replace(' ', '_')
        self.thread = threading.Thread(target=wrap, daemon=True)
        self.thread.start()

    def start_recv(self, n, idle=60):
        """Read n bytes in a thread; result() gives their SHA-256."""
        def recv():
            h = hashlib.sha256()
            got, t0, err = 0, None, None
            while got < n:
                d = self.read_some(min(n - got, CHUNK), idle)
                if d is None or not d:
                    err = 'timeout' if d is None else 'eof'
                    break
                if t0 is None:
                    t0 = time.monotonic()
                h.update(d)
                got += len(d)
            res = {'h_sha256': h.hexdigest(), 'h_bytes': got,
                   'h_secs': '%.3f' % (time.monotonic() - (t0 or time.monotonic()))}
            if err:
                res['h_error'] = err
            return res
        self.connect()
        self._run(recv)

    def start_send(self, data, pace=None):
        """Write data in a thread; returns its SHA-256 now. pace: (bytes,
        seconds) to write that much at a time, then wait."""
        def send():
            t0 = time.monotonic()
            if pace:
                for off in range(0, len(data), pace[0]):
                    self.write_all(data[off:off + pace[0]])
                    time.sleep(pace[1])
            else:
                self.write_all(data)
            return {'h_bytes': len(data), 'h_secs': '%.3f' % (time.monotonic() - t0)}
        self.connect()
        self._run(send)
        return hashlib.sha256(data).hexdigest()

    def result(self, timeout=600):
        if not self.thread:
            return {'h_error': 'no-transfer'}
        self.thread.join(timeout)
        if self.thread.is_alive():
            return {'h_error': 'still-running'}
        self.thread = None
        return self.res or {'h_error': 'no-result'}


class SocketEndpoint(Endpoint):
    """socket chardev. emu_server: the emulator listens and the host
    connects; else the host listens and the emulator connects (client)."""

    def __init__(self, ctx, cid, family='unix', emu_server=True, mux=False,
                 extra=''):
        super().__init__(ctx, cid)
        self.family = family
        self.emu_server = emu_server
        self.mux = mux
        self.extra = extra
        self.sock = None
        self.listener = None
        self.kind = '%s-%s' % (family, 'server' if emu_server else 'client')
        if family == 'unix':
            self.path = os.path.join(ctx.dir, cid + '.sock')
        else:
            self.port = free_port()

    def chardev(self):
        if self.family == 'unix':
            addr = 'path=%s' % self.path
        else:
            addr = 'host=127.0.0.1,port=%d' % self.port
        opts = 'socket,id=%s,%s' % (self.id, addr)
        if self.emu_server:
            opts += ',server=on,wait=off'
        if self.mux:
            opts += ',mux=on'
        return opts + self.extra

    def prepare(self):
        if self.emu_server:
            return
        fam = socket.AF_UNIX if self.family == 'unix' else socket.AF_INET
        self.listener = socket.socket(fam, socket.SOCK_STREAM)
        self.listener.bind(self.path if self.family == 'unix'
                           else ('127.0.0.1', self.port))
        self.listener.listen(1)

    def connect(self, timeout=30):
        if self.sock:
            return
        deadline = time.monotonic() + timeout
        if self.emu_server:
            fam = socket.AF_UNIX if self.family == 'unix' else socket.AF_INET
            addr = self.path if self.family == 'unix' else ('127.0.0.1', self.port)
            while True:
                s = socket.socket(fam, socket.SOCK_STREAM)
                try:
                    s.connect(addr)
                    break
                except OSError:
                    s.close()
                    if time.monotonic() > deadline:
                        raise EndpointError('cannot connect to %s' % (addr,))
                    time.sleep(0.05)
        else:
            self.listener.settimeout(timeout)
            s, _ = self.listener.accept()
        s.setblocking(True)
        self.sock = s

    def disconnect(self):
        if self.sock:
            self.sock.close()
            self.sock = None

    def close(self):
        self.disconnect()
        if self.listener:
            self.listener.close()
            self.listener = None

    def rfd(self):
        return self.sock.fileno()

    def _read(self, n):
        return self.sock.recv(n)

    def write_all(self, data):
        self.connect()
        if self.mux:
            data = data.replace(MUX_ESCAPE, MUX_ESCAPE + MUX_ESCAPE)
        self.sock.sendall(data)

    def write_raw(self, data):
        """Bytes as they are, for mux escapes."""
        self.connect()
        self.sock.sendall(data)


class FileEndpoint(Endpoint):
    """file chardev: guest to host only; the host follows the file."""
    kind = 'file'
    can_write = False

    def __init__(self, ctx, cid):
        super().__init__(ctx, cid)
        self.path = os.path.join(ctx.dir, cid + '.out')
        self.f = None

    def chardev(self):
        return 'file,id=%s,path=%s' % (self.id, self.path)

    def connect(self, timeout=30):
        if self.f:
            return
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.path):
            if time.monotonic() > deadline:
                raise EndpointError('no file %s' % self.path)
            time.sleep(0.05)
        self.f = open(self.path, 'rb', buffering=0)

    def read_some(self, n, timeout):
        self.connect()
        deadline = time.monotonic() + timeout
        while True:
            d = self.f.read(n)
            if d:
                return d
            if time.monotonic() > deadline:
                return None
            time.sleep(0.01)

    def disconnect(self):
        if self.f:
            self.f.close()
            self.f = None


class PipeEndpoint(Endpoint):
    """pipe chardev: the emulator reads PATH.in and writes PATH.out."""
    kind = 'pipe'

    def __init__(self, ctx, cid):
        super().__init__(ctx, cid)
        self.path = os.path.join(ctx.dir, cid)
        self.rd = self.wr = None

    def chardev(self):
        return 'pipe,id=%s,path=%s' % (self.id, self.path)

    def prepare(self):
        os.mkfifo(self.path + '.in')
        os.mkfifo(self.path + '.out')

    def connect(self, timeout=30):
        if self.rd is not None:
            return
        deadline = time.monotonic() + timeout
        while True:
            try:   # ENXIO until the emulator has opened its ends
                self.wr = os.open(self.path + '.in', os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError as e:
                if e.errno != errno.ENXIO or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        os.set_blocking(self.wr, True)
        self.rd = os.open(self.path + '.out', os.O_RDONLY | os.O_NONBLOCK)

    def rfd(self):
        return self.rd

    def write_all(self, data):
        self.connect()
        write_fd(self.wr, data)

    def disconnect(self):
        for fd in (self.rd, self.wr):
            if fd is not None:
                os.close(fd)
        self.rd = self.wr = None


class PtyEndpoint(Endpoint):
    """pty chardev: the emulator names its pty on stdout or stderr."""
    kind = 'pty'

    def __init__(self, ctx, cid):
        super().__init__(ctx, cid)
        self.fd = None

    def chardev(self):
        return 'pty,id=%s' % self.id

    def connect(self, timeout=30):
        if self.fd is not None:
            return
        path = self.ctx.pty_path(self.id, timeout)
        if not path:
            raise EndpointError('the emulator did not name the pty of %s' % self.id)
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)   # binary data: no echo, no line discipline

    def rfd(self):
        return self.fd

    def write_all(self, data):
        self.connect()
        write_fd(self.fd, data)

    def disconnect(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class UdpEndpoint(Endpoint):
    """udp chardev: datagrams, no flow control. Host-to-guest datagrams are
    paced, since a full socket buffer in the emulator drops them."""
    kind = 'udp'

    def __init__(self, ctx, cid):
        super().__init__(ctx, cid)
        self.host_port = free_port(socket.SOCK_DGRAM)
        self.emu_port = free_port(socket.SOCK_DGRAM)
        self.sock = None

    def chardev(self):
        return ('udp,id=%s,host=127.0.0.1,port=%d,localaddr=127.0.0.1,'
                'localport=%d' % (self.id, self.host_port, self.emu_port))

    def prepare(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:   # root may exceed rmem_max; the guest's writes must all fit
            self.sock.setsockopt(socket.SOL_SOCKET, 33, 16 * MIB)  # SO_RCVBUFFORCE
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * MIB)
        self.sock.bind(('127.0.0.1', self.host_port))

    def rfd(self):
        return self.sock.fileno()

    def _read(self, n):
        return self.sock.recv(65536)   # a datagram is taken whole

    def read_some(self, n, timeout):
        r, _, _ = select.select([self.sock], [], [], timeout)
        return self._read(n) if r else None

    def write_all(self, data):
        for off in range(0, len(data), UDP_DATAGRAM):
            self.sock.sendto(data[off:off + UDP_DATAGRAM],
                             ('127.0.0.1', self.emu_port))
            time.sleep(UDP_PACE)

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None


