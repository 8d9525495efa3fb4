# DHCP on request on a TAP board (`cargo xtask dhcp`, as root): the interpreter
# starts static (USOCKET_IPV4=192.0.2.2/24, gateway and DNS 192.0.2.1) with a
# DHCP client that ifconfig('dhcp') starts (USOCKET_DHCP=1), as MicroPython's
# lwIP ports; the kernel at 192.0.2.1 runs tests/kernel/peer_server.py on port
# 9300, which names the source address of each connection. First no DHCP
# server answers: ifconfig('dhcp') times out after 10 s, the client goes on
# (status 1, not connected) and the static address still carries TCP. Then,
# after "START DNSMASQ" and a line on stdin, dnsmasq runs: ifconfig('dhcp') gets
# a lease from its pool (192.0.2.50-60), TCP goes from the leased address, and
# ifconfig(static tuple) brings 192.0.2.2 back. Prints one line per check,
# "LEASE ip netmask gateway dns ms" and "N passed, M failed".
import sys
import time

import network
import socket

STATIC = ("192.0.2.2", "255.255.255.0", "192.0.2.1", "192.0.2.1")
PEER = ("192.0.2.1", 9300)
ETIMEDOUT = 110

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL", name, detail)


def peer_of(tag):
    # One exchange with the kernel's peer server: the address it saw.
    s = socket.socket()
    s.settimeout(5)
    try:
        s.connect(PEER)
        s.send(tag)
        reply = s.recv(64)
    except OSError as e:
        return "error %r" % e
    finally:
        s.close()
    parts = reply.split()
    return parts[1].decode() if len(parts) == 3 and parts[0] == b"PEER" and parts[2] == tag else repr(reply)


def loopback_ok():
    # 127.0.0.1 carries TCP whatever the interface's IPv4 configuration.
    l = socket.socket()
    l.bind(("127.0.0.1", 0))
    l.listen(1)
    c = socket.socket()
    c.connect(l.getsockname())
    a, _ = l.accept()
    ok = c.send(b"lo") == 2 and a.recv(2) == b"lo"
    for x in (a, c, l):
        x.close()
    return ok


def timed_dhcp():
    # ifconfig('dhcp'): its errno (None on success) and how long it took.
    start = time.ticks_ms()
    try:
        lan.ifconfig("dhcp")
        err = None
    except OSError as e:
        err = e.args[0]
    return err, time.ticks_diff(time.ticks_ms(), start)


lan = network.LAN()
check("starts static, connected", lan.ifconfig() == STATIC and lan.status() == 3 and lan.isconnected(), repr(lan.ifconfig()))
check("the static address carries TCP", peer_of(b"static") == "192.0.2.2")

err, waited = timed_dhcp()
print("no server: ifconfig('dhcp') raised %r after %d ms" % (err, waited))
check("no server: ifconfig('dhcp') times out after 10 s", err == ETIMEDOUT and 9500 <= waited <= 12500, repr((err, waited)))
check("waiting: status 1, not connected", lan.status() == 1 and not lan.isconnected(), repr(lan.status()))
check("waiting: the static configuration stays", lan.ifconfig() == STATIC, repr(lan.ifconfig()))
check("waiting: the static address carries TCP", peer_of(b"waiting") == "192.0.2.2")

print("START DNSMASQ")
sys.stdin.readline()
err, waited = timed_dhcp()
ip, mask, gw, dns = lan.ifconfig()
print("LEASE", ip, mask, gw, dns, waited)
check("ifconfig('dhcp') returns with the lease", err is None and lan.status() == 3 and lan.isconnected(), repr((err, lan.status())))
check("an address from dnsmasq's pool", ip.startswith("192.0.2.") and 50 <= int(ip.split(".")[3]) <= 60, ip)
check("netmask, gateway and DNS from the lease", (mask, gw, dns) == ("255.255.255.0", "192.0.2.1", "192.0.2.1"), repr((mask, gw, dns)))
check("TCP goes from the leased address", peer_of(b"leased") == ip)
check("127.0.0.1 stays beside the lease", loopback_ok())
err, again = timed_dhcp()
check("ifconfig('dhcp') with a lease returns at once", err is None and again < 200 and lan.ifconfig()[0] == ip, repr((err, again)))

check("ipconfig: dhcp4 and has_dhcp4 with the lease", lan.ipconfig("dhcp4") and lan.ipconfig("has_dhcp4"), repr((lan.ipconfig("dhcp4"), lan.ipconfig("has_dhcp4"))))
check("ipconfig: addr4 and gw4 are the lease's", lan.ipconfig("addr4") == (ip, mask) and lan.ipconfig("gw4") == gw, repr(lan.ipconfig("addr4")))
lan.ipconfig(dhcp4=False)
check("ipconfig(dhcp4=False): the client stops, the lease's address stays static", not lan.ipconfig("dhcp4") and lan.ifconfig()[0] == ip, repr(lan.ifconfig()))
start = time.ticks_ms()
lan.ipconfig(dhcp4=True)
quick = time.ticks_diff(time.ticks_ms(), start)
check("ipconfig(dhcp4=True) returns without waiting for the lease", quick < 500 and lan.ipconfig("dhcp4"), repr(quick))
deadline = time.ticks_add(time.ticks_ms(), 10000)
while not lan.ipconfig("has_dhcp4") and time.ticks_diff(deadline, time.ticks_ms()) > 0:
    time.sleep_ms(20)
check("then the lease comes: has_dhcp4", lan.ipconfig("has_dhcp4") and lan.isconnected(), repr(lan.ifconfig()))

check("ifconfig(tuple) returns None", lan.ifconfig(STATIC) is None)
check("static again, connected", lan.ifconfig() == STATIC and lan.status() == 3 and lan.isconnected(), repr((lan.ifconfig(), lan.status())))
check("TCP goes from 192.0.2.2 again", peer_of(b"again") == "192.0.2.2")
check("127.0.0.1 stays", loopback_ok())

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
