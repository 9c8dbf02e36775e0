#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Clients for tests/unit/twmond.sh, all on loopback, all bounded in time.

hostile PORT N SECONDS       N connections that each send part of a request
                             and reconnect at once when dropped (issue 12)
keepalive PORT N TIMEOUT     a scraper as Prometheus is: one kept-alive
                             connection, N scrapes 0.2 s apart, each with a
                             timeout; prints "ok K/N conns C worst MS"
halfreq PORT                 part of a request, then silence: prints the
                             seconds until the server ends the connection
flood PORT N                 N connections at once (held 1 s, then closed
                             by the client), then N "Connection: close"
                             requests read to their Content-Length
raw PORT                     stdin sent as is in one write; prints what comes
                             back until the server closes (3 s at most)
"""
import selectors
import socket
import sys
import time

REQ_PART = b"GET /metrics HTTP/1.1\r\nHost: twmond\r\n"


def connect(port, block=False):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(block)
    try:
        s.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    return s


def hostile(port, n, secs):
    sel = selectors.DefaultSelector()
    socks = {}

    def add():
        s = connect(port)
        socks[s] = False
        sel.register(s, selectors.EVENT_WRITE)

    for _ in range(n):
        add()
    reconnects = 0
    end = time.monotonic() + secs
    while time.monotonic() < end:
        for key, ev in sel.select(0.05):
            s = key.fileobj
            if ev & selectors.EVENT_WRITE and not socks[s]:
                try:
                    s.send(REQ_PART)
                    socks[s] = True
                    sel.modify(s, selectors.EVENT_READ)
                    continue
                except OSError:
                    pass
            else:
                try:
                    if s.recv(4096):
                        continue
                except BlockingIOError:
                    continue
                except OSError:
                    pass
            sel.unregister(s)
            del socks[s]
            s.close()
            reconnects += 1
            add()
    print(f"reconnects {reconnects}")


def read_response(s, deadline):
    buf = b""
    while time.monotonic() < deadline:
        s.settimeout(max(0.001, deadline - time.monotonic()))
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
        head, sep, body = buf.partition(b"\r\n\r\n")
        if not sep:
            continue
        length = 0
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                length = int(v)
        if len(body) >= length:
            return head.split(b"\r\n")[0], body[:length]
    raise TimeoutError("timeout")


def keepalive(port, n, timeout):
    # the request Prometheus 2.x sends
    req = (b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
           b"User-Agent: Prometheus/2.42.0\r\n"
           b"Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
           b"version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\n"
           b"Accept-Encoding: gzip\r\nX-Prometheus-Scrape-Timeout-Seconds: %g\r\n\r\n"
           % (port, timeout))
    ok = conns = 0
    worst = 0.0
    s = None
    for _ in range(n):
        t0 = time.monotonic()
        try:
            if s is None:
                s = connect(port, True)
                conns += 1
            s.sendall(req)
            status, body = read_response(s, t0 + timeout)
            if status.startswith(b"HTTP/1.1 200") and b"twmon_up" in body:
                ok += 1
            worst = max(worst, time.monotonic() - t0)
        except OSError:
            # Prometheus drops the connection and opens a new one next time
            worst = max(worst, time.monotonic() - t0)
            if s:
                s.close()
            s = None
        time.sleep(0.2)
    if s:
        s.close()
    print(f"ok {ok}/{n} conns {conns} worst {worst * 1000:.0f}")


def halfreq(port):
    s = connect(port, True)
    s.sendall(REQ_PART)
    t0 = time.monotonic()
    s.settimeout(10)  # the test gives up after 10 s
    try:
        while s.recv(4096):
            pass
    except OSError:
        pass
    print(f"{time.monotonic() - t0:.1f}")


def flood(port, n):
    held = []
    for _ in range(n):
        try:
            held.append(connect(port, True))
        except OSError:
            pass
    time.sleep(1)
    for s in held:
        s.close()
    got = 0
    for _ in range(n):
        s = connect(port, True)
        try:
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            status, _ = read_response(s, time.monotonic() + 2)
            got += status.startswith(b"HTTP/1.1 200")
        except OSError:
            pass
        s.close()  # as curl does: the client closes first
    print(f"answered {got}/{n}")


def raw(port):
    data = sys.stdin.buffer.read()
    s = connect(port, True)
    s.sendall(data)
    s.settimeout(3)
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except OSError:
        pass
    sys.stdout.buffer.write(out)


if __name__ == "__main__":
    cmd, port = sys.argv[1], int(sys.argv[2])
    if cmd == "hostile":
        hostile(port, int(sys.argv[3]), float(sys.argv[4]))
    elif cmd == "keepalive":
        keepalive(port, int(sys.argv[3]), float(sys.argv[4]))
    elif cmd == "halfreq":
        halfreq(port)
    elif cmd == "flood":
        flood(port, int(sys.argv[3]))
    elif cmd == "raw":
        raw(port)
