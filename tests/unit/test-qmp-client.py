#!/usr/bin/env python3
"""QMP and the human monitor driven by a client minivirt did not write:
Python's json module over a unix socket, as a test harness or libvirt
would.  Starts test-qmp-server (argv[1]) and prints TAP.

Debian packages no QMP client library (python3-qemu.qmp does not exist), so
this speaks the protocol with the standard library only.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

TIMEOUT = 10


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name):
        self.n += 1
        if not cond:
            self.failed += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, name),
              flush=True)
        return cond


class QMP:
    """A minimal QMP client: one JSON document per line."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(TIMEOUT)
        self.sock.connect(path)
        self.buf = b""
        self.events = []

    def recv(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("QMP connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def send_raw(self, data):
        self.sock.sendall(data)

    def reply(self):
        while True:
            msg = self.recv()
            if "event" in msg:
                self.events.append(msg)
            else:
                return msg

    def cmd(self, name, args=None, id=None):
        req = {"execute": name}
        if args is not None:
            req["arguments"] = args
        if id is not None:
            req["id"] = id
        self.send_raw(json.dumps(req).encode())
        return self.reply()

    def event(self, name):
        while True:
            for i, ev in enumerate(self.events):
                if ev["event"] == name:
                    return self.events.pop(i)
            self.events.append(self.recv())


def hmp_command(sock, line):
    """Send @line, return the output between the echo and the next prompt."""
    sock.sendall(line.encode() + b"\r")
    buf = b""
    while not buf.endswith(b"(minivirt) "):
        data = sock.recv(65536)
        if not data:
            raise EOFError("HMP connection closed")
        buf += data
    text = buf.decode().replace("\r", "")
    return text[len(line) + 1:-len("(minivirt) ")]


def main():
    tap = Tap()
    print("1..23", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        srv = subprocess.Popen([sys.argv[1], tmp], stdout=subprocess.PIPE)
        try:
            assert srv.stdout.readline().strip() == b"READY"
            run(tap, tmp)
            srv.wait(timeout=TIMEOUT)
            tap.ok(srv.returncode == 0, "server exits 0 after quit")
        finally:
            if srv.poll() is None:
                srv.kill()
                srv.wait()
    return 1 if tap.failed else 0


def run(tap, tmp):
    q = QMP(os.path.join(tmp, "qmp.sock"))
    greeting = q.recv()
    ver = greeting["QMP"]["version"]
    tap.ok(set(ver["qemu"]) == {"major", "minor", "micro"} and
           ver["package"] == "minivirt" and
           greeting["QMP"]["capabilities"] == [], "greeting has QEMU's shape")

    r = q.cmd("query-status")
    tap.ok(r["error"]["class"] == "CommandNotFound",
           "commands refused before qmp_capabilities")
    r = q.cmd("qmp_capabilities", id="caps")
    tap.ok(r == {"return": {}, "id": "caps"}, "qmp_capabilities, id echoed")

    r = q.cmd("query-status")
    tap.ok(r["return"]["status"] == "running" and r["return"]["running"],
           "query-status: running")
    r = q.cmd("stop")
    ev = q.event("STOP")
    tap.ok(r == {"return": {}} and "seconds" in ev["timestamp"] and
           "microseconds" in ev["timestamp"], "stop, STOP event")
    r = q.cmd("cont")
    q.event("RESUME")
    tap.ok(r == {"return": {}}, "cont, RESUME event")

    labels = {c["label"]: c for c in q.cmd("query-chardev")["return"]}
    tap.ok(labels["qmp"]["filename"].startswith("unix:") and
           labels["qmp"]["frontend-open"] and
           labels["c1"]["filename"] == "null", "query-chardev")

    path = os.path.join(tmp, "port.sock")
    r = q.cmd("chardev-add", {"id": "pc", "backend": {
        "type": "socket", "data": {
            "addr": {"type": "unix", "data": {"path": path}},
            "server": True, "wait": False}}})
    tap.ok(r == {"return": {}} and os.path.exists(path),
           "chardev-add with QEMU's socket backend spec")

    r = q.cmd("device_add", {"driver": "virtserialport", "id": "hp",
                             "chardev": "pc", "name": "org.minivirt.hp",
                             "nr": 7})
    tap.ok(r == {"return": {}}, "device_add virtserialport (hotplug)")
    names = {p["name"]: p["type"] for p in
             q.cmd("qom-list", {"path": "/peripheral"})["return"]}
    tap.ok(names.get("hp") == "child<virtserialport>", "qom-list")
    r = q.cmd("qom-get", {"path": "/peripheral/hp", "property": "nr"})
    tap.ok(r["return"] == 7, "qom-get returns a number")
    r = q.cmd("chardev-remove", {"id": "pc"})
    tap.ok(r["error"]["desc"] == "Chardev 'pc' is busy",
           "a chardev in use cannot be removed")
    r = q.cmd("device_del", {"id": "hp"})
    ev = q.event("DEVICE_DELETED")
    tap.ok(r == {"return": {}} and ev["data"] ==
           {"device": "hp", "path": "/peripheral/hp"},
           "device_del, DEVICE_DELETED")
    r = q.cmd("chardev-remove", {"id": "pc"})
    tap.ok(r == {"return": {}}, "chardev-remove once free")

    # Errors, each followed by a command that still works.
    q.send_raw(b'{"execute": "query-status"')
    q.send_raw(b', "id": 1 x}\n')
    r = q.reply()
    tap.ok(r["error"]["class"] == "GenericError", "malformed JSON")
    r = q.cmd("no-such-command", id=2)
    tap.ok(r["error"]["class"] == "CommandNotFound" and r["id"] == 2,
           "unknown command")
    r = q.cmd("device_del", {"id": 5})
    tap.ok(r["error"]["desc"] ==
           "Invalid parameter type for 'id', expected: string", "wrong type")
    q.send_raw(b'{"execute": "ringbuf-write", "arguments": {"device": "rb",'
               b' "data": "' + b"x" * (2 << 20) + b'"}}')
    r = q.reply()
    tap.ok("exceeds" in r["error"]["desc"], "oversized message refused")

    # Split across writes, and several in one.
    req = json.dumps({"execute": "query-status", "id": "split"}).encode()
    for i in range(len(req)):
        q.send_raw(req[i:i + 1])
        time.sleep(0.001)
    r = q.reply()
    q.send_raw(b'{"execute":"query-status","id":"a"}'
               b'{"execute":"query-status","id":"b"}')
    a, b = q.reply(), q.reply()
    tap.ok(r["id"] == "split" and a["id"] == "a" and b["id"] == "b",
           "split and concatenated input")

    # The human monitor on its own socket.
    h = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    h.settimeout(TIMEOUT)
    h.connect(os.path.join(tmp, "hmp.sock"))
    buf = b""
    while not buf.endswith(b"(minivirt) "):
        buf += h.recv(4096)
    out = hmp_command(h, "info chardev")
    tap.ok(b"monitor - type 'help'" in buf and "c1: filename=null\n" in out,
           "human monitor: banner and info chardev")
    out = hmp_command(h, "nosuch")
    tap.ok(out == "unknown command: 'nosuch'\n", "human monitor: unknown command")
    h.close()

    r = q.cmd("quit", id="bye")
    ev = q.event("SHUTDOWN")
    tap.ok(r == {"return": {}, "id": "bye"} and ev["data"]["guest"] is False,
           "quit: reply, then SHUTDOWN")


if __name__ == "__main__":
    sys.exit(main())
