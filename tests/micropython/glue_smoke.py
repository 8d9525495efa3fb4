# The generated glue inside a real MicroPython: argument parsing, defaults,
# errors, object life-cycle, and the stream methods over a loopback pair.
# Prints one line per failure and "N passed, M failed"; exits 1 on failure.
import gc
import sys

import socket
import usocket

passed = 0
failed = 0


def check(name, ok):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL", name)


def raises(fn, exc, errno=None):
    try:
        fn()
    except exc as e:
        return errno is None or e.args[0] == errno
    return False


check("usocket is socket", usocket is socket)
check("constants", (socket.AF_INET, socket.AF_INET6, socket.SOCK_STREAM, socket.SOL_SOCKET, socket.SO_REUSEADDR) == (2, 10, 1, 4095, 4))

s = socket.socket()
check("default timeout blocks", s.gettimeout() is None)
s.settimeout(1.5)
check("settimeout", s.gettimeout() == 1.5)
s.settimeout(0.0001)
check("tiny timeout rounds up to 1 ms", s.gettimeout() == 0.001)
s.setblocking(False)
check("setblocking(False)", s.gettimeout() == 0.0)
s.setblocking(True)
check("setblocking(True)", s.gettimeout() is None)
check("makefile returns the socket", s.makefile("rb") is s and s.makefile(mode="wb", buffering=0) is s)
check("makefile text mode", raises(lambda: s.makefile("r"), ValueError))
check("negative timeout", raises(lambda: s.settimeout(-1), ValueError))
check("timeout of wrong type", raises(lambda: s.settimeout("1"), TypeError))
check("send(str) is data (not connected: ENOTCONN)", raises(lambda: s.send("x"), OSError, 107))
check("send(int)", raises(lambda: s.send(1), TypeError))
check("write(buf, off, max_len, extra)", raises(lambda: s.write(b"x", 0, 1, 2), TypeError))
check("recv(-1)", raises(lambda: s.recv(-1), ValueError))
check("recv(None)", raises(lambda: s.recv(None), TypeError))
check("positional only", raises(lambda: s.recv(bufsize=1), TypeError))
check("address not a tuple", raises(lambda: s.connect("127.0.0.1"), TypeError))
check("port out of range", raises(lambda: s.bind(("127.0.0.1", 65536)), ValueError))
check("host name in address", raises(lambda: s.connect(("localhost", 80)), OSError, 22))
check("readinto nbytes > len is clipped (not connected: ENOTCONN)", raises(lambda: s.readinto(bytearray(2), 3), OSError, 107))

check("getaddrinfo numeric", socket.getaddrinfo("127.0.0.1", 80) == [(2, 1, 6, "", ("127.0.0.1", 80))])
check("getaddrinfo v6, str port", socket.getaddrinfo("::1", "443", socket.AF_INET6) == [(10, 1, 6, "", ("::1", 443))])
check("getaddrinfo keywords", socket.getaddrinfo("127.0.0.1", 53, type=socket.SOCK_DGRAM)[0][1:3] == (2, 17))
check("getaddrinfo bad port", raises(lambda: socket.getaddrinfo("127.0.0.1", 70000), OSError, -8))
check("getaddrinfo numeric only", raises(lambda: socket.getaddrinfo("example.invalid", 80, 0, 0, 0, socket.AI_NUMERICHOST), OSError, -2))

check("bad family", raises(lambda: socket.socket(12345), OSError, 97))
check("bad type", raises(lambda: socket.socket(socket.AF_INET, 99), OSError, 93))
check("keyword constructor", socket.socket(af=socket.AF_INET, type=socket.SOCK_DGRAM).gettimeout() is None)

s.close()
s.close()
check("closed socket", raises(lambda: s.recv(1), OSError, 9))
check("closed socket print", repr(s) == "<socket fd=-1>")

gc.collect()
many = []
try:
    while len(many) < 1000:
        many.append(socket.socket())
except OSError as e:
    check("table full is ENOMEM", e.args[0] == 12)
check("table is bounded", 0 < len(many) < 1000)
n = len(many)
many = None
gc.collect()
again = []
try:
    while len(again) < 1000:
        again.append(socket.socket())
except OSError:
    pass
check("the finaliser frees every slot", len(again) == n)
for x in again:
    x.close()

# Stream methods over a connected pair: the glue's buffer handling.
lst = socket.socket()
lst.bind(socket.getaddrinfo("127.0.0.1", 0)[0][-1])
lst.listen(1)
cli = socket.socket()
cli.connect(lst.getsockname())
srv, _ = lst.accept()
cli.write(b"line one\nline two\nabcdef")
check("readline", srv.readline() == b"line one\n")
check("read(n)", srv.read(5) == b"line ")
buf = bytearray(4)
check("readinto", srv.readinto(buf) == 4 and buf == b"two\n")
check("read(n) after readinto", srv.read(1) == b"a")
srv.setblocking(False)
check("non-blocking read", srv.read(100) == b"bcdef")
check("non-blocking read with nothing: None", srv.read(100) is None)
check("non-blocking readline with nothing: None", srv.readline() is None)
big = bytes(range(256)) * 40
cli.write(big)
cli.close()
srv.setblocking(True)
check("read() to end of stream", srv.read() == big)
check("read at end of stream", srv.read(10) == b"")
for x in (srv, lst):
    x.close()

# network.LAN: the loopback board's interface.
import network

lan = network.LAN()
check("LAN() is one object", network.LAN() is lan)
check("ifconfig on loopback", lan.ifconfig() == ("127.0.0.1", "255.0.0.0", "0.0.0.0", "0.0.0.0"))
check("active, isconnected", lan.active() is True and lan.isconnected() is True)
check("status: 3 with an address", lan.status() == 3)
check("LAN takes at most one argument", raises(lambda: network.LAN(0, 1), TypeError))
# The loopback board has no DHCP client: EOPNOTSUPP (95), nothing changes.
check("ifconfig('dhcp') without a client", raises(lambda: lan.ifconfig("dhcp"), OSError, 95) and lan.status() == 3)
# A static configuration: set, read back, used (127.0.0.1 stays beside it), set back.
check("ifconfig(tuple) returns None", lan.ifconfig(["127.0.0.9", "255.255.255.0", "127.0.0.1", ""]) is None)
check("ifconfig reads the set tuple", lan.ifconfig() == ("127.0.0.9", "255.255.255.0", "127.0.0.1", "0.0.0.0"))


def tcp_ok(host):
    # A connection to `host`, one byte across; the peer's address as seen.
    srv = socket.socket()
    srv.bind((host, 0))
    srv.listen(1)
    cli = socket.socket()
    cli.connect(srv.getsockname())
    acc, peer = srv.accept()
    ok = cli.send(b"x") == 1 and acc.recv(1) == b"x"
    for x in (acc, cli, srv):
        x.close()
    return ok and peer[0]


check("the set address carries TCP", tcp_ok("127.0.0.9") == "127.0.0.9")
check("127.0.0.1 stays", tcp_ok("127.0.0.1") and lan.isconnected())
lan.ifconfig(("127.0.0.1", "255.0.0.0", "", ""))
check("ifconfig back to the board's", lan.ifconfig() == ("127.0.0.1", "255.0.0.0", "0.0.0.0", "0.0.0.0"))

# The module's ipconfig(): the DNS server.
check("network.ipconfig('dns')", network.ipconfig("dns") == "0.0.0.0")
check("network.ipconfig(dns=...) returns None", network.ipconfig(dns="127.0.0.53") is None)
check("network.ipconfig(dns=...) sets it, keeping the rest", network.ipconfig("dns") == "127.0.0.53" and lan.ifconfig()[:3] == ("127.0.0.1", "255.0.0.0", "0.0.0.0"))
check("network.ipconfig('prefer') is not a key here", raises(lambda: network.ipconfig("prefer"), ValueError))
check("network.ipconfig() queries one param", raises(lambda: network.ipconfig(), TypeError))
check("network.ipconfig(dns='x')", raises(lambda: network.ipconfig(dns="x"), ValueError) and network.ipconfig("dns") == "127.0.0.53")
lan.ifconfig(("127.0.0.1", "255.0.0.0", "", ""))

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
