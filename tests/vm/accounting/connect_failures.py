#!/usr/bin/env python3
"""connect() failures with EADDRNOTAVAIL that no port search sees.

  connect_failures.py bound SERVER_PORT N   N sockets bound to a port whose
      4-tuple toward 127.0.0.1:SERVER_PORT is in TIME_WAIT: connect()
      checks that one port only
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
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return s


def tuple_state(port, server_port):
    """ss's state of 127.0.0.1:port -> server_port, "" when there is none"""
    out = subprocess.run(["ss", "-tanH", "state", "all",
                          f"sport = :{port} and dport = :{server_port}"],
                         capture_output=True, text=True, check=True).stdout
    return out.split()[0] if out.strip() else ""


def bound(server_port, n):
    # Client-side closes leave 4-tuples (127.0.0.1:41000+i -> server) in
    # TIME_WAIT; a new socket bound to the same port cannot reuse them
    # (tcp_tw_reuse=0, tcp_timestamps=0). The kernel itself sometimes ends
    # one in its FIN_WAIT2 substate with an RST (a delayed ACK racing the
    # server's FIN; seen with and without twmon): that port connects and
    # closes again until ss shows its 4-tuple in TIME_WAIT.
    for i in range(n):
        port = 41000 + i
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
        s.bind((HOST, 41000 + i))
        if connect(s, (HOST, server_port)):
            result["other"].append(f"port {41000 + i}: connect succeeded")
        s.close()


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
    unspec = ctypes.create_string_buffer(16)  # sa_family 0: AF_UNSPEC
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.connect(s.fileno(), unspec, 16) != 0:
        result["other"].append(f"connect(AF_UNSPEC): errno {ctypes.get_errno()}")
        return
    result["stale_sport"] = sport
    connect(s, (HOST, full_port))
    s.close()


if sys.argv[1] == "bound":
    bound(int(sys.argv[2]), int(sys.argv[3]))
else:
    stale(int(sys.argv[2]), int(sys.argv[3]))
print(json.dumps(result))
