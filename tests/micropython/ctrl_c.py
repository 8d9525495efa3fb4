# Ctrl-C on blocking socket calls, run by ctrl_c_driver.py: for each blocking
# call, print "BLOCKED <name>" just before blocking; the driver then sends
# SIGINT. Print "INTERRUPTED <name>" on KeyboardInterrupt, then check that the
# socket still works and print "USABLE <name>" or "BROKEN <name> <reason>".
# A call that ends without KeyboardInterrupt prints "RETURNED <name> <what>".
# Ends with "DONE".
import socket
import sys
import time

HOST = "127.0.0.1"
# Bounds the checks after the interrupt, so that a broken socket cannot hang.
CHECK_TIMEOUT = 5


def out(line):
    print(line)
    try:
        sys.stdout.flush()
    except AttributeError:
        pass


def listener(backlog=1):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, 0))
    s.listen(backlog)
    return s, s.getsockname()


def tcp_pair():
    """A connected pair (a, b) and the listener (closed by the caller)."""
    lst, addr = listener()
    a = socket.socket()
    a.connect(addr)
    b, _ = lst.accept()
    return lst, a, b


def expect(what, got, want):
    if got != want:
        return "%s: got %r, want %r" % (what, got, want)
    return None


def close_all(socks):
    for s in socks:
        try:
            s.close()
        except Exception:
            pass


# Each case returns (block, check, sockets): block() blocks until interrupted,
# check() returns None when the socket still works, else a reason.


def case_recv():
    lst, a, b = tcp_pair()

    def check():
        a.send(b"ping")
        b.settimeout(CHECK_TIMEOUT)
        return expect("recv", b.recv(16), b"ping")

    return lambda: b.recv(16), check, [lst, a, b]


def case_accept():
    lst, addr = listener()
    socks = [lst]

    def check():
        c = socket.socket()
        socks.append(c)
        c.settimeout(CHECK_TIMEOUT)
        c.connect(addr)
        lst.settimeout(CHECK_TIMEOUT)
        s, _ = lst.accept()
        socks.append(s)
        c.send(b"hello")
        s.settimeout(CHECK_TIMEOUT)
        return expect("accepted socket recv", s.recv(16), b"hello")

    return lst.accept, check, socks


def case_recvfrom():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((HOST, 0))
    addr = u.getsockname()
    v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    v.bind((HOST, 0))

    def check():
        v.sendto(b"datagram", addr)
        u.settimeout(CHECK_TIMEOUT)
        data, frm = u.recvfrom(64)
        return expect("recvfrom", (data, frm), (b"datagram", v.getsockname()))

    return lambda: u.recvfrom(64), check, [u, v]


def case_read():
    lst, a, b = tcp_pair()

    def check():
        a.send(b"abcd")
        b.settimeout(CHECK_TIMEOUT)
        return expect("read(4)", b.read(4), b"abcd")

    return lambda: b.read(4), check, [lst, a, b]


def case_readline():
    lst, a, b = tcp_pair()

    def check():
        a.send(b"a line\n")
        b.settimeout(CHECK_TIMEOUT)
        return expect("readline", b.readline(), b"a line\n")

    return b.readline, check, [lst, a, b]


def case_connect():
    # listen(1) with one connection queued and not accepted: the queue is
    # full, further SYNs are dropped, so a blocking connect waits.
    lst, addr = listener(1)
    first = socket.socket()
    first.connect(addr)
    c = socket.socket()
    socks = [lst, first, c]

    def check():
        # Make room: the dropped SYN is retransmitted and now taken.
        lst.settimeout(CHECK_TIMEOUT)
        s1, _ = lst.accept()
        socks.append(s1)
        # The interrupted connect goes on; connecting again waits for it.
        c.settimeout(CHECK_TIMEOUT)
        try:
            c.connect(addr)
        except OSError as e:
            if e.args[0] != 106:  # EISCONN: it completed in between
                return "connect again: %r" % (e,)
        s2, _ = lst.accept()
        socks.append(s2)
        c.send(b"late")
        s2.settimeout(CHECK_TIMEOUT)
        return expect("recv from the late connection", s2.recv(16), b"late")

    return lambda: c.connect(addr), check, socks


def case_sleep():
    # Control: MicroPython's own blocking call.
    def check():
        time.sleep(0.01)
        return None

    return lambda: time.sleep(10), check, []


CASES = [
    ("recv", case_recv),
    ("accept", case_accept),
    ("recvfrom", case_recvfrom),
    ("read", case_read),
    ("readline", case_readline),
    ("connect", case_connect),
    ("sleep", case_sleep),
]


def absorb_interrupt():
    # The driver sends SIGINT after BLOCKED whatever happens: take it here.
    try:
        time.sleep(2)
    except KeyboardInterrupt:
        pass


for name, setup in CASES:
    block, check, socks = setup()
    out("BLOCKED " + name)
    try:
        got = block()
    except KeyboardInterrupt:
        out("INTERRUPTED " + name)
        try:
            reason = check()
        except Exception as e:
            reason = repr(e)
        if reason is None:
            out("USABLE " + name)
        else:
            out("BROKEN %s %s" % (name, reason))
    except Exception as e:
        out("RETURNED %s raised %r" % (name, e))
        absorb_interrupt()
    else:
        out("RETURNED %s with %r" % (name, got))
        absorb_interrupt()
    close_all(socks)

out("DONE")
