#!/usr/bin/env python3
"""connect() failures with EADDRNOTAVAIL that no port search sees.

  connect_failures.py bound SERVER_PORT N [inet6]   N sockets bound to a
      port whose 4-tuple toward 127.0.0.1:SERVER_PORT (or [::1]) is in
      TIME_WAIT: connect() checks that one port only
  connect_failures.py held SERVER_PORT   a bound socket connected, then
      disconnected with connect(AF_UNSPEC); another socket bound to the
      same port takes the 4-tuple; the first connects again: its last
      connection had the very 4-tuple it now finds held
  connect_failures.py stale SERVER_PORT FULL_PORT   a socket connected to
      SERVER_PORT, disconnected with connect(AF_UNSPEC) (its old source
      port stays in the socket), then connected to FULL_PORT, toward which
      every local port is in TIME_WAIT

Prints one JSON line: how many connect() calls failed with EADDRNOTAVAIL,
any other failure (there should be none), and how many 4-tuples the kernel
ended before TIME_WAIT (ended_early: tried again).
"""
import ctypes
import errno
import json
import socket
import subprocess
import sys
import time

HOST = "127.0.0.1"
FAMILY = socket.AF_INET
BASE = 41000  # bound(): the first local port (41200 for IPv6)
result = {"eaddrnotavail": 0, "other": []}


def connect(s, addr):
    try:
        s.connect(addr)
        return True
    except OSError as e:
        if e.errno == errno.EADDRNOTAVAIL:
            result["eaddrnotavail"] += 1
        else:
            result["other"].append(f"connect {addr}: {e}")
        return False


def reuse_socket():
    s = socket.socket(FAMILY, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return s


def tuple_state(port, server_port):
    """ss's state of port -> server_port, "" when there is none"""
    out = subprocess.run(["ss", "-tanH", "state", "all",
                          f"sport = :{port} and dport = :{server_port}"],
                         capture_output=True, text=True, check=True).stdout
    return out.split()[0] if out.strip() else ""


def bound(server_port, n):
    # Client-side closes leave 4-tuples (HOST:BASE+i -> server) in
    # TIME_WAIT; a new socket bound to the same port cannot reuse them
    # (tcp_tw_reuse=0, tcp_timestamps=0). The kernel itself sometimes ends
    # one in its FIN_WAIT2 substate with an RST (a delayed ACK racing the
    # server's FIN; seen with and without twmon): that port connects and
    # closes again until ss shows its 4-tuple in TIME_WAIT.
    for i in range(n):
        port = BASE + i
        state = ""
        for _ in range(20):
            s = reuse_socket()
            s.bind((HOST, port))
            connect(s, (HOST, server_port))
            s.close()
            for _ in range(50):
                state = tuple_state(port, server_port)
                if state in ("TIME-WAIT", ""):
                    break
                time.sleep(0.1)
            if state != "":
                break
            result["ended_early"] = result.get("ended_early", 0) + 1
        if state != "TIME-WAIT":
            result["other"].append(f"port {port}: {state or 'closed'}, not TIME-WAIT")
    for i in range(n):
        s = reuse_socket()
        s.bind((HOST, BASE + i))
        if connect(s, (HOST, server_port)):
            result["other"].append(f"port {BASE + i}: connect succeeded")
        s.close()


def disconnect(s):
    unspec = ctypes.create_string_buffer(16)  # sa_family 0: AF_UNSPEC
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.connect(s.fileno(), unspec, 16) != 0:
        result["other"].append(f"connect(AF_UNSPEC): errno {ctypes.get_errno()}")
        return False
    return True


def held(server_port):
    port = 41100
    first = reuse_socket()
    first.bind((HOST, port))
    if not connect(first, (HOST, server_port)) or not disconnect(first):
        return
    second = reuse_socket()
    second.bind((HOST, port))
    if not connect(second, (HOST, server_port)):
        return
    if connect(first, (HOST, server_port)):
        result["other"].append(f"port {port}: reconnect succeeded")
    first.close()
    second.close()


def stale(server_port, full_port):
    # the source port the kernel picks must be one whose 4-tuple toward
    # full_port is in TIME_WAIT (the kernel may have ended one early: see
    # bound()); else try another socket
    for _ in range(20):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if not connect(s, (HOST, server_port)):
            return
        sport = s.getsockname()[1]
        if tuple_state(sport, full_port) == "TIME-WAIT":
            break
        result["ended_early"] = result.get("ended_early", 0) + 1
        s.close()
    else:
        result["other"].append(f"no source port in TIME_WAIT toward {full_port}")
        return
    if not disconnect(s):
        return
    result["stale_sport"] = sport
    connect(s, (HOST, full_port))
    s.close()


if sys.argv[1] == "bound":
    if sys.argv[4:] == ["inet6"]:
        HOST, FAMILY, BASE = "::1", socket.AF_INET6, 41200
    bound(int(sys.argv[2]), int(sys.argv[3]))
elif sys.argv[1] == "held":
    held(int(sys.argv[2]))
else:
    stale(int(sys.argv[2]), int(sys.argv[3]))
print(json.dumps(result))
