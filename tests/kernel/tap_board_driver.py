#!/usr/bin/env python3
"""Our MicroPython on a TAP board against the Linux kernel (CPython here).

Usage: tap_board_driver.py INTERPRETER

Run inside a network namespace whose tap0 is 192.0.2.1/24 and 2001:db8::1/64
(`cargo xtask test`, step micropython, as root: harness/src/suites/tapboard.rs). Each
check starts the interpreter on tests/micropython/tap_board.py with a mode,
as a fresh process on the TAP board (192.0.2.2, 2001:db8::2):

- exit: a script that sends and exits without closing: the kernel reads every
  byte, then EOF, well under the board's linger time (10 s); with SO_LINGER
  (1, 0) a reset; a listener's queued, never accepted connection a reset; a
  peer that does not read holds the exit for the linger time, then a reset;
- first connect: each fresh process connects in well under the second an
  unanswered ARP request or neighbour solicitation costs;
- loopback: 127.0.0.1 and ::1 never reach the wire (a raw AF_PACKET socket on
  tap0 captures what the board sends; its connect to the kernel must be seen);
- server: an asyncio echo server holds 220 concurrent kernel clients;
- time.sleep: while the script sleeps after listen(), the kernel's connect
  and its data are answered within 500 ms, not after the sleep (the host
  library's stack thread);
- idle REPL: a connect to a listener made at the interactive prompt (on a
  pty), while the REPL waits for input, is answered within 500 ms;
- wake-up: the same server answers a kernel client's line in well under the
  millisecond that a select polling at intervals would add (its wait wakes on
  the TAP device's frames: targets/host/micropython/select).

Prints one line per check and "N passed, M failed"; exits 1 on any failure.
Every wait is bounded.
"""

import os
import socket
import struct
import subprocess
import sys
import threading
import time

KERNEL4, KERNEL6, BOARD4 = "192.0.2.1", "2001:db8::1", "192.0.2.2"
BOARD_MAC = bytes([2, 0, 0, 0, 0, 2])
LINGER = 10.0  # spec/boards/host-tap.toml: linger_ms
PROMPT = 2.0  # "well under the linger time"
# Bounds that tell a stack that runs from one that waits, with room for a
# loaded 2-core machine: a first connect that waited for smoltcp's one-second
# neighbour silence would take 1 s; a stack that ran only when Python called
# would answer a connect during a 2 s sleep after it.
FIRST_CONNECT_US = 700_000
SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "micropython", "tap_board.py")
ENV = dict(os.environ, USOCKET_BOARD="tap", USOCKET_TAP="tap0")
results = []


def check(name, ok, detail):
    results.append(ok)
    print("%s %s: %s" % ("PASS" if ok else "FAIL", name, detail), flush=True)


def start(exe, *args):
    return subprocess.Popen([exe, SCRIPT] + [str(a) for a in args], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def started(exe, mode, port, ready, name, *args):
    """The script in `mode` on `port` once it printed `ready`; None (check `name` failed) otherwise."""
    proc = start(exe, mode, port, *args)
    line = proc.stdout.readline().decode().strip()
    if line == ready:
        return proc
    out, rc = finish(proc)
    check(name, False, "the script said %r %s" % (line, out))
    return None


def finish(proc, timeout=30):
    """The process's output lines and exit code (killed after `timeout`)."""
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        return out.decode(errors="replace").splitlines() + ["KILLED after %d s" % timeout], -9
    return out.decode(errors="replace").splitlines(), proc.returncode


def listener(host, rcvbuf=None):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind((host, 0))
    s.listen(8)
    s.settimeout(10)
    return s


def read_to_end(conn, timeout):
    """(bytes read, 'EOF' / 'RESET' / 'TIMEOUT', seconds until then)."""
    conn.settimeout(timeout)
    n, t0 = 0, time.monotonic()
    try:
        while True:
            d = conn.recv(1 << 16)
            if not d:
                return n, "EOF", time.monotonic() - t0
            n += len(d)
    except ConnectionResetError:
        return n, "RESET", time.monotonic() - t0
    except socket.timeout:
        return n, "TIMEOUT", time.monotonic() - t0


def exit_with_data(exe, host, n):
    l = listener(host)
    proc = start(exe, "data", host, l.getsockname()[1], n)
    conn = l.accept()[0]
    got, end, _ = read_to_end(conn, LINGER + 5)
    exited = time.monotonic()
    out, rc = finish(proc)
    waited = time.monotonic() - exited
    ok = got == n and end == "EOF" and rc == 0 and waited < PROMPT
    check("exit without close (%s)" % host, ok, "%d of %d bytes, then %s; the process exited %.3f s later, code %d %s" % (got, n, end, waited, rc, out))
    conn.close()
    l.close()


def exit_with_reset(exe):
    l = listener(KERNEL4)
    t0 = time.monotonic()
    proc = start(exe, "reset", KERNEL4, l.getsockname()[1])
    conn = l.accept()[0]
    got, end, _ = read_to_end(conn, LINGER + 5)
    took = time.monotonic() - t0
    out, rc = finish(proc)
    check("exit with SO_LINGER (1, 0)", end == "RESET" and took < PROMPT and rc == 0, "%d bytes, then %s after %.3f s, code %d %s" % (got, end, took, rc, out))
    conn.close()
    l.close()


def exit_with_listener(exe):
    port = 7300
    proc = started(exe, "listener", port, "LISTENING", "exit with a listener")
    if proc is None:
        return
    c = socket.create_connection((BOARD4, port), timeout=5)
    out, rc = finish(proc, timeout=LINGER + 5)
    got, end, took = read_to_end(c, PROMPT)
    check("exit with a listener", out == ["PENDING"] and rc == 0 and end == "RESET", "queued connection: %d bytes, %s after %.3f s; code %d %s" % (got, end, took, rc, out))
    c.close()


def exit_stalled(exe):
    # A peer that never reads: a small receive window fills, the exit waits for the linger time, then resets.
    l = listener(KERNEL4, rcvbuf=4096)
    proc = start(exe, "stalled", KERNEL4, l.getsockname()[1])
    conn = l.accept()[0]
    t0 = time.monotonic()
    out, rc = finish(proc, timeout=LINGER + 10)
    took = time.monotonic() - t0
    got, end, _ = read_to_end(conn, PROMPT)
    ok = rc == 0 and LINGER - 1.5 < took < LINGER + 3 and end == "RESET"
    check("exit with a stalled peer", ok, "the process took %.2f s to exit (linger %.0f s), code %d %s; the peer read %d bytes, then %s" % (took, LINGER, rc, out, got, end))
    conn.close()
    l.close()


def first_connects(exe, runs=6):
    for i in range(runs):
        host = (KERNEL4, KERNEL6)[i % 2]
        l = listener(host)
        proc = start(exe, "connect", host, l.getsockname()[1])
        conn = l.accept()[0]
        out, rc = finish(proc)
        us = int(out[0].split()[1]) if out and out[0].startswith("CONNECT_US") else None
        check("first connect of a fresh process to %s" % host, rc == 0 and us is not None and us < FIRST_CONNECT_US, "%s us (bound %d us), code %d %s" % (us, FIRST_CONNECT_US, rc, out))
        conn.close()
        l.close()


def loopback_stays_off_the_wire(exe):
    cap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    cap.bind(("tap0", 0))
    cap.settimeout(0.2)
    frames = {"loopback": 0, "to the kernel": 0}
    done = threading.Event()

    def capture():
        while not done.is_set():
            try:
                frame = cap.recv(65535)
            except socket.timeout:
                continue
            if frame[6:12] != BOARD_MAC:
                continue
            ethertype = struct.unpack("!H", frame[12:14])[0]
            if ethertype == 0x0800:
                src, dst = frame[26:30], frame[30:34]
                lo = src[0] == 127 or dst[0] == 127
                kernel = dst == socket.inet_aton(KERNEL4)
            elif ethertype == 0x86DD:
                one = socket.inet_pton(socket.AF_INET6, "::1")
                lo = one in (frame[22:38], frame[38:54])
                kernel = False
            else:
                continue
            frames["loopback"] += lo
            frames["to the kernel"] += kernel and not lo

    t = threading.Thread(target=capture)
    t.start()
    l = listener(KERNEL4)
    proc = start(exe, "loopback", KERNEL4, l.getsockname()[1])
    try:
        l.accept()[0].close()
    except socket.timeout:
        pass
    out, rc = finish(proc)
    time.sleep(0.3)
    done.set()
    t.join()
    ok = rc == 0 and out == ["ECHO 127.0.0.1 True", "ECHO ::1 True", "WIRE"] and frames["loopback"] == 0 and frames["to the kernel"] > 0
    check("127.0.0.1 and ::1 stay off the wire", ok, "frames on tap0 from the board: %s; code %d %s" % (frames, rc, out))
    l.close()


def many_clients(exe, count=220):
    port = 7400
    proc = started(exe, "server", port, "SERVING", "%d concurrent clients" % count)
    if proc is None:
        return
    clients, failures = [], []
    for i in range(count):
        try:
            clients.append(socket.create_connection((BOARD4, port), timeout=10))
        except OSError as e:
            failures.append("connect %d: %s" % (i, e))
            break
    echoed = 0
    for i, c in enumerate(clients):
        try:
            msg = b"client %d\n" % i
            c.sendall(msg)
            got = b""
            while not got.endswith(b"\n"):
                d = c.recv(64)
                if not d:
                    break
                got += d
            echoed += got == msg
        except OSError as e:
            failures.append("client %d: %s" % (i, e))
            if len(failures) > 3:
                break
    for c in clients:
        c.close()
    try:
        q = socket.create_connection((BOARD4, port), timeout=10)
        q.sendall(b"quit\n")
        q.close()
    except OSError as e:
        failures.append("quit: %s" % e)
    out, rc = finish(proc)
    ok = echoed == count and not failures and rc == 0
    check("%d concurrent clients of an asyncio server" % count, ok, "%d echoed; %s; code %d %s" % (echoed, failures[:4], rc, out[-3:]))


def during_sleep(exe, sleep_s=2.0, bound_ms=500):
    """A kernel client connects and sends while the script is in time.sleep()."""
    port = 7402
    proc = started(exe, "sleeper", port, "LISTENING", "connect during time.sleep", sleep_s)
    if proc is None:
        return
    t = time.monotonic()
    try:
        c = socket.create_connection((BOARD4, port), timeout=sleep_s + 5)
        took = (time.monotonic() - t) * 1000
        c.sendall(b"while asleep")
    except OSError as e:
        c, took = None, float("inf")
        print("connect during time.sleep: %s" % e)
    out, rc = finish(proc, timeout=sleep_s + 15)
    if c is not None:
        c.close()
    ok = took < bound_ms and out == ["GOT b'while asleep'"] and rc == 0
    check("connect during time.sleep", ok, "connected after %.1f ms (bound %d ms) of a %.1f s sleep; code %d %s" % (took, bound_ms, sleep_s, rc, out))


def at_idle_repl(exe, bound_ms=500):
    """A kernel client connects while the interactive REPL waits for input.

    Every line is typed only once the REPL is back at its prompt: the unix
    port's terminal is in cooked mode while a line runs, and the line
    discipline would eat a Ctrl-D typed then (the REPL would never see it).
    """
    import pty
    import select

    master, slave = pty.openpty()
    proc = subprocess.Popen([exe], stdin=slave, stdout=slave, stderr=slave, env=ENV, close_fds=True)
    os.close(slave)
    out = bytearray()
    seen = 0  # where the next expect() starts looking

    def expect(token, limit=10.0):
        """Reads until `token` appears after the last one found; True if it did."""
        nonlocal seen
        end = time.monotonic() + limit
        while time.monotonic() < end:
            at = out.find(token, seen)
            if at >= 0:
                seen = at + len(token)
                return True
            if select.select([master], [], [], 0.1)[0]:
                try:
                    out.extend(os.read(master, 4096))
                except OSError:
                    break
        return False

    took, failure = float("inf"), None
    try:
        if not expect(b">>> "):
            raise OSError("no first prompt")
        os.write(master, b"import socket; l = socket.socket(); l.bind(('192.0.2.2', 7403)); l.listen(2); print('LIST' + 'ENING')\r")
        if not (expect(b"LISTENING") and expect(b">>> ")):
            raise OSError("no listener")
        time.sleep(0.5)  # the REPL waits at its prompt
        t = time.monotonic()
        with socket.create_connection((BOARD4, 7403), timeout=5) as c:
            took = (time.monotonic() - t) * 1000
            c.sendall(b"at the prompt")
            os.write(master, b"c, a = l.accept(); print(c.recv(64))\r")
            if not (expect(b"b'at the prompt'") and expect(b">>> ")):
                raise OSError("the accepted connection's bytes were not printed")
        os.write(master, b"\x04")
        rc = proc.wait(timeout=10)
    except (OSError, subprocess.TimeoutExpired) as e:
        proc.kill()
        rc = proc.wait()
        failure = str(e)
    os.close(master)
    ok = took < bound_ms and failure is None and rc == 0
    check("connect at an idle REPL", ok, "connected after %.1f ms (bound %d ms); code %d; %s; REPL output ends %r" % (took, bound_ms, rc, failure, bytes(out[-80:])))


def round_trips(exe, count=300, bound_ms=0.5):
    """Median time a kernel client waits for an asyncio echo server's answer."""
    port = 7401
    proc = started(exe, "server", port, "SERVING", "asyncio wake-up")
    if proc is None:
        return
    times, failure = [], None
    try:
        with socket.create_connection((BOARD4, port), timeout=10) as c:
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for i in range(count):
                msg = b"%d\n" % i
                t = time.perf_counter()
                c.sendall(msg)
                got = b""
                while not got.endswith(b"\n"):
                    d = c.recv(64)
                    if not d:
                        raise OSError("EOF after %d round trips" % i)
                    got += d
                times.append(time.perf_counter() - t)
            c.sendall(b"quit\n")
    except OSError as e:
        failure = str(e)
    out, rc = finish(proc)
    times.sort()
    median = times[len(times) // 2] * 1000 if times else float("inf")
    p90 = times[len(times) * 9 // 10] * 1000 if times else float("inf")
    ok = failure is None and len(times) == count and median < bound_ms and rc == 0
    check("asyncio wake-up", ok, "%d round trips, median %.3f ms, p90 %.3f ms (bound: median < %.1f ms); %s; code %d" % (len(times), median, p90, bound_ms, failure, rc))


def main():
    if len(sys.argv) != 2:
        print("usage: tap_board_driver.py INTERPRETER", file=sys.stderr)
        return 2
    exe = sys.argv[1]
    exit_with_data(exe, KERNEL4, 1 << 20)
    exit_with_data(exe, KERNEL6, 300_000)
    exit_with_reset(exe)
    exit_with_listener(exe)
    exit_stalled(exe)
    first_connects(exe)
    loopback_stays_off_the_wire(exe)
    many_clients(exe)
    round_trips(exe)
    during_sleep(exe)
    at_idle_repl(exe)
    failed = results.count(False)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
